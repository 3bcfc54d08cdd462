package polarlicense

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
	"weak"

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
		CertContentB64: NewCertContent("AAEAA******AAA="),
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

// everyOperation calls each of the six operations with a valid request.
var everyOperation = map[string]func(c *Client) error{
	"CreateOrGetVirtualLicenseOrder": func(c *Client) error {
		_, err := c.CreateOrGetVirtualLicenseOrder(context.Background(), &CreateOrGetVirtualLicenseOrderRequest{Engine: EnginePG})
		return err
	},
	"DescribeLicenseOrderDetails": func(c *Client) error {
		_, err := c.DescribeLicenseOrderDetails(context.Background(), &DescribeLicenseOrderDetailsRequest{AliyunOrderID: "1"})
		return err
	},
	"DescribeLicenseOrders": func(c *Client) error {
		_, err := c.DescribeLicenseOrders(context.Background(), nil)
		return err
	},
	"DescribeActivationCodeDetails": func(c *Client) error {
		_, err := c.DescribeActivationCodeDetails(context.Background(), &DescribeActivationCodeDetailsRequest{AliyunOrderID: "1", ActivationCodeID: 2})
		return err
	},
	"DescribeActivationCodes": func(c *Client) error {
		_, err := c.DescribeActivationCodes(context.Background(), &DescribeActivationCodesRequest{AliyunOrderID: "1"})
		return err
	},
	"CreateActivationCode": func(c *Client) error {
		_, err := c.CreateActivationCode(context.Background(), &CreateActivationCodeRequest{AliyunOrderID: "1", MacAddress: "12:34:56:78:98:00", Name: "n"})
		return err
	},
}

func TestSuccessStatusWithErrorCodeIsAPIError(t *testing.T) {
	bodies := map[string]string{
		"UpperCamel": `{"RequestId":"body-id","HostId":"polardb.aliyuncs.com","Code":"Forbidden.RAM","Message":"User not authorized to operate on the specified resource.","Recommend":"https://api.aliyun.com/troubleshoot"}`,
		"lowerCamel": `{"requestId":"body-id","hostId":"polardb.aliyuncs.com","code":"Forbidden.RAM","message":"User not authorized to operate on the specified resource.","recommend":"https://api.aliyun.com/troubleshoot"}`,
		// The error members win even when the body has an answer's members too.
		"with answer members": `{"RequestId":"body-id","AliyunOrderId":"1","Id":7,"Items":[{}],"HostId":"polardb.aliyuncs.com","Code":"Forbidden.RAM","Message":"User not authorized to operate on the specified resource.","Recommend":"https://api.aliyun.com/troubleshoot"}`,
	}
	for op, call := range everyOperation {
		for name, body := range bodies {
			t.Run(op+"/"+name, func(t *testing.T) {
				m := newMockAPI(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond}))
				m.answer(200, body)
				m.header = map[string][]string{"X-Acs-Request-Id": {"hdr-id"}}
				err := call(m.client)
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, &APIError{
					StatusCode: 200, Code: "Forbidden.RAM", RequestID: "body-id", HostID: "polardb.aliyuncs.com",
					Message:   "User not authorized to operate on the specified resource.",
					Recommend: "https://api.aliyun.com/troubleshoot",
				}, ae)
				assert.NotErrorIs(t, err, ErrUncertainOutcome, "a permission error is a definite refusal, whatever the status")
				assert.Equal(t, 1, m.sent(), "not retried, as the same code with a 403 would not be")
			})
		}
	}
}

func TestSuccessStatusWithErrorCodeIsClassifiedByCode(t *testing.T) {
	create := everyOperation["CreateActivationCode"]
	retries := WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond})

	// A transient server code may come after the code was created.
	m := newMockAPI(t, retries)
	m.answer(200, `{"RequestId":"r","Code":"InternalError","Message":"try later"}`)
	err := create(m.client)
	require.ErrorIs(t, err, ErrUncertainOutcome)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "InternalError", ae.Code)
	assert.Equal(t, 1, m.sent(), "CreateActivationCode is not repeated after an uncertain answer")

	// An idempotent call retries the same code.
	m = newMockAPI(t, retries)
	m.answer(200, `{"RequestId":"r","Code":"ServiceUnavailable","Message":"busy"}`)
	require.ErrorAs(t, everyOperation["DescribeLicenseOrders"](m.client), &ae)
	assert.Equal(t, 3, m.sent())

	// Throttling proves the request was refused before processing, and its wait is read.
	m = newMockAPI(t)
	m.answer(200, `{"RequestId":"r","Code":"Throttling.User","Message":"slow down"}`)
	m.header = map[string][]string{"X-Ratelimit-User-Api": {"Limit:1,Remain:0,TimeLeft:1500,Reset:1"}}
	err = create(m.client)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 1500*time.Millisecond, ae.ThrottleWait)
	assert.NotErrorIs(t, err, ErrUncertainOutcome)

	// The success markers some services send are not errors.
	for _, code := range []string{"200", "OK", "success", " Success "} {
		m = newMockAPI(t)
		m.answer(200, `{"RequestId":"r","Code":"`+code+`","Message":"fine","AliyunOrderId":"1","Id":3}`)
		for op, call := range everyOperation {
			assert.NoError(t, call(m.client), "%s with Code %q", op, code)
		}
	}
}

func TestAuditOfAPermissionErrorIsNotAnEmptyWalk(t *testing.T) {
	m := newMockAPI(t)
	m.answer(200, `{"Code":"Forbidden.RAM","Message":"denied","RequestId":"r"}`)
	n := 0
	var walkErr error
	for _, err := range m.client.LicenseOrders(context.Background(), nil) {
		if err != nil {
			walkErr = err
			break
		}
		n++
	}
	var ae *APIError
	require.ErrorAs(t, walkErr, &ae, "the walk must fail, not yield nothing")
	assert.Equal(t, "Forbidden.RAM", ae.Code)
	assert.Zero(t, n)
}

func TestSuccessBodyMissingRequiredMemberIsDecodeError(t *testing.T) {
	cases := []struct {
		op, body, field string
	}{
		{"CreateOrGetVirtualLicenseOrder", `{"AliyunOrderId":"1"}`, "RequestId"},
		{"CreateOrGetVirtualLicenseOrder", `{"RequestId":"r"}`, "AliyunOrderId"},
		{"CreateOrGetVirtualLicenseOrder", `{"RequestId":"r","VirtualOrderId":"2","AliyunOrderId":" "}`, "AliyunOrderId"},
		{"DescribeLicenseOrderDetails", `{}`, "RequestId"},
		{"DescribeLicenseOrderDetails", `{"RequestId":"r","AliyunOrderId":null}`, "AliyunOrderId"},
		{"DescribeLicenseOrders", `{"Items":[]}`, "RequestId"},
		{"DescribeLicenseOrders", `{"RequestId":" \t","Items":[]}`, "RequestId"},
		{"DescribeActivationCodes", `{"TotalRecordCount":0}`, "RequestId"},
		{"DescribeActivationCodeDetails", `{"Id":2}`, "RequestId"},
		{"DescribeActivationCodeDetails", `{"RequestId":"r","CertContentB64":"QUJD"}`, "Id"},
		{"DescribeActivationCodeDetails", `{"RequestId":"r","Id":0}`, "Id"},
		{"CreateActivationCode", `{"RequestId":"r","Name":"n","CertContentB64":"QUJD"}`, "Id"},
		{"CreateActivationCode", `{"RequestId":"r","Id":-1}`, "Id"},
		{"CreateActivationCode", `{"Id":9,"CertContentB64":"QUJD"}`, "RequestId"},
	}
	for _, tc := range cases {
		t.Run(tc.op+"/"+tc.body, func(t *testing.T) {
			m := newMockAPI(t)
			m.answer(200, tc.body)
			m.header = map[string][]string{"X-Acs-Request-Id": {"hdr-id"}}
			err := everyOperation[tc.op](m.client)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tc.field, de.Field)
			assert.Equal(t, 200, de.StatusCode)
			want := "r"
			if tc.field == "RequestId" {
				want = "hdr-id"
			}
			assert.Equal(t, want, de.RequestID)
			assert.ErrorIs(t, err, errMissingMember)
			// A create whose answer cannot be read may still have created the code.
			assert.Equal(t, tc.op == "CreateActivationCode", errors.Is(err, ErrUncertainOutcome))
		})
	}
}

func TestBlankRequestIDKeepsTheHeaders(t *testing.T) {
	for _, body := range []string{
		`{"RequestId":" ","Code":"InvalidParameter","Message":"bad"}`,
		`{"RequestId":"\n\t ","Code":"InvalidParameter","Message":"bad"}`,
		`{"requestId":"","code":"InvalidParameter","message":"bad"}`,
	} {
		for _, status := range []int{400, 200} {
			m := newMockAPI(t)
			m.answer(status, body)
			m.header = map[string][]string{"X-Acs-Request-Id": {"hdr-id"}}
			err := everyOperation["DescribeLicenseOrders"](m.client)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, "hdr-id", ae.RequestID, "status %d, body %s", status, body)
		}
	}
	// The same for a success answer that cannot be read.
	m := newMockAPI(t)
	m.answer(200, `{"RequestId":"  ","Items":{}}`)
	m.header = map[string][]string{"X-Acs-Request-Id": {"hdr-id"}}
	var de *DecodeError
	require.ErrorAs(t, everyOperation["DescribeLicenseOrders"](m.client), &de)
	assert.Equal(t, "hdr-id", de.RequestID)
}

// orderItems is a DescribeLicenseOrders body of n orders; id gives order i's
// AliyunOrderId.
func orderItems(n int, id func(i int) string) []byte {
	var b strings.Builder
	b.WriteString(`{"RequestId":"34458CD3-33E0-4624-BFEF-840C15A1B2C3","TotalRecordCount":1000,"Items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"AliyunOrderId":"` + id(i) + `","VirtualAliyunOrderId":"` + id(i) + `","Engine":"PG","PackageType":"single_node_subscribe",` +
			`"PackageValidity":"1 year","PurchaseChannel":"aliyun_public","ActivationCodeQuota":10,"GmtCreated":"2022-02-11 03:14:15"}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func TestPageLargerThanAskedFailsWhileDecoding(t *testing.T) {
	for _, tc := range []struct {
		pageSize, items int
		ok              bool
	}{
		{5, 5, true}, {5, 6, false}, {100, 100, true}, {100, 101, false},
		{0, 30, true}, {0, 31, false}, // the service's default page size, 30
	} {
		m := newMockAPI(t)
		m.answer(200, string(orderItems(tc.items, strconv.Itoa)))
		out, err := m.client.DescribeLicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{PageSize: tc.pageSize})
		if tc.ok {
			require.NoError(t, err)
			assert.Len(t, out.Items, tc.items)
			continue
		}
		var de *DecodeError
		require.ErrorAs(t, err, &de, "PageSize %d, %d items", tc.pageSize, tc.items)
		assert.Equal(t, "Items", de.Field)
		assert.ErrorIs(t, err, ErrInconsistentPages)
	}
	// Null items count too, and so do items of a repeated Items member.
	for _, body := range []string{
		`{"RequestId":"r","Items":[{},null,{}]}`,
		`{"RequestId":"r","Items":[{},{}],"Items":[{}]}`,
	} {
		m := newMockAPI(t)
		m.answer(200, body)
		_, err := m.client.DescribeActivationCodes(context.Background(), &DescribeActivationCodesRequest{AliyunOrderID: "1", PageSize: 2})
		assert.ErrorIs(t, err, ErrInconsistentPages, body)
	}
}

// allocatedBytes returns the fewest bytes f allocated in one of a few runs.
func allocatedBytes(f func()) uint64 {
	best := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		best = min(best, after.TotalAlloc-before.TotalAlloc)
	}
	return best
}

// hostileBodies are bodies of about 4 MiB meant to make a decoder allocate.
func hostileBodies() map[string][]byte {
	const size = 4 << 20
	repeat := func(head, unit, tail string) []byte {
		return []byte(head + strings.Repeat(unit, (size-len(head)-len(tail))/len(unit)) + tail)
	}
	distinct := func(head, format, tail string) []byte {
		var b strings.Builder
		b.WriteString(head)
		for i := 0; b.Len() < size; i++ {
			fmt.Fprintf(&b, format, i)
		}
		b.WriteString(tail)
		return []byte(b.String())
	}
	return map[string][]byte{
		"empty items":            repeat(`{"RequestId":"r","Items":[{}`, `,{}`, `]}`),
		"null items":             repeat(`{"RequestId":"r","Items":[null`, `,null`, `]}`),
		"one huge string":        repeat(`{"RequestId":"r","Items":[{"Description":"`, `x`, `"}]}`),
		"distinct short strings": distinct(`{"RequestId":"r","Items":[{"Name":"a"`, `,"Name":"n%d"`, `}]}`),
		"distinct long strings":  distinct(`{"RequestId":"r","Items":[{"Name":"a"`, `,"Name":"%0100d"`, `}]}`),
		"escaped keys":           repeat(`{"RequestId":"r","Items":[{"a":1`, `,"\u0041":1`, `}]}`),
		"escaped values":         repeat(`{"RequestId":"r","Items":[{"Name":"a"`, `,"Name":"\u00e9"`, `}]}`),
		"numbers as strings":     distinct(`{"RequestId":"r","Items":[{"Name":"a"`, `,"Name":%d`, `}]}`),
		"a hundred items":        distinct(`{"RequestId":"r","Items":[{}`, `,{"Name":"%d","Description":"`+strings.Repeat("d", 40000)+`"}`, `]}`),
	}
}

// TestDecodingAllocatesAtMostTwiceTheBody checks the documented bound: a body
// of n bytes costs at most 2n bytes plus a fixed 32 KiB to decode, whatever
// it holds (today's page of 1.4 million empty items allocated 1.4 GiB).
func TestDecodingAllocatesAtMostTwiceTheBody(t *testing.T) {
	for name, body := range hostileBodies() {
		t.Run(name, func(t *testing.T) {
			var err error
			n := allocatedBytes(func() {
				var out DescribeActivationCodesResponse
				_, err = decodeAnswer(chinaStandardTime, MaxPageSize, 200, body, "", &out)
			})
			limit := 2*uint64(len(body)) + 32<<10
			assert.LessOrEqual(t, n, limit, "allocated %d bytes for a %d-byte body (err %v)", n, len(body), err)
		})
	}
	// A page of empty items larger than asked for fails before they are allocated.
	body := hostileBodies()["empty items"]
	var err error
	n := allocatedBytes(func() {
		var out DescribeLicenseOrdersResponse
		_, err = decodeAnswer(chinaStandardTime, 100, 200, body, "", &out)
	})
	assert.ErrorIs(t, err, ErrInconsistentPages)
	assert.Less(t, n, uint64(32<<10), "a refused page costs at most its first 100 items")
}

func TestKnownAndRepeatedValuesCostNoAllocation(t *testing.T) {
	same := orderItems(30, func(int) string { return "227638319690519" })
	distinct := orderItems(30, func(i int) string { return strconv.Itoa(227638319690519 + i) })
	decode := func(body []byte) func() {
		return func() {
			var out DescribeLicenseOrdersResponse
			if _, err := decodeAnswer(chinaStandardTime, 30, 200, body, "", &out); err != nil || len(out.Items) != 30 {
				panic(err)
			}
		}
	}
	// The response, its item slice, the RequestId, and the one order ID
	// (which VirtualAliyunOrderId repeats); the engine, package type,
	// validity and channel of every order are constants.
	assert.Equal(t, 4.0, testing.AllocsPerRun(50, decode(same)))
	// One more for each further distinct ID.
	assert.Equal(t, 4.0+29, testing.AllocsPerRun(50, decode(distinct)))
}

func TestDecodedValuesOwnTheirMemory(t *testing.T) {
	// A 60 KiB body in an array of its own, so a weak pointer tracks it whole.
	src := orderItems(280, strconv.Itoa)
	arr := new([64 << 10]byte)
	body := arr[:copy(arr[:], src)]
	require.Greater(t, len(body), 60<<10)
	gone := weak.Make(arr)

	var out DescribeLicenseOrdersResponse
	_, err := decodeAnswer(chinaStandardTime, 300, 200, body, "", &out)
	require.NoError(t, err)
	requestID, engine, id := out.RequestID, out.Items[7].Engine, out.Items[7].AliyunOrderID
	arr, body, out = nil, nil, DescribeLicenseOrdersResponse{}
	runtime.GC()
	runtime.GC()
	assert.True(t, gone.Value() == nil, "keeping a few fields kept the whole body alive")
	assert.Equal(t, "34458CD3-33E0-4624-BFEF-840C15A1B2C3", requestID)
	assert.Equal(t, EnginePG, engine)
	assert.Equal(t, "7", id)
}

func TestErrorsOwnTheirMemory(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
	}{
		{400, `{"RequestId":"req","Code":"InvalidParameter","Message":"bad","HostId":"h","Recommend":"r"}`},
		{200, `{"RequestId":"req","Code":"Forbidden.RAM","Message":"denied"}`},
		{200, `{"RequestId":"req","TimeIsNot":1,"GmtCreated":"yesterday"}`},
	} {
		arr := new([64 << 10]byte)
		body := arr[:copy(arr[:], tc.body)]
		gone := weak.Make(arr)
		var out DescribeLicenseOrderDetailsResponse
		_, err := decodeAnswer(chinaStandardTime, 0, tc.status, body, "hdr", &out)
		require.Error(t, err)
		arr, body, out = nil, nil, DescribeLicenseOrderDetailsResponse{}
		runtime.GC()
		runtime.GC()
		assert.True(t, gone.Value() == nil, "the error of %s kept the body alive", tc.body)
		assert.Contains(t, err.Error(), "req")
	}
}

// TestWalkKeepsOnlyWhatIsKept walks 400 pages of 60 KiB and keeps each
// page's RequestId and one order ID: what stays alive is those strings, not
// the pages (before, 24 MiB stayed).
func TestWalkKeepsOnlyWhatIsKept(t *testing.T) {
	c, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithAccessKey("id", "secret"),
		WithHTTPClient(&http.Client{Transport: &pageTransport{total: 400 * 100}}))
	require.NoError(t, err)
	p := NewDescribeLicenseOrdersPaginator(c, nil, func(o *PaginatorOptions) { o.PageSize = 100 })
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := make([]string, 0, 800)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		kept = append(kept, page.RequestID, page.Items[50].AliyunOrderID)
	}
	require.Len(t, kept, 800)
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	assert.Less(t, grown, int64(2<<20), "the walk's kept fields hold %d bytes", grown)
	runtime.KeepAlive(kept)
}

// TestEveryConstantIsAKnownValue: knownValue is built from the
// enumerations' lists, and returns each value as the constant itself
// (the same memory), and nothing else.
func TestEveryConstantIsAKnownValue(t *testing.T) {
	var all []string
	for _, e := range []Engine{EnginePG, EngineOracle, EngineMySQL} {
		all = append(all, string(e))
	}
	for _, p := range []PackageType{PackageSingleNodeSubscribe, PackageSingleNodeLongTerm, PackagePrimaryBackupSubscribe, PackagePrimaryBackupLongTerm, PackagePreGenerationLongTerm} {
		all = append(all, string(p))
	}
	for _, c := range []PurchaseChannel{ChannelMarketplace, ChannelPublic} {
		all = append(all, string(c))
	}
	all = append(all, "1 year", "30 years", "true", "false")
	for _, v := range all {
		got, ok := knownValue(strings.Clone(v))
		assert.True(t, ok, v)
		assert.Equal(t, v, got)
		assert.Equal(t, unsafe.StringData(v), unsafe.StringData(got), "%s: not the constant itself", v)
	}
	for _, v := range []string{"", "pg", "PG ", "aliyun", "4 years", strings.Repeat("x", 100)} {
		_, ok := knownValue(v)
		assert.False(t, ok, v)
	}
}

// TestDefaultZoneFastPathIsTimeDate: the default zone's zone-less times are
// exactly the Time that time.Date gives, to the bit, across years, months,
// leap days and the day's ends.
func TestDefaultZoneFastPathIsTimeDate(t *testing.T) {
	d := &decoder{loc: chinaStandardTime}
	for _, s := range []string{"2024-02-29 00:00:00", "2024-02-29 07:59:59", "2024-02-29 08:00:00", "1970-01-01 00:00:00",
		"2099-12-31 23:59:59", "2000-01-01 12:00:00", "0001-01-01 08:00:01", "2054-10-09 16:46:19", "2022-02-11T03:14:15"} {
		d.r.Reset(`"` + s + `"`)
		got := d.time()
		require.NoError(t, d.err, s)
		year, _ := strconv.Atoi(s[:4])
		month, _ := strconv.Atoi(s[5:7])
		day, _ := strconv.Atoi(s[8:10])
		hour, _ := strconv.Atoi(s[11:13])
		minute, _ := strconv.Atoi(s[14:16])
		sec, _ := strconv.Atoi(s[17:19])
		want := time.Date(year, time.Month(month), day, hour, minute, sec, 0, chinaStandardTime)
		assert.True(t, got == want, "%s: %#v, want %#v", s, got, want)
	}
	// The zero time written out means none, in whichever form.
	for _, s := range []string{"0001-01-01 00:00:00", "0001-01-01T00:00:00", "0001-01-01T00:00:00Z", ""} {
		d.r.Reset(`"` + s + `"`)
		got := d.time()
		require.NoError(t, d.err, s)
		assert.True(t, got.IsZero(), "%q: %v", s, got)
	}
}
