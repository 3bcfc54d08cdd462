package polarlicense_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// EnsureActivationCode against the emulator, with injected faults.

const (
	ensureOrder  = "900000000000011"
	ensureMac    = "00:16:3e:1a:2b:01"
	ensureSysID  = "7345118823001548201"
	frozenOrder  = "900000000000012"
	spentOrder   = "900000000000013"
	otherHostMac = "00:16:3e:1a:2b:99"
)

// holdTransport is a transport that stops the first request for action,
// before it is sent or (after) once its answer is in: it closes reached
// and waits for release. Tests use it to put another client's call at an
// exact point of this one's, whatever the scheduling.
type holdTransport struct {
	action           string
	after            bool
	reached, release chan struct{}
	once             sync.Once
}

func (h *holdTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	isAction := r.Header.Get("x-acs-action") == h.action || strings.Contains(r.URL.RawQuery, "Action="+h.action)
	if !isAction && r.GetBody != nil {
		if b, err := r.GetBody(); err == nil {
			raw, _ := io.ReadAll(b)
			isAction = strings.Contains(string(raw), "Action="+h.action)
		}
	}
	stop := func() {
		h.once.Do(func() {
			close(h.reached)
			<-h.release
		})
	}
	if isAction && !h.after {
		stop()
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if isAction && h.after {
		stop()
	}
	return resp, err
}

func ensureServer(t *testing.T, opts ...polarlicensetest.Option) *polarlicensetest.Server {
	t.Helper()
	base := []polarlicensetest.Option{
		polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(
			polarlicense.LicenseOrder{AliyunOrderID: ensureOrder, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackageSingleNodeSubscribe, ActivationCodeQuota: 5},
			polarlicense.LicenseOrder{AliyunOrderID: frozenOrder, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePreGenerationLongTerm,
				ActivationCodeQuota: 5, IsVirtualOrder: true, IsVirtualOrderFrozen: true},
			polarlicense.LicenseOrder{AliyunOrderID: spentOrder, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackageSingleNodeSubscribe, ActivationCodeQuota: 1},
		),
		polarlicensetest.WithActivationCode(spentOrder, polarlicense.ActivationCode{Name: "other", MacAddress: otherHostMac, SystemIdentifier: "1"}, polarlicense.CertContent{}),
	}
	srv := polarlicensetest.NewServer(append(base, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

func ensureReq(order string) *polarlicense.EnsureActivationCodeRequest {
	return &polarlicense.EnsureActivationCodeRequest{AliyunOrderID: order, MacAddress: ensureMac, SystemIdentifier: ensureSysID, Name: "pg-prod-host01", Description: "host01"}
}

// spent is how many units of an order's quota are used.
func spent(t *testing.T, srv *polarlicensetest.Server, order string) int {
	t.Helper()
	o, ok := srv.Order(order)
	require.True(t, ok)
	return o.ActivatedCodeCount
}

func TestEnsureCreatesOnceAndReRunsSpendNothing(t *testing.T) {
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv)
	ctx := context.Background()

	first, err := c.EnsureActivationCode(ctx, ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.True(t, first.Created)
	assert.Equal(t, ensureMac, first.MacAddress)
	assert.Equal(t, ensureSysID, first.SystemIdentifier)
	_, cert, ok := srv.Code(ensureOrder, first.ID)
	require.True(t, ok)
	assert.Equal(t, cert, first.CertContentB64, "the response holds the service's license")
	assert.NotEmpty(t, first.RequestID)

	// A re-run, with the MAC address spelled another way and another name.
	again := ensureReq(ensureOrder)
	again.MacAddress, again.Name = "00-16-3E-1A-2B-01", "renamed"
	second, err := c.EnsureActivationCode(ctx, again)
	require.NoError(t, err)
	assert.False(t, second.Created)
	assert.Equal(t, first.ID, second.ID)
	assert.Equal(t, first.CertContentB64, second.CertContentB64)
	assert.Equal(t, 1, spent(t, srv, ensureOrder), "one unit spent in all")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// A fresh client (a re-run of the pipeline) spends nothing either.
	third, err := newReliabilityClient(t, srv).EnsureActivationCode(ctx, ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.False(t, third.Created)
	assert.Equal(t, first.ID, third.ID)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

func TestEnsureAfterProcessedThenDroppedCreate(t *testing.T) {
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter})

	out, err := c.EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.True(t, out.Created, "the code this call created was found after the answer was lost")
	codes := srv.Codes(ensureOrder)
	require.Len(t, codes, 1, "exactly one code")
	assert.Equal(t, codes[0].ID, out.ID)
	_, cert, _ := srv.Code(ensureOrder, out.ID)
	assert.Equal(t, cert, out.CertContentB64)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "never a second create")
	assert.Zero(t, srv.PendingFaults())

	// The re-run spends nothing.
	again, err := c.EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.Equal(t, out.ID, again.ID)
	assert.Equal(t, 1, spent(t, srv, ensureOrder))
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

func TestEnsureUnresolvedUncertainOutcome(t *testing.T) {
	defer polarlicense.SetEnsureLookDelays(time.Millisecond, time.Millisecond, time.Millisecond)()
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv)
	// The create is dropped unprocessed: no code turns up, so the outcome
	// cannot be told from the service's side.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})

	_, err := c.EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	assert.Contains(t, err.Error(), "3 looks")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	assert.Equal(t, 4, srv.RequestCount("DescribeActivationCodes"), "one look before the create, three after")

	// Soon after, the same client looks again but does not create.
	_, err = c.EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "no second create while the first may still land")
	assert.Empty(t, srv.Codes(ensureOrder))
}

func TestEnsureUncertainLooksStopWithTheContext(t *testing.T) {
	defer polarlicense.SetEnsureLookDelays(time.Hour)()
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.EnsureActivationCode(ctx, ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

func TestEnsureConcurrentCallsCreateOneCode(t *testing.T) {
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv)
	const n = 16
	var wg sync.WaitGroup
	outs := make([]*polarlicense.EnsureActivationCodeResponse, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			req := ensureReq(ensureOrder)
			if i%2 == 1 {
				req.MacAddress = "00-16-3E-1A-2B-01"
			}
			outs[i], errs[i] = c.EnsureActivationCode(context.Background(), req)
		})
	}
	wg.Wait()
	created := 0
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, outs[0].ID, outs[i].ID)
		if outs[i].Created {
			created++
		}
	}
	assert.Equal(t, 1, created)
	assert.Len(t, srv.Codes(ensureOrder), 1)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	assert.Equal(t, 1, spent(t, srv, ensureOrder))
}

func TestEnsureFrozenOrSpentOrderSpendsNothing(t *testing.T) {
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv)

	_, err := c.EnsureActivationCode(context.Background(), ensureReq(frozenOrder))
	require.ErrorIs(t, err, polarlicense.ErrOrderFrozen)
	assert.Contains(t, err.Error(), frozenOrder)
	_, err = c.EnsureActivationCode(context.Background(), ensureReq(spentOrder))
	require.ErrorIs(t, err, polarlicense.ErrQuotaExhausted)
	assert.Contains(t, err.Error(), "1 of 1")
	assert.Zero(t, srv.RequestCount("CreateActivationCode"), "nothing was attempted")
	assert.Equal(t, 1, spent(t, srv, spentOrder))
	assert.Empty(t, srv.Codes(frozenOrder))
}

func TestEnsureFindsExistingCodeEvenWhenOrderCannotIssue(t *testing.T) {
	srv := ensureServer(t, polarlicensetest.WithActivationCode(frozenOrder, polarlicense.ActivationCode{Name: "old", MacAddress: "00-16-3E-1A-2B-01", SystemIdentifier: ensureSysID}, polarlicense.CertContent{}))
	out, err := newReliabilityClient(t, srv).EnsureActivationCode(context.Background(), ensureReq(frozenOrder))
	require.NoError(t, err)
	assert.False(t, out.Created)
	assert.Equal(t, "old", out.Name)
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
	assert.Zero(t, srv.RequestCount("DescribeLicenseOrderDetails"), "an existing code needs no order check")
}

func TestEnsurePicksTheCodeThatExpiresLast(t *testing.T) {
	now := time.Now()
	code := func(id int64, mac, sysID string, expire time.Time) polarlicensetest.Option {
		return polarlicensetest.WithActivationCode(ensureOrder, polarlicense.ActivationCode{
			ID: id, Name: fmt.Sprint("c", id), MacAddress: mac, SystemIdentifier: sysID, ActivateAt: now.AddDate(-2, 0, 0), ExpireAt: expire}, polarlicense.CertContent{})

	}
	srv := ensureServer(t,
		code(1, ensureMac, ensureSysID, now.AddDate(0, 6, 0)),
		code(2, ensureMac, ensureSysID, now.AddDate(2, 0, 0)),  // the pick
		code(3, ensureMac, ensureSysID, now.AddDate(0, 0, -1)), // expired
		code(4, otherHostMac, ensureSysID, now.AddDate(5, 0, 0)),
		code(5, ensureMac, "42", now.AddDate(5, 0, 0)),
		code(6, "00-16-3E-1A-2B-01", ensureSysID, now.AddDate(1, 0, 0)),
	)
	out, err := newReliabilityClient(t, srv).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.False(t, out.Created)
	assert.Equal(t, int64(2), out.ID)
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))

	// Only an expired code: a new one is issued.
	srv2 := ensureServer(t, code(3, ensureMac, ensureSysID, now.AddDate(0, 0, -1)))
	out, err = newReliabilityClient(t, srv2).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.True(t, out.Created)
	assert.NotEqual(t, int64(3), out.ID)
}

func TestEnsureValidatesBeforeSending(t *testing.T) {
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv)
	for field, mutate := range map[string]func(*polarlicense.EnsureActivationCodeRequest){
		"AliyunOrderID": func(r *polarlicense.EnsureActivationCodeRequest) { r.AliyunOrderID = "" },
		"MacAddress":    func(r *polarlicense.EnsureActivationCodeRequest) { r.MacAddress = "00163e1a2b01" },
		"Name":          func(r *polarlicense.EnsureActivationCodeRequest) { r.Name = "no spaces" },
		"Description":   func(r *polarlicense.EnsureActivationCodeRequest) { r.Description = "https://x" },
	} {
		req := ensureReq(ensureOrder)
		mutate(req)
		_, err := c.EnsureActivationCode(context.Background(), req)
		var ve *polarlicense.ValidationError
		require.ErrorAs(t, err, &ve, field)
		assert.Equal(t, field, ve.Field)
		assert.Equal(t, "EnsureActivationCode", ve.Operation)
		assert.Equal(t, err, req.Validate(), "Validate says the same")
	}
	require.NoError(t, ensureReq(ensureOrder).Validate())
	_, err := c.EnsureActivationCode(context.Background(), nil)
	require.ErrorAs(t, err, new(*polarlicense.ValidationError))
	assert.Zero(t, srv.RequestCount(""), "nothing was sent")
}

func TestEnsureResponseNeverShowsTheLicense(t *testing.T) {
	srv := ensureServer(t)
	out, err := newReliabilityClient(t, srv).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.NoError(t, err)
	secret := out.CertContentB64.Reveal()
	require.NotEmpty(t, secret)
	lic, err := out.CertContentB64.Decode()
	require.NoError(t, err)
	for _, v := range []any{out, *out} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
			s := fmt.Sprintf(verb, v)
			assert.NotContains(t, s, secret, verb)
			assert.NotContains(t, s, string(lic[:40]), verb)
		}
	}
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("ensured", "code", out, "value", *out)
		assert.NotContains(t, buf.String(), secret)
		assert.Contains(t, buf.String(), ensureMac, "the record still says which code")
	}
	b, err := json.Marshal(out)
	require.NoError(t, err)
	assert.Contains(t, string(b), secret, "explicit serialisation keeps the data")
}

// Another process spends the last unit between the order check and the
// create: the service's refusal is said to be a spent quota too.
func TestEnsureQuotaSpentBetweenCheckAndCreate(t *testing.T) {
	const order = "900000000000014"
	srv := ensureServer(t, polarlicensetest.WithOrders(polarlicense.LicenseOrder{
		AliyunOrderID: order, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackageSingleNodeSubscribe, ActivationCodeQuota: 1}))
	// This call's create is held before it is sent; meanwhile another
	// client takes the last unit.
	reached, release := make(chan struct{}), make(chan struct{})
	hold := &holdTransport{action: "CreateActivationCode", reached: reached, release: release}
	done := make(chan error, 1)
	go func() {
		_, err := newReliabilityClient(t, srv, polarlicense.WithHTTPClient(&http.Client{Transport: hold})).EnsureActivationCode(context.Background(), ensureReq(order))
		done <- err
	}()
	select {
	case <-reached:
	case <-time.After(10 * time.Second):
		t.Fatal("the ensure never came to its create")
	}
	_, err := newReliabilityClient(t, srv).CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: order, MacAddress: otherHostMac, Name: "other", SystemIdentifier: "1"})
	close(release)
	require.NoError(t, err)

	err = <-done
	require.ErrorIs(t, err, polarlicense.ErrQuotaExhausted)
	var api *polarlicense.APIError
	require.ErrorAs(t, err, &api, "the service's own answer is kept")
	assert.Equal(t, polarlicensetest.CodeQuotaExceeded, api.Code)
	assert.Len(t, srv.Codes(order), 1)
}

// A create whose answer was lost, its code then found, but whose license
// cannot be fetched: the error says the code was created (quota spent) and
// that a re-run spends nothing. It was the bare DescribeActivationCodeDetails
// error, with no word of the code bought.
func TestEnsureCreatedButLicenseNotFetchedSaysSo(t *testing.T) {
	defer polarlicense.SetEnsureLookDelays(time.Millisecond)()
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter})
	srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeActivationCodeDetails", Kind: polarlicensetest.FaultInternalError, Count: 10})

	_, err := c.EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.Error(t, err)
	codes := srv.Codes(ensureOrder)
	require.Len(t, codes, 1)
	require.ErrorIs(t, err, polarlicense.ErrLicenseNotFetched)
	assert.Contains(t, err.Error(), "code "+strconv.FormatInt(codes[0].ID, 10)+" of order "+ensureOrder+" was created (one unit of quota spent)")
	assert.Contains(t, err.Error(), "spends nothing")
	var api *polarlicense.APIError
	require.ErrorAs(t, err, &api, "the fetch's error is kept")
	assert.NotErrorIs(t, err, polarlicense.ErrUncertainOutcome, "the outcome is known: the code exists")

	srv.ClearFaults()
	again, err := c.EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.Equal(t, codes[0].ID, again.ID)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}
