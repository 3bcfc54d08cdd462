package polarlicense

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the operations' requests: the parameters each sends, and the
// validation that refuses bad input before anything is sent.

func TestOperationParameters(t *testing.T) {
	scope := AccountScope{OwnerID: 42, OwnerAccount: "owner", ResourceOwnerID: 7, ResourceOwnerAccount: "res"}
	cases := []struct {
		name string
		call func(c *Client) error
		want url.Values
	}{
		{"CreateOrGetVirtualLicenseOrder", func(c *Client) error {
			_, err := c.CreateOrGetVirtualLicenseOrder(context.Background(), &CreateOrGetVirtualLicenseOrderRequest{Engine: EngineOracle})
			return err
		}, url.Values{"Engine": {"Oracle"}}},
		{"DescribeLicenseOrderDetails", func(c *Client) error {
			_, err := c.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "239618016570503", AccountScope: scope})
			return err
		}, url.Values{"AliyunOrderId": {"239618016570503"}, "OwnerId": {"42"}, "OwnerAccount": {"owner"}, "ResourceOwnerId": {"7"}, "ResourceOwnerAccount": {"res"}}},
		{"DescribeLicenseOrders", func(c *Client) error {
			_, err := c.DescribeLicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{
				PageNumber: 3, PageSize: 100, AliyunOrderID: "x y", PurchaseChannel: ChannelMarketplace,
				PackageType: PackageSingleNodeSubscribe, VirtualOrder: Bool(true),
			})
			return err
		}, url.Values{"PageNumber": {"3"}, "PageSize": {"100"}, "AliyunOrderId": {"x y"}, "PurchaseChannel": {"aliyun_market"}, "PackageType": {"single_node_subscribe"}, "VirtualOrder": {"true"}}},
		{"DescribeLicenseOrders", func(c *Client) error {
			_, err := c.DescribeLicenseOrders(context.Background(), nil)
			return err
		}, url.Values{}},
		{"DescribeActivationCodeDetails", func(c *Client) error {
			_, err := c.DescribeActivationCodeDetails(context.Background(), &DescribeActivationCodeDetailsRequest{AliyunOrderID: "2233", ActivationCodeID: 123})
			return err
		}, url.Values{"AliyunOrderId": {"2233"}, "ActivationCodeId": {"123"}}},
		{"DescribeActivationCodes", func(c *Client) error {
			_, err := c.DescribeActivationCodes(context.Background(), &DescribeActivationCodesRequest{AliyunOrderID: "2233", PageSize: 10, MacAddress: "12-34-56-78-98-0B", SystemIdentifier: "1234567890123456"})
			return err
		}, url.Values{"AliyunOrderId": {"2233"}, "PageSize": {"10"}, "MacAddress": {"12:34:56:78:98:0b"}, "SystemIdentifier": {"1234567890123456"}}}, // the normal form
		{"CreateActivationCode", func(c *Client) error {
			_, err := c.CreateActivationCode(context.Background(), &CreateActivationCodeRequest{AliyunOrderID: "2233", MacAddress: "12-34-56-78-98-0A", Name: "n-1_x", SystemIdentifier: "77", Description: "中文 & more"})
			return err
		}, url.Values{"AliyunOrderId": {"2233"}, "MacAddress": {"12:34:56:78:98:0a"}, "Name": {"n-1_x"}, "SystemIdentifier": {"77"}, "Description": {"中文 & more"}}},
	}
	for _, tc := range cases {
		for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
			t.Run(tc.name+"/"+alg.String(), func(t *testing.T) {
				m := newMockAPI(t, WithSignatureAlgorithm(alg))
				require.NoError(t, tc.call(m.client))
				r := m.last(t)
				q := r.URL.Query()
				if alg == SignatureRPC {
					assert.Equal(t, tc.name, q.Get("Action"))
					for _, k := range []string{"Action", "Version", "Format", "AccessKeyId", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp", "Signature"} {
						q.Del(k)
					}
				} else {
					assert.Equal(t, tc.name, r.Header.Get("x-acs-action"))
				}
				assert.Equal(t, tc.want, q)
			})
		}
	}
}

func TestValidationFailsBeforeSending(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		field string
		call  func(c *Client) error
	}{
		{"Engine", func(c *Client) error { _, err := c.CreateOrGetVirtualLicenseOrder(ctx, nil); return err }},
		{"AliyunOrderID", func(c *Client) error {
			_, err := c.DescribeLicenseOrderDetails(ctx, &DescribeLicenseOrderDetailsRequest{})
			return err
		}},
		{"PageNumber", func(c *Client) error {
			_, err := c.DescribeLicenseOrders(ctx, &DescribeLicenseOrdersRequest{PageNumber: -1})
			return err
		}},
		{"PageSize", func(c *Client) error {
			_, err := c.DescribeLicenseOrders(ctx, &DescribeLicenseOrdersRequest{PageSize: 101})
			return err
		}},
		{"PageSize", func(c *Client) error {
			_, err := c.DescribeActivationCodes(ctx, &DescribeActivationCodesRequest{AliyunOrderID: "1", PageSize: -3})
			return err
		}},
		{"AliyunOrderID", func(c *Client) error {
			_, err := c.DescribeActivationCodes(ctx, &DescribeActivationCodesRequest{PageSize: 10})
			return err
		}},
		{"AliyunOrderID", func(c *Client) error {
			_, err := c.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{ActivationCodeID: 1})
			return err
		}},
		{"ActivationCodeID", func(c *Client) error {
			_, err := c.DescribeActivationCodeDetails(ctx, &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1", ActivationCodeID: -1})
			return err
		}},
		{"AliyunOrderID", func(c *Client) error {
			_, err := c.CreateActivationCode(ctx, &CreateActivationCodeRequest{MacAddress: "12:34:56:78:98:00", Name: "n"})
			return err
		}},
		{"MacAddress", func(c *Client) error {
			_, err := c.CreateActivationCode(ctx, &CreateActivationCodeRequest{AliyunOrderID: "1", Name: "n"})
			return err
		}},
		{"MacAddress", func(c *Client) error {
			_, err := c.CreateActivationCode(ctx, &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98", Name: "n"})
			return err
		}},
		{"Name", func(c *Client) error {
			_, err := c.CreateActivationCode(ctx, &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00"})
			return err
		}},
		{"Name", func(c *Client) error {
			_, err := c.CreateActivationCode(ctx, &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00", Name: "my code"})
			return err
		}},
		{"OwnerID", func(c *Client) error {
			_, err := c.DescribeLicenseOrders(ctx, &DescribeLicenseOrdersRequest{AccountScope: AccountScope{OwnerID: -1}})
			return err
		}},
	}
	for _, tc := range cases {
		m := newMockAPI(t)
		err := tc.call(m.client)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, tc.field)
		assert.Equal(t, tc.field, ve.Field)
		assert.NotEmpty(t, ve.Operation)
		assert.NotEmpty(t, ve.Reason)
		assert.Contains(t, err.Error(), "invalid "+tc.field)
		assert.Zero(t, m.sent(), "nothing may be sent for an invalid request")
	}
}

func TestValidMacAddress(t *testing.T) {
	for _, ok := range []string{"12:34:56:78:98:00", "AA-bb-CC-dd-EE-ff", "00:00:00:00:00:00"} {
		assert.True(t, ValidMacAddress(ok), ok)
	}
	for _, bad := range []string{"", "12:34:56:78:98", "12:34:56:78:98:0g", "12-34:56:78:98:00", "1234.5678.9800", "12:34:56:78:98:00:", " 12:34:56:78:98:0"} {
		assert.False(t, ValidMacAddress(bad), bad)
	}
}

// TestOnlyAlnumAnd: the one character-class check of names accepts ASCII
// letters, digits and the extra bytes given, and nothing else (no other
// punctuation, no space, no byte of a multi-byte character).
func TestOnlyAlnumAnd(t *testing.T) {
	for _, tc := range []struct {
		s, extra string
		want     bool
	}{
		{"", "", true},
		{"DescribeLicenseOrders", "", true},
		{"azAZ09", "", true},
		{"a_b", "", false},
		{"a_b-c", "_-", true},
		{"a.b", "_-", false},
		{"v1.2_3-x", "._-", true},
		{"a b", "_-", false},
		{"a/b", "._-", false},
		{"é", "_-", false},
		{"a\x00", "_-", false},
		{"\xff", "_-", false},
		{"a`", "", false},
		{"a@", "", false},
		{"a[", "", false},
		{"a{", "", false},
		{"a:", "", false},
		{"a/", "", false},
	} {
		if got := onlyAlnumAnd(tc.s, tc.extra); got != tc.want {
			t.Errorf("onlyAlnumAnd(%q, %q) = %v, want %v", tc.s, tc.extra, got, tc.want)
		}
	}
	if validCodeName("") {
		t.Error("validCodeName accepts an empty name")
	}
}
