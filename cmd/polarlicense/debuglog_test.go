package main

import (
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

var debugLine = regexp.MustCompile(`^polarlicense: debug: method=POST host=127\.0\.0\.1:\d+ action=(\w+) status=(\d+) request_id=([0-9A-F-]+) latency=\S+$`)

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
	assert.Equal(t, []string{"DescribeActivationCodes", "200", reqs[0].RequestID}, m[1:])

	lines = strings.Split(strings.TrimSuffix(r2.stderr, "\n"), "\n")
	require.Len(t, lines, 2, r2.stderr) // the request, then the error
	m = debugLine.FindStringSubmatch(lines[0])
	require.NotNil(t, m, lines[0])
	assert.Equal(t, []string{"DescribeLicenseOrderDetails", "404", reqs[1].RequestID}, m[1:])

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

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDebugTransportRPCStyle(t *testing.T) {
	t.Parallel()
	// The RPC signature puts everything in the query: the action, the
	// parameters, the AccessKey ID, the signature and the token.
	req, err := http.NewRequest(http.MethodPost,
		"https://polardb.aliyuncs.com/?AccessKeyId=LTAIkeyid&Action=DescribeLicenseOrders&AliyunOrderId=123&SecurityToken=tok%2Fen&Signature=c2lnbmF0dXJl", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "secret-header")
	var lines []string
	tr := newDebugTransport(roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 400, Header: http.Header{"X-Acs-Request-Id": {"ABC-123"}}, Body: http.NoBody}, nil
	}), func(s string) { lines = append(lines, s) })
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()

	require.Len(t, lines, 1)
	assert.Regexp(t, `^method=POST host=polardb\.aliyuncs\.com action=DescribeLicenseOrders status=400 request_id=ABC-123 latency=\S+$`, lines[0])
	for _, s := range []string{"LTAIkeyid", "123&", "tok", "c2lnbmF0dXJl", "secret-header", "Signature"} {
		assert.NotContains(t, lines[0], s)
	}

	// A failed round trip: no status, no request id, and not the error's text.
	lines = nil
	tr.next = roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("dial tcp: secret-in-error") })
	_, err = tr.RoundTrip(req)
	require.Error(t, err)
	require.Len(t, lines, 1)
	assert.Regexp(t, `^method=POST host=polardb\.aliyuncs\.com action=DescribeLicenseOrders status=failed request_id=- latency=\S+$`, lines[0])
}

func TestDebugTokenSanitises(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "DescribeLicenseOrders", token("DescribeLicenseOrders"))
	assert.Equal(t, "-", token(""))
	assert.Equal(t, "-", token("a b"))
	assert.Equal(t, "-", token("x\nstatus=200"))
	assert.Equal(t, "-", token(strings.Repeat("a", 300)))
	assert.Equal(t, "[::1]:8080", token("[::1]:8080"))
}

func TestDebugTransportPassesBodyThrough(t *testing.T) {
	t.Parallel()
	tr := newDebugTransport(roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("body"))}, nil
	}), func(string) {})
	req, _ := http.NewRequest(http.MethodPost, "http://h/", nil)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "body", string(b))
}

func FuzzDebugToken(f *testing.F) {
	for _, s := range []string{"DescribeLicenseOrders", "a b", "x\ny", "[::1]:80", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := token(s)
		if out != "-" && out != s {
			t.Fatalf("token(%q) = %q", s, out)
		}
		if strings.ContainsAny(out, " \t\r\n=\"'?&") {
			t.Fatalf("token(%q) = %q holds a separator", s, out)
		}
	})
}
