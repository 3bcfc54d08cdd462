package polarlicensetest_test

import (
	"context"
	"flag"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// Every answer comes no sooner than the latency after the request.
func TestLatencyDelaysEveryAnswer(t *testing.T) {
	const d = 80 * time.Millisecond
	srv := polarlicensetest.NewServer(polarlicensetest.WithLatency(d))
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	for _, call := range []func() error{
		func() error {
			_, err := c.DescribeLicenseOrderDetails(context.Background(), &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: polarlicensetest.DemoOrderPG})
			return err
		},
		func() error {
			_, err := c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
				AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:00:00:71", Name: "lat", SystemIdentifier: "71"})
			return err
		},
	} {
		start := time.Now()
		require.NoError(t, call())
		assert.GreaterOrEqual(t, time.Since(start), d)
	}
	// An error answer is delayed too.
	start := time.Now()
	_, err := c.DescribeLicenseOrderDetails(context.Background(), &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: "no-such-order"})
	require.Error(t, err)
	assert.GreaterOrEqual(t, time.Since(start), d)
}

// A create whose client gave up before the answer is still processed: the
// code exists once the server has finished the request, as with the real
// service.
func TestLatencyProcessesAbandonedRequests(t *testing.T) {
	srv := polarlicensetest.NewServer(polarlicensetest.WithLatency(400 * time.Millisecond))
	before := len(srv.Codes(polarlicensetest.DemoOrderPG))
	c := newClient(t, srv, polarlicense.SignatureRPC, noRetry)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:00:00:72", Name: "gone", SystemIdentifier: "72"})
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome, "the client left before the answer")
	srv.Close() // waits for the request being held, then processed
	codes := srv.Codes(polarlicensetest.DemoOrderPG)
	require.Len(t, codes, before+1, "the create was processed although its client left")
	assert.Equal(t, "gone", codes[len(codes)-1].Name)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

// --latency configures WithLatency; zero adds nothing and negative is refused.
func TestServeFlagsLatency(t *testing.T) {
	var f polarlicensetest.ServeFlags
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	f.Register(fs)
	require.NoError(t, fs.Parse([]string{"--latency", "60ms"}))
	assert.Equal(t, 60*time.Millisecond, f.Latency)
	require.NoError(t, f.Validate())
	opts, err := f.Options(io.Discard)
	require.NoError(t, err)
	srv := polarlicensetest.NewServer(opts...)
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	start := time.Now()
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)

	f.Latency = -time.Second
	assert.ErrorContains(t, f.Validate(), "--latency")
	assert.Panics(t, func() { polarlicensetest.NewHandler(polarlicensetest.WithLatency(-1)) })
}

// A request is counted as it arrives, before the latency: a test that waits
// for the count knows the create is in flight, not yet processed, and can
// kill its client then. It counted only once the latency had passed, when
// the code had been created and the answer was on its way.
func TestLatencyCountsARequestAsItArrives(t *testing.T) {
	const d = 2 * time.Second
	srv := polarlicensetest.NewServer(polarlicensetest.WithLatency(d))
	before := len(srv.Codes(polarlicensetest.DemoOrderPG))
	c := newClient(t, srv, polarlicense.SignatureV3, noRetry)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
			AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:00:00:73", Name: "inflight", SystemIdentifier: "73"})
	}()
	sent := time.Now()
	require.Eventually(t, func() bool { return srv.RequestCount("CreateActivationCode") == 1 }, d, time.Millisecond)
	if time.Since(sent) < d { // the machine was not stalled for the whole latency
		assert.Len(t, srv.Codes(polarlicensetest.DemoOrderPG), before, "counted before it was processed")
		select {
		case <-done:
			t.Fatal("the answer came with the count: the request was counted only once processed")
		default:
		}
	}
	<-done
	srv.Close()
	assert.Len(t, srv.Codes(polarlicensetest.DemoOrderPG), before+1, "processed after the latency")
	log := srv.Requests()
	require.Len(t, log, 1)
	assert.Equal(t, "inflight", log[0].Params["Name"])
	assert.True(t, log[0].Time.Before(sent.Add(time.Second)), "stamped with its arrival (%v, sent %v), not %v later", log[0].Time, sent, d)
}
