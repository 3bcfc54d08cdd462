package polarlicensetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/internal/sign"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// newClient returns our client pointed at srv.
func newClient(t *testing.T, srv *polarlicensetest.Server, alg polarlicense.SignatureAlgorithm, extra ...polarlicense.Option) *polarlicense.Client {
	t.Helper()
	opts := append(srv.ClientOptions(), polarlicense.WithSignatureAlgorithm(alg))
	c, err := polarlicense.NewClient(append(opts, extra...)...)
	require.NoError(t, err)
	return c
}

// apiError returns the *polarlicense.APIError err wraps.
func apiError(t *testing.T, err error) *polarlicense.APIError {
	t.Helper()
	require.Error(t, err)
	var ae *polarlicense.APIError
	require.ErrorAs(t, err, &ae)
	return ae
}

// requireCode checks that err is an API error with code and status.
func requireCode(t *testing.T, err error, code string, status int) *polarlicense.APIError {
	t.Helper()
	ae := apiError(t, err)
	require.Equal(t, code, ae.Code, "message: %s", ae.Message)
	require.Equal(t, status, ae.StatusCode)
	require.NotEmpty(t, ae.RequestID)
	return ae
}

var algorithms = []struct {
	name string
	alg  polarlicense.SignatureAlgorithm
}{
	{"V3", polarlicense.SignatureV3},
	{"RPC", polarlicense.SignatureRPC},
}

// raw is a hand-made signed request, for what our client would refuse to
// send or always gets right.
type raw struct {
	v3      bool
	method  string       // POST when empty
	action  string       // DescribeLicenseOrders when empty
	version string       // 2017-08-01 when empty
	query   []sign.Param // business parameters in the query
	form    []sign.Param // business parameters in a form body
	id      string       // the server's when empty
	secret  string       // the server's when empty
	token   string       // the server's when empty; "-" for none
	when    time.Time    // now when zero
	nonce   string       // random when empty
	omit    map[string]bool
	// tamper changes the request after it is signed.
	tamper func(*http.Request)
}

// rawAnswer is a decoded answer.
type rawAnswer struct {
	status int
	header http.Header
	body   map[string]any
	text   string
}

func (a *rawAnswer) code() string {
	s, _ := a.body["Code"].(string)
	return s
}

func (a *rawAnswer) str(key string) string {
	s, _ := a.body[key].(string)
	return s
}

func (r raw) send(t testing.TB, srv *polarlicensetest.Server) *rawAnswer {
	t.Helper()
	req := r.build(t, srv)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := &rawAnswer{status: resp.StatusCode, header: resp.Header, text: string(b)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(b, &a.body), "body %s", b)
	}
	return a
}

func (r raw) build(t testing.TB, srv *polarlicensetest.Server) *http.Request {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodPost
	}
	if r.action == "" {
		r.action = "DescribeLicenseOrders"
	}
	if r.version == "" {
		r.version = polarlicensetest.APIVersion
	}
	if r.id == "" {
		r.id = srv.AccessKeyID
	}
	if r.secret == "" {
		r.secret = srv.AccessKeySecret
	}
	switch r.token {
	case "":
		r.token = srv.SecurityToken
	case "-":
		r.token = ""
	}
	if r.when.IsZero() {
		r.when = time.Now()
	}
	if r.nonce == "" {
		r.nonce = string(sign.AppendNonce(nil))
	}
	date := r.when.UTC().Format(sign.TimeFormat)
	var body string
	if len(r.form) > 0 {
		f := append([]sign.Param(nil), r.form...)
		sign.SortParams(f)
		body = string(sign.AppendCanonicalQuery(nil, f))
	}
	u, err := url.Parse(srv.URL + "/")
	require.NoError(t, err)
	add := func(p []sign.Param, k, v string) []sign.Param {
		if r.omit[k] || v == "" {
			return p
		}
		return append(p, sign.Param{Key: k, Value: v})
	}

	var req *http.Request
	if !r.v3 {
		q := append([]sign.Param(nil), r.query...)
		q = add(q, "Action", r.action)
		q = add(q, "Version", r.version)
		q = add(q, "Format", "JSON")
		q = add(q, "AccessKeyId", r.id)
		q = add(q, "SignatureMethod", "HMAC-SHA1")
		q = add(q, "SignatureVersion", "1.0")
		q = add(q, "SignatureNonce", r.nonce)
		q = add(q, "Timestamp", date)
		q = add(q, "SecurityToken", r.token)
		all := append(append([]sign.Param(nil), q...), r.form...)
		sign.SortParams(all)
		var s sign.RPCSigner
		sig := s.Sign(nil, r.method, sign.AppendCanonicalQuery(nil, all), r.secret)
		sign.SortParams(q)
		q = add(q, "Signature", string(sig))
		u.RawQuery = string(sign.AppendCanonicalQuery(nil, q))
		req, err = http.NewRequestWithContext(context.Background(), r.method, u.String(), strings.NewReader(body))
		require.NoError(t, err)
	} else {
		q := append([]sign.Param(nil), r.query...)
		sign.SortParams(q)
		cq := sign.AppendCanonicalQuery(nil, q)
		u.RawQuery = string(cq)
		req, err = http.NewRequestWithContext(context.Background(), r.method, u.String(), strings.NewReader(body))
		require.NoError(t, err)
		hs := []sign.Param{{Key: "host", Value: u.Host}}
		hs = add(hs, "x-acs-action", r.action)
		hs = add(hs, "x-acs-version", r.version)
		hs = add(hs, "x-acs-date", date)
		hs = add(hs, "x-acs-signature-nonce", r.nonce)
		hs = add(hs, "x-acs-content-sha256", sign.HashPayload([]byte(body)))
		hs = add(hs, "x-acs-security-token", r.token)
		if body != "" {
			hs = append(hs, sign.Param{Key: "content-type", Value: "application/x-www-form-urlencoded"})
		}
		hs = sign.CanonicalHeaders(hs)
		var s sign.V3Signer
		sig := s.Sign(nil, r.method, "/", cq, hs, sign.HashPayload([]byte(body)), r.secret)
		for _, h := range hs {
			if h.Key != "host" {
				req.Header.Set(h.Key, h.Value)
			}
		}
		req.Header.Set("Authorization", string(sign.AppendAuthorization(nil, r.id, hs, sig)))
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.tamper != nil {
		r.tamper(req)
	}
	return req
}

// p builds a parameter list from key, value pairs.
func p(kv ...string) []sign.Param {
	out := make([]sign.Param, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, sign.Param{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}
