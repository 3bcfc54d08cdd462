package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"frobnicate"}, `polarlicense: unknown command "frobnicate" for "polarlicense" (see "polarlicense --help")`},
		{[]string{"orders", "frobnicate"}, `polarlicense: unknown command "frobnicate" for "polarlicense orders" (see "polarlicense orders --help")`},
		{[]string{"orders", "list", "--colour"}, `polarlicense: unknown flag: --colour (see "polarlicense orders list --help")`},
		{[]string{"orders", "list", "extra"}, `polarlicense: unexpected argument "extra": polarlicense orders list takes no arguments (see "polarlicense orders list --help")`},
		{[]string{"orders", "get"}, `polarlicense: missing ORDER_ID (see "polarlicense orders get --help")`},
		{[]string{"orders", "get", " "}, `polarlicense: ORDER_ID must not be empty (see "polarlicense orders get --help")`},
		{[]string{"orders", "get", "1", "2"}, `polarlicense: unexpected argument "2": polarlicense orders get takes ORDER_ID (see "polarlicense orders get --help")`},
		{[]string{"-o", "yaml", "orders", "list"}, `polarlicense: invalid -o "yaml": want table, json or csv (see "polarlicense orders list --help")`},
		{[]string{"--emulator", "--endpoint", "http://127.0.0.1:1", "orders", "list"}, `polarlicense: --emulator cannot be combined with --endpoint (see "polarlicense orders list --help")`},
		{[]string{"--endpoint", "ftp://example.com", "orders", "list"}, `polarlicense: --endpoint: the scheme must be http or https (see "polarlicense orders list --help")`},
		{[]string{"--region", "cn-hangzhou/1", "orders", "list"}, `polarlicense: --region: a region id holds only lower-case letters, digits and "-", such as cn-hangzhou (see "polarlicense orders list --help")`},
		{[]string{"--timeout", "soon", "orders", "list"}, `polarlicense: invalid argument "soon" for "--timeout" flag: want a duration such as 90d, 36h or 1d12h (see "polarlicense orders list --help")`},
		{[]string{"--emulator", "emulator"}, `polarlicense: --emulator makes no sense with the emulator command (see "polarlicense emulator --help")`},
	}
	for _, c := range cases {
		r := runAt(t, srv, c.args...)
		assert.Equal(t, exitUsage, r.code, c.args)
		assert.Empty(t, r.stdout, c.args)
		assert.Equal(t, c.msg, oneLineOn(t, r.stderr), c.args)
	}
	assert.Zero(t, srv.RequestCount(""), "no request for a bad command line")
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"--help"}, {"help"}, {"orders"}, {"codes", "--help"}, {"audit", "-h"}} {
		r := runIn(t, testEnv(nil), args...)
		assert.Equal(t, exitOK, r.code, args)
		assert.Contains(t, r.stdout, "Usage:", args)
		assert.Empty(t, r.stderr, args)
	}
	r := ok(t, runIn(t, testEnv(nil), "--help"))
	for _, cmd := range []string{"orders", "codes", "license", "audit", "emulator"} {
		assert.Regexp(t, `(?m)^  `+cmd+`\s`, r.stdout)
	}
	r = ok(t, runIn(t, testEnv(nil), "audit", "--help"))
	for _, check := range []string{"code-expired", "code-expiring", "code-count-mismatch", "quota-exceeded", "quota-exhausted", "quota-high", "virtual-order-frozen"} {
		assert.Contains(t, r.stdout, check)
	}
	r = ok(t, runIn(t, testEnv(nil), "--version"))
	assert.Contains(t, r.stdout, `"version": "0.1.0"`)
}

func TestNetworkError(t *testing.T) {
	t.Parallel()
	env, endpoint := refusingEnv(t)
	r := runIn(t, env, "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.True(t, strings.HasPrefix(line, "polarlicense: cannot reach the service at "+endpoint+": "), line)
	assert.Contains(t, line, "connection refused")
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	srv := newServer(t, polarlicensetest.WithFaults(polarlicensetest.Fault{Kind: polarlicensetest.FaultDelay, Delay: 10 * time.Second}))
	start := time.Now()
	r := runAt(t, srv, "--timeout", "300ms", "orders", "get", polarlicensetest.DemoOrderPG)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: gave up after 300ms (--timeout)", oneLineOn(t, r.stderr))
}

func TestRefusedCredentials(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	env := testEnv(srv)
	vars := map[string]string{envEndpoint: srv.URL, envKeyID: srv.AccessKeyID, envSecret: "not-the-secret"}
	env.getenv = func(k string) string { return vars[k] }
	r := runIn(t, env, "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.True(t, strings.HasPrefix(line, "polarlicense: the service refused the credentials: SignatureDoesNotMatch: "), line)
	// Then what to do: which credentials to check.
	assert.Regexp(t, `request id [0-9A-F-]+\); check the AccessKey in \$ALIBABA_CLOUD_ACCESS_KEY_ID and \$ALIBABA_CLOUD_ACCESS_KEY_SECRET$`, line)
	assert.NotContains(t, line, "not-the-secret")
	assert.NotContains(t, line, srv.AccessKeySecret)
}

func TestSecurityTokenFromEnvironment(t *testing.T) {
	t.Parallel()
	srv := newServer(t, polarlicensetest.WithSecurityToken("sts-token-123"))
	env := testEnv(srv)
	vars := map[string]string{envEndpoint: srv.URL, envKeyID: srv.AccessKeyID, envSecret: srv.AccessKeySecret}
	env.getenv = func(k string) string { return vars[k] }
	r := runIn(t, env, "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "MissingSecurityToken")

	vars[envToken] = "sts-token-123"
	ok(t, runIn(t, env, "orders", "list"))
}

func TestDefaultFormat(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	var stdout, stderr bytes.Buffer
	env := testEnv(srv)

	// Not a terminal: JSON.
	require.Equal(t, exitOK, runWith(context.Background(), env, []string{"orders", "get", polarlicensetest.DemoOrderPG}, &stdout, &stderr))
	assert.True(t, json.Valid(stdout.Bytes()), stdout.String())

	// A terminal: a table.
	stdout.Reset()
	env.isTerminal = func(w io.Writer) bool { return w == &stdout }
	require.Equal(t, exitOK, runWith(context.Background(), env, []string{"orders", "get", polarlicensetest.DemoOrderPG}, &stdout, &stderr))
	assert.Regexp(t, `(?m)^aliyun_order_id\s+`+polarlicensetest.DemoOrderPG+`$`, stdout.String())
	assert.Empty(t, stderr.String())
}

func TestProgressOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	srv := newServer(t, seeded()...)
	for _, args := range [][]string{{"orders", "list", "-o", "json"}, {"audit", "-o", "json", "--fail-on", "none"}, {"codes", "list", orderB, "-o", "json"}} {
		var stdout, stderr bytes.Buffer
		env := testEnv(srv)
		env.isTerminal = func(w io.Writer) bool { return w == &stderr }
		require.Equal(t, exitOK, runWith(context.Background(), env, args, &stdout, &stderr), stderr.String())
		assert.True(t, json.Valid(stdout.Bytes()), "stdout holds only the output: %q", stdout.String())
		assert.NotContains(t, stdout.String(), "\r")
		assert.Contains(t, stderr.String(), "\r", args)
		// The line is erased at the end: after the last \r only spaces, then \r.
		progress := stderr.String()
		if i := strings.Index(progress, "audit: "+"6 orders"); i >= 0 {
			progress = progress[:i]
		}
		last := progress[strings.LastIndex(strings.TrimSuffix(progress, "\r"), "\r")+1:]
		assert.Empty(t, strings.Trim(last, " \r"), "%q", progress)
	}
}

func TestEmulatorFlag(t *testing.T) {
	t.Parallel()
	r := ok(t, runIn(t, testEnv(nil), "--emulator", "orders", "list", "-o", "json"))
	rows := decodeJSON[[]orderRecord](t, r.stdout)
	assert.Len(t, rows, 7)

	// Seeded through the environment, as the audit tests do.
	env := testEnv(nil)
	env.emulatorOptions = seeded(orderC)
	r = ok(t, runIn(t, env, "--emulator", "orders", "list", "-o", "json"))
	assert.Equal(t, []string{orderC}, orderIDs(decodeJSON[[]orderRecord](t, r.stdout)))
}

// TestNoCredentials runs with an empty environment and home: the default
// chain finds nothing. It changes the process environment, so it does not
// run in parallel.
func TestNoCredentials(t *testing.T) {
	isolateCredentials(t)
	srv := newServer(t)
	env := testEnv(srv)
	env.getenv = func(k string) string {
		if k == envEndpoint {
			return srv.URL
		}
		return ""
	}
	r := runIn(t, env, "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.True(t, strings.HasPrefix(line, "polarlicense: no usable credentials: "), line)
	assert.True(t, strings.HasSuffix(line, "(set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, use --profile NAME, or try --emulator)"), line)
	assert.Zero(t, srv.RequestCount(""))
}

// isolateCredentials points every credentials source credentials-go reads
// at nothing.
func isolateCredentials(t *testing.T) string {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{envKeyID, envSecret, envToken, "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_ROLE_ARN",
		"ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_ECS_METADATA"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", filepath.Join(home, "no-config.json"))
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", filepath.Join(home, "no-credentials"))
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	return home
}

func TestEndpointPrecedence(t *testing.T) {
	t.Parallel()
	vars := map[string]string{envEndpoint: "http://127.0.0.1:9", envRegion: "cn-shenzhen", envKeyID: "id", envSecret: "secret"}
	endpoint := func(region, endpoint string, withEnv bool) string {
		env := testEnv(nil)
		if withEnv {
			env.getenv = func(k string) string { return vars[k] }
		} else {
			env.getenv = func(k string) string { return map[string]string{envKeyID: "id", envSecret: "secret"}[k] }
		}
		a := &app{env: env, region: region, endpoint: endpoint}
		c, err := a.newClient()
		require.NoError(t, err)
		return c.Endpoint()
	}
	assert.Equal(t, "http://127.0.0.1:9", endpoint("", "", true), "the environment's endpoint")
	assert.Equal(t, "https://polardb.cn-hongkong.aliyuncs.com", endpoint("cn-hongkong", "", true), "--region beats the environment")
	assert.Equal(t, "http://127.0.0.1:8", endpoint("cn-hongkong", "http://127.0.0.1:8", true), "--endpoint beats --region")
	assert.Equal(t, "https://polardb.cn-shenzhen.aliyuncs.com", endpoint("cn-shenzhen", "", false))
	assert.Equal(t, "https://polardb.aliyuncs.com", endpoint("", "", false), "the central endpoint by default")
}

// The root help lists every exit status the tool uses, the interrupted
// runs' and license check's own included.
func TestRootHelpNamesEveryExitStatus(t *testing.T) {
	t.Parallel()
	r := ok(t, runIn(t, testEnv(nil), "--help"))
	help := strings.Join(strings.Fields(r.stdout), " ")
	for _, want := range []string{"0 success", "1 failure", "2 bad command line", "3 audit findings", "130 (143) interrupted by Ctrl-C (SIGTERM)",
		`"license check" exits as a monitoring plugin instead: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN`} {
		assert.Contains(t, help, want)
	}
}
