package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

var debugLine = regexp.MustCompile(`^polarlicense: debug: operation=(\w+) attempt=1 status=(\d+) request_id=([0-9A-F-]+) latency=\S+ decision=(done|"give up: not retryable")(?: error=".*")?$`)

func TestDebugLog(t *testing.T) {
	t.Parallel()
	srv := newServer(t, polarlicensetest.WithSecurityToken("sts-token-must-not-leak"))
	env := testEnv(srv)
	vars := map[string]string{envEndpoint: srv.URL, envKeyID: srv.AccessKeyID, envSecret: srv.AccessKeySecret, envToken: "sts-token-must-not-leak"}
	env.getenv = func(k string) string { return vars[k] }

	r := runIn(t, env, "--debug", "codes", "list", polarlicensetest.DemoOrderPG, "--mac", "00:16:3e:1a:2b:01", "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, decodeJSON[[]codeRecord](t, r.stdout), 1)
	r2 := runIn(t, env, "--debug", "orders", "get", "404404")
	require.Equal(t, exitFailure, r2.code)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	require.Len(t, lines, 1, r.stderr)
	m := debugLine.FindStringSubmatch(lines[0])
	require.NotNil(t, m, lines[0])
	assert.Equal(t, []string{"DescribeActivationCodes", "200", reqs[0].RequestID, "done"}, m[1:])

	lines = strings.Split(strings.TrimSuffix(r2.stderr, "\n"), "\n")
	require.Len(t, lines, 2, r2.stderr) // the request, then the error
	m = debugLine.FindStringSubmatch(lines[0])
	require.NotNil(t, m, lines[0])
	assert.Equal(t, []string{"DescribeLicenseOrderDetails", "404", reqs[1].RequestID, `"give up: not retryable"`}, m[1:])

	for _, out := range []string{r.stderr, r2.stderr} {
		for _, secret := range []string{srv.AccessKeySecret, srv.AccessKeyID, "sts-token-must-not-leak", "Signature", "ACS3", "Authorization",
			"?", "MacAddress", "00:16:3e:1a:2b:01", polarlicensetest.DemoOrderPG} {
			assert.NotContains(t, out, secret)
		}
	}
}

func TestDebugLogEmulatorFlag(t *testing.T) {
	t.Parallel()
	r := runIn(t, testEnv(nil), "--emulator", "--debug", "orders", "list", "-o", "json")
	require.Equal(t, exitOK, r.code)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	require.Len(t, lines, 2, r.stderr)
	assert.Regexp(t, `^polarlicense: debug: using the in-process emulator at http://127\.0\.0\.1:\d+$`, lines[0])
	assert.Regexp(t, debugLine, lines[1])
}
