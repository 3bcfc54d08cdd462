package polarlicenseotel

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// ScopeName is the instrumentation scope of the tracer and the meter: this
// package's import path.
const ScopeName = "github.com/polarlicense/polarlicense-go/otel"

// Metric names.
const (
	// DurationMetric is the histogram of call durations, in seconds.
	DurationMetric = "rpc.client.duration"
	// AttemptsMetric is the counter of attempts.
	AttemptsMetric = "polarlicense.client.attempts"
)

// Attribute keys, besides OpenTelemetry's own (rpc.*, server.*,
// http.response.status_code, error.type).
const (
	// ErrorCodeKey is the service's error code, such as "Throttling.User".
	ErrorCodeKey = attribute.Key("alibaba_cloud.error_code")
	// RequestIDKey is the request id of an answer, to quote to support.
	RequestIDKey = attribute.Key("alibaba_cloud.request_id")
	// OutcomeKey is how a call or an attempt ended: see the package notes.
	OutcomeKey = attribute.Key("polarlicense.outcome")
	// AttemptKey is an attempt's number, from 1.
	AttemptKey = attribute.Key("polarlicense.attempt")
	// AttemptsKey is the number of attempts a call made.
	AttemptsKey = attribute.Key("polarlicense.attempts")
	// RetryKey tells whether another attempt follows an attempt.
	RetryKey = attribute.Key("polarlicense.retry")
	// RetryWaitKey is the wait before the next attempt, in seconds.
	RetryWaitKey = attribute.Key("polarlicense.retry.wait")
	// DecisionKey is what follows an attempt, in words.
	DecisionKey = attribute.Key("polarlicense.decision")
)

// The outcomes, values of OutcomeKey and of error.type.
const (
	OutcomeOK        = "ok"        // the call or attempt succeeded
	OutcomeInvalid   = "invalid"   // refused before sending: a *polarlicense.ValidationError
	OutcomeThrottled = "throttled" // the service asked the caller to slow down
	OutcomeAPIError  = "api_error" // another error answer of the service or a proxy
	OutcomeUncertain = "uncertain" // the call may have taken effect: polarlicense.ErrUncertainOutcome
	OutcomeTimeout   = "timeout"   // a deadline passed
	OutcomeCanceled  = "canceled"  // the caller's context was cancelled
	OutcomeError     = "error"     // anything else: a connection failure, an unreadable answer, no credentials
)

// OpenTelemetry's own attribute keys.
const (
	rpcSystemKey  = attribute.Key("rpc.system")
	rpcServiceKey = attribute.Key("rpc.service")
	rpcMethodKey  = attribute.Key("rpc.method")
	serverAddrKey = attribute.Key("server.address")
	serverPortKey = attribute.Key("server.port")
	statusCodeKey = attribute.Key("http.response.status_code")
	errorTypeKey  = attribute.Key("error.type")
)

var (
	rpcSystem  = rpcSystemKey.String("alibaba_cloud")
	rpcService = rpcServiceKey.String("polardb")
)

// durationBuckets are the histogram's bucket bounds, in seconds: from a
// fast answer to a call that retried through its whole budget.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60}

// WithTelemetry makes a client trace each call as a span from tp and
// measure it with instruments from mp (see the package notes); nil for
// either, or a nil pointer such as an unset *sdktrace.TracerProvider, means
// OpenTelemetry's global provider, looked up when the option is made (the
// global delegates to a provider set later). One option may serve
// several clients.
func WithTelemetry(tp trace.TracerProvider, mp metric.MeterProvider) polarlicense.Option {
	return polarlicense.WithCallObserver(newObserver(tp, mp))
}

// observer is the polarlicense.CallObserver of WithTelemetry.
type observer struct {
	tracer   trace.Tracer
	duration metric.Float64Histogram
	attempts metric.Int64Counter

	// methods caches, per host and operation, what every call of it
	// needs: span name, start options and metric attribute sets.
	methods     sync.Map // methodKey → *method
	methodCount atomic.Int64
}

func newObserver(tp trace.TracerProvider, mp metric.MeterProvider) *observer {
	if isNil(tp) {
		tp = otel.GetTracerProvider()
	}
	if isNil(mp) {
		mp = otel.GetMeterProvider()
	}
	o := &observer{tracer: tp.Tracer(ScopeName, trace.WithInstrumentationVersion(polarlicense.Version))}
	meter := mp.Meter(ScopeName, metric.WithInstrumentationVersion(polarlicense.Version))
	var err error
	o.duration, err = meter.Float64Histogram(DurationMetric, metric.WithUnit("s"),
		metric.WithDescription("Duration of PolarDB calls, retries included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		otel.Handle(err)
	}
	if o.duration == nil {
		o.duration = metricnoop.Float64Histogram{}
	}
	o.attempts, err = meter.Int64Counter(AttemptsMetric, metric.WithUnit("{attempt}"),
		metric.WithDescription("Attempts of PolarDB calls: one per request sent."))
	if err != nil {
		otel.Handle(err)
	}
	if o.attempts == nil {
		o.attempts = metricnoop.Int64Counter{}
	}
	return o
}

// isNil reports whether a provider is nil, or a nil pointer (or other nil
// reference) in the interface: a program's "var tp *sdktrace.TracerProvider"
// left unset when tracing is off, which the SDK's methods would dereference.
func isNil(p any) bool {
	if p == nil {
		return true
	}
	switch v := reflect.ValueOf(p); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// outcomes lists the outcomes, in the order method's arrays index them.
var outcomes = [...]string{OutcomeOK, OutcomeInvalid, OutcomeThrottled, OutcomeAPIError, OutcomeUncertain, OutcomeTimeout, OutcomeCanceled, OutcomeError}

type methodKey struct{ host, operation string }

// method is what the calls of one operation on one host share.
type method struct {
	spanName   string
	startOpts  []trace.SpanStartOption
	durationBy [len(outcomes)]metric.RecordOption
	attemptBy  [len(outcomes)][2]metric.AddOption // by outcome, then retry
}

// maxCachedMethods bounds the cache: Client.Call can name any action.
const maxCachedMethods = 1024

// method returns the shared part of a call, from the cache when it can.
func (o *observer) method(host, operation string) *method {
	k := methodKey{host, operation}
	if m, ok := o.methods.Load(k); ok {
		return m.(*method)
	}
	m := newMethod(host, operation)
	if o.methodCount.Load() < maxCachedMethods {
		if prev, loaded := o.methods.LoadOrStore(k, m); loaded {
			return prev.(*method)
		}
		o.methodCount.Add(1)
	}
	return m
}

func newMethod(hostport, operation string) *method {
	host, port := splitHost(hostport)
	base := []attribute.KeyValue{rpcSystem, rpcService, rpcMethodKey.String(operation), serverAddrKey.String(host)}
	start := base
	if port > 0 {
		start = append(start[:len(start):len(start)], serverPortKey.Int(port))
	}
	m := &method{
		spanName:  "polardb/" + operation,
		startOpts: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(start...)},
	}
	for i, outcome := range outcomes {
		kv := OutcomeKey.String(outcome)
		m.durationBy[i] = metric.WithAttributeSet(attribute.NewSet(append(base[:len(base):len(base)], kv)...))
		for retry := range 2 {
			m.attemptBy[i][retry] = metric.WithAttributeSet(attribute.NewSet(
				rpcSystem, rpcService, rpcMethodKey.String(operation), serverAddrKey.String(host), kv, RetryKey.Bool(retry == 1)))
		}
	}
	return m
}

// callKey is the context key of an observer's state for the call: a client
// with two observers (two providers) keeps their spans apart.
type callKey struct{ o *observer }

// callState is what an observer keeps for one call.
type callState struct {
	span   trace.Span
	method *method
}

// StartCall starts the call's span.
func (o *observer) StartCall(ctx context.Context, call polarlicense.CallStart) context.Context {
	m := o.method(call.Host, call.Operation)
	ctx, span := o.tracer.Start(ctx, m.spanName, m.startOpts...)
	return context.WithValue(ctx, callKey{o}, &callState{span: span, method: m})
}

// state returns the call's state, made afresh if StartCall did not run.
func (o *observer) state(ctx context.Context, host, operation string) *callState {
	if st, ok := ctx.Value(callKey{o}).(*callState); ok {
		return st
	}
	return &callState{span: trace.SpanFromContext(context.Background()), method: o.method(host, operation)}
}

// AttemptDone adds an attempt event to the span and counts the attempt.
func (o *observer) AttemptDone(ctx context.Context, a polarlicense.AttemptInfo) {
	st := o.state(ctx, "", a.Operation)
	i := outcomeIndex(a.Err)
	retry := 0
	if a.Retry {
		retry = 1
	}
	o.attempts.Add(ctx, 1, st.method.attemptBy[i][retry])
	if !st.span.IsRecording() {
		return
	}
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, AttemptKey.Int(a.Attempt), OutcomeKey.String(outcomes[i]), RetryKey.Bool(a.Retry))
	if a.StatusCode != 0 {
		attrs = append(attrs, statusCodeKey.Int(a.StatusCode))
	}
	if a.RequestID != "" {
		attrs = append(attrs, RequestIDKey.String(a.RequestID))
	}
	if code := errorCode(a.Err); code != "" {
		attrs = append(attrs, ErrorCodeKey.String(code))
	}
	if a.Retry {
		attrs = append(attrs, RetryWaitKey.Float64(a.Wait.Seconds()))
	}
	attrs = append(attrs, DecisionKey.String(a.Decision()))
	st.span.AddEvent("attempt", trace.WithAttributes(attrs...))
}

// EndCall ends the span and records the call's duration.
func (o *observer) EndCall(ctx context.Context, call polarlicense.CallInfo) {
	st := o.state(ctx, call.Host, call.Operation)
	i := outcomeIndex(call.Err)
	o.duration.Record(ctx, call.Duration.Seconds(), st.method.durationBy[i])
	span := st.span
	if !span.IsRecording() {
		span.End()
		return
	}
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, AttemptsKey.Int(call.Attempts))
	if call.StatusCode != 0 {
		attrs = append(attrs, statusCodeKey.Int(call.StatusCode))
	}
	if call.RequestID != "" {
		attrs = append(attrs, RequestIDKey.String(call.RequestID))
	}
	if call.Err == nil {
		span.SetAttributes(attrs...)
		span.SetStatus(codes.Ok, "")
		span.End()
		return
	}
	attrs = append(attrs, errorTypeKey.String(outcomes[i]))
	if code := errorCode(call.Err); code != "" {
		attrs = append(attrs, ErrorCodeKey.String(code))
	}
	span.SetAttributes(attrs...)
	span.SetStatus(codes.Error, call.Err.Error())
	span.End()
}

// outcomeIndex is the index in outcomes of an error's outcome.
func outcomeIndex(err error) int {
	o := outcomeOf(err)
	for i, v := range outcomes {
		if v == o {
			return i
		}
	}
	return len(outcomes) - 1
}

// outcomeOf classifies an error as one of the outcomes.
func outcomeOf(err error) string {
	if err == nil {
		return OutcomeOK
	}
	var (
		ve     *polarlicense.ValidationError
		apiErr *polarlicense.APIError
	)
	switch {
	case errors.Is(err, polarlicense.ErrUncertainOutcome):
		return OutcomeUncertain
	case errors.As(err, &ve):
		return OutcomeInvalid
	case errors.As(err, &apiErr):
		if apiErr.Throttled() {
			return OutcomeThrottled
		}
		return OutcomeAPIError
	case errors.Is(err, context.DeadlineExceeded):
		return OutcomeTimeout
	case errors.Is(err, context.Canceled):
		return OutcomeCanceled
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return OutcomeTimeout
	}
	return OutcomeError
}

// errorCode is the service's error code of an error answer, or "".
func errorCode(err error) string {
	var apiErr *polarlicense.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code
	}
	return ""
}

// splitHost splits "host:port" into the host and the port, 0 when the host
// names none.
func splitHost(hostport string) (string, int) {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport, 0
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return host, 0
	}
	return host, port
}
