package polarlicenseotel_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	polarlicense "github.com/polarlicense/polarlicense-go"
	polarlicenseotel "github.com/polarlicense/polarlicense-go/otel"
)

// fixedTransport answers every request from memory with one body, so that
// a benchmark measures the client alone.
type fixedTransport struct{ body []byte }

func (t fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: int64(len(t.body)),
		Body: io.NopCloser(bytes.NewReader(t.body)), Request: r}, nil
}

// ordersBody is a DescribeLicenseOrders answer with n orders, as the root
// package's benchmarks use.
func ordersBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"RequestId":"34458CD3-33E0-4624-BFEF-840C15A1B2C3","PageNumber":1,"PageRecordCount":` + strconv.Itoa(n) +
		`,"TotalRecordCount":` + strconv.Itoa(n) + `,"Items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := strconv.Itoa(227638319690519 + i)
		b.WriteString(`{"ActivatedCodeCount":3,"ActivationCodeQuota":10,"AliyunOrderId":"` + id +
			`","AllowEmptySystemIdentifier":false,"Engine":"PG","GmtCreated":"2022-02-11 03:14:15","GmtModified":"2022-02-11 03:14:15",` +
			`"IsVirtualOrder":false,"IsVirtualOrderFrozen":false,"PackageType":"single_node_subscribe","PackageValidity":"1 year",` +
			`"PurchaseChannel":"aliyun_public","VirtualAliyunOrderId":"` + id + `"}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// discard is a span processor that drops every span: the spans are still
// sampled and recorded, so the benchmark counts building them.
type discard struct{}

func (discard) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (discard) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (discard) Shutdown(context.Context) error                  { return nil }
func (discard) ForceFlush(context.Context) error                { return nil }

// BenchmarkTelemetry measures one DescribeLicenseOrders call of 30 orders on
// an in-memory transport: without WithTelemetry; with it on no-op
// providers (OpenTelemetry not configured); and with the SDK's providers,
// every span sampled and recorded, metrics aggregated by a ManualReader.
func BenchmarkTelemetry(b *testing.B) {
	cases := []struct {
		name string
		tp   trace.TracerProvider
		mp   metric.MeterProvider
		off  bool
	}{
		{name: "none", off: true},
		{name: "noop", tp: tracenoop.NewTracerProvider(), mp: metricnoop.NewMeterProvider()},
		{name: "sdk", tp: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(discard{})),
			mp: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))},
	}
	body := ordersBody(30)
	req := &polarlicense.DescribeLicenseOrdersRequest{PageNumber: 1, PageSize: 30}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			opts := []polarlicense.Option{polarlicense.WithEndpoint("http://127.0.0.1:1"), polarlicense.WithAccessKey("id", "secret"),
				polarlicense.WithHTTPClient(&http.Client{Transport: fixedTransport{body: body}})}
			if !tc.off {
				opts = append(opts, polarlicenseotel.WithTelemetry(tc.tp, tc.mp))
			}
			c, err := polarlicense.NewClient(opts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				out, err := c.DescribeLicenseOrders(ctx, req)
				if err != nil || len(out.Items) != 30 {
					b.Fatal(err)
				}
			}
		})
	}
}
