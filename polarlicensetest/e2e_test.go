package polarlicensetest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// TestClientAllOperations drives the six operations through our client with
// both signatures, with a plain AccessKey and with an STS token.
func TestClientAllOperations(t *testing.T) {
	for _, a := range algorithms {
		for _, sts := range []bool{false, true} {
			name := a.name
			if sts {
				name += "/STS"
			}
			t.Run(name, func(t *testing.T) {
				var opts []polarlicensetest.Option
				if sts {
					opts = append(opts, polarlicensetest.WithSecurityToken("CAIS.emulator-sts-token+/="))
				}
				srv := polarlicensetest.NewServer(opts...)
				defer srv.Close()
				c, err := polarlicense.NewClient(
					polarlicense.WithEndpoint(srv.URL),
					polarlicense.WithSTSToken(srv.AccessKeyID, srv.AccessKeySecret, srv.SecurityToken),
					polarlicense.WithSignatureAlgorithm(a.alg))
				require.NoError(t, err)
				driveAllOperations(t, c, srv)
				for _, r := range srv.Requests() {
					assert.Equal(t, a.alg.String(), r.Signature)
					assert.Equal(t, sts, r.STS)
				}
			})
		}
	}
}

func driveAllOperations(t *testing.T, c *polarlicense.Client, srv *polarlicensetest.Server) {
	ctx := context.Background()

	// CreateOrGetVirtualLicenseOrder: created on first call, the same after.
	v1, err := c.CreateOrGetVirtualLicenseOrder(ctx, &polarlicense.CreateOrGetVirtualLicenseOrderRequest{Engine: polarlicense.EnginePG})
	require.NoError(t, err)
	assert.NotEmpty(t, v1.RequestID)
	assert.True(t, v1.IsVirtualOrder)
	assert.False(t, v1.IsVirtualOrderFrozen)
	assert.Equal(t, polarlicensetest.DefaultVirtualOrderQuota, v1.ActivationCodeQuota)
	assert.Equal(t, v1.AliyunOrderID, v1.VirtualOrderID)
	assert.Empty(t, v1.Engine, "the create answer has no Engine, as documented")
	v2, err := c.CreateOrGetVirtualLicenseOrder(ctx, &polarlicense.CreateOrGetVirtualLicenseOrderRequest{Engine: polarlicense.EnginePG})
	require.NoError(t, err)
	assert.Equal(t, v1.AliyunOrderID, v2.AliyunOrderID)
	assert.NotEqual(t, v1.RequestID, v2.RequestID)

	// DescribeLicenseOrderDetails matches the state.
	d, err := c.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: v1.AliyunOrderID})
	require.NoError(t, err)
	want, ok := srv.Order(v1.AliyunOrderID)
	require.True(t, ok)
	assertOrderEqual(t, want, d.LicenseOrder)
	assert.Equal(t, polarlicense.EnginePG, d.Engine)

	// DescribeLicenseOrders lists the new virtual order too.
	list, err := c.DescribeLicenseOrders(ctx, &polarlicense.DescribeLicenseOrdersRequest{PageSize: 100})
	require.NoError(t, err)
	assert.Equal(t, len(srv.Orders()), list.TotalRecordCount)
	assert.Len(t, list.Items, list.TotalRecordCount)
	assert.Equal(t, len(list.Items), list.PageRecordCount)
	assert.Equal(t, v1.AliyunOrderID, list.Items[len(list.Items)-1].AliyunOrderID)

	// CreateActivationCode on the virtual order, with every field.
	created, err := c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: v1.AliyunOrderID, MacAddress: "00:16:3e:aa:bb:cc", Name: "node_1-a",
		SystemIdentifier: "7400000000000000001", Description: "a description with spaces, * and ~ and 中文",
	})
	require.NoError(t, err)
	assert.Positive(t, created.ID)
	assert.Equal(t, "node_1-a", created.Name)
	assert.Equal(t, "a description with spaces, * and ~ and 中文", created.Description)
	assert.Equal(t, "00:16:3e:aa:bb:cc", created.MacAddress)
	assert.Equal(t, "7400000000000000001", created.SystemIdentifier)
	assert.Equal(t, created.ActivateAt.AddDate(30, 0, 0), created.ExpireAt)
	lic, err := created.CertContentB64.Decode()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(lic), polarlicensetest.FakeLicensePrefix))
	after, _ := srv.Order(v1.AliyunOrderID)
	assert.Equal(t, 1, after.ActivatedCodeCount)

	// DescribeActivationCodeDetails returns the same code and license.
	det, err := c.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{
		AliyunOrderID: v1.AliyunOrderID, ActivationCodeID: created.ID})
	require.NoError(t, err)
	assert.Equal(t, created.ActivationCode, det.ActivationCode)
	assert.Equal(t, created.CertContentB64.Reveal(), det.CertContentB64.Reveal())

	// DescribeActivationCodes, with and without filters.
	codes, err := c.DescribeActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: v1.AliyunOrderID})
	require.NoError(t, err)
	require.Len(t, codes.Items, 1)
	assert.Equal(t, created.ActivationCode, codes.Items[0])
	codes, err = c.DescribeActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{
		AliyunOrderID: polarlicensetest.DemoOrderNearlySpent, MacAddress: "00:16:3e:33:40:b1"})
	require.NoError(t, err)
	require.Len(t, codes.Items, 1)
	assert.Equal(t, "ha-b1", codes.Items[0].Name)

	// A typed error carries the code, the status and the request id.
	_, err = c.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: "404"})
	ae := requireCode(t, err, polarlicensetest.CodeOrderNotFound, http.StatusNotFound)
	log := srv.Requests()
	assert.Equal(t, log[len(log)-1].RequestID, ae.RequestID)

	for _, op := range []string{"CreateOrGetVirtualLicenseOrder", "DescribeLicenseOrderDetails", "DescribeLicenseOrders",
		"CreateActivationCode", "DescribeActivationCodeDetails", "DescribeActivationCodes"} {
		assert.Positive(t, srv.RequestCount(op), op)
	}
}

// assertOrderEqual compares orders, times as instants.
func assertOrderEqual(t *testing.T, want, got polarlicense.LicenseOrder) {
	t.Helper()
	assert.True(t, want.GmtCreated.Equal(got.GmtCreated), "GmtCreated %v != %v", want.GmtCreated, got.GmtCreated)
	assert.True(t, want.GmtModified.Equal(got.GmtModified), "GmtModified %v != %v", want.GmtModified, got.GmtModified)
	want.GmtCreated, want.GmtModified, got.GmtCreated, got.GmtModified = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	assert.Equal(t, want, got)
}

// TestSeedRoundTrip seeds with the client's own types and reads the same
// values back through the client.
func TestSeedRoundTrip(t *testing.T) {
	created := time.Date(2023, 4, 5, 6, 7, 8, 0, time.UTC)
	order := polarlicense.LicenseOrder{
		AliyunOrderID: "111122223333444", VirtualAliyunOrderID: "111122223333444", Engine: polarlicense.EngineMySQL,
		PackageType: polarlicense.PackageSingleNodeLongTerm, PackageValidity: "30 years",
		PurchaseChannel: polarlicense.ChannelPublic, ActivationCodeQuota: 3, ActivatedCodeCount: 1,
		GmtCreated: created, GmtModified: created.Add(time.Hour),
	}
	code := polarlicense.ActivationCode{
		ID: 77, Name: "seeded", Description: "from a test", MacAddress: "02:00:00:00:00:01", SystemIdentifier: "42",
		ActivateAt: created, ExpireAt: created.AddDate(30, 0, 0), GmtCreated: created, GmtModified: created,
	}
	cert := polarlicense.NewCertContent("bGljZW5zZQ==")
	srv := polarlicensetest.NewServer(polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(order), polarlicensetest.WithActivationCode(order.AliyunOrderID, code, cert))
	defer srv.Close()
	c := newClient(t, srv, polarlicense.SignatureV3)
	ctx := context.Background()

	list, err := c.DescribeLicenseOrders(ctx, nil)
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	assertOrderEqual(t, order, list.Items[0])
	stored, _ := srv.Order(order.AliyunOrderID)
	assert.Equal(t, list.Items[0], stored, "accessors return what the client reads, zone included")

	det, err := c.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{
		AliyunOrderID: order.AliyunOrderID, ActivationCodeID: 77})
	require.NoError(t, err)
	assert.Equal(t, cert.Reveal(), det.CertContentB64.Reveal())
	assert.True(t, code.ExpireAt.Equal(det.ExpireAt))
	assert.Equal(t, srv.Codes(order.AliyunOrderID)[0], det.ActivationCode)
	_, gotCert, ok := srv.Code(order.AliyunOrderID, 77)
	require.True(t, ok)
	assert.Equal(t, cert.Reveal(), gotCert.Reveal())

	// The next code gets the next ID; defaults fill a minimal seed.
	out, err := c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: order.AliyunOrderID, MacAddress: "02:00:00:00:00:02", Name: "n", SystemIdentifier: "43"})
	require.NoError(t, err)
	assert.Equal(t, int64(78), out.ID)
}

func TestSeedDefaults(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := polarlicensetest.NewServer(polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithClock(func() time.Time { return now }),
		polarlicensetest.WithOrders(polarlicense.LicenseOrder{PackageType: polarlicense.PackagePrimaryBackupSubscribe, ActivationCodeQuota: 1}),
	)
	defer srv.Close()
	orders := srv.Orders()
	require.Len(t, orders, 1)
	o := orders[0]
	assert.NotEmpty(t, o.AliyunOrderID)
	assert.Equal(t, o.AliyunOrderID, o.VirtualAliyunOrderID)
	assert.Equal(t, "1 year", o.PackageValidity)
	assert.True(t, now.Equal(o.GmtCreated))

	assert.Panics(t, func() {
		polarlicensetest.NewHandler(polarlicensetest.WithActivationCode("nope", polarlicense.ActivationCode{}, polarlicense.CertContent{}))
	})
}

// TestHandlerMounted uses the http.Handler form under httptest.
func TestHandlerMounted(t *testing.T) {
	h := polarlicensetest.NewHandler(polarlicensetest.WithAccessKey("my-id", "my-secret"))
	ts := httptest.NewServer(h)
	defer ts.Close()
	id, secret, token := h.Credentials()
	assert.Equal(t, "my-id", id)
	assert.Equal(t, "my-secret", secret)
	assert.Empty(t, token)
	c, err := polarlicense.NewClient(polarlicense.WithEndpoint(ts.URL), polarlicense.WithAccessKey(id, secret))
	require.NoError(t, err)
	out, err := c.DescribeLicenseOrderDetails(context.Background(), &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: polarlicensetest.DemoOrderOracle})
	require.NoError(t, err)
	assert.Equal(t, polarlicense.EngineOracle, out.Engine)
	assert.Equal(t, 1, h.RequestCount("DescribeLicenseOrderDetails"))
}

// TestClientRetriesAgainstFaults checks our client's retries against the
// emulator's faults: idempotent calls recover (with their parameters: an RPC
// retry once lost them), CreateActivationCode is never repeated once it may
// have been processed.
func TestClientRetriesAgainstFaults(t *testing.T) {
	for _, a := range algorithms {
		t.Run(a.name, func(t *testing.T) {
			srv := polarlicensetest.NewServer()
			defer srv.Close()
			c := newClient(t, srv, a.alg, polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond}))
			ctx := context.Background()

			for _, k := range []polarlicensetest.FaultKind{polarlicensetest.FaultThrottle, polarlicensetest.FaultInternalError,
				polarlicensetest.FaultServiceUnavailable, polarlicensetest.FaultDrop, polarlicensetest.FaultHTML} {
				srv.ResetRequests()
				srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeLicenseOrderDetails", Kind: k, TimeLeft: time.Millisecond})
				out, err := c.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: polarlicensetest.DemoOrderPG})
				require.NoError(t, err, k)
				assert.Equal(t, polarlicensetest.DemoOrderPG, out.AliyunOrderID)
				assert.Equal(t, 2, srv.RequestCount("DescribeLicenseOrderDetails"), k)
			}

			// A throttled CreateActivationCode was provably not processed: retried.
			srv.ResetRequests()
			before := len(srv.Codes(polarlicensetest.DemoOrderPG))
			srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultThrottle, TimeLeft: time.Millisecond})
			_, err := c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
				AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:00:00:01", Name: "r", SystemIdentifier: "1"})
			require.NoError(t, err)
			assert.Equal(t, 2, srv.RequestCount("CreateActivationCode"))
			assert.Len(t, srv.Codes(polarlicensetest.DemoOrderPG), before+1)

			// A 500 or a lost answer may hide a created code: not retried.
			for _, k := range []polarlicensetest.FaultKind{polarlicensetest.FaultInternalError, polarlicensetest.FaultDropAfter} {
				srv.ResetRequests()
				srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: k})
				_, err = c.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
					AliyunOrderID: polarlicensetest.DemoOrderPG, MacAddress: "00:16:3e:00:00:02", Name: "u", SystemIdentifier: "2"})
				require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome, k)
				assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), k)
			}
		})
	}
}
