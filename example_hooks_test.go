package polarlicense_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// An attempt hook sees every attempt: here, one refused with a 503 and
// retried, then the one that succeeded.
func ExampleWithAttemptHook() {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})

	opts := append(srv.ClientOptions(),
		polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{BaseDelay: time.Millisecond}),
		polarlicense.WithAttemptHook(func(ctx context.Context, a polarlicense.AttemptInfo) {
			decision := "done"
			if a.Err != nil {
				decision = "retry: " + fmt.Sprint(a.Retry)
			}
			fmt.Println(a.Operation, "attempt", a.Attempt, "status", a.StatusCode, decision)
		}))
	client, err := polarlicense.NewClient(opts...)
	if err != nil {
		panic(err)
	}
	if _, err := client.DescribeLicenseOrders(context.Background(), nil); err != nil {
		panic(err)
	}
	// Output:
	// DescribeLicenseOrders attempt 1 status 503 retry: true
	// DescribeLicenseOrders attempt 2 status 200 done
}

// callCounter is a CallObserver that counts calls and failed ones.
type callCounter struct{ calls, failed atomic.Int64 }

func (c *callCounter) StartCall(ctx context.Context, _ polarlicense.CallStart) context.Context {
	c.calls.Add(1)
	return ctx
}

func (c *callCounter) AttemptDone(context.Context, polarlicense.AttemptInfo) {}

func (c *callCounter) EndCall(_ context.Context, info polarlicense.CallInfo) {
	if info.Err != nil {
		c.failed.Add(1)
	}
}

// A CallObserver sees whole calls, those refused before sending included.
func ExampleWithCallObserver() {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	counter := new(callCounter)
	client, err := polarlicense.NewClient(append(srv.ClientOptions(), polarlicense.WithCallObserver(counter))...)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	_, _ = client.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: polarlicensetest.DemoOrderPG})
	_, _ = client.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{}) // no order id: refused
	fmt.Println(counter.calls.Load(), "calls,", counter.failed.Load(), "failed")
	// Output: 2 calls, 1 failed
}

// WithAppID names your application in the User-Agent of every request.
func ExampleWithAppID() {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	client, err := polarlicense.NewClient(append(srv.ClientOptions(), polarlicense.WithAppID("license-renewer"))...)
	if err != nil {
		panic(err)
	}
	if _, err := client.DescribeLicenseOrders(context.Background(), nil); err != nil {
		panic(err)
	}
	ua := srv.Requests()[0].UserAgent
	fmt.Println(ua[:len("polarlicense-go/")+len(polarlicense.Version)], "…", ua[len(ua)-len("app/license-renewer"):])
	// Output: polarlicense-go/0.1.0 … app/license-renewer
}

// Call reaches an action the SDK does not model, through the same client.
// The emulator serves only the six license actions, so this example calls
// one of them; any other PolarDB action is called the same way.
func ExampleClient_Call() {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	client, err := polarlicense.NewClient(srv.ClientOptions()...)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	body, err := client.Call(ctx, "DescribeLicenseOrderDetails",
		map[string]string{"AliyunOrderId": polarlicensetest.DemoOrderPG},
		polarlicense.CallIdempotent()) // a Describe action is safe to repeat
	if err != nil {
		panic(err)
	}
	var order struct {
		Engine              string
		ActivationCodeQuota int
	}
	if err := json.Unmarshal(body, &order); err != nil {
		panic(err)
	}
	fmt.Println(order.Engine, order.ActivationCodeQuota)

	_, err = client.Call(ctx, "DescribeDBClusters", map[string]string{"RegionId": "cn-hangzhou"})
	var apiErr *polarlicense.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	// Output:
	// PG 8
	// 404 InvalidAction.NotFound
}
