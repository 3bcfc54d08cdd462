package polarlicensetest_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// TestRequestLogRecordsTheUserAgent asserts the client's User-Agent on the
// wire, every attempt included, and that the log keeps whatever a request
// sent.
func TestRequestLogRecordsTheUserAgent(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	want := "polarlicense-go/" + polarlicense.Version + " (" + runtime.GOOS + "; " + runtime.GOARCH + ") Go/" +
		strings.TrimPrefix(runtime.Version(), "go") + " app/renewer"
	for _, a := range algorithms {
		srv.ResetRequests()
		c, err := polarlicense.NewClient(append(srv.ClientOptions(), polarlicense.WithSignatureAlgorithm(a.alg),
			polarlicense.WithAppID("renewer"), polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{BaseDelay: 1}))...)
		require.NoError(t, err)
		srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})
		_, err = c.DescribeLicenseOrders(context.Background(), nil)
		require.NoError(t, err)
		reqs := srv.Requests()
		require.Len(t, reqs, 2, a.name)
		for _, r := range reqs {
			assert.Equal(t, want, r.UserAgent, a.name)
		}
	}

	srv.ResetRequests()
	for _, ua := range []string{"curl/8.5.0", "", "junk/" + strings.Repeat("x", 10000)} {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/?Action=DescribeLicenseOrders", nil)
		require.NoError(t, err)
		req.Header.Set("User-Agent", ua) // empty: net/http sends none
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "curl/8.5.0", reqs[0].UserAgent)
	assert.Equal(t, "", reqs[1].UserAgent)
	assert.LessOrEqual(t, len(reqs[2].UserAgent), 256, "the log keeps a bounded part")
	assert.True(t, strings.HasPrefix(reqs[2].UserAgent, "junk/xxx"))
}
