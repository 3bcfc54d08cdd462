package polarlicensetest_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestDemoData(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	orders := srv.Orders()
	require.GreaterOrEqual(t, len(orders), 6)
	engines := map[polarlicense.Engine]bool{}
	channels := map[polarlicense.PurchaseChannel]bool{}
	packages := map[polarlicense.PackageType]bool{}
	var frozen, allowEmpty, nearlySpent, withCodes int
	for _, o := range orders {
		engines[o.Engine] = true
		channels[o.PurchaseChannel] = true
		packages[o.PackageType] = true
		if o.IsVirtualOrder && o.IsVirtualOrderFrozen {
			frozen++
		}
		if o.AllowEmptySystemIdentifier {
			allowEmpty++
		}
		if o.RemainingQuota() == 1 {
			nearlySpent++
		}
		codes := srv.Codes(o.AliyunOrderID)
		if len(codes) > 0 {
			withCodes++
		}
		assert.Equal(t, len(codes), o.ActivatedCodeCount, o.AliyunOrderID)
		assert.False(t, o.GmtCreated.IsZero())
	}
	assert.Len(t, engines, 3)
	assert.Len(t, channels, 2)
	assert.Len(t, packages, 5)
	assert.Equal(t, 1, frozen)
	assert.Equal(t, 1, allowEmpty)
	assert.GreaterOrEqual(t, nearlySpent, 1)
	assert.GreaterOrEqual(t, withCodes, 3)

	empty := polarlicensetest.NewServer(polarlicensetest.WithoutDemoData())
	defer empty.Close()
	assert.Empty(t, empty.Orders())
}

func TestDescribeLicenseOrdersFilters(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	ctx := context.Background()
	all := srv.Orders()
	count := func(keep func(o polarlicense.LicenseOrder) bool) int {
		n := 0
		for _, o := range all {
			if keep(o) {
				n++
			}
		}
		return n
	}
	cases := []struct {
		name string
		req  polarlicense.DescribeLicenseOrdersRequest
		keep func(o polarlicense.LicenseOrder) bool
	}{
		{"none", polarlicense.DescribeLicenseOrdersRequest{}, func(polarlicense.LicenseOrder) bool { return true }},
		{"channel", polarlicense.DescribeLicenseOrdersRequest{PurchaseChannel: polarlicense.ChannelMarketplace},
			func(o polarlicense.LicenseOrder) bool { return o.PurchaseChannel == polarlicense.ChannelMarketplace }},
		{"package", polarlicense.DescribeLicenseOrdersRequest{PackageType: polarlicense.PackageSingleNodeSubscribe},
			func(o polarlicense.LicenseOrder) bool {
				return o.PackageType == polarlicense.PackageSingleNodeSubscribe
			}},
		{"virtual", polarlicense.DescribeLicenseOrdersRequest{VirtualOrder: polarlicense.Bool(true)},
			func(o polarlicense.LicenseOrder) bool { return o.IsVirtualOrder }},
		{"bought", polarlicense.DescribeLicenseOrdersRequest{VirtualOrder: polarlicense.Bool(false)},
			func(o polarlicense.LicenseOrder) bool { return !o.IsVirtualOrder }},
		{"id", polarlicense.DescribeLicenseOrdersRequest{AliyunOrderID: polarlicensetest.DemoOrderMySQL},
			func(o polarlicense.LicenseOrder) bool { return o.AliyunOrderID == polarlicensetest.DemoOrderMySQL }},
		{"unknown id", polarlicense.DescribeLicenseOrdersRequest{AliyunOrderID: "1"},
			func(polarlicense.LicenseOrder) bool { return false }},
		{"combined", polarlicense.DescribeLicenseOrdersRequest{PurchaseChannel: polarlicense.ChannelPublic, PackageType: polarlicense.PackageSingleNodeSubscribe},
			func(o polarlicense.LicenseOrder) bool {
				return o.PurchaseChannel == polarlicense.ChannelPublic && o.PackageType == polarlicense.PackageSingleNodeSubscribe
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.DescribeLicenseOrders(ctx, &tc.req)
			require.NoError(t, err)
			want := count(tc.keep)
			assert.Equal(t, want, out.TotalRecordCount)
			assert.Len(t, out.Items, want)
			assert.Equal(t, want, out.PageRecordCount)
			assert.Equal(t, 1, out.PageNumber)
			for _, o := range out.Items {
				assert.True(t, tc.keep(o), o.AliyunOrderID)
				assert.NotEmpty(t, o.Engine)
				assert.Equal(t, o.AliyunOrderID, o.VirtualAliyunOrderID)
			}
		})
	}
	if count(func(o polarlicense.LicenseOrder) bool { return o.PurchaseChannel == polarlicense.ChannelMarketplace }) == len(all) {
		t.Fatal("the demo data does not exercise the channel filter")
	}
}

func TestPaging(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureRPC)
	ctx := context.Background()
	all := srv.Orders()
	var seen []string
	for page := 1; ; page++ {
		out, err := c.DescribeLicenseOrders(ctx, &polarlicense.DescribeLicenseOrdersRequest{PageNumber: page, PageSize: 2})
		require.NoError(t, err)
		assert.Equal(t, page, out.PageNumber)
		assert.Equal(t, len(all), out.TotalRecordCount)
		assert.Equal(t, len(out.Items), out.PageRecordCount)
		if len(out.Items) == 0 {
			break
		}
		assert.LessOrEqual(t, len(out.Items), 2)
		for _, o := range out.Items {
			seen = append(seen, o.AliyunOrderID)
		}
		require.Less(t, page, 100)
	}
	var want []string
	for _, o := range all {
		want = append(want, o.AliyunOrderID)
	}
	assert.Equal(t, want, seen, "pages are in a stable order and cover every order once")

	// The default page size is 30.
	out, err := c.DescribeLicenseOrders(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, out.Items, len(all))

	// Codes page the same way.
	codes, err := c.DescribeActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{
		AliyunOrderID: polarlicensetest.DemoOrderNearlySpent, PageNumber: 2, PageSize: 3})
	require.NoError(t, err)
	assert.Equal(t, 4, codes.TotalRecordCount)
	require.Len(t, codes.Items, 1)
	assert.Equal(t, 1, codes.PageRecordCount)
	assert.Equal(t, "ha-b2", codes.Items[0].Name)

	// Out of range: sent by hand, since our client refuses them.
	for _, bad := range [][]string{
		{"PageSize", "0"}, {"PageSize", "101"}, {"PageSize", "x"}, {"PageNumber", "0"}, {"PageNumber", "-1"},
		{"PageNumber", "2147483648"},
	} {
		a := raw{query: p(bad...)}.send(t, srv)
		assert.Equal(t, http.StatusBadRequest, a.status, bad)
		assert.Equal(t, polarlicensetest.CodeInvalidParameter, a.code(), bad)
		assert.Contains(t, a.str("Message"), bad[0])
	}
	a := raw{query: p("PageSize", "100", "PageNumber", "1000000")}.send(t, srv)
	assert.Equal(t, http.StatusOK, a.status)
	assert.Empty(t, a.body["Items"])
	assert.NotNil(t, a.body["Items"], "an empty page has Items: []")
	a = raw{query: p("VirtualOrder", "maybe")}.send(t, srv)
	assert.Equal(t, polarlicensetest.CodeInvalidParameter, a.code())
}

func TestVirtualOrderPerEngine(t *testing.T) {
	srv := polarlicensetest.NewServer(polarlicensetest.WithVirtualOrderQuota(3))
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	ctx := context.Background()
	get := func(e polarlicense.Engine) *polarlicense.CreateOrGetVirtualLicenseOrderResponse {
		out, err := c.CreateOrGetVirtualLicenseOrder(ctx, &polarlicense.CreateOrGetVirtualLicenseOrderRequest{Engine: e})
		require.NoError(t, err)
		return out
	}
	before := len(srv.Orders())
	pg1, my1 := get(polarlicense.EnginePG), get(polarlicense.EngineMySQL)
	pg2, my2 := get(polarlicense.EnginePG), get(polarlicense.EngineMySQL)
	assert.Equal(t, pg1.AliyunOrderID, pg2.AliyunOrderID)
	assert.Equal(t, my1.AliyunOrderID, my2.AliyunOrderID)
	assert.NotEqual(t, pg1.AliyunOrderID, my1.AliyunOrderID)
	assert.Equal(t, 3, pg1.ActivationCodeQuota)
	assert.Equal(t, polarlicense.PackagePreGenerationLongTerm, pg1.PackageType)
	assert.Equal(t, "30 years", pg1.PackageValidity)
	assert.Len(t, srv.Orders(), before+2)
	o, _ := srv.Order(my1.AliyunOrderID)
	assert.Equal(t, polarlicense.EngineMySQL, o.Engine)

	// Oracle already has a (frozen) virtual order in the demo data.
	ora := get(polarlicense.EngineOracle)
	assert.Equal(t, polarlicensetest.DemoVirtualOrderFrozen, ora.AliyunOrderID)
	assert.True(t, ora.IsVirtualOrderFrozen)
	assert.Len(t, srv.Orders(), before+2)

	_, err := c.CreateOrGetVirtualLicenseOrder(ctx, &polarlicense.CreateOrGetVirtualLicenseOrderRequest{Engine: "pg"})
	requireCode(t, err, polarlicensetest.CodeInvalidParameter, http.StatusBadRequest)
	a := raw{action: "CreateOrGetVirtualLicenseOrder"}.send(t, srv)
	assert.Equal(t, polarlicensetest.CodeMissingEngine, a.code())
}

// TestVirtualOrderConcurrentCreate checks that concurrent first calls create
// one order.
func TestVirtualOrderConcurrentCreate(t *testing.T) {
	srv := polarlicensetest.NewServer(polarlicensetest.WithoutDemoData())
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	ids := make(chan string, 16)
	for i := 0; i < 16; i++ {
		go func() {
			out, err := c.CreateOrGetVirtualLicenseOrder(context.Background(), &polarlicense.CreateOrGetVirtualLicenseOrderRequest{Engine: polarlicense.EngineMySQL})
			if err != nil {
				ids <- err.Error()
				return
			}
			ids <- out.AliyunOrderID
		}()
	}
	first := <-ids
	for i := 1; i < 16; i++ {
		assert.Equal(t, first, <-ids)
	}
	assert.Len(t, srv.Orders(), 1)
}

func TestCreateActivationCodeQuota(t *testing.T) {
	now := time.Now().Truncate(time.Second) // fixed, and near enough the client's clock
	srv := polarlicensetest.NewServer(
		polarlicensetest.WithClock(func() time.Time { return now }),
		polarlicensetest.WithOrders(polarlicense.LicenseOrder{
			AliyunOrderID: "900000000000001", Engine: polarlicense.EnginePG, PackageType: polarlicense.PackageSingleNodeSubscribe,
			PurchaseChannel: polarlicense.ChannelPublic, ActivationCodeQuota: 2, GmtCreated: now.AddDate(0, -1, 0),
		}))
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	ctx := context.Background()
	create := func(name string) (*polarlicense.CreateActivationCodeResponse, error) {
		return c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
			AliyunOrderID: "900000000000001", MacAddress: "02-00-00-00-00-0A", Name: name, SystemIdentifier: "1", Description: "dd"})
	}
	first, err := create("one")
	require.NoError(t, err)
	assert.True(t, now.Equal(first.ActivateAt))
	assert.True(t, now.AddDate(1, 0, 0).Equal(first.ExpireAt), "1 year validity")
	assert.True(t, now.Equal(first.GmtCreated))
	second, err := create("two")
	require.NoError(t, err)
	assert.Equal(t, first.ID+1, second.ID)
	assert.NotEqual(t, first.CertContentB64.Reveal(), second.CertContentB64.Reveal())
	_, err = create("three")
	requireCode(t, err, polarlicensetest.CodeQuotaExceeded, http.StatusBadRequest)

	o, _ := srv.Order("900000000000001")
	assert.Equal(t, 2, o.ActivatedCodeCount)
	assert.Equal(t, 0, o.RemainingQuota())
	assert.True(t, now.Equal(o.GmtModified))
	codes := srv.Codes("900000000000001")
	require.Len(t, codes, 2)
	assert.Equal(t, "two", codes[1].Name)
	assert.Equal(t, "dd", codes[1].Description)
	assert.Equal(t, "02:00:00:00:00:0a", codes[1].MacAddress, "stored in its normal form")

	// The license is deterministic, a few hundred bytes, and clearly fake.
	lic, err := first.CertContentB64.Decode()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(lic), polarlicensetest.FakeLicensePrefix))
	assert.Contains(t, string(lic), "900000000000001")
	assert.Greater(t, len(lic), 200)
	assert.Less(t, len(lic), 2000)
	_, cert, ok := srv.Code("900000000000001", first.ID)
	require.True(t, ok)
	assert.Equal(t, first.CertContentB64.Reveal(), cert.Reveal())

	// The nearly spent demo order has exactly one code left.
	out, err := c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoOrderNearlySpent, MacAddress: "00:16:3e:33:40:c1", Name: "ha-c1", SystemIdentifier: "9"})
	require.NoError(t, err)
	assert.Positive(t, out.ID)
	_, err = c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoOrderNearlySpent, MacAddress: "00:16:3e:33:40:c2", Name: "ha-c2", SystemIdentifier: "9"})
	requireCode(t, err, polarlicensetest.CodeQuotaExceeded, http.StatusBadRequest)
}

func TestCreateActivationCodeRules(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureRPC)
	ctx := context.Background()

	// A frozen virtual order issues nothing.
	_, err := c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoVirtualOrderFrozen, MacAddress: "00:16:3e:00:00:01", Name: "x", SystemIdentifier: "1"})
	requireCode(t, err, polarlicensetest.CodeVirtualOrderFrozen, http.StatusForbidden)
	o, _ := srv.Order(polarlicensetest.DemoVirtualOrderFrozen)
	assert.Equal(t, 3, o.ActivatedCodeCount)

	// SystemIdentifier is required unless the order allows it empty.
	_, err = c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:00:00:01", Name: "x"})
	requireCode(t, err, polarlicensetest.CodeMissingSystemIdentifier, http.StatusBadRequest)
	out, err := c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoOrderNoSystemIdentifier, MacAddress: "00:16:3e:00:00:01", Name: "x"})
	require.NoError(t, err)
	assert.Empty(t, out.SystemIdentifier)
	assert.Equal(t, out.ActivateAt.AddDate(30, 0, 0), out.ExpireAt, "30 years validity")

	// Not found.
	_, err = c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: "123", MacAddress: "00:16:3e:00:00:01", Name: "x", SystemIdentifier: "1"})
	requireCode(t, err, polarlicensetest.CodeOrderNotFound, http.StatusNotFound)

	// What our client refuses to send, sent by hand.
	base := []string{"AliyunOrderId", polarlicensetest.DemoOrderPG, "MacAddress", "00:16:3e:00:00:01", "Name", "ok", "SystemIdentifier", "1"}
	with := func(kv ...string) []string {
		out := append([]string(nil), base...)
		for i := 0; i < len(kv); i += 2 {
			for j := 0; j < len(out); j += 2 {
				if out[j] == kv[i] {
					out[j+1] = kv[i+1]
				}
			}
		}
		return out
	}
	for _, tc := range []struct {
		params []string
		code   string
	}{
		{with("Name", "a b"), polarlicensetest.CodeInvalidNameMalformed},
		{with("Name", "a.b"), polarlicensetest.CodeInvalidNameMalformed},
		{with("Name", "名字"), polarlicensetest.CodeInvalidNameMalformed},
		{with("Name", ""), polarlicensetest.CodeMissingName},
		{with("MacAddress", ""), polarlicensetest.CodeMissingMacAddress},
		{with("MacAddress", "00:16:3e:00:00"), polarlicensetest.CodeInvalidMacAddressMalformed},
		{with("AliyunOrderId", ""), polarlicensetest.CodeMissingAliyunOrderID},
	} {
		a := raw{action: "CreateActivationCode", query: p(tc.params...)}.send(t, srv)
		assert.Equal(t, http.StatusBadRequest, a.status, tc.params)
		assert.Equal(t, tc.code, a.code(), tc.params)
	}
	a := raw{action: "CreateActivationCode", query: p(with("Name", "Ok_name-9")...)}.send(t, srv)
	assert.Equal(t, http.StatusOK, a.status, a.text)
	assert.Equal(t, "Ok_name-9", a.str("Name"))
}

func TestNotFound(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	ctx := context.Background()
	_, err := c.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: "1"})
	requireCode(t, err, polarlicensetest.CodeOrderNotFound, http.StatusNotFound)
	_, err = c.DescribeActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: "1"})
	requireCode(t, err, polarlicensetest.CodeOrderNotFound, http.StatusNotFound)
	_, err = c.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: "1", ActivationCodeID: 1})
	requireCode(t, err, polarlicensetest.CodeOrderNotFound, http.StatusNotFound)
	_, err = c.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, ActivationCodeID: 999999})
	requireCode(t, err, polarlicensetest.CodeActivationCodeNotFound, http.StatusNotFound)
	// A code of another order is not found in this one.
	other := srv.Codes(polarlicensetest.DemoOrderMySQL)[0]
	_, err = c.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, ActivationCodeID: other.ID})
	requireCode(t, err, polarlicensetest.CodeActivationCodeNotFound, http.StatusNotFound)

	// Missing and malformed parameters.
	for _, tc := range []struct {
		action string
		params []string
		code   string
	}{
		{"DescribeLicenseOrderDetails", nil, polarlicensetest.CodeMissingAliyunOrderID},
		{"DescribeActivationCodes", nil, polarlicensetest.CodeMissingAliyunOrderID},
		{"DescribeActivationCodeDetails", nil, polarlicensetest.CodeMissingAliyunOrderID},
		{"DescribeActivationCodeDetails", []string{"AliyunOrderId", polarlicensetest.DemoOrderPG, "ActivationCodeId", "x"}, polarlicensetest.CodeInvalidParameter},
		{"CreateOrGetVirtualLicenseOrder", []string{"Engine", "DB2"}, polarlicensetest.CodeInvalidParameter},
	} {
		a := raw{action: tc.action, query: p(tc.params...)}.send(t, srv)
		assert.Equal(t, http.StatusBadRequest, a.status, tc)
		assert.Equal(t, tc.code, a.code(), tc)
	}
}

func TestDescribeActivationCodesFilters(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	ctx := context.Background()
	out, err := c.DescribeActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, SystemIdentifier: "7345118823001548202"})
	require.NoError(t, err)
	require.Len(t, out.Items, 1)
	assert.Equal(t, "pg-prod-02", out.Items[0].Name)
	assert.Equal(t, 1, out.TotalRecordCount)
	out, err = c.DescribeActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3E:1A:2B:01"})
	require.NoError(t, err)
	require.Len(t, out.Items, 1, "MAC addresses match regardless of case")
	out, err = c.DescribeActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:1a:2b:01", SystemIdentifier: "7345118823001548202"})
	require.NoError(t, err)
	assert.Empty(t, out.Items)
	assert.Equal(t, 0, out.TotalRecordCount)
}

// TestResponseShape checks the keys of each answer against the API pages.
func TestResponseShape(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	orderKeys := []string{"ActivatedCodeCount", "ActivationCodeQuota", "AliyunOrderId", "AllowEmptySystemIdentifier",
		"GmtCreated", "GmtModified", "IsVirtualOrder", "IsVirtualOrderFrozen", "PackageType", "PackageValidity", "PurchaseChannel"}
	codeKeys := []string{"ActivateAt", "Description", "ExpireAt", "GmtCreated", "GmtModified", "Id", "MacAddress", "Name", "SystemIdentifier"}
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	plus := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }

	a := raw{action: "CreateOrGetVirtualLicenseOrder", query: p("Engine", "PG")}.send(t, srv)
	assert.ElementsMatch(t, plus(orderKeys, "RequestId", "VirtualOrderId"), keys(a.body))
	assert.Equal(t, a.header.Get("x-acs-request-id"), a.str("RequestId"))
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`, a.str("GmtCreated"))

	a = raw{action: "DescribeLicenseOrderDetails", query: p("AliyunOrderId", polarlicensetest.DemoOrderOracle)}.send(t, srv)
	assert.ElementsMatch(t, plus(orderKeys, "RequestId", "VirtualOrderId", "Engine"), keys(a.body))
	assert.Equal(t, "2024-10-16 16:46:20", a.str("GmtCreated"), "China Standard Time wall clock")

	a = raw{action: "DescribeLicenseOrders", query: p("PageSize", "1")}.send(t, srv)
	assert.ElementsMatch(t, []string{"Items", "PageNumber", "PageRecordCount", "RequestId", "TotalRecordCount"}, keys(a.body))
	item := a.body["Items"].([]any)[0].(map[string]any)
	assert.ElementsMatch(t, plus(orderKeys, "Engine", "VirtualAliyunOrderId"), keys(item))

	a = raw{action: "DescribeActivationCodes", query: p("AliyunOrderId", polarlicensetest.DemoOrderPG)}.send(t, srv)
	item = a.body["Items"].([]any)[0].(map[string]any)
	assert.ElementsMatch(t, codeKeys, keys(item))

	id := srv.Codes(polarlicensetest.DemoOrderPG)[0].ID
	a = raw{action: "DescribeActivationCodeDetails", query: p("AliyunOrderId", polarlicensetest.DemoOrderPG,
		"ActivationCodeId", strconv.FormatInt(id, 10))}.send(t, srv)
	assert.ElementsMatch(t, plus(codeKeys, "RequestId", "CertContentB64"), keys(a.body))

	a = raw{action: "DescribeLicenseOrderDetails", query: p("AliyunOrderId", "0")}.send(t, srv)
	assert.ElementsMatch(t, []string{"RequestId", "HostId", "Code", "Message", "Recommend"}, keys(a.body))
	assert.Equal(t, a.header.Get("x-acs-request-id"), a.str("RequestId"))
	assert.Regexp(t, `^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`, a.str("RequestId"))
}

func TestMacAddressesAreStoredAndMatchedNormalised(t *testing.T) {
	const order = "900000000000031"
	srv := polarlicensetest.NewServer(polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(polarlicense.LicenseOrder{AliyunOrderID: order, ActivationCodeQuota: 3, AllowEmptySystemIdentifier: true}),
		polarlicensetest.WithActivationCode(order, polarlicense.ActivationCode{ID: 1, Name: "seeded", MacAddress: "02-00-00-00-00-AA"}, polarlicense.CertContent{}))
	defer srv.Close()
	assert.Equal(t, "02:00:00:00:00:aa", srv.Codes(order)[0].MacAddress, "a seeded code is stored normalised")

	// Requests as another client might spell them, not normalised.
	ans := raw{action: "CreateActivationCode", query: p("AliyunOrderId", order, "MacAddress", "02-00-00-00-00-BB", "Name", "raw")}.send(t, srv)
	require.Equal(t, 200, ans.status, ans.text)
	assert.Equal(t, "02:00:00:00:00:bb", ans.str("MacAddress"))
	assert.Equal(t, "02:00:00:00:00:bb", srv.Codes(order)[1].MacAddress, "a created code is stored normalised")
	for _, spelling := range []string{"02-00-00-00-00-AA", "02:00:00:00:00:aa", "02:00:00:00:00:Aa", "02-00-00-00-00-aa"} {
		ans := raw{action: "DescribeActivationCodes", query: p("AliyunOrderId", order, "MacAddress", spelling)}.send(t, srv)
		require.Equal(t, 200, ans.status, ans.text)
		items, _ := ans.body["Items"].([]any)
		require.Len(t, items, 1, spelling)
		assert.Equal(t, "02:00:00:00:00:aa", items[0].(map[string]any)["MacAddress"], spelling)
	}
}

// DescribeActivationCodeDetails without ActivationCodeId, as the client sends
// it for ID 0: the order's first code, or not found when it has none.
func TestDescribeActivationCodeDetailsWithoutID(t *testing.T) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	ctx := context.Background()
	codes := srv.Codes(polarlicensetest.DemoOrderPG)
	require.NotEmpty(t, codes)
	out, err := c.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: polarlicensetest.DemoOrderPG})
	require.NoError(t, err)
	assert.Equal(t, codes[0].ID, out.ID, "the lowest ID")
	assert.NotEmpty(t, out.CertContentB64.Reveal())

	empty := polarlicensetest.NewServer(polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(polarlicense.LicenseOrder{AliyunOrderID: "111", Engine: polarlicense.EnginePG, ActivationCodeQuota: 1}))
	defer empty.Close()
	_, err = newClient(t, empty, polarlicense.SignatureRPC).DescribeActivationCodeDetails(ctx,
		&polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: "111"})
	requireCode(t, err, polarlicensetest.CodeActivationCodeNotFound, http.StatusNotFound)

	// An explicit empty value is the same as none.
	a := raw{action: "DescribeActivationCodeDetails", query: p("AliyunOrderId", polarlicensetest.DemoOrderPG, "ActivationCodeId", "")}.send(t, srv)
	assert.Equal(t, http.StatusOK, a.status)
}
