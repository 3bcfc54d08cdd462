package polarlicense

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/internal/sign"
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

// allVerbs are the verbs every secret-holding type is printed with.
var allVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%t", "%d", "%10.3s", "%-8v"}

func TestSecretHoldersRedactEveryVerb(t *testing.T) {
	ctx := context.Background()
	m := newMockAPI(t, WithSTSToken(testKeyID, testSecret, testToken))
	m.answer(200, `{"RequestId":"r","Id":1,"Name":"n","CertContentB64":"`+testLicense+`"}`)
	created, err := m.client.CreateActivationCode(ctx, createReq)
	require.NoError(t, err)
	details, err := m.client.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})
	require.NoError(t, err)
	rpc, err := NewClient(WithSTSToken(testKeyID, testSecret, testToken), WithSignatureAlgorithm(SignatureRPC))
	require.NoError(t, err)
	_, _ = rpc.DescribeLicenseOrders(ctx, nil) // keys the signer's MAC cache with the secret

	values := map[string]any{
		"*Client":                                m.client,
		"*Client (RPC, used)":                    rpc,
		"Option":                                 WithSTSToken(testKeyID, testSecret, testToken),
		"[]Option":                               []Option{WithAccessKey(testKeyID, testSecret)},
		"CreateActivationCodeResponse":           *created,
		"*CreateActivationCodeResponse":          created,
		"DescribeActivationCodeDetailsResponse":  *details,
		"*DescribeActivationCodeDetailsResponse": details,
		"CertContent":                            created.CertContentB64,
		"[]CertContent":                          []CertContent{created.CertContentB64, details.CertContentB64},
		"map of CertContent":                     map[string]CertContent{"a": created.CertContentB64},
	}
	for name, v := range values {
		for _, verb := range allVerbs {
			out := fmt.Sprintf(verb, v)
			for _, secret := range []string{testSecret, testToken, testLicense, "LICENSE-CONTENT-SECRET"} {
				assert.NotContains(t, out, secret, "%s with %s", name, verb)
			}
			if verb == "%x" || verb == "%X" {
				for _, secret := range []string{testSecret, testLicense} {
					assert.NotContains(t, strings.ToLower(out), fmt.Sprintf("%x", secret), "%s with %s", name, verb)
				}
			}
		}
	}
	assert.Equal(t, m.client.String(), fmt.Sprintf("%t", m.client))
}

func TestSlogNeverWritesSecrets(t *testing.T) {
	ctx := context.Background()
	m := newMockAPI(t, WithSTSToken(testKeyID, testSecret, testToken))
	m.answer(200, `{"RequestId":"r","Id":1,"Name":"code-name","CertContentB64":"`+testLicense+`"}`)
	created, err := m.client.CreateActivationCode(ctx, createReq)
	require.NoError(t, err)
	details, err := m.client.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1"})
	require.NoError(t, err)
	handlers := map[string]func(w *bytes.Buffer) slog.Handler{
		"JSON": func(w *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(w, nil) },
		"Text": func(w *bytes.Buffer) slog.Handler { return slog.NewTextHandler(w, nil) },
	}
	for name, h := range handlers {
		var buf bytes.Buffer
		l := slog.New(h(&buf))
		l.Info("created", "resp", created, "value", *created)
		l.Info("details", "resp", details, "value", *details)
		l.Info("certs", "certs", []CertContent{created.CertContentB64}, "one", created.CertContentB64)
		l.Info("client", "client", m.client, "option", WithSTSToken(testKeyID, testSecret, testToken))
		out := buf.String()
		for _, secret := range []string{testSecret, testToken, testLicense} {
			assert.NotContains(t, out, secret, name)
		}
		assert.Contains(t, out, "code-name", "%s: the rest of the response is logged", name)
		assert.Contains(t, out, redacted, name)
	}

	// A CertContent outside a response marshals redacted (slog's JSON
	// handler uses encoding/json), and reading that back is an error.
	b, err := json.Marshal([]CertContent{created.CertContentB64})
	require.NoError(t, err)
	assert.JSONEq(t, `["[REDACTED]"]`, string(b))
	var certs []CertContent
	assert.ErrorContains(t, json.Unmarshal(b, &certs), "Reveal")
	require.NoError(t, json.Unmarshal([]byte(`["`+testLicense+`", null]`), &certs))
	assert.Equal(t, []CertContent{NewCertContent(testLicense), {}}, certs)

	// encoding/json keeps writing the license of a response: an explicit
	// request for the data, which reads back whole.
	for _, v := range []any{created, *created, details} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"CertContentB64":"`+testLicense+`"`)
		assert.Contains(t, string(b), `"Name":"code-name"`)
		var back CreateActivationCodeResponse
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, *created, back)
	}
}

// echoToken holds characters that percent-encoding changes.
const echoToken = "STSq81ZpL0+vW/Kd9=Tz~Qm_7-xYhB"

func TestEchoedSecretsAreScrubbedFromErrorsAndLogs(t *testing.T) {
	for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			var logBuf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			m := newMockAPI(t, WithSTSToken(testKeyID, testSecret, echoToken), WithSignatureAlgorithm(alg), WithLogger(logger))
			var echo func(r *http.Request, sig, query string) (int, string)
			var sigs []string
			m.handle = func(r *http.Request) (int, string) {
				sig := r.URL.Query().Get("Signature")
				if alg == SignatureV3 {
					_, sig, _ = strings.Cut(r.Header.Get("Authorization"), "Signature=")
				}
				sigs = append(sigs, sig)
				return echo(r, sig, r.URL.RawQuery)
			}
			rpcEsc := refEscape(echoToken)
			echoes := map[string]func(r *http.Request, sig, query string) (int, string){
				"JSON message quoting the raw token and signature": func(r *http.Request, sig, query string) (int, string) {
					return 400, `{"RequestId":"E1","Code":"InvalidSecurityToken.Malformed","Message":"token ` + echoToken + ` signature ` + sig + `","HostId":"` + echoToken + `","Recommend":"https://x/?t=` + rpcEsc + `"}`
				},
				"proxy page quoting the query": func(r *http.Request, sig, query string) (int, string) {
					return 403, `<html><body>Denied: /?` + query + `</body></html>`
				},
				"proxy page quoting Go's QueryEscape form, lower-case hex": func(r *http.Request, sig, query string) (int, string) {
					return 502, `<p>` + hexLower(url.QueryEscape(echoToken)) + ` ` + url.QueryEscape(sig) + ` ` + hexLower(refEscape(sig)) + `</p>`
				},
				"Server string to sign, capitalised, double-encoded": func(r *http.Request, sig, query string) (int, string) {
					return 400, `{"RequestId":"E2","Code":"SignatureDoesNotMatch","Message":"Specified signature is not matched. Server String To Sign Is: POST&%2F&SecurityToken%3D` + refEscape(rpcEsc) + `"}`
				},
				"double-encoded token, no marker": func(r *http.Request, sig, query string) (int, string) {
					return 400, `{"Code":"Bad","Message":"saw ` + refEscape(rpcEsc) + `"}`
				},
				"excerpt cut inside the token": func(r *http.Request, sig, query string) (int, string) {
					return 500, "<pre>" + strings.Repeat("x", excerptLimit-20) + " " + echoToken + echoToken + "</pre>"
				},
				"message cut inside the token": func(r *http.Request, sig, query string) (int, string) {
					return 400, `{"Code":"Bad","Message":"` + strings.Repeat("y", fieldLimit-10) + `\/` + strings.ReplaceAll(echoToken, "/", `\/`) + `"}`
				},
				"JSON-escaped token": func(r *http.Request, sig, query string) (int, string) {
					return 400, `{"Code":"Bad","Message":"token ` + strings.ReplaceAll(echoToken, "/", `\/`) + `","RequestId":"` + strings.ReplaceAll(echoToken, "+", `\u002b`) + `"}`
				},
			}
			for name, e := range echoes {
				echo = e
				logBuf.Reset()
				_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
				require.Error(t, err, name)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr, name)
				texts := map[string]string{
					"error": err.Error(), "code": apiErr.Code, "message": apiErr.Message, "request id": apiErr.RequestID,
					"host id": apiErr.HostID, "recommend": apiErr.Recommend, "log": logBuf.String(),
				}
				require.NotEmpty(t, logBuf.String(), name)
				sig := sigs[len(sigs)-1]
				for where, text := range texts {
					for _, secret := range []string{echoToken, rpcEsc, url.QueryEscape(echoToken), refEscape(rpcEsc), sig, refEscape(sig), testSecret,
						echoToken[:minPartialSecret], rpcEsc[:minPartialSecret+2], sig[:minPartialSecret+2]} {
						assert.NotContains(t, hexUpper(text), hexUpper(secret), "%s: %s", name, where)
					}
				}
				assert.Contains(t, err.Error(), "status", name)
			}
			// A success whose RequestId echoes the token: the log record is scrubbed.
			echo = func(r *http.Request, sig, query string) (int, string) {
				return 200, `{"RequestId":"ok-` + echoToken + `","Items":[]}`
			}
			logBuf.Reset()
			_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
			require.NoError(t, err)
			assert.NotContains(t, logBuf.String(), echoToken)
			assert.Contains(t, logBuf.String(), "ok-"+redacted)

			// The x-acs-request-id header echoing the token.
			echo = func(r *http.Request, sig, query string) (int, string) { return 503, "" }
			m.header = http.Header{"X-Acs-Request-Id": {"rid-" + echoToken}}
			logBuf.Reset()
			_, err = m.client.DescribeLicenseOrders(context.Background(), nil)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), echoToken)
			assert.NotContains(t, logBuf.String(), echoToken)
			assert.Contains(t, err.Error(), "rid-"+redacted)
			m.header = nil
		})
	}
}

// hexLower writes the hex digits of s's percent-escapes in lower case.
func hexLower(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = strings.ToLower(string(b[i+1]))[0], strings.ToLower(string(b[i+2]))[0]
		}
	}
	return string(b)
}

func TestMayHoldSecret(t *testing.T) {
	const secret = "Ab3.x/y+z w"
	rpc := string(sign.AppendEscape(nil, secret))
	for _, form := range []string{secret, rpc, url.QueryEscape(secret), string(sign.AppendEscape(nil, rpc)), hexLower(rpc)} {
		text := "id-" + form + "-end"
		assert.True(t, mayHoldSecret(text, "", secret), "%q", text)
		assert.NotEqual(t, text, newScrubber([]string{secret}).text(text), "%q", text)
	}
	assert.False(t, mayHoldSecret("", secret))
	assert.False(t, mayHoldSecret("8D7C0D2E-5F3A-4B1C-9E2D-0A1B2C3D4E5F", secret, "token-Zq9", "c2lnbmF0dXJl"))
	assert.False(t, mayHoldSecret("id Ab3x", secret), "the secret's start up to its first escaped character")
	assert.True(t, mayHoldSecret("8D7C0D2E…", secret), "a text cut short may end in a secret's start")
	assert.True(t, mayHoldSecret("8D7C0D2E", "+starts/escaped"), "a secret that starts with an escaped character")
}

func TestScrubberKeepsWhatIsNotSecret(t *testing.T) {
	sc := newScrubber([]string{"s3cr3t/value", ""}, "AccessKeyId=LTAI&Action=X")
	assert.Equal(t, "InvalidParameter: AliyunOrderId 12 not found", sc.text("InvalidParameter: AliyunOrderId 12 not found"))
	assert.Equal(t, "a [REDACTED] b [REDACTED] c [REDACTED]", sc.text("a s3cr3t/value b s3cr3t%2fvalue c s3cr3t%2Fvalue"))
	assert.Equal(t, "S3CR3T/VALUE", sc.text("S3CR3T/VALUE"), "a secret's letters are matched exactly; only hex digits in either case")
	assert.Equal(t, "ends with [REDACTED]…", sc.text("ends with s3cr3t%2Fv…"))
	assert.Equal(t, "ends with s3cr3t%2Fv", sc.text("ends with s3cr3t%2Fv"), "a text not cut short is not trimmed")
	assert.Equal(t, "short s3c…", sc.text("short s3c…"), "too short a tail to be taken for a secret")
	assert.Equal(t, "MismatchWithAccessKey…", sc.text("MismatchWithAccessKey…"), "the signed query is scrubbed whole, never by its start")
	assert.Equal(t, "q [REDACTED]", sc.text("q AccessKeyId=LTAI&Action=X"))
	err := sc.error(fmt.Errorf("wrapped: %w", context.DeadlineExceeded))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	err = sc.error(fmt.Errorf("quoting s3cr3t/value: %w", context.DeadlineExceeded))
	assert.Equal(t, "quoting [REDACTED]: context deadline exceeded", err.Error())
	assert.ErrorIs(t, err, context.DeadlineExceeded, "well-known causes stay reachable")
	assert.Nil(t, errors.Unwrap(err), "the original text is not reachable")
}
