package polarlicense

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate limits. The service throttles an account that calls too often
// (Throttling answers, which the client retries after the wait they ask for).
// A client making many calls at once, such as a fleet apply of a thousand
// nodes at a concurrency of 8, is better held below that limit than throttled
// and retried: WithRateLimit spaces its attempts, and slows down further when
// the service throttles it anyway.

// WithRateLimit makes the client start at most perSecond attempts a second
// (retries included), in bursts of at most burst, waiting as needed before
// each attempt (a wait that the context ends fails the call with the
// context's error, nothing sent). The limit is adaptive, as aws-sdk-go-v2's
// adaptive retry mode is: each throttling answer (an *APIError whose Throttled
// is true) cuts the rate to 70 % of the rate the client was achieving, down to
// one attempt every two seconds at least; the rate then grows back along a
// cubic curve, slowly near the rate it was throttled at and faster beyond,
// until it is perSecond again (about two seconds after a single throttling
// answer to a client sending 10 a second: the curve is back at the rate it
// was throttled at after cbrt(rate·0.3/0.4) seconds).
//
// The limit is the Client's, shared by all its calls and goroutines. A
// perSecond of zero turns the limit off (the default); a negative or
// non-finite perSecond, or a burst below 1 with a limit, is an error.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(s *settings) error {
		switch {
		case math.IsNaN(perSecond) || math.IsInf(perSecond, 0) || perSecond < 0:
			return errors.New("WithRateLimit: the rate must be a finite number of attempts a second, 0 for no limit")
		case perSecond == 0:
			s.limiter = nil
			return nil
		case burst < 1:
			return errors.New("WithRateLimit: the burst must be at least 1")
		}
		s.limiter = newAdaptiveLimiter(perSecond, burst, time.Now)
		return nil
	}
}

// Adaptive limiter constants, after CUBIC (RFC 8312) as aws-sdk-go-v2's
// adaptive mode uses it: on a throttle the rate becomes beta times what was
// measured; it then recovers as scale·(t−k)³ + lastMax, t being the seconds
// since the throttle.
const (
	limiterBeta    = 0.7
	limiterScale   = 0.4
	limiterMinRate = 0.5 // attempts a second, the floor a throttle cuts to
	limiterSmooth  = 0.8 // weight of the previous measured rate
	limiterBucket  = 0.5 // seconds over which the sent rate is measured
)

// adaptiveLimiter is WithRateLimit's limiter: a token bucket whose rate
// follows the throttling answers. Safe for concurrent use; a nil
// *adaptiveLimiter limits nothing.
type adaptiveLimiter struct {
	bucket *rate.Limiter
	max    float64 // perSecond
	now    func() time.Time

	mu           sync.Mutex
	throttled    bool      // a throttle was seen and the rate has not recovered
	lastThrottle time.Time // when the last throttle cut the rate
	lastMax      float64   // the rate at the last throttle
	k            float64   // seconds from the throttle until the curve is back at lastMax
	measured     float64   // smoothed rate of attempts sent
	count        int       // attempts in the current measuring bucket
	bucketStart  time.Time
}

func newAdaptiveLimiter(perSecond float64, burst int, now func() time.Time) *adaptiveLimiter {
	return &adaptiveLimiter{bucket: rate.NewLimiter(rate.Limit(perSecond), burst), max: perSecond, now: now}
}

// wait waits until an attempt may start, or returns the context's error.
func (l *adaptiveLimiter) wait(ctx context.Context) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	l.recoverLocked(l.now())
	l.mu.Unlock()
	if err := l.bucket.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The wait would pass the context's deadline: say so as the
		// deadline would.
		return context.DeadlineExceeded
	}
	l.mu.Lock()
	l.countLocked(l.now())
	l.mu.Unlock()
	return nil
}

// observe adapts the rate to an attempt's outcome: a throttling answer cuts it.
func (l *adaptiveLimiter) observe(err error) {
	if l == nil || err == nil {
		return
	}
	var api *APIError
	if !errors.As(err, &api) || !api.Throttled() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	current := float64(l.bucket.Limit())
	// The rate to cut from: what was being sent, if measured, else the
	// limit.
	from := current
	if l.measured > 0 && l.measured < from {
		from = l.measured
	}
	l.lastMax = from
	l.lastThrottle = now
	l.throttled = true
	l.k = math.Cbrt(l.lastMax * (1 - limiterBeta) / limiterScale)
	l.bucket.SetLimitAt(now, rate.Limit(max(from*limiterBeta, limiterMinRate)))
}

// recoverLocked raises the rate along the cubic curve since the last throttle.
func (l *adaptiveLimiter) recoverLocked(now time.Time) {
	if !l.throttled {
		return
	}
	t := now.Sub(l.lastThrottle).Seconds()
	r := limiterScale*math.Pow(t-l.k, 3) + l.lastMax
	if r >= l.max {
		r, l.throttled = l.max, false
	}
	if r > float64(l.bucket.Limit()) {
		l.bucket.SetLimitAt(now, rate.Limit(r))
	}
}

// countLocked measures the rate of attempts sent, smoothed over buckets of
// half a second.
func (l *adaptiveLimiter) countLocked(now time.Time) {
	if l.bucketStart.IsZero() {
		l.bucketStart = now
	}
	l.count++
	if el := now.Sub(l.bucketStart).Seconds(); el >= limiterBucket {
		r := float64(l.count) / el
		if l.measured == 0 {
			l.measured = r
		} else {
			l.measured = limiterSmooth*l.measured + (1-limiterSmooth)*r
		}
		l.count, l.bucketStart = 0, now
	}
}

// limit returns the rate the limiter allows now, for tests.
func (l *adaptiveLimiter) limit() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recoverLocked(l.now())
	return float64(l.bucket.Limit())
}
