package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestCodesListFormats(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderNearlySpent
	want := srv.Codes(order)
	require.Len(t, want, 4)

	r := ok(t, runAt(t, srv, "codes", "list", order, "-o", "json"))
	rows := decodeJSON[[]codeRecord](t, r.stdout)
	require.Len(t, rows, 4)
	for i := range want {
		assert.Equal(t, asOutput(t, newCodeRecord(order, &want[i])), rows[i])
	}
	assert.Equal(t, "ha-a1", rows[0].Name)
	assert.Equal(t, "00:16:3e:33:40:a1", rows[0].MacAddress)
	assert.NotContains(t, strings.ToLower(r.stdout), "cert", "a listing never shows the license")

	r = ok(t, runAt(t, srv, "codes", "list", order, "-o", "csv"))
	header, recs := decodeCSV(t, r.stdout)
	assert.Equal(t, []string{"aliyun_order_id", "id", "name", "description", "mac_address", "system_identifier",
		"activate_at", "expire_at", "gmt_created", "gmt_modified"}, header)
	require.Len(t, recs, 4)
	assert.Equal(t, strconv.FormatInt(want[2].ID, 10), recs[2]["id"])
	assert.Equal(t, "cluster b, node 1", recs[2]["description"])
	assert.Equal(t, want[0].ActivateAt.UTC().Format(time.RFC3339), recs[0]["activate_at"])
	assert.Equal(t, want[0].ExpireAt.UTC().Format(time.RFC3339), recs[0]["expire_at"])

	r = ok(t, runAt(t, srv, "codes", "list", order, "-o", "table"))
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.Len(t, lines, 5)
	assert.Equal(t, []string{"ID", "NAME", "MAC", "ADDRESS", "SYSTEM", "ID", "ACTIVATED", "EXPIRES", "DESCRIPTION"}, strings.Fields(lines[0]))
	assert.Contains(t, lines[3], "ha-b1")
	assert.Contains(t, lines[3], "cluster b, node 1")
}

func TestCodesListFilters(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderNearlySpent

	r := ok(t, runAt(t, srv, "codes", "list", order, "--mac", "00:16:3E:33:40:B2", "-o", "json"))
	rows := decodeJSON[[]codeRecord](t, r.stdout)
	require.Len(t, rows, 1)
	assert.Equal(t, "ha-b2", rows[0].Name)

	r = ok(t, runAt(t, srv, "codes", "list", order, "--system-id", "7371955012804410002", "-o", "json"))
	rows = decodeJSON[[]codeRecord](t, r.stdout)
	require.Len(t, rows, 1)
	assert.Equal(t, "ha-a2", rows[0].Name)

	r = ok(t, runAt(t, srv, "codes", "list", polarlicensetest.DemoOrderMySQLSubscribe, "-o", "json"))
	assert.Equal(t, "[]\n", r.stdout)
}

func TestCodesListBadMac(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := runAt(t, srv, "codes", "list", polarlicensetest.DemoOrderPG, "--mac", "00:16:3e:1a:2b")
	assert.Equal(t, exitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Equal(t, `polarlicense: invalid --mac "00:16:3e:1a:2b": a MAC address is six pairs of hex digits separated by ":" or "-", such as 00:16:3e:1a:2b:01 (see "polarlicense codes list --help")`,
		oneLineOn(t, r.stderr))
	assert.Zero(t, srv.RequestCount(""), "nothing sent")
}

func TestCodesListUnknownOrder(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := runAt(t, srv, "codes", "list", "42")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), `polarlicense: no license order has the ID "42": InvalidAliyunOrderId.NotFound:`)
}

func TestCodesGet(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderPG
	want := srv.Codes(order)[1]
	id := strconv.FormatInt(want.ID, 10)

	r := ok(t, runAt(t, srv, "codes", "get", order, id, "-o", "json"))
	assert.Equal(t, asOutput(t, newCodeRecord(order, &want)), decodeJSON[codeRecord](t, r.stdout))
	assert.NotContains(t, strings.ToLower(r.stdout), "cert")

	r = ok(t, runAt(t, srv, "codes", "get", order, id, "-o", "table"))
	assert.Regexp(t, `(?m)^name\s+pg-prod-02$`, r.stdout)
	assert.Regexp(t, `(?m)^system_identifier\s+7345118823001548202$`, r.stdout)

	r = ok(t, runAt(t, srv, "codes", "get", order, id, "-o", "csv"))
	_, rows := decodeCSV(t, r.stdout)
	require.Len(t, rows, 1)
	assert.Equal(t, "production replica", rows[0]["description"])

	r = runAt(t, srv, "codes", "get", order, "999")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "polarlicense: order "+order+" has no activation code 999: InvalidActivationCodeId.NotFound:")

	for _, bad := range []string{"x", "0", "1.5", "99999999999999999999"} {
		r = runAt(t, srv, "codes", "get", order, bad)
		assert.Equal(t, exitUsage, r.code, bad)
		assert.Contains(t, r.stderr, `invalid CODE_ID "`+bad+`"`)
	}
	r = runAt(t, srv, "codes", "get", order)
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, `polarlicense: missing CODE_ID (see "polarlicense codes get --help")`, oneLineOn(t, r.stderr))
}

func TestCodesCreate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderPG
	before, _ := srv.Order(order)

	r := ok(t, runAt(t, srv, "codes", "create", order, "--mac", "00:16:3e:1a:2b:03", "--name", "pg-prod-03",
		"--system-id", "7345118823001548203", "--description", "new replica", "-o", "json"))
	created := decodeJSON[codeRecord](t, r.stdout)
	assert.Equal(t, order, created.AliyunOrderID)
	assert.Equal(t, "pg-prod-03", created.Name)
	assert.Equal(t, "new replica", created.Description)
	assert.Equal(t, "7345118823001548203", created.SystemIdentifier)
	assert.NotZero(t, created.ID)
	assert.NotContains(t, strings.ToLower(r.stdout), "cert")

	r = ok(t, runAt(t, srv, "codes", "create", order, "--mac", "00:16:3e:1a:2b:04", "--name", "pg-prod-04",
		"--system-id", "7345118823001548204", "-o", "csv"))
	_, rows := decodeCSV(t, r.stdout)
	require.Len(t, rows, 1)
	assert.Equal(t, "pg-prod-04", rows[0]["name"])
	assert.Equal(t, "", rows[0]["description"])

	r = ok(t, runAt(t, srv, "codes", "create", order, "--mac", "00:16:3e:1a:2b:05", "--name", "pg-prod-05",
		"--system-id", "7345118823001548205", "-o", "table"))
	assert.Regexp(t, `(?m)^name\s+pg-prod-05$`, r.stdout)
	assert.Regexp(t, `(?m)^description\s+-$`, r.stdout)

	after, _ := srv.Order(order)
	assert.Equal(t, before.ActivatedCodeCount+3, after.ActivatedCodeCount)
	got, _, found := srv.Code(order, created.ID)
	require.True(t, found)
	assert.Equal(t, asOutput(t, newCodeRecord(order, &got)), created)
}

func TestCodesCreateRefusals(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderPG
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"malformed mac", []string{"codes", "create", order, "--mac", "0016.3e1a.2b03", "--name", "n"}, exitUsage,
			`polarlicense: invalid --mac "0016.3e1a.2b03": a MAC address is six pairs of hex digits separated by ":" or "-", such as 00:16:3e:1a:2b:01 (see "polarlicense codes create --help")`},
		{"bad name", []string{"codes", "create", order, "--mac", "00:16:3e:1a:2b:03", "--name", "pg prod"}, exitUsage,
			`polarlicense: invalid --name: may hold only letters, digits, "_" and "-" (see "polarlicense codes create --help")`},
		{"no mac", []string{"codes", "create", order, "--name", "n"}, exitUsage,
			`polarlicense: required flag(s) "mac" not set (see "polarlicense codes create --help")`},
		{"no order", []string{"codes", "create", "--mac", "00:16:3e:1a:2b:03", "--name", "n"}, exitUsage,
			`polarlicense: missing ORDER_ID (see "polarlicense codes create --help")`},
		{"owner without out", []string{"codes", "create", order, "--mac", "00:16:3e:1a:2b:03", "--name", "n", "--system-id", "1", "--owner", "0"}, exitUsage,
			`polarlicense: --owner is the owner of the file --out writes: give --out too (see "polarlicense codes create --help")`},
	}
	for _, c := range cases {
		r := runAt(t, srv, c.args...)
		assert.Equal(t, c.code, r.code, c.name)
		assert.Equal(t, c.msg, oneLineOn(t, r.stderr), c.name)
	}
	assert.Zero(t, srv.RequestCount(""), "nothing sent for a bad command line")

	r := runAt(t, srv, "codes", "create", polarlicensetest.DemoVirtualOrderFrozen, "--mac", "00:16:3e:1a:2b:03", "--name", "n", "--system-id", "1")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "polarlicense: the virtual order is frozen: OperationDenied.VirtualOrderFrozen:")

	r = runAt(t, srv, "codes", "create", order, "--mac", "00:16:3e:1a:2b:03", "--name", "n")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "MissingSystemIdentifier")
}

func TestCodesCreateQuotaExhausted(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderNearlySpent // one code left
	args := []string{"codes", "create", order, "--mac", "00:16:3e:33:40:c1", "--name", "ha-c1", "--system-id", "7371955012804410005"}
	ok(t, runAt(t, srv, args...))
	r := runAt(t, srv, args...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "polarlicense: the order's activation-code quota is used up: QuotaExceeded.ActivationCode:")
	assert.Regexp(t, `request id [0-9A-F-]+\)$`, strings.TrimSpace(r.stderr))
}

func TestCodesCreateAmbiguousFailure(t *testing.T) {
	t.Parallel()
	srv := newServer(t, polarlicensetest.WithFaults(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter}))
	order := polarlicensetest.DemoOrderPG
	r := runAt(t, srv, "codes", "create", order, "--mac", "00:16:3e:1a:2b:03", "--name", "pg-prod-03", "--system-id", "7345118823001548203")
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.True(t, strings.HasSuffix(line, `; the code may or may not have been created: check with "polarlicense codes list `+order+
		` --mac 00:16:3e:1a:2b:03" before trying again (or use "polarlicense license ensure", which checks first)`), line)
	assert.Len(t, srv.Codes(order), 3, "the emulator did create it")
}

// The advice follows the SDK's verdict: a 503 to a request that was sent
// leaves the outcome unknown; a refused connection sent nothing.
func TestCodesCreateAdviceFollowsTheOutcome(t *testing.T) {
	t.Parallel()
	args := []string{"codes", "create", polarlicensetest.DemoOrderPG, "--mac", "00:16:3e:1a:2b:03", "--name", "pg-prod-03", "--system-id", "7345118823001548203"}
	srv := newServer(t, polarlicensetest.WithFaults(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultServiceUnavailable}))
	r := runAt(t, srv, args...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "ServiceUnavailable")
	assert.Contains(t, r.stderr, "may or may not have been created")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "not retried")

	env, _ := refusingEnv(t)
	r = runIn(t, env, args...)
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.Contains(t, line, "cannot reach the service")
	assert.NotContains(t, line, "may or may not", "a request that never left created nothing")
}

func TestCodesCreateOut(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderPG
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	args := []string{"codes", "create", order, "--mac", "00-16-3E-1A-2B-03", "--name", "pg-prod-03", "--system-id", "7345118823001548203", "--out", path}
	r := ok(t, runAt(t, srv, args...))
	created := decodeJSON[codeRecord](t, r.stdout)
	assert.Equal(t, "00:16:3e:1a:2b:03", created.MacAddress, "sent in its normal form")
	_, cert, found := srv.Code(order, created.ID)
	require.True(t, found)
	want, err := cert.Decode()
	require.NoError(t, err)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got, "the file holds the service's license")

	// An existing file is never replaced, and nothing is spent finding out.
	before := srv.RequestCount("CreateActivationCode")
	r = runAt(t, srv, args...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, path+" already exists")
	assert.Equal(t, before, srv.RequestCount("CreateActivationCode"))
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, again)

	r = runAt(t, srv, "codes", "create", order, "--help")
	assert.Contains(t, r.stdout, "license ensure", "the help points scripts to license ensure")
}

// A codes create whose answer was lost holds the host, through the state
// directory, for every later run: a second codes create at once (as after
// a kill and a quick retry) spends nothing.
func TestCodesCreateHeldAfterALostAnswer(t *testing.T) {
	t.Parallel()
	srv := newServer(t, polarlicensetest.WithFaults(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter}))
	order := polarlicensetest.DemoOrderPG
	state := filepath.Join(t.TempDir(), "state")
	args := []string{"codes", "create", order, "--mac", "00:16:3e:1a:2b:03", "--name", "pg-prod-03", "--system-id", "7345118823001548203", "--state-dir", state}
	r := runAt(t, srv, args...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "may or may not have been created")
	require.Len(t, srv.Codes(order), 3, "the emulator did create it")

	r = runAt(t, srv, args...)
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	// Said once, in the command's words: who holds the host until when,
	// then what to do, without the SDK's operation name, advice or
	// sentinel texts.
	assert.Regexp(t, `^polarlicense: a create begun at \S+ by process \d+ on \S+ and never resolved holds order `+order+
		`'s host \(MAC address 00:16:3e:1a:2b:03, system identifier "7345118823001548203"\) until \S+; nothing was spent by this run: `+
		regexp.QuoteMeta(`check with "polarlicense codes list `+order+` --mac 00:16:3e:1a:2b:03" (or use "polarlicense license ensure", which finds the code if the earlier create made it)`)+`$`, line)
	assert.NotContains(t, line, "was lost")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "the second run sent nothing")
	assert.Len(t, srv.Codes(order), 3)
}
