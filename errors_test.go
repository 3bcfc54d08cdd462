package polarlicense

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alibabacloud-go/tea/tea"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAPIErrorFromAlibabaBody(t *testing.T) {
	m := newMockAPI(t)
	m.answer(404, `{"RequestId":"E1","HostId":"polardb.aliyuncs.com","Code":"InvalidAliyunOrderId.NotFound","Message":"The order does not exist.","Recommend":"https://api.aliyun.com/troubleshoot?q=x","AccessDeniedDetail":{"PolicyType":"x"}}`)
	_, err := m.client.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "404"})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, &APIError{
		StatusCode: 404, Code: "InvalidAliyunOrderId.NotFound", Message: "The order does not exist.",
		RequestID: "E1", HostID: "polardb.aliyuncs.com", Recommend: "https://api.aliyun.com/troubleshoot?q=x",
		AccessDeniedDetail: &AccessDeniedDetail{PolicyType: "x"},
	}, apiErr)
	assert.Equal(t, "polarlicense: DescribeLicenseOrderDetails: api error InvalidAliyunOrderId.NotFound: The order does not exist. (status 404, request id E1)", err.Error())
	var oe *OperationError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "DescribeLicenseOrderDetails", oe.Operation)
	assert.Equal(t, 1, oe.Attempts)
}

func TestAPIErrorWithLowerCamelKeys(t *testing.T) {
	m := newMockAPI(t)
	m.answer(400, `{"requestId":"E2","hostId":"h","code":"InvalidParameter","message":"PageSize is invalid","recommend":"r"}`)
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, &APIError{StatusCode: 400, Code: "InvalidParameter", Message: "PageSize is invalid", RequestID: "E2", HostID: "h", Recommend: "r"}, apiErr)
}

func TestAPIErrorFromNonAlibabaBodies(t *testing.T) {
	long := "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("upstream failed ", 100) + "</body></html>"
	cases := map[string]struct {
		status int
		body   string
		want   string
	}{
		"html from a proxy":  {502, long, "non-Alibaba error body: <html><head><title>502 Bad Gateway</title>"},
		"empty body":         {503, "", "non-Alibaba error body: empty body"},
		"truncated json":     {500, `{"Code":"InternalError","Mess`, `non-Alibaba error body: {"Code":"InternalError","Mess`},
		"json without code":  {400, `{"foo":1}`, `non-Alibaba error body: {"foo":1}`},
		"control characters": {500, "bad\x00\x1b[31m\xffbody", "non-Alibaba error body: bad??[31m?body"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := newMockAPI(t)
			m.answer(tc.status, tc.body)
			m.header = map[string][]string{"X-Acs-Request-Id": {"hdr-req"}}
			_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, "hdr-req", apiErr.RequestID)
			assert.Empty(t, apiErr.Code)
			assert.True(t, strings.HasPrefix(apiErr.Message, tc.want), apiErr.Message)
			assert.LessOrEqual(t, len(apiErr.Message), len("non-Alibaba error body: ")+excerptLimit+utf8.UTFMax+len("…"))
		})
	}
}

func TestAPIErrorReachesTeaSDKError(t *testing.T) {
	m := newMockAPI(t)
	m.answer(400, `{"RequestId":"E3","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`)
	m.header = map[string][]string{"X-Ratelimit-User-Api": {"Limit:1,Remain:0,TimeLeft:2000,Reset:1234"}}
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	var sdkErr *tea.SDKError
	require.ErrorAs(t, err, &sdkErr)
	assert.Equal(t, "Throttling.User", tea.StringValue(sdkErr.Code))
	assert.Equal(t, 400, tea.IntValue(sdkErr.StatusCode))
	assert.Contains(t, tea.StringValue(sdkErr.Message), "E3")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, apiErr.Throttled())
	assert.Equal(t, 2*time.Second, apiErr.ThrottleWait)
}

func TestThrottleWaitHeaders(t *testing.T) {
	h := http.Header{}
	assert.Zero(t, throttleWait(h))
	h.Set("x-ratelimit-user", "Limit:10, Remain:0, TimeLeft: 350 ,Reset:1")
	assert.Equal(t, 350*time.Millisecond, throttleWait(h))
	h.Set("x-ratelimit-user-api", "TimeLeft:-5,junk")
	assert.Equal(t, 350*time.Millisecond, throttleWait(h))

	// Both windows spent: the retry must wait for the later one to open.
	h.Set("x-ratelimit-user-api", "TimeLeft:75")
	assert.Equal(t, 350*time.Millisecond, throttleWait(h), "a retry after 75ms meets the per-user window still spent")
	h.Set("x-ratelimit-user-api", "Limit:2,Remain:0,TimeLeft:900,Reset:1")
	assert.Equal(t, 900*time.Millisecond, throttleWait(h))

	// Only a spent window's TimeLeft counts: one with calls left does not
	// hold the retry (its window may be a minute long).
	h.Set("x-ratelimit-user-api", "Limit:100,Remain:99,TimeLeft:100,Reset:1")
	assert.Equal(t, 350*time.Millisecond, throttleWait(h), "throttled by the user's window: wait for it, not the API's")
	h.Set("x-ratelimit-user", "Limit:1000,Remain:400,TimeLeft:60000,Reset:1")
	h.Set("x-ratelimit-user-api", "Limit:5,Remain:0,TimeLeft:800,Reset:1")
	assert.Equal(t, 800*time.Millisecond, throttleWait(h), "not the minute the open user window has left")

	// Neither says it is spent: the per-API header's TimeLeft, as before.
	h.Set("x-ratelimit-user-api", "Limit:5,Remain:1,TimeLeft:75,Reset:1")
	assert.Equal(t, 75*time.Millisecond, throttleWait(h))
}

func TestThrottledRetryWaitsForTheSpentUserWindow(t *testing.T) {
	rec := &recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}
	m := newMockAPI(t, WithRetryer(rec))
	m.handle = sequence("throttle", "ok")
	m.header = http.Header{
		"X-Ratelimit-User-Api": {"Limit:100,Remain:99,TimeLeft:20,Reset:1"},
		"X-Ratelimit-User":     {"Limit:5,Remain:0,TimeLeft:1500,Reset:1"},
	}
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, rec.waits, 1)
	assert.GreaterOrEqual(t, rec.waits[0], 1500*time.Millisecond, "the retry waits for the user's window, which is the one spent")
}

func TestSignatureMismatchMessageWithholdsStringToSign(t *testing.T) {
	m := newMockAPI(t)
	m.answer(400, `{"RequestId":"E4","Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3Did%26SecurityToken%3D`+testToken+`"}`)
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "SignatureDoesNotMatch", apiErr.Code)
	assert.Equal(t, "Specified signature is not matched with our calculation. (server string to sign withheld)", apiErr.Message)
	assert.NotContains(t, err.Error(), testToken)
}

// A message whose runes change length in lower case (U+023A is two bytes,
// its lower case three) is cut where its own marker stands, and never
// panics the client.
func TestStringToSignCutInAnyCaseWhateverPrecedesIt(t *testing.T) {
	m := newMockAPI(t)
	prefix := strings.Repeat("\u023a", 100)
	m.answer(400, `{"RequestId":"E5","Code":"SignatureDoesNotMatch","Message":"`+prefix+` Server String To Sign Is: POST&SecurityToken%3D`+testToken+`"}`)
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, prefix+" (server string to sign withheld)", apiErr.Message)
	assert.NotContains(t, err.Error(), testToken)
	assert.Equal(t, -1, indexASCIIFold("string to sign", "string to sign is"))
	assert.Equal(t, 2, indexASCIIFold("\u023aSTRING TO SIGN IS", "string to sign is"))
}

func TestTransportFailuresKeepTheirIdentityAndHideTheURL(t *testing.T) {
	t.Run("context deadline", func(t *testing.T) {
		block := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
		defer srv.Close()
		defer close(block)
		c, err := NewClient(WithEndpoint(srv.URL), WithSTSToken(testKeyID, testSecret, testToken), WithSignatureAlgorithm(SignatureRPC), noRetries)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err = c.DescribeLicenseOrders(ctx, nil)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "DescribeLicenseOrders")
		assert.NotContains(t, err.Error(), "Signature=")
		assert.NotContains(t, err.Error(), testToken)
	})
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		c, err := NewClient(WithEndpoint("http://"+addr), WithSTSToken(testKeyID, testSecret, testToken), WithSignatureAlgorithm(SignatureRPC), noRetries)
		require.NoError(t, err)
		_, err = c.DescribeLicenseOrders(context.Background(), nil)
		var opErr *net.OpError
		require.ErrorAs(t, err, &opErr)
		assert.NotContains(t, err.Error(), "Signature")
		assert.NotContains(t, err.Error(), testToken)
	})
	t.Run("already cancelled", func(t *testing.T) {
		m := newMockAPI(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := m.client.DescribeLicenseOrders(ctx, nil)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, m.sent())
	})
}

func TestResponseBodyIsCapped(t *testing.T) {
	big := `{"RequestId":"r","Items":[{"AliyunOrderId":"` + strings.Repeat("123456789", 6000) + `"}]}`
	for _, chunked := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("x-acs-request-id", "big-1")
			if chunked {
				w.(http.Flusher).Flush() // no Content-Length
			}
			_, _ = w.Write([]byte(big))
		}))
		c, err := NewClient(WithEndpoint(srv.URL), WithAccessKey("id", "secret"), WithMaxResponseBytes(16<<10))
		require.NoError(t, err)
		_, err = c.DescribeLicenseOrders(context.Background(), nil)
		assert.ErrorIs(t, err, errBodyTooLarge, "chunked=%v", chunked)
		// A bad answer, typed, with its status and request id.
		var de *DecodeError
		require.ErrorAs(t, err, &de, "chunked=%v", chunked)
		assert.Equal(t, 200, de.StatusCode)
		assert.Equal(t, "big-1", de.RequestID)
		assert.Equal(t, "polarlicense: DescribeLicenseOrders: cannot decode response: response body exceeds the size limit (status 200, request id big-1)", err.Error())

		c, err = NewClient(WithEndpoint(srv.URL), WithAccessKey("id", "secret"))
		require.NoError(t, err)
		out, err := c.DescribeLicenseOrders(context.Background(), nil)
		require.NoError(t, err, "chunked=%v", chunked)
		assert.Len(t, out.Items, 1)
		srv.Close()
	}
}

func TestErrorsAreDistinguishable(t *testing.T) {
	var target *APIError
	assert.False(t, errors.As(&ValidationError{Field: "x"}, &target))
	de := &DecodeError{StatusCode: 200, Err: errors.New("boom")}
	assert.ErrorIs(t, &OperationError{Operation: "X", Attempts: 3, Err: de}, de)
	assert.Equal(t, "polarlicense: X (3 attempts): cannot decode response: boom (status 200)", (&OperationError{Operation: "X", Attempts: 3, Err: de}).Error())
}

// The package's error types, as a caller may make them (a test's fake
// answering with one), print without panicking when empty.
func TestZeroErrorsPrint(t *testing.T) {
	for _, err := range []error{
		&APIError{}, &RedirectError{}, &ValidationError{}, &DecodeError{}, &CredentialError{},
		&OperationError{}, &PageError{}, &StateDirError{}, &LicenseFileError{},
		&OperationError{Operation: "CreateActivationCode", Attempts: 2},
	} {
		var text string
		require.NotPanics(t, func() { text = err.Error() }, "%T", err)
		assert.NotEmpty(t, text, "%T", err)
		assert.NotContains(t, fmt.Sprint(err), "PANIC", "%T", err)
	}
}
