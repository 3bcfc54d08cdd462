package polarlicense

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingRetryer wraps the standard retryer with no waiting and records
// what it was asked.
type recordingRetryer struct {
	mu       sync.Mutex
	inner    Retryer
	waits    []time.Duration
	finished []int
	ops      []string          // the operation of each Retry and Finished, in order
	ctxs     []context.Context // the context of each
}

func (r *recordingRetryer) Retry(ctx context.Context, op string, attempt int, err error) (time.Duration, bool) {
	w, ok := r.inner.Retry(ctx, op, attempt, err)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops, r.ctxs = append(r.ops, "Retry "+op), append(r.ctxs, ctx)
	if ok {
		r.waits = append(r.waits, w)
	}
	return time.Millisecond, ok // keep tests quick; the real wait is recorded
}

func (r *recordingRetryer) Finished(ctx context.Context, op string, attempts int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops, r.ctxs = append(r.ops, "Finished "+op), append(r.ctxs, ctx)
	r.finished = append(r.finished, attempts)
}

func TestRetriesTransientErrorsThenSucceeds(t *testing.T) {
	rec := &recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}
	m := newMockAPI(t, WithRetryer(rec))
	m.handle = sequence("503", "500", "ok")
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "caller's")
	_, err := m.client.DescribeLicenseOrders(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, m.sent())
	assert.Equal(t, []int{3}, rec.finished)
	// The Retryer is told the operation and the caller's context.
	assert.Equal(t, []string{"Retry DescribeLicenseOrders", "Retry DescribeLicenseOrders", "Finished DescribeLicenseOrders"}, rec.ops)
	for _, c := range rec.ctxs {
		assert.Equal(t, "caller's", c.Value(key{}))
	}
	// Every attempt is signed afresh.
	nonces := map[string]bool{}
	for _, r := range m.reqs {
		nonces[r.Header.Get("Authorization")] = true
	}
	assert.Len(t, nonces, 1, "the pinned clock and nonce give one signature") // see TestEveryAttemptIsSignedAfresh
}

func TestGivesUpAfterMaxAttemptsWithCountAndCause(t *testing.T) {
	m := newMockAPI(t, WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{MaxAttempts: 4})}))
	m.handle = sequence("503")
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	var oe *OperationError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 4, oe.Attempts)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Contains(t, err.Error(), "(4 attempts)")
}

func TestNeverRetriesClientErrors(t *testing.T) {
	for _, code := range []string{"InvalidParameter", "SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound", "Forbidden.RAM", "MissingParameter", "SignatureNonceUsed"} {
		m := newMockAPI(t, WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}))
		m.answer(400, `{"Code":"`+code+`","Message":"no","RequestId":"r"}`)
		_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
		require.Error(t, err)
		assert.Equal(t, 1, m.sent(), code)
	}
}

func TestRetryClassification(t *testing.T) {
	cases := []struct {
		name            string
		err             error
		retry, rejected bool
	}{
		{"throttling", &APIError{StatusCode: 400, Code: "Throttling.User"}, true, true},
		{"http 429", &APIError{StatusCode: 429}, true, true},
		{"internal error code", &APIError{StatusCode: 400, Code: "InternalError"}, true, false},
		{"502 from a proxy", &APIError{StatusCode: 502}, true, false},
		{"invalid parameter", &APIError{StatusCode: 400, Code: "InvalidParameter"}, false, false},
		{"not found", &APIError{StatusCode: 404, Code: "InvalidAliyunOrderId.NotFound"}, false, false},
		{"decode error", &DecodeError{Err: errors.New("x")}, false, false},
		{"credentials", &CredentialError{Reason: "x"}, false, false},
		{"body too large", errBodyTooLarge, false, false},
		{"cancelled", context.Canceled, false, false},
		{"bad certificate", x509.UnknownAuthorityError{}, false, false},
		{"attempt timeout", context.DeadlineExceeded, true, false},
		{"connection reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, true, false},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true, false},
		{"unexpected EOF", io.ErrUnexpectedEOF, true, false},
	}
	for _, tc := range cases {
		retry, rejected := retryable(tc.err)
		assert.Equal(t, tc.retry, retry, tc.name)
		assert.Equal(t, tc.rejected, rejected, tc.name)
	}
}

func TestStandardRetryerBackoffAndFloor(t *testing.T) {
	ctx := context.Background()
	r := NewStandardRetryer(RetryPolicy{MaxAttempts: 10, BaseDelay: 10 * time.Millisecond, MaxDelay: 80 * time.Millisecond, Budget: 1 << 20})
	transient := &APIError{StatusCode: 503}
	for attempt := 1; attempt < 10; attempt++ {
		ceiling := min(10*time.Millisecond<<(attempt-1), 80*time.Millisecond)
		for range 50 {
			w, ok := r.Retry(ctx, "DescribeLicenseOrders", attempt, transient)
			require.True(t, ok)
			assert.GreaterOrEqual(t, w, time.Duration(0))
			assert.LessOrEqual(t, w, ceiling, "attempt %d", attempt)
		}
	}
	_, ok := r.Retry(ctx, "DescribeLicenseOrders", 10, transient)
	assert.False(t, ok, "MaxAttempts reached")

	throttled := &APIError{StatusCode: 400, Code: "Throttling.User", ThrottleWait: 50 * time.Millisecond}
	for range 50 {
		w, ok := r.Retry(ctx, "DescribeLicenseOrders", 1, throttled)
		require.True(t, ok)
		assert.GreaterOrEqual(t, w, 50*time.Millisecond, "TimeLeft is a floor")
	}
	_, ok = r.Retry(ctx, "DescribeLicenseOrders", 1, &APIError{Code: "Throttling", ThrottleWait: time.Second})
	assert.False(t, ok, "a floor beyond MaxDelay gives up rather than retry early")
}

func TestRetryBudgetStopsAStormAndRefills(t *testing.T) {
	ctx := context.Background()
	r := NewStandardRetryer(RetryPolicy{MaxAttempts: 5, Budget: 20})
	transient := &APIError{StatusCode: 503}
	granted := 0
	for range 10 {
		if _, ok := r.Retry(ctx, "DescribeLicenseOrders", 1, transient); ok {
			granted++
		}
	}
	assert.Equal(t, 4, granted, "20 tokens at 5 a retry")
	_, ok := r.Retry(ctx, "DescribeLicenseOrders", 1, context.DeadlineExceeded)
	assert.False(t, ok)
	for range 10 {
		r.Finished(ctx, "DescribeLicenseOrders", 1, nil) // +1 each
	}
	_, ok = r.Retry(ctx, "DescribeLicenseOrders", 1, context.DeadlineExceeded)
	assert.True(t, ok, "a timeout retry costs 10")
	r.Finished(ctx, "DescribeLicenseOrders", 2, nil) // a retry that worked returns its cost
	_, ok = r.Retry(ctx, "DescribeLicenseOrders", 1, transient)
	assert.True(t, ok)
}

func TestCreateActivationCodeIsNeverRepeatedAfterAmbiguousFailure(t *testing.T) {
	req := &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00", Name: "n"}
	t.Run("5xx", func(t *testing.T) {
		m := newMockAPI(t, WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}))
		m.handle = sequence("503", "ok")
		_, err := m.client.CreateActivationCode(context.Background(), req)
		require.ErrorIs(t, err, ErrUncertainOutcome)
		assert.Equal(t, 1, m.sent())
		assert.Contains(t, err.Error(), "may have been created")
		assert.Contains(t, err.Error(), "DescribeActivationCodes")
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "the cause is still reachable")
		assert.Equal(t, 503, apiErr.StatusCode)
	})
	t.Run("throttled is retried", func(t *testing.T) {
		m := newMockAPI(t, WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}))
		m.handle = sequence("throttle", "ok")
		_, err := m.client.CreateActivationCode(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, 2, m.sent())
	})
	t.Run("a definite refusal is not uncertain", func(t *testing.T) {
		m := newMockAPI(t)
		m.handle = sequence("400")
		_, err := m.client.CreateActivationCode(context.Background(), req)
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrUncertainOutcome)
	})
	t.Run("connection dropped mid-response", func(t *testing.T) {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"RequestId":"cut`))
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}))
		defer srv.Close()
		c, err := NewClient(WithEndpoint(srv.URL), WithAccessKey("id", "secret"), WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}))
		require.NoError(t, err)
		_, err = c.CreateActivationCode(context.Background(), req)
		require.ErrorIs(t, err, ErrUncertainOutcome)
		assert.Equal(t, int32(1), calls.Load())

		// The same failure on an idempotent read is retried.
		calls.Store(0)
		_, err = c.DescribeLicenseOrders(context.Background(), nil)
		require.Error(t, err)
		assert.Equal(t, int32(3), calls.Load())
	})
	t.Run("never connected is retried", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		rec := &recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}
		c, err := NewClient(WithEndpoint("http://"+addr), WithAccessKey("id", "secret"), WithRetryer(rec))
		require.NoError(t, err)
		_, err = c.CreateActivationCode(context.Background(), req)
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrUncertainOutcome, "a request never sent cannot have been processed")
		assert.Equal(t, []int{3}, rec.finished)
	})
}

func TestContextCancelledDuringBackoffReturnsPromptly(t *testing.T) {
	m := newMockAPI(t, WithRetryPolicy(RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour}))
	m.handle = sequence("throttle")
	m.header = http.Header{"X-Ratelimit-User-Api": {"TimeLeft:3600000"}} // an hour
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := m.client.DescribeLicenseOrders(ctx, nil)
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		var apiErr *APIError
		assert.ErrorAs(t, err, &apiErr, "the last cause is kept")
		assert.Equal(t, 1, m.sent())
	case <-time.After(10 * time.Second):
		t.Fatal("the wait did not end with the context")
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := NewClient(WithEndpoint(srv.URL), WithAccessKey("id", "secret"),
		WithTimeouts(Timeouts{Attempt: 50 * time.Millisecond}),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}))
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var oe *OperationError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 2, oe.Attempts, "a timed-out read is retried")
	assert.Equal(t, int32(2), calls.Load())
}

func TestLoggerRecordsEachAttemptWithoutSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := newMockAPI(t, WithSTSToken(testKeyID, testSecret, testToken), WithLogger(logger),
		WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}), WithSignatureAlgorithm(SignatureRPC))
	m.handle = sequence("503", "ok")
	m.header = http.Header{"X-Acs-Request-Id": {"hdr"}}
	_, err := m.client.DescribeActivationCodeDetails(context.Background(), &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})
	require.NoError(t, err)
	out := buf.String()
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	require.Len(t, lines, 2)
	assert.Contains(t, string(lines[0]), `"operation":"DescribeActivationCodeDetails"`)
	assert.Contains(t, string(lines[0]), `"attempt":1`)
	assert.Contains(t, string(lines[0]), `"status":503`)
	assert.Contains(t, string(lines[0]), `"request_id":"r503"`)
	assert.Contains(t, string(lines[0]), `"decision":"retry in`)
	assert.Contains(t, string(lines[1]), `"decision":"done"`)
	assert.Contains(t, string(lines[1]), `"latency"`)
	for _, secret := range []string{testSecret, testToken, "Signature"} {
		assert.NotContains(t, out, secret)
	}
}

func TestRetryResendsTheSameParameters(t *testing.T) {
	for _, alg := range []SignatureAlgorithm{SignatureRPC, SignatureV3} {
		t.Run(alg.String(), func(t *testing.T) {
			m := newMockAPI(t, WithSignatureAlgorithm(alg), WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}))
			m.handle = sequence("503", "503", "ok")
			_, err := m.client.DescribeLicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{
				PageNumber: 2, PageSize: 7, AliyunOrderID: "o-1", PackageType: PackageSingleNodeLongTerm, VirtualOrder: Bool(true),
			})
			require.NoError(t, err)
			require.Len(t, m.reqs, 3)
			for i, r := range m.reqs {
				q := r.URL.Query()
				assert.Equal(t, "2", q.Get("PageNumber"), "attempt %d", i+1)
				assert.Equal(t, "7", q.Get("PageSize"), "attempt %d", i+1)
				assert.Equal(t, "o-1", q.Get("AliyunOrderId"), "attempt %d", i+1)
				assert.Equal(t, "single_node_long_term", q.Get("PackageType"), "attempt %d", i+1)
				assert.Equal(t, "true", q.Get("VirtualOrder"), "attempt %d", i+1)
				if alg == SignatureRPC {
					assert.Len(t, q["Signature"], 1, "attempt %d", i+1)
					assert.Len(t, q["Action"], 1, "attempt %d", i+1)
				}
			}
		})
	}
}
