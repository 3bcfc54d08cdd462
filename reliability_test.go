package polarlicense_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// Reliability, end to end against the emulator's fault injection.

func newReliabilityClient(t *testing.T, srv *polarlicensetest.Server, opts ...polarlicense.Option) *polarlicense.Client {
	t.Helper()
	base := append(srv.ClientOptions(), polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Second}))
	c, err := polarlicense.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func TestTwo503sThenSuccess(t *testing.T) {
	for _, alg := range []polarlicense.SignatureAlgorithm{polarlicense.SignatureV3, polarlicense.SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			srv := polarlicensetest.NewServer()
			defer srv.Close()
			c := newReliabilityClient(t, srv, polarlicense.WithSignatureAlgorithm(alg))
			srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultServiceUnavailable, Count: 2})
			out, err := c.DescribeLicenseOrders(context.Background(), &polarlicense.DescribeLicenseOrdersRequest{PackageType: polarlicense.PackagePrimaryBackupSubscribe})
			require.NoError(t, err)
			assert.Equal(t, 3, srv.RequestCount("DescribeLicenseOrders"))
			require.NotEmpty(t, out.Items)
			for _, o := range out.Items {
				assert.Equal(t, polarlicense.PackagePrimaryBackupSubscribe, o.PackageType, "the filter survived the retries")
			}
		})
	}
}

func TestThrottlingTimeLeftIsHonoured(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newReliabilityClient(t, srv)
	srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeLicenseOrderDetails", Kind: polarlicensetest.FaultThrottle, TimeLeft: 150 * time.Millisecond})
	start := time.Now()
	_, err := c.DescribeLicenseOrderDetails(context.Background(), &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: polarlicensetest.DemoOrderPG})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond, "the retry waited at least TimeLeft")
	assert.Equal(t, 2, srv.RequestCount("DescribeLicenseOrderDetails"))
}

func TestInvalidParameterIsNeverRetried(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newReliabilityClient(t, srv)
	_, err := c.CreateOrGetVirtualLicenseOrder(context.Background(), &polarlicense.CreateOrGetVirtualLicenseOrderRequest{Engine: "DB2"})
	var apiErr *polarlicense.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Contains(t, apiErr.Code, "InvalidParameter")
	assert.Equal(t, 1, srv.RequestCount("CreateOrGetVirtualLicenseOrder"))
}

func TestCreateActivationCodeAfterDroppedResponseIsNotSentTwice(t *testing.T) {
	for _, alg := range []polarlicense.SignatureAlgorithm{polarlicense.SignatureV3, polarlicense.SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			srv := polarlicensetest.NewServer()
			defer srv.Close()
			c := newReliabilityClient(t, srv, polarlicense.WithSignatureAlgorithm(alg))
			before, _ := srv.Order(polarlicensetest.DemoOrderPG)
			srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter})
			req := &polarlicense.CreateActivationCodeRequest{
				AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:1a:2b:09", Name: "once", SystemIdentifier: "7345118823001548299",
			}
			_, err := c.CreateActivationCode(context.Background(), req)
			require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
			assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
			after, _ := srv.Order(polarlicensetest.DemoOrderPG)
			assert.Equal(t, before.ActivatedCodeCount+1, after.ActivatedCodeCount, "exactly one unit of quota spent")

			// What the error advises finds the code.
			n := 0
			for code, err := range c.ActivationCodes(context.Background(), &polarlicense.DescribeActivationCodesRequest{
				AliyunOrderID: req.AliyunOrderID, MacAddress: req.MacAddress,
			}) {
				require.NoError(t, err)
				assert.Equal(t, "once", code.Name)
				n++
			}
			assert.Equal(t, 1, n)
		})
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The context is cancelled once the first attempt has failed and the
	// client has decided to wait 30 s before the next: during the backoff,
	// however slowly the machine runs.
	c := newReliabilityClient(t, srv,
		polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{MaxDelay: time.Minute}),
		polarlicense.WithAttemptHook(func(_ context.Context, a polarlicense.AttemptInfo) {
			if a.Retry {
				time.AfterFunc(30*time.Millisecond, cancel)
			}
		}))
	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultThrottle, TimeLeft: 30 * time.Second})
	done := make(chan error, 1)
	go func() {
		_, err := c.DescribeLicenseOrders(ctx, nil)
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, srv.RequestCount("DescribeLicenseOrders"))
	case <-time.After(10 * time.Second):
		t.Fatal("the backoff did not end with the context")
	}
}

func TestSlowServerHitsThePerAttemptTimeout(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newReliabilityClient(t, srv,
		polarlicense.WithTimeouts(polarlicense.Timeouts{Attempt: 100 * time.Millisecond}),
		polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}))
	srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultDelay, Delay: 5 * time.Second, Count: 2})
	_, err := c.DescribeLicenseOrders(context.Background(), nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var oe *polarlicense.OperationError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 2, oe.Attempts)

	// A third call, with the faults used up, succeeds.
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
}

// TestManyGoroutinesWithFaults shares one client between 64 goroutines
// making a few thousand calls while faults of every kind are injected:
// every call ends in success or a typed error, none hangs, and the quota is
// never oversold.
func TestManyGoroutinesWithFaults(t *testing.T) {
	const (
		goroutines = 64
		calls      = 40
		quota      = 150
		orderID    = "300000000000001"
	)
	srv := polarlicensetest.NewServer(polarlicensetest.WithOrders(polarlicense.LicenseOrder{
		AliyunOrderID: orderID, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackageSingleNodeSubscribe,
		PurchaseChannel: polarlicense.ChannelPublic, ActivationCodeQuota: quota, AllowEmptySystemIdentifier: true,
	}))
	defer srv.Close()
	c := newReliabilityClient(t, srv, polarlicense.WithTimeouts(polarlicense.Timeouts{Attempt: 2 * time.Second}))

	kinds := []polarlicensetest.FaultKind{polarlicensetest.FaultThrottle, polarlicensetest.FaultInternalError, polarlicensetest.FaultServiceUnavailable,
		polarlicensetest.FaultDrop, polarlicensetest.FaultDropAfter, polarlicensetest.FaultHTML, polarlicensetest.FaultDelay}
	var created, uncertain, refused, failed atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				if i%5 == 0 {
					srv.InjectFault(polarlicensetest.Fault{Kind: kinds[(g+i)%len(kinds)], TimeLeft: time.Millisecond, Delay: 10 * time.Millisecond})
				}
				var err error
				if i%2 == 0 {
					_, err = c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
						AliyunOrderID: orderID, MacAddress: fmt.Sprintf("00:16:3e:%02x:%02x:01", g, i), Name: fmt.Sprintf("g%d-%d", g, i),
					})
				} else {
					_, err = c.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: orderID})
				}
				var apiErr *polarlicense.APIError
				var oe *polarlicense.OperationError
				var netErr net.Error
				switch {
				case err == nil:
					if i%2 == 0 {
						created.Add(1)
					}
				case errors.Is(err, polarlicense.ErrUncertainOutcome):
					uncertain.Add(1)
				case errors.As(err, &apiErr):
					refused.Add(1)
				case errors.As(err, &oe) && (errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) ||
					errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
					// A dropped connection after the retries ran out.
					failed.Add(1)
				default:
					t.Errorf("untyped error: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, ctx.Err(), "calls hung")

	order, ok := srv.Order(orderID)
	require.True(t, ok)
	codes := srv.Codes(orderID)
	assert.LessOrEqual(t, order.ActivatedCodeCount, quota, "never oversold")
	assert.Equal(t, len(codes), order.ActivatedCodeCount)
	// Every code the client saw created exists; uncertain ones may or may not.
	assert.GreaterOrEqual(t, int64(len(codes)), created.Load())
	assert.LessOrEqual(t, int64(len(codes)), created.Load()+uncertain.Load())
	t.Logf("created %d, uncertain %d, refused %d, failed %d; codes %d of %d", created.Load(), uncertain.Load(), refused.Load(), failed.Load(), len(codes), quota)
}

// Every 5xx answer to a create leaves its outcome unknown: the service (or
// a gateway before it) failed somewhere, maybe after the code was made. Only
// 500, 502, 503 and 504 were; a 501, 505, 507 or a gateway's 520 was taken
// for a refusal: EnsureActivationCode cleared its hold, and a re-run created
// a second code while the first might exist.
func TestEvery5xxToACreateIsUncertain(t *testing.T) {
	for _, status := range []int{501, 505, 507, 520, 599} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := polarlicensetest.NewServer()
			defer srv.Close()
			c := newReliabilityClient(t, srv)
			srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultHTML, Status: status})
			_, err := c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
				AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:1a:2b:09", Name: "once", SystemIdentifier: "7345118823001548299",
			})
			var api *polarlicense.APIError
			require.ErrorAs(t, err, &api)
			assert.Equal(t, status, api.StatusCode)
			require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
			assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "never repeated")
		})
	}
}
