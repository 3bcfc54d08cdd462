package polarlicenseotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	polarlicense "github.com/polarlicense/polarlicense-go"
	polarlicenseotel "github.com/polarlicense/polarlicense-go/otel"
)

// A server that echoes the request's secrets back, in every place an
// answer has (the request id header and member, the error code, message
// and host id, an unreadable body, a success's request id), puts none of
// them in a span, an event or a metric: the hooks are given scrubbed text.
func TestTelemetryHoldsNoSecretAServerEchoes(t *testing.T) {
	const id, secret, token = "LTAIechoid000001", "echo-secret-0123456789", "CAIS-echo-token-0123456789"
	for _, mode := range []string{"error", "success", "header", "unreadable", "html"} {
		t.Run(mode, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				echo := strings.ReplaceAll(r.URL.RawQuery+" "+r.Header.Get("Authorization")+" "+token+" "+secret, `"`, "")
				w.Header().Set("x-acs-request-id", token)
				switch mode {
				case "error":
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte(`{"RequestId":"` + token + `","Code":"` + secret + `","Message":"` + echo + `","HostId":"` + token + `"}`))
				case "success":
					_, _ = w.Write([]byte(`{"RequestId":"` + secret + `","Items":[],"TotalRecordCount":0,"PageNumber":1,"PageRecordCount":0}`))
				case "header":
					_, _ = w.Write([]byte(`{"Items":[],"TotalRecordCount":0,"PageNumber":1,"PageRecordCount":0}`))
				case "unreadable":
					_, _ = w.Write([]byte(`{"RequestId":"` + token + `", ` + echo))
				case "html":
					w.WriteHeader(http.StatusBadGateway)
					_, _ = w.Write([]byte("<html>" + echo + "</html>"))
				}
			}))
			defer srv.Close()
			spans, reader := tracetest.NewSpanRecorder(), sdkmetric.NewManualReader()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			for _, alg := range []polarlicense.SignatureAlgorithm{polarlicense.SignatureRPC, polarlicense.SignatureV3} {
				c, err := polarlicense.NewClient(polarlicense.WithEndpoint(srv.URL), polarlicense.WithSTSToken(id, secret, token),
					polarlicense.WithSignatureAlgorithm(alg), polarlicenseotel.WithTelemetry(tp, mp),
					polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}))
				require.NoError(t, err)
				_, _ = c.DescribeLicenseOrders(context.Background(), nil)
				_, _ = c.Call(context.Background(), "DescribeDBClusters", map[string]string{"PageSize": "5"})
			}

			var all strings.Builder
			for _, s := range spans.Ended() {
				for _, kv := range s.Attributes() {
					all.WriteString(string(kv.Key) + "=" + kv.Value.String() + "\n")
				}
				for _, e := range s.Events() {
					for _, kv := range e.Attributes {
						all.WriteString(string(kv.Key) + "=" + kv.Value.String() + "\n")
					}
				}
				all.WriteString("status=" + s.Status().Description + "\n")
			}
			var rm metricdata.ResourceMetrics
			require.NoError(t, reader.Collect(context.Background(), &rm))
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
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
			}
			require.Len(t, spans.Ended(), 4, "two calls by each algorithm")
			require.Contains(t, all.String(), "polarlicense.attempt=", "attempt events were recorded")
			for _, s := range []string{secret, token, "echo-secret", "CAIS-echo"} {
				assert.NotContains(t, all.String(), s)
			}
		})
	}
}
