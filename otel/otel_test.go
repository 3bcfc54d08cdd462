package polarlicenseotel_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	polarlicense "github.com/polarlicense/polarlicense-go"
	polarlicenseotel "github.com/polarlicense/polarlicense-go/otel"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// harness is an emulator and a client instrumented with in-memory
// recorders.
type harness struct {
	srv    *polarlicensetest.Server
	client *polarlicense.Client
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
}

func newHarness(t *testing.T, opts ...polarlicensetest.Option) *harness {
	t.Helper()
	h := &harness{srv: polarlicensetest.NewServer(opts...), spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	t.Cleanup(h.srv.Close)
	h.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	c, err := polarlicense.NewClient(append(h.srv.ClientOptions(),
		polarlicenseotel.WithTelemetry(h.tp, mp),
		polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{BaseDelay: time.Millisecond}))...)
	require.NoError(t, err)
	h.client = c
	return h
}

// ended returns the ended spans named name.
func (h *harness) ended(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range h.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// metrics collects the metrics of the client's scope by name.
func (h *harness) metrics(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, h.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != polarlicenseotel.ScopeName {
			continue
		}
		assert.Equal(t, polarlicense.Version, sm.Scope.Version)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

func attrs(kvs []attribute.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

func setAttrs(s attribute.Set) map[string]any { return attrs(s.ToSlice()) }

func TestOneInjected503IsOneSpanWithTwoAttempts(t *testing.T) {
	h := newHarness(t)
	h.srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})
	ctx, parent := h.tp.Tracer("test").Start(context.Background(), "test")
	_, err := h.client.DescribeLicenseOrders(ctx, nil)
	parent.End()
	require.NoError(t, err)

	spans := h.ended("polardb/DescribeLicenseOrders")
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID(), "a child of the caller's span")
	assert.Equal(t, parent.SpanContext().TraceID(), s.SpanContext().TraceID())
	assert.Equal(t, codes.Ok, s.Status().Code)
	port, _ := strconv.Atoi(h.srv.URL[strings.LastIndex(h.srv.URL, ":")+1:])
	a := attrs(s.Attributes())
	assert.Equal(t, "alibaba_cloud", a["rpc.system"])
	assert.Equal(t, "polardb", a["rpc.service"])
	assert.Equal(t, "DescribeLicenseOrders", a["rpc.method"])
	assert.Equal(t, "127.0.0.1", a["server.address"])
	assert.Equal(t, int64(port), a["server.port"])
	assert.Equal(t, int64(2), a["polarlicense.attempts"])
	assert.Equal(t, int64(200), a["http.response.status_code"])
	assert.NotContains(t, a, "error.type")
	reqs := h.srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[1].RequestID, a["alibaba_cloud.request_id"])

	events := s.Events()
	require.Len(t, events, 2)
	first, second := attrs(events[0].Attributes), attrs(events[1].Attributes)
	assert.Equal(t, "attempt", events[0].Name)
	assert.Equal(t, int64(1), first["polarlicense.attempt"])
	assert.Equal(t, int64(503), first["http.response.status_code"])
	assert.Equal(t, reqs[0].RequestID, first["alibaba_cloud.request_id"])
	assert.Equal(t, "ServiceUnavailable", first["alibaba_cloud.error_code"])
	assert.Equal(t, true, first["polarlicense.retry"])
	assert.Contains(t, first, "polarlicense.retry.wait")
	assert.Equal(t, "api_error", first["polarlicense.outcome"])
	assert.Contains(t, first["polarlicense.decision"], "retry in ")
	assert.Equal(t, "attempt", events[1].Name)
	assert.Equal(t, int64(2), second["polarlicense.attempt"])
	assert.Equal(t, int64(200), second["http.response.status_code"])
	assert.Equal(t, reqs[1].RequestID, second["alibaba_cloud.request_id"])
	assert.Equal(t, false, second["polarlicense.retry"])
	assert.Equal(t, "ok", second["polarlicense.outcome"])
	assert.Equal(t, "done", second["polarlicense.decision"])

	m := h.metrics(t)
	dur, ok := m[polarlicenseotel.DurationMetric].Data.(metricdata.Histogram[float64])
	require.True(t, ok)
	assert.Equal(t, "s", m[polarlicenseotel.DurationMetric].Unit)
	require.Len(t, dur.DataPoints, 1)
	dp := dur.DataPoints[0]
	assert.Equal(t, uint64(1), dp.Count, "one value per call")
	assert.Positive(t, dp.Sum)
	assert.Less(t, dp.Sum, 10.0, "seconds, not milliseconds")
	da := setAttrs(dp.Attributes)
	assert.Equal(t, "DescribeLicenseOrders", da["rpc.method"])
	assert.Equal(t, "ok", da["polarlicense.outcome"])
	assert.Equal(t, "127.0.0.1", da["server.address"])

	att, ok := m[polarlicenseotel.AttemptsMetric].Data.(metricdata.Sum[int64])
	require.True(t, ok)
	assert.True(t, att.IsMonotonic)
	byOutcome := map[string]int64{}
	for _, dp := range att.DataPoints {
		a := setAttrs(dp.Attributes)
		assert.Equal(t, "DescribeLicenseOrders", a["rpc.method"])
		byOutcome[a["polarlicense.outcome"].(string)+" retry="+strconv.FormatBool(a["polarlicense.retry"].(bool))] += dp.Value
	}
	assert.Equal(t, map[string]int64{"api_error retry=true": 1, "ok retry=false": 1}, byOutcome)
}

func TestAValidationFailureIsAnErrorSpanWithNoAttempt(t *testing.T) {
	h := newHarness(t)
	ctx, parent := h.tp.Tracer("test").Start(context.Background(), "test")
	_, err := h.client.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{})
	parent.End()
	var ve *polarlicense.ValidationError
	require.ErrorAs(t, err, &ve)

	spans := h.ended("polardb/DescribeLicenseOrderDetails")
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID())
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, err.Error(), s.Status().Description)
	assert.Empty(t, s.Events(), "no attempt")
	a := attrs(s.Attributes())
	assert.Equal(t, "invalid", a["error.type"])
	assert.Equal(t, int64(0), a["polarlicense.attempts"])
	assert.NotContains(t, a, "alibaba_cloud.error_code")
	assert.Zero(t, h.srv.RequestCount(""), "nothing was sent")

	m := h.metrics(t)
	dur := m[polarlicenseotel.DurationMetric].Data.(metricdata.Histogram[float64])
	require.Len(t, dur.DataPoints, 1)
	assert.Equal(t, "invalid", setAttrs(dur.DataPoints[0].Attributes)["polarlicense.outcome"])
	assert.NotContains(t, m, polarlicenseotel.AttemptsMetric, "no attempt is counted")
}

func TestAnErrorAnswerCarriesTheCodeAndRequestID(t *testing.T) {
	h := newHarness(t)
	_, err := h.client.Call(context.Background(), "DescribeDBClusters", map[string]string{"RegionId": "cn-hangzhou"})
	var apiErr *polarlicense.APIError
	require.ErrorAs(t, err, &apiErr)

	spans := h.ended("polardb/DescribeDBClusters")
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, codes.Error, s.Status().Code)
	a := attrs(s.Attributes())
	assert.Equal(t, "DescribeDBClusters", a["rpc.method"])
	assert.Equal(t, polarlicensetest.CodeInvalidActionNotFound, a["alibaba_cloud.error_code"])
	assert.Equal(t, apiErr.RequestID, a["alibaba_cloud.request_id"])
	assert.Equal(t, int64(http.StatusNotFound), a["http.response.status_code"])
	assert.Equal(t, "api_error", a["error.type"])
	require.Len(t, s.Events(), 1)
	ev := attrs(s.Events()[0].Attributes)
	assert.Equal(t, false, ev["polarlicense.retry"])
	assert.Equal(t, "give up: not retryable", ev["polarlicense.decision"])
}

func TestOutcomes(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultThrottle, TimeLeft: time.Hour})
	_, err := h.client.DescribeLicenseOrders(ctx, nil)
	require.Error(t, err)
	h.srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})
	_, err = h.client.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "12:34:56:78:9a:bc", Name: "n", SystemIdentifier: "7566974101300000001"})
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = h.client.DescribeLicenseOrders(cctx, nil)
	require.ErrorIs(t, err, context.Canceled)
	tctx, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	<-tctx.Done()
	_, err = h.client.DescribeLicenseOrders(tctx, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	var got []string
	for _, s := range h.spans.Ended() {
		got = append(got, s.Name()+" "+attrs(s.Attributes())["error.type"].(string))
	}
	assert.Equal(t, []string{
		"polardb/DescribeLicenseOrders throttled",
		"polardb/CreateActivationCode uncertain",
		"polardb/DescribeLicenseOrders canceled",
		"polardb/DescribeLicenseOrders timeout",
	}, got)
}

func TestNilProvidersAreTheGlobalOnes(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	prevTP, prevMP := otel.GetTracerProvider(), otel.GetMeterProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetMeterProvider(prevMP) })
	opt := polarlicenseotel.WithTelemetry(nil, nil) // made before the globals are set: they delegate
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))

	assertOneCallRecorded(t, opt, spans, reader)
}

// A nil pointer of a provider type, such as a *sdktrace.TracerProvider a
// program leaves unset when tracing is off, is nil too: the global
// providers, not a panic in the SDK's methods.
func TestNilPointerProvidersAreTheGlobalOnes(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	prevTP, prevMP := otel.GetTracerProvider(), otel.GetMeterProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetMeterProvider(prevMP) })
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))

	var tp *sdktrace.TracerProvider
	var mp *sdkmetric.MeterProvider
	var opt polarlicense.Option
	require.NotPanics(t, func() { opt = polarlicenseotel.WithTelemetry(tp, mp) })
	assertOneCallRecorded(t, opt, spans, reader)
}

// assertOneCallRecorded makes one call through a client with opt and checks
// that spans and reader recorded it: one span, the two metrics.
func assertOneCallRecorded(t *testing.T, opt polarlicense.Option, spans *tracetest.SpanRecorder, reader *sdkmetric.ManualReader) {
	t.Helper()
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c, err := polarlicense.NewClient(append(srv.ClientOptions(), opt)...)
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, spans.Ended(), 1)
	assert.Equal(t, "polardb/DescribeLicenseOrders", spans.Ended()[0].Name())
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	assert.Len(t, rm.ScopeMetrics[0].Metrics, 2)
}

func TestTwoInstrumentationsKeepTheirSpansApart(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})
	a, b := tracetest.NewSpanRecorder(), tracetest.NewSpanRecorder()
	c, err := polarlicense.NewClient(append(srv.ClientOptions(),
		polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{BaseDelay: time.Millisecond}),
		polarlicenseotel.WithTelemetry(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(a)), nil),
		polarlicenseotel.WithTelemetry(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(b)), nil))...)
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	for _, rec := range []*tracetest.SpanRecorder{a, b} {
		require.Len(t, rec.Ended(), 1)
		assert.Len(t, rec.Ended()[0].Events(), 2)
	}
}

func TestTelemetryHoldsNoSecret(t *testing.T) {
	h := newHarness(t, polarlicensetest.WithSecurityToken("CAIS.sts-token-never-shown"))
	h.srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})
	_, err := h.client.DescribeActivationCodeDetails(context.Background(), &polarlicense.DescribeActivationCodeDetailsRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, ActivationCodeID: 1})
	require.NoError(t, err)
	_, _ = h.client.DescribeActivationCodeDetails(context.Background(), &polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})

	var all strings.Builder
	for _, s := range h.spans.Ended() {
		for _, kv := range s.Attributes() {
			all.WriteString(kv.Value.String() + "\n")
		}
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				all.WriteString(kv.Value.String() + "\n")
			}
		}
		all.WriteString(s.Status().Description + "\n")
	}
	for _, m := range h.metrics(t) {
		switch d := m.Data.(type) {
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				all.WriteString(dp.Attributes.Encoded(attribute.DefaultEncoder()) + "\n")
			}
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				all.WriteString(dp.Attributes.Encoded(attribute.DefaultEncoder()) + "\n")
			}
		}
	}
	require.NotZero(t, all.Len())
	for _, secret := range []string{h.srv.AccessKeySecret, h.srv.SecurityToken, h.srv.AccessKeyID, polarlicensetest.DemoOrderPG, "Signature"} {
		assert.NotContains(t, all.String(), secret)
	}
}

// spanningTransport starts a span for each request it carries, as otelhttp
// does, from the request's context.
type spanningTransport struct {
	tracer trace.Tracer
	next   http.RoundTripper
}

func (t spanningTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx, span := t.tracer.Start(r.Context(), "HTTP POST")
	defer span.End()
	return t.next.RoundTrip(r.WithContext(ctx))
}

func TestTheTransportsSpansAreChildrenOfTheCallSpan(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	c, err := polarlicense.NewClient(append(srv.ClientOptions(),
		polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{BaseDelay: time.Millisecond}),
		polarlicense.WithHTTPClient(&http.Client{Transport: spanningTransport{tracer: tp.Tracer("http"), next: http.DefaultTransport}}),
		polarlicenseotel.WithTelemetry(tp, nil))...)
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)

	var call sdktrace.ReadOnlySpan
	var https []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		switch s.Name() {
		case "polardb/DescribeLicenseOrders":
			call = s
		case "HTTP POST":
			https = append(https, s)
		}
	}
	require.NotNil(t, call)
	assert.False(t, call.Parent().IsValid(), "a root span: the caller's context had none")
	require.Len(t, https, 2, "one per attempt")
	for _, s := range https {
		assert.Equal(t, call.SpanContext().SpanID(), s.Parent().SpanID())
	}
}
