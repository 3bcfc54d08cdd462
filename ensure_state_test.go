package polarlicense_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// EnsureActivationCode with a state directory: coordination across
// clients (each Client stands for a process: they share nothing but the
// directory), the durable hold, Known, renewal and the duplicate check.

// hostRecordPath is where the state directory keeps the test host's record.
func hostRecordPath(state, order, mac, sysID string) string {
	h := sha256.New()
	for _, s := range []string{order, mac, sysID} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return filepath.Join(state, "hosts", hex.EncodeToString(h.Sum(nil))[:32]+".json")
}

// pendingOf reads the host record's pending create, nil if none.
func pendingOf(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var rec struct {
		Pending map[string]any `json:"pending"`
	}
	require.NoError(t, json.Unmarshal(data, &rec))
	return rec.Pending
}

func TestEnsureStateDirTwoClientsAtOnceCreateOneCode(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state", "polarlicense") // made by the first call
	srv := ensureServer(t)
	// The create takes a while, as the real service's may: long enough for
	// the second call to arrive while the first is in flight.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: 500 * time.Millisecond})
	a := newReliabilityClient(t, srv, polarlicense.WithStateDir(state))
	b := newReliabilityClient(t, srv, polarlicense.WithStateDir(state))

	var wg sync.WaitGroup
	var outA, outB *polarlicense.EnsureActivationCodeResponse
	var errA, errB error
	wg.Go(func() { outA, errA = a.EnsureActivationCode(context.Background(), ensureReq(ensureOrder)) })
	// The second starts once the first's create is in flight.
	require.Eventually(t, func() bool { return srv.RequestCount("CreateActivationCode") == 1 }, 5*time.Second, time.Millisecond)
	wg.Go(func() { outB, errB = b.EnsureActivationCode(context.Background(), ensureReq(ensureOrder)) })
	wg.Wait()
	require.NoError(t, errA)
	require.NoError(t, errB)
	assert.Equal(t, outA.ID, outB.ID)
	assert.True(t, outA.Created)
	assert.False(t, outB.Created)
	assert.Empty(t, outA.Duplicates)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	assert.Len(t, srv.Codes(ensureOrder), 1)
	assert.Nil(t, pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)), "the create's outcome is known: no hold")
	fi, err := os.Stat(state)
	require.NoError(t, err)
	assert.Equal(t, polarlicense.StateDirMode, fi.Mode().Perm())
}

func TestEnsureStateDirRecordsTheCreateBeforeSendingIt(t *testing.T) {
	state := t.TempDir()
	srv := ensureServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: 300 * time.Millisecond})
	c := newReliabilityClient(t, srv, polarlicense.WithStateDir(state))
	done := make(chan error, 1)
	go func() {
		_, err := c.EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
		done <- err
	}()
	require.Eventually(t, func() bool { return srv.RequestCount("CreateActivationCode") == 1 }, 5*time.Second, time.Millisecond)
	// The create is in flight: the record is already on disk.
	p := pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID))
	require.NotNil(t, p, "the pending create is recorded before it is sent")
	assert.EqualValues(t, os.Getpid(), p["pid"])
	require.NoError(t, <-done)
	assert.Nil(t, pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)))
}

func TestEnsureStateDirHoldOutlivesTheClient(t *testing.T) {
	defer polarlicense.SetEnsureLookDelays(time.Millisecond)()
	state := t.TempDir()
	srv := ensureServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	_, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	assert.Contains(t, err.Error(), "every process using the state directory")

	// Another "process": it looks, finds nothing, and does not create.
	_, err = newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	assert.Contains(t, err.Error(), "until ")
	assert.Contains(t, err.Error(), "nothing was created")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// Eleven minutes later the hold is over: a call looks, then creates.
	out, err := ensureAfterTheHold(t, srv, state)
	require.NoError(t, err)
	assert.True(t, out.Created)
	assert.Equal(t, 2, srv.RequestCount("CreateActivationCode"))
	assert.Nil(t, pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)))

	// And the host is settled for everyone.
	again, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.Equal(t, out.ID, again.ID)
}

func TestEnsureStateDirHeldCreateThatLandedIsFound(t *testing.T) {
	defer polarlicense.SetEnsureLookDelays(time.Millisecond)()
	state := t.TempDir()
	srv := ensureServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	_, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)

	// The lost create landed after all (made here by hand).
	made, err := newReliabilityClient(t, srv).CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: ensureOrder, MacAddress: ensureMac, SystemIdentifier: ensureSysID, Name: "landed"})
	require.NoError(t, err)
	out, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.Equal(t, made.ID, out.ID)
	assert.True(t, out.Created, "the code of the held create")
	assert.Nil(t, pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)), "resolved")
	assert.Equal(t, 2, srv.RequestCount("CreateActivationCode"), "the dropped one and the one by hand")
}

func TestEnsureStateDirCorruptRecordMeansLookNeverCreate(t *testing.T) {
	state := t.TempDir()
	srv := ensureServer(t)
	path := hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(`{"pending": {"begun_at": `), 0o600))

	_, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	assert.Contains(t, err.Error(), "cannot be trusted")
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
	assert.Equal(t, 1, srv.RequestCount("DescribeActivationCodes"), "it looked")

	// Ten minutes after the record's last change, a call looks and creates,
	// and writes a sound record.
	out, err := ensureAfterTheHold(t, srv, state)
	require.NoError(t, err)
	assert.True(t, out.Created)
	assert.Nil(t, pendingOf(t, path))
}

func TestEnsureStateDirUnusableSendsNothing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	srv := ensureServer(t)
	_, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(file)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	var serr *polarlicense.StateDirError
	require.ErrorAs(t, err, &serr)
	assert.Equal(t, file, serr.Dir)
	assert.Zero(t, srv.RequestCount(""))
}

func TestEnsureKnownListsNothingUnlessItMust(t *testing.T) {
	state := t.TempDir()
	srv := ensureServer(t)
	listedAt := time.Now()
	known := &polarlicense.EnsureKnown{ListedAt: listedAt}
	req := ensureReq(ensureOrder)
	req.Known = known
	c := newReliabilityClient(t, srv, polarlicense.WithStateDir(state))
	out, err := c.EnsureActivationCode(context.Background(), req)
	require.NoError(t, err)
	assert.True(t, out.Created)
	assert.Equal(t, 1, srv.RequestCount("DescribeActivationCodes"), "only the duplicate check after the create")

	// The same stale Known list again: the state directory shows a create
	// after it was taken, so the call lists, and finds the code.
	other := newReliabilityClient(t, srv, polarlicense.WithStateDir(state))
	again, err := other.EnsureActivationCode(context.Background(), req)
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.Equal(t, out.ID, again.ID)
	assert.Equal(t, 2, srv.RequestCount("DescribeActivationCodes"))
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// A fresh list that holds the code: nothing listed, nothing created.
	codes := srv.Codes(ensureOrder)
	fresh := ensureReq(ensureOrder)
	fresh.Known = &polarlicense.EnsureKnown{Codes: codes, ListedAt: time.Now()}
	third, err := other.EnsureActivationCode(context.Background(), fresh)
	require.NoError(t, err)
	assert.Equal(t, out.ID, third.ID)
	assert.Equal(t, 2, srv.RequestCount("DescribeActivationCodes"))
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// Without a state directory, this client's own create makes an older
	// list stale too.
	srv2 := ensureServer(t)
	plain := newReliabilityClient(t, srv2)
	stale := ensureReq(ensureOrder)
	stale.Known = &polarlicense.EnsureKnown{ListedAt: time.Now()}
	first, err := plain.EnsureActivationCode(context.Background(), stale)
	require.NoError(t, err)
	second, err := plain.EnsureActivationCode(context.Background(), stale)
	require.NoError(t, err)
	assert.Equal(t, first.ID, second.ID)
	assert.Equal(t, 1, srv2.RequestCount("CreateActivationCode"))

	// Known.Order stands in for the order check.
	srv3 := ensureServer(t)
	o, _ := srv3.Order(frozenOrder)
	withOrder := ensureReq(frozenOrder)
	withOrder.Known = &polarlicense.EnsureKnown{ListedAt: time.Now(), Order: &o}
	_, err = newReliabilityClient(t, srv3).EnsureActivationCode(context.Background(), withOrder)
	require.ErrorIs(t, err, polarlicense.ErrOrderFrozen)
	assert.Zero(t, srv3.RequestCount(""), "nothing asked: the caller knew it all")

	bad := ensureReq(ensureOrder)
	bad.Known = &polarlicense.EnsureKnown{}
	var verr *polarlicense.ValidationError
	require.ErrorAs(t, bad.Validate(), &verr)
	assert.Equal(t, "Known.ListedAt", verr.Field)
}

func TestEnsureReportsDuplicatesAfterACreate(t *testing.T) {
	srv := ensureServer(t)
	// The ensuring client's transport holds its create's answer until the
	// other machine's create has been made: the other code is then there,
	// whatever the scheduling, when the ensure lists after its create.
	created, proceed := make(chan struct{}), make(chan struct{})
	hold := &holdTransport{action: "CreateActivationCode", after: true, reached: created, release: proceed}
	done := make(chan *polarlicense.EnsureActivationCodeResponse, 1)
	go func() {
		c := newReliabilityClient(t, srv, polarlicense.WithHTTPClient(&http.Client{Transport: hold}))
		out, err := c.EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
		assert.NoError(t, err)
		done <- out
	}()
	select {
	case <-created:
	case <-time.After(10 * time.Second):
		t.Fatal("the ensure never created")
	}
	// Another machine, sharing no state directory, creates meanwhile.
	other, err := newReliabilityClient(t, srv).CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: ensureOrder, MacAddress: ensureMac, SystemIdentifier: ensureSysID, Name: "elsewhere"})
	close(proceed)
	require.NoError(t, err)
	out := <-done
	require.NotNil(t, out)
	assert.True(t, out.Created)
	require.Len(t, out.Duplicates, 1)
	assert.Equal(t, other.ID, out.Duplicates[0].ID)
	assert.NoError(t, out.DuplicatesErr)
	b, err := json.Marshal(out)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"Duplicates":[{`)
}

func TestEnsureRenewWithin(t *testing.T) {
	now := time.Now()
	old := polarlicense.ActivationCode{ID: 1, Name: "old", MacAddress: ensureMac, SystemIdentifier: ensureSysID,
		ActivateAt: now.AddDate(-1, 0, 10), ExpireAt: now.AddDate(0, 0, 10)}
	srv := ensureServer(t, polarlicensetest.WithActivationCode(ensureOrder, old, polarlicense.CertContent{}))
	c := newReliabilityClient(t, srv, polarlicense.WithStateDir(t.TempDir()))
	req := ensureReq(ensureOrder)

	// Not asked to renew: the old code is the host's.
	out, err := c.EnsureActivationCode(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, int64(1), out.ID)
	assert.False(t, out.Created)

	// Expiring in 10 days, renewed within 5: nothing spent.
	req.RenewWithin = 5 * 24 * time.Hour
	out, err = c.EnsureActivationCode(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, int64(1), out.ID)
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))

	// A RenewWithin as long as a code's validity is refused, nothing spent.
	req.RenewWithin = 400 * 24 * time.Hour
	_, err = c.EnsureActivationCode(context.Background(), req)
	var verr *polarlicense.ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "RenewWithin", verr.Field)
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))

	// Within 30 days: one new code, Renewed, the old one not a duplicate.
	req.RenewWithin = 30 * 24 * time.Hour
	out, err = c.EnsureActivationCode(context.Background(), req)
	require.NoError(t, err)
	assert.True(t, out.Created)
	assert.True(t, out.Renewed)
	assert.NotEqual(t, int64(1), out.ID)
	assert.True(t, out.ExpireAt.After(now.AddDate(0, 11, 0)))
	assert.Empty(t, out.Duplicates)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// Again, from another client: the new code is the host's; nothing spent.
	again, err := newReliabilityClient(t, srv).EnsureActivationCode(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, out.ID, again.ID)
	assert.False(t, again.Created)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	require.ErrorAs(t, (&polarlicense.EnsureActivationCodeRequest{AliyunOrderID: "o", MacAddress: ensureMac, Name: "n", RenewWithin: -1}).Validate(), &verr)
}

func TestEnsureRenewalHeldWhileItsCreateIsUnresolved(t *testing.T) {
	defer polarlicense.SetEnsureLookDelays(time.Millisecond)()
	now := time.Now()
	old := polarlicense.ActivationCode{ID: 1, Name: "old", MacAddress: ensureMac, SystemIdentifier: ensureSysID,
		ActivateAt: now.AddDate(-1, 0, 10), ExpireAt: now.AddDate(0, 0, 10)}
	srv := ensureServer(t, polarlicensetest.WithActivationCode(ensureOrder, old, polarlicense.CertContent{}))
	state := t.TempDir()
	req := ensureReq(ensureOrder)
	req.RenewWithin = 30 * 24 * time.Hour
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	_, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), req)
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	// The old code is still there, but it does not resolve the renewal.
	_, err = newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), req)
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	assert.Contains(t, err.Error(), "which the renewal replaces")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// A call that would not renew (a plain ensure, a timer's) gets the old
	// code, still valid, rather than the hold's error; the hold stays.
	plain := ensureReq(ensureOrder)
	out, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), plain)
	require.NoError(t, err)
	assert.Equal(t, int64(1), out.ID)
	assert.False(t, out.Created)
	assert.NotNil(t, pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)), "still held")
	_, err = newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), req)
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// The lost renewal landed after all (made here by hand): the next call
	// finds it, a renewal's code, created by that create.
	made, err := newReliabilityClient(t, srv).CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: ensureOrder, MacAddress: ensureMac, SystemIdentifier: ensureSysID, Name: "landed"})
	require.NoError(t, err)
	landed, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, made.ID, landed.ID)
	assert.True(t, landed.Created)
	assert.True(t, landed.Renewed)
	assert.Nil(t, pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)), "resolved")
}

func TestBadInputNeverSpends(t *testing.T) {
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv, polarlicense.WithStateDir(t.TempDir()))
	for _, tc := range []struct{ field, mac, sysID string }{
		{"SystemIdentifier", ensureMac, "73451188230015482O1"},
		{"SystemIdentifier", ensureMac, "7.3e18"},
		{"SystemIdentifier", ensureMac, "-7345118823001548201"},
		{"SystemIdentifier", ensureMac, "+7345118823001548201"},
		{"SystemIdentifier", ensureMac, "07345118823001548201"},
		{"SystemIdentifier", ensureMac, "18446744073709551616"},
		{"SystemIdentifier", ensureMac, " 7345118823001548201"},
		{"SystemIdentifier", ensureMac, "7_345"},
		{"MacAddress", "00:00:00:00:00:00", ensureSysID},
		{"MacAddress", "FF-FF-FF-FF-FF-FF", ensureSysID},
		{"MacAddress", "01:00:5e:00:00:fb", ensureSysID},
		{"MacAddress", "33:33:00:00:00:01", ensureSysID},
	} {
		req := ensureReq(ensureOrder)
		req.MacAddress, req.SystemIdentifier = tc.mac, tc.sysID
		_, err := c.EnsureActivationCode(context.Background(), req)
		var verr *polarlicense.ValidationError
		require.ErrorAs(t, err, &verr, "%s %s", tc.mac, tc.sysID)
		assert.Equal(t, tc.field, verr.Field)
		_, err = c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
			AliyunOrderID: ensureOrder, MacAddress: tc.mac, SystemIdentifier: tc.sysID, Name: "n"})
		require.ErrorAs(t, err, &verr, "%s %s", tc.mac, tc.sysID)
		assert.Equal(t, tc.field, verr.Field)
		assert.Equal(t, "CreateActivationCode", verr.Operation)
	}
	assert.Zero(t, srv.RequestCount(""), "nothing was sent")
	assert.True(t, polarlicense.ValidSystemIdentifier("18446744073709551615"))
	assert.True(t, polarlicense.UsableMacAddress("00:16:3e:1a:2b:01"))
	assert.False(t, polarlicense.UsableMacAddress("01:16:3e:1a:2b:01"))
	// The letter O is named.
	_, err := c.EnsureActivationCode(context.Background(), &polarlicense.EnsureActivationCodeRequest{
		AliyunOrderID: ensureOrder, MacAddress: ensureMac, SystemIdentifier: "73451188230015482O1", Name: "n"})
	assert.Contains(t, err.Error(), `"O" at position 18 is not a digit`)
	assert.True(t, errors.As(err, new(*polarlicense.ValidationError)))
}

func TestCreateActivationCodeWithStateDirHoldsEnsures(t *testing.T) {
	state := t.TempDir()
	srv := ensureServer(t)
	create := &polarlicense.CreateActivationCodeRequest{AliyunOrderID: ensureOrder, MacAddress: ensureMac, SystemIdentifier: ensureSysID, Name: "by-hand"}
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	_, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).CreateActivationCode(context.Background(), create)
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	require.NotNil(t, pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)), "the unresolved create holds the host")

	_, err = newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// Another create, in any "process", is refused while the hold lasts:
	// it cannot look for the code the first may still make.
	_, err = newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).CreateActivationCode(context.Background(), create)
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	assert.Contains(t, err.Error(), "nothing was sent")
	assert.True(t, strings.HasPrefix(err.Error(), "polarlicense: CreateActivationCode: a create"), err.Error())
	require.ErrorAs(t, err, new(*polarlicense.OperationError), "every error of an operation method is one of the documented types")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// Once the hold is over, a create that succeeds clears the record, and
	// makes older Known lists stale.
	later := func() time.Time { return time.Now().Add(11 * time.Minute) }
	listedAt := time.Now()
	made, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state), polarlicense.WithClock(later)).CreateActivationCode(context.Background(), create)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.RequestCount("CreateActivationCode"))
	assert.Nil(t, pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)))
	req := ensureReq(ensureOrder)
	req.Known = &polarlicense.EnsureKnown{ListedAt: listedAt}
	out, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, made.ID, out.ID)
	assert.False(t, out.Created)

	// Bad input is refused before the state directory is touched.
	_, err = newReliabilityClient(t, srv, polarlicense.WithStateDir(filepath.Join(state, "never"))).CreateActivationCode(context.Background(),
		&polarlicense.CreateActivationCodeRequest{AliyunOrderID: ensureOrder, MacAddress: "00:00:00:00:00:00", Name: "n"})
	require.ErrorAs(t, err, new(*polarlicense.ValidationError))
	assert.NoDirExists(t, filepath.Join(state, "never"))
}

// A CreateActivationCode whose answer was lost, for a host that already has
// a code: that code may be older than the create, so it does not resolve
// the hold. A plain ensure gets it (nothing created, the hold stays); a
// renewal is held, as the lost create may yet land.
func TestCreateActivationCodeHoldNotResolvedByAnOlderCode(t *testing.T) {
	defer polarlicense.SetEnsureLookDelays(time.Millisecond)()
	now := time.Now()
	old := polarlicense.ActivationCode{ID: 1, Name: "old", MacAddress: ensureMac, SystemIdentifier: ensureSysID,
		ActivateAt: now.AddDate(-1, 0, 10), ExpireAt: now.AddDate(0, 0, 10)}
	srv := ensureServer(t, polarlicensetest.WithActivationCode(ensureOrder, old, polarlicense.CertContent{}))
	state := t.TempDir()
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	_, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).CreateActivationCode(context.Background(),
		&polarlicense.CreateActivationCodeRequest{AliyunOrderID: ensureOrder, MacAddress: ensureMac, SystemIdentifier: ensureSysID, Name: "by-hand"})
	require.ErrorIs(t, err, polarlicense.ErrUncertainOutcome)

	out, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.NoError(t, err)
	assert.Equal(t, int64(1), out.ID)
	assert.False(t, out.Created, "the old code is not the lost create's")
	assert.NotNil(t, pendingOf(t, hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)), "still held")

	renew := ensureReq(ensureOrder)
	renew.RenewWithin = 30 * 24 * time.Hour
	_, err = newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), renew)
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	assert.Contains(t, err.Error(), "may be older than that create")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "only the lost create")
}

// A record written by a process whose clock was far ahead (a host booted
// with a wrong date, NTP catching up later) holds the host for the hold
// window from when a call first meets it, not until its own clock's date:
// that create was sent before the record was read, so ten minutes from then
// covers it. It held the host for as long as the clock was ahead (here a
// year), and every run told the operator to wait until then.
func TestEnsureStateDirRecordFromTheFuture(t *testing.T) {
	state := t.TempDir()
	srv := ensureServer(t)
	path := hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	ahead := time.Now().Add(365 * 24 * time.Hour).UTC()
	rec := fmt.Sprintf(`{"aliyun_order_id": %q, "mac_address": %q, "system_identifier": %q,
"pending": {"begun_at": %q, "hold_until": %q, "pid": 4242, "hostname": "skewed"}, "last_create_at": %q}`,
		ensureOrder, ensureMac, ensureSysID, ahead.Format(time.RFC3339Nano), ahead.Add(10*time.Minute).Format(time.RFC3339Nano), ahead.Format(time.RFC3339Nano))
	require.NoError(t, os.WriteFile(path, []byte(rec), 0o600))

	// Met now: it holds (look, never create), for ten minutes from now.
	_, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	assert.NotContains(t, err.Error(), ahead.Format("2006-01-02T15"), "held until the skewed clock's date")
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
	// CreateActivationCode is held too, and does not push the hold on.
	_, err = newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: ensureOrder, MacAddress: ensureMac, SystemIdentifier: ensureSysID, Name: "by-hand"})
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))

	// Eleven minutes later the hold is over: a call looks, then creates.
	out, err := ensureAfterTheHold(t, srv, state)
	require.NoError(t, err)
	assert.True(t, out.Created)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	assert.Nil(t, pendingOf(t, path))
}

// A record that cannot be trusted and whose file was last changed by a
// clock far ahead holds for the window from when a call first meets it.
func TestEnsureStateDirCorruptRecordFromTheFuture(t *testing.T) {
	state := t.TempDir()
	srv := ensureServer(t)
	path := hostRecordPath(state, ensureOrder, ensureMac, ensureSysID)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(`{"pending": {"begun_at": `), 0o600))
	ahead := time.Now().Add(365 * 24 * time.Hour)
	require.NoError(t, os.Chtimes(path, ahead, ahead))

	_, err := newReliabilityClient(t, srv, polarlicense.WithStateDir(state)).EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	require.ErrorIs(t, err, polarlicense.ErrCreateHeld)
	assert.Contains(t, err.Error(), "cannot be trusted")
	assert.NotContains(t, err.Error(), ahead.UTC().Format("2006-01-02T15"))

	out, err := ensureAfterTheHold(t, srv, state)
	require.NoError(t, err)
	assert.True(t, out.Created)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

// A state directory that cannot be used stops a create before anything is
// sent, and the error says so, once prefixed (it read "polarlicense:
// EnsureActivationCode: polarlicense: state directory …", and did not say
// whether anything was spent).
func TestStateDirUnusableSaysNothingWasSent(t *testing.T) {
	state := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(state, "hosts"), nil, 0o600)) // hosts/ cannot be made
	srv := ensureServer(t)
	c := newReliabilityClient(t, srv, polarlicense.WithStateDir(state))
	_, ensureErr := c.EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
	_, createErr := c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: ensureOrder, MacAddress: ensureMac, SystemIdentifier: ensureSysID, Name: "by-hand"})
	for _, err := range []error{ensureErr, createErr} {
		var serr *polarlicense.StateDirError
		require.ErrorAs(t, err, &serr)
		assert.Equal(t, "create", serr.Op)
		assert.Equal(t, 1, strings.Count(err.Error(), "polarlicense: "), err.Error())
		assert.Contains(t, err.Error(), "nothing was sent")
		assert.NotErrorIs(t, err, polarlicense.ErrUncertainOutcome)
	}
	assert.Zero(t, srv.RequestCount(""))
}

// ensureAfterTheHold ensures the host's code through a client whose clock
// is eleven minutes ahead: past any hold a create begun now leaves.
func ensureAfterTheHold(t *testing.T, srv *polarlicensetest.Server, state string) (*polarlicense.EnsureActivationCodeResponse, error) {
	t.Helper()
	later := func() time.Time { return time.Now().Add(11 * time.Minute) }
	return newReliabilityClient(t, srv, polarlicense.WithStateDir(state), polarlicense.WithClock(later)).
		EnsureActivationCode(context.Background(), ensureReq(ensureOrder))
}
