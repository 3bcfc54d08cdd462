package polarlicense_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// Client.Call against the emulator: one of the six actions, whose answer
// the typed method reads the same, and an action the emulator does not serve.

func TestCallReachesAnActionThroughTheOnePath(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	for _, alg := range []polarlicense.SignatureAlgorithm{polarlicense.SignatureV3, polarlicense.SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			c := newReliabilityClient(t, srv, polarlicense.WithSignatureAlgorithm(alg))
			srv.ResetRequests()
			body, err := c.Call(context.Background(), "DescribeLicenseOrderDetails",
				map[string]string{"AliyunOrderId": polarlicensetest.DemoOrderPG}, polarlicense.CallIdempotent())
			require.NoError(t, err, "signed as the emulator checks")
			var got struct {
				RequestId           string
				AliyunOrderId       string
				ActivationCodeQuota int
			}
			require.NoError(t, json.Unmarshal(body, &got))
			want, ok := srv.Order(polarlicensetest.DemoOrderPG)
			require.True(t, ok)
			assert.Equal(t, want.AliyunOrderID, got.AliyunOrderId)
			assert.Equal(t, want.ActivationCodeQuota, got.ActivationCodeQuota)
			assert.NotEmpty(t, got.RequestId)

			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "DescribeLicenseOrderDetails", reqs[0].Operation)
			assert.Equal(t, map[string]string{"AliyunOrderId": polarlicensetest.DemoOrderPG}, reqs[0].Params)
			assert.Equal(t, alg.String(), reqs[0].Signature)
			assert.Equal(t, http.StatusOK, reqs[0].StatusCode)
		})
	}
}

func TestCallRetriesThroughTheOnePath(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newReliabilityClient(t, srv)

	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})
	_, err := c.Call(context.Background(), "DescribeLicenseOrders", nil, polarlicense.CallIdempotent())
	require.NoError(t, err)
	assert.Equal(t, 2, srv.RequestCount("DescribeLicenseOrders"), "an idempotent call is retried after a 503")

	srv.ResetRequests()
	srv.InjectFault(polarlicensetest.Fault{Kind: polarlicensetest.FaultServiceUnavailable})
	_, err = c.Call(context.Background(), "DescribeLicenseOrders", nil)
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	assert.Equal(t, 1, srv.RequestCount("DescribeLicenseOrders"), "a call not declared idempotent is not")
}

func TestCallOfAnUnknownActionIsTheServicesError(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newReliabilityClient(t, srv)
	_, err := c.Call(context.Background(), "DescribeDBClusters", map[string]string{"RegionId": "cn-hangzhou"})
	var apiErr *polarlicense.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, polarlicensetest.CodeInvalidActionNotFound, apiErr.Code)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.NotEmpty(t, apiErr.RequestID)
	var oe *polarlicense.OperationError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "DescribeDBClusters", oe.Operation)
	assert.Equal(t, 1, oe.Attempts)
	assert.NotErrorIs(t, err, polarlicense.ErrUncertainOutcome, "a 404 is a definite answer")
	assert.Equal(t, 1, srv.RequestCount(polarlicensetest.UnknownActions), "one request was sent")
}

// CallIdempotent cannot make CreateActivationCode repeatable: it spends
// quota and has no idempotency token. Declared idempotent, a create whose
// answer was cut off after it took effect was sent again: two codes, and a
// success that hid the first.
func TestCallIdempotentDoesNotRepeatACreate(t *testing.T) {
	for _, alg := range []polarlicense.SignatureAlgorithm{polarlicense.SignatureV3, polarlicense.SignatureRPC} {
		t.Run(alg.String(), func(t *testing.T) {
			srv := ensureServer(t)
			c := newReliabilityClient(t, srv, polarlicense.WithSignatureAlgorithm(alg))
			srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter, Count: 1})
			_, err := c.Call(context.Background(), "CreateActivationCode", map[string]string{
				"AliyunOrderId": ensureOrder, "MacAddress": ensureMac, "SystemIdentifier": ensureSysID, "Name": "by-call",
			}, polarlicense.CallIdempotent())
			require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
			assert.Len(t, srv.Codes(ensureOrder), 1, "sent once")
		})
	}
}
