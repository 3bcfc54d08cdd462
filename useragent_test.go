package polarlicense

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func wantUserAgent(appID string) string {
	ua := "polarlicense-go/" + Version + " (" + runtime.GOOS + "; " + runtime.GOARCH + ") Go/" + strings.TrimPrefix(runtime.Version(), "go")
	if appID != "" {
		ua += " app/" + appID
	}
	return ua
}

func TestEveryRequestCarriesTheUserAgent(t *testing.T) {
	for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			m := newMockAPI(t, WithSignatureAlgorithm(alg), quickRetries())
			m.handle = sequence("503", "ok")
			_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
			require.NoError(t, err)
			require.Equal(t, 2, m.sent())
			for _, r := range m.reqs {
				assert.Equal(t, []string{wantUserAgent("")}, r.Header.Values("User-Agent"), "retries too")
			}

			m = newMockAPI(t, WithSignatureAlgorithm(alg), WithAppID("license-renewer.v2_1"))
			_, err = m.client.DescribeLicenseOrders(context.Background(), nil)
			require.NoError(t, err)
			assert.Equal(t, wantUserAgent("license-renewer.v2_1"), m.last(t).Header.Get("User-Agent"))
		})
	}
	assert.Regexp(t, `^polarlicense-go/\d+\.\d+\.\d+ \([a-z0-9]+; [a-z0-9]+\) Go/\S+$`, wantUserAgent(""))
}

func TestWithAppIDIsValidated(t *testing.T) {
	for _, ok := range []string{"", "a", "renewer", "A.b_c-9", strings.Repeat("x", 50)} {
		_, err := NewClient(WithAccessKey("id", "secret"), WithAppID(ok))
		assert.NoError(t, err, "%q", ok)
	}
	for _, bad := range []string{strings.Repeat("x", 51), "two words", "a/b", "a;b", "(x)", "é", "a\n"} {
		_, err := NewClient(WithAccessKey("id", "secret"), WithAppID(bad))
		assert.ErrorContains(t, err, "WithAppID", "%q", bad)
	}
	m := newMockAPI(t, WithAppID("first"), WithAppID(""))
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, wantUserAgent(""), m.last(t).Header.Get("User-Agent"), "an empty id adds nothing")
}

func TestGoVersionIsOneToken(t *testing.T) {
	for in, want := range map[string]string{
		"go1.26.8":  "1.26.8",
		"go1.25rc1": "1.25rc1",
		"devel go1.27-abcdef Tue Jan 1 10:00 2026": "devel-go1.27-abcdef",
		"weird": "weird",
		"":      "unknown",
	} {
		assert.Equal(t, want, goVersion(in), in)
	}
}
