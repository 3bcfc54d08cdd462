package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func orderIDs(rows []orderRecord) []string {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.AliyunOrderID
	}
	return ids
}

func TestOrdersListJSON(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := ok(t, runAt(t, srv, "orders", "list", "-o", "json"))
	rows := decodeJSON[[]orderRecord](t, r.stdout)

	want := srv.Orders()
	require.Len(t, rows, len(want))
	for i, o := range want {
		assert.Equal(t, asOutput(t, newOrderRecord(&o)), rows[i])
	}
	pg := rows[0]
	assert.Equal(t, polarlicensetest.DemoOrderPG, pg.AliyunOrderID)
	assert.Equal(t, "PG", pg.Engine)
	assert.Equal(t, 8, pg.ActivationCodeQuota)
	assert.Equal(t, 2, pg.ActivatedCodeCount)
	assert.Equal(t, 6, pg.RemainingQuota)
	assert.Equal(t, time.Date(2024, 3, 11, 1, 20, 15, 0, time.UTC), time.Time(pg.GmtCreated))
	assert.Contains(t, r.stdout, `"gmt_created": "2024-03-11T01:20:15Z"`)
}

func TestOrdersListFilters(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	list := func(args ...string) []string {
		r := ok(t, runAt(t, srv, append([]string{"orders", "list", "-o", "json"}, args...)...))
		return orderIDs(decodeJSON[[]orderRecord](t, r.stdout))
	}
	assert.Equal(t, []string{polarlicensetest.DemoVirtualOrderFrozen}, list("--virtual"))
	assert.NotContains(t, list("--virtual=false"), polarlicensetest.DemoVirtualOrderFrozen)
	assert.Equal(t, []string{polarlicensetest.DemoOrderMySQL, polarlicensetest.DemoOrderMySQLSubscribe}, list("--engine", "mysql"))
	assert.Equal(t, []string{polarlicensetest.DemoOrderPG, polarlicensetest.DemoOrderMySQLSubscribe},
		list("--channel", "aliyun_public", "--package-type", "single_node_subscribe"))
	assert.Equal(t, []string{polarlicensetest.DemoOrderNoSystemIdentifier, polarlicensetest.DemoOrderOracle},
		list("--engine", "Oracle", "--virtual=false"))
	assert.Empty(t, list("--engine", "Db2", "--allow-unknown"))
	assert.Equal(t, "[]\n", ok(t, runAt(t, srv, "orders", "list", "-o", "json", "--engine", "Db2", "--allow-unknown")).stdout)
	assert.Equal(t, exitUsage, runAt(t, srv, "orders", "list", "--engine", "Db2").code, "unknown without --allow-unknown")
}

func TestOrdersListManyPages(t *testing.T) {
	t.Parallel()
	var orders []polarlicense.LicenseOrder
	for i := range 230 {
		orders = append(orders, polarlicense.LicenseOrder{
			AliyunOrderID: "9" + strings.Repeat("0", 10) + string(rune('a'+i/26)) + string(rune('a'+i%26)),
			Engine:        polarlicense.EnginePG, PackageType: polarlicense.PackageSingleNodeSubscribe, ActivationCodeQuota: 1,
		})
	}
	srv := newServer(t, polarlicensetest.WithoutDemoData(), polarlicensetest.WithOrders(orders...))
	r := ok(t, runAt(t, srv, "orders", "list", "-o", "json"))
	assert.Len(t, decodeJSON[[]orderRecord](t, r.stdout), 230)
	assert.Equal(t, 3, srv.RequestCount("DescribeLicenseOrders"))
}

func TestOrdersListCSV(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := ok(t, runAt(t, srv, "orders", "list", "-o", "csv", "--virtual"))
	header, rows := decodeCSV(t, r.stdout)
	assert.Equal(t, []string{
		"aliyun_order_id", "virtual_aliyun_order_id", "engine", "package_type", "package_validity", "purchase_channel",
		"activation_code_quota", "activated_code_count", "remaining_quota", "allow_empty_system_identifier",
		"is_virtual_order", "is_virtual_order_frozen", "gmt_created", "gmt_modified",
	}, header)
	require.Len(t, rows, 1)
	frozen, _ := srv.Order(polarlicensetest.DemoVirtualOrderFrozen)
	assert.Equal(t, map[string]string{
		"aliyun_order_id":               polarlicensetest.DemoVirtualOrderFrozen,
		"virtual_aliyun_order_id":       polarlicensetest.DemoVirtualOrderFrozen,
		"engine":                        "Oracle",
		"package_type":                  "pre_generation_long_term",
		"package_validity":              "30 years",
		"purchase_channel":              "aliyun_market",
		"activation_code_quota":         "10",
		"activated_code_count":          "3",
		"remaining_quota":               "7",
		"allow_empty_system_identifier": "false",
		"is_virtual_order":              "true",
		"is_virtual_order_frozen":       "true",
		"gmt_created":                   "2024-11-02T01:00:00Z",
		"gmt_modified":                  frozen.GmtModified.UTC().Format(time.RFC3339), // the demo's last code is dated from the server's clock
	}, rows[0])
}

func TestOrdersListTable(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := ok(t, runAt(t, srv, "orders", "list", "-o", "table"))
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.Len(t, lines, 1+len(srv.Orders()))
	assert.Equal(t, []string{"ORDER", "ID", "ENGINE", "PACKAGE", "VALIDITY", "CHANNEL", "QUOTA", "USED", "LEFT", "VIRTUAL", "CREATED"}, strings.Fields(lines[0]))
	assert.Equal(t, []string{polarlicensetest.DemoOrderPG, "PG", "single_node_subscribe", "1", "year", "aliyun_public", "8", "2", "6", "no"},
		strings.Fields(lines[1])[:10])
	assert.Contains(t, lines[len(lines)-1], "frozen")
}

func TestOrdersGet(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	want, _ := srv.Order(polarlicensetest.DemoOrderNearlySpent)

	r := ok(t, runAt(t, srv, "orders", "get", polarlicensetest.DemoOrderNearlySpent, "-o", "json"))
	assert.Equal(t, asOutput(t, newOrderRecord(&want)), decodeJSON[orderRecord](t, r.stdout))
	assert.True(t, strings.HasPrefix(r.stdout, "{"), "a single item is an object")

	r = ok(t, runAt(t, srv, "orders", "get", polarlicensetest.DemoOrderNearlySpent, "-o", "csv"))
	_, rows := decodeCSV(t, r.stdout)
	require.Len(t, rows, 1)
	assert.Equal(t, "1", rows[0]["remaining_quota"])

	r = ok(t, runAt(t, srv, "orders", "get", polarlicensetest.DemoOrderNearlySpent, "-o", "table"))
	assert.Contains(t, r.stdout, "aliyun_order_id                "+polarlicensetest.DemoOrderNearlySpent+"\n")
	assert.Regexp(t, `(?m)^purchase_channel\s+aliyun_market$`, r.stdout)
	assert.Regexp(t, `(?m)^remaining_quota\s+1$`, r.stdout)
}

func TestOrdersGetNotFound(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := runAt(t, srv, "orders", "get", "123456789")
	assert.Equal(t, exitFailure, r.code)
	assert.Empty(t, r.stdout)
	line := oneLineOn(t, r.stderr)
	assert.True(t, strings.HasPrefix(line, `polarlicense: no license order has the ID "123456789": InvalidAliyunOrderId.NotFound: `), line)
	assert.Regexp(t, `\(HTTP 404, request id [0-9A-F-]+\)$`, line)
}

func TestOrdersVirtual(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := ok(t, runAt(t, srv, "orders", "virtual", "--engine", "pg", "-o", "json"))
	first := decodeJSON[orderRecord](t, r.stdout)
	assert.True(t, first.IsVirtualOrder)
	assert.Equal(t, "PG", first.Engine)
	assert.Equal(t, "pre_generation_long_term", first.PackageType)

	r = ok(t, runAt(t, srv, "orders", "virtual", "--engine", "PG", "-o", "json"))
	assert.Equal(t, first.AliyunOrderID, decodeJSON[orderRecord](t, r.stdout).AliyunOrderID, "create or get: the same order")

	r = ok(t, runAt(t, srv, "orders", "virtual", "--engine", "Oracle", "-o", "json"))
	assert.Equal(t, polarlicensetest.DemoVirtualOrderFrozen, decodeJSON[orderRecord](t, r.stdout).AliyunOrderID)

	r = ok(t, runAt(t, srv, "orders", "virtual", "--engine", "mysql", "-o", "csv"))
	_, rows := decodeCSV(t, r.stdout)
	require.Len(t, rows, 1)
	assert.Equal(t, "MySQL", rows[0]["engine"])
	assert.Equal(t, "true", rows[0]["is_virtual_order"])
	mysql := rows[0]["aliyun_order_id"]

	r = ok(t, runAt(t, srv, "orders", "virtual", "--engine", "MySQL", "-o", "table"))
	assert.Regexp(t, `(?m)^aliyun_order_id\s+`+mysql+`$`, r.stdout)
	assert.Regexp(t, `(?m)^is_virtual_order\s+true$`, r.stdout)

	r = runAt(t, srv, "orders", "virtual", "--engine", "Postgres")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, `polarlicense: invalid --engine "Postgres": want PG, Oracle or MySQL (see "polarlicense orders virtual --help")`, oneLineOn(t, r.stderr))

	r = runAt(t, srv, "orders", "virtual")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `required flag(s) "engine" not set`)
	assert.Equal(t, 5, srv.RequestCount("CreateOrGetVirtualLicenseOrder"), "no request for a bad command line")
}
