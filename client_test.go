package polarlicense

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEndpointResolution(t *testing.T) {
	cases := []struct {
		opts []Option
		want string
	}{
		{nil, "https://polardb.aliyuncs.com"},
		{[]Option{WithRegion("cn-hangzhou")}, "https://polardb.aliyuncs.com"},
		{[]Option{WithRegion("ap-southeast-1")}, "https://polardb.ap-southeast-1.aliyuncs.com"},
		{[]Option{WithRegion("eu-central-1")}, "https://polardb.eu-central-1.aliyuncs.com"},
		{[]Option{WithRegion("ap-southeast-1"), WithEndpoint("http://127.0.0.1:9000")}, "http://127.0.0.1:9000"},
		{[]Option{WithEndpoint("polardb.example.test")}, "https://polardb.example.test"},
		{[]Option{WithEndpoint("https://polardb.example.test/")}, "https://polardb.example.test"},
	}
	for _, tc := range cases {
		c, err := NewClient(append([]Option{WithAccessKey("id", "secret")}, tc.opts...)...)
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.Endpoint())
	}
	for _, bad := range []string{"ftp://x", "http://", "https://h/path", "https://u:p@h", "https://h/?q=1", "http://[::1", "https://:8443", ":8443", "http://:"} { // no host: ":8443" would dial this machine
		_, err := NewClient(WithAccessKey("id", "secret"), WithEndpoint(bad))
		assert.Error(t, err, bad)
	}
	for _, bad := range []string{"cn-hangzhou/evil", "cn hangzhou", "CN-HANGZHOU", "cn-hangzhou\n"} {
		_, err := NewClient(WithRegion(bad))
		assert.Error(t, err, bad)
	}
}

func TestOptionErrors(t *testing.T) {
	for name, opt := range map[string]Option{
		"empty key":       WithAccessKey("", "s"),
		"empty secret":    WithAccessKey("id", ""),
		"nil credentials": WithCredentials(nil),
		"nil http client": WithHTTPClient(nil),
		"bad algorithm":   WithSignatureAlgorithm(SignatureAlgorithm(9)),
		"nil zone":        WithTimeZone(nil),
		"tiny body cap":   WithMaxResponseBytes(10),
	} {
		_, err := NewClient(opt)
		assert.ErrorContains(t, err, "polarlicense: NewClient", name)
	}
}

func TestClientIsSafeForConcurrentUse(t *testing.T) {
	m := newMockAPI(t)
	m.answer(200, `{"RequestId":"r","TotalRecordCount":1,"Items":[{"AliyunOrderId":"1"}]}`)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				if (g+i)%2 == 0 {
					out, err := m.client.DescribeLicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{PageNumber: i + 1})
					if assert.NoError(t, err) {
						assert.Equal(t, "1", out.Items[0].AliyunOrderID)
					}
				} else {
					_, err := m.client.CreateActivationCode(context.Background(), &CreateActivationCodeRequest{AliyunOrderID: "1", Name: "bad name"})
					assert.Error(t, err)
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 16*25/2, m.sent())
}
