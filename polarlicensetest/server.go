package polarlicensetest

import (
	"context"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Handler is the emulator as an http.Handler: the API at "/", over in-memory
// state. Mount it anywhere, or use NewServer, which serves one on a loopback
// port. It is safe for concurrent use.
type Handler struct {
	creds    credentials
	state    *state
	verifier verifier
	faults   faultQueue
	now      func() time.Time
	logger   *slog.Logger
	latency  time.Duration // WithLatency

	logMu   sync.Mutex
	log     []Request // a ring of the last logSize requests
	logPos  int       // where the next request goes once the ring is full
	logSize int
	counts  map[string]int // keyed by the six operations, "" and UnknownActions only
}

// RequestLogSize is how many requests the request log (Handler.Requests)
// keeps by default: the most recent ones (WithRequestLogSize changes it).
// RequestCount counts them all. As every recorded field is bounded (see
// Request), the log holds a few MiB at most, whatever clients send.
const RequestLogSize = 1024

// UnknownActions is the operation name under which RequestCount counts the
// requests whose Action is none of the six operations, whatever it was: the
// counts stay bounded however many names clients make up. It is not a valid
// Action name.
const UnknownActions = "(unknown)"

// Bounds of what the request log keeps of one request: enough for any real
// request, little for junk.
const (
	maxLoggedName        = 64   // Method, Operation
	maxLoggedAccessKeyID = 128  // AccessKeyID
	maxLoggedUserAgent   = 256  // UserAgent
	maxLoggedParams      = 16   // entries of Params
	maxLoggedKey         = 64   // a Params key
	maxLoggedValue       = 1024 // a Params value
	maxLoggedParamBytes  = 2048 // keys and values of Params together
)

// Request is one request as the request log keeps it. It holds no secret:
// no AccessKeySecret, security token, signature or license.
type Request struct {
	// Time is when the request arrived, by the server's clock, to the second.
	Time time.Time
	// Method is the HTTP method.
	Method string
	// UserAgent is the request's User-Agent header ("" if it had none),
	// such as "polarlicense-go/0.1.0 (linux; amd64) Go/1.25.0 app/renewer",
	// cut to 256 bytes.
	UserAgent string
	// Operation is the Action the request named ("" if none), cut to 64
	// bytes.
	Operation string
	// Signature is the algorithm the request was signed with, AlgorithmV3
	// or AlgorithmRPC; "" if it was refused before authentication.
	Signature string
	// AccessKeyID is the AccessKey ID the request named, cut to 128 bytes.
	AccessKeyID string
	// STS tells whether the request carried a security token.
	STS bool
	// Params are the operation's parameters (the first value of each, from
	// the query and the form body), without the protocol's own (Action,
	// Version, AccessKeyId, Signature*, Timestamp, SecurityToken, …).
	// They are bounded, so that junk cannot fill the memory: the first 16
	// names, each cut to 64 bytes, values cut to 1 KiB, 2 KiB in all. A
	// value that was cut ends with "…".
	Params map[string]string
	// StatusCode is the HTTP status answered; 0 if the connection was
	// dropped before an answer (FaultDrop) or the client left.
	StatusCode int
	// Code is the error code answered; "" on success.
	Code string
	// RequestID is the RequestId answered; "" when no service answered
	// (FaultHTML, FaultDrop).
	RequestID string
	// Fault is the injected fault the request met; 0 if none.
	Fault FaultKind
}

// NewHandler returns an emulator configured by opts: by default with a
// made-up AccessKey (see Credentials), the demo data set and the real clock.
// It panics if an option is invalid (an empty AccessKey, a code for an order
// that does not exist).
func NewHandler(opts ...Option) *Handler {
	c := newConfig(opts)
	h := &Handler{
		creds:  c.creds,
		state:  newState(c.virtualQuota),
		now:    c.now,
		logger: c.logger,
		counts: make(map[string]int, len(operations)+2),

		logSize: c.logSize,
	}
	h.verifier.creds = c.creds
	h.latency = c.latency
	now := c.now()
	if !c.noDemo {
		loadDemo(h.state, now)
	}
	for _, seed := range c.seeds {
		seed(h.state, now)
	}
	h.faults.add(c.faults...)
	return h
}

// Credentials returns the AccessKey ID, secret and security token (empty
// unless WithSecurityToken) the handler accepts.
func (h *Handler) Credentials() (accessKeyID, accessKeySecret, securityToken string) {
	return h.creds.id, h.creds.secret, h.creds.token
}

// Order returns a license order as it is now; ok is false if there is none
// with that ID.
func (h *Handler) Order(aliyunOrderID string) (o polarlicense.LicenseOrder, ok bool) {
	return h.state.order(aliyunOrderID)
}

// Orders returns every license order, in the order DescribeLicenseOrders
// lists them (creation order: the seeded ones first).
func (h *Handler) Orders() []polarlicense.LicenseOrder {
	return h.state.allOrders()
}

// Codes returns an order's activation codes in ID order; nil if the order
// does not exist.
func (h *Handler) Codes(aliyunOrderID string) []polarlicense.ActivationCode {
	codes, _ := h.state.codes(aliyunOrderID)
	return codes
}

// Code returns one activation code of an order with its license content;
// ok is false if there is no such order or code.
func (h *Handler) Code(aliyunOrderID string, activationCodeID int64) (c polarlicense.ActivationCode, cert polarlicense.CertContent, ok bool) {
	c, s, _, ok := h.state.code(aliyunOrderID, activationCodeID)
	return c, polarlicense.NewCertContent(s), ok
}

// InjectFault queues faults: the next calls of each fault's operation fail
// as it says (see Fault and FaultKind). It is safe to call while requests are
// being served. It panics on an unknown FaultKind or Operation.
func (h *Handler) InjectFault(faults ...Fault) {
	h.faults.add(faults...)
}

// PendingFaults returns how many calls the queued faults will still fail.
func (h *Handler) PendingFaults() int {
	return h.faults.remaining()
}

// ClearFaults drops every queued fault.
func (h *Handler) ClearFaults() {
	h.faults.clear()
}

// Requests returns the request log, oldest first: the last RequestLogSize
// requests (or as many as WithRequestLogSize says), with no secrets.
func (h *Handler) Requests() []Request {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	out := make([]Request, 0, len(h.log))
	out = append(out, h.log[h.logPos:]...)
	out = append(out, h.log[:h.logPos]...)
	for i := range out {
		out[i].Params = maps.Clone(out[i].Params)
	}
	return out
}

// RequestCount returns how many requests named the operation (its Action),
// whatever their outcome: refused, faulted or served. With operation "" it
// returns the count of all requests. Requests are counted by name only for
// the six operations; those naming any other Action are counted together
// under UnknownActions. It panics on any other name, for which it could only
// answer 0 however many requests named it: a misspelt operation would make
// a test that asserts none was sent pass whatever was sent.
func (h *Handler) RequestCount(operation string) int {
	if _, known := operations[operation]; !known && operation != "" && operation != UnknownActions {
		panic("polarlicensetest: RequestCount(" + strconv.Quote(clip(operation, maxLoggedName)) +
			`): requests are counted by name for the six operations only, such as "CreateActivationCode"; the others under UnknownActions`)
	}
	h.logMu.Lock()
	defer h.logMu.Unlock()
	if operation == "" {
		n := 0
		for _, c := range h.counts {
			n += c
		}
		return n
	}
	return h.counts[operation]
}

// ResetRequests empties the request log and the counts.
func (h *Handler) ResetRequests() {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	h.log, h.logPos = nil, 0
	clear(h.counts)
}

// count counts a request for RequestCount. Requests without an Action are
// counted under "", those with an unknown one under UnknownActions.
func (h *Handler) count(action string) {
	if _, known := operations[action]; !known && action != "" {
		action = UnknownActions
	}
	h.logMu.Lock()
	h.counts[action]++
	h.logMu.Unlock()
}

// clip returns a copy of s cut to at most n bytes, at a character boundary,
// ending with "…" if it was cut. It always copies: a substring of a request
// would keep the whole request in memory.
func clip(s string, n int) string {
	if len(s) <= n {
		return strings.Clone(s)
	}
	const ellipsis = "…"
	cut := n - len(ellipsis)
	if cut < 0 {
		return ""
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// bound cuts the fields of a request that come from the client to the
// request log's bounds (Params are bounded as they are collected).
func (rec *Request) bound() {
	rec.Method = clip(rec.Method, maxLoggedName)
	rec.Operation = clip(rec.Operation, maxLoggedName)
	rec.AccessKeyID = clip(rec.AccessKeyID, maxLoggedAccessKeyID)
	rec.UserAgent = clip(rec.UserAgent, maxLoggedUserAgent)
}

// record adds a request to the log and logs it; start is when it arrived,
// by the real clock.
func (h *Handler) record(rec *Request, start time.Time) {
	rec.bound()
	h.logMu.Lock()
	switch {
	case h.logSize == 0:
	case len(h.log) < h.logSize:
		h.log = append(h.log, *rec)
	default:
		h.log[h.logPos] = *rec
		h.logPos = (h.logPos + 1) % h.logSize
	}
	h.logMu.Unlock()
	if h.logger != nil {
		attrs := []slog.Attr{
			slog.String("operation", rec.Operation),
			slog.Int("status", rec.StatusCode),
			slog.String("request_id", rec.RequestID),
			slog.Duration("duration", time.Since(start)),
		}
		if rec.Code != "" {
			attrs = append(attrs, slog.String("code", rec.Code))
		}
		if rec.Fault != 0 {
			attrs = append(attrs, slog.String("fault", rec.Fault.String()))
		}
		h.logger.LogAttrs(context.Background(), slog.LevelInfo, "polarlicensetest request", attrs...)
	}
}

// Server is an emulator serving on a loopback port, like httptest.Server:
// make one with NewServer, point a client at URL with the credentials, and
// Close it at the end of the test.
type Server struct {
	// URL is the base URL, "http://127.0.0.1:<port>", for
	// polarlicense.WithEndpoint.
	URL string
	// AccessKeyID is the ID of the AccessKey the server accepts.
	AccessKeyID string
	// AccessKeySecret is the AccessKey's secret.
	AccessKeySecret string
	// SecurityToken is the STS token the server requires; empty unless
	// WithSecurityToken was given.
	SecurityToken string
	// Handler is the emulator itself; its methods (Order, Codes,
	// InjectFault, Requests, …) are the server's too.
	*Handler

	srv       *http.Server
	mu        sync.Mutex
	closed    bool
	wg        sync.WaitGroup // the Serve goroutine and the running handlers
	closeOnce sync.Once
}

// NewServer starts an emulator configured by opts on 127.0.0.1 on a free
// port. It panics if it cannot listen or an option is invalid.
func NewServer(opts ...Option) *Server {
	h := NewHandler(opts...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("polarlicensetest: NewServer: failed to listen on a port: " + err.Error())
	}
	s := &Server{
		URL:             "http://" + ln.Addr().String(),
		AccessKeyID:     h.creds.id,
		AccessKeySecret: h.creds.secret,
		SecurityToken:   h.creds.token,
		Handler:         h,
	}
	s.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			if s.closed {
				s.mu.Unlock()
				dropConnection(w)
				return
			}
			s.wg.Add(1)
			s.mu.Unlock()
			defer s.wg.Done()
			h.ServeHTTP(w, r)
		}),
		// No WriteTimeout: a test's FaultDelay may hold an answer as
		// long as it likes.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	return s
}

// Close stops the server: it closes the listener and every connection and
// waits for the running requests to finish (a FaultDelay ends early).
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		_ = s.srv.Close()
		s.wg.Wait()
	})
}

// ClientOptions returns the options that point a polarlicense.Client at the
// server: its URL and credentials (with the security token, if any).
//
//	client, err := polarlicense.NewClient(srv.ClientOptions()...)
func (s *Server) ClientOptions() []polarlicense.Option {
	return []polarlicense.Option{
		polarlicense.WithEndpoint(s.URL),
		polarlicense.WithSTSToken(s.AccessKeyID, s.AccessKeySecret, s.SecurityToken),
	}
}
