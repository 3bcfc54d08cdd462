package fleet_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/fleet"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// A new fleet: the plan costs two calls per order, the apply one create and
// one duplicate check per node and one order read per order; a licensed
// fleet's plan one license per node, and its apply nothing more.
func TestApplyNewFleetAtTheMinimumOfCalls(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir,
		cluster("a", orderA, filepath.Join(dir, "a"), 1, 4, ""),
		cluster("b", orderB, filepath.Join(dir, "b"), 5, 3, ""))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "a"), 0o755))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "b"), 0o755))
	client := newClient(t, srv)

	plan, err := fleet.NewPlan(ctx, client, inv, nil)
	require.NoError(t, err)
	assert.Equal(t, 4, srv.RequestCount(""), "per order: its details and one page of codes")
	assert.Equal(t, 2, srv.RequestCount("DescribeLicenseOrderDetails"))
	for _, s := range states(plan) {
		assert.Equal(t, fleet.ToIssue, s)
	}
	require.Len(t, plan.Orders, 2)
	assert.Equal(t, orderA, plan.Orders[0].Order.AliyunOrderID)
	assert.Equal(t, 4, plan.Orders[0].ToIssue)
	assert.Equal(t, 3, plan.Orders[1].ToIssue)
	assert.Empty(t, plan.Refusals)

	srv.ResetRequests()
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	assert.Equal(t, 7, srv.RequestCount("CreateActivationCode"))
	assert.Equal(t, 7, srv.RequestCount("DescribeActivationCodes"), "the post-create duplicate check, nothing else")
	assert.Equal(t, 2, srv.RequestCount("DescribeLicenseOrderDetails"), "each order read once after the creates")
	assert.Equal(t, 16, srv.RequestCount(""))
	require.Len(t, rep.Nodes, 7)
	for i, r := range rep.Nodes {
		assert.Equal(t, "n"+strconv.Itoa(i+1), r.Name, "inventory order")
		assert.Equal(t, fleet.Licensed, r.State, r.Name)
		assert.Equal(t, fleet.ToIssue, r.Planned)
		assert.True(t, r.Created && r.Written, r.Name)
		assert.Empty(t, r.Duplicates)
		require.NotNil(t, r.Code)
		got, err := os.ReadFile(r.Path)
		require.NoError(t, err)
		assert.Equal(t, license(t, srv, r.AliyunOrderID, r.Code.ID), got)
	}
	assert.Equal(t, filepath.Join(dir, "a", "2", "license.lic"), rep.Nodes[1].Path)
	require.Len(t, rep.Orders, 2)
	assert.Equal(t, 4, rep.Orders[0].Order.ActivatedCodeCount, "the numbers after the run")
	assert.Equal(t, 3, rep.Orders[1].Order.ActivatedCodeCount)
	assert.Zero(t, rep.Orders[0].ToIssue)

	// The licensed fleet: one license per node, then nothing.
	srv.ResetRequests()
	plan, err = fleet.NewPlan(ctx, client, inv, nil)
	require.NoError(t, err)
	assert.Equal(t, 7, srv.RequestCount("DescribeActivationCodeDetails"))
	assert.Equal(t, 4+7, srv.RequestCount(""))
	for _, s := range states(plan) {
		assert.Equal(t, fleet.Licensed, s)
	}
	assert.Zero(t, plan.Orders[0].ToIssue)
	srv.ResetRequests()
	rep, err = plan.Apply(ctx)
	require.NoError(t, err)
	assert.Zero(t, srv.RequestCount(""), "nothing to do, nothing sent")
	for _, r := range rep.Nodes {
		assert.Equal(t, fleet.Licensed, r.State)
		assert.False(t, r.Created || r.Written)
	}
}

// Each state the plan shows, and what apply does with it.
func TestPlanStatesPredictTheApply(t *testing.T) {
	now := time.Now()
	code := func(i int, expire time.Time) polarlicensetest.Option {
		return polarlicensetest.WithActivationCode(orderA, polarlicense.ActivationCode{
			Name: "seed" + strconv.Itoa(i), MacAddress: mac(i), SystemIdentifier: sysID(i), ActivateAt: expire.AddDate(-1, 0, 0), ExpireAt: expire}, polarlicense.CertContent{})
	}
	far, soon := now.AddDate(2, 0, 0), now.Add(30*day)
	srv := newServer(t,
		code(1, far),                             // 1 licensed
		code(2, soon),                            // 2 expiring
		code(3, now.Add(-10*day)),                // 3 expired (file holds it)
		code(5, far),                             // 5 file-missing
		code(6, now.Add(-400*day)), code(6, far), // 6 file-outdated
		code(7, far), // 7 file-foreign
		polarlicensetest.WithActivationCode(orderB, polarlicense.ActivationCode{
			Name: "seed8", MacAddress: mac(8), SystemIdentifier: sysID(8), ActivateAt: soon.AddDate(-1, 0, 0), ExpireAt: soon}, polarlicense.CertContent{}), // 8 to-renew
	)
	dir := t.TempDir()
	lic := filepath.Join(dir, "lic")
	inv := writeInventory(t, dir,
		cluster("a", orderA, lic, 1, 7, ""),
		cluster("b", orderB, filepath.Join(dir, "b"), 8, 1, "    renew_within: 60d\n"),
		cluster("c", orderB, filepath.Join(dir, "nowhere"), 9, 1, ""))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "b"), 0o755))
	codes := srv.Codes(orderA)
	byName := map[string]polarlicense.ActivationCode{}
	for _, c := range codes {
		byName[c.Name] = c
	}
	put := func(node int, data []byte) {
		p := filepath.Join(lic, strconv.Itoa(node), "license.lic")
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o600))
	}
	put(1, license(t, srv, orderA, byName["seed1"].ID))
	put(2, license(t, srv, orderA, byName["seed2"].ID))
	put(3, license(t, srv, orderA, byName["seed3"].ID))
	put(6, license(t, srv, orderA, codes[4].ID)) // the older of node 6's codes
	put(7, []byte("not a license"))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "b", "1"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b", "1", "license.lic"), license(t, srv, orderB, srv.Codes(orderB)[0].ID), 0o600))

	client := newClient(t, srv)
	plan, err := fleet.NewPlan(ctx, client, inv, nil)
	require.NoError(t, err)
	assert.Equal(t, []fleet.State{fleet.Licensed, fleet.Expiring, fleet.Expired, fleet.ToIssue, fleet.FileMissing,
		fleet.FileOutdated, fleet.FileForeign, fleet.ToRenew, fleet.DirMissing}, states(plan))
	n := plan.Nodes
	// The notes give a code's date as the service does, in China Standard
	// Time (the emulator's zone too): compared in the machine's zone, they
	// differ from 16:00 to 24:00 UTC.
	cst := time.FixedZone("CST", 8*60*60)
	assert.Contains(t, n[1].Note, "expires "+soon.In(cst).Format(time.DateOnly))
	require.NotNil(t, n[2].Code, "an expired node shows its code")
	assert.Equal(t, byName["seed3"].ID, n[2].Code.ID)
	assert.Contains(t, n[2].Note, "expired "+now.Add(-10*day).In(cst).Format(time.DateOnly))
	assert.Nil(t, n[3].Code)
	assert.Contains(t, n[7].Note, "within renew_within 60d")
	assert.Contains(t, n[8].Note, "license_dir "+filepath.Join(dir, "nowhere")+" does not exist")
	assert.Equal(t, []bool{false, false, true, true, false, false, false, true, true},
		[]bool{n[0].Create, n[1].Create, n[2].Create, n[3].Create, n[4].Create, n[5].Create, n[6].Create, n[7].Create, n[8].Create})
	assert.Equal(t, 2, plan.Orders[0].ToIssue, "expired and to-issue")
	assert.Equal(t, 1, plan.Orders[1].ToIssue, "to-renew; not the node whose directory is missing")

	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	r := rep.Nodes
	var got []fleet.State
	for i := range r {
		got = append(got, r[i].State)
	}
	assert.Equal(t, []fleet.State{fleet.Licensed, fleet.Expiring, fleet.Licensed, fleet.Licensed, fleet.Licensed,
		fleet.Licensed, fleet.Failed, fleet.Licensed, fleet.Failed}, got)
	assert.False(t, r[0].Written || r[1].Written)
	assert.True(t, r[7].Renewed, "to-renew renews")
	assert.True(t, r[2].Created && r[3].Created && r[7].Created, "%v", r[7].Err)
	assert.False(t, r[4].Created || r[5].Created, "file-missing and file-outdated are written from the existing code")
	assert.True(t, r[4].Written && r[5].Written)
	assert.ErrorIs(t, r[6].Err, fleet.ErrForeignFile)
	assert.ErrorIs(t, r[8].Err, fleet.ErrDirMissing)
	assert.Contains(t, r[8].Err.Error(), filepath.Join(dir, "nowhere"))
	data, err := os.ReadFile(r[6].Path)
	require.NoError(t, err)
	assert.Equal(t, "not a license", string(data), "a foreign file is left alone")
	data, err = os.ReadFile(r[5].Path)
	require.NoError(t, err)
	assert.Equal(t, license(t, srv, orderA, r[5].Code.ID), data, "the outdated file replaced")

	// --force replaces the foreign file, and spends nothing for it.
	plan, err = fleet.NewPlan(ctx, client, inv, &fleet.Options{Force: true})
	require.NoError(t, err)
	assert.Equal(t, fleet.FileForeign, plan.Nodes[6].State)
	before := srv.RequestCount("CreateActivationCode")
	rep, err = plan.Apply(ctx)
	require.NoError(t, err)
	assert.Equal(t, fleet.Licensed, rep.Nodes[6].State)
	assert.False(t, rep.Nodes[6].Created)
	assert.Equal(t, before, srv.RequestCount("CreateActivationCode"))
	data, err = os.ReadFile(r[6].Path)
	require.NoError(t, err)
	assert.Equal(t, license(t, srv, orderA, byName["seed7"].ID), data)
}

// An order the plan cannot read names its cluster and line.
func TestPlanOrderErrorNamesClusterAndLine(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir,
		cluster("a", orderA, dir, 1, 1, ""),
		cluster("b", "900000000000999", dir+"/b", 2, 1, ""))
	_, err := fleet.NewPlan(ctx, newClient(t, srv), inv, nil)
	var oe *fleet.OrderError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "b", oe.Cluster)
	assert.Equal(t, 9, oe.Line)
	assert.Contains(t, err.Error(), `fleet.yaml:9: cluster "b": order 900000000000999: `)
	var api *polarlicense.APIError
	assert.ErrorAs(t, err, &api)
}

// A plan that needs more than an order can issue says so; its apply does
// nothing.
func TestApplyRefusesToStart(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "f"), 0o755))
	inv := writeInventory(t, dir, cluster("a", orderA, dir, 1, 11, ""), cluster("f", frozen, dir+"/f", 20, 1, ""))
	plan, err := fleet.NewPlan(ctx, newClient(t, srv), inv, nil)
	require.NoError(t, err)
	require.Len(t, plan.Refusals, 2)
	assert.Contains(t, plan.Refusals[0], "order "+orderA+` (cluster "a", line 2) must issue 11 codes but has 10 left`)
	assert.Contains(t, plan.Refusals[1], "is a frozen virtual order")
	srv.ResetRequests()
	rep, err := plan.Apply(ctx)
	assert.Nil(t, rep)
	var re *fleet.RefusedError
	require.ErrorAs(t, err, &re)
	assert.Len(t, re.Reasons, 2)
	assert.Zero(t, srv.RequestCount(""))
	assert.NoDirExists(t, filepath.Join(dir, "1"))
}

// An interrupted apply: the nodes never started are not-started.
func TestApplyInterrupted(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, cluster("a", orderA, dir, 1, 4, ""))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plan, err := fleet.NewPlan(ctx, newClient(t, srv), inv, &fleet.Options{Concurrency: 1, Progress: func(stage string, done, _ int) {
		if stage == "apply" && done == 1 {
			cancel()
		}
	}})
	require.NoError(t, err)
	rep, err := plan.Apply(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, rep)
	assert.Equal(t, fleet.Licensed, rep.Nodes[0].State)
	for _, r := range rep.Nodes[1:] {
		assert.Equal(t, fleet.NotStarted, r.State, r.Name)
		assert.False(t, r.Created)
	}
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	assert.Equal(t, 3, rep.Orders[0].ToIssue, "three nodes still need a code")
	assert.Equal(t, 1, rep.Orders[0].Order.ActivatedCodeCount)
}

// Apply creates <license_dir>/<i>/, gives the file the cluster's owner,
// mode 0600, and records it in the state directory.
func TestApplyOwnerAndStateDir(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	state := filepath.Join(t.TempDir(), "state")
	owner := strconv.Itoa(os.Getuid()) + ":" + strconv.Itoa(os.Getgid())
	inv := writeInventory(t, dir, cluster("a", orderA, dir, 1, 2, "    owner: \""+owner+"\"\n"))
	require.NotNil(t, inv.Nodes[0].Owner)
	client := newClient(t, srv, polarlicense.WithStateDir(state))
	plan, err := fleet.NewPlan(ctx, client, inv, &fleet.Options{StateDir: state})
	require.NoError(t, err)
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	for _, r := range rep.Nodes {
		require.Equal(t, fleet.Licensed, r.State, "%v", r.Err)
		fi, err := os.Stat(r.Path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		data, err := os.ReadFile(r.Path)
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		rec, err := polarlicense.LookupLicenseRecord(state, hex.EncodeToString(sum[:]))
		require.NoError(t, err)
		assert.Equal(t, r.Code.ID, rec.ActivationCodeID)
		assert.Equal(t, orderA, rec.AliyunOrderID)
	}

	// A file the state directory recorded as an older license of the host
	// is outdated without a call comparing it.
	old := []byte("an older license of node 1")
	sum := sha256.Sum256(old)
	require.NoError(t, polarlicense.RecordLicenseFile(state, &polarlicense.LicenseRecord{Path: rep.Nodes[0].Path, SHA256: hex.EncodeToString(sum[:]),
		AliyunOrderID: orderA, ActivationCodeID: 1, MacAddress: mac(1), SystemIdentifier: sysID(1)}))
	require.NoError(t, os.WriteFile(rep.Nodes[0].Path, old, 0o600))
	srv.ResetRequests()
	plan, err = fleet.NewPlan(ctx, client, inv, &fleet.Options{StateDir: state})
	require.NoError(t, err)
	assert.Equal(t, fleet.FileOutdated, plan.Nodes[0].State)
	assert.Equal(t, 2, srv.RequestCount("DescribeActivationCodeDetails"), "one per node, none to compare the old file")
}

// A code created elsewhere between plan and apply is a duplicate, reported.
func TestApplyReportsDuplicates(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, cluster("a", orderA, dir, 1, 2, ""))
	client := newClient(t, srv)
	plan, err := fleet.NewPlan(ctx, client, inv, nil)
	require.NoError(t, err)
	other, err := client.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: orderA, MacAddress: mac(1), SystemIdentifier: sysID(1), Name: "elsewhere"})
	require.NoError(t, err)
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	require.Len(t, rep.Nodes[0].Duplicates, 1)
	assert.Equal(t, other.ID, rep.Nodes[0].Duplicates[0].ID)
	assert.False(t, rep.Nodes[0].Done())
	assert.Empty(t, rep.Nodes[1].Duplicates)
	assert.True(t, rep.Nodes[1].Done())
}

var _ = bytes.Equal
var _ = errors.Is

// A node whose file apply writes with a code expiring soon ends expiring,
// as the next plan will show it, not licensed.
func TestApplyWrittenExpiringCodeIsExpiring(t *testing.T) {
	soon := time.Now().Add(30 * day)
	srv := newServer(t, polarlicensetest.WithActivationCode(orderA, polarlicense.ActivationCode{
		Name: "seed1", MacAddress: mac(1), SystemIdentifier: sysID(1), ActivateAt: soon.AddDate(-1, 0, 0), ExpireAt: soon}, polarlicense.CertContent{}))
	dir := t.TempDir()
	inv := writeInventory(t, dir, cluster("a", orderA, dir, 1, 2, ""))
	client := newClient(t, srv)
	plan, err := fleet.NewPlan(ctx, client, inv, nil)
	require.NoError(t, err)
	assert.Equal(t, []fleet.State{fleet.FileMissing, fleet.ToIssue}, states(plan))
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	assert.Equal(t, fleet.Expiring, rep.Nodes[0].State, "written, its code expiring in 30 days")
	assert.True(t, rep.Nodes[0].Written && rep.Nodes[0].Done())
	assert.Equal(t, fleet.Licensed, rep.Nodes[1].State, "a new code")

	plan, err = fleet.NewPlan(ctx, client, inv, nil)
	require.NoError(t, err)
	assert.Equal(t, []fleet.State{fleet.Expiring, fleet.Licensed}, states(plan), "the next plan agrees")
}

// The plan fetches a code's license only to compare it with a file or to
// write it: not for a node to renew whose file is missing, nor under a
// license_dir that does not exist, which Apply fails as planned, even once
// the directory has appeared (plan again).
func TestPlanFetchesOnlyLicensesItComparesOrWrites(t *testing.T) {
	far, soon := time.Now().AddDate(2, 0, 0), time.Now().Add(20*day)
	seed := func(i int, expire time.Time) polarlicensetest.Option {
		return polarlicensetest.WithActivationCode(orderA, polarlicense.ActivationCode{
			Name: "seed" + strconv.Itoa(i), MacAddress: mac(i), SystemIdentifier: sysID(i), ActivateAt: expire.AddDate(-1, 0, 0), ExpireAt: expire}, polarlicense.CertContent{})
	}
	srv := newServer(t, seed(1, soon), seed(2, far))
	dir := t.TempDir()
	missing := filepath.Join(dir, "later")
	inv := writeInventory(t, dir,
		cluster("a", orderA, filepath.Join(dir, "a"), 1, 1, "    renew_within: 30d\n"),
		cluster("b", orderA, missing, 2, 1, ""))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "a"), 0o755))
	client := newClient(t, srv)
	plan, err := fleet.NewPlan(ctx, client, inv, nil)
	require.NoError(t, err)
	assert.Equal(t, []fleet.State{fleet.ToRenew, fleet.DirMissing}, states(plan))
	assert.Zero(t, srv.RequestCount("DescribeActivationCodeDetails"), "no license to compare or write")
	assert.Equal(t, 2, srv.RequestCount(""))

	require.NoError(t, os.Mkdir(missing, 0o755))
	srv.ResetRequests()
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	assert.True(t, rep.Nodes[0].Renewed && rep.Nodes[0].Written, "%v", rep.Nodes[0].Err)
	assert.Equal(t, fleet.Failed, rep.Nodes[1].State, "as planned")
	assert.ErrorIs(t, rep.Nodes[1].Err, fleet.ErrDirMissing)
	assert.ErrorContains(t, rep.Nodes[1].Err, "license_dir "+missing+" does not exist (when planned)")
	assert.False(t, rep.Nodes[1].Created || rep.Nodes[1].Written)
	assert.Zero(t, srv.RequestCount("DescribeActivationCodeDetails"))
	assert.NoFileExists(t, rep.Nodes[1].Path)

	plan, err = fleet.NewPlan(ctx, client, inv, nil)
	require.NoError(t, err)
	assert.Equal(t, fleet.FileMissing, plan.Nodes[1].State, "planned again")
	rep, err = plan.Apply(ctx)
	require.NoError(t, err)
	require.Equal(t, fleet.Licensed, rep.Nodes[1].State, "%v", rep.Nodes[1].Err)
	got, err := os.ReadFile(rep.Nodes[1].Path)
	require.NoError(t, err)
	assert.Equal(t, license(t, srv, orderA, plan.Nodes[1].Code.ID), got)
}

// A license written but not recorded in the state directory is written all
// the same: the node is licensed, and RecordErr says what was not kept.
func TestApplyWrittenButNotRecorded(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, cluster("a", orderA, dir, 1, 2, ""))
	client := newClient(t, srv)
	plan, err := fleet.NewPlan(ctx, client, inv, nil)
	require.NoError(t, err)
	_, err = plan.Apply(ctx)
	require.NoError(t, err)

	// The files lost, and the state directory unable to keep a record:
	// where its records go is a regular file.
	state := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(state, "licenses"), nil, 0o600))
	for _, n := range inv.Nodes {
		require.NoError(t, os.Remove(n.Path))
	}
	plan, err = fleet.NewPlan(ctx, client, inv, &fleet.Options{StateDir: state})
	require.NoError(t, err)
	require.Equal(t, []fleet.State{fleet.FileMissing, fleet.FileMissing}, states(plan))
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	for _, r := range rep.Nodes {
		assert.Equal(t, fleet.Licensed, r.State, "%v", r.Err)
		assert.True(t, r.Written)
		assert.NoError(t, r.Err)
		var sde *polarlicense.StateDirError
		assert.ErrorAs(t, r.RecordErr, &sde)
		data, err := os.ReadFile(r.Path)
		require.NoError(t, err)
		assert.Equal(t, license(t, srv, orderA, r.Code.ID), data)
	}
}

// The command an UnwrittenError gives finishes the job as Apply would have:
// over the file there (--force), with the cluster's owner, quoted.
func TestUnwrittenErrorCommand(t *testing.T) {
	e := &fleet.UnwrittenError{AliyunOrderID: orderA, ActivationCodeID: 7, Created: true, Path: "/srv/lic dir/it's.lic", Err: os.ErrPermission}
	assert.Equal(t, "polarlicense license write "+orderA+" 7 --out '/srv/lic dir/it'\\''s.lic'", e.Command())
	assert.Contains(t, e.Error(), "activation code 7 was created for this host, but its license was not written: permission denied; finish with: "+e.Command())
	e.Path, e.Overwrite, e.OwnerSpec = "/srv/1/license.lic", true, "postgres:postgres"
	assert.Equal(t, "polarlicense license write "+orderA+" 7 --out /srv/1/license.lic --force --owner postgres:postgres", e.Command())
	assert.ErrorIs(t, e, os.ErrPermission)
}

// A node whose database was re-initialised: the inventory now gives its new
// system identifier, and its file still holds the old code's license. The
// plan's note says whose license it is (from the state directory's record)
// rather than "something other than a license of this host".
func TestPlanNamesTheOldIdentityOfAFile(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	dir := t.TempDir()
	state := t.TempDir()
	lic := filepath.Join(dir, "lic")
	require.NoError(t, os.MkdirAll(lic, 0o755))
	client := newClient(t, srv, polarlicense.WithStateDir(state))
	plan, err := fleet.NewPlan(ctx, client, writeInventory(t, dir, cluster("a", orderA, lic, 1, 1, "")), &fleet.Options{StateDir: state})
	require.NoError(t, err)
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	require.True(t, rep.Nodes[0].Done(), "%v", rep.Nodes[0].Err)
	old := rep.Nodes[0].Code.ID

	reinit := strings.Replace(cluster("a", orderA, lic, 1, 1, ""), sysID(1), sysID(99), 1)
	plan, err = fleet.NewPlan(ctx, client, writeInventory(t, dir, reinit), &fleet.Options{StateDir: state})
	require.NoError(t, err)
	n := plan.Nodes[0]
	assert.Equal(t, fleet.FileForeign, n.State)
	assert.Contains(t, n.Note, "the license of activation code "+strconv.FormatInt(old, 10))
	assert.Contains(t, n.Note, "re-initialised")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

// A node whose code was created but whose license could not be fetched
// counts as created (quota was spent): its result says so, and the order is
// read again after the run.
func TestApplyCreatedButLicenseNotFetched(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	dir := t.TempDir()
	lic := filepath.Join(dir, "lic")
	require.NoError(t, os.MkdirAll(lic, 0o755))
	client := newClient(t, srv, polarlicense.WithStateDir(t.TempDir()))
	plan, err := fleet.NewPlan(ctx, client, writeInventory(t, dir, cluster("a", orderA, lic, 1, 1, "")), nil)
	require.NoError(t, err)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter},
		polarlicensetest.Fault{Operation: "DescribeActivationCodeDetails", Kind: polarlicensetest.FaultInternalError, Count: 10})
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	r := rep.Nodes[0]
	assert.Equal(t, fleet.Failed, r.State)
	require.ErrorIs(t, r.Err, polarlicense.ErrLicenseNotFetched)
	assert.True(t, r.Created, "quota was spent for it")
	assert.Equal(t, 1, rep.Orders[0].Order.ActivatedCodeCount, "the order as the run left it")
}
