package polarlicense_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// replayingTransport sends every request twice, as a retrying transport or a
// proxy does when it loses the first answer: the first answer is dropped and
// the same request, its nonce and signature included, goes again.
type replayingTransport struct{ inner http.RoundTripper }

func (t replayingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	first, err := t.inner.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, first.Body)
	first.Body.Close()
	return t.inner.RoundTrip(r)
}

// A create whose request reached the service twice is answered
// SignatureNonceUsed the second time; the first may have made the code. The
// client never sends a nonce twice, so that answer says this very request
// was received before: an uncertain outcome, not a refusal.
func TestCreateAnsweredSignatureNonceUsedIsUncertain(t *testing.T) {
	for _, alg := range []polarlicense.SignatureAlgorithm{polarlicense.SignatureV3, polarlicense.SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			srv := polarlicensetest.NewServer()
			defer srv.Close()
			before := len(srv.Codes(polarlicensetest.DemoOrderPG))
			c := newReliabilityClient(t, srv, polarlicense.WithSignatureAlgorithm(alg),
				polarlicense.WithHTTPClient(&http.Client{Transport: replayingTransport{http.DefaultTransport}}))
			_, err := c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
				AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:7a:00:01", Name: "replayed",
				SystemIdentifier: "7345118823001540001",
			})
			var apiErr *polarlicense.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, "SignatureNonceUsed", apiErr.Code)
			assert.Len(t, srv.Codes(polarlicensetest.DemoOrderPG), before+1, "the first copy made the code")
			assert.ErrorIs(t, err, polarlicense.ErrUncertainOutcome, "the code may exist: the caller must look before creating again")
			assert.Equal(t, 2, srv.RequestCount("CreateActivationCode"), "the client itself sent it once")
		})
	}
}
