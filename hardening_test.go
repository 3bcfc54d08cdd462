package polarlicense

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hardening: redirects, the context, what happened to a request.

// countingServer is an httptest server that counts the requests it gets.
type countingServer struct {
	*httptest.Server
	n atomic.Int32
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	t.Helper()
	cs := &countingServer{}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.n.Add(1)
		h(w, r)
	}))
	t.Cleanup(cs.Close)
	return cs
}

func TestRedirectsAreNeverFollowed(t *testing.T) {
	other := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"RequestId":"foreign","Id":7,"CertContentB64":"Rk9SRUlHTg=="}`))
	})
	otherURL, err := url.Parse(other.URL)
	require.NoError(t, err)
	for _, status := range []int{301, 302, 303, 307, 308} {
		endpoint := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", other.URL+"/steal?SecurityToken=query-secret-never-shown")
			w.Header().Set("x-acs-request-id", "redirect-req")
			w.WriteHeader(status)
		})
		userClient := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }} // follows everything
		clients := map[string][]Option{
			"default HTTP client": nil,
			"WithHTTPClient":      {WithHTTPClient(userClient)},
			"WithHTTPClient zero": {WithHTTPClient(&http.Client{})},
		}
		for name, extra := range clients {
			for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
				t.Run(strconv.Itoa(status)+"/"+name+"/"+alg.String(), func(t *testing.T) {
					opts := append([]Option{WithEndpoint(endpoint.URL), WithSTSToken(testKeyID, testSecret, testToken), WithSignatureAlgorithm(alg), quickPolicy}, extra...)
					c, err := NewClient(opts...)
					require.NoError(t, err)
					before := endpoint.n.Load()

					_, err = c.DescribeLicenseOrders(context.Background(), nil)
					var re *RedirectError
					require.ErrorAs(t, err, &re)
					assert.Equal(t, status, re.StatusCode)
					assert.Equal(t, otherURL.Host, re.Host)
					assert.Equal(t, "redirect-req", re.RequestID)
					assert.NotContains(t, err.Error(), "query-secret")
					assert.NotContains(t, err.Error(), "steal")
					var oe *OperationError
					require.ErrorAs(t, err, &oe)
					assert.Equal(t, 1, oe.Attempts, "a redirect is not retried")

					created, err := c.CreateActivationCode(context.Background(), createReq)
					assert.Nil(t, created, "no foreign code is returned")
					require.ErrorAs(t, err, &re)
					assert.ErrorIs(t, err, ErrUncertainOutcome, "the redirecting host may have processed it")

					assert.Equal(t, before+2, endpoint.n.Load(), "one request each, to the endpoint only")
					assert.Zero(t, other.n.Load(), "the redirect target received nothing")
				})
			}
		}
		assert.NotNil(t, userClient.CheckRedirect, "the user's client is not changed")
	}

	t.Run("relative Location", func(t *testing.T) {
		endpoint := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere?x=1", http.StatusFound)
		})
		c, err := NewClient(WithEndpoint(endpoint.URL), WithAccessKey(testKeyID, testSecret), quickPolicy)
		require.NoError(t, err)
		_, err = c.DescribeLicenseOrders(context.Background(), nil)
		var re *RedirectError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, c.host, re.Host)
		assert.Equal(t, int32(1), endpoint.n.Load())
	})
}

func TestThrottleWaitBeyondTheDeadlineFailsAtOnce(t *testing.T) {
	m := newMockAPI(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Minute}))
	m.answer(400, `{"RequestId":"T","Code":"Throttling.User","Message":"slow down"}`)
	m.header = http.Header{"X-Ratelimit-User-Api": {"Limit:1,Remain:0,TimeLeft:30000,Reset:1"}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := m.client.DescribeLicenseOrders(ctx, nil)
	require.Error(t, err)
	assert.NoError(t, ctx.Err(), "the call returned before the deadline instead of sleeping into it")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Throttling.User", apiErr.Code)
	assert.Contains(t, err.Error(), "context's deadline")
	assert.Equal(t, 1, m.sent())
	assert.NotErrorIs(t, err, ErrUncertainOutcome)

	// CreateActivationCode: a throttled answer is a definite refusal.
	_, err = m.client.CreateActivationCode(ctx, createReq)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrUncertainOutcome)
}

func TestThrottleWaitIsClampedNotOverflowed(t *testing.T) {
	for _, v := range []string{"9223372036854775807", "99999999999999999999999", "9223372036854"} {
		h := http.Header{"X-Ratelimit-User": {"Limit:1,Remain:0,TimeLeft:" + v + ",Reset:1"}}
		assert.Equal(t, maxThrottleWait, throttleWait(h), v)
	}
	h := http.Header{"X-Ratelimit-User": {"TimeLeft:-99999999999999999999"}}
	assert.Zero(t, throttleWait(h))
	// The standard retryer then gives up rather than retry early.
	m := newMockAPI(t, quickPolicy)
	m.answer(400, `{"Code":"Throttling.User"}`)
	m.header = http.Header{"X-Ratelimit-User": {"TimeLeft:99999999999999999999999"}}
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	require.Error(t, err)
	assert.Equal(t, 1, m.sent())
}

func TestNilContextIsAnError(t *testing.T) {
	m := newMockAPI(t)
	withStateDir := newMockAPI(t, WithStateDir(t.TempDir()))
	var nilCtx context.Context
	ensureReq := &EnsureActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00", Name: "n", SystemIdentifier: "7345118823001548201"}
	calls := map[string]func() error{
		"Call":                 func() error { _, err := m.client.Call(nilCtx, "DescribeDBClusters", nil); return err },
		"EnsureActivationCode": func() error { _, err := m.client.EnsureActivationCode(nilCtx, ensureReq); return err },
		"EnsureActivationCode with a state directory": func() error {
			_, err := withStateDir.client.EnsureActivationCode(nilCtx, ensureReq)
			return err
		},
		"CreateActivationCode with a state directory": func() error {
			_, err := withStateDir.client.CreateActivationCode(nilCtx, createReq)
			return err
		},
		"CreateOrGetVirtualLicenseOrder": func() error {
			_, err := m.client.CreateOrGetVirtualLicenseOrder(nilCtx, &CreateOrGetVirtualLicenseOrderRequest{Engine: EnginePG})
			return err
		},
		"DescribeLicenseOrderDetails": func() error {
			_, err := m.client.DescribeLicenseOrderDetails(nilCtx, &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "1"})
			return err
		},
		"DescribeLicenseOrders": func() error { _, err := m.client.DescribeLicenseOrders(nilCtx, nil); return err },
		"DescribeActivationCodeDetails": func() error {
			_, err := m.client.DescribeActivationCodeDetails(nilCtx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})
			return err
		},
		"DescribeActivationCodes": func() error {
			_, err := m.client.DescribeActivationCodes(nilCtx, &DescribeActivationCodesRequest{AliyunOrderID: "1"})
			return err
		},
		"CreateActivationCode": func() error { _, err := m.client.CreateActivationCode(nilCtx, createReq); return err },
		"Paginator": func() error {
			_, err := NewDescribeLicenseOrdersPaginator(m.client, nil).NextPage(nilCtx)
			return err
		},
		"LicenseOrders": func() error {
			for _, err := range m.client.LicenseOrders(nilCtx, nil) {
				return err
			}
			return nil
		},
	}
	for name, f := range calls {
		var err error
		require.NotPanics(t, func() { err = f() }, name)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.Equal(t, "ctx", ve.Field, name)
	}
	assert.Zero(t, m.sent())
	assert.Zero(t, withStateDir.sent())
}

// A nil *Client, or a Client not made by NewClient, refuses every call with a
// *ValidationError naming the client, as a paginator given no API does.
func TestNilClientIsAnError(t *testing.T) {
	ctx := context.Background()
	ensureReq := &EnsureActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00", Name: "n", SystemIdentifier: "7345118823001548201"}
	for name, c := range map[string]*Client{"nil": nil, "zero": {}} {
		calls := map[string]func() error{
			"CreateOrGetVirtualLicenseOrder": func() error {
				_, err := c.CreateOrGetVirtualLicenseOrder(ctx, &CreateOrGetVirtualLicenseOrderRequest{Engine: EnginePG})
				return err
			},
			"DescribeLicenseOrderDetails": func() error {
				_, err := c.DescribeLicenseOrderDetails(ctx, &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "1"})
				return err
			},
			"DescribeLicenseOrders": func() error { _, err := c.DescribeLicenseOrders(ctx, nil); return err },
			"DescribeActivationCodeDetails": func() error {
				_, err := c.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})
				return err
			},
			"DescribeActivationCodes": func() error {
				_, err := c.DescribeActivationCodes(ctx, &DescribeActivationCodesRequest{AliyunOrderID: "1"})
				return err
			},
			"CreateActivationCode": func() error { _, err := c.CreateActivationCode(ctx, createReq); return err },
			"EnsureActivationCode": func() error { _, err := c.EnsureActivationCode(ctx, ensureReq); return err },
			"Call":                 func() error { _, err := c.Call(ctx, "DescribeDBClusters", nil); return err },
			"LicenseOrders": func() error {
				for _, err := range c.LicenseOrders(ctx, nil) {
					return err
				}
				return nil
			},
		}
		for op, f := range calls {
			var err error
			require.NotPanics(t, func() { err = f() }, "%s client: %s", name, op)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve, "%s client: %s", name, op)
			assert.Equal(t, "client", ve.Field, "%s client: %s", name, op)
			assert.Contains(t, err.Error(), "*Client", "%s client: %s", name, op)
		}
		require.NotPanics(t, func() {
			assert.Empty(t, c.Endpoint(), name)
			assert.Empty(t, c.StateDir(), name)
		}, name)
	}
}

func TestTLSFailureMeansNothingWasSent(t *testing.T) {
	t.Run("untrusted certificate", func(t *testing.T) {
		var got atomic.Int32
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
		srv.StartTLS()
		defer srv.Close()
		for _, extra := range []Option{nil, WithHTTPClient(&http.Client{})} {
			c, err := NewClient(WithEndpoint(srv.URL), WithAccessKey(testKeyID, testSecret), quickPolicy, extra)
			require.NoError(t, err)
			_, err = c.CreateActivationCode(context.Background(), createReq)
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrUncertainOutcome, "nothing was sent: the code was not created")
			assert.NotContains(t, err.Error(), "may have been created")
			var oe *OperationError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, 1, oe.Attempts, "a certificate failure is not retried")
		}
		assert.Zero(t, got.Load())
	})
	t.Run("handshake timeout", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		var conns atomic.Int32
		var held sync.WaitGroup
		stop := make(chan struct{})
		defer func() { close(stop); held.Wait() }()
		go func() {
			for {
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				conns.Add(1)
				held.Go(func() { <-stop; conn.Close() }) // accepts, never answers the handshake
			}
		}()
		c, err := NewClient(WithEndpoint("https://"+ln.Addr().String()), WithAccessKey(testKeyID, testSecret),
			WithTimeouts(Timeouts{TLSHandshake: 20 * time.Millisecond}), WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}))
		require.NoError(t, err)
		_, err = c.CreateActivationCode(context.Background(), createReq)
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrUncertainOutcome)
		var oe *OperationError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, 2, oe.Attempts, "a request that never left is safe to retry")
		assert.Equal(t, int32(2), conns.Load())
	})
}

func TestUnclassifiedErrorsAreNotRetried(t *testing.T) {
	// An HTTPS proxy that refuses the CONNECT with its own 403 page.
	var connects atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			connects.Add(1)
		}
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<html><body>Access denied by policy</body></html>"))
	}))
	defer proxy.Close()
	proxyURL, err := url.Parse(proxy.URL)
	require.NoError(t, err)
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
	c, err := NewClient(WithEndpoint("https://polardb.example.invalid"), WithAccessKey(testKeyID, testSecret), WithHTTPClient(hc), quickPolicy)
	require.NoError(t, err)

	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.Error(t, err)
	var oe *OperationError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 1, oe.Attempts)
	assert.Equal(t, int32(1), connects.Load(), "not retried blindly")

	_, err = c.CreateActivationCode(context.Background(), createReq)
	require.Error(t, err)
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 1, oe.Attempts)
	assert.ErrorIs(t, err, ErrUncertainOutcome, "a transport of the caller's proves nothing by its silence: uncertain, never retried")
	assert.Equal(t, int32(2), connects.Load())

	// Any error the client cannot classify.
	for _, e := range []error{errors.New("something odd"), &net.AddrError{Err: "odd", Addr: "x"}} {
		assert.False(t, transient(e), e.Error())
	}
	// What is known to be transient still is.
	for _, e := range []error{context.DeadlineExceeded, &net.DNSError{IsTimeout: true}, &net.OpError{Op: "dial", Err: errors.New("no route")}} {
		assert.True(t, transient(e), e.Error())
	}
	assert.False(t, transient(&net.OpError{Op: "dial", Err: &net.DNSError{IsNotFound: true}}), "a host that does not exist")
	assert.False(t, transient(&RedirectError{StatusCode: 302}))
}
