package jsonread

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// order holds the order fields of the license responses, as a decoder in the
// SDK would.
type order struct {
	ActivatedCodeCount         int64
	ActivationCodeQuota        int64
	AliyunOrderID              string
	AllowEmptySystemIdentifier bool
	Engine                     string
	GmtCreated                 string
	GmtModified                string
	IsVirtualOrder             bool
	IsVirtualOrderFrozen       bool
	PackageType                string
	PackageValidity            string
	PurchaseChannel            string
	VirtualOrderID             string
	RequestID                  string
}

// member decodes one member of an order object; it returns false for keys it
// does not know, which the caller then skips.
func (o *order) member(r *Reader, key string) bool {
	switch key {
	case "ActivatedCodeCount":
		o.ActivatedCodeCount = r.Int()
	case "ActivationCodeQuota":
		o.ActivationCodeQuota = r.Int()
	case "AliyunOrderId":
		o.AliyunOrderID = r.String()
	case "AllowEmptySystemIdentifier":
		o.AllowEmptySystemIdentifier = r.Bool()
	case "Engine":
		o.Engine = r.String()
	case "GmtCreated":
		o.GmtCreated = r.String()
	case "GmtModified":
		o.GmtModified = r.String()
	case "IsVirtualOrder":
		o.IsVirtualOrder = r.Bool()
	case "IsVirtualOrderFrozen":
		o.IsVirtualOrderFrozen = r.Bool()
	case "PackageType":
		o.PackageType = r.String()
	case "PackageValidity":
		o.PackageValidity = r.String()
	case "PurchaseChannel":
		o.PurchaseChannel = r.String()
	case "VirtualOrderId", "VirtualAliyunOrderId":
		o.VirtualOrderID = r.String()
	case "RequestId":
		o.RequestID = r.String()
	default:
		return false
	}
	return true
}

func decodeOrder(r *Reader) (o order) {
	if r.Object() {
		for key, ok := r.Member(); ok; key, ok = r.Member() {
			if !o.member(r, key) {
				r.Skip()
			}
		}
	}
	return o
}

type orderList struct {
	Items            []order
	PageNumber       int64
	PageRecordCount  int64
	TotalRecordCount int64
	RequestID        string
}

func decodeOrderList(r *Reader, out *orderList) {
	if r.Object() {
		for key, ok := r.Member(); ok; key, ok = r.Member() {
			switch key {
			case "Items":
				if r.Array() {
					for r.Next() {
						out.Items = append(out.Items, decodeOrder(r))
					}
				}
			case "PageNumber":
				out.PageNumber = r.Int()
			case "PageRecordCount":
				out.PageRecordCount = r.Int()
			case "TotalRecordCount":
				out.TotalRecordCount = r.Int()
			case "RequestId":
				out.RequestID = r.String()
			default:
				r.Skip()
			}
		}
	}
	r.End()
}

func readBody(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "bodies", name))
	require.NoError(t, err)
	return string(b)
}

func TestSeedCreateOrGetVirtualLicenseOrder(t *testing.T) {
	var r Reader
	r.Reset(readBody(t, "create_or_get_virtual_license_order.json"))
	o := decodeOrder(&r)
	r.End()
	require.NoError(t, r.Err())
	assert.Equal(t, order{
		ActivatedCodeCount:         1,
		ActivationCodeQuota:        10,
		AliyunOrderID:              "2233****445566",
		AllowEmptySystemIdentifier: false,
		GmtCreated:                 "2024-10-16 16:46:20",
		GmtModified:                "2024-10-16 16:46:20",
		IsVirtualOrder:             true,
		IsVirtualOrderFrozen:       false,
		PackageType:                "pre_generation_long_term",
		PackageValidity:            "30 years",
		PurchaseChannel:            "aliyun_market",
		RequestID:                  "45D24263-7E3A-4140-9472-************",
		VirtualOrderID:             "2024********483",
	}, o)
}

func TestSeedDescribeLicenseOrderDetails(t *testing.T) {
	var r Reader
	r.Reset(readBody(t, "describe_license_order_details.json"))
	o := decodeOrder(&r)
	r.End()
	require.NoError(t, r.Err())
	assert.Equal(t, order{
		ActivatedCodeCount:  2,
		ActivationCodeQuota: 8,
		AliyunOrderID:       "239618016570503",
		Engine:              "PG",
		GmtCreated:          "2021-10-19 01:13:45",
		GmtModified:         "2024-10-16 16:46:20",
		PackageType:         "pre_generation_long_term",
		PackageValidity:     "1 year",
		PurchaseChannel:     "aliyun_market",
		RequestID:           "22C0ACF0-DD29-4B67-9190-B7A48C******",
		VirtualOrderID:      "239618016570503",
	}, o)
}

func TestSeedDescribeLicenseOrders(t *testing.T) {
	var r Reader
	r.Reset(readBody(t, "describe_license_orders.json"))
	var list orderList
	decodeOrderList(&r, &list)
	require.NoError(t, r.Err())
	assert.Equal(t, orderList{
		Items: []order{{
			ActivatedCodeCount:  10,
			ActivationCodeQuota: 10,
			AliyunOrderID:       "227638319690519",
			Engine:              "PG",
			GmtCreated:          "2022-02-11 03:14:15",
			GmtModified:         "2022-02-11 03:14:15",
			PackageType:         "single_node_subscribe",
			PackageValidity:     "1 year",
			PurchaseChannel:     "aliyun_public",
			VirtualOrderID:      "227638319690519",
		}},
		PageNumber:       1,
		PageRecordCount:  12,
		TotalRecordCount: 50,
		RequestID:        "34458CD3-33E0-4624-BFEF-840C15******",
	}, list)
}

func TestSeedDescribeActivationCodeDetails(t *testing.T) {
	type code struct {
		ID                                                  int64
		Name, Description, MacAddress, SystemIdentifier     string
		ActivateAt, ExpireAt, GmtCreated, GmtModified, Cert string
		RequestID                                           string
	}
	var r Reader
	r.Reset(readBody(t, "describe_activation_code_details.json"))
	var c code
	if r.Object() {
		for key, ok := r.Member(); ok; key, ok = r.Member() {
			switch key {
			case "Id":
				c.ID = r.Int()
			case "Name":
				c.Name = r.String()
			case "Description":
				c.Description = r.String()
			case "MacAddress":
				c.MacAddress = r.String()
			case "SystemIdentifier":
				c.SystemIdentifier = r.String()
			case "ActivateAt":
				c.ActivateAt = r.String()
			case "ExpireAt":
				c.ExpireAt = r.String()
			case "GmtCreated":
				c.GmtCreated = r.String()
			case "GmtModified":
				c.GmtModified = r.String()
			case "CertContentB64":
				c.Cert = r.String()
			case "RequestId":
				c.RequestID = r.String()
			default:
				t.Errorf("unexpected key %q", key)
				r.Skip()
			}
		}
	}
	r.End()
	require.NoError(t, r.Err())
	assert.Equal(t, code{
		ID:               123,
		Name:             "testName",
		Description:      "testCode",
		MacAddress:       "12:34:56:78:98:00",
		SystemIdentifier: "1234567890123456",
		ActivateAt:       "2024-10-16 16:46:20",
		ExpireAt:         "2054-10-09 16:46:20",
		GmtCreated:       "2024-10-16 16:46:20\n", // the escaped newline of the example
		GmtModified:      "2024-10-16 16:46:20",
		Cert:             "AAEAA******AAA=",
		RequestID:        "F2A9EFA7-915F-4572-8299-85A307******",
	}, c)

	created, ok := Time(c.GmtCreated)
	require.True(t, ok)
	assert.Equal(t, time.Date(2024, 10, 16, 16, 46, 20, 0, time.UTC), created)
	expire, ok := Time(c.ExpireAt)
	require.True(t, ok)
	assert.Equal(t, time.Date(2054, 10, 9, 16, 46, 20, 0, time.UTC), expire)
}

func TestSeedErrorBodySkipsAccessDeniedDetail(t *testing.T) {
	var r Reader
	r.Reset(readBody(t, "error_access_denied.json"))
	var requestID, hostID, code, message, recommend string
	var keys []string
	if r.Object() {
		for key, ok := r.Member(); ok; key, ok = r.Member() {
			keys = append(keys, key)
			switch key {
			case "RequestId":
				requestID = r.String()
			case "HostId":
				hostID = r.String()
			case "Code":
				code = r.String()
			case "Message":
				message = r.String()
			case "Recommend":
				recommend = r.String()
			default:
				r.Skip()
			}
		}
	}
	r.End()
	require.NoError(t, r.Err())
	assert.Equal(t, []string{"RequestId", "HostId", "Code", "Message", "Recommend", "AccessDeniedDetail"}, keys)
	assert.Equal(t, "7B0F2C51-2F4E-4E0A-9F3C-5C7A1E******", requestID)
	assert.Equal(t, "polardb.aliyuncs.com", hostID)
	assert.Equal(t, "Forbidden.RAM", code)
	assert.Equal(t, "User not authorized to operate on the specified resource, or this API doesn't support RAM.", message)
	assert.Equal(t, "https://api.aliyun.com/troubleshoot?q=Forbidden.RAM&product=polardb", recommend)
}

// The nested error detail can also be read member by member.
func TestSeedErrorBodyReadsAccessDeniedDetail(t *testing.T) {
	var r Reader
	r.Reset(readBody(t, "error_access_denied.json"))
	var action, policy string
	if r.Object() {
		for key, ok := r.Member(); ok; key, ok = r.Member() {
			if key != "AccessDeniedDetail" {
				r.Skip()
				continue
			}
			if r.Object() {
				for key, ok := r.Member(); ok; key, ok = r.Member() {
					switch key {
					case "AuthAction":
						action = r.String()
					case "PolicyType":
						policy = r.String()
					default:
						r.Skip()
					}
				}
			}
		}
	}
	r.End()
	require.NoError(t, r.Err())
	assert.Equal(t, "polardb:DescribeLicenseOrders", action)
	assert.Equal(t, "AccountLevelIdentityBasedPolicy", policy)
}
