package polarlicensetest

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// FaultKind is the way an injected fault answers a call.
type FaultKind int

// The kinds of fault. All of them strike after the request has been
// authenticated (a request that fails authentication never consumes a fault),
// and all but FaultDropAfter strike before the operation runs, so the state
// is left unchanged.
const (
	// FaultThrottle answers Throttling.User with HTTP 400 (or Fault.Status,
	// such as 429) and the header
	// "x-ratelimit-user-api: Limit:1,Remain:0,TimeLeft:<ms>,Reset:<unix>",
	// TimeLeft being Fault.TimeLeft (one second when zero).
	FaultThrottle FaultKind = iota + 1
	// FaultInternalError answers InternalError with HTTP 500.
	FaultInternalError
	// FaultServiceUnavailable answers ServiceUnavailable with HTTP 503.
	FaultServiceUnavailable
	// FaultDelay waits Fault.Delay, then runs the operation and answers
	// normally. If the request's context ends first (the client gave up),
	// the operation does not run and nothing is answered.
	FaultDelay
	// FaultDrop closes the connection without answering: the operation does
	// not run.
	FaultDrop
	// FaultDropAfter runs the operation (a code is created, quota spent),
	// then writes the status line, the headers (with the full
	// Content-Length) and half of the body of its answer, success or error,
	// and closes the connection: the client sees a truncated answer to a
	// call that took effect, the case an idempotency test needs.
	FaultDropAfter
	// FaultHTML answers an HTML page, as a proxy or load balancer would,
	// with HTTP 502 (or Fault.Status, such as 200) and no request id.
	FaultHTML
)

// String names the kind, such as "FaultThrottle".
func (k FaultKind) String() string {
	switch k {
	case FaultThrottle:
		return "FaultThrottle"
	case FaultInternalError:
		return "FaultInternalError"
	case FaultServiceUnavailable:
		return "FaultServiceUnavailable"
	case FaultDelay:
		return "FaultDelay"
	case FaultDrop:
		return "FaultDrop"
	case FaultDropAfter:
		return "FaultDropAfter"
	case FaultHTML:
		return "FaultHTML"
	case 0:
		return "none"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault makes the next Count calls of an operation fail in one way. Faults
// are consumed in the order they were injected: a call takes the first
// pending fault for its operation (or for any operation), and each call
// consumes one unit of its Count.
type Fault struct {
	// Operation is the Action the fault applies to, one of the six
	// operations, such as "CreateActivationCode"; empty means every
	// operation. Another name panics where the fault is given.
	Operation string
	// Kind is how the calls fail.
	Kind FaultKind
	// Count is how many calls fail; zero means one.
	Count int
	// TimeLeft is, for FaultThrottle, the wait the x-ratelimit-user-api
	// header asks for; zero means one second.
	TimeLeft time.Duration
	// Delay is, for FaultDelay, how long the call is held.
	Delay time.Duration
	// Status is the HTTP status of FaultThrottle (default 400) and FaultHTML
	// (default 502); other kinds ignore it.
	Status int
}

// faultQueue holds the pending faults, safe for concurrent use.
type faultQueue struct {
	mu      sync.Mutex
	pending []Fault // Count is what is left of each
}

func (q *faultQueue) add(faults ...Fault) {
	// All are checked before any is queued: a call that panics queues none.
	for _, f := range faults {
		if f.Kind < FaultThrottle || f.Kind > FaultHTML {
			panic("polarlicensetest: unknown FaultKind " + f.Kind.String())
		}
		if _, known := operations[f.Operation]; !known && f.Operation != "" {
			// A fault for any other name could never strike (the emulator
			// refuses other Actions before faults): a misspelt operation
			// would leave a test of retries testing nothing.
			panic("polarlicensetest: Fault for unknown Operation " + strconv.Quote(f.Operation) +
				`: want one of the six operations, such as "CreateActivationCode", or "" for every one`)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, f := range faults {
		if f.Count <= 0 {
			f.Count = 1
		}
		q.pending = append(q.pending, f)
	}
}

// take consumes one call of the first fault for operation; ok is false when
// there is none.
func (q *faultQueue) take(operation string) (f Fault, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i := range q.pending {
		p := &q.pending[i]
		if p.Operation != "" && p.Operation != operation {
			continue
		}
		f = *p
		p.Count--
		if p.Count == 0 {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
		}
		return f, true
	}
	return Fault{}, false
}

func (q *faultQueue) clear() {
	q.mu.Lock()
	q.pending = nil
	q.mu.Unlock()
}

func (q *faultQueue) remaining() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, f := range q.pending {
		n += f.Count
	}
	return n
}

// faultError returns the error answer of a throttling or 5xx fault.
func faultError(f *Fault, now time.Time) *apiError {
	switch f.Kind {
	case FaultThrottle:
		left := f.TimeLeft
		if left <= 0 {
			left = time.Second
		}
		status := f.Status
		if status == 0 {
			status = http.StatusBadRequest
		}
		e := newError(status, CodeThrottling, "Request was denied due to user flow control.")
		reset := now.Add(left).Unix()
		e.header = http.Header{"X-Ratelimit-User-Api": {"Limit:1,Remain:0,TimeLeft:" +
			strconv.FormatInt(left.Milliseconds(), 10) + ",Reset:" + strconv.FormatInt(reset, 10)}}
		return e
	case FaultInternalError:
		return newError(http.StatusInternalServerError, CodeInternalError,
			"The request processing has failed due to some unknown error, exception or failure.")
	case FaultServiceUnavailable:
		return newError(http.StatusServiceUnavailable, CodeServiceUnavailable,
			"The request has failed due to a temporary failure of the server.")
	}
	return nil
}

// htmlPage is the body of FaultHTML.
func htmlPage(status int) []byte {
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	return []byte("<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text +
		"</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n")
}
