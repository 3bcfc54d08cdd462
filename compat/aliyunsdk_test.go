package compat

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/polardb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// aliyunRequest is what every request type of the older SDK shares: the
// means to send it to the emulator instead of the resolved endpoint.
type aliyunRequest interface {
	SetScheme(string)
	SetDomain(string)
}

// toEmulator points a request at srv.
func toEmulator[R aliyunRequest](srv *polarlicensetest.Server, r R) R {
	r.SetScheme(requests.HTTP)
	r.SetDomain(strings.TrimPrefix(srv.URL, "http://"))
	return r
}

// TestAliyunSDK drives the six operations through
// github.com/aliyun/alibaba-cloud-sdk-go/services/polardb (RPC signature,
// parameters in the query), with an AccessKey and with an STS token.
func TestAliyunSDK(t *testing.T) {
	for _, sts := range []bool{false, true} {
		name := "AccessKey"
		var opts []polarlicensetest.Option
		if sts {
			name = "STS"
			opts = append(opts, polarlicensetest.WithSecurityToken("CAIS+sts/token=="))
		}
		t.Run(name, func(t *testing.T) {
			srv := polarlicensetest.NewServer(opts...)
			defer srv.Close()
			var client *polardb.Client
			var err error
			if sts {
				client, err = polardb.NewClientWithStsToken("cn-hangzhou", srv.AccessKeyID, srv.AccessKeySecret, srv.SecurityToken)
			} else {
				client, err = polardb.NewClientWithAccessKey("cn-hangzhou", srv.AccessKeyID, srv.AccessKeySecret)
			}
			require.NoError(t, err)

			vreq := toEmulator(srv, polardb.CreateCreateOrGetVirtualLicenseOrderRequest())
			vreq.Engine = "MySQL"
			v, err := client.CreateOrGetVirtualLicenseOrder(vreq)
			require.NoError(t, err)
			assert.True(t, v.IsVirtualOrder)
			assert.Equal(t, v.AliyunOrderId, v.VirtualOrderId)
			assert.NotEmpty(t, v.RequestId)
			v2, err := client.CreateOrGetVirtualLicenseOrder(vreq)
			require.NoError(t, err)
			assert.Equal(t, v.AliyunOrderId, v2.AliyunOrderId)

			dreq := toEmulator(srv, polardb.CreateDescribeLicenseOrderDetailsRequest())
			dreq.AliyunOrderId = polarlicensetest.DemoOrderPG
			d, err := client.DescribeLicenseOrderDetails(dreq)
			require.NoError(t, err)
			assert.Equal(t, "PG", d.Engine)
			assert.Equal(t, "2024-03-11 09:20:15", d.GmtCreated)

			lreq := toEmulator(srv, polardb.CreateDescribeLicenseOrdersRequest())
			lreq.PageSize = requests.NewInteger(3)
			lreq.PageNumber = requests.NewInteger(2)
			l, err := client.DescribeLicenseOrders(lreq)
			require.NoError(t, err)
			assert.Equal(t, len(srv.Orders()), l.TotalRecordCount)
			assert.Len(t, l.Items, 3)
			assert.Equal(t, 3, l.PageRecordCount)
			assert.Equal(t, l.Items[0].AliyunOrderId, l.Items[0].VirtualAliyunOrderId)
			lreq = toEmulator(srv, polardb.CreateDescribeLicenseOrdersRequest())
			lreq.VirtualOrder = requests.NewBoolean(true)
			l, err = client.DescribeLicenseOrders(lreq)
			require.NoError(t, err)
			for _, o := range l.Items {
				assert.True(t, o.IsVirtualOrder)
			}

			creq := toEmulator(srv, polardb.CreateCreateActivationCodeRequest())
			creq.AliyunOrderId = v.AliyunOrderId
			creq.MacAddress = "00:16:3e:0a:0b:0c"
			creq.Name = "aliyun-sdk"
			creq.SystemIdentifier = "7400000000000000123"
			creq.Description = "made by alibaba-cloud-sdk-go: spaces, * and ~"
			c, err := client.CreateActivationCode(creq)
			require.NoError(t, err)
			assert.Equal(t, "aliyun-sdk", c.Name)
			assert.Equal(t, creq.Description, c.Description)
			assert.NotEmpty(t, c.CertContentB64)
			o, _ := srv.Order(v.AliyunOrderId)
			assert.Equal(t, 1, o.ActivatedCodeCount)

			ddreq := toEmulator(srv, polardb.CreateDescribeActivationCodeDetailsRequest())
			ddreq.AliyunOrderId = v.AliyunOrderId
			ddreq.ActivationCodeId = requests.NewInteger(c.Id)
			dd, err := client.DescribeActivationCodeDetails(ddreq)
			require.NoError(t, err)
			assert.Equal(t, c.CertContentB64, dd.CertContentB64)
			assert.Equal(t, c.ExpireAt, dd.ExpireAt)

			// The SDK's request type lacks the MacAddress and SystemIdentifier
			// filters; its QueryParams map carries them.
			lcreq := toEmulator(srv, polardb.CreateDescribeActivationCodesRequest())
			lcreq.AliyunOrderId = polarlicensetest.DemoOrderPG
			lcreq.QueryParams["MacAddress"] = "00:16:3e:1a:2b:02"
			lc, err := client.DescribeActivationCodes(lcreq)
			require.NoError(t, err)
			require.Len(t, lc.Items, 1)
			assert.Equal(t, "pg-prod-02", lc.Items[0].Name)

			// The generic CommonRequest reaches the same operations.
			common := requests.NewCommonRequest()
			common.Method = requests.POST
			common.Scheme = requests.HTTP
			common.Domain = strings.TrimPrefix(srv.URL, "http://")
			common.Version = polarlicensetest.APIVersion
			common.ApiName = "DescribeActivationCodes"
			common.QueryParams["AliyunOrderId"] = v.AliyunOrderId
			cr, err := client.ProcessCommonRequest(common)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, cr.GetHttpStatus())
			assert.Contains(t, cr.GetHttpContentString(), `"Name":"aliyun-sdk"`)

			for _, op := range []string{"CreateOrGetVirtualLicenseOrder", "DescribeLicenseOrderDetails", "DescribeLicenseOrders",
				"CreateActivationCode", "DescribeActivationCodeDetails", "DescribeActivationCodes"} {
				assert.Positive(t, srv.RequestCount(op), op)
			}
			for _, r := range srv.Requests() {
				assert.Equal(t, polarlicensetest.AlgorithmRPC, r.Signature)
				assert.Equal(t, sts, r.STS)
			}
		})
	}
}

func TestAliyunSDKErrors(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()

	bad, err := polardb.NewClientWithAccessKey("cn-hangzhou", srv.AccessKeyID, "not-the-secret")
	require.NoError(t, err)
	req := toEmulator(srv, polardb.CreateDescribeLicenseOrdersRequest())
	_, err = bad.DescribeLicenseOrders(req)
	var se *sdkerrors.ServerError
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, polarlicensetest.CodeSignatureDoesNotMatch, se.ErrorCode())
	assert.Equal(t, http.StatusBadRequest, se.HttpStatus())
	assert.Contains(t, se.Message(), "server string to sign is:")
	assert.NotEmpty(t, se.RequestId())

	client, err := polardb.NewClientWithAccessKey("cn-hangzhou", srv.AccessKeyID, srv.AccessKeySecret)
	require.NoError(t, err)
	creq := toEmulator(srv, polardb.CreateCreateActivationCodeRequest())
	creq.AliyunOrderId = polarlicensetest.DemoVirtualOrderFrozen
	creq.MacAddress = "00:16:3e:0a:0b:0c"
	creq.Name = "frozen"
	creq.SystemIdentifier = "1"
	_, err = client.CreateActivationCode(creq)
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, polarlicensetest.CodeVirtualOrderFrozen, se.ErrorCode())
	assert.Equal(t, http.StatusForbidden, se.HttpStatus())

	dreq := toEmulator(srv, polardb.CreateDescribeLicenseOrderDetailsRequest())
	dreq.AliyunOrderId = "1"
	_, err = client.DescribeLicenseOrderDetails(dreq)
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, polarlicensetest.CodeOrderNotFound, se.ErrorCode())
	assert.Equal(t, strconv.Itoa(http.StatusNotFound), strconv.Itoa(se.HttpStatus()))
}
