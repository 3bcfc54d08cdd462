package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

var policy = auditPolicy{Now: auditNow, ExpiringWithin: 90 * 24 * time.Hour, QuotaWarnPercent: 80}

func order(id string, quota, count int) polarlicense.LicenseOrder {
	return polarlicense.LicenseOrder{AliyunOrderID: id, ActivationCodeQuota: quota, ActivatedCodeCount: count}
}

func codes(expires ...time.Time) []polarlicense.ActivationCode {
	out := make([]polarlicense.ActivationCode, len(expires))
	for i, e := range expires {
		out[i] = polarlicense.ActivationCode{ID: int64(i + 1), ExpireAt: e}
	}
	return out
}

// checksOf lists findings as "severity check order code".
func checksOf(r auditResult) []string {
	var out []string
	for _, f := range r.Findings {
		s := f.Severity.String() + " " + f.Check + " " + f.OrderID
		if f.CodeID != 0 {
			s += " " + string(rune('0'+f.CodeID))
		}
		out = append(out, s)
	}
	return out
}

func TestAuditRules(t *testing.T) {
	t.Parallel()
	future := auditNow.AddDate(5, 0, 0)
	frozen := order("frozen", 2, 2)
	frozen.IsVirtualOrder, frozen.IsVirtualOrderFrozen = true, true
	frozenOver := order("frozen-over", 2, 3)
	frozenOver.IsVirtualOrder, frozenOver.IsVirtualOrderFrozen = true, true
	notVirtual := order("frozen-flag-only", 1, 1)
	notVirtual.IsVirtualOrderFrozen = true // not a virtual order: the flag means nothing

	cases := []struct {
		name string
		in   orderCodes
		want []string
	}{
		{"clean", orderCodes{order("o", 10, 1), codes(future)}, nil},
		{"expired now", orderCodes{order("o", 10, 1), codes(auditNow)}, []string{"error code-expired o 1"}},
		{"expires in a second", orderCodes{order("o", 10, 1), codes(auditNow.Add(time.Second))}, []string{"warning code-expiring o 1"}},
		{"expires at the window's end", orderCodes{order("o", 10, 1), codes(auditNow.Add(policy.ExpiringWithin))}, []string{"warning code-expiring o 1"}},
		{"expires after the window", orderCodes{order("o", 10, 1), codes(auditNow.Add(policy.ExpiringWithin + time.Second))}, nil},
		{"no expiry time", orderCodes{order("o", 10, 1), codes(time.Time{})}, nil},
		{"quota 79%", orderCodes{order("o", 100, 79), nil}, []string{"error code-count-mismatch o"}},
		{"quota 80%", orderCodes{order("o", 5, 4), codes(future, future, future, future)}, []string{"warning quota-high o"}},
		{"quota 75%", orderCodes{order("o", 4, 3), codes(future, future, future)}, nil},
		{"quota used up", orderCodes{order("o", 1, 1), codes(future)}, []string{"warning quota-exhausted o"}},
		{"zero quota", orderCodes{order("o", 0, 0), nil}, []string{"warning quota-exhausted o"}},
		{"over quota", orderCodes{order("o", 1, 2), codes(future, future)}, []string{"error quota-exceeded o"}},
		{"frozen and used up", orderCodes{frozen, codes(future, future)}, []string{"info virtual-order-frozen frozen"}},
		{"frozen and over quota", orderCodes{frozenOver, codes(future, future, future)},
			[]string{"error quota-exceeded frozen-over", "info virtual-order-frozen frozen-over"}},
		{"frozen flag on a bought order", orderCodes{notVirtual, codes(future)}, []string{"warning quota-exhausted frozen-flag-only"}},
		{"more codes than counted", orderCodes{order("o", 10, 1), codes(future, future)}, []string{"error code-count-mismatch o"}},
		{"everything, most severe first", orderCodes{order("o", 4, 4), codes(auditNow.Add(time.Hour), auditNow.Add(-time.Hour), future)},
			[]string{"error code-count-mismatch o", "error code-expired o 2", "warning quota-exhausted o", "warning code-expiring o 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := audit([]orderCodes{c.in}, policy)
			assert.Equal(t, c.want, checksOf(r))
			assert.Len(t, r.Orders, 1)
			assert.Equal(t, len(c.in.Codes), r.Codes)
		})
	}
}

func TestAuditPolicyKnobs(t *testing.T) {
	t.Parallel()
	in := []orderCodes{{order("o", 10, 9), codes(auditNow.Add(24*time.Hour), auditNow.AddDate(1, 0, 0), auditNow.AddDate(1, 0, 0),
		auditNow.AddDate(1, 0, 0), auditNow.AddDate(1, 0, 0), auditNow.AddDate(1, 0, 0), auditNow.AddDate(1, 0, 0),
		auditNow.AddDate(1, 0, 0), auditNow.AddDate(1, 0, 0))}}
	p := policy
	assert.Equal(t, []string{"warning quota-high o", "warning code-expiring o 1"}, checksOf(audit(in, p)))
	p.ExpiringWithin = 0
	assert.Equal(t, []string{"warning quota-high o"}, checksOf(audit(in, p)))
	p.QuotaWarnPercent = 95
	assert.Empty(t, checksOf(audit(in, p)))
	p.ExpiringWithin = 400 * 24 * time.Hour
	assert.Len(t, audit(in, p).Findings, 9)
}

func TestAuditResultLevels(t *testing.T) {
	t.Parallel()
	r := auditResult{Findings: []finding{{Severity: sevWarning}, {Severity: sevInfo}, {Severity: sevWarning}}}
	assert.Equal(t, 2, r.count(sevWarning))
	assert.Equal(t, 1, r.count(sevInfo))
	assert.Zero(t, r.count(sevError))
	assert.False(t, r.fails(sevError))
	assert.True(t, r.fails(sevWarning))
	assert.True(t, r.fails(sevInfo))
	assert.False(t, r.fails(sevNone))
	assert.False(t, (&auditResult{}).fails(sevInfo))
}

func TestAuditMessages(t *testing.T) {
	t.Parallel()
	c := polarlicense.ActivationCode{ID: 7, Name: "db-1", MacAddress: "00:16:3e:00:00:07", ExpireAt: auditNow.Add(-36 * time.Hour)}
	r := audit([]orderCodes{{order("o", 10, 1), []polarlicense.ActivationCode{c}}}, policy)
	assert.Equal(t, `code 7 "db-1" (MAC 00:16:3e:00:00:07) expired on 2030-05-30 (1 day ago)`, r.Findings[0].Message)
	c.ExpireAt = auditNow.Add(5*time.Hour + 30*time.Minute)
	r = audit([]orderCodes{{order("o", 10, 1), []polarlicense.ActivationCode{c}}}, policy)
	assert.Equal(t, `code 7 "db-1" (MAC 00:16:3e:00:00:07) expires on 2030-06-01 (in 5 hours)`, r.Findings[0].Message)
	assert.Equal(t, "1 minute", span(90*time.Second))
	assert.Equal(t, "2 days", span(71*time.Hour))

	r = audit([]orderCodes{{order("o", 3, 2), codes(auditNow.AddDate(1, 0, 0), auditNow.AddDate(1, 0, 0))}}, auditPolicy{Now: auditNow, QuotaWarnPercent: 60})
	assert.Equal(t, "quota 66.7% used: 2 of 3 codes issued, 1 left", r.Findings[0].Message)
}

func TestSeverityNames(t *testing.T) {
	t.Parallel()
	for _, s := range []severity{sevNone, sevInfo, sevWarning, sevError} {
		got, ok := parseSeverity(s.String())
		assert.True(t, ok)
		assert.Equal(t, s, got)
	}
	got, ok := parseSeverity("WARNING")
	assert.True(t, ok)
	assert.Equal(t, sevWarning, got)
	_, ok = parseSeverity("fatal")
	assert.False(t, ok)
	assert.Less(t, sevInfo, sevWarning)
	assert.Less(t, sevWarning, sevError)
}
