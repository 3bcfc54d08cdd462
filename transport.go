package polarlicense

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
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

// readBody reads the whole body, up to limit bytes, and closes it. A body
// over the limit is an error; the connection is then not reused.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	if n := resp.ContentLength; n >= 0 {
		if n > limit {
			return nil, errBodyTooLarge
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	var bb bytes.Buffer
	if _, err := bb.ReadFrom(io.LimitReader(resp.Body, limit+1)); err != nil {
		return nil, err
	}
	if int64(bb.Len()) > limit {
		return nil, errBodyTooLarge
	}
	return bb.Bytes(), nil
}

// maxThrottleWait is the longest wait a throttling answer's TimeLeft is
// read as: a larger value, even one too large for an int64, is clamped to
// it rather than overflowed into a short wait.
const maxThrottleWait = 24 * time.Hour

// throttleWait reads the TimeLeft, in milliseconds, of a throttled answer's
// x-ratelimit-user-api or x-ratelimit-user header, such as
// "Limit:1,Remain:0,TimeLeft:2000,Reset:1234".
func throttleWait(h http.Header) time.Duration {
	for _, name := range [...]string{"X-Ratelimit-User-Api", "X-Ratelimit-User"} {
		v := h.Get(name)
		for part := range strings.SplitSeq(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(part), ":")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "TimeLeft") {
				continue
			}
			val = strings.TrimSpace(val)
			ms, err := strconv.ParseInt(val, 10, 64)
			if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(val, "-") || err == nil && ms > int64(maxThrottleWait/time.Millisecond) {
				return maxThrottleWait
			}
			if err == nil && ms > 0 {
				return time.Duration(ms) * time.Millisecond
			}
		}
	}
	return 0
}
