package polarlicensetest

import (
	"time"
)

// Latency: WithLatency makes the emulator answer as slowly as the real
// service, so that tests and benchmarks measure what concurrency, rate limits
// and cross-process coordination do against a service that takes time.

// WithLatency delays every answer by d: a request is held for d once its body
// has arrived, then processed and answered at once, so what it changes (a code
// created, quota spent) becomes visible d after it arrived, as with a service
// that takes d to process a call. It is counted (RequestCount) as it
// arrives, before the wait, and its log entry (Requests, once answered)
// bears its arrival time: a test that sees the count rise knows the call is
// in flight, and can kill its client then. A request whose client left meanwhile (a timeout, a process
// killed) is still processed, as the real service would process it; only its
// answer is lost. Requests are held concurrently: the latency adds to each
// request's time, not to the server's throughput. Zero (the default) adds
// nothing; it panics if d is negative.
//
// Server.Close waits for the requests being held (up to d).
func WithLatency(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			panic("polarlicensetest: WithLatency: negative latency")
		}
		c.latency = d
	}
}

// hold holds a request for the handler's latency before it is processed.
// The request has been read whole (parseRequest reads the body), so that a
// client that leaves during the wait leaves a whole request behind, which is
// then processed all the same.
func (h *Handler) hold() {
	if h.latency > 0 {
		time.Sleep(h.latency)
	}
}
