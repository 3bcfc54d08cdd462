package polarlicense_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// A credential copied with a space around it (a quoted environment
// variable, a pasted line) was sent: with V3 the server trims the header it
// signs and answered SignatureDoesNotMatch, with RPC an unknown AccessKey or
// a token mismatch, none of which points at the space; a token of spaces
// alone made the scrubber blank every space of the error. It is refused
// before anything is sent, naming the part.
func TestCredentialWithSurroundingSpaceIsRefusedBeforeSending(t *testing.T) {
	srv := polarlicensetest.NewServer(polarlicensetest.WithSecurityToken("CAIS-emulator-sts-token"))
	defer srv.Close()
	id, secret, token := srv.AccessKeyID, srv.AccessKeySecret, srv.SecurityToken
	cases := []struct {
		name, id, secret, token, part string
	}{
		{"token with a trailing space", id, secret, token + " ", "security token"},
		{"token with a leading space", id, secret, " " + token, "security token"},
		{"key id with a trailing space", id + " ", secret, token, "AccessKey ID"},
		{"key id with a leading space", " " + id, secret, token, "AccessKey ID"},
		{"secret with a trailing space", id, secret + " ", token, "AccessKey secret"},
	}
	for _, alg := range []polarlicense.SignatureAlgorithm{polarlicense.SignatureV3, polarlicense.SignatureRPC} {
		for _, tc := range cases {
			t.Run(alg.String()+"/"+tc.name, func(t *testing.T) {
				srv.ResetRequests()
				c, err := polarlicense.NewClient(polarlicense.WithEndpoint(srv.URL), polarlicense.WithSignatureAlgorithm(alg),
					polarlicense.WithSTSToken(tc.id, tc.secret, tc.token))
				require.NoError(t, err)
				_, err = c.DescribeLicenseOrders(context.Background(), nil)
				var ce *polarlicense.CredentialError
				require.ErrorAs(t, err, &ce)
				assert.Contains(t, ce.Reason, tc.part)
				assert.Contains(t, ce.Reason, "space")
				assert.Empty(t, srv.Requests(), "nothing is sent")
			})
		}
		t.Run(alg.String()+"/untouched", func(t *testing.T) {
			c, err := polarlicense.NewClient(polarlicense.WithEndpoint(srv.URL), polarlicense.WithSignatureAlgorithm(alg),
				polarlicense.WithSTSToken(id, secret, token))
			require.NoError(t, err)
			_, err = c.DescribeLicenseOrders(context.Background(), nil)
			require.NoError(t, err)
		})
	}
}
