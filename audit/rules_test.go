package audit

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

var (
	testNow = time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	policy  = Policy{Now: testNow}
)

func order(id string, quota, count int, codes ...polarlicense.ActivationCode) Order {
	return Order{LicenseOrder: polarlicense.LicenseOrder{AliyunOrderID: id, ActivationCodeQuota: quota, ActivatedCodeCount: count}, Codes: codes}
}

// codes makes codes 1, 2, … expiring at the times given, each for its own host.
func codes(expires ...time.Time) []polarlicense.ActivationCode {
	out := make([]polarlicense.ActivationCode, len(expires))
	for i, e := range expires {
		out[i] = polarlicense.ActivationCode{ID: int64(i + 1), ExpireAt: e, MacAddress: "00:16:3e:00:00:" + strconv.Itoa(10+i)}
	}
	return out
}

// checksOf lists findings as "severity check order [code]".
func checksOf(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		s := f.Severity.String() + " " + f.Check + " " + f.AliyunOrderID
		if f.ActivationCodeID != 0 {
			s += " " + strconv.FormatInt(f.ActivationCodeID, 10)
		}
		out = append(out, s)
	}
	return out
}

func TestEvaluateRules(t *testing.T) {
	t.Parallel()
	future := testNow.AddDate(5, 0, 0)
	frozen := order("frozen", 2, 2, codes(future, future)...)
	frozen.IsVirtualOrder, frozen.IsVirtualOrderFrozen = true, true
	frozenOver := order("frozen-over", 2, 3, codes(future, future, future)...)
	frozenOver.IsVirtualOrder, frozenOver.IsVirtualOrderFrozen = true, true
	notVirtual := order("frozen-flag-only", 1, 1, codes(future)...)
	notVirtual.IsVirtualOrderFrozen = true // not a virtual order: the flag means nothing

	cases := []struct {
		name string
		in   Order
		want []string
	}{
		{"clean", order("o", 10, 1, codes(future)...), nil},
		{"expired now", order("o", 10, 1, codes(testNow)...), []string{"error code-expired o 1"}},
		{"expires in a second", order("o", 10, 1, codes(testNow.Add(time.Second))...), []string{"warning code-expiring o 1"}},
		{"expires at the window's end", order("o", 10, 1, codes(testNow.Add(DefaultExpiringWithin))...), []string{"warning code-expiring o 1"}},
		{"expires after the window", order("o", 10, 1, codes(testNow.Add(DefaultExpiringWithin+time.Second))...), nil},
		{"no expiry time", order("o", 10, 1, codes(time.Time{})...), []string{"warning code-expiry-unknown o 1"}},
		{"quota 79%", order("o", 100, 79), []string{"error code-count-mismatch o"}},
		{"quota 80%", order("o", 5, 4, codes(future, future, future, future)...), []string{"warning quota-high o"}},
		{"quota 75%", order("o", 4, 3, codes(future, future, future)...), nil},
		{"quota used up", order("o", 1, 1, codes(future)...), []string{"warning quota-exhausted o"}},
		{"zero quota", order("o", 0, 0), []string{"warning quota-exhausted o"}},
		{"over quota", order("o", 1, 2, codes(future, future)...), []string{"error quota-exceeded o"}},
		{"frozen and used up", frozen, []string{"info virtual-order-frozen frozen"}},
		{"frozen and over quota", frozenOver, []string{"error quota-exceeded frozen-over", "info virtual-order-frozen frozen-over"}},
		{"frozen flag on a bought order", notVirtual, []string{"warning quota-exhausted frozen-flag-only"}},
		{"more codes than counted", order("o", 10, 1, codes(future, future)...), []string{"error code-count-mismatch o"}},
		{"everything, most severe first, then by check and code",
			order("o", 4, 4, codes(testNow.Add(time.Hour), testNow.Add(-time.Hour), future)...),
			[]string{"error code-count-mismatch o", "error code-expired o 2", "warning code-expiring o 1", "warning quota-exhausted o"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, c.want, checksOf(Evaluate([]Order{c.in}, policy)))
		})
	}
}

func TestEvaluateDuplicates(t *testing.T) {
	t.Parallel()
	future := testNow.AddDate(1, 0, 0)
	code := func(id int64, mac, sysID string, expire time.Time) polarlicense.ActivationCode {
		return polarlicense.ActivationCode{ID: id, Name: "n" + strconv.FormatInt(id, 10), MacAddress: mac, SystemIdentifier: sysID, ExpireAt: expire}
	}
	cases := []struct {
		name  string
		codes []polarlicense.ActivationCode
		want  []string
	}{
		{"same host, same spelling", []polarlicense.ActivationCode{
			code(1, "00:16:3e:00:00:01", "7001", future), code(2, "00:16:3e:00:00:01", "7001", future)},
			[]string{"warning code-duplicate o 2"}},
		{"same host, other spelling", []polarlicense.ActivationCode{
			code(5, "00-16-3E-00-00-01", "7001", future), code(3, "00:16:3e:00:00:01", "7001", future)},
			[]string{"warning code-duplicate o 5"}},
		{"three for one host", []polarlicense.ActivationCode{
			code(1, "00:16:3e:00:00:01", "7001", future), code(2, "00:16:3E:00:00:01", "7001", future), code(3, "00:16:3e:00:00:01", "7001", future)},
			[]string{"warning code-duplicate o 2", "warning code-duplicate o 3"}},
		{"both without a system identifier", []polarlicense.ActivationCode{
			code(1, "00:16:3e:00:00:01", "", future), code(2, "00:16:3e:00:00:01", "", future)},
			[]string{"warning code-duplicate o 2"}},
		{"another system identifier", []polarlicense.ActivationCode{
			code(1, "00:16:3e:00:00:01", "7001", future), code(2, "00:16:3e:00:00:01", "7002", future)}, nil},
		{"another MAC", []polarlicense.ActivationCode{
			code(1, "00:16:3e:00:00:01", "7001", future), code(2, "00:16:3e:00:00:02", "7001", future)}, nil},
		{"the older one expired: a renewal", []polarlicense.ActivationCode{
			code(1, "00:16:3e:00:00:01", "7001", testNow.Add(-time.Hour)), code(2, "00:16:3e:00:00:01", "7001", future)},
			[]string{"error code-expired o 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o := order("o", 100, len(c.codes), c.codes...)
			assert.Equal(t, c.want, checksOf(Evaluate([]Order{o}, policy)))
		})
	}
	o := order("o", 100, 2, code(1, "00:16:3e:00:00:01", "7001", future), code(2, "00-16-3E-00-00-01", "7001", future))
	fs := Evaluate([]Order{o}, policy)
	require.Len(t, fs, 1)
	assert.Equal(t, `code 2 "n2" (MAC 00-16-3E-00-00-01) duplicates code 1: both unexpired, for MAC 00:16:3e:00:00:01 and system identifier 7001; quota spent twice`, fs[0].Message)
}

func TestEvaluateRenewals(t *testing.T) {
	t.Parallel()
	future := testNow.AddDate(1, 0, 0)
	soon := testNow.AddDate(0, 0, 10) // within the policy's window
	code := func(id int64, mac string, expire time.Time) polarlicense.ActivationCode {
		return polarlicense.ActivationCode{ID: id, Name: "n" + strconv.FormatInt(id, 10), MacAddress: mac, SystemIdentifier: "7001", ExpireAt: expire}
	}
	const mac = "00:16:3e:00:00:01"
	cases := []struct {
		name   string
		policy Policy
		codes  []polarlicense.ActivationCode
		want   []string
	}{
		{"expiring, then a later one: a renewal, not expiring", policy, []polarlicense.ActivationCode{code(1, mac, soon), code(2, "00-16-3E-00-00-01", future)},
			[]string{"info code-renewed o 2"}},
		{"expiring, not yet renewed", policy, []polarlicense.ActivationCode{code(1, mac, soon)},
			[]string{"warning code-expiring o 1"}},
		{"not expiring: a second code is a duplicate", policy, []polarlicense.ActivationCode{code(1, mac, future), code(2, mac, future.AddDate(1, 0, 0))},
			[]string{"warning code-duplicate o 2"}},
		{"renewed twice over: the third is a duplicate", policy, []polarlicense.ActivationCode{code(1, mac, soon), code(2, mac, future), code(3, mac, future)},
			[]string{"warning code-duplicate o 3", "info code-renewed o 2"}},
		{"the newer one expires first: a duplicate", policy, []polarlicense.ActivationCode{code(1, mac, soon), code(2, mac, soon.Add(-time.Hour))},
			[]string{"warning code-duplicate o 2", "warning code-expiring o 1", "warning code-expiring o 2"}},
		{"with the expiry check off, no renewal either", Policy{Now: testNow, ExpiringWithin: -1}, []polarlicense.ActivationCode{code(1, mac, soon), code(2, mac, future)},
			[]string{"warning code-duplicate o 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o := order("o", 100, len(c.codes), c.codes...)
			assert.Equal(t, c.want, checksOf(Evaluate([]Order{o}, c.policy)))
		})
	}
	o := order("o", 100, 2, code(1, mac, soon), code(2, mac, future))
	fs := Evaluate([]Order{o}, policy)
	require.Len(t, fs, 1)
	assert.Equal(t, `code 2 "n2" (MAC 00:16:3e:00:00:01) renews code 1, which expires on `+soon.Format("2006-01-02")+
		` (in 10 days), for MAC 00:16:3e:00:00:01 and system identifier 7001`, fs[0].Message)
}

func TestNormalizeMAC(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"00:16:3e:1a:2b:01":   "00:16:3e:1a:2b:01",
		"00-16-3E-1A-2B-01":   "00:16:3e:1a:2b:01",
		" 00:16:3E:1a:2B:01 ": "00:16:3e:1a:2b:01",
		"not-a-mac":           "not-a-mac",
		"00:16:3e:1a:2b":      "00:16:3e:1a:2b",
		"0:16:3e:1a:2b:01:02": "0:16:3e:1a:2b:01:02",
		"zz:16:3e:1a:2b:01":   "zz:16:3e:1a:2b:01",
	} {
		assert.Equal(t, want, normalizeMAC(in), in)
	}
}

func TestEvaluateSortsAcrossOrders(t *testing.T) {
	t.Parallel()
	future := testNow.AddDate(1, 0, 0)
	in := []Order{
		order("b", 10, 1, codes(testNow.Add(-time.Hour))...),
		order("a", 1, 1, codes(future)...),
		order("c", 10, 0),
		order("a2", 10, 2, codes(testNow.Add(-time.Hour), testNow.Add(-2*time.Hour))...),
	}
	in[2].IsVirtualOrder, in[2].IsVirtualOrderFrozen = true, true
	assert.Equal(t, []string{
		"error code-expired a2 1", "error code-expired a2 2", "error code-expired b 1",
		"warning quota-exhausted a",
		"info virtual-order-frozen c",
	}, checksOf(Evaluate(in, policy)))
}

func TestPolicyKnobs(t *testing.T) {
	t.Parallel()
	in := []Order{order("o", 10, 2, codes(testNow.Add(24*time.Hour), testNow.AddDate(1, 0, 0))...)}
	p := Policy{Now: testNow, QuotaWarnPercent: 20}
	assert.Equal(t, []string{"warning code-expiring o 1", "warning quota-high o"}, checksOf(Evaluate(in, p)))
	p.ExpiringWithin = -1
	assert.Equal(t, []string{"warning quota-high o"}, checksOf(Evaluate(in, p)), "a negative window turns code-expiring off")
	p.QuotaWarnPercent = 21
	assert.Empty(t, Evaluate(in, p))
	assert.NotNil(t, Evaluate(in, p), "an empty list, not nil")
	p.ExpiringWithin = 400 * 24 * time.Hour
	assert.Equal(t, []string{"warning code-expiring o 1", "warning code-expiring o 2"}, checksOf(Evaluate(in, p)))
	p.QuotaWarnPercent = 101
	assert.NotContains(t, checksOf(Evaluate([]Order{order("o", 1, 1, codes(testNow.AddDate(1, 0, 0))...)}, p)), "warning quota-high o")

	p = Policy{Now: testNow, QuotaWarnPercent: -5}
	assert.Equal(t, []string{"warning quota-high o"}, checksOf(Evaluate([]Order{order("o", 10, 8, codes(
		testNow.AddDate(1, 0, 0), testNow.AddDate(1, 0, 0), testNow.AddDate(1, 0, 0), testNow.AddDate(1, 0, 0),
		testNow.AddDate(1, 0, 0), testNow.AddDate(1, 0, 0), testNow.AddDate(1, 0, 0), testNow.AddDate(1, 0, 0))...)}, p)),
		"Evaluate applies the default 80% in place of a negative threshold")
}

func TestPolicyDefaults(t *testing.T) {
	t.Parallel()
	before := time.Now()
	p, err := Policy{}.resolve()
	require.NoError(t, err)
	assert.False(t, p.Now.Before(before), "now")
	assert.Equal(t, 90*24*time.Hour, p.ExpiringWithin)
	assert.Equal(t, 80.0, p.QuotaWarnPercent)
	assert.Equal(t, 4, p.Concurrency)
	assert.Equal(t, p.Now.Add(90*24*time.Hour), p.Horizon())
	off := Policy{Now: testNow, ExpiringWithin: -1}
	assert.Equal(t, testNow, off.Horizon())

	// A code expiring in 89 days is expiring by default, one in 91 days is not.
	in := []Order{order("o", 100, 2, codes(time.Now().Add(89*24*time.Hour), time.Now().Add(91*24*time.Hour))...)}
	assert.Equal(t, []string{"warning code-expiring o 1"}, checksOf(Evaluate(in, Policy{})))
}

func TestMessages(t *testing.T) {
	t.Parallel()
	c := polarlicense.ActivationCode{ID: 7, Name: "db-1", MacAddress: "00:16:3e:00:00:07", ExpireAt: testNow.Add(-36 * time.Hour)}
	fs := Evaluate([]Order{order("o", 10, 1, c)}, policy)
	assert.Equal(t, `code 7 "db-1" (MAC 00:16:3e:00:00:07) expired on 2030-05-30 (1 day ago)`, fs[0].Message)
	c.ExpireAt = testNow.Add(5*time.Hour + 30*time.Minute)
	fs = Evaluate([]Order{order("o", 10, 1, c)}, policy)
	assert.Equal(t, `code 7 "db-1" (MAC 00:16:3e:00:00:07) expires on 2030-06-01 (in 5 hours)`, fs[0].Message)
	c.ExpireAt = time.Time{}
	fs = Evaluate([]Order{order("o", 10, 1, c)}, policy)
	assert.Equal(t, `code 7 "db-1" (MAC 00:16:3e:00:00:07) has no expiry time (ExpireAt missing, null or empty): when it expires is unknown`, fs[0].Message)
	fs = Evaluate([]Order{order("o", 10, 1, c)}, Policy{Now: testNow, ExpiringWithin: -1})
	assert.Equal(t, []string{"warning code-expiry-unknown o 7"}, checksOf(fs), "reported with code-expiring off too")
	assert.Equal(t, "1 minute", span(90*time.Second))
	assert.Equal(t, "2 days", span(71*time.Hour))

	fs = Evaluate([]Order{order("o", 3, 2, codes(testNow.AddDate(1, 0, 0), testNow.AddDate(1, 0, 0))...)}, Policy{Now: testNow, QuotaWarnPercent: 60})
	assert.Equal(t, "quota 66.7% used: 2 of 3 codes issued, 1 left", fs[0].Message)
	fs = Evaluate([]Order{order("o", 10, 3, codes(testNow.AddDate(1, 0, 0))...)}, policy)
	assert.Equal(t, "ActivatedCodeCount is 3 but 1 code is listed", fs[0].Message)
}

func TestSeverity(t *testing.T) {
	t.Parallel()
	assert.Less(t, SeverityInfo, SeverityWarning)
	assert.Less(t, SeverityWarning, SeverityError)
	for _, s := range []Severity{SeverityInfo, SeverityWarning, SeverityError} {
		got, err := ParseSeverity(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back Severity
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	assert.Equal(t, []string{"info", "warning", "error"}, []string{SeverityInfo.String(), SeverityWarning.String(), SeverityError.String()})
	got, err := ParseSeverity("WARNING")
	require.NoError(t, err)
	assert.Equal(t, SeverityWarning, got)
	_, err = ParseSeverity("none")
	assert.EqualError(t, err, `audit: unknown severity "none": want info, warning or error`)
	assert.Equal(t, "Severity(0)", Severity(0).String())
	_, err = Severity(0).MarshalText()
	assert.Error(t, err)
}

func TestChecksTable(t *testing.T) {
	t.Parallel()
	cs := Checks()
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
		assert.NotEmpty(t, c.Description)
	}
	assert.Equal(t, []string{"code-expired", "code-expiring", "code-expiry-unknown", "code-count-mismatch", "code-duplicate", "code-renewed",
		"quota-exceeded", "quota-exhausted", "quota-high", "virtual-order-frozen"}, names)
	cs[0].Name = "changed"
	assert.Equal(t, CheckCodeExpired, Checks()[0].Name, "the caller's copy")

	// Every finding's severity is the one its check declares.
	sev := map[string]Severity{}
	for _, c := range Checks() {
		sev[c.Name] = c.Severity
	}
	future := testNow.AddDate(1, 0, 0)
	frozen := order("f", 1, 1, codes(future)...)
	frozen.IsVirtualOrder, frozen.IsVirtualOrderFrozen = true, true
	dup := codes(future, future)
	dup[1].MacAddress = dup[0].MacAddress
	renewal := codes(testNow.AddDate(0, 0, 10), future)
	renewal[1].MacAddress = renewal[0].MacAddress
	all := Evaluate([]Order{
		order("a", 10, 2, codes(testNow, testNow.Add(time.Hour))...), order("b", 1, 2, codes(future)...),
		order("c", 2, 2, dup...), order("d", 10, 9, codes(future, future, future, future, future, future, future, future, future)...), frozen,
		order("e", 10, 2, renewal...),
	}, policy)
	all = append(all, Evaluate([]Order{order("u", 10, 1, codes(time.Time{})...)}, policy)...)
	seen := map[string]bool{}
	for _, f := range all {
		assert.Equal(t, sev[f.Check], f.Severity, f.Check)
		seen[f.Check] = true
	}
	assert.Len(t, seen, len(cs), "%v", checksOf(all))
}

func TestReportCounts(t *testing.T) {
	t.Parallel()
	r := &Report{
		Orders: []Order{order("a", 1, 1, codes(testNow)...), order("b", 1, 0)},
		Findings: []Finding{
			{Severity: SeverityWarning, Check: CheckQuotaHigh, AliyunOrderID: "a"},
			{Severity: SeverityInfo, Check: CheckVirtualOrderFrozen, AliyunOrderID: "b"},
			{Severity: SeverityWarning, Check: CheckCodeExpiring, AliyunOrderID: "a"},
			{Severity: SeverityWarning, Check: CheckCodeExpiring, AliyunOrderID: "a"},
		},
	}
	assert.Equal(t, 1, r.Codes())
	assert.Equal(t, 3, r.Count(SeverityWarning))
	assert.Equal(t, 1, r.Count(SeverityInfo))
	assert.Zero(t, r.Count(SeverityError))
	assert.False(t, r.Reaches(SeverityError))
	assert.True(t, r.Reaches(SeverityWarning))
	assert.True(t, r.Reaches(SeverityInfo))
	assert.False(t, r.Reaches(0))
	assert.False(t, (&Report{}).Reaches(SeverityInfo))
	assert.False(t, r.Fails(SeverityError), "warnings only")
	assert.True(t, r.Fails(SeverityWarning))
	assert.False(t, r.Fails(0))
	// A code that could not be dated fails every gate but none.
	undated := &Report{Findings: []Finding{{Severity: SeverityWarning, Check: CheckCodeExpiryUnknown, AliyunOrderID: "a", ActivationCodeID: 7}}}
	assert.False(t, undated.Reaches(SeverityError))
	assert.True(t, undated.Fails(SeverityError))
	assert.True(t, undated.Fails(SeverityInfo))
	assert.False(t, undated.Fails(0))
	assert.Equal(t, 2, r.CountFor("a", CheckCodeExpiring))
	assert.Zero(t, r.CountFor("b", CheckCodeExpiring))

	o := order("o", 0, 0)
	assert.Equal(t, 100.0, o.UsedPercent())
	o = order("o", 8, 2)
	assert.Equal(t, 25.0, o.UsedPercent())
	assert.False(t, o.Frozen())
	o.IsVirtualOrderFrozen = true
	assert.False(t, o.Frozen(), "only a virtual order can be frozen")
	o.IsVirtualOrder = true
	assert.True(t, o.Frozen())
}
