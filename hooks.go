package polarlicense

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Hooks: what a program embedding the client can watch. An attempt hook
// (WithAttemptHook) sees every attempt; a CallObserver (WithCallObserver)
// sees every call from start to end, its attempts included, and can put
// values, such as a trace span, in the context the call runs in. WithLogger
// is an attempt hook. With none of them a call pays nothing for them.
//
// Hooks run on the goroutine that made the call, in the order their options
// were given, and before the call returns; a slow hook slows the call. They
// are given nothing secret: no credentials, signature, request parameters or
// response body, and errors whose text had secrets taken out.

// AttemptInfo describes one attempt of a call: one request sent (or, when
// credentials could not be had, one that could not be sent) and what the
// client does next.
type AttemptInfo struct {
	// Operation is the API action, such as "DescribeLicenseOrders", or the
	// action given to Client.Call.
	Operation string
	// Attempt is the attempt's number, from 1.
	Attempt int
	// StatusCode is the HTTP status of the answer; 0 when none came.
	StatusCode int
	// RequestID is the request id of the answer, from its body or its
	// x-acs-request-id header; "" when it had none.
	RequestID string
	// Latency is how long the attempt took, from fetching credentials to
	// the last byte of the answer.
	Latency time.Duration
	// Err is why the attempt failed (an *APIError, a *DecodeError, a
	// *RedirectError, a *CredentialError or the transport's error); nil when
	// it succeeded.
	Err error
	// Retry tells whether another attempt follows, after Wait. Should the
	// call's context end during the wait, the call ends there instead, with
	// no further attempt and no further attempt hook.
	Retry bool
	// Wait is how long the client waits before the next attempt; zero
	// unless Retry.
	Wait time.Duration
	// Reason says, when the attempt failed and the call gives up (Err is
	// not nil and Retry is false), why: "context ended", "not retryable",
	// "not idempotent and the request may have been processed", "retryer
	// declined", "the service's wait passes the context's deadline" or "the
	// wait passes the context's deadline". It is "" otherwise.
	Reason string
}

// Decision says in words what happens after the attempt: "done", "retry in
// <Wait>" or "give up: <Reason>". WithLogger's records carry it.
func (a AttemptInfo) Decision() string {
	switch {
	case a.Err == nil:
		return "done"
	case a.Retry:
		return "retry in " + a.Wait.String()
	}
	return "give up: " + a.Reason
}

// CallStart describes a call as it begins.
type CallStart struct {
	// Operation is the API action, such as "DescribeLicenseOrders", or the
	// action given to Client.Call.
	Operation string
	// Host is the host the call goes to, with the port if the endpoint
	// names one, such as "polardb.aliyuncs.com" or "127.0.0.1:8080".
	Host string
}

// CallInfo describes a call that has ended.
type CallInfo struct {
	// Operation is the API action, as in CallStart.
	Operation string
	// Host is the host the call went to, as in CallStart.
	Host string
	// Attempts is how many attempts the call made: 0 when it was refused
	// before anything was sent (a *ValidationError, or a context that had
	// already ended).
	Attempts int
	// StatusCode is the HTTP status of the last attempt's answer; 0 when
	// none came.
	StatusCode int
	// RequestID is the request id of the last attempt's answer; "" when it
	// had none.
	RequestID string
	// Duration is how long the call took, retries and waits included.
	Duration time.Duration
	// Err is the error the call returns; nil when it succeeded.
	Err error
}

// CallObserver watches whole calls, for tracing and metrics: it is told
// when a call starts, after each of its attempts and when it ends. The
// OpenTelemetry instrumentation (module
// github.com/polarlicense/polarlicense-go/otel) is one. A CallObserver must
// be safe for concurrent use: a client makes many calls at once.
type CallObserver interface {
	// StartCall is called as a call begins, before its request is checked.
	// It returns the context the call then runs in: ctx, or ctx with values
	// added (such as a span). That context reaches the call's attempt
	// hooks, AttemptDone, EndCall and the HTTP transport.
	StartCall(ctx context.Context, call CallStart) context.Context
	// AttemptDone is called after each attempt, like an attempt hook.
	AttemptDone(ctx context.Context, a AttemptInfo)
	// EndCall is called once as the call ends, before it returns, with the
	// context the call ran in.
	EndCall(ctx context.Context, call CallInfo)
}

// WithAttemptHook makes the client call hook after every attempt of every
// call, with the context of the call and what the attempt learned (see
// AttemptInfo). Several hooks may be given; they run in order, on the
// goroutine that made the call, before the next attempt or the return. A
// hook must be safe for concurrent use.
func WithAttemptHook(hook func(ctx context.Context, a AttemptInfo)) Option {
	return func(s *settings) error {
		if hook == nil {
			return errors.New("WithAttemptHook: nil hook")
		}
		s.hooks = append(s.hooks, attemptHook{fn: hook})
		return nil
	}
}

// WithCallObserver makes the client tell o about every call: its start,
// each attempt and its end (see CallObserver). Several observers may be
// given: StartCall and AttemptDone run in the order the options were given,
// EndCall in the reverse order, as deferred calls do. Attempt hooks and
// observers' AttemptDone run in the order of their options.
func WithCallObserver(o CallObserver) Option {
	return func(s *settings) error {
		if o == nil {
			return errors.New("WithCallObserver: nil observer")
		}
		s.observers = append(s.observers, o)
		s.hooks = append(s.hooks, attemptHook{fn: o.AttemptDone})
		return nil
	}
}

// WithLogger makes the client write one debug record to l per attempt: the
// operation, the attempt number, the HTTP status, the request id, the
// latency, the retry decision and, after a failure, the error. Records never
// hold credentials, signatures, request parameters or license content: the
// error and request id are scrubbed of the attempt's secrets first, even when
// the server echoed them (see the Security section of the package doc). The
// logger is an attempt hook, run where the option stands among the others; a
// later WithLogger replaces it, and WithLogger(nil) removes it.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		for i, h := range s.hooks {
			if h.logger {
				if l == nil {
					s.hooks = append(s.hooks[:i:i], s.hooks[i+1:]...)
				} else {
					s.hooks[i].fn = logHook(l)
				}
				return nil
			}
		}
		if l != nil {
			s.hooks = append(s.hooks, attemptHook{fn: logHook(l), logger: true})
		}
		return nil
	}
}

// attemptHook is an attempt hook as the options collect it.
type attemptHook struct {
	fn     func(context.Context, AttemptInfo)
	logger bool // WithLogger's, which a later WithLogger replaces
}

// logHook is the attempt hook that writes WithLogger's records.
func logHook(l *slog.Logger) func(context.Context, AttemptInfo) {
	return func(ctx context.Context, a AttemptInfo) {
		if !l.Enabled(ctx, slog.LevelDebug) {
			return
		}
		attrs := []slog.Attr{
			slog.String("operation", a.Operation),
			slog.Int("attempt", a.Attempt),
			slog.Int("status", a.StatusCode),
			slog.String("request_id", a.RequestID),
			slog.Duration("latency", a.Latency),
			slog.String("decision", a.Decision()),
		}
		if a.Err != nil {
			attrs = append(attrs, slog.String("error", a.Err.Error()))
		}
		l.LogAttrs(ctx, slog.LevelDebug, "polarlicense attempt", attrs...)
	}
}

// attemptDone runs the attempt hooks after an attempt; wait, retry and
// reason are the decision taken after it.
func (c *Client) attemptDone(ctx context.Context, op *operation, attempt int, res *attemptResult, start time.Time, wait time.Duration, retry bool, reason string) {
	if len(c.hooks) == 0 {
		return
	}
	a := AttemptInfo{
		Operation:  op.name,
		Attempt:    attempt,
		StatusCode: res.status,
		RequestID:  res.requestID,
		Latency:    time.Since(start),
		Err:        res.err,
		Retry:      retry,
		Wait:       wait,
		Reason:     reason,
	}
	for _, h := range c.hooks {
		h(ctx, a)
	}
}
