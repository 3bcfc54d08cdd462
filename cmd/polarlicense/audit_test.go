package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/audit"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// The seeded data set of the audit tests, with a known answer at auditNow
// (2030-06-01 00:00 UTC):
//
//	order      quota  codes                                 findings
//	A ...001   10     11 expired 2030-05-01, 12 expires     code-expired (error), code-expiring (warning)
//	                  2030-07-01 (in 30 days)
//	B ...002   10     9 valid                               quota-high 90% (warning)
//	C ...003   2      2 valid                               quota-exhausted (warning)
//	D ...004   10     3 valid, frozen virtual order         virtual-order-frozen (info)
//	E ...005   10     1 valid, ActivatedCodeCount 3         code-count-mismatch (error)
//	F ...006   5      1 valid                               none
const (
	orderA = "100000000000001"
	orderB = "100000000000002"
	orderC = "100000000000003"
	orderD = "100000000000004"
	orderE = "100000000000005"
	orderF = "100000000000006"
)

var farFuture = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)

func seededOrder(id string, quota int) polarlicense.LicenseOrder {
	return polarlicense.LicenseOrder{
		AliyunOrderID: id, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackageSingleNodeSubscribe,
		PurchaseChannel: polarlicense.ChannelPublic, ActivationCodeQuota: quota,
	}
}

func seededCode(order string, id int64, expire time.Time) polarlicensetest.Option {
	return polarlicensetest.WithActivationCode(order, polarlicense.ActivationCode{
		ID: id, Name: fmt.Sprintf("node-%d", id), MacAddress: fmt.Sprintf("00:16:3e:00:00:%02d", id),
		SystemIdentifier: fmt.Sprint(7000000000000000000 + id), ExpireAt: expire,
	}, polarlicense.CertContent{})
}

// seeded returns the options of the data set, only the orders named (all when none).
func seeded(only ...string) []polarlicensetest.Option {
	want := func(id string) bool {
		if len(only) == 0 {
			return true
		}
		for _, o := range only {
			if o == id {
				return true
			}
		}
		return false
	}
	frozen := seededOrder(orderD, 10)
	frozen.Engine, frozen.PackageType = polarlicense.EngineOracle, polarlicense.PackagePreGenerationLongTerm
	frozen.IsVirtualOrder, frozen.IsVirtualOrderFrozen = true, true
	mismatch := seededOrder(orderE, 10)
	mismatch.ActivatedCodeCount = 3

	opts := []polarlicensetest.Option{polarlicensetest.WithoutDemoData()}
	add := func(o polarlicense.LicenseOrder, codes ...polarlicensetest.Option) {
		if want(o.AliyunOrderID) {
			opts = append(opts, polarlicensetest.WithOrders(o))
			opts = append(opts, codes...)
		}
	}
	add(seededOrder(orderA, 10),
		seededCode(orderA, 11, time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC)),
		seededCode(orderA, 12, time.Date(2030, 7, 1, 0, 0, 0, 0, time.UTC)))
	var bCodes []polarlicensetest.Option
	for i := range int64(9) {
		bCodes = append(bCodes, seededCode(orderB, 21+i, farFuture))
	}
	add(seededOrder(orderB, 10), bCodes...)
	add(seededOrder(orderC, 2), seededCode(orderC, 31, farFuture), seededCode(orderC, 32, farFuture))
	add(frozen, seededCode(orderD, 41, farFuture), seededCode(orderD, 42, farFuture), seededCode(orderD, 43, farFuture))
	add(mismatch, seededCode(orderE, 51, farFuture))
	add(seededOrder(orderF, 5), seededCode(orderF, 61, farFuture))
	return opts
}

func codeID(id int64) *int64 { return &id }

// wantFindings is the known answer of the full data set with the defaults
// (90d, 80%).
var wantFindings = []findingRecord{
	{"error", "code-expired", orderA, codeID(11), `code 11 "node-11" (MAC 00:16:3e:00:00:11) expired on 2030-05-01 (31 days ago)`},
	{"error", "code-count-mismatch", orderE, nil, "ActivatedCodeCount is 3 but 1 code is listed"},
	{"warning", "code-expiring", orderA, codeID(12), `code 12 "node-12" (MAC 00:16:3e:00:00:12) expires on 2030-07-01 (in 30 days)`},
	{"warning", "quota-high", orderB, nil, "quota 90% used: 9 of 10 codes issued, 1 left"},
	{"warning", "quota-exhausted", orderC, nil, "quota used up: 2 of 2 codes issued, none left"},
	{"info", "virtual-order-frozen", orderD, nil, "frozen virtual order: issues no more codes (3 of 10 issued)"},
}

func TestAuditKnownAnswerJSON(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded()...)
	r := runAt(t, srv, "audit", "-o", "json")
	require.Equal(t, exitFindings, r.code, r.stderr)
	assert.Equal(t, "audit: 6 orders, 18 codes: 2 errors, 3 warnings, 1 info: FAIL (--fail-on warning)\n", r.stderr)

	rep := decodeJSON[auditReport](t, r.stdout)
	assert.Equal(t, wantFindings, rep.Findings)
	assert.Equal(t, auditSummary{Orders: 6, Codes: 18, Error: 2, Warning: 3, Info: 1, Failed: true}, rep.Summary)
	assert.Equal(t, auditNow, time.Time(rep.CheckedAt))
	assert.Equal(t, int64(90*24*3600), rep.ExpiringWithinSeconds)
	assert.Equal(t, 80.0, rep.QuotaWarnPercent)
	assert.Equal(t, "warning", rep.FailOn)
	assert.Equal(t, []auditOrderRecord{
		{orderA, "PG", "single_node_subscribe", false, false, 10, 2, 8, 20, 2, 1, 1},
		{orderB, "PG", "single_node_subscribe", false, false, 10, 9, 1, 90, 9, 0, 0},
		{orderC, "PG", "single_node_subscribe", false, false, 2, 2, 0, 100, 2, 0, 0},
		{orderD, "Oracle", "pre_generation_long_term", true, true, 10, 3, 7, 30, 3, 0, 0},
		{orderE, "PG", "single_node_subscribe", false, false, 10, 3, 7, 30, 1, 0, 0},
		{orderF, "PG", "single_node_subscribe", false, false, 5, 1, 4, 20, 1, 0, 0},
	}, rep.Orders)
}

func TestAuditFailOnLevels(t *testing.T) {
	t.Parallel()
	full := newServer(t, seeded()...)
	noErrors := newServer(t, seeded(orderB, orderC, orderD, orderF)...)
	onlyInfo := newServer(t, seeded(orderD, orderF)...)
	clean := newServer(t, seeded(orderF)...)
	cases := []struct {
		srv    *polarlicensetest.Server
		failOn string
		code   int
	}{
		{full, "", exitFindings},
		{full, "error", exitFindings},
		{full, "warning", exitFindings},
		{full, "info", exitFindings},
		{full, "none", exitOK},
		{noErrors, "error", exitOK},
		{noErrors, "warning", exitFindings},
		{onlyInfo, "warning", exitOK},
		{onlyInfo, "info", exitFindings},
		{clean, "info", exitOK},
	}
	for _, c := range cases {
		args := []string{"audit", "-o", "json"}
		if c.failOn != "" {
			args = append(args, "--fail-on", c.failOn)
		}
		r := runAt(t, c.srv, args...)
		assert.Equal(t, c.code, r.code, "%v: %s", args, r.stderr)
		rep := decodeJSON[auditReport](t, r.stdout)
		assert.Equal(t, c.code == exitFindings, rep.Summary.Failed)
	}
	r := runAt(t, noErrors, "audit", "-o", "json", "--fail-on", "error")
	assert.Equal(t, "audit: 4 orders, 15 codes: 0 errors, 2 warnings, 1 info: PASS (--fail-on error)\n", r.stderr)
}

func TestAuditFlags(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded()...)
	checks := func(args ...string) []string {
		r := runAt(t, srv, append([]string{"audit", "-o", "json", "--fail-on", "none"}, args...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		var out []string
		for _, f := range decodeJSON[auditReport](t, r.stdout).Findings {
			out = append(out, f.Check+" "+f.AliyunOrderID)
		}
		return out
	}
	all := checks()
	assert.Len(t, all, 6)
	assert.Contains(t, checks("--expiring-within", "30d"), "code-expiring "+orderA, "30 days: on the edge, included")
	assert.NotContains(t, checks("--expiring-within", "29d23h"), "code-expiring "+orderA)
	assert.NotContains(t, checks("--expiring-within", "0"), "code-expiring "+orderA)
	assert.Contains(t, checks("--expiring-within", "721h"), "code-expiring "+orderA)
	assert.NotContains(t, checks("--quota-warn", "91%"), "quota-high "+orderB)
	assert.Contains(t, checks("--quota-warn", "90"), "quota-high "+orderB)
	assert.Contains(t, checks("--quota-warn", "30%"), "quota-high "+orderE)
	assert.NotContains(t, checks("--quota-warn", "30%"), "quota-high "+orderD, "not for a frozen virtual order")

	sent := srv.RequestCount("")
	for _, bad := range [][]string{
		{"--expiring-within", "90days"}, {"--expiring-within", "-1h"}, {"--expiring-within", "d"},
		{"--quota-warn", "0%"}, {"--quota-warn", "120%"}, {"--quota-warn", "lots"},
		{"--fail-on", "critical"},
	} {
		r := runAt(t, srv, append([]string{"audit"}, bad...)...)
		assert.Equal(t, exitUsage, r.code, bad)
		line := oneLineOn(t, r.stderr)
		assert.Contains(t, line, `invalid argument "`+bad[1]+`" for "`+bad[0]+`" flag: want `, bad)
		assert.True(t, strings.HasSuffix(line, `(see "polarlicense audit --help")`), line)
	}
	assert.Equal(t, sent, srv.RequestCount(""), "bad flags sent nothing")
}

func TestAuditCSV(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded()...)
	r := runAt(t, srv, "audit", "-o", "csv", "--fail-on", "error")
	require.Equal(t, exitFindings, r.code)
	header, rows := decodeCSV(t, r.stdout)
	assert.Equal(t, []string{"severity", "check", "aliyun_order_id", "activation_code_id", "message"}, header)
	require.Len(t, rows, len(wantFindings))
	for i, w := range wantFindings {
		id := ""
		if w.ActivationCodeID != nil {
			id = fmt.Sprint(*w.ActivationCodeID)
		}
		assert.Equal(t, map[string]string{"severity": w.Severity, "check": w.Check, "aliyun_order_id": w.AliyunOrderID,
			"activation_code_id": id, "message": w.Message}, rows[i])
	}
	assert.Equal(t, "audit: 6 orders, 18 codes: 2 errors, 3 warnings, 1 info: FAIL (--fail-on error)\n", r.stderr)
}

func TestAuditTable(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded()...)
	r := runAt(t, srv, "audit", "-o", "table")
	require.Equal(t, exitFindings, r.code)
	assert.Empty(t, r.stderr, "the summary is on stdout with the table")
	parts := strings.Split(r.stdout, "\n\n")
	require.Len(t, parts, 3, r.stdout)

	orders := strings.Split(parts[0], "\n")
	require.Len(t, orders, 7)
	assert.Equal(t, strings.Fields("ORDER ID ENGINE PACKAGE VIRTUAL QUOTA USED LEFT USED% CODES EXPIRED EXPIRING"), strings.Fields(orders[0]))
	assert.Equal(t, []string{orderB, "PG", "single_node_subscribe", "no", "10", "9", "1", "90", "9", "0", "0"}, strings.Fields(orders[2]))
	assert.Equal(t, []string{orderD, "Oracle", "pre_generation_long_term", "frozen", "10", "3", "7", "30", "3", "0", "0"}, strings.Fields(orders[4]))

	findings := strings.Split(parts[1], "\n")
	require.Len(t, findings, 1+len(wantFindings))
	assert.Equal(t, strings.Fields("LEVEL CHECK ORDER ID CODE MESSAGE"), strings.Fields(findings[0]))
	for i, w := range wantFindings {
		f := strings.Fields(findings[i+1])
		id := "-"
		if w.ActivationCodeID != nil {
			id = fmt.Sprint(*w.ActivationCodeID)
		}
		assert.Equal(t, []string{w.Severity, w.Check, w.AliyunOrderID, id}, f[:4])
		assert.Equal(t, w.Message, strings.Join(f[4:], " "))
	}
	assert.Equal(t, "audit: 6 orders, 18 codes: 2 errors, 3 warnings, 1 info: FAIL (--fail-on warning)\n", parts[2])

	clean := newServer(t, seeded(orderF)...)
	r = ok(t, runAt(t, clean, "audit", "-o", "table"))
	assert.Contains(t, r.stdout, "\n\nno findings\n\naudit: 1 order, 1 code: 0 errors, 0 warnings, 0 info: PASS (--fail-on warning)\n")
}

func TestAuditEmptyAccount(t *testing.T) {
	t.Parallel()
	srv := newServer(t, polarlicensetest.WithoutDemoData())
	r := runAt(t, srv, "audit", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	rep := decodeJSON[auditReport](t, r.stdout)
	assert.Empty(t, rep.Findings)
	assert.NotNil(t, rep.Findings)
	assert.Contains(t, r.stdout, `"findings": []`)
	assert.Contains(t, r.stdout, `"orders": []`)
}

func TestAuditFailureMidWalk(t *testing.T) {
	t.Parallel()
	srv := newServer(t, append(seeded(), polarlicensetest.WithFaults(polarlicensetest.Fault{
		Operation: "DescribeActivationCodes", Kind: polarlicensetest.FaultServiceUnavailable, Count: 100,
	}))...)
	r := runAt(t, srv, "audit")
	assert.Equal(t, exitFailure, r.code)
	assert.Empty(t, r.stdout, "no partial report")
	assert.Regexp(t, `^polarlicense: the service failed: ServiceUnavailable: .* \(HTTP 503, request id [0-9A-F-]+\); listing the activation codes of order 10000000000000[1-6]$`, oneLineOn(t, r.stderr))
}

// An answer the audit did not understand ends it with status 1 and no
// verdict, in every format: never a PASS.
func TestAuditNeverPassesOnABadAnswer(t *testing.T) {
	t.Parallel()
	for _, fault := range []polarlicensetest.Fault{
		{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultHTML, Status: http.StatusOK, Count: 100},
		{Operation: "DescribeActivationCodes", Kind: polarlicensetest.FaultHTML, Status: http.StatusOK, Count: 100},
		{Operation: "DescribeActivationCodes", Kind: polarlicensetest.FaultDrop, Count: 100},
	} {
		for _, format := range []string{"json", "table", "csv", "html"} {
			srv := newServer(t, append(seeded(orderF), polarlicensetest.WithFaults(fault))...)
			r := runAt(t, srv, "audit", "-o", format, "--fail-on", "none")
			assert.Equal(t, exitFailure, r.code, "%v -o %s: %s", fault.Kind, format, r.stderr)
			assert.Empty(t, r.stdout, "%v -o %s", fault.Kind, format)
			assert.NotContains(t, r.stderr, "PASS")
			assert.True(t, strings.HasPrefix(oneLineOn(t, r.stderr), "polarlicense: "), r.stderr)
		}
	}
}

func TestAuditConcurrencyFlag(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded()...)
	r := runAt(t, srv, "audit", "-o", "json", "--concurrency", "1")
	require.Equal(t, exitFindings, r.code, r.stderr)
	assert.Equal(t, wantFindings, decodeJSON[auditReport](t, r.stdout).Findings)
	sent := srv.RequestCount("")
	for _, bad := range []string{"0", "-2"} {
		r := runAt(t, srv, "audit", "--concurrency", bad)
		assert.Equal(t, exitUsage, r.code)
		assert.Equal(t, "polarlicense: invalid --concurrency "+bad+`: want 1 or more (see "polarlicense audit --help")`, oneLineOn(t, r.stderr))
	}
	assert.Equal(t, sent, srv.RequestCount(""), "bad flags sent nothing")
}

func TestAuditHelpListsEveryCheck(t *testing.T) {
	t.Parallel()
	r := ok(t, runIn(t, testEnv(nil), "audit", "--help"))
	for _, c := range audit.Checks() {
		assert.Regexp(t, `(?m)^  `+c.Name+` +`+c.Severity.String()+` +\S`, r.stdout)
	}
}

func TestAuditCodeDuplicate(t *testing.T) {
	t.Parallel()
	dup := polarlicense.ActivationCode{ID: 62, Name: "node-61-again", MacAddress: "00:16:3e:00:00:61", SystemIdentifier: "7000000000000000061", ExpireAt: farFuture}
	srv := newServer(t, append(seeded(orderF), polarlicensetest.WithActivationCode(orderF, dup, polarlicense.CertContent{}))...)
	r := runAt(t, srv, "audit", "-o", "json")
	require.Equal(t, exitFindings, r.code, r.stderr)
	assert.Equal(t, []findingRecord{{"warning", "code-duplicate", orderF, codeID(62),
		`code 62 "node-61-again" (MAC 00:16:3e:00:00:61) duplicates code 61: both unexpired, for MAC 00:16:3e:00:00:61 and system identifier 7000000000000000061; quota spent twice`}},
		decodeJSON[auditReport](t, r.stdout).Findings)
}

func TestOutputHTMLIsForAuditOnly(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded(orderF)...)
	r := runAt(t, srv, "orders", "list", "-o", "html")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-o html is for audit only")
	assert.Zero(t, srv.RequestCount(""))
}

func TestAuditDemoData(t *testing.T) {
	t.Parallel()
	// --emulator: the demo data, audited in 2030: every one-year code has
	// expired.
	r := runIn(t, testEnv(nil), "--emulator", "audit", "-o", "json", "--fail-on", "error")
	require.Equal(t, exitFindings, r.code, r.stderr)
	rep := decodeJSON[auditReport](t, r.stdout)
	assert.Equal(t, 7, rep.Summary.Orders)
	assert.Equal(t, 11, rep.Summary.Codes)
	assert.Equal(t, 1, rep.Summary.Info, "the frozen virtual order")
}

// A 2xx answer that carries an error body is an error: the audit fails with
// status 1 and never prints PASS.
func TestAuditFailsOn2xxErrorBody(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"RequestId":"6D3F2A1B-0000-4000-8000-000000000001","Code":"InternalError","Message":"The request processing has failed."}`))
	}))
	t.Cleanup(api.Close)
	env := testEnv(nil)
	vars := map[string]string{envEndpoint: api.URL, envKeyID: "LTAI5tEXAMPLE", envSecret: "secret"}
	env.getenv = func(k string) string { return vars[k] }
	for _, format := range []string{"json", "table", "csv", "html"} {
		r := runIn(t, env, "audit", "-o", format, "--fail-on", "none")
		assert.Equal(t, exitFailure, r.code, "-o %s: %s", format, r.stderr)
		assert.Empty(t, r.stdout, format)
		assert.NotContains(t, r.stderr, "PASS", format)
		assert.Contains(t, r.stderr, "InternalError", format)
	}
}
