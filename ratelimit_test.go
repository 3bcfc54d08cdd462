package polarlicense_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestWithRateLimitRefusesBadValues(t *testing.T) {
	for _, o := range []polarlicense.Option{
		polarlicense.WithRateLimit(-1, 1),
		polarlicense.WithRateLimit(math.NaN(), 1),
		polarlicense.WithRateLimit(math.Inf(1), 1),
		polarlicense.WithRateLimit(5, 0),
	} {
		_, err := polarlicense.NewClient(polarlicense.WithAccessKey("id", "secret"), o)
		assert.ErrorContains(t, err, "WithRateLimit")
	}
	_, err := polarlicense.NewClient(polarlicense.WithAccessKey("id", "secret"), polarlicense.WithRateLimit(0, 0))
	assert.NoError(t, err, "zero: no limit")
}

// Attempts are spaced: 7 calls at 10 a second with a burst of 2 take at
// least half a second; a throttling answer is retried under the limit.
func TestWithRateLimitSpacesAttempts(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultThrottle, TimeLeft: time.Millisecond})
	c, err := polarlicense.NewClient(append(srv.ClientOptions(), polarlicense.WithRateLimit(10, 2))...)
	require.NoError(t, err)
	start := time.Now()
	for range 6 {
		_, err := c.DescribeLicenseOrderDetails(context.Background(), &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: polarlicensetest.DemoOrderPG})
		require.NoError(t, err)
	}
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err, "the throttled attempt is retried")
	assert.Equal(t, 8, srv.RequestCount(""), "7 calls, one retried")
	// 8 attempts, 2 at once then one every 100 ms at most (slower after the
	// throttle): at least 600 ms.
	assert.GreaterOrEqual(t, time.Since(start), 600*time.Millisecond)
}

// A call whose context ends while it waits for the limit fails with the
// context's error, and nothing is sent.
func TestWithRateLimitWaitEndsWithContext(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c, err := polarlicense.NewClient(append(srv.ClientOptions(), polarlicense.WithRateLimit(0.2, 1))...)
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.DescribeLicenseOrders(ctx, nil)
	var oe *polarlicense.OperationError
	require.ErrorAs(t, err, &oe)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "rate limit")
	assert.Equal(t, 1, srv.RequestCount(""), "the second call sent nothing")
}

// A client that many goroutines share, held below 20 calls a second: it
// slows down further when the service throttles it anyway.
func ExampleWithRateLimit() {
	client, err := polarlicense.NewClient(polarlicense.WithRegion("cn-hangzhou"),
		polarlicense.WithRateLimit(20, 20))
	if err != nil {
		panic(err)
	}
	_ = client // every call's attempts now wait for the limit
}
