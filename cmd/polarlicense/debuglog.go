package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// --debug: a request log on stderr, one line per HTTP request, written by an
// http.RoundTripper around the client's transport. A line holds the method,
// the host, the action (from the x-acs-action header of the V3 signature or
// the Action query parameter of the RPC signature), the status, the
// x-acs-request-id response header and the latency, and nothing else: never
// the query string (which carries the parameters and, with the RPC
// signature, the signature and any security token), never a header such as
// Authorization or x-acs-security-token, never a body.
//
//	polarlicense: debug: method=POST host=polardb.aliyuncs.com action=DescribeLicenseOrders status=200 request_id=6D3F… latency=84ms

// debugTransport logs each round trip it passes on to next.
type debugTransport struct {
	next http.RoundTripper
	log  func(line string)
}

func newDebugTransport(next http.RoundTripper, log func(line string)) *debugTransport {
	return &debugTransport{next: next, log: log}
}

// RoundTrip sends req with the wrapped transport and logs the outcome.
func (t *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	latency := time.Since(start)

	action := req.Header.Get("X-Acs-Action")
	if action == "" && req.URL != nil {
		action = req.URL.Query().Get("Action")
	}
	host := req.Host
	if host == "" && req.URL != nil {
		host = req.URL.Host
	}
	status, requestID := "failed", ""
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
		requestID = resp.Header.Get("X-Acs-Request-Id")
	}
	t.log(fmt.Sprintf("method=%s host=%s action=%s status=%s request_id=%s latency=%s",
		token(req.Method), token(host), token(action), status, token(requestID), latency.Round(time.Millisecond)))
	return resp, err
}

// token keeps a logged value to one word of safe characters, so that no
// value can break the line or pass for another field; anything else is "-".
func token(s string) string {
	if s == "" || len(s) > 256 {
		return "-"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:[]", c) >= 0) {
			return "-"
		}
	}
	return s
}

// newTransport is the transport the command uses when it supplies the HTTP
// client (--debug): the default transport's proxy and HTTP/2 behaviour, with
// timeouts on the stages that could otherwise hang, as the SDK's own client
// has.
func newTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 30 * time.Second
	return t
}

// debugWriter writes --debug lines to stderr, one at a time, clearing the
// progress line first.
type debugWriter struct {
	mu       sync.Mutex
	w        io.Writer
	progress *progress
}

func (d *debugWriter) line(s string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.progress.clear()
	io.WriteString(d.w, "polarlicense: debug: "+s+"\n")
}
