package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestUnknownEnumValuesAreUsageErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for flag, known := range map[string]string{
		"--engine":       "PG, Oracle, MySQL",
		"--channel":      "aliyun_market, aliyun_public",
		"--package-type": "single_node_subscribe, single_node_long_term, primary_backup_subscribe, primary_backup_long_term, pre_generation_long_term",
	} {
		r := runAt(t, srv, "orders", "list", flag, "bogus")
		assert.Equal(t, exitUsage, r.code, flag)
		line := oneLineOn(t, r.stderr)
		assert.Contains(t, line, "unknown "+flag+` "bogus": known values are `+known, flag)
		assert.Contains(t, line, "--allow-unknown", flag)
	}
	assert.Zero(t, srv.RequestCount(""), "refused before anything was sent")

	// --allow-unknown passes the value on: the service then filters by it.
	r := ok(t, runAt(t, srv, "orders", "list", "--channel", "aliyun_new", "--allow-unknown", "-o", "json"))
	assert.Equal(t, "[]\n", r.stdout)
	// Known values match whatever their case, and are sent as the service spells them.
	r = ok(t, runAt(t, srv, "orders", "list", "--channel", "ALIYUN_MARKET", "--engine", "pg", "-o", "json"))
	orders := decodeJSON[[]orderRecord](t, r.stdout)
	require.NotEmpty(t, orders)
	for _, o := range orders {
		assert.Equal(t, "aliyun_market", o.PurchaseChannel)
		assert.Equal(t, "PG", o.Engine)
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"orders", "list", "--engine", ""}, []string{"PG", "Oracle", "MySQL"}},
		{[]string{"orders", "virtual", "--engine", ""}, []string{"PG", "Oracle", "MySQL"}},
		{[]string{"orders", "list", "--channel", ""}, []string{"aliyun_market", "aliyun_public"}},
		{[]string{"orders", "list", "--package-type", ""}, []string{"single_node_subscribe", "single_node_long_term",
			"primary_backup_subscribe", "primary_backup_long_term", "pre_generation_long_term"}},
		{[]string{"audit", "--fail-on", ""}, []string{"info", "warning", "error", "none"}},
		{[]string{"codes", "list", "-o", ""}, []string{"table", "json", "csv", "html"}},
		{[]string{"--output", ""}, []string{"table", "json", "csv", "html"}},
	} {
		r := runIn(t, testEnv(nil), append([]string{"__complete"}, tc.args...)...)
		require.Equal(t, exitOK, r.code, tc.args)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		require.NotEmpty(t, lines, tc.args)
		assert.Equal(t, tc.want, lines[:len(lines)-1], tc.args)
		assert.Equal(t, ":4", lines[len(lines)-1], "no file completion for %v", tc.args)
	}
	r := ok(t, runIn(t, testEnv(nil), "--help"))
	assert.Regexp(t, `(?m)^  completion\s`, r.stdout, "completion is listed in the help")
	r = ok(t, runIn(t, testEnv(nil), "completion", "bash"))
	assert.Contains(t, r.stdout, "__start_polarlicense")
}

func TestBareLocalEndpointSaysToAddHTTP(t *testing.T) {
	t.Parallel()
	env := testEnv(nil)
	for _, ep := range []string{"127.0.0.1:18080", "localhost:18080", "[::1]:18080", "127.0.0.1"} {
		r := runIn(t, env, "--endpoint", ep, "orders", "list")
		assert.Equal(t, exitUsage, r.code, ep)
		assert.Contains(t, oneLineOn(t, r.stderr), "write http://"+ep, ep)
	}
	vars := map[string]string{envEndpoint: "127.0.0.1:18080", envKeyID: "id", envSecret: "secret"}
	env.getenv = func(k string) string { return vars[k] }
	r := runIn(t, env, "orders", "list")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "$POLARLICENSE_ENDPOINT 127.0.0.1:18080 has no scheme")
}

// An https:// endpoint that answers plain HTTP is named as such.
func TestHTTPSEndpointAnsweringHTTP(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	defer plain.Close()
	endpoint := "https://" + strings.TrimPrefix(plain.URL, "http://")
	vars := map[string]string{envEndpoint: endpoint, envKeyID: "id", envSecret: "secret"}
	env := testEnv(nil)
	env.getenv = func(k string) string { return vars[k] }
	r := runIn(t, env, "orders", "get", "1")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "answers plain HTTP, not HTTPS: give it as http://")
}

// A connection the service closes before its answer is complete, and an
// HTTPS endpoint whose certificate is not trusted, are said in the tool's
// words, once, naming the endpoint and what to do, not as the SDK's chain of
// wrapped errors ("page 1: polarlicense: DescribeLicenseOrders (3 attempts):
// unexpected EOF").
func TestConnectionFailuresSaidOnce(t *testing.T) {
	t.Parallel()
	for _, kind := range []polarlicensetest.FaultKind{polarlicensetest.FaultDrop, polarlicensetest.FaultDropAfter} {
		for _, args := range [][]string{{"orders", "list"}, {"audit"}} {
			srv := newServer(t)
			srv.InjectFault(polarlicensetest.Fault{Kind: kind, Count: 100})
			r := runAt(t, srv, args...)
			assert.Equal(t, exitFailure, r.code, "%v %v", kind, args)
			line := oneLineOn(t, r.stderr)
			assert.Regexp(t, `^polarlicense: the service at `+regexp.QuoteMeta(srv.URL)+` closed the connection before its answer was complete \((unexpected )?EOF\); try again later$`, line, "%v %v", kind, args)
		}
	}

	// A file cut short is not the service closing a connection.
	dir := t.TempDir()
	for name, data := range map[string]string{"cut.json": `{"orders": [{"AliyunOrderId": "1"`, "empty.json": ""} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
		r := runIn(t, testEnv(nil), "emulator", "--data", path)
		assert.Equal(t, exitFailure, r.code, name)
		assert.NotContains(t, r.stderr, "the service at", name)
	}

	// A create's lost answer keeps its own advice: never "try again later".
	srv := newServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	r := runAt(t, srv, "codes", "create", polarlicensetest.DemoOrderNearlySpent, "--mac", "00:16:3e:00:00:09", "--name", "n", "--system-id", "7345118823001548999")
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.Contains(t, line, "may or may not have been created")
	assert.NotContains(t, line, "try again later")

	untrusted := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0)
	defer untrusted.Close()
	vars := map[string]string{envEndpoint: untrusted.URL, envKeyID: "id", envSecret: "secret"}
	env := testEnv(nil)
	env.getenv = func(k string) string { return vars[k] }
	r = runIn(t, env, "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: the endpoint "+untrusted.URL+" presented a certificate this machine does not trust "+
		"(x509: certificate signed by unknown authority): check --endpoint, the system's CA certificates and any proxy that intercepts HTTPS",
		oneLineOn(t, r.stderr))
}

// A redirect, never followed, is said in the tool's words, naming the
// endpoint, where it pointed and what to check; a create's keeps its advice.
func TestRedirectSaidOnce(t *testing.T) {
	t.Parallel()
	moved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "https://elsewhere.example/x?secret=1")
		w.WriteHeader(http.StatusFound)
	}))
	defer moved.Close()
	vars := map[string]string{envEndpoint: moved.URL, envKeyID: "id", envSecret: "secret"}
	env := testEnv(nil)
	env.getenv = func(k string) string { return vars[k] }
	want := "polarlicense: the endpoint " + moved.URL + " answered with a redirect (HTTP 302 to elsewhere.example), which is never followed: " +
		"check --endpoint and any proxy in between"
	for _, args := range [][]string{{"orders", "list"}, {"orders", "get", "1"}} {
		r := runIn(t, env, args...)
		assert.Equal(t, exitFailure, r.code, args)
		assert.Equal(t, want, oneLineOn(t, r.stderr), args)
	}
	r := runIn(t, env, "codes", "create", "1", "--mac", "00:16:3e:00:00:01", "--name", "n", "--system-id", "1", "--state-dir", t.TempDir())
	assert.Equal(t, exitFailure, r.code)
	assert.True(t, strings.HasPrefix(oneLineOn(t, r.stderr), want+"; the code may or may not have been created: "), r.stderr)
}

// An endpoint that answers a 4xx that is not an API error (a web server, a
// proxy's page) is said to be the likely mistake, not "the service refused".
func TestNonAPIAnswerPointsAtTheEndpoint(t *testing.T) {
	t.Parallel()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html>not found</html>"))
	}))
	defer web.Close()
	vars := map[string]string{envEndpoint: web.URL, envKeyID: "id", envSecret: "secret"}
	env := testEnv(nil)
	env.getenv = func(k string) string { return vars[k] }
	r := runIn(t, env, "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: the endpoint "+web.URL+" answered HTTP 404 with something other than the API's answer "+
		"(<html>not found</html>): check --endpoint and any proxy in between", oneLineOn(t, r.stderr))
}

func TestMissingCredentialsInOneSentence(t *testing.T) {
	isolateCredentials(t)
	r := runIn(t, profileEnv("http://127.0.0.1:9"), "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: no usable credentials: none of the default chain's sources is set up: the environment, "+
		"an OIDC role, the aliyun CLI profile, the credentials file, the ECS instance role "+
		"(set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, use --profile NAME, or try --emulator)",
		oneLineOn(t, r.stderr))
}

func TestBrokenCredentialsFileNamedInOneSentence(t *testing.T) {
	home := isolateCredentials(t)
	ini := filepath.Join(home, "credentials")
	require.NoError(t, os.WriteFile(ini, []byte("[default]\ntype = access_key\naccess_key_id = LTAIonly\n"), 0o600))
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", ini)
	r := runIn(t, profileEnv("http://127.0.0.1:9"), "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.Equal(t, "polarlicense: no usable credentials: profile default in ~/credentials gave no credentials: it has no access_key_secret; "+
		"add it there, or name another profile (--profile NAME)", line)
	assert.NotContains(t, line, "unable to get credentials from any of the providers in the chain")
}

func TestLicenseToStdoutIsRefused(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, args := range [][]string{
		{"license", "write", "239618016570503", "1", "--out", "-"},
		{"license", "ensure", "239618016570503", "--name", "n", "--mac", "00:16:3e:1a:2b:01", "--system-id", "1", "--out", "-"},
		{"codes", "create", "239618016570503", "--name", "n", "--mac", "00:16:3e:1a:2b:01", "--system-id", "1", "--out", "-"},
	} {
		r := runAt(t, srv, args...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Contains(t, oneLineOn(t, r.stderr), "--out - is refused: a license is binary", args)
		assert.Empty(t, r.stdout, args)
	}
	assert.Zero(t, srv.RequestCount(""))
}

func TestDebugHelpSaysWhatItsLinesHold(t *testing.T) {
	t.Parallel()
	r := ok(t, runIn(t, testEnv(nil), "--help"))
	for _, word := range []string{"operation", "attempt", "status", "request id", "latency", "retry decision", "never credentials"} {
		assert.Regexp(t, `--debug .*`+word, r.stdout, word)
	}
}

// A RAM denial names the refused action from the error's AccessDeniedDetail.
func TestAccessDeniedNamesTheAction(t *testing.T) {
	t.Parallel()
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"RequestId":"R1","Code":"Forbidden.RAM","Message":"User not authorized to operate on the specified resource.",` +
			`"AccessDeniedDetail":{"AuthAction":"polardb:DescribeLicenseOrders","NoPermissionType":"ImplicitDeny","PolicyType":"AccountLevelIdentityBasedPolicy"}}`))
	}))
	defer denied.Close()
	vars := map[string]string{envEndpoint: denied.URL, envKeyID: "id", envSecret: "secret"}
	env := testEnv(nil)
	env.getenv = func(k string) string { return vars[k] }
	r := runIn(t, env, "orders", "list")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr),
		"access denied to polardb:DescribeLicenseOrders (ImplicitDeny AccountLevelIdentityBasedPolicy): Forbidden.RAM: User not authorized")
}

// "polarlicense emulator" takes every flag of cmd/polarlicense-emulator,
// with the same meaning: both register polarlicensetest.ServeFlags.
func TestEmulatorFlagsMatchTheEmulatorProcess(t *testing.T) {
	t.Parallel()
	var sf polarlicensetest.ServeFlags
	fs := flag.NewFlagSet("polarlicense-emulator", flag.ContinueOnError)
	sf.Register(fs)
	a := &app{env: testEnv(nil)}
	cmd := a.emulatorCommand()
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		got := cmd.Flags().Lookup(f.Name)
		if assert.NotNil(t, got, f.Name) {
			assert.Equal(t, f.Usage, got.Usage, f.Name)
			assert.Equal(t, f.DefValue, got.DefValue, f.Name)
		}
	})
	assert.GreaterOrEqual(t, n, 9)

	r := runIn(t, testEnv(nil), "emulator", "--access-key-id", "x")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "--access-key-id and --access-key-secret go together")
	r = runIn(t, testEnv(nil), "emulator", "--data", filepath.Join(t.TempDir(), "missing.json"))
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "missing.json")
}
