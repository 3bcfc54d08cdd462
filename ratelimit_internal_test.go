package polarlicense

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var throttled = &OperationError{Operation: "DescribeActivationCodes", Err: &APIError{StatusCode: 400, Code: "Throttling.User"}}

// A throttling answer cuts the rate to 70 %; it recovers along the cubic
// curve, to the configured rate and no further.
func TestAdaptiveLimiterCutsAndRecovers(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newAdaptiveLimiter(10, 1, clock.now)
	assert.InDelta(t, 10, l.limit(), 1e-9)

	l.observe(errors.New("connection reset"))
	l.observe(&APIError{StatusCode: 500, Code: "InternalError"})
	assert.InDelta(t, 10, l.limit(), 1e-9, "only throttling answers cut the rate")

	l.observe(throttled)
	assert.InDelta(t, 7, l.limit(), 1e-9, "70 % of the limit (nothing measured yet)")
	l.observe(fmt.Errorf("wrapped: %w", throttled))
	assert.InDelta(t, 4.9, l.limit(), 1e-9, "a second throttle cuts again")

	prev := l.limit()
	for range 40 {
		clock.advance(500 * time.Millisecond)
		r := l.limit()
		assert.GreaterOrEqual(t, r, prev, "the rate never falls while nothing is throttled")
		assert.LessOrEqual(t, r, 10.0)
		prev = r
	}
	assert.InDelta(t, 10, l.limit(), 1e-9, "back at the configured rate")

	// Many throttles never cut below the floor.
	for range 50 {
		l.observe(throttled)
	}
	assert.InDelta(t, limiterMinRate, l.limit(), 1e-9)
}

// One throttle of a client at its limit of 10 a second: 7 at once, back at
// 10 after cbrt(10·0.3/0.4) ≈ 1.96 seconds, as WithRateLimit's doc says.
func TestAdaptiveLimiterRecoveryTime(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newAdaptiveLimiter(10, 1, clock.now)
	l.observe(throttled)
	assert.InDelta(t, 7, l.limit(), 1e-9)
	clock.advance(1500 * time.Millisecond)
	assert.Less(t, l.limit(), 10.0, "not yet recovered after 1.5 s")
	assert.Greater(t, l.limit(), 9.9, "but close: the curve is flat near the rate it was throttled at")
	clock.advance(500 * time.Millisecond)
	assert.InDelta(t, 10, l.limit(), 1e-9, "recovered after 2 s")
}

// The cut starts from the rate measured, when the client sent less than
// its limit.
func TestAdaptiveLimiterCutsFromMeasuredRate(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newAdaptiveLimiter(100, 100, clock.now)
	for range 20 { // 4 a second for 5 seconds
		require.NoError(t, l.wait(context.Background()))
		clock.advance(250 * time.Millisecond)
	}
	l.observe(throttled)
	assert.InDelta(t, 4*limiterBeta, l.limit(), 0.5)
}

func TestAdaptiveLimiterWaitEndsWithContext(t *testing.T) {
	l := newAdaptiveLimiter(0.5, 1, time.Now)
	require.NoError(t, l.wait(context.Background()), "the first token is there")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, l.wait(ctx), context.Canceled)
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, l.wait(ctx), context.DeadlineExceeded, "the next token comes after the deadline")

	var nilLimiter *adaptiveLimiter
	assert.NoError(t, nilLimiter.wait(ctx), "no limiter, no wait")
	nilLimiter.observe(throttled)
}

// A Client made with WithRateLimit cuts its rate when the service answers
// Throttling, and only then: the wiring of the limiter into every attempt.
func TestWithRateLimitClientAdaptsToThrottling(t *testing.T) {
	var throttle atomic.Bool
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if throttle.Load() {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"RequestId":"5C3E2A1B-0000-4000-8000-000000000001","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`))
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"RequestId":"5C3E2A1B-0000-4000-8000-000000000002","Code":"InternalError","Message":"boom"}`))
	}))
	defer srv.Close()
	c, err := NewClient(WithEndpoint(srv.URL), WithAccessKey("id", "secret"), WithRateLimit(10, 1),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	require.NotNil(t, c.limiter)
	clock := &fakeClock{t: time.Now()}
	c.limiter.now = clock.now // the rate is read at a fixed instant: no recovery in between

	req := &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "900000000000001"}
	_, err = c.DescribeLicenseOrderDetails(context.Background(), req)
	require.Error(t, err)
	assert.InDelta(t, 10, c.limiter.limit(), 1e-9, "a server error does not cut the rate")

	throttle.Store(true)
	_, err = c.DescribeLicenseOrderDetails(context.Background(), req)
	var api *APIError
	require.ErrorAs(t, err, &api)
	require.True(t, api.Throttled())
	assert.Less(t, c.limiter.limit(), 10.0, "a throttling answer cuts the client's rate")
	assert.GreaterOrEqual(t, c.limiter.limit(), limiterMinRate)
	cut := c.limiter.limit()

	clock.advance(time.Minute)
	assert.InDelta(t, 10, c.limiter.limit(), 1e-9, "and it recovers to the configured rate")
	assert.Less(t, cut, 10.0)
	assert.Equal(t, int32(2), calls.Load(), "one attempt each: nothing retried")
}
