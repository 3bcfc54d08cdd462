package polarlicense

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCallRefusesBadInputBeforeSending(t *testing.T) {
	cases := []struct {
		action    string
		params    map[string]string
		operation string
		field     string
	}{
		{action: "", operation: "Call", field: "action"},
		{action: "Describe-DBClusters", operation: "Call", field: "action"},
		{action: "Describe DBClusters", operation: "Call", field: "action"},
		{action: "DescribeDBClusters&Version=1", operation: "Call", field: "action"},
		{action: strings.Repeat("A", 129), operation: "Call", field: "action"},
		{action: "DescribeDBClusters", params: map[string]string{"": "x"}, field: `params[""]`},
		{action: "DescribeDBClusters", params: map[string]string{"Region Id": "x"}, field: `params["Region Id"]`},
		{action: "DescribeDBClusters", params: map[string]string{"a=b": "x"}, field: `params["a=b"]`},
		{action: "DescribeDBClusters", params: map[string]string{strings.Repeat("k", 129): "x"}, field: `params["` + strings.Repeat("k", 128) + `…"]`},
	}
	for _, reserved := range []string{"Action", "action", "Version", "Format", "AccessKeyId", "Timestamp", "SecurityToken",
		"BearerToken", "Signature", "SignatureNonce", "signaturemethod", "SignatureVersion", "SignatureType"} {
		cases = append(cases, struct {
			action    string
			params    map[string]string
			operation string
			field     string
		}{action: "DescribeDBClusters", params: map[string]string{reserved: "x", "RegionId": "cn-hangzhou"}, field: `params["` + reserved + `"]`})
	}
	for _, tc := range cases {
		m := newMockAPI(t)
		_, err := m.client.Call(context.Background(), tc.action, tc.params)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%q %v", tc.action, tc.params)
		want := tc.operation
		if want == "" {
			want = tc.action
		}
		assert.Equal(t, want, ve.Operation)
		assert.Equal(t, tc.field, ve.Field)
		assert.NotEmpty(t, ve.Reason)
		assert.Zero(t, m.sent(), "nothing is sent")
	}

	// Of several bad names, the error names the first in sorted order.
	m := newMockAPI(t)
	for range 20 {
		_, err := m.client.Call(context.Background(), "DescribeDBClusters", map[string]string{"Zz z": "1", "Action": "2", "b b": "3", "Ok": "4"})
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, `params["Action"]`, ve.Field)
	}
}

func TestCallSendsTheActionAndParameters(t *testing.T) {
	params := map[string]string{"RegionId": "cn-hangzhou", "Tag.1.Key": "env", "DBClusterDescription": "a b*c~"}
	t.Run("RPC", func(t *testing.T) {
		m := newMockAPI(t, WithSignatureAlgorithm(SignatureRPC))
		_, err := m.client.Call(context.Background(), "DescribeDBClusters", params)
		require.NoError(t, err)
		q := m.last(t).URL.Query()
		assert.Equal(t, "DescribeDBClusters", q.Get("Action"))
		assert.Equal(t, APIVersion, q.Get("Version"))
		for k, v := range params {
			assert.Equal(t, v, q.Get(k), k)
		}
		assert.NotEmpty(t, q.Get("Signature"))
	})
	t.Run("V3", func(t *testing.T) {
		m := newMockAPI(t)
		_, err := m.client.Call(context.Background(), "DescribeDBClusters", params)
		require.NoError(t, err)
		r := m.last(t)
		assert.Equal(t, "DescribeDBClusters", r.Header.Get("x-acs-action"))
		want := url.Values{}
		for k, v := range params {
			want.Set(k, v)
		}
		assert.Equal(t, want, r.URL.Query())
		assert.Equal(t, refCanonical(want, ""), r.URL.RawQuery, "sorted and encoded as signed")
	})
}

func TestCallReturnsTheBodyAsACopy(t *testing.T) {
	var requestIDs []string
	m := newMockAPI(t, WithAttemptHook(func(_ context.Context, a AttemptInfo) {
		assert.Equal(t, "DescribeDBClusters", a.Operation)
		requestIDs = append(requestIDs, a.RequestID)
	}))
	const body = `{"RequestId":"rid-1","Items":{"DBCluster":[{"DBClusterId":"pc-1"}]},"TotalRecordCount":1}`
	m.answer(200, body)
	out, err := m.client.Call(context.Background(), "DescribeDBClusters", nil)
	require.NoError(t, err)
	assert.JSONEq(t, body, string(out))
	assert.Equal(t, []string{"rid-1"}, requestIDs, "the body's RequestId is the attempt's")
	for i := range out {
		out[i] = 'x' // the caller owns the bytes
	}
	assert.Equal(t, []string{"rid-1"}, requestIDs, "what the hooks were given does not change")

	again, err := m.client.Call(context.Background(), "DescribeDBClusters", nil)
	require.NoError(t, err)
	assert.JSONEq(t, body, string(again))
}

func TestCallRefusesASuccessThatIsNotOneObject(t *testing.T) {
	for _, body := range []string{`[]`, `null`, `{"RequestId":"r"} {}`, `{"RequestId":`, `<html></html>`, ``} {
		m := newMockAPI(t)
		m.answer(200, body)
		_, err := m.client.Call(context.Background(), "DescribeDBClusters", nil)
		var de *DecodeError
		require.ErrorAs(t, err, &de, "%q", body)
		assert.Equal(t, 200, de.StatusCode)
	}
}

func TestCallIsNotIdempotentUnlessDeclared(t *testing.T) {
	ctx := context.Background()

	m := newMockAPI(t, quickRetries())
	m.handle = sequence("503", "ok")
	_, err := m.client.Call(ctx, "ModifyDBClusterDescription", map[string]string{"DBClusterId": "pc-1"})
	require.ErrorIs(t, err, ErrUncertainOutcome, "a 503 after sending is ambiguous")
	assert.Equal(t, 1, m.sent(), "and never repeated")
	assert.Contains(t, err.Error(), "check whether ModifyDBClusterDescription took effect")
	assert.NotContains(t, err.Error(), "activation code")

	m = newMockAPI(t, quickRetries())
	m.handle = sequence("throttle", "ok")
	_, err = m.client.Call(ctx, "ModifyDBClusterDescription", nil)
	require.NoError(t, err, "a throttled request was never processed, so it is retried")
	assert.Equal(t, 2, m.sent())

	m = newMockAPI(t, quickRetries())
	m.handle = sequence("503", "ok")
	_, err = m.client.Call(ctx, "DescribeDBClusters", nil, CallIdempotent(), nil)
	require.NoError(t, err)
	assert.Equal(t, 2, m.sent(), "CallIdempotent lets a 503 be retried")

	m = newMockAPI(t, quickRetries())
	m.handle = sequence("400")
	_, err = m.client.Call(ctx, "ModifyDBClusterDescription", nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotErrorIs(t, err, ErrUncertainOutcome, "a 400 is a definite answer")
	var oe *OperationError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "ModifyDBClusterDescription", oe.Operation)
}

func TestCallObserverSeesCall(t *testing.T) {
	var events []string
	o := &recordingObserver{name: "o", events: &events}
	m := newMockAPI(t, WithCallObserver(o))
	m.answer(http.StatusOK, `{"RequestId":"r"}`)
	_, err := m.client.Call(context.Background(), "DescribeDBClusters", nil)
	require.NoError(t, err)
	require.Len(t, o.ends, 1)
	assert.Equal(t, "DescribeDBClusters", o.starts[0].Operation)
	assert.Equal(t, "DescribeDBClusters", o.ends[0].Operation)
	assert.Equal(t, "r", o.ends[0].RequestID)
}
