package polarlicenseotel_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	polarlicense "github.com/polarlicense/polarlicense-go"
	polarlicenseotel "github.com/polarlicense/polarlicense-go/otel"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func ExampleWithTelemetry() {
	// A real program passes its configured providers, or nil for the
	// global ones; this example records spans in memory and calls the
	// emulator, which refuses the first call with a 503.
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})

	client, err := polarlicense.NewClient(append(srv.ClientOptions(),
		polarlicenseotel.WithTelemetry(tp, nil))...)
	if err != nil {
		panic(err)
	}
	if _, err := client.DescribeLicenseOrders(context.Background(), nil); err != nil {
		panic(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.SpanKind(), s.Status().Code)
		for _, e := range s.Events() {
			fmt.Println(" ", e.Name, e.Attributes[0].Key, e.Attributes[0].Value.AsInt64())
		}
	}
	// Output:
	// polardb/DescribeLicenseOrders client Ok
	//   attempt polarlicense.attempt 1
	//   attempt polarlicense.attempt 2
}
