package polarlicensetest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/internal/sign"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func describeOne(c *polarlicense.Client) error {
	_, err := c.DescribeLicenseOrderDetails(context.Background(), &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: polarlicensetest.DemoOrderPG})
	return err
}

func TestAuthUnknownKey(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	for _, a := range algorithms {
		t.Run(a.name, func(t *testing.T) {
			c, err := polarlicense.NewClient(polarlicense.WithEndpoint(srv.URL),
				polarlicense.WithAccessKey("LTAInobody", srv.AccessKeySecret), polarlicense.WithSignatureAlgorithm(a.alg))
			require.NoError(t, err)
			requireCode(t, describeOne(c), polarlicensetest.CodeInvalidAccessKeyIDNotFound, http.StatusNotFound)
		})
	}
}

func TestAuthBadSignature(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	for _, a := range algorithms {
		t.Run(a.name, func(t *testing.T) {
			c, err := polarlicense.NewClient(polarlicense.WithEndpoint(srv.URL),
				polarlicense.WithAccessKey(srv.AccessKeyID, "wrong-secret"), polarlicense.WithSignatureAlgorithm(a.alg))
			require.NoError(t, err)
			requireCode(t, describeOne(c), polarlicensetest.CodeSignatureDoesNotMatch, http.StatusBadRequest)

			// The raw message carries the server's string to sign.
			ans := raw{v3: a.alg == polarlicense.SignatureV3, secret: "wrong-secret"}.send(t, srv)
			assert.Equal(t, http.StatusBadRequest, ans.status)
			assert.Equal(t, polarlicensetest.CodeSignatureDoesNotMatch, ans.code())
			msg := ans.str("Message")
			require.Contains(t, msg, "server string to sign is:")
			sts := msg[strings.Index(msg, "server string to sign is:")+len("server string to sign is:"):]
			if a.alg == polarlicense.SignatureV3 {
				assert.Regexp(t, "^ACS3-HMAC-SHA256\n[0-9a-f]{64}$", sts)
			} else {
				assert.True(t, strings.HasPrefix(sts, "POST&%2F&AccessKeyId%3D"), sts)
			}
			assert.NotContains(t, ans.text, srv.AccessKeySecret)
		})
	}
	// Changing a signed part after signing breaks the signature: the query
	// (RPC), the form body (both), a signed header (V3).
	for name, r := range map[string]raw{
		"rpc query": {query: p("PageSize", "5"), tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "PageSize=5", "PageSize=6", 1)
		}},
		"rpc form": {form: p("PageSize", "5"), tamper: setBody("PageSize=6")},
		"v3 query": {v3: true, query: p("PageSize", "5"), tamper: func(r *http.Request) { r.URL.RawQuery = "PageSize=6" }},
		"v3 form":  {v3: true, form: p("PageSize", "5"), tamper: setBody("PageSize=6")},
		"v3 action": {v3: true, tamper: func(r *http.Request) {
			r.Header.Set("x-acs-action", "DescribeActivationCodes")
		}},
	} {
		ans := r.send(t, srv)
		assert.Equal(t, polarlicensetest.CodeSignatureDoesNotMatch, ans.code(), name)
	}
}

// setBody replaces the request body after signing.
func setBody(s string) func(*http.Request) {
	return func(r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(s))
		r.ContentLength = int64(len(s))
	}
}

func TestAuthClockSkew(t *testing.T) {
	var offset atomic.Int64
	srv := polarlicensetest.NewServer(polarlicensetest.WithClock(func() time.Time {
		return time.Now().Add(time.Duration(offset.Load()))
	}))
	defer srv.Close()
	for _, a := range algorithms {
		t.Run(a.name, func(t *testing.T) {
			c := newClient(t, srv, a.alg)
			for _, skew := range []time.Duration{16 * time.Minute, -16 * time.Minute, 2 * time.Hour} {
				offset.Store(int64(skew))
				requireCode(t, describeOne(c), polarlicensetest.CodeInvalidTimestampExpired, http.StatusBadRequest)
			}
			for _, skew := range []time.Duration{14 * time.Minute, -14 * time.Minute, 0} {
				offset.Store(int64(skew))
				require.NoError(t, describeOne(c))
			}
			ans := raw{v3: a.alg == polarlicense.SignatureV3, tamper: func(r *http.Request) {
				r.Header.Set("x-acs-date", "2024-01-02 03:04:05")
				r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "Timestamp=", "Timestamp=x", 1)
			}}.send(t, srv)
			assert.Equal(t, polarlicensetest.CodeInvalidTimestampFormat, ans.code())
		})
	}
}

func TestAuthNonceReuse(t *testing.T) {
	var offset atomic.Int64
	srv := polarlicensetest.NewServer(polarlicensetest.WithClock(func() time.Time {
		return time.Now().Add(time.Duration(offset.Load()))
	}))
	defer srv.Close()
	for _, v3 := range []bool{false, true} {
		offset.Store(0)
		nonce := string(sign.AppendNonce(nil))
		first := raw{v3: v3, nonce: nonce}.send(t, srv)
		require.Equal(t, http.StatusOK, first.status, first.text)
		again := raw{v3: v3, nonce: nonce}.send(t, srv)
		assert.Equal(t, http.StatusBadRequest, again.status)
		assert.Equal(t, polarlicensetest.CodeSignatureNonceUsed, again.code())
		// Once 15 minutes have passed, the nonce is forgotten.
		offset.Store(int64(16 * time.Minute))
		later := raw{v3: v3, nonce: nonce, when: time.Now().Add(16 * time.Minute)}.send(t, srv)
		assert.Equal(t, http.StatusOK, later.status, later.text)
	}
	// A refused request does not burn its nonce.
	offset.Store(0)
	nonce := string(sign.AppendNonce(nil))
	bad := raw{nonce: nonce, secret: "wrong"}.send(t, srv)
	assert.Equal(t, polarlicensetest.CodeSignatureDoesNotMatch, bad.code())
	good := raw{nonce: nonce}.send(t, srv)
	assert.Equal(t, http.StatusOK, good.status)
}

func TestAuthSecurityToken(t *testing.T) {
	srv := polarlicensetest.NewServer(polarlicensetest.WithSecurityToken("sts-token-1"))
	defer srv.Close()
	assert.Equal(t, "sts-token-1", srv.SecurityToken)
	for _, a := range algorithms {
		t.Run(a.name, func(t *testing.T) {
			none := newClient(t, srv, a.alg, polarlicense.WithAccessKey(srv.AccessKeyID, srv.AccessKeySecret))
			requireCode(t, describeOne(none), polarlicensetest.CodeMissingSecurityToken, http.StatusForbidden)
			wrong := newClient(t, srv, a.alg, polarlicense.WithSTSToken(srv.AccessKeyID, srv.AccessKeySecret, "sts-token-2"))
			requireCode(t, describeOne(wrong), polarlicensetest.CodeInvalidSecurityToken, http.StatusForbidden)
			right := newClient(t, srv, a.alg)
			require.NoError(t, describeOne(right))
		})
	}
	// A token where none is expected is refused too.
	plain := polarlicensetest.NewServer()
	defer plain.Close()
	c := newClient(t, plain, polarlicense.SignatureV3, polarlicense.WithSTSToken(plain.AccessKeyID, plain.AccessKeySecret, "unexpected"))
	requireCode(t, describeOne(c), polarlicensetest.CodeInvalidSecurityToken, http.StatusForbidden)
}

func TestAuthIncomplete(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	cases := map[string]struct {
		r      raw
		status int
		code   string
	}{
		"rpc no signature": {raw{tamper: func(r *http.Request) {
			q := r.URL.Query()
			q.Del("Signature")
			r.URL.RawQuery = q.Encode()
		}}, 400, polarlicensetest.CodeIncompleteSignature},
		"rpc no timestamp":        {raw{omit: map[string]bool{"Timestamp": true}}, 400, polarlicensetest.CodeMissingParameter},
		"rpc no nonce":            {raw{omit: map[string]bool{"SignatureNonce": true}}, 400, polarlicensetest.CodeMissingParameter},
		"rpc no key":              {raw{omit: map[string]bool{"AccessKeyId": true}}, 400, polarlicensetest.CodeMissingParameter},
		"rpc no signature method": {raw{omit: map[string]bool{"SignatureMethod": true}}, 400, polarlicensetest.CodeMissingParameter},
		"rpc sha256": {raw{tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "SignatureMethod=HMAC-SHA1", "SignatureMethod=HMAC-SHA256", 1)
		}}, 400, polarlicensetest.CodeInvalidSignatureMethod},
		"rpc version 2": {raw{tamper: func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "SignatureVersion=1.0", "SignatureVersion=2.0", 1)
		}}, 400, polarlicensetest.CodeInvalidSignatureVersion},
		"unsigned": {raw{tamper: func(r *http.Request) {
			r.URL.RawQuery = "Action=DescribeLicenseOrders&Version=2017-08-01"
		}}, 400, polarlicensetest.CodeIncompleteSignature},
		"no action":  {raw{omit: map[string]bool{"Action": true}}, 400, polarlicensetest.CodeMissingParameter},
		"no version": {raw{omit: map[string]bool{"Version": true}}, 400, polarlicensetest.CodeMissingParameter},
		"v3 malformed authorization": {raw{v3: true, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential="+srv.AccessKeyID)
		}}, 400, polarlicensetest.CodeIncompleteSignature},
		"v3 other algorithm": {raw{v3: true, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256", "ACS3-HMAC-SM3", 1))
		}}, 400, polarlicensetest.CodeIncompleteSignature},
		"v3 no date":  {raw{v3: true, omit: map[string]bool{"x-acs-date": true}}, 400, polarlicensetest.CodeMissingParameter},
		"v3 no nonce": {raw{v3: true, omit: map[string]bool{"x-acs-signature-nonce": true}}, 400, polarlicensetest.CodeMissingParameter},
		"v3 no content hash": {raw{v3: true, omit: map[string]bool{"x-acs-content-sha256": true}},
			400, polarlicensetest.CodeMissingParameter},
		"v3 date unsigned": {raw{v3: true, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "x-acs-date;", "", 1))
		}}, 400, polarlicensetest.CodeIncompleteSignature},
		"v3 wrong content hash": {raw{v3: true, tamper: func(r *http.Request) {
			r.Header.Set("x-acs-content-sha256", strings.Repeat("0", 64))
		}}, 400, polarlicensetest.CodeSignatureDoesNotMatch},
		"wrong version":     {raw{version: "2014-08-15"}, 400, polarlicensetest.CodeInvalidVersion},
		"v3 wrong version":  {raw{v3: true, version: "2014-08-15"}, 400, polarlicensetest.CodeInvalidVersion},
		"unknown action":    {raw{action: "DescribeDBClusters"}, 404, polarlicensetest.CodeInvalidActionNotFound},
		"v3 unknown action": {raw{v3: true, action: "DeleteLicense"}, 404, polarlicensetest.CodeInvalidActionNotFound},
		"wrong path":        {raw{tamper: func(r *http.Request) { r.URL.Path = "/api" }}, 404, polarlicensetest.CodeInvalidActionNotFound},
		"put":               {raw{method: http.MethodPut}, 405, polarlicensetest.CodeUnsupportedHTTPMethod},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ans := tc.r.send(t, srv)
			assert.Equal(t, tc.status, ans.status, ans.text)
			assert.Equal(t, tc.code, ans.code(), ans.str("Message"))
			assert.NotEmpty(t, ans.str("RequestId"))
			assert.Equal(t, ans.str("RequestId"), ans.header.Get("x-acs-request-id"))
			assert.NotContains(t, ans.text, srv.AccessKeySecret)
		})
	}
}

// TestFormBodyParameters sends the business parameters in a form body, in
// the query, and split between them, with both signatures and GET.
func TestFormBodyParameters(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	for _, v3 := range []bool{false, true} {
		ans := raw{v3: v3, action: "DescribeActivationCodes", form: p("AliyunOrderId", polarlicensetest.DemoOrderNearlySpent, "PageSize", "3")}.send(t, srv)
		require.Equal(t, http.StatusOK, ans.status, ans.text)
		assert.Len(t, ans.body["Items"], 3)

		ans = raw{v3: v3, action: "DescribeActivationCodes", query: p("AliyunOrderId", polarlicensetest.DemoOrderNearlySpent),
			form: p("PageSize", "1", "PageNumber", "4")}.send(t, srv)
		require.Equal(t, http.StatusOK, ans.status, ans.text)
		require.Len(t, ans.body["Items"], 1)
		assert.Equal(t, "ha-b2", ans.body["Items"].([]any)[0].(map[string]any)["Name"])

		ans = raw{v3: v3, method: http.MethodGet, action: "DescribeLicenseOrderDetails", query: p("AliyunOrderId", polarlicensetest.DemoOrderPG)}.send(t, srv)
		require.Equal(t, http.StatusOK, ans.status, ans.text)
		assert.Equal(t, polarlicensetest.DemoOrderPG, ans.str("AliyunOrderId"))

		// Values that need escaping survive both ways.
		ans = raw{v3: v3, action: "CreateActivationCode", form: p("AliyunOrderId", polarlicensetest.DemoOrderNoSystemIdentifier,
			"MacAddress", "00:16:3e:00:00:0f", "Name", "n", "Description", "a+b c*d~e/f=g&h 中")}.send(t, srv)
		require.Equal(t, http.StatusOK, ans.status, ans.text)
		assert.Equal(t, "a+b c*d~e/f=g&h 中", ans.str("Description"))
	}
	// The whole request, protocol parameters included, in the form body.
	r := raw{action: "DescribeLicenseOrderDetails", form: p("AliyunOrderId", polarlicensetest.DemoOrderPG)}
	req := r.build(t, srv)
	body, _ := io.ReadAll(req.Body)
	all := req.URL.RawQuery + "&" + string(body)
	req.URL.RawQuery = ""
	req.Body = io.NopCloser(bytes.NewReader([]byte(all)))
	req.ContentLength = int64(len(all))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestNoSecretInLog checks that the request log and the logger never hold
// the secret, the token or a signature.
func TestNoSecretInLog(t *testing.T) {
	var logBuf syncBuffer
	var dump string
	for _, a := range algorithms {
		srv := polarlicensetest.NewServer(polarlicensetest.WithSecurityToken("the-sts-token"),
			polarlicensetest.WithAccessKey("the-id", "the-secret"),
			polarlicensetest.WithLogger(newTextLogger(&logBuf)))
		c := newClient(t, srv, a.alg)
		driveAllOperations(t, c, srv)
		bad := newClient(t, srv, a.alg, polarlicense.WithSTSToken(srv.AccessKeyID, "nope", srv.SecurityToken))
		requireCode(t, describeOne(bad), polarlicensetest.CodeSignatureDoesNotMatch, 400)
		for _, r := range srv.Requests() {
			dump += strings.Join([]string{r.Operation, r.AccessKeyID, r.Code, r.RequestID, r.Signature}, " ")
			for k, v := range r.Params {
				dump += " " + k + "=" + v
			}
		}
		srv.Close()
	}
	dump += logBuf.String()
	assert.NotContains(t, dump, "the-secret")
	assert.NotContains(t, dump, "the-sts-token")
	assert.NotContains(t, dump, "Signature=")
	assert.Contains(t, dump, "DescribeLicenseOrders")
	assert.Contains(t, dump, "the-id")
	assert.Contains(t, logBuf.String(), "SignatureDoesNotMatch")
}
