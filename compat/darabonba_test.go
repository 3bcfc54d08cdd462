package compat

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// darabonba calls the emulator through darabonba-openapi's CallApi.
type darabonba struct {
	t      *testing.T
	client *openapi.Client
}

func newDarabonba(t *testing.T, srv *polarlicensetest.Server, algorithm, secret, token string) *darabonba {
	t.Helper()
	cfg := &openapi.Config{
		AccessKeyId:     dara.String(srv.AccessKeyID),
		AccessKeySecret: dara.String(secret),
		Endpoint:        dara.String(strings.TrimPrefix(srv.URL, "http://")),
		Protocol:        dara.String("HTTP"),
		RegionId:        dara.String("cn-hangzhou"),
	}
	if token != "" {
		cfg.SecurityToken = dara.String(token)
	}
	if algorithm != "" {
		cfg.SignatureAlgorithm = dara.String(algorithm)
	}
	c, err := openapi.NewClient(cfg)
	require.NoError(t, err)
	return &darabonba{t: t, client: c}
}

// call sends an operation with its parameters in the query (as the official
// clients do) or, with inBody, in a form body; it returns the decoded body.
func (d *darabonba) call(action string, params map[string]string, inBody bool) (map[string]any, error) {
	values := make(map[string]*string, len(params))
	for k, v := range params {
		values[k] = dara.String(v)
	}
	req := &openapi.OpenApiRequest{}
	if inBody {
		body := make(map[string]any, len(params))
		for k, v := range params {
			body[k] = v
		}
		req.Body = body
	} else {
		req.Query = values
	}
	res, err := d.client.CallApi(&openapi.Params{
		Action:      dara.String(action),
		Version:     dara.String(polarlicensetest.APIVersion),
		Protocol:    dara.String("HTTP"),
		Pathname:    dara.String("/"),
		Method:      dara.String("POST"),
		AuthType:    dara.String("AK"),
		Style:       dara.String("RPC"),
		ReqBodyType: dara.String("formData"),
		BodyType:    dara.String("json"),
	}, req, &dara.RuntimeOptions{})
	if err != nil {
		return nil, err
	}
	body, ok := res["body"].(map[string]any)
	require.True(d.t, ok, "body is %T", res["body"])
	return body, nil
}

func (d *darabonba) mustCall(action string, params map[string]string, inBody bool) map[string]any {
	d.t.Helper()
	body, err := d.call(action, params, inBody)
	require.NoError(d.t, err, action)
	require.NotEmpty(d.t, body["RequestId"], action)
	return body
}

// str reads a value of a decoded body as text (numbers may be json.Number).
func str(v any) string { return fmt.Sprint(v) }

// TestDarabonba drives the six operations through darabonba-openapi v2's
// CallApi, with the default V3 signature and with SignatureAlgorithm "v2"
// (the RPC signature), with an AccessKey and with an STS token, parameters in
// the query and in a form body.
func TestDarabonba(t *testing.T) {
	for _, alg := range []string{"", "v2"} {
		for _, sts := range []bool{false, true} {
			for _, inBody := range []bool{false, true} {
				name := fmt.Sprintf("alg=%q/sts=%v/body=%v", alg, sts, inBody)
				t.Run(name, func(t *testing.T) {
					var opts []polarlicensetest.Option
					if sts {
						opts = append(opts, polarlicensetest.WithSecurityToken("CAIS+sts/token=="))
					}
					srv := polarlicensetest.NewServer(opts...)
					defer srv.Close()
					d := newDarabonba(t, srv, alg, srv.AccessKeySecret, srv.SecurityToken)

					v := d.mustCall("CreateOrGetVirtualLicenseOrder", map[string]string{"Engine": "PG"}, inBody)
					orderID := str(v["AliyunOrderId"])
					assert.Equal(t, orderID, str(v["VirtualOrderId"]))
					assert.Equal(t, true, v["IsVirtualOrder"])
					again := d.mustCall("CreateOrGetVirtualLicenseOrder", map[string]string{"Engine": "PG"}, inBody)
					assert.Equal(t, orderID, str(again["AliyunOrderId"]))

					det := d.mustCall("DescribeLicenseOrderDetails", map[string]string{"AliyunOrderId": polarlicensetest.DemoOrderMySQL}, inBody)
					assert.Equal(t, "MySQL", det["Engine"])

					list := d.mustCall("DescribeLicenseOrders", map[string]string{"PageSize": "2", "PurchaseChannel": "aliyun_market"}, inBody)
					assert.Len(t, list["Items"], 2)
					assert.Equal(t, "2", str(list["PageRecordCount"]))

					created := d.mustCall("CreateActivationCode", map[string]string{
						"AliyunOrderId": orderID, "MacAddress": "00:16:3e:0d:0e:0f", "Name": "darabonba",
						"SystemIdentifier": "7400000000000000456", "Description": "darabonba: a+b c*d~e/f=g&h 中",
					}, inBody)
					assert.Equal(t, "darabonba", created["Name"])
					assert.Equal(t, "darabonba: a+b c*d~e/f=g&h 中", created["Description"])
					assert.NotEmpty(t, created["CertContentB64"])
					codeID := str(created["Id"])

					cd := d.mustCall("DescribeActivationCodeDetails", map[string]string{"AliyunOrderId": orderID, "ActivationCodeId": codeID}, inBody)
					assert.Equal(t, created["CertContentB64"], cd["CertContentB64"])

					codes := d.mustCall("DescribeActivationCodes", map[string]string{
						"AliyunOrderId": orderID, "MacAddress": "00:16:3e:0d:0e:0f", "SystemIdentifier": "7400000000000000456"}, inBody)
					assert.Len(t, codes["Items"], 1)
					assert.Equal(t, "1", str(codes["TotalRecordCount"]))

					o, _ := srv.Order(orderID)
					assert.Equal(t, 1, o.ActivatedCodeCount)
					want := polarlicensetest.AlgorithmV3
					if alg == "v2" {
						want = polarlicensetest.AlgorithmRPC
					}
					for _, r := range srv.Requests() {
						assert.Equal(t, want, r.Signature)
						assert.Equal(t, sts, r.STS)
						assert.Equal(t, http.StatusOK, r.StatusCode, r.Code)
					}
					assert.Len(t, srv.Requests(), 7)
				})
			}
		}
	}
}

func TestDarabonbaErrors(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	for _, alg := range []string{"", "v2"} {
		bad := newDarabonba(t, srv, alg, "not-the-secret", "")
		_, err := bad.call("DescribeLicenseOrders", nil, false)
		var se *tea.SDKError
		require.True(t, errors.As(err, &se), "%T %v", err, err)
		assert.Equal(t, polarlicensetest.CodeSignatureDoesNotMatch, tea.StringValue(se.Code), alg)
		assert.Equal(t, http.StatusBadRequest, tea.IntValue(se.StatusCode), alg)
		assert.Contains(t, tea.StringValue(se.Message), "server string to sign is:")

		good := newDarabonba(t, srv, alg, srv.AccessKeySecret, "")
		_, err = good.call("DescribeActivationCodeDetails", map[string]string{"AliyunOrderId": polarlicensetest.DemoOrderPG, "ActivationCodeId": "999999"}, false)
		require.True(t, errors.As(err, &se), "%T %v", err, err)
		assert.Equal(t, polarlicensetest.CodeActivationCodeNotFound, tea.StringValue(se.Code))
		assert.Equal(t, http.StatusNotFound, tea.IntValue(se.StatusCode))
	}
}
