package polarlicensetest

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

// Latency: WithLatency makes the emulator answer as slowly as the real
// service, so that tests and benchmarks measure what concurrency, rate limits
// and cross-process coordination do against a service that takes time.

// WithLatency delays every answer by d: a request is held for d once its body
// has arrived, then processed and answered at once, so what it changes (a code
// created, quota spent) becomes visible d after it arrived, as with a service
// that takes d to process a call. A request whose client left meanwhile (a
// timeout, a process killed) is still processed, as the real service would
// process it; only its answer is lost. Requests are held concurrently: the
// latency adds to each request's time, not to the server's throughput. Zero
// (the default) adds nothing; it panics if d is negative.
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

// hold holds a request for the handler's latency before it is processed. The
// body is read first (up to the bound handle enforces), so that a client that
// leaves during the wait leaves a whole request behind, which is then
// processed all the same.
func (h *Handler) hold(r *http.Request) {
	if h.latency <= 0 {
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
	}
	time.Sleep(h.latency)
}

// errReader returns its error, or io.EOF when it has none.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
