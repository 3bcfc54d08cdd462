package polarlicense

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/credentials-go/credentials"

	"github.com/polarlicense/polarlicense-go/internal/sign"
)

// The API this client speaks.
const (
	// APIVersion is the PolarDB OpenAPI version of the six operations.
	APIVersion = "2017-08-01"
	// MaxPageSize is the largest PageSize the client sends: the largest page
	// PolarDB's Describe operations document (30, 50 or 100).
	MaxPageSize = 100
)

// Client calls the PolarDB license operations. Make one with NewClient and
// share it: a *Client is safe for concurrent use and reuses connections.
// Printed with any fmt verb or logged with slog it shows only its endpoint
// and signature algorithm.
type Client struct {
	scheme    string
	host      string
	algorithm SignatureAlgorithm
	creds     credentialSource
	http      *http.Client
	loc       *time.Location
	maxBody   int64
	now       func() time.Time
	nonce     func(dst []byte) []byte
	retryer   Retryer
	// hooks run after every attempt; observers watch whole calls.
	hooks     []func(context.Context, AttemptInfo)
	observers []CallObserver
	// userAgent is the User-Agent header's value, built once.
	userAgent []string
	// attemptTimeout bounds one attempt, reading the body included.
	attemptTimeout time.Duration
	// traced is true when the transport is the client's own, which reports
	// through httptrace when it got a connection (HTTP/2 included): then a
	// request for which none was got provably never left. A transport given
	// with WithHTTPClient may route some requests through protocols that do
	// not report it, so for those only positive evidence counts.
	traced bool
	// The signers cache keyed MACs; held by pointer, so that no copy or
	// print of a Client value can reach the secret they were keyed with.
	rpc *sign.RPCSigner
	v3  *sign.V3Signer
	// ensures serialises EnsureActivationCode calls per host (ensure.go);
	// held by pointer, so that a Client value holds no lock and can be
	// formatted by value.
	ensures *ensureFlights
	// limiter spaces attempts (WithRateLimit, ratelimit.go); nil: no limit.
	limiter *adaptiveLimiter
	// stateDir coordinates creates across processes (WithStateDir).
	stateDir string
}

// NewClient returns a client configured by opts. Without WithEndpoint it
// calls the endpoint of WithRegion's region (the central endpoint when no
// region is given); without a credentials option it uses credentials-go's
// default chain (environment variables, OIDC, the CLI profile, the
// credentials file, the ECS instance role), resolved when the first call is
// made.
func NewClient(opts ...Option) (*Client, error) {
	s := settings{loc: chinaStandardTime, maxBody: DefaultMaxResponseBytes, now: time.Now, nonce: sign.AppendNonce, timeouts: DefaultTimeouts}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, errors.New("polarlicense: NewClient: " + err.Error())
		}
	}
	if s.endpoint == "" {
		endpoint, err := endpointFor(s.region, s.endpointType)
		if err != nil {
			return nil, errors.New("polarlicense: NewClient: " + err.Error())
		}
		s.endpoint = endpoint
	}
	scheme, host, err := parseEndpoint(s.endpoint)
	if err != nil {
		return nil, errors.New("polarlicense: NewClient: " + err.Error())
	}
	if s.creds == nil {
		cred, err := credentials.NewCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("polarlicense: NewClient: default credentials: %w", err)
		}
		s.creds = &providerCredential{cred: cred}
	}
	traced := s.httpClient == nil
	if traced {
		s.httpClient = newDefaultHTTPClient(s.timeouts)
	}
	hc := noRedirects(s.httpClient)
	if s.retryer == nil {
		s.retryer = NewStandardRetryer(s.retryPolicy)
	}
	var hooks []func(context.Context, AttemptInfo)
	for _, h := range s.hooks {
		hooks = append(hooks, h.fn)
	}
	return &Client{
		scheme:    scheme,
		host:      host,
		algorithm: s.algorithm,
		creds:     s.creds,
		http:      hc,
		loc:       s.loc,
		maxBody:   s.maxBody,
		now:       s.now,
		nonce:     s.nonce,
		retryer:   s.retryer,
		hooks:     hooks,
		observers: slices.Clip(s.observers),
		userAgent: []string{userAgent(s.appID)},

		attemptTimeout: s.timeouts.Attempt,
		traced:         traced,
		rpc:            new(sign.RPCSigner),
		v3:             new(sign.V3Signer),
		limiter:        s.limiter,
		stateDir:       s.stateDir,
		ensures:        new(ensureFlights),
	}, nil
}

// String describes the client by its endpoint and algorithm, never its
// credentials.
func (c Client) String() string {
	return "polarlicense.Client(" + c.scheme + "://" + c.host + ", " + c.algorithm.String() + ")"
}

// Format prints String's description for every verb (%v, %+v, %#v, %s, %q,
// %x, %d, %t, %p, …), so that no verb reaches the client's credentials. Its
// receiver is a value, so that a copy of a Client, or a struct holding one,
// formats the same way as a *Client (a nil *Client prints as "<nil>"); a
// Client in an unexported field, which fmt prints without asking it, shows
// its credentials sealed (see CertContent), as addresses.
func (c Client) Format(f fmt.State, verb rune) {
	_, _ = io.WriteString(f, c.String())
}

// LogValue describes the client to slog as String does.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("polarlicense.Client(nil)")
	}
	return slog.StringValue(c.String())
}

// Endpoint returns the URL the client calls, such as "https://polardb.aliyuncs.com".
// A nil *Client, or one not made by NewClient, has none: "".
func (c *Client) Endpoint() string {
	if c == nil || c.host == "" {
		return ""
	}
	return c.scheme + "://" + c.host
}

// request is a request struct of one operation: it checks itself and
// appends its parameters.
type request interface {
	appendParams(p []sign.Param) ([]sign.Param, *ValidationError)
}

// operation describes one API action.
type operation struct {
	name string
	// idempotent tells whether repeating the call cannot repeat its effect,
	// so a retry after an ambiguous failure is safe.
	idempotent bool
}

// call is the one path every operation takes: build the parameters (which
// validates them), then send, classify and decode.
func call[Resp any, PResp interface {
	*Resp
	memberDecoder
}, Req any, PReq interface {
	*Req
	request
}](ctx context.Context, c *Client, op *operation, req PReq) (*Resp, error) {
	if req == nil {
		req = new(Req)
	}
	out := PResp(new(Resp))
	if err := c.do(ctx, op, req, out); err != nil {
		return nil, err
	}
	return (*Resp)(out), nil
}

// do makes one call, between its observers' StartCall and EndCall when the
// client has any, and returns nil with out filled, a *ValidationError or an
// *OperationError.
func (c *Client) do(ctx context.Context, op *operation, req request, out memberDecoder) error {
	if verr := c.refuse(op.name, ctx); verr != nil {
		return verr
	}
	if len(c.observers) > 0 {
		return c.observed(ctx, op, req, out)
	}
	var st callStats
	return c.run(ctx, op, req, out, &st)
}

// refuse returns the *ValidationError of a call that cannot be made at all:
// a nil or zero Client (one not made by NewClient), or a nil context.
func (c *Client) refuse(operation string, ctx context.Context) *ValidationError {
	switch {
	case c == nil:
		return &ValidationError{Operation: operation, Field: "client", Reason: "nil *Client (make one with NewClient)"}
	case c.creds == nil:
		return &ValidationError{Operation: operation, Field: "client", Reason: "a *Client not made by NewClient (make one with NewClient)"}
	case ctx == nil:
		return &ValidationError{Operation: operation, Field: "ctx", Reason: "nil context.Context (use context.Background())"}
	}
	return nil
}

// callStats is what a call's attempts learned, for its CallInfo.
type callStats struct {
	attempts  int
	status    int
	requestID string
}

// observed runs a call, checking its request included, between its
// observers' StartCall and EndCall.
func (c *Client) observed(ctx context.Context, op *operation, req request, out memberDecoder) error {
	start := time.Now()
	for _, o := range c.observers {
		if next := o.StartCall(ctx, CallStart{Operation: op.name, Host: c.host}); next != nil {
			ctx = next
		}
	}
	var st callStats
	err := c.run(ctx, op, req, out, &st)
	info := CallInfo{
		Operation:  op.name,
		Host:       c.host,
		Attempts:   st.attempts,
		StatusCode: st.status,
		RequestID:  st.requestID,
		Duration:   time.Since(start),
		Err:        err,
	}
	for i := len(c.observers) - 1; i >= 0; i-- {
		c.observers[i].EndCall(ctx, info)
	}
	return err
}

// run builds the parameters, which validates them, and sends the call.
func (c *Client) run(ctx context.Context, op *operation, req request, out memberDecoder, st *callStats) error {
	b := builders.Get().(*builder)
	defer builders.Put(b)
	b.listHint = 0
	if p, ok := req.(pagedRequest); ok {
		b.listHint = cmp.Or(p.pageSize(), serviceDefaultPageSize)
	}
	params, verr := req.appendParams(b.params[:0])
	b.params = params
	if verr != nil {
		if verr.Operation == "" {
			verr.Operation = op.name
		}
		return verr
	}
	return c.send(ctx, op, b, out, st)
}

// pagedRequest is a request for one page of a list.
type pagedRequest interface {
	// pageSize is the page size asked for, 0 for the service's default.
	pageSize() int
}

// serviceDefaultPageSize is the page size the service uses when none is sent.
const serviceDefaultPageSize = 30

// builder holds the scratch space of one call, reused across calls.
type builder struct {
	listHint int          // the page size asked for, to size the decoded list
	params   []sign.Param // the business parameters
	signed   []sign.Param // one RPC attempt's parameters: the business ones and the common ones
	buf      []byte
	sig      []byte
	headers  []sign.Param
}

var builders = sync.Pool{New: func() any {
	return &builder{params: make([]sign.Param, 0, 16), signed: make([]sign.Param, 0, 32), buf: make([]byte, 0, 512), sig: make([]byte, 0, 64), headers: make([]sign.Param, 0, 8)}
}}

// send makes the call, retrying as the retry rules and the Retryer allow,
// running the attempt hooks after each attempt, and returns nil with out
// filled, or an *OperationError. It notes in st what the attempts learned.
func (c *Client) send(ctx context.Context, op *operation, b *builder, out memberDecoder, st *callStats) error {
	if err := ctx.Err(); err != nil {
		return &OperationError{Operation: op.name, Err: err}
	}
	for attempt := 1; ; attempt++ {
		if err := c.limiter.wait(ctx); err != nil { // WithRateLimit
			err = fmt.Errorf("%w (while waiting for the rate limit)", err)
			if attempt > 1 {
				c.retryer.Finished(ctx, op.name, attempt-1, err)
			}
			return &OperationError{Operation: op.name, Attempts: attempt - 1, Err: err}
		}
		start := time.Now()
		res := c.attempt(ctx, op, b, out)
		c.limiter.observe(res.err)
		st.attempts, st.status, st.requestID = attempt, res.status, res.requestID
		err := res.err
		if err == nil {
			c.attemptDone(ctx, op, attempt, &res, start, 0, false, "")
			c.retryer.Finished(ctx, op.name, attempt, nil)
			return nil
		}
		wait, retry, reason := c.decide(ctx, op, attempt, &res)
		err = res.err // decide may have said why it gave up
		c.attemptDone(ctx, op, attempt, &res, start, wait, retry, reason)
		if !retry {
			if uncertain(op, &res) {
				err = &uncertainError{err: err, op: op.name}
			}
			c.retryer.Finished(ctx, op.name, attempt, err)
			return &OperationError{Operation: op.name, Attempts: attempt, Err: err}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			err = fmt.Errorf("%w (while waiting to retry after: %w)", ctx.Err(), err)
			c.retryer.Finished(ctx, op.name, attempt, err)
			return &OperationError{Operation: op.name, Attempts: attempt, Err: err}
		case <-timer.C:
		}
	}
}

// decide returns whether a failed attempt is retried and after how long, or
// why not.
func (c *Client) decide(ctx context.Context, op *operation, attempt int, res *attemptResult) (wait time.Duration, retry bool, reason string) {
	if ctx.Err() != nil {
		return 0, false, "context ended"
	}
	retry, rejected := retryable(res.err)
	if !retry {
		return 0, false, "not retryable"
	}
	if !op.idempotent && res.sent && !rejected {
		return 0, false, "not idempotent and the request may have been processed"
	}
	if pastDeadline(ctx, res, throttleFloor(res.err)) {
		return 0, false, "the service's wait passes the context's deadline"
	}
	wait, ok := c.retryer.Retry(ctx, op.name, attempt, res.err)
	if !ok {
		return 0, false, "retryer declined"
	}
	if pastDeadline(ctx, res, wait) {
		return 0, false, "the wait passes the context's deadline"
	}
	return wait, true, ""
}

// pastDeadline reports whether waiting wait before the next attempt would
// pass ctx's deadline; if so it sets res.err to say so, wrapping
// context.DeadlineExceeded and the attempt's error. The call then ends at
// once instead of sleeping until the deadline only to fail.
func pastDeadline(ctx context.Context, res *attemptResult, wait time.Duration) bool {
	deadline, ok := ctx.Deadline()
	if !ok || wait <= 0 {
		return false
	}
	left := time.Until(deadline)
	if wait < left {
		return false
	}
	res.err = fmt.Errorf("%w: a retry must wait %v, more than the %v left before the context's deadline, so the call ends now; last attempt: %w",
		context.DeadlineExceeded, wait, max(left, 0).Round(time.Millisecond), res.err)
	return true
}

// uncertain reports whether a failed attempt leaves the outcome of an
// operation that is not idempotent unknown: the request was sent, and no
// definite answer came back. A 4xx or throttling answer is definite; a 5xx,
// a lost or unreadable response, a timeout or a cancellation is not, nor is
// SignatureNonceUsed: the client never sends a nonce twice, so that answer
// says this very request reached the service before (replayed by a
// retrying transport or a proxy), and that copy may have been processed.
func uncertain(op *operation, res *attemptResult) bool {
	if op.idempotent || !res.sent {
		return false
	}
	var apiErr *APIError
	if errors.As(res.err, &apiErr) {
		if apiErr.Code == codeSignatureNonceUsed {
			return true
		}
		if apiErr.StatusCode >= 500 && !apiErr.Throttled() {
			// Any 5xx, not only those retried: the service or a gateway
			// failed, perhaps after the request was processed.
			return true
		}
		retry, rejected := retryable(apiErr)
		return retry && !rejected
	}
	return true
}

// codeSignatureNonceUsed is the service's answer to a request whose nonce
// it has already seen.
const codeSignatureNonceUsed = "SignatureNonceUsed"

// attemptResult is what one attempt learned.
type attemptResult struct {
	err       error
	status    int    // HTTP status, 0 when no answer came
	requestID string // from the body or the x-acs-request-id header
	// sent is true unless the request provably never reached the service:
	// the connection could not be made, or writing the request failed
	// partway. It is tracked only for operations that are not idempotent.
	sent bool
}

// attempt sends the request once: fresh credentials, nonce and timestamp,
// signed, under the per-attempt timeout; then reads, classifies and decodes
// the answer.
func (c *Client) attempt(ctx context.Context, op *operation, b *builder, out memberDecoder) (res attemptResult) {
	cred, err := c.creds.retrieve(ctx, c.attemptTimeout)
	if err != nil {
		res.err = err
		return res
	}
	if cerr := cred.check(); cerr != nil {
		res.err = cerr
		return res
	}
	signed := false
	defer func() {
		// A success is scrubbed too: its request id, which attempt hooks
		// see, and what its response holds of the answer.
		c.scrub(&res, cred, b, signed, out)
	}()
	if c.attemptTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.attemptTimeout)
		defer cancel()
	}
	var tr *sendTrace
	if !op.idempotent {
		tr = new(sendTrace)
		ctx = httptrace.WithClientTrace(ctx, tr.clientTrace())
	}
	req, err := c.newHTTPRequest(ctx, op, b, cred)
	if err != nil {
		res.err = err
		return res
	}
	signed = true
	resp, err := c.http.Do(req)
	if err != nil {
		res.sent = !op.idempotent && !c.neverSent(err, tr)
		res.err = err
		return res
	}
	res.sent = !op.idempotent
	res.status = resp.StatusCode
	res.requestID = resp.Header.Get("x-acs-request-id")
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		resp.Body.Close()
		res.err = &RedirectError{StatusCode: resp.StatusCode, Host: c.locationHost(resp.Header.Get("Location")), RequestID: res.requestID}
		return res
	}
	pooled := getBodyBuffer()
	body, err := readBody(resp, c.maxBody, *pooled)
	if err != nil {
		putBodyBuffer(pooled, *pooled)
		res.err = err
		if errors.Is(err, errBodyTooLarge) { // an answer, too large to read: say whose
			res.requestID = printable(res.requestID, fieldLimit)
			res.err = &DecodeError{StatusCode: resp.StatusCode, RequestID: res.requestID, Err: err}
		}
		return res
	}
	res.requestID, res.err = decodeAnswer(c.loc, b.listHint, resp.StatusCode, body, res.requestID, out)
	if e, ok := res.err.(*APIError); ok && e.Throttled() {
		e.ThrottleWait = throttleWait(resp.Header)
	}
	if k, ok := out.(bodyKeeper); ok && res.err == nil {
		k.keepBody(bytes.Clone(body)) // Client.Call's response, which the caller owns
	}
	putBodyBuffer(pooled, body)
	return res
}

// scrub takes the attempt's secrets out of its error and request id (see
// the package notes on errors), and out of a success's response (its
// RequestID; Client.Call's body), before any reaches the caller, a Retryer,
// an attempt hook or a log record.
func (c *Client) scrub(res *attemptResult, cred credential, b *builder, signed bool, out memberDecoder) {
	// Once signed, b.sig holds the signature and b.buf the signed query
	// (RPC) or the Authorization header (V3), which are scrubbed whole too.
	secret, token, sig := cred.secret.open(), cred.token.open(), ""
	if signed {
		sig = bytesView(b.sig) // not kept: newScrubber copies what it keeps
	}
	var held *string // the success response's RequestID
	var raw *rawResponse
	if res.err == nil {
		switch r := out.(type) {
		case requestIDHolder:
			held = r.requestIDRef()
		case *rawResponse:
			raw = r
		}
	}
	if res.err == nil && !mayHoldSecret(res.requestID, secret, token, sig) &&
		(held == nil || !mayHoldSecret(*held, secret, token, sig)) &&
		(raw == nil || !mayHoldSecret(bytesView(raw.body), secret, token, sig)) {
		return // a success, the common case: nothing to build a scrubber for
	}
	signedText := ""
	if signed {
		sig, signedText = string(b.sig), string(b.buf)
	}
	sc := newScrubber([]string{secret, token, sig}, signedText)
	if res.err != nil {
		res.err = sc.error(res.err)
	}
	res.requestID = sc.text(res.requestID)
	if held != nil {
		*held = sc.text(*held)
	}
	if raw != nil {
		raw.body = sc.body(raw.body)
	}
}

// requestIDHolder is a typed response: the attempt scrubs its RequestID.
type requestIDHolder interface {
	requestIDRef() *string
}

// locationHost returns the host a Location header names, the endpoint's
// host for a relative one, or "" when there is none or it is not a URL.
func (c *Client) locationHost(location string) string {
	if location == "" {
		return ""
	}
	u, err := url.Parse(location)
	if err != nil {
		return ""
	}
	if u.Host == "" {
		return c.host
	}
	return printable(u.Host, 256)
}

// sendTrace learns from net/http, for an operation that is not idempotent,
// whether its request can have left.
type sendTrace struct {
	gotConn         atomic.Bool // a connection was had: the request may have left
	handshakeFailed atomic.Bool // a TLS handshake failed or timed out: the request's own, unless it had a connection
	writeFailed     atomic.Bool // writing the request failed partway
}

func (t *sendTrace) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { t.gotConn.Store(true) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err != nil {
				t.handshakeFailed.Store(true)
			}
		},
		WroteRequest: func(info httptrace.WroteRequestInfo) { t.writeFailed.Store(info.Err != nil) },
	}
}

// neverSent reports whether a failed round trip provably sent nothing the
// service could act on: no connection was had (known only for the client's
// own transport), the name lookup, dial or TLS handshake failed or timed
// out, or writing the request failed partway.
func (c *Client) neverSent(err error, t *sendTrace) bool {
	// A failed handshake counts only while the request has had no
	// connection: net/http goes on with a dial begun for a request that
	// then took a connection another request freed, and that dial reports
	// its handshake to the request's trace.
	if t != nil && (t.handshakeFailed.Load() && !t.gotConn.Load() || t.writeFailed.Load() || c.traced && !t.gotConn.Load()) {
		return true
	}
	var (
		opErr    *net.OpError
		dnsErr   *net.DNSError
		record   tls.RecordHeaderError
		verify   *tls.CertificateVerificationError
		unknownA x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &dnsErr) || errors.As(err, &opErr) && opErr.Op == "dial" ||
		errors.As(err, &record) || errors.As(err, &verify) ||
		errors.As(err, &unknownA) || errors.As(err, &hostname) || errors.As(err, &invalid)
}
