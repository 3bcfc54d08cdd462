package polarlicense

import (
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// noRedirects returns a shallow copy of hc that never follows a redirect:
// the 3xx answer itself comes back, and the attempt turns it into a
// *RedirectError. hc is not changed.
func noRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// newDefaultHTTPClient returns the HTTP client used when WithHTTPClient is
// not given: the default transport's proxy and HTTP/2 behaviour, with
// timeouts on every stage that could otherwise hang.
func newDefaultHTTPClient(t Timeouts) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: t.Connect, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = t.TLSHandshake
	tr.ResponseHeaderTimeout = t.ResponseHeader
	tr.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: tr}
}

// readBody reads the whole body, up to limit bytes, into buf (from its
// start, growing it if it is too small) and closes it. A body over the
// limit is an error; the connection is then not reused. With a
// Content-Length the body is read at once into a slice of that size; a
// chunked body, of unknown length, is read into buf's spare capacity,
// which doubles when full; no more than limit+1 bytes are ever read.
func readBody(resp *http.Response, limit int64, buf []byte) ([]byte, error) {
	defer resp.Body.Close()
	if n := resp.ContentLength; n >= 0 {
		if n > limit {
			return nil, errBodyTooLarge
		}
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, errBodyTooLarge
			}
			grow := int(min(int64(max(cap(buf), minBodyBuffer)), limit+1-int64(len(buf))))
			buf = slices.Grow(buf, grow)
		}
		room := min(int64(cap(buf)), limit+1) // never read past the byte that tells the body is too large
		n, err := resp.Body.Read(buf[len(buf):room])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errBodyTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Answers are read into pooled buffers: a call allocates nothing for its
// body, whether it came with a Content-Length or chunked. This is safe
// because nothing a call returns shares the body's memory: every decoded
// string and every error text is a copy (see the package notes on memory),
// and Client.Call returns a copy of its body. A buffer is cleared before it
// goes back, so that the pool holds no answer (a license among them), and
// one grown past maxPooledBody by an unusually large answer is left to the
// garbage collector instead of pinning its memory.
const (
	// minBodyBuffer is the size a body buffer starts at: most answers fit.
	minBodyBuffer = 16 << 10
	// maxPooledBody is the largest buffer kept for reuse.
	maxPooledBody = 256 << 10
)

var bodyBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, minBodyBuffer)
	return &b
}}

// getBodyBuffer returns a pooled buffer, empty, to read a body into.
func getBodyBuffer() *[]byte { return bodyBuffers.Get().(*[]byte) }

// putBodyBuffer clears body, which was read into *p (or into a buffer that
// replaced it when it grew), and returns it to the pool.
func putBodyBuffer(p *[]byte, body []byte) {
	if cap(body) > maxPooledBody {
		return
	}
	clear(body)
	*p = body[:0]
	bodyBuffers.Put(p)
}

// maxThrottleWait is the longest wait a throttling answer's TimeLeft is
// read as: a larger value, even one too large for an int64, is clamped to
// it rather than overflowed into a short wait.
const maxThrottleWait = 24 * time.Hour

// throttleWait reads the TimeLeft, in milliseconds, of a throttled answer's
// x-ratelimit-user-api and x-ratelimit-user headers, such as
// "Limit:1,Remain:0,TimeLeft:2000,Reset:1234": the longest TimeLeft of the
// windows spent (Remain 0, or not given), for a retry sooner than that is
// refused by the window still closed. When neither says it is spent, the
// per-API header's TimeLeft, else the per-user one's.
func throttleWait(h http.Header) time.Duration {
	var spent, other time.Duration
	for _, name := range [...]string{"X-Ratelimit-User-Api", "X-Ratelimit-User"} {
		left, ok, exhausted := rateLimitWindow(h.Get(name))
		switch {
		case !ok:
		case exhausted:
			spent = max(spent, left)
		case other == 0:
			other = left
		}
	}
	if spent > 0 {
		return spent
	}
	return other
}

// rateLimitWindow reads one x-ratelimit-* header: its TimeLeft as a wait
// (ok false when it has no positive one), and whether the window is spent
// (its Remain is 0 or less, or not given).
func rateLimitWindow(v string) (left time.Duration, ok, exhausted bool) {
	exhausted = true
	for part := range strings.SplitSeq(v, ",") {
		k, val, found := strings.Cut(strings.TrimSpace(part), ":")
		if !found {
			continue
		}
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		switch {
		case strings.EqualFold(k, "Remain"):
			if n, err := strconv.ParseInt(val, 10, 64); err == nil && n > 0 || errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(val, "-") {
				exhausted = false
			}
		case strings.EqualFold(k, "TimeLeft") && !ok:
			ms, err := strconv.ParseInt(val, 10, 64)
			if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(val, "-") || err == nil && ms > int64(maxThrottleWait/time.Millisecond) {
				left, ok = maxThrottleWait, true
			} else if err == nil && ms > 0 {
				left, ok = time.Duration(ms)*time.Millisecond, true
			}
		}
	}
	return left, ok, exhausted
}
