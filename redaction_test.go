package polarlicense

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testLicense = "TElDRU5TRS1DT05URU5ULVNFQ1JFVA==" // base64 of LICENSE-CONTENT-SECRET

// assertNoSecrets fails if any rendering of v shows a secret.
func assertNoSecrets(t *testing.T, what string, v any) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, v)
		for _, secret := range []string{testSecret, testToken, testLicense, "LICENSE-CONTENT-SECRET"} {
			assert.NotContains(t, out, secret, "%s rendered with %s", what, verb)
		}
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	ctx := context.Background()
	m := newMockAPI(t, WithSTSToken(testKeyID, testSecret, testToken))
	m.answer(200, `{"RequestId":"r","Id":1,"Name":"n","CertContentB64":"`+testLicense+`"}`)

	details, err := m.client.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})
	require.NoError(t, err)
	assert.Equal(t, testLicense, details.CertContentB64.Reveal(), "the content is there to be revealed")
	assertNoSecrets(t, "DescribeActivationCodeDetailsResponse", details)
	assertNoSecrets(t, "*DescribeActivationCodeDetailsResponse", &details)
	created, err := m.client.CreateActivationCode(ctx, &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00", Name: "n"})
	require.NoError(t, err)
	assertNoSecrets(t, "CreateActivationCodeResponse", *created)
	assertNoSecrets(t, "CertContent", created.CertContentB64)

	// The client, however it was configured.
	assertNoSecrets(t, "*Client (STS)", m.client)
	cred, err := credentials.NewCredential(new(credentials.Config).SetType("sts").SetAccessKeyId(testKeyID).SetAccessKeySecret(testSecret).SetSecurityToken(testToken))
	require.NoError(t, err)
	c2, err := NewClient(WithCredentials(cred))
	require.NoError(t, err)
	assertNoSecrets(t, "*Client (credentials-go)", c2)

	// slog and explicit serialisation.
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("code", "cert", created.CertContentB64)
	assert.NotContains(t, logBuf.String(), testLicense)
	b, err := json.Marshal(created)
	require.NoError(t, err)
	assert.Contains(t, string(b), testLicense, "explicit JSON serialisation keeps the data")

	// Errors on every path: API error echoing secrets back, decode error,
	// transport error, validation error.
	m.answer(400, `{"RequestId":"E","Code":"SignatureDoesNotMatch","Message":"server string to sign is:`+testToken+`&`+testSecret+`"}`)
	_, err = m.client.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})
	require.Error(t, err)
	assertNoSecrets(t, "APIError", err)
	m.answer(200, `{"RequestId":"r","CertContentB64":"`+testLicense+`","Id":"not a number"}`)
	_, err = m.client.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})
	require.Error(t, err)
	assertNoSecrets(t, "DecodeError", err)
	m.answer(502, `<html>`+testLicense+`</html>`) // a proxy echoing content is beyond our control, but bounded
	_, err = m.client.DescribeLicenseOrders(ctx, nil)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 512)

	for _, alg := range []SignatureAlgorithm{SignatureRPC, SignatureV3} {
		c, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithSTSToken(testKeyID, testSecret, testToken), WithSignatureAlgorithm(alg), noRetries,
			WithHTTPClient(&http.Client{Transport: failingTransport{}}))
		require.NoError(t, err)
		_, err = c.DescribeLicenseOrders(ctx, nil)
		require.Error(t, err)
		assertNoSecrets(t, "transport error "+alg.String(), err)
		assert.NotContains(t, err.Error(), "Signature")
	}
}

// failingTransport fails like net/http does, with the whole URL in a *url.Error.
type failingTransport struct{}

func (failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("dial failed for %s", strings.ReplaceAll(r.URL.String(), "x", "x"))
}

func TestCredentialErrorsWithholdConfigContent(t *testing.T) {
	home := t.TempDir()
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI",
		"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("HOME", home)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700))
	malformed := `{"current": "p", "profiles": [{"name": "p", "mode": "AK", "access_key_id": "id", "access_key_secret": "` + testSecret + `", }]}`
	require.NoError(t, os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(malformed), 0o600))

	m := newMockAPI(t)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: m.mt}))
	require.NoError(t, err)
	_, err = c.DescribeLicenseOrders(context.Background(), nil)
	var ce *CredentialError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Reason, "content withheld")
	assertNoSecrets(t, "CredentialError", err)
	assert.Zero(t, m.sent())
}

func TestNewCredentialError(t *testing.T) {
	cases := map[string]string{
		"unmarshal aliyun cli config from '/h/.aliyun/config.json' failed: {\"profiles\": [\"s3cret\"]}": "unmarshal aliyun cli config from '/h/.aliyun/config.json' failed (content withheld)",
		"key-value delimiter not found: access_key_secret s3cret":                                        "key-value delimiter not found (content withheld)",
		"get credentials from ECS metadata failed:\n timeout":                                            "get credentials from ECS metadata failed: timeout",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET cannot be empty":                                                "ALIBABA_CLOUD_ACCESS_KEY_SECRET cannot be empty",
	}
	for in, want := range cases {
		assert.Equal(t, want, newCredentialError(in).Reason)
	}
}
