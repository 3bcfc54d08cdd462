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
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func TestOperationParameters(t *testing.T) {
	scope := AccountScope{OwnerID: 42, OwnerAccount: "owner", ResourceOwnerID: 7, ResourceOwnerAccount: "res"}
	cases := []struct {
		name string
		call func(c *Client) error
		want url.Values
	}{
		{"CreateOrGetVirtualLicenseOrder", func(c *Client) error {
			_, err := c.CreateOrGetVirtualLicenseOrder(context.Background(), &CreateOrGetVirtualLicenseOrderRequest{Engine: EngineOracle})
			return err
		}, url.Values{"Engine": {"Oracle"}}},
		{"DescribeLicenseOrderDetails", func(c *Client) error {
			_, err := c.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "239618016570503", AccountScope: scope})
			return err
		}, url.Values{"AliyunOrderId": {"239618016570503"}, "OwnerId": {"42"}, "OwnerAccount": {"owner"}, "ResourceOwnerId": {"7"}, "ResourceOwnerAccount": {"res"}}},
		{"DescribeLicenseOrders", func(c *Client) error {
			_, err := c.DescribeLicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{
				PageNumber: 3, PageSize: 100, AliyunOrderID: "x y", PurchaseChannel: ChannelMarketplace,
				PackageType: PackageSingleNodeSubscribe, VirtualOrder: Bool(true),
			})
			return err
		}, url.Values{"PageNumber": {"3"}, "PageSize": {"100"}, "AliyunOrderId": {"x y"}, "PurchaseChannel": {"aliyun_market"}, "PackageType": {"single_node_subscribe"}, "VirtualOrder": {"true"}}},
		{"DescribeLicenseOrders", func(c *Client) error {
			_, err := c.DescribeLicenseOrders(context.Background(), nil)
			return err
		}, url.Values{}},
		{"DescribeActivationCodeDetails", func(c *Client) error {
			_, err := c.DescribeActivationCodeDetails(context.Background(), &DescribeActivationCodeDetailsRequest{AliyunOrderID: "2233", ActivationCodeID: 123})
			return err
		}, url.Values{"AliyunOrderId": {"2233"}, "ActivationCodeId": {"123"}}},
		{"DescribeActivationCodes", func(c *Client) error {
			_, err := c.DescribeActivationCodes(context.Background(), &DescribeActivationCodesRequest{AliyunOrderID: "2233", PageSize: 10, MacAddress: "12-34-56-78-98-0B", SystemIdentifier: "1234567890123456"})
			return err
		}, url.Values{"AliyunOrderId": {"2233"}, "PageSize": {"10"}, "MacAddress": {"12:34:56:78:98:0b"}, "SystemIdentifier": {"1234567890123456"}}}, // the normal form
		{"CreateActivationCode", func(c *Client) error {
			_, err := c.CreateActivationCode(context.Background(), &CreateActivationCodeRequest{AliyunOrderID: "2233", MacAddress: "12-34-56-78-98-0A", Name: "n-1_x", SystemIdentifier: "77", Description: "中文 & more"})
			return err
		}, url.Values{"AliyunOrderId": {"2233"}, "MacAddress": {"12:34:56:78:98:0a"}, "Name": {"n-1_x"}, "SystemIdentifier": {"77"}, "Description": {"中文 & more"}}},
	}
	for _, tc := range cases {
		for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
			t.Run(tc.name+"/"+alg.String(), func(t *testing.T) {
				m := newMockAPI(t, WithSignatureAlgorithm(alg))
				require.NoError(t, tc.call(m.client))
				r := m.last(t)
				q := r.URL.Query()
				if alg == SignatureRPC {
					assert.Equal(t, tc.name, q.Get("Action"))
					for _, k := range []string{"Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Signature"} {
						q.Del(k)
					}
				} else {
					assert.Equal(t, tc.name, r.Header.Get("x-acs-action"))
				}
				assert.Equal(t, tc.want, q)
			})
		}
	}
}

func TestEndpointResolution(t *testing.T) {
	cases := []struct {
		opts []Option
		want string
	}{
		{nil, "https://polardb.aliyuncs.com"},
		{[]Option{WithRegion("cn-hangzhou")}, "https://polardb.aliyuncs.com"},
		{[]Option{WithRegion("ap-southeast-1")}, "https://polardb.ap-southeast-1.aliyuncs.com"},
		{[]Option{WithRegion("eu-central-1")}, "https://polardb.eu-central-1.aliyuncs.com"},
		{[]Option{WithRegion("ap-southeast-1"), WithEndpoint("http://127.0.0.1:9000")}, "http://127.0.0.1:9000"},
		{[]Option{WithEndpoint("polardb.example.test")}, "https://polardb.example.test"},
		{[]Option{WithEndpoint("https://polardb.example.test/")}, "https://polardb.example.test"},
	}
	for _, tc := range cases {
		c, err := NewClient(append([]Option{WithAccessKey("id", "secret")}, tc.opts...)...)
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.Endpoint())
	}
	for _, bad := range []string{"ftp://x", "http://", "https://h/path", "https://u:p@h", "https://h/?q=1", "http://[::1"} {
		_, err := NewClient(WithAccessKey("id", "secret"), WithEndpoint(bad))
		assert.Error(t, err, bad)
	}
	for _, bad := range []string{"cn-hangzhou/evil", "cn hangzhou", "CN-HANGZHOU", "cn-hangzhou\n"} {
		_, err := NewClient(WithRegion(bad))
		assert.Error(t, err, bad)
	}
}

func TestOptionErrors(t *testing.T) {
	for name, opt := range map[string]Option{
		"empty key":       WithAccessKey("", "s"),
		"empty secret":    WithAccessKey("id", ""),
		"nil credentials": WithCredentials(nil),
		"nil http client": WithHTTPClient(nil),
		"bad algorithm":   WithSignatureAlgorithm(SignatureAlgorithm(9)),
		"nil zone":        WithTimeZone(nil),
		"tiny body cap":   WithMaxResponseBytes(10),
	} {
		_, err := NewClient(opt)
		assert.ErrorContains(t, err, "polarlicense: NewClient", name)
	}
}

func TestDefaultCredentialChainReadsEnvironment(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token")
	m := newMockAPI(t)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}), withClock(fixedTime), withNonce("n"))
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	r := m.last(t)
	assert.Contains(t, r.Header.Get("Authorization"), "Credential=env-id,")
	assert.Equal(t, "env-token", r.Header.Get("x-acs-security-token"))
}

func TestNoCredentialsIsATypedFailureBeforeSending(t *testing.T) {
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_PROFILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	m := newMockAPI(t)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}))
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	var oe *OperationError
	require.ErrorAs(t, err, &oe)
	assert.Contains(t, err.Error(), "credentials")
	assert.Zero(t, m.sent())
}

func TestClientIsSafeForConcurrentUse(t *testing.T) {
	m := newMockAPI(t)
	m.answer(200, `{"RequestId":"r","TotalRecordCount":1,"Items":[{"AliyunOrderId":"1"}]}`)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if (g+i)%2 == 0 {
					out, err := m.client.DescribeLicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{PageNumber: i + 1})
					if assert.NoError(t, err) {
						assert.Equal(t, "1", out.Items[0].AliyunOrderID)
					}
				} else {
					_, err := m.client.CreateActivationCode(context.Background(), &CreateActivationCodeRequest{AliyunOrderID: "1", Name: "bad name"})
					assert.Error(t, err)
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 16*25/2, m.sent())
}
