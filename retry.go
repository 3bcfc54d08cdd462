package polarlicense

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrUncertainOutcome is wrapped by the error of a CreateActivationCode call
// that failed after its request may have reached the service: the code may or
// may not have been created. Check with DescribeActivationCodes filtered by
// MacAddress or SystemIdentifier before trying again. The error of a
// Client.Call not declared CallIdempotent wraps it in the same case.
var ErrUncertainOutcome = errors.New("the request may have been processed")

// uncertainError marks the cause of an ambiguous failure of an operation
// that is not idempotent.
type uncertainError struct {
	err error
	op  string // the operation
}

func (e *uncertainError) Error() string {
	if e.op != opCreateActivationCode.name {
		return e.err.Error() + "; the request may have been processed: check whether " + e.op + " took effect before trying again"
	}
	return e.err.Error() + "; the activation code may have been created: check with DescribeActivationCodes " +
		"filtered by MacAddress or SystemIdentifier before trying again"
}
func (e *uncertainError) Unwrap() []error { return []error{e.err, ErrUncertainOutcome} }

// Retryer decides whether a retryable failure is retried, and after how long.
// The client asks it only about failures it has judged safe to retry (see
// the package notes on retries). A Retryer must be safe for concurrent use.
//
// Both methods are told the call's context (the caller's, with what any
// CallObserver added) and its operation, such as "DescribeLicenseOrders" or
// the action given to Client.Call, so that a Retryer can keep a budget per
// operation, honour a deadline or read a value the caller put in the context.
type Retryer interface {
	// Retry is called after attempt number attempt (from 1) of a call to
	// operation op failed with err. It returns how long to wait before the
	// next attempt, and false to give up instead. A wait that outlasts ctx
	// ends the call when ctx ends.
	Retry(ctx context.Context, op string, attempt int, err error) (wait time.Duration, retry bool)
	// Finished is called once a call's last attempt has ended (whether or
	// not its request was sent: credentials may have failed first), with
	// the number of attempts it made and its final error (nil on success).
	// A call that makes no attempt (refused by validation, or its context
	// already ended) is not reported.
	Finished(ctx context.Context, op string, attempts int, err error)
}

// RetryPolicy configures the standard retryer: exponential backoff with full
// jitter, a floor from the service's throttling headers, and a client-wide
// retry budget. Zero fields take the defaults shown.
type RetryPolicy struct {
	// MaxAttempts is the most attempts a call makes, the first included
	// (default 3). 1 turns retries off.
	MaxAttempts int
	// BaseDelay is the backoff's first step (default 100ms): before retry n
	// the wait is a random duration from 0 to min(MaxDelay, BaseDelay·2ⁿ⁻¹).
	BaseDelay time.Duration
	// MaxDelay caps the backoff (default 5s). When the service asks for a
	// longer wait than this (a throttling answer's TimeLeft), the call gives
	// up instead of retrying early.
	MaxDelay time.Duration
	// Budget is the client's retry budget in tokens (default 500). A retry
	// costs 5 tokens, or 10 after a timeout; a call that succeeds at once
	// returns 1 token and one that succeeds on a retry returns 5, whatever
	// its retry cost. With the budget spent, failures are returned without
	// retrying, so a service outage does not become a retry storm.
	Budget int
}

// Retry budget costs, as in aws-sdk-go-v2's standard retryer.
const (
	retryCost        = 5
	timeoutRetryCost = 10
	noRetryIncrement = 1
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 100 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 5 * time.Second
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.Budget <= 0 {
		p.Budget = 500
	}
	return p
}

// NewStandardRetryer returns the client's default Retryer configured by p.
// Its budget is one for every operation of the client it serves; it takes
// no notice of the context and the operation it is told.
func NewStandardRetryer(p RetryPolicy) Retryer {
	p = p.withDefaults()
	r := &standardRetryer{policy: p}
	r.tokens.Store(int64(p.Budget))
	return r
}

// standardRetryer implements RetryPolicy. Its budget is one atomic counter,
// so the success path takes no lock.
type standardRetryer struct {
	policy RetryPolicy
	tokens atomic.Int64
}

func (r *standardRetryer) Retry(_ context.Context, _ string, attempt int, err error) (time.Duration, bool) {
	if attempt >= r.policy.MaxAttempts {
		return 0, false
	}
	floor := throttleFloor(err)
	if floor > r.policy.MaxDelay {
		return 0, false
	}
	cost := int64(retryCost)
	if errors.Is(err, context.DeadlineExceeded) {
		cost = timeoutRetryCost
	}
	for {
		t := r.tokens.Load()
		if t < cost {
			return 0, false
		}
		if r.tokens.CompareAndSwap(t, t-cost) {
			break
		}
	}
	ceiling := r.policy.BaseDelay << min(attempt-1, 30)
	if ceiling <= 0 || ceiling > r.policy.MaxDelay {
		ceiling = r.policy.MaxDelay
	}
	wait := time.Duration(rand.Int64N(int64(ceiling) + 1))
	return max(wait, floor), true
}

func (r *standardRetryer) Finished(_ context.Context, _ string, attempts int, err error) {
	if err != nil {
		return
	}
	refund := int64(noRetryIncrement)
	if attempts > 1 {
		refund = retryCost
	}
	for {
		t := r.tokens.Load()
		if t >= int64(r.policy.Budget) {
			return
		}
		if r.tokens.CompareAndSwap(t, min(t+refund, int64(r.policy.Budget))) {
			return
		}
	}
}

// noRetryer never retries.
type noRetryer struct{}

func (noRetryer) Retry(context.Context, string, int, error) (time.Duration, bool) { return 0, false }
func (noRetryer) Finished(context.Context, string, int, error)                    {}

// throttleFloor is the wait a throttling answer asked for, or zero.
func throttleFloor(err error) time.Duration {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.ThrottleWait
	}
	return 0
}

// retryable reports whether err is of a class worth retrying, and whether it
// proves the request was rejected before processing (a throttling answer).
func retryable(err error) (retry, rejectedBeforeProcessing bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if apiErr.Throttled() {
			return true, true
		}
		switch apiErr.Code {
		case "InternalError", "ServiceUnavailable", "UnknownError":
			return true, false
		}
		switch apiErr.StatusCode {
		case 500, 502, 503, 504:
			return true, false
		}
		return false, false
	}
	return transient(err), false
}

// transient reports whether a failure that is not an answer is a known
// transient one (see the list in the package notes on retries).
func transient(err error) bool {
	var ce *CredentialError
	if errors.Is(err, context.Canceled) || errors.As(err, &ce) || errors.Is(err, errBodyTooLarge) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTimeout || dnsErr.IsTemporary
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, known := range [...]error{io.EOF, io.ErrUnexpectedEOF, syscall.ECONNREFUSED, syscall.ECONNRESET,
		syscall.ECONNABORTED, syscall.EPIPE, syscall.ETIMEDOUT} {
		if errors.Is(err, known) {
			return true
		}
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}
