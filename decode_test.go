package polarlicense

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seed(t *testing.T, op string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seeds", op+".json"))
	require.NoError(t, err)
	return string(b)
}

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, chinaStandardTime)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDecodeSeedCreateOrGetVirtualLicenseOrder(t *testing.T) {
	m := newMockAPI(t)
	m.answer(200, seed(t, "CreateOrGetVirtualLicenseOrder"))
	out, err := m.client.CreateOrGetVirtualLicenseOrder(context.Background(), &CreateOrGetVirtualLicenseOrderRequest{Engine: EnginePG})
	require.NoError(t, err)
	assert.Equal(t, &CreateOrGetVirtualLicenseOrderResponse{
		RequestID: "45D24263-7E3A-4140-9472-************",
		LicenseOrder: LicenseOrder{
			AliyunOrderID:              "2233****445566",
			VirtualAliyunOrderID:       "2024********483",
			PackageType:                PackagePreGenerationLongTerm,
			PackageValidity:            "30 years",
			PurchaseChannel:            ChannelMarketplace,
			ActivationCodeQuota:        10,
			ActivatedCodeCount:         1,
			AllowEmptySystemIdentifier: false,
			IsVirtualOrder:             true,
			IsVirtualOrderFrozen:       false,
			GmtCreated:                 cst("2024-10-16 16:46:20"),
			GmtModified:                cst("2024-10-16 16:46:20"),
		},
		VirtualOrderID: "2024********483",
	}, out)
	assert.Equal(t, 9, out.RemainingQuota())
}

func TestDecodeSeedDescribeLicenseOrderDetails(t *testing.T) {
	m := newMockAPI(t)
	m.answer(200, seed(t, "DescribeLicenseOrderDetails"))
	out, err := m.client.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "239618016570503"})
	require.NoError(t, err)
	assert.Equal(t, &DescribeLicenseOrderDetailsResponse{
		RequestID: "22C0ACF0-DD29-4B67-9190-B7A48C******",
		LicenseOrder: LicenseOrder{
			AliyunOrderID:        "239618016570503",
			VirtualAliyunOrderID: "239618016570503",
			Engine:               EnginePG,
			PackageType:          PackagePreGenerationLongTerm,
			PackageValidity:      "1 year",
			PurchaseChannel:      ChannelMarketplace,
			ActivationCodeQuota:  8,
			ActivatedCodeCount:   2,
			GmtCreated:           cst("2021-10-19 01:13:45"),
			GmtModified:          cst("2024-10-16 16:46:20"),
		},
		VirtualOrderID: "239618016570503",
	}, out)
}

func TestDecodeSeedDescribeLicenseOrders(t *testing.T) {
	m := newMockAPI(t)
	m.answer(200, seed(t, "DescribeLicenseOrders"))
	out, err := m.client.DescribeLicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{PageNumber: 1, PageSize: 30})
	require.NoError(t, err)
	assert.Equal(t, &DescribeLicenseOrdersResponse{
		RequestID:        "34458CD3-33E0-4624-BFEF-840C15******",
		PageNumber:       1,
		PageRecordCount:  12, // as the service says, though one item came
		TotalRecordCount: 50,
		Items: []LicenseOrder{{
			AliyunOrderID:        "227638319690519",
			VirtualAliyunOrderID: "227638319690519",
			Engine:               EnginePG,
			PackageType:          PackageSingleNodeSubscribe,
			PackageValidity:      "1 year",
			PurchaseChannel:      ChannelPublic,
			ActivationCodeQuota:  10,
			ActivatedCodeCount:   10,
			GmtCreated:           cst("2022-02-11 03:14:15"),
			GmtModified:          cst("2022-02-11 03:14:15"),
		}},
	}, out)
	assert.Zero(t, out.Items[0].RemainingQuota())
}

func TestDecodeSeedDescribeActivationCodeDetails(t *testing.T) {
	m := newMockAPI(t)
	m.answer(200, seed(t, "DescribeActivationCodeDetails"))
	out, err := m.client.DescribeActivationCodeDetails(context.Background(), &DescribeActivationCodeDetailsRequest{AliyunOrderID: "2233****445566", ActivationCodeID: 123})
	require.NoError(t, err)
	assert.Equal(t, &DescribeActivationCodeDetailsResponse{
		RequestID: "F2A9EFA7-915F-4572-8299-85A307******",
		ActivationCode: ActivationCode{
			ID:               123,
			Name:             "testName",
			Description:      "testCode",
			MacAddress:       "12:34:56:78:98:00",
			SystemIdentifier: "1234567890123456",
			ActivateAt:       cst("2024-10-16 16:46:20"),
			ExpireAt:         cst("2054-10-09 16:46:20"),
			GmtCreated:       cst("2024-10-16 16:46:20"), // the seed's trailing newline is tolerated
			GmtModified:      cst("2024-10-16 16:46:20"),
		},
		CertContentB64: "AAEAA******AAA=",
	}, out)
	assert.False(t, out.Expired(cst("2054-10-09 16:46:19")))
	assert.True(t, out.Expired(cst("2054-10-09 16:46:20")))
}

func TestDecodeActivationCodesAndCreate(t *testing.T) {
	m := newMockAPI(t)
	m.answer(200, `{"RequestId":"r2","PageNumber":"2","PageRecordCount":2,"TotalRecordCount":"7","Items":[
		{"Id":1,"Name":"a","MacAddress":"12:34:56:78:98:00","ActivateAt":"2024-10-16 16:46:20","ExpireAt":"2025-10-16 16:46:20"},
		null,
		{"Id":"2","Name":"b","SystemIdentifier":"99","GmtCreated":"","ExpireAt":null}]}`)
	out, err := m.client.DescribeActivationCodes(context.Background(), &DescribeActivationCodesRequest{AliyunOrderID: "1"})
	require.NoError(t, err)
	assert.Equal(t, "r2", out.RequestID)
	assert.Equal(t, 2, out.PageNumber)
	assert.Equal(t, 7, out.TotalRecordCount)
	require.Len(t, out.Items, 2, "a null item is left out")
	assert.Equal(t, ActivationCode{ID: 1, Name: "a", MacAddress: "12:34:56:78:98:00", ActivateAt: cst("2024-10-16 16:46:20"), ExpireAt: cst("2025-10-16 16:46:20")}, out.Items[0])
	assert.Equal(t, ActivationCode{ID: 2, Name: "b", SystemIdentifier: "99"}, out.Items[1])

	m.answer(200, `{"RequestId":"r3","Id":9,"Name":"n","CertContentB64":"bGljZW5zZQ=="}`)
	created, err := m.client.CreateActivationCode(context.Background(), &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00", Name: "n"})
	require.NoError(t, err)
	assert.Equal(t, int64(9), created.ID)
	lic, err := created.CertContentB64.Decode()
	require.NoError(t, err)
	assert.Equal(t, "license", string(lic))
}

func TestDecodeIsTolerant(t *testing.T) {
	cases := map[string]struct {
		body string
		want LicenseOrder
	}{
		"numbers and booleans as strings": {
			`{"ActivationCodeQuota":"10","ActivatedCodeCount":" 3 ","IsVirtualOrder":"true","IsVirtualOrderFrozen":"False","AllowEmptySystemIdentifier":1}`,
			LicenseOrder{ActivationCodeQuota: 10, ActivatedCodeCount: 3, IsVirtualOrder: true, AllowEmptySystemIdentifier: true},
		},
		"null and empty values": {
			`{"VirtualAliyunOrderId":null,"ActivationCodeQuota":null,"IsVirtualOrder":"","GmtCreated":null,"GmtModified":""}`,
			LicenseOrder{},
		},
		"unknown fields of every shape": {
			`{"New":{"a":[1,{"b":null}]},"AliyunOrderId":"2","List":[1,2],"Flag":true,"Engine":"PolarDB-X"}`,
			LicenseOrder{AliyunOrderID: "2", Engine: Engine("PolarDB-X")},
		},
		"times with white space and with a zone": {
			`{"GmtCreated":" 2024-10-16 16:46:20\n","GmtModified":"2024-10-16T08:46:20Z"}`,
			LicenseOrder{GmtCreated: cst("2024-10-16 16:46:20"), GmtModified: time.Date(2024, 10, 16, 8, 46, 20, 0, time.UTC)},
		},
		"unknown enum values are kept": {
			`{"PackageType":"cluster_long_term","PurchaseChannel":"partner"}`,
			LicenseOrder{PackageType: "cluster_long_term", PurchaseChannel: "partner"},
		},
		"escaped strings": {
			`{"AliyunOrderId":"a\"b\u00e9\n"}`,
			LicenseOrder{AliyunOrderID: "a\"bé\n"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := newMockAPI(t)
			// The members every answer of the operation must carry, then the case's.
			m.answer(200, `{"RequestId":"r","AliyunOrderId":"1",`+tc.body[1:])
			if tc.want.AliyunOrderID == "" {
				tc.want.AliyunOrderID = "1"
			}
			out, err := m.client.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "1"})
			require.NoError(t, err)
			assert.True(t, tc.want.GmtCreated.Equal(out.GmtCreated), "GmtCreated %v", out.GmtCreated)
			assert.True(t, tc.want.GmtModified.Equal(out.GmtModified), "GmtModified %v", out.GmtModified)
			tc.want.GmtCreated, tc.want.GmtModified = out.GmtCreated, out.GmtModified
			assert.Equal(t, tc.want, out.LicenseOrder)
		})
	}
}

func TestWithTimeZone(t *testing.T) {
	m := newMockAPI(t, WithTimeZone(time.UTC))
	m.answer(200, `{"RequestId":"r","AliyunOrderId":"1","GmtCreated":"2024-10-16 16:46:20"}`)
	out, err := m.client.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "1"})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2024, 10, 16, 16, 46, 20, 0, time.UTC), out.GmtCreated)
}

func TestDecodeFailuresAreTypedWithStatusAndRequestID(t *testing.T) {
	cases := map[string]struct {
		body, field, reqID string
	}{
		"truncated":               {`{"RequestId":"r-1","AliyunOrderId":"12`, "AliyunOrderId", "r-1"},
		"not an object":           {`[1,2]`, "", "hdr-id"},
		"null body":               {`null`, "", "hdr-id"},
		"trailing garbage":        {`{"RequestId":"r-2"} x`, "", "r-2"},
		"count is not a number":   {`{"RequestId":"r-3","ActivationCodeQuota":"ten"}`, "ActivationCodeQuota", "r-3"},
		"count is a fraction":     {`{"ActivationCodeQuota":1.5}`, "ActivationCodeQuota", "hdr-id"},
		"flag is an object":       {`{"IsVirtualOrder":{}}`, "IsVirtualOrder", "hdr-id"},
		"time is not a time":      {`{"RequestId":"r-4","GmtCreated":"yesterday"}`, "GmtCreated", "r-4"},
		"empty body":              {``, "", "hdr-id"},
		"an HTML page with a 200": {`<html><body>maintenance</body></html>`, "", "hdr-id"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := newMockAPI(t)
			m.answer(200, tc.body)
			m.header = map[string][]string{"X-Acs-Request-Id": {"hdr-id"}}
			out, err := m.client.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "1"})
			assert.Nil(t, out)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, 200, de.StatusCode)
			assert.Equal(t, tc.reqID, de.RequestID)
			assert.Equal(t, tc.field, de.Field)
			assert.Contains(t, err.Error(), "DescribeLicenseOrderDetails")
		})
	}
}
