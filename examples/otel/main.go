// Command otel shows a polarlicense client traced and measured with
// OpenTelemetry, spans and metrics written to standard output.
//
// By default it runs against the emulator (polarlicensetest) embedded in the
// program, which is told to refuse the first call with a 503, so that the
// first span shows a retry. With POLARLICENSE_ENDPOINT set, it calls that
// endpoint with the default credential chain instead (environment variables,
// the CLI profile, the ECS instance role, …).
//
//	go run ./examples/otel
//
// It is a module of its own, so that the SDK's module does not depend on
// OpenTelemetry.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	polarlicense "github.com/polarlicense/polarlicense-go"
	polarlicenseotel "github.com/polarlicense/polarlicense-go/otel"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func main() {
	if err := run(context.Background(), os.Stdout, os.Getenv("POLARLICENSE_ENDPOINT")); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
}

// run makes two calls in one trace and writes the spans, then the metrics,
// to out. With endpoint empty it calls an embedded emulator.
func run(ctx context.Context, out io.Writer, endpoint string) (err error) {
	spans, err := stdouttrace.New(stdouttrace.WithWriter(out), stdouttrace.WithPrettyPrint())
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	metrics, err := stdoutmetric.New(stdoutmetric.WithWriter(out), stdoutmetric.WithPrettyPrint())
	if err != nil {
		return err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics)))
	// Shutting down flushes: the metrics are written then.
	defer func() { err = errors.Join(err, tp.Shutdown(context.Background()), mp.Shutdown(context.Background())) }()

	opts := []polarlicense.Option{
		polarlicenseotel.WithTelemetry(tp, mp),
		polarlicense.WithAppID("otel-example"),
		polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{BaseDelay: 50 * time.Millisecond}),
	}
	if endpoint == "" {
		srv := polarlicensetest.NewServer()
		defer srv.Close()
		srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultServiceUnavailable})
		opts = append(opts, srv.ClientOptions()...)
	} else {
		opts = append(opts, polarlicense.WithEndpoint(endpoint))
	}
	client, err := polarlicense.NewClient(opts...)
	if err != nil {
		return err
	}

	// The caller's span: the client's spans are its children.
	ctx, span := tp.Tracer("example").Start(ctx, "check-licenses")
	defer span.End()
	page, err := client.DescribeLicenseOrders(ctx, &polarlicense.DescribeLicenseOrdersRequest{PageSize: 10})
	if err != nil {
		return err
	}
	if len(page.Items) > 0 {
		if _, err := client.DescribeActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: page.Items[0].AliyunOrderID}); err != nil {
			return err
		}
	}
	return nil
}
