package polarlicensetest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// createRaw is a CreateActivationCode request on the PG demo order.
func createRaw(name string) raw {
	return raw{action: "CreateActivationCode", query: p("AliyunOrderId", polarlicensetest.DemoOrderPG,
		"MacAddress", "00:16:3e:00:00:01", "Name", name, "SystemIdentifier", "1")}
}

// noRetry turns our client's retries off, to see each answer.
var noRetry = polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{MaxAttempts: 1})

func TestFaultThrottle(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultThrottle, Count: 2, TimeLeft: 50 * time.Millisecond})
	assert.Equal(t, 2, srv.PendingFaults())

	// Another operation is not affected.
	ans := raw{}.send(t, srv)
	assert.Equal(t, http.StatusOK, ans.status)

	before := len(srv.Codes(polarlicensetest.DemoOrderPG))
	ans = createRaw("a").send(t, srv)
	assert.Equal(t, http.StatusBadRequest, ans.status)
	assert.Equal(t, polarlicensetest.CodeThrottling, ans.code())
	assert.Regexp(t, `^Limit:1,Remain:0,TimeLeft:50,Reset:\d{10}$`, ans.header.Get("x-ratelimit-user-api"))
	assert.Equal(t, ans.str("RequestId"), ans.header.Get("x-acs-request-id"))
	assert.Len(t, srv.Codes(polarlicensetest.DemoOrderPG), before, "a throttled call changes nothing")

	// Through our client, without retries: a typed, throttled error with the wait.
	c := newClient(t, srv, polarlicense.SignatureV3, noRetry)
	_, err := c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:00:00:01", Name: "b", SystemIdentifier: "1"})
	ae := requireCode(t, err, polarlicensetest.CodeThrottling, http.StatusBadRequest)
	assert.True(t, ae.Throttled())
	assert.Equal(t, 50*time.Millisecond, ae.ThrottleWait)
	assert.Zero(t, srv.PendingFaults())

	// HTTP 429 on request, and retried by our client's default policy.
	srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultThrottle, Count: 2, Status: 429, TimeLeft: 10 * time.Millisecond})
	srv.ResetRequests()
	retrying := newClient(t, srv, polarlicense.SignatureRPC)
	start := time.Now()
	_, err = retrying.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond, "the client waited TimeLeft each time")
	assert.Equal(t, 3, srv.RequestCount("DescribeLicenseOrders"))
	log := srv.Requests()
	require.Len(t, log, 3)
	assert.Equal(t, 429, log[0].StatusCode)
	assert.Equal(t, polarlicensetest.FaultThrottle, log[1].Fault)
	assert.Equal(t, 200, log[2].StatusCode)
}

func TestFaultServerErrors(t *testing.T) {
	srv := polarlicensetest.NewServer(polarlicensetest.WithFaults(
		polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultInternalError},
		polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultServiceUnavailable},
	))
	defer srv.Close()
	ans := raw{}.send(t, srv)
	assert.Equal(t, http.StatusInternalServerError, ans.status)
	assert.Equal(t, polarlicensetest.CodeInternalError, ans.code())
	ans = raw{v3: true}.send(t, srv)
	assert.Equal(t, http.StatusServiceUnavailable, ans.status)
	assert.Equal(t, polarlicensetest.CodeServiceUnavailable, ans.code())
	ans = raw{}.send(t, srv)
	assert.Equal(t, http.StatusOK, ans.status)

	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})
	c := newClient(t, srv, polarlicense.SignatureV3, noRetry)
	err := describeOne(c)
	requireCode(t, err, polarlicensetest.CodeServiceUnavailable, http.StatusServiceUnavailable)
}

func TestFaultOrderAndScope(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	srv.InjectFault(
		polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultThrottle, Count: 2},
		polarlicensetest.Fault{Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultInternalError},
		polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable}, // any operation
	)
	assert.Equal(t, 4, srv.PendingFaults())

	// A request that fails authentication consumes no fault.
	bad := raw{secret: "wrong"}.send(t, srv)
	assert.Equal(t, polarlicensetest.CodeSignatureDoesNotMatch, bad.code())
	assert.Equal(t, 4, srv.PendingFaults())

	// The any-operation fault is first in line for other operations.
	ans := raw{action: "DescribeLicenseOrderDetails", query: p("AliyunOrderId", polarlicensetest.DemoOrderPG)}.send(t, srv)
	assert.Equal(t, http.StatusServiceUnavailable, ans.status)

	var got []int
	for i := 0; i < 4; i++ {
		got = append(got, raw{}.send(t, srv).status)
	}
	assert.Equal(t, []int{400, 400, 500, 200}, got)
	assert.Zero(t, srv.PendingFaults())

	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultDrop, Count: 5})
	srv.ClearFaults()
	assert.Zero(t, srv.PendingFaults())
	assert.Equal(t, http.StatusOK, raw{}.send(t, srv).status)

	assert.Panics(t, func() { srv.InjectFault(polarlicensetest.Fault{Kind: 99}) })
}

// A fault for an operation that is not one of the six could never strike:
// giving one is a mistake said at once, not a retry test that tests nothing.
func TestFaultForAnUnknownOperationPanics(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	for _, op := range []string{"CreateActivationCodes", "createActivationCode", "DescribeDBClusters"} {
		assert.PanicsWithValue(t, `polarlicensetest: Fault for unknown Operation "`+op+
			`": want one of the six operations, such as "CreateActivationCode", or "" for every one`,
			func() { srv.InjectFault(polarlicensetest.Fault{Operation: op, Kind: polarlicensetest.FaultThrottle}) }, op)
		assert.Panics(t, func() {
			polarlicensetest.NewHandler(polarlicensetest.WithFaults(polarlicensetest.Fault{Operation: op, Kind: polarlicensetest.FaultDrop}))
		}, op)
	}
	assert.Panics(t, func() {
		srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop},
			polarlicensetest.Fault{Operation: "CreateActivationCodes", Kind: polarlicensetest.FaultDrop})
	})
	assert.Zero(t, srv.PendingFaults(), "nothing queued, not even the valid fault given with a bad one")
	for _, op := range []string{"", "CreateOrGetVirtualLicenseOrder", "DescribeLicenseOrderDetails", "DescribeLicenseOrders",
		"DescribeActivationCodeDetails", "DescribeActivationCodes", "CreateActivationCode"} {
		assert.NotPanics(t, func() { srv.InjectFault(polarlicensetest.Fault{Operation: op, Kind: polarlicensetest.FaultThrottle}) }, op)
	}
	assert.Equal(t, 7, srv.PendingFaults())
}

func TestFaultDelay(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()

	// A delay shorter than the client's patience: the call succeeds late.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: 100 * time.Millisecond})
	start := time.Now()
	ans := createRaw("late").send(t, srv)
	assert.Equal(t, http.StatusOK, ans.status)
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	// A delay longer than it: the client gives up, the server notices and
	// does not run the operation.
	before := len(srv.Codes(polarlicensetest.DemoOrderPG))
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req := createRaw("never").build(t, srv).WithContext(ctx)
	start = time.Now()
	_, err := http.DefaultClient.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
	require.Eventually(t, func() bool {
		log := srv.Requests()
		last := log[len(log)-1]
		return last.Fault == polarlicensetest.FaultDelay && last.Params["Name"] == "never"
	}, 5*time.Second, 10*time.Millisecond, "the handler returns when the client leaves")
	log := srv.Requests()
	assert.Zero(t, log[len(log)-1].StatusCode)
	assert.Len(t, srv.Codes(polarlicensetest.DemoOrderPG), before)

	// Close does not wait out a pending delay.
	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultDelay, Delay: time.Minute})
	go func() { _, _ = http.DefaultClient.Do(raw{}.build(t, srv)) }()
	require.Eventually(t, func() bool { return srv.PendingFaults() == 0 }, 5*time.Second, 5*time.Millisecond)
	start = time.Now()
	srv.Close()
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestFaultDrop(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	before := len(srv.Codes(polarlicensetest.DemoOrderPG))
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	_, err := http.DefaultClient.Do(createRaw("dropped").build(t, srv))
	require.Error(t, err)
	assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "EOF"), err.Error())
	assert.Len(t, srv.Codes(polarlicensetest.DemoOrderPG), before, "dropped before the operation ran")
	log := srv.Requests()
	assert.Equal(t, polarlicensetest.FaultDrop, log[len(log)-1].Fault)
	assert.Zero(t, log[len(log)-1].StatusCode)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// Our client sees a transport error, not an API error.
	srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeLicenseOrderDetails", Kind: polarlicensetest.FaultDrop})
	err = describeOne(newClient(t, srv, polarlicense.SignatureV3, noRetry))
	require.Error(t, err)
	var ae *polarlicense.APIError
	assert.False(t, errors.As(err, &ae))
}

// TestFaultDropAfter is the idempotency case: the code is created, the
// answer is lost half way.
func TestFaultDropAfter(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	before := len(srv.Codes(polarlicensetest.DemoOrderPG))
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter})
	resp, err := http.DefaultClient.Do(createRaw("half").build(t, srv))
	require.NoError(t, err, "the status line and headers arrive")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("x-acs-request-id"))
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	codes := srv.Codes(polarlicensetest.DemoOrderPG)
	require.Len(t, codes, before+1, "the operation took effect")
	assert.Equal(t, "half", codes[len(codes)-1].Name)
	o, _ := srv.Order(polarlicensetest.DemoOrderPG)
	assert.Equal(t, before+1, o.ActivatedCodeCount)

	// Our client reports an uncertain outcome, not a refusal; the code
	// exists all the same.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter})
	c := newClient(t, srv, polarlicense.SignatureRPC)
	_, err = c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:00:00:02", Name: "lost", SystemIdentifier: "2"})
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	var ae *polarlicense.APIError
	assert.False(t, errors.As(err, &ae), "not said as the service's refusal: %v", err)
	codes = srv.Codes(polarlicensetest.DemoOrderPG)
	require.Len(t, codes, before+2)
	assert.Equal(t, "lost", codes[len(codes)-1].Name)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode")-1, "the client did not blindly retry")
}

func TestFaultHTML(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	srv.InjectFault(
		polarlicensetest.Fault{Kind: polarlicensetest.FaultHTML},
		polarlicensetest.Fault{Kind: polarlicensetest.FaultHTML, Status: http.StatusOK},
	)
	ans := raw{}.send(t, srv)
	assert.Equal(t, http.StatusBadGateway, ans.status)
	assert.Equal(t, "text/html", ans.header.Get("Content-Type"))
	assert.Contains(t, ans.text, "<html>")
	assert.Empty(t, ans.header.Get("x-acs-request-id"))
	ans = raw{}.send(t, srv)
	assert.Equal(t, http.StatusOK, ans.status)
	assert.Contains(t, ans.text, "200 OK")

	// Through our client: an API error without a code, and a decode error.
	srv.InjectFault(
		polarlicensetest.Fault{Kind: polarlicensetest.FaultHTML},
		polarlicensetest.Fault{Kind: polarlicensetest.FaultHTML, Status: http.StatusOK},
	)
	c := newClient(t, srv, polarlicense.SignatureV3, noRetry)
	err := describeOne(c)
	ae := apiError(t, err)
	assert.Equal(t, http.StatusBadGateway, ae.StatusCode)
	assert.Empty(t, ae.Code)
	assert.Contains(t, ae.Message, "html")
	err = describeOne(c)
	var de *polarlicense.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, http.StatusOK, de.StatusCode)
}
