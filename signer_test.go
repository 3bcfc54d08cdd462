package polarlicense

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of signing: the exact RPC and V3 requests, the security token,
// and a fresh nonce, timestamp and signature on every attempt.

func TestRPCSignedRequestIsExact(t *testing.T) {
	m := newMockAPI(t, WithSignatureAlgorithm(SignatureRPC))
	_, err := m.client.DescribeLicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{
		PageNumber: 2, PageSize: 50, PackageType: PackagePreGenerationLongTerm, VirtualOrder: Bool(false),
	})
	require.NoError(t, err)
	r := m.last(t)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "https", r.URL.Scheme)
	assert.Equal(t, "polardb.aliyuncs.com", r.URL.Host)
	assert.Equal(t, "/", r.URL.Path)
	assert.Zero(t, r.ContentLength, "parameters travel in the query; the body is empty")

	q := r.URL.Query()
	want := url.Values{
		"Action": {"DescribeLicenseOrders"}, "Version": {"2017-08-01"}, "Format": {"JSON"},
		"AccessKeyId": {testKeyID}, "SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"},
		"SignatureNonce": {"nonce-0001"}, "Timestamp": {"2026-11-22T08:30:15Z"},
		"PageNumber": {"2"}, "PageSize": {"50"}, "PackageType": {"pre_generation_long_term"}, "VirtualOrder": {"false"},
	}
	sig := q.Get("Signature")
	q.Del("Signature")
	assert.Equal(t, want, q)

	// The signature, recomputed the plain way.
	sts := "POST&%2F&" + refEscape(refCanonical(want, ""))
	mac := hmac.New(sha1.New, []byte(testSecret+"&"))
	mac.Write([]byte(sts))
	assert.Equal(t, base64.StdEncoding.EncodeToString(mac.Sum(nil)), sig)
	// The raw query is the canonical query followed by the signature.
	assert.Equal(t, refCanonical(want, "")+"&Signature="+refEscape(sig), r.URL.RawQuery)
}

func TestV3SignedRequestIsExact(t *testing.T) {
	m := newMockAPI(t, WithEndpoint("http://127.0.0.1:8080"))
	_, err := m.client.CreateActivationCode(context.Background(), &CreateActivationCodeRequest{
		AliyunOrderID: "2233445566", MacAddress: "12:34:56:78:98:00", Name: "db_01", Description: "rack 4 * east",
	})
	require.NoError(t, err)
	r := m.last(t)
	assert.Equal(t, "http://127.0.0.1:8080/?"+r.URL.RawQuery, r.URL.String())
	assert.Equal(t, "127.0.0.1:8080", r.Host)
	wantQuery := url.Values{"AliyunOrderId": {"2233445566"}, "MacAddress": {"12:34:56:78:98:00"}, "Name": {"db_01"}, "Description": {"rack 4 * east"}}
	assert.Equal(t, wantQuery, r.URL.Query())
	assert.Equal(t, refCanonical(wantQuery, ""), r.URL.RawQuery)

	h := r.Header
	assert.Equal(t, "CreateActivationCode", h.Get("x-acs-action"))
	assert.Equal(t, "2017-08-01", h.Get("x-acs-version"))
	assert.Equal(t, "2026-11-22T08:30:15Z", h.Get("x-acs-date"))
	assert.Equal(t, "nonce-0001", h.Get("x-acs-signature-nonce"))
	emptyHash := sha256.Sum256(nil)
	assert.Equal(t, hex.EncodeToString(emptyHash[:]), h.Get("x-acs-content-sha256"))
	assert.Empty(t, h.Get("x-acs-security-token"))

	// The Authorization header, recomputed the plain way.
	names := []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"}
	var canonHeaders strings.Builder
	for _, n := range names {
		v := h.Get(n)
		if n == "host" {
			v = r.Host
		}
		canonHeaders.WriteString(n + ":" + strings.TrimSpace(v) + "\n")
	}
	creq := strings.Join([]string{"POST", "/", refCanonical(wantQuery, ""), canonHeaders.String(), strings.Join(names, ";"), hex.EncodeToString(emptyHash[:])}, "\n")
	sum := sha256.Sum256([]byte(creq))
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte("ACS3-HMAC-SHA256\n" + hex.EncodeToString(sum[:])))
	wantAuth := "ACS3-HMAC-SHA256 Credential=" + testKeyID + ",SignedHeaders=" + strings.Join(names, ";") + ",Signature=" + hex.EncodeToString(mac.Sum(nil))
	assert.Equal(t, wantAuth, h.Get("Authorization"))
}

func TestSecurityTokenIsSentAndSigned(t *testing.T) {
	for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			m := newMockAPI(t, WithSTSToken(testKeyID, testSecret, testToken), WithSignatureAlgorithm(alg))
			_, err := m.client.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "1"})
			require.NoError(t, err)
			r := m.last(t)
			if alg == SignatureRPC {
				assert.Equal(t, testToken, r.URL.Query().Get("SecurityToken"))
				return
			}
			assert.Equal(t, testToken, r.Header.Get("x-acs-security-token"))
			assert.Contains(t, r.Header.Get("Authorization"), "x-acs-date;x-acs-security-token;x-acs-signature-nonce")
		})
	}
}

func TestEveryAttemptHasFreshNonceAndTimestamp(t *testing.T) {
	m := newMockAPI(t)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}), WithAccessKey(testKeyID, testSecret))
	require.NoError(t, err)
	seen := map[string]bool{}
	for range 20 {
		_, err := c.DescribeLicenseOrders(context.Background(), nil)
		require.NoError(t, err)
		r := m.last(t)
		n := r.Header.Get("x-acs-signature-nonce")
		assert.Len(t, n, 32)
		assert.False(t, seen[n], "nonce reused")
		seen[n] = true
		ts, err := time.Parse("2006-01-02T15:04:05Z", r.Header.Get("x-acs-date"))
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now(), ts, time.Minute)
	}
}

func TestEveryAttemptIsSignedAfresh(t *testing.T) {
	m := newMockAPI(t)
	m.handle = sequence("503", "503", "ok")
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}), WithAccessKey(testKeyID, testSecret),
		WithRetryer(&recordingRetryer{inner: NewStandardRetryer(RetryPolicy{})}))
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, m.reqs, 3)
	seen := map[string]bool{}
	for _, r := range m.reqs {
		seen[r.Header.Get("x-acs-signature-nonce")] = true
	}
	assert.Len(t, seen, 3)
}
