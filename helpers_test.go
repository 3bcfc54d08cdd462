package polarlicense

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

// The helpers shared by the package's tests: test credentials, a pinned
// clock and nonce, the mock API (an httpmock transport that records every
// request), the reference escaping and canonical query, quick retry
// policies, and answer sequences.

const (
	testKeyID  = "LTAI-test-key-id"
	testSecret = "test-secret-never-shown"
	testToken  = "sts-token-never-shown"
)

var fixedTime = time.Date(2026, 11, 22, 8, 30, 15, 0, time.UTC)

// noRetries turns retries off, for tests of a single attempt.
var noRetries = WithRetryPolicy(RetryPolicy{MaxAttempts: 1})

// withClock pins the client's clock.
func withClock(t time.Time) Option {
	return func(s *settings) error { s.now = func() time.Time { return t }; return nil }
}

// withNonce pins the client's nonce.
func withNonce(n string) Option {
	return func(s *settings) error { s.nonce = func(dst []byte) []byte { return append(dst, n...) }; return nil }
}

// mockAPI is a client wired to an httpmock transport that records every
// request and answers with the next canned response (200 "{}" by default).
type mockAPI struct {
	client *Client
	mt     *httpmock.MockTransport
	mu     sync.Mutex
	reqs   []*http.Request
	status int
	body   string
	header http.Header
	handle func(r *http.Request) (status int, body string) // when set, answers instead of status and body
}

func newMockAPI(t *testing.T, opts ...Option) *mockAPI {
	t.Helper()
	m := &mockAPI{mt: httpmock.NewMockTransport(), status: 200, body: `{"RequestId":"req-1","AliyunOrderId":"o-1","Id":1}`}
	m.mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.reqs = append(m.reqs, r)
		status, body := m.status, m.body
		if m.handle != nil {
			status, body = m.handle(r)
		}
		resp := httpmock.NewStringResponse(status, body)
		for k, v := range m.header {
			resp.Header[k] = v
		}
		return resp, nil
	})
	base := []Option{
		WithHTTPClient(&http.Client{Transport: m.mt}),
		WithAccessKey(testKeyID, testSecret),
		withClock(fixedTime),
		withNonce("nonce-0001"),
		noRetries,
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	m.client = c
	return m
}

func (m *mockAPI) answer(status int, body string) { m.status, m.body = status, body }

func (m *mockAPI) last(t *testing.T) *http.Request {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	require.NotEmpty(t, m.reqs, "no request was sent")
	return m.reqs[len(m.reqs)-1]
}

func (m *mockAPI) sent() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.reqs)
}

// refEscape is a straightforward RFC 3986 encoder, independent of internal/sign.
func refEscape(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

// refCanonical sorts and encodes parameters the plain way.
func refCanonical(v url.Values, skip string) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		if k != skip {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, val := range v[k] {
			parts = append(parts, refEscape(k)+"="+refEscape(val))
		}
	}
	return strings.Join(parts, "&")
}

// quickRetries retries up to three attempts, waiting 1ms each time.
func quickRetries() Option {
	return WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})})
}

var createReq = &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00", Name: "n"}

// quickPolicy allows retries without slowing the tests.
var quickPolicy = WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond})

func sequence(answers ...string) func(r *http.Request) (int, string) {
	var mu sync.Mutex
	i := 0
	return func(*http.Request) (int, string) {
		mu.Lock()
		defer mu.Unlock()
		a := answers[min(i, len(answers)-1)]
		i++
		switch a {
		case "503":
			return 503, `{"Code":"ServiceUnavailable","Message":"try later","RequestId":"r503"}`
		case "500":
			return 500, `{"Code":"InternalError","Message":"oops","RequestId":"r500"}`
		case "throttle":
			return 400, `{"Code":"Throttling.User","Message":"flow control","RequestId":"rthr"}`
		case "400":
			return 400, `{"Code":"InvalidParameter","Message":"bad","RequestId":"r400"}`
		}
		return 200, `{"RequestId":"ok","Id":1}`
	}
}
