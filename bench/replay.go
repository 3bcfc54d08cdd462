package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Measuring the server alone.
//
// The server runs in the benchmark's process, so a client benchmark's B/op
// and allocs/op count the server's allocations too. To count the server's
// alone, CaptureRequest records the exact bytes a client sends for one
// call, and a Replayer sends those bytes again and again over one
// keep-alive connection, reading each answer into a buffer it reuses: it
// allocates nothing itself, so what a replay benchmark counts is what the
// server (net/http's connection handling, request parsing and response
// writing, httptest's connection tracking and the handler) spends on that
// client's request. A client's own allocations are then its benchmark's
// total less its replay's.

// recordingListener keeps the bytes read from every connection it accepts.
type recordingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []*recordingConn
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	rc := &recordingConn{Conn: c}
	l.mu.Lock()
	l.conns = append(l.conns, rc)
	l.mu.Unlock()
	return rc, nil
}

type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.buf.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

func (c *recordingConn) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}

// CaptureRequest makes one call with a client made by newClient against a
// recording copy of the server and returns the bytes of the HTTP request
// it sent, with the recording server's address replaced by targetHost
// (the host:port of the server the bytes will be replayed to).
func CaptureRequest(newClient Constructor, targetHost string) ([]byte, error) {
	srv := httptest.NewUnstartedServer(NewHandler())
	rl := &recordingListener{Listener: srv.Listener}
	srv.Listener = rl
	srv.Start()
	defer srv.Close()

	c, err := newClient(srv.URL)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := c.Call(ctx)
	if err != nil {
		return nil, err
	}
	if n != OrderCount {
		return nil, fmt.Errorf("capture: decoded %d orders, want %d", n, OrderCount)
	}
	rl.mu.Lock()
	conns := rl.conns
	rl.mu.Unlock()
	if len(conns) != 1 {
		return nil, fmt.Errorf("capture: the client opened %d connections, want 1", len(conns))
	}
	req := conns[0].bytes()
	if err := checkOneRequest(req); err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	captured := strings.TrimPrefix(srv.URL, "http://")
	return bytes.ReplaceAll(req, []byte(captured), []byte(targetHost)), nil
}

// checkOneRequest checks that req is one whole HTTP/1.1 request with no
// body, that leaves the connection open.
func checkOneRequest(req []byte) error {
	end := bytes.Index(req, []byte("\r\n\r\n"))
	if end < 0 || end+4 != len(req) {
		return errors.New("not exactly one request without a body")
	}
	head := strings.ToLower(string(req[:end]))
	if !strings.HasPrefix(head, "post /?") {
		return fmt.Errorf("not a POST with a query: %.40q", head)
	}
	if strings.Contains(head, "\r\nconnection: close") {
		return errors.New("the request closes the connection")
	}
	for line := range strings.SplitSeq(head, "\r\n") {
		if v, ok := strings.CutPrefix(line, "content-length:"); ok && strings.TrimSpace(v) != "0" {
			return fmt.Errorf("the request has a body (%s)", line)
		}
	}
	return nil
}

// Replayer sends one recorded request over and over on one keep-alive
// connection and reads each answer into a buffer it reuses.
type Replayer struct {
	conn net.Conn
	req  []byte
	buf  []byte
}

// NewReplayer connects to addr (host:port) to send req.
func NewReplayer(addr string, req []byte) (*Replayer, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Replayer{conn: conn, req: req, buf: make([]byte, 64<<10)}, nil
}

// Close closes the connection.
func (r *Replayer) Close() error { return r.conn.Close() }

// RoundTrip sends the request once and reads the whole answer. It returns
// the answer's body, valid until the next call.
func (r *Replayer) RoundTrip() ([]byte, error) {
	if _, err := r.conn.Write(r.req); err != nil {
		return nil, err
	}
	n, headEnd, total := 0, -1, -1
	for total < 0 || n < total {
		if n == len(r.buf) {
			return nil, errors.New("replay: answer larger than the buffer")
		}
		m, err := r.conn.Read(r.buf[n:])
		n += m
		if err != nil {
			return nil, err
		}
		if headEnd < 0 {
			if i := bytes.Index(r.buf[:n], []byte("\r\n\r\n")); i >= 0 {
				headEnd = i + 4
				cl, err := contentLength(r.buf[:i])
				if err != nil {
					return nil, err
				}
				total = headEnd + cl
			}
		}
	}
	if n != total {
		return nil, errors.New("replay: bytes after the answer")
	}
	if !bytes.HasPrefix(r.buf, []byte("HTTP/1.1 200 ")) {
		return nil, fmt.Errorf("replay: answer %.20q", r.buf)
	}
	return r.buf[headEnd:total], nil
}

// contentLength returns the Content-Length of a response head as net/http
// writes it.
func contentLength(head []byte) (int, error) {
	const name = "\r\nContent-Length: "
	i := bytes.Index(head, []byte(name))
	if i < 0 {
		return 0, errors.New("replay: no Content-Length in the answer")
	}
	v := head[i+len(name):]
	if j := bytes.IndexByte(v, '\r'); j >= 0 {
		v = v[:j]
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, errors.New("replay: bad Content-Length")
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}
