package polarlicense

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// action names the operation of a request, whichever the signature.
func action(r *http.Request) string {
	if a := r.Header.Get("x-acs-action"); a != "" {
		return a
	}
	return r.URL.Query().Get("Action")
}

// A service that ignores the list's filters must not make another host's
// code look like this host's.
func TestEnsureDoesNotTrustTheListFilter(t *testing.T) {
	m := newMockAPI(t)
	var details string
	m.handle = func(r *http.Request) (int, string) {
		switch action(r) {
		case "DescribeActivationCodes":
			assert.Equal(t, "7345", r.URL.Query().Get("SystemIdentifier"), "the filter is still used")
			return 200, `{"RequestId":"l","PageNumber":1,"TotalRecordCount":4,"Items":[
				{"Id":1,"MacAddress":"00:16:3e:00:00:09","SystemIdentifier":"7345","ExpireAt":"2040-01-01 00:00:00"},
				{"Id":2,"MacAddress":"00:16:3e:00:00:01","SystemIdentifier":"9999","ExpireAt":"2040-01-01 00:00:00"},
				{"Id":3,"MacAddress":"00:16:3E:00:00:01","SystemIdentifier":"7345","ExpireAt":"2030-01-01 00:00:00"},
				{"Id":4,"MacAddress":"00-16-3e-00-00-01","SystemIdentifier":"7345","ExpireAt":"2020-01-01 00:00:00"}]}`
		case "DescribeActivationCodeDetails":
			details = r.URL.Query().Get("ActivationCodeId")
			return 200, `{"RequestId":"d","Id":3,"MacAddress":"00:16:3E:00:00:01","SystemIdentifier":"7345","ExpireAt":"2030-01-01 00:00:00","CertContentB64":"TElD"}`
		}
		t.Errorf("unexpected %s", action(r))
		return 500, `{}`
	}
	out, err := m.client.EnsureActivationCode(context.Background(), &EnsureActivationCodeRequest{AliyunOrderID: "1", MacAddress: "00-16-3E-00-00-01", SystemIdentifier: "7345", Name: "n"})
	require.NoError(t, err)
	assert.Equal(t, int64(3), out.ID, "the only unexpired code of this host")
	assert.Equal(t, "3", details)
	assert.Equal(t, "d", out.RequestID)
	assert.False(t, out.Created)
}

// A details answer about another code is refused, not returned as this
// host's.
func TestEnsureRefusesADetailsAnswerAboutAnotherCode(t *testing.T) {
	m := newMockAPI(t)
	m.handle = func(r *http.Request) (int, string) {
		if action(r) == "DescribeActivationCodes" {
			return 200, `{"RequestId":"l","PageNumber":1,"TotalRecordCount":1,"Items":[{"Id":3,"MacAddress":"00:16:3e:00:00:01","SystemIdentifier":"7345"}]}`
		}
		return 200, `{"RequestId":"d","Id":3,"MacAddress":"00:16:3e:00:00:02","SystemIdentifier":"7345","CertContentB64":"TElD"}`
	}
	_, err := m.client.EnsureActivationCode(context.Background(), &EnsureActivationCodeRequest{AliyunOrderID: "1", MacAddress: "00:16:3e:00:00:01", SystemIdentifier: "7345", Name: "n"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "request id d")
}
