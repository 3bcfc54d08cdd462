package polarlicensetest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// TestRequestCountCountsRequestsRefusedBeforeRouting: a request refused for
// its method, its path or a query that does not decode is counted, as
// RequestCount promises ("whatever their outcome"), under the Action it
// names, and RequestCount("") counts every request the log records.
func TestRequestCountCountsRequestsRefusedBeforeRouting(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	for _, r := range []struct {
		method, target, code string
		status               int
	}{
		{http.MethodPut, "/?Action=CreateActivationCode", polarlicensetest.CodeUnsupportedHTTPMethod, http.StatusMethodNotAllowed},
		{http.MethodPost, "/v1?Action=CreateActivationCode", polarlicensetest.CodeInvalidActionNotFound, http.StatusNotFound},
		{http.MethodPost, "/?Action=CreateActivationCode&Name=%zz", polarlicensetest.CodeInvalidParameter, http.StatusBadRequest},
		{http.MethodPost, "/nothing", polarlicensetest.CodeInvalidActionNotFound, http.StatusNotFound},
	} {
		req, err := http.NewRequest(r.method, srv.URL+r.target, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, r.status, resp.StatusCode, r.target)
	}
	assert.Equal(t, 3, srv.RequestCount("CreateActivationCode"), "the three requests that named it")
	log := srv.Requests()
	require.Len(t, log, 4)
	assert.Equal(t, len(log), srv.RequestCount(""), "every request")
	for i, want := range []string{polarlicensetest.CodeUnsupportedHTTPMethod, polarlicensetest.CodeInvalidActionNotFound, polarlicensetest.CodeInvalidParameter} {
		assert.Equal(t, "CreateActivationCode", log[i].Operation)
		assert.Equal(t, want, log[i].Code)
	}
	assert.Equal(t, "", log[3].Operation)
}

// A body over 1 MiB is refused with InvalidParameter and HTTP 413, as the
// package's table of error codes says.
func TestBodyOverOneMiBIsRefused(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	body := "Action=DescribeLicenseOrders&Pad=" + strings.Repeat("x", 1<<20)
	resp, err := http.Post(srv.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	var e struct{ Code, RequestId string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	assert.Equal(t, polarlicensetest.CodeInvalidParameter, e.Code)
	assert.NotEmpty(t, e.RequestId)
}

// RequestCount of a name it does not count by, such as a misspelt
// operation, panics: it could only answer 0, and a test asserting that no
// create was sent would pass whatever was sent.
func TestRequestCountOfAnUncountedNamePanics(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/?Action=CreateActivationCodes", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()

	assert.PanicsWithValue(t, `polarlicensetest: RequestCount("CreateActivationCodes"): requests are counted by name for the six `+
		`operations only, such as "CreateActivationCode"; the others under UnknownActions`,
		func() { srv.RequestCount("CreateActivationCodes") })
	assert.Panics(t, func() { srv.RequestCount("DescribeDBClusters") })
	assert.Equal(t, 1, srv.RequestCount(polarlicensetest.UnknownActions), "the request naming it is counted here")
	assert.Equal(t, 1, srv.RequestCount(""))
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
}
