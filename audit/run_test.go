package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/audit"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// The seeded data set, with a known answer at auditNow (2030-06-01 UTC):
//
//	order   quota  codes                                   findings
//	…001    10     11 expired 2030-05-01, 12 expires       code-expired (error), code-expiring (warning)
//	               2030-07-01
//	…002    10     21…29 valid                             quota-high 90% (warning)
//	…003    2      31, 32 valid                            quota-exhausted (warning)
//	…004    10     41…43 valid, frozen virtual order       virtual-order-frozen (info)
//	…005    10     51 valid, ActivatedCodeCount 3          code-count-mismatch (error)
//	…006    5      61 valid                                none
//	…007    5      71, 72 valid, same host                 code-duplicate of 72 (warning)
const (
	orderA = "100000000000001"
	orderB = "100000000000002"
	orderC = "100000000000003"
	orderD = "100000000000004"
	orderE = "100000000000005"
	orderF = "100000000000006"
	orderG = "100000000000007"
)

var (
	auditNow  = time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	farFuture = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
)

func seededOrder(id string, quota int) polarlicense.LicenseOrder {
	return polarlicense.LicenseOrder{AliyunOrderID: id, Engine: polarlicense.EnginePG,
		PackageType: polarlicense.PackageSingleNodeSubscribe, PurchaseChannel: polarlicense.ChannelPublic, ActivationCodeQuota: quota}
}

func seededCode(order string, id int64, expire time.Time) polarlicensetest.Option {
	return polarlicensetest.WithActivationCode(order, polarlicense.ActivationCode{
		ID: id, Name: fmt.Sprintf("node-%d", id), MacAddress: fmt.Sprintf("00:16:3e:00:00:%02d", id),
		SystemIdentifier: strconv.FormatInt(7000000000000000000+id, 10), ExpireAt: expire,
	}, polarlicense.CertContent{})
}

func seeded() []polarlicensetest.Option {
	frozen := seededOrder(orderD, 10)
	frozen.Engine, frozen.PackageType = polarlicense.EngineOracle, polarlicense.PackagePreGenerationLongTerm
	frozen.IsVirtualOrder, frozen.IsVirtualOrderFrozen = true, true
	mismatch := seededOrder(orderE, 10)
	mismatch.ActivatedCodeCount = 3
	host := polarlicense.ActivationCode{Name: "pg-dup", MacAddress: "00:16:3e:00:00:71", SystemIdentifier: "7000000000000000071", ExpireAt: farFuture}
	first, second := host, host
	first.ID, second.ID = 71, 72

	opts := []polarlicensetest.Option{polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(seededOrder(orderA, 10), seededOrder(orderB, 10), seededOrder(orderC, 2), frozen, mismatch,
			seededOrder(orderF, 5), seededOrder(orderG, 5)),
		seededCode(orderA, 11, time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC)),
		seededCode(orderA, 12, time.Date(2030, 7, 1, 0, 0, 0, 0, time.UTC)),
		seededCode(orderC, 31, farFuture), seededCode(orderC, 32, farFuture),
		seededCode(orderD, 41, farFuture), seededCode(orderD, 42, farFuture), seededCode(orderD, 43, farFuture),
		seededCode(orderE, 51, farFuture),
		seededCode(orderF, 61, farFuture),
		polarlicensetest.WithActivationCode(orderG, first, polarlicense.CertContent{}), polarlicensetest.WithActivationCode(orderG, second, polarlicense.CertContent{}),
	}
	for i := range int64(9) {
		opts = append(opts, seededCode(orderB, 21+i, farFuture))
	}
	return opts
}

func newClient(t *testing.T, srv *polarlicensetest.Server, opts ...polarlicense.Option) *polarlicense.Client {
	t.Helper()
	c, err := polarlicense.NewClient(append(srv.ClientOptions(), opts...)...)
	require.NoError(t, err)
	return c
}

func TestRunKnownAnswer(t *testing.T) {
	t.Parallel()
	srv := polarlicensetest.NewServer(seeded()...)
	t.Cleanup(srv.Close)
	rep, err := audit.Run(context.Background(), newClient(t, srv), audit.Policy{Now: auditNow})
	require.NoError(t, err)

	assert.Equal(t, auditNow, rep.CheckedAt)
	assert.Equal(t, audit.Policy{Now: auditNow, ExpiringWithin: 90 * 24 * time.Hour, QuotaWarnPercent: 80, Concurrency: 4}, rep.Policy)
	assert.Equal(t, []audit.Finding{
		{audit.SeverityError, "code-expired", orderA, 11, `code 11 "node-11" (MAC 00:16:3e:00:00:11) expired on 2030-05-01 (31 days ago)`},
		{audit.SeverityError, "code-count-mismatch", orderE, 0, "ActivatedCodeCount is 3 but 1 code is listed"},
		{audit.SeverityWarning, "code-expiring", orderA, 12, `code 12 "node-12" (MAC 00:16:3e:00:00:12) expires on 2030-07-01 (in 30 days)`},
		{audit.SeverityWarning, "quota-high", orderB, 0, "quota 90% used: 9 of 10 codes issued, 1 left"},
		{audit.SeverityWarning, "quota-exhausted", orderC, 0, "quota used up: 2 of 2 codes issued, none left"},
		{audit.SeverityWarning, "code-duplicate", orderG, 72, `code 72 "pg-dup" (MAC 00:16:3e:00:00:71) duplicates code 71: both unexpired, for MAC 00:16:3e:00:00:71 and system identifier 7000000000000000071; quota spent twice`},
		{audit.SeverityInfo, "virtual-order-frozen", orderD, 0, "frozen virtual order: issues no more codes (3 of 10 issued)"},
	}, rep.Findings)

	// The orders and codes are the emulator's, in its listing order.
	require.Len(t, rep.Orders, 7)
	for i, o := range srv.Handler.Orders() {
		got := rep.Orders[i]
		assert.True(t, o.GmtCreated.Equal(got.GmtCreated), o.AliyunOrderID)
		got.GmtCreated, got.GmtModified = o.GmtCreated, o.GmtModified
		assert.Equal(t, o, got.LicenseOrder)
		want := srv.Handler.Codes(o.AliyunOrderID)
		require.Len(t, got.Codes, len(want), o.AliyunOrderID)
		for j := range want {
			assert.Equal(t, want[j].ID, got.Codes[j].ID)
			assert.Equal(t, want[j].MacAddress, got.Codes[j].MacAddress)
			assert.True(t, want[j].ExpireAt.Equal(got.Codes[j].ExpireAt), "%s/%d", o.AliyunOrderID, want[j].ID)
		}
	}
	assert.Equal(t, 20, rep.Codes())
	assert.Equal(t, 2, rep.Count(audit.SeverityError))
	assert.True(t, rep.Reaches(audit.SeverityError))
	assert.Equal(t, rep.Findings, audit.Evaluate(rep.Orders, rep.Policy), "Evaluate of the same data says the same")

	// A Report serialises, severities by name, and reads back.
	rep.Policy.Progress = func(audit.Progress) {}
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"Severity":"error","Check":"code-expired"`)
	var back audit.Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, rep.Findings, back.Findings)
}

func TestRunEmptyAccount(t *testing.T) {
	t.Parallel()
	srv := polarlicensetest.NewServer(polarlicensetest.WithoutDemoData())
	t.Cleanup(srv.Close)
	rep, err := audit.Run(context.Background(), newClient(t, srv), audit.Policy{})
	require.NoError(t, err)
	assert.NotNil(t, rep.Orders)
	assert.Empty(t, rep.Orders)
	assert.NotNil(t, rep.Findings)
	assert.Empty(t, rep.Findings)
	assert.WithinDuration(t, time.Now(), rep.CheckedAt, time.Minute, "a zero Now is the current time")
}

func TestRunFailureNamesTheOrder(t *testing.T) {
	t.Parallel()
	srv := polarlicensetest.NewServer(append(seeded(), polarlicensetest.WithFaults(polarlicensetest.Fault{
		Operation: "DescribeActivationCodes", Kind: polarlicensetest.FaultServiceUnavailable, Count: 1000,
	}))...)
	t.Cleanup(srv.Close)
	rep, err := audit.Run(context.Background(), newClient(t, srv, polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{MaxAttempts: 1})),
		audit.Policy{Now: auditNow, Concurrency: 1})
	require.Error(t, err)
	assert.Nil(t, rep, "no partial report")
	var oe *audit.OrderError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, orderA, oe.AliyunOrderID, "the first order walked, with one at a time")
	assert.Contains(t, err.Error(), "audit: listing the activation codes of order "+orderA+": ")
	var api *polarlicense.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, http.StatusServiceUnavailable, api.StatusCode)
	assert.Equal(t, 1, srv.Handler.RequestCount("DescribeActivationCodes"), "the first failure ends the walk")
}

func TestRunOrdersListingFails(t *testing.T) {
	t.Parallel()
	srv := polarlicensetest.NewServer(append(seeded(), polarlicensetest.WithFaults(polarlicensetest.Fault{
		Operation: "DescribeLicenseOrders", Kind: polarlicensetest.FaultHTML, Status: http.StatusOK, Count: 1000,
	}))...)
	t.Cleanup(srv.Close)
	rep, err := audit.Run(context.Background(), newClient(t, srv), audit.Policy{Now: auditNow})
	require.Error(t, err)
	assert.Nil(t, rep, "an answer it did not understand never passes")
	assert.Contains(t, err.Error(), "audit: listing license orders: ")
	assert.False(t, errors.As(err, new(*audit.OrderError)))
	assert.Zero(t, srv.Handler.RequestCount("DescribeActivationCodes"))
}

func TestRunCancelled(t *testing.T) {
	t.Parallel()
	srv := polarlicensetest.NewServer(seeded()...)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := audit.Run(ctx, newClient(t, srv), audit.Policy{Now: auditNow})
	assert.Nil(t, rep)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRunRefusesBadPolicy(t *testing.T) {
	t.Parallel()
	srv := polarlicensetest.NewServer(seeded()...)
	t.Cleanup(srv.Close)
	c := newClient(t, srv)
	for _, p := range []audit.Policy{{Concurrency: -1}, {QuotaWarnPercent: -1}} {
		rep, err := audit.Run(context.Background(), c, p)
		assert.Nil(t, rep)
		var pe *audit.PolicyError
		require.ErrorAs(t, err, &pe)
		assert.Contains(t, err.Error(), "audit: invalid Policy."+pe.Field+": ")
	}
	assert.Zero(t, srv.Handler.RequestCount(""), "refused before anything was sent")
	_, err := audit.Run(context.Background(), nil, audit.Policy{})
	assert.EqualError(t, err, "audit: Run: nil *polarlicense.Client")
}

// inFlight counts the DescribeActivationCodes calls running at once.
type inFlight struct {
	base      http.RoundTripper
	now, peak atomic.Int32
}

func (f *inFlight) RoundTrip(r *http.Request) (*http.Response, error) {
	n := f.now.Add(1)
	defer f.now.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return f.base.RoundTrip(r)
}

func TestRunConcurrencyIsBounded(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3} {
		srv := polarlicensetest.NewServer(append(seeded(), polarlicensetest.WithFaults(polarlicensetest.Fault{
			Operation: "DescribeActivationCodes", Kind: polarlicensetest.FaultDelay, Delay: 50 * time.Millisecond, Count: 7,
		}))...)
		t.Cleanup(srv.Close)
		f := &inFlight{base: http.DefaultTransport}
		var (
			mu       sync.Mutex
			progress []audit.Progress
		)
		rep, err := audit.Run(context.Background(), newClient(t, srv, polarlicense.WithHTTPClient(&http.Client{Transport: f})),
			audit.Policy{Now: auditNow, Concurrency: n, Progress: func(p audit.Progress) {
				mu.Lock()
				progress = append(progress, p)
				mu.Unlock()
			}})
		require.NoError(t, err)
		assert.Len(t, rep.Orders, 7)
		assert.Equal(t, int32(n), f.peak.Load(), "at most %d at once, and that many with 7 orders", n)
		require.NotEmpty(t, progress)
		assert.Equal(t, audit.Progress{Orders: 7, Listed: true, OrdersWalked: 7}, progress[len(progress)-1])
		assert.Contains(t, progress, audit.Progress{Orders: 7, Listed: true})
	}
}

// doubling serves the emulator's answers with the first item of every list
// page listed twice, as paging does when an item is created mid-walk.
type doubling struct{ h http.Handler }

func (d doubling) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	var page map[string]any
	if json.Unmarshal(body, &page) == nil {
		if items, ok := page["Items"].([]any); ok && len(items) > 0 {
			page["Items"] = append(items, items[0])
			page["TotalRecordCount"] = page["TotalRecordCount"].(float64) + 1
			page["PageRecordCount"] = page["PageRecordCount"].(float64) + 1
			body, _ = json.Marshal(page)
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

func TestRunCountsItemsListedTwiceOnce(t *testing.T) {
	t.Parallel()
	h := polarlicensetest.NewHandler(seeded()...)
	srv := httptest.NewServer(doubling{h})
	t.Cleanup(srv.Close)
	id, secret, _ := h.Credentials()
	c, err := polarlicense.NewClient(polarlicense.WithEndpoint(srv.URL), polarlicense.WithAccessKey(id, secret))
	require.NoError(t, err)
	rep, err := audit.Run(context.Background(), c, audit.Policy{Now: auditNow})
	require.NoError(t, err)
	require.Len(t, rep.Orders, 7, "each order once")
	assert.Equal(t, 20, rep.Codes(), "each code once")
	for _, o := range rep.Orders {
		assert.Len(t, o.Codes, len(h.Codes(o.AliyunOrderID)), o.AliyunOrderID)
	}
	assert.Len(t, rep.Findings, 7, "the known findings, none doubled")

	listed := 0
	for _, err := range c.LicenseOrders(context.Background(), nil) {
		require.NoError(t, err)
		listed++
	}
	assert.Equal(t, 8, listed, "the listing itself holds an order twice")
}

// A 2xx answer carrying an error body is the service's error: Run fails
// with it and returns no Report.
func TestRunFailsOn2xxErrorBody(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"RequestId":"6D3F2A1B-0000-4000-8000-000000000001","Code":"InternalError","Message":"The request processing has failed."}`))
	}))
	t.Cleanup(api.Close)
	c, err := polarlicense.NewClient(polarlicense.WithEndpoint(api.URL), polarlicense.WithAccessKey("LTAI5tEXAMPLE", "secret"),
		polarlicense.WithRetryPolicy(polarlicense.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	rep, err := audit.Run(context.Background(), c, audit.Policy{})
	assert.Nil(t, rep)
	var apiErr *polarlicense.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "InternalError", apiErr.Code)
	assert.Equal(t, http.StatusOK, apiErr.StatusCode)
}

// rewriting serves h, with every answer's body passed through edit: the
// service's answers as the emulator cannot send them.
type rewriting struct {
	h    http.Handler
	edit func([]byte) []byte
}

func (rw rewriting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	rw.h.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	body := rw.edit(rec.Body.Bytes())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// A code whose ExpireAt is missing, null or empty cannot be dated: each is
// a code-expiry-unknown finding, and the audit does not pass.
func TestRunCodeWithoutExpiryIsAFinding(t *testing.T) {
	t.Parallel()
	years := []int{2041, 2042, 2043}
	opts := []polarlicensetest.Option{polarlicensetest.WithoutDemoData(), polarlicensetest.WithOrders(seededOrder(orderF, 5))}
	for i, y := range years {
		opts = append(opts, seededCode(orderF, int64(61+i), time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)))
	}
	h := polarlicensetest.NewHandler(opts...)
	missing := regexp.MustCompile(`"ExpireAt":"2041-[^"]*",?`)
	null := regexp.MustCompile(`"ExpireAt":"2042-[^"]*"`)
	empty := regexp.MustCompile(`"ExpireAt":"2043-[^"]*"`)
	srv := httptest.NewServer(rewriting{h, func(b []byte) []byte {
		b = missing.ReplaceAll(b, nil)
		b = null.ReplaceAll(b, []byte(`"ExpireAt":null`))
		return empty.ReplaceAll(b, []byte(`"ExpireAt":""`))
	}})
	t.Cleanup(srv.Close)
	id, secret, _ := h.Credentials()
	c, err := polarlicense.NewClient(polarlicense.WithEndpoint(srv.URL), polarlicense.WithAccessKey(id, secret))
	require.NoError(t, err)
	rep, err := audit.Run(context.Background(), c, audit.Policy{Now: auditNow})
	require.NoError(t, err)
	require.Len(t, rep.Orders, 1)
	require.Len(t, rep.Orders[0].Codes, 3)
	for _, code := range rep.Orders[0].Codes {
		assert.True(t, code.ExpireAt.IsZero(), "code %d: the SDK decodes a missing, null or empty ExpireAt as the zero time", code.ID)
	}
	var got []string
	for _, f := range rep.Findings {
		assert.Equal(t, audit.SeverityWarning, f.Severity)
		got = append(got, f.Check+" "+strconv.FormatInt(f.ActivationCodeID, 10))
	}
	assert.Equal(t, []string{"code-expiry-unknown 61", "code-expiry-unknown 62", "code-expiry-unknown 63"}, got)
	assert.True(t, rep.Reaches(audit.SeverityWarning), "no pass")

	// An ExpireAt that is not a time at all fails the walk: no Report.
	srv2 := httptest.NewServer(rewriting{h, func(b []byte) []byte {
		return regexp.MustCompile(`"ExpireAt":"[^"]*"`).ReplaceAll(b, []byte(`"ExpireAt":"soon"`))
	}})
	t.Cleanup(srv2.Close)
	c, err = polarlicense.NewClient(polarlicense.WithEndpoint(srv2.URL), polarlicense.WithAccessKey(id, secret))
	require.NoError(t, err)
	rep, err = audit.Run(context.Background(), c, audit.Policy{Now: auditNow})
	assert.Nil(t, rep)
	var dec *polarlicense.DecodeError
	assert.ErrorAs(t, err, &dec)
}

// A panic while listing an order's codes (here in a hook) ends the audit
// with an error, not the process.
func TestRunRecoversAPanic(t *testing.T) {
	t.Parallel()
	srv := polarlicensetest.NewServer(seeded()...)
	t.Cleanup(srv.Close)
	c := newClient(t, srv, polarlicense.WithAttemptHook(func(_ context.Context, info polarlicense.AttemptInfo) {
		if info.Operation == "DescribeActivationCodes" {
			panic("hook failed")
		}
	}))
	rep, err := audit.Run(context.Background(), c, audit.Policy{Now: auditNow})
	assert.Nil(t, rep)
	var oe *audit.OrderError
	require.ErrorAs(t, err, &oe)
	assert.Contains(t, err.Error(), "panic: hook failed")
}
