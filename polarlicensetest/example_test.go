package polarlicensetest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// A test of code that issues licenses: start an emulator, point the client at
// it, call, and check both the answer and the emulator's state.
func ExampleNewServer() {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	client, err := polarlicense.NewClient(
		polarlicense.WithEndpoint(srv.URL),
		polarlicense.WithAccessKey(srv.AccessKeyID, srv.AccessKeySecret))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	code, err := client.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID:    polarlicensetest.DemoOrderNearlySpent,
		MacAddress:       "00:16:3e:00:00:01",
		Name:             "node-1",
		SystemIdentifier: "7345118823001548999",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("created:", code.Name)
	order, _ := srv.Order(polarlicensetest.DemoOrderNearlySpent)
	fmt.Println("quota left:", order.RemainingQuota())

	// The quota is spent now: the next call fails with a typed error.
	_, err = client.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID:    polarlicensetest.DemoOrderNearlySpent,
		MacAddress:       "00:16:3e:00:00:02",
		Name:             "node-2",
		SystemIdentifier: "7345118823001549000",
	})
	var apiErr *polarlicense.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("error:", apiErr.Code, apiErr.StatusCode)
	}
	// Output:
	// created: node-1
	// quota left: 0
	// error: QuotaExceeded.ActivationCode 400
}

// Fault injection: the next two calls are throttled; the client's retries
// absorb them.
func ExampleHandler_InjectFault() {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	srv.InjectFault(polarlicensetest.Fault{
		Operation: "DescribeLicenseOrders",
		Kind:      polarlicensetest.FaultThrottle,
		Count:     2,
		TimeLeft:  10 * time.Millisecond,
	})
	client, err := polarlicense.NewClient(append(srv.ClientOptions(),
		polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{MaxAttempts: 3}))...)
	if err != nil {
		panic(err)
	}
	out, err := client.DescribeLicenseOrders(context.Background(), &polarlicense.DescribeLicenseOrdersRequest{PageSize: 100})
	if err != nil {
		panic(err)
	}
	fmt.Println("orders:", out.TotalRecordCount, "attempts:", srv.RequestCount("DescribeLicenseOrders"))
	// Output:
	// orders: 7 attempts: 3
}
