package polarlicense

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A RAM denial's AccessDeniedDetail reaches the APIError typed, with every
// field Alibaba sends, and unknown keys inside it are skipped.
func TestAPIErrorKeepsAccessDeniedDetail(t *testing.T) {
	m := newMockAPI(t)
	m.answer(403, `{"RequestId":"E3","Code":"Forbidden.RAM","Message":"User not authorized to operate on the specified resource.",`+
		`"AccessDeniedDetail":{"AuthAction":"polardb:CreateActivationCode","PolicyType":"AccountLevelIdentityBasedPolicy",`+
		`"NoPermissionType":"ImplicitDeny","AuthPrincipalType":"SubUser","AuthPrincipalOwnerId":"1234567890123456",`+
		`"AuthPrincipalDisplayName":"203456789012345678","EncodedDiagnosticMessage":"AQEAAAAA==","NewKey":{"x":[1,2]}}}`)
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Forbidden.RAM", apiErr.Code)
	assert.Equal(t, &AccessDeniedDetail{
		AuthAction: "polardb:CreateActivationCode", PolicyType: "AccountLevelIdentityBasedPolicy",
		NoPermissionType: "ImplicitDeny", AuthPrincipalType: "SubUser", AuthPrincipalOwnerID: "1234567890123456",
		AuthPrincipalDisplayName: "203456789012345678", EncodedDiagnosticMessage: "AQEAAAAA==",
	}, apiErr.AccessDeniedDetail)
}

func TestAPIErrorAccessDeniedDetailLowerCamelAndBadShapes(t *testing.T) {
	for body, want := range map[string]*AccessDeniedDetail{
		`{"code":"Forbidden","message":"m","accessDeniedDetail":{"authAction":"polardb:DescribeLicenseOrders","noPermissionType":"ExplicitDeny"}}`: {
			AuthAction: "polardb:DescribeLicenseOrders", NoPermissionType: "ExplicitDeny",
		},
		`{"Code":"Forbidden","Message":"m","AccessDeniedDetail":null}`:       nil,
		`{"Code":"Forbidden","Message":"m","AccessDeniedDetail":"a string"}`: nil,
		`{"Code":"Forbidden","Message":"m","AccessDeniedDetail":[1,2,3]}`:    nil,
		`{"Code":"Forbidden","Message":"m"}`:                                 nil,
		`{"Code":"Forbidden","Message":"m","AccessDeniedDetail":{"X":true}}`: {},
	} {
		m := newMockAPI(t)
		m.answer(403, body)
		_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, body)
		assert.Equal(t, "Forbidden", apiErr.Code, body)
		assert.Equal(t, want, apiErr.AccessDeniedDetail, body)
	}
}

func TestAccessDeniedDetailIsPrintableAndBounded(t *testing.T) {
	m := newMockAPI(t)
	m.answer(403, `{"Code":"Forbidden.RAM","Message":"m","AccessDeniedDetail":{"AuthAction":"polardb:X\u001b[31m\nY","EncodedDiagnosticMessage":"`+strings.Repeat("A", 5000)+`"}}`)
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.NotNil(t, apiErr.AccessDeniedDetail)
	assert.Equal(t, "polardb:X?[31m Y", apiErr.AccessDeniedDetail.AuthAction)
	assert.LessOrEqual(t, len(apiErr.AccessDeniedDetail.EncodedDiagnosticMessage), fieldLimit+len("…"))
}

// A server echoing the secret in AccessDeniedDetail cannot put it into the error.
func TestAccessDeniedDetailIsScrubbed(t *testing.T) {
	m := newMockAPI(t)
	m.answer(403, `{"Code":"Forbidden.RAM","Message":"m","AccessDeniedDetail":{"AuthPrincipalDisplayName":"`+testSecret+`","EncodedDiagnosticMessage":"x`+testSecret+`y"}}`)
	_, err := m.client.DescribeLicenseOrders(context.Background(), nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	require.NotNil(t, apiErr.AccessDeniedDetail)
	assert.NotContains(t, apiErr.AccessDeniedDetail.AuthPrincipalDisplayName, testSecret)
	assert.NotContains(t, apiErr.AccessDeniedDetail.EncodedDiagnosticMessage, testSecret)
	assert.Contains(t, apiErr.AccessDeniedDetail.EncodedDiagnosticMessage, "[REDACTED]")
}
