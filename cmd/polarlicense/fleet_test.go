package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// writeInventory writes a fleet.yaml and returns its path.
func writeInventory(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, "fleet.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// threeNodes is a cluster of three nodes in order, its files under dir.
func threeNodes(order, dir string) string {
	return fmt.Sprintf(`clusters:
  - name: pg-prod                      # letters, digits, _ and -
    order: "%s"
    license_dir: %s
    nodes:
      - name: host01
        mac: 00:16:3e:1a:2b:01
        system_identifier: "7345118823001548201"
      - name: host02
        mac: 00-16-3E-1A-2B-02
        system_identifier: "7345118823001548202"
      - name: host03
        mac: 00:16:3e:1a:2b:03
        system_identifier: 7345118823001548203
        code_name: pg-prod-third
`, order, dir)
}

// stateDirs are the tests' state directories, one per test.
var stateDirs sync.Map

// testStateDir is the test's state directory, the same for all its runs.
func testStateDir(t *testing.T) string {
	if d, ok := stateDirs.Load(t); ok {
		return d.(string)
	}
	d := t.TempDir()
	stateDirs.Store(t, d)
	return d
}

// runFleetJSON runs a fleet command with -o json.
func runFleetJSON(t *testing.T, srv *polarlicensetest.Server, args ...string) ([]fleetRecord, result) {
	t.Helper()
	r := runAt(t, srv, append(args, "-o", "json")...)
	require.NotEmpty(t, r.stdout, "stderr: %s", r.stderr)
	return decodeJSON[[]fleetRecord](t, r.stdout), r
}

// fleetRun runs a fleet command with the test's state directory and -o json.
func fleetRun(t *testing.T, srv *polarlicensetest.Server, args ...string) ([]fleetRecord, result) {
	t.Helper()
	r := runAt(t, srv, append(args, "--state-dir", testStateDir(t), "-o", "json")...)
	require.NotEmpty(t, r.stdout, "stderr: %s", r.stderr)
	return decodeJSON[[]fleetRecord](t, r.stdout), r
}

func TestFleetApplyTwiceOverThreeNodes(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, filepath.Join(dir, "license")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "license"), 0o755))

	plan, r := fleetRun(t, srv, "fleet", "plan", "-f", inv)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Len(t, plan, 3)
	for _, p := range plan {
		assert.Equal(t, stateToIssue, p.State, p.Node)
		assert.Nil(t, p.ActivationCodeID)
	}
	assert.Equal(t, "pg-prod-host01", plan[0].CodeName)
	assert.Equal(t, "pg-prod-third", plan[2].CodeName)
	assert.Equal(t, "00:16:3e:1a:2b:02", plan[1].MacAddress, "normalised")
	assert.Equal(t, "7345118823001548203", plan[2].SystemIdentifier, "an unquoted number keeps its digits")
	assert.Equal(t, filepath.Join(dir, "license", "2", "license.lic"), plan[1].Path)
	assert.Contains(t, r.stderr, "order "+provOrder+": 3 codes to issue, 5 of 5 left")
	assert.Zero(t, srv.RequestCount("CreateActivationCode"), "plan changes nothing")
	assert.NoDirExists(t, filepath.Join(dir, "license", "1"))

	srv.ResetRequests()
	applied, r := fleetRun(t, srv, "fleet", "apply", "-f", inv)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Len(t, applied, 3)
	// Calls at the minimum: its plan (the order, one page of codes), per
	// node a create and the duplicate check, the order read after.
	assert.Equal(t, 3, srv.RequestCount("CreateActivationCode"))
	assert.Equal(t, 1+3, srv.RequestCount("DescribeActivationCodes"))
	assert.Equal(t, 1+1, srv.RequestCount("DescribeLicenseOrderDetails"))
	assert.Equal(t, 2+3+3+1, srv.RequestCount(""))
	for i, a := range applied {
		assert.Equal(t, stateLicensed, a.State, a.Node)
		assert.True(t, a.Created, a.Node)
		assert.True(t, a.Written, a.Node)
		assert.Empty(t, a.Error)
		require.NotNil(t, a.ActivationCodeID)
		got, err := os.ReadFile(filepath.Join(dir, "license", fmt.Sprint(i+1), "license.lic"))
		require.NoError(t, err)
		assert.Equal(t, serviceLicense(t, srv, provOrder, *a.ActivationCodeID), got, "node %d's file holds the service's license", i+1)
	}
	codes := srv.Codes(provOrder)
	require.Len(t, codes, 3)
	var names []string
	for _, c := range codes {
		names = append(names, c.Name)
	}
	assert.ElementsMatch(t, []string{"pg-prod-host01", "pg-prod-host02", "pg-prod-third"}, names)
	assert.Contains(t, r.stderr, "order "+provOrder+": 0 codes to issue, 2 of 5 left", "the numbers after the run")

	// The re-run converges with nothing spent and nothing written: its plan
	// reads each node's license to compare, nothing more.
	srv.ResetRequests()
	again, r := fleetRun(t, srv, "fleet", "apply", "-f", inv)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 3, srv.RequestCount("DescribeActivationCodeDetails"))
	assert.Equal(t, 2+3, srv.RequestCount(""))
	for i, a := range again {
		assert.Equal(t, stateLicensed, a.State)
		assert.False(t, a.Created)
		assert.False(t, a.Written)
		assert.Equal(t, *applied[i].ActivationCodeID, *a.ActivationCodeID)
	}
	o, _ := srv.Order(provOrder)
	assert.Equal(t, 3, o.ActivatedCodeCount, "three units of quota in all")
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
	assert.Len(t, srv.Codes(provOrder), 3)

	plan, _ = fleetRun(t, srv, "fleet", "plan", "-f", inv)
	for _, p := range plan {
		assert.Equal(t, stateLicensed, p.State)
	}

	// A lost file is written again from the existing code.
	require.NoError(t, os.Remove(filepath.Join(dir, "license", "2", "license.lic")))
	plan, _ = fleetRun(t, srv, "fleet", "plan", "-f", inv)
	assert.Equal(t, stateFileMissing, plan[1].State)
	again, r = fleetRun(t, srv, "fleet", "apply", "-f", inv)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, again[1].Written)
	assert.False(t, again[1].Created)
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
}

func TestFleetTable(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, dir))
	r := ok(t, runAt(t, srv, "fleet", "plan", "-f", inv, "-o", "table"))
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 6, r.stdout) // header, three nodes, blank, the order
	assert.Regexp(t, `^CLUSTER\s+NODE\s+ORDER\s+STATE`, lines[0])
	assert.Regexp(t, `^pg-prod\s+host01\s+`+provOrder+`\s+to-issue`, lines[1])
	assert.Equal(t, "order "+provOrder+": 3 codes to issue, 5 of 5 left", lines[5])
}

// fleet plan and apply in CSV: a row per node, its duplicates one cell (a
// Go panic, exit 2, after apply had created and written every node's code).
func TestFleetCSV(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, dir))
	for _, command := range []string{"plan", "apply"} {
		r := runAt(t, srv, "fleet", command, "-f", inv, "--state-dir", testStateDir(t), "-o", "csv")
		require.Equal(t, exitOK, r.code, "%s: %s", command, r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		require.Len(t, lines, 4, r.stdout) // header, three nodes
		assert.Contains(t, lines[0], ",duplicates,error", command)
	}
	assert.Equal(t, 3, srv.RequestCount("CreateActivationCode"))
}

func TestFleetApplyRefusesWhatItCannotIssue(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t, polarlicensetest.WithOrders(polarlicense.LicenseOrder{
		AliyunOrderID: "900000000000029", Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 2}))
	for order, want := range map[string]string{
		"900000000000029": "order 900000000000029 (cluster \"pg-prod\", line 2) must issue 3 codes but has 2 left",
		provFrozen:        "order " + provFrozen + " (cluster \"pg-prod\", line 2) must issue 3 codes but is a frozen virtual order",
	} {
		dir := t.TempDir()
		inv := writeInventory(t, dir, threeNodes(order, dir))
		r := runAt(t, srv, "fleet", "apply", "-f", inv, "--state-dir", testStateDir(t), "-o", "json")
		assert.Equal(t, exitFailure, r.code)
		assert.Contains(t, r.stderr, "nothing was done: "+want)
		assert.Empty(t, r.stdout)
		assert.NoDirExists(t, filepath.Join(dir, "1"))

		// The plan says so, and exits 1 after its table.
		recs, r := fleetRun(t, srv, "fleet", "plan", "-f", inv)
		assert.Equal(t, exitFailure, r.code)
		assert.Len(t, recs, 3)
		assert.Contains(t, r.stderr, "polarlicense: apply would refuse to start: "+want)
	}
	assert.Zero(t, srv.RequestCount("CreateActivationCode"), "nothing spent")
}

func TestFleetApplyGoesOnPastAnUncertainNode(t *testing.T) {
	t.Parallel()
	// The first create is dropped unprocessed: its node cannot tell (after
	// the SDK's few seconds of looking) and the others carry on.
	srv := provisioningServer(t, polarlicensetest.WithFaults(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop}))
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, dir))

	recs, r := fleetRun(t, srv, "fleet", "apply", "-f", inv)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "1 of 3 nodes are not done")
	require.Len(t, recs, 3)
	uncertain := -1
	for i, rec := range recs {
		assert.Equal(t, "host0"+strconv.Itoa(i+1), rec.Node, "the inventory's order")
		if rec.State == stateUncertain {
			require.Equal(t, -1, uncertain, "one node is uncertain")
			uncertain = i
			assert.Contains(t, rec.Error, "may have been created")
			assert.NoFileExists(t, rec.Path)
			continue
		}
		assert.Equal(t, stateLicensed, rec.State, rec.Node)
		assert.True(t, rec.Created)
		assert.FileExists(t, rec.Path)
	}
	require.NotEqual(t, -1, uncertain)
	assert.Len(t, srv.Codes(provOrder), 2)

	// Run again at once: the state directory holds the uncertain node (its
	// create may still be processed), so it only looks; nothing is spent.
	recs, r = fleetRun(t, srv, "fleet", "apply", "-f", inv)
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, stateUncertain, recs[uncertain].State)
	assert.Contains(t, recs[uncertain].Error, "never resolved")
	assert.Equal(t, 3, srv.RequestCount("CreateActivationCode"))

	// Once the hold is over (here: another state directory), the node is
	// done and the others spend nothing.
	recs, r = runFleetJSON(t, srv, "fleet", "apply", "-f", inv, "--state-dir", t.TempDir())
	require.Equal(t, exitOK, r.code, r.stderr)
	for i, rec := range recs {
		assert.Equal(t, i == uncertain, rec.Created, rec.Node)
	}
	assert.Len(t, srv.Codes(provOrder), 3)
}

func TestFleetApplyLeavesForeignFilesAlone(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, dir))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "2"), 0o755))
	foreign := filepath.Join(dir, "2", "license.lic")
	require.NoError(t, os.WriteFile(foreign, []byte("not a license"), 0o600))

	plan, r := fleetRun(t, srv, "fleet", "plan", "-f", inv)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, stateFileForeign, plan[1].State, "the plan says what apply will refuse")
	assert.Contains(t, r.stderr, "order "+provOrder+": 2 codes to issue")
	_, r = fleetRun(t, srv, "fleet", "plan", "-f", inv, "--force")
	assert.Contains(t, r.stderr, "order "+provOrder+": 3 codes to issue", "plan --force counts what apply --force creates")

	recs, r := fleetRun(t, srv, "fleet", "apply", "-f", inv)
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, stateFailed, recs[1].State)
	assert.Contains(t, recs[1].Error, foreign)
	assert.Contains(t, recs[1].Error, "pass --force to replace it")
	assert.Equal(t, stateLicensed, recs[0].State)
	assert.Equal(t, stateLicensed, recs[2].State)
	got, err := os.ReadFile(foreign)
	require.NoError(t, err)
	assert.Equal(t, "not a license", string(got))
	assert.Len(t, srv.Codes(provOrder), 2, "nothing spent on the refused node")

	// --force replaces it.
	recs, r = fleetRun(t, srv, "fleet", "apply", "-f", inv, "--force")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, recs[1].Created && recs[1].Written)
	got, err = os.ReadFile(foreign)
	require.NoError(t, err)
	assert.Equal(t, serviceLicense(t, srv, provOrder, *recs[1].ActivationCodeID), got)
}

func TestFleetInventoryErrors(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	valid := threeNodes(provOrder, dir)
	cases := map[string]struct{ text, want string }{
		"unknown key": {strings.Replace(valid, "        code_name:", "        colour: blue\n        code_name:", 1),
			`fleet.yaml:15: unknown key "colour"`},
		"unknown top key": {"clusterz: []\n", `fleet.yaml:1: unknown key "clusterz"`},
		"bad mac":         {strings.Replace(valid, "00-16-3E-1A-2B-02", "00163e1a2b02", 1), `fleet.yaml:9: cluster "pg-prod" node "host02": invalid mac "00163e1a2b02"`},
		"bad cluster":     {strings.Replace(valid, "name: pg-prod ", "name: pg prod ", 1), `fleet.yaml:2: cluster name "pg prod"`},
		"no order":        {strings.Replace(valid, `order: "`+provOrder+`"`, `order: ""`, 1), `cluster "pg-prod" has no order`},
		"same host":       {strings.Replace(valid, "00-16-3E-1A-2B-02\n        system_identifier: \"7345118823001548202\"", "00-16-3E-1A-2B-01\n        system_identifier: \"7345118823001548201\"", 1), `is the same host as`},
		"same path":       {strings.Replace(valid, "        code_name:", "        path: "+filepath.Join(dir, "1", "license.lic")+"\n        code_name:", 1), "writes " + filepath.Join(dir, "1", "license.lic")},
		"long code name":  {strings.Replace(valid, "pg-prod-third", strings.Repeat("x", 65), 1), "at most 64"},
		"no dir":          {strings.Replace(valid, "    license_dir: "+dir+"\n", "", 1), `has no path, and cluster "pg-prod" has no license_dir`},
		"empty":           {"", "the inventory is empty"},
		"syntax":          {"clusters: [\n", "fleet.yaml: line"},
		"no clusters":     {"clusters: []\n", "lists no clusters"},
		"second document": {valid + "---\nclusters: []\n", "fleet.yaml:17: a second YAML document"},
		"same file":       {strings.Replace(valid, "        code_name:", "        path: "+dir+"/./1//license.lic\n        code_name:", 1), `fleet.yaml:12: cluster "pg-prod" node "host03" writes ` + dir + "/./1//license.lic, the same file as"},
	}
	for name, tc := range cases {
		inv := writeInventory(t, t.TempDir(), tc.text)
		for _, cmd := range []string{"plan", "apply"} {
			r := runAt(t, srv, "fleet", cmd, "-f", inv)
			assert.Equal(t, exitUsage, r.code, name)
			assert.Contains(t, oneLineOn(t, r.stderr), tc.want, name)
		}
	}
	r := runAt(t, srv, "fleet", "plan")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `"file"`)
	assert.Zero(t, srv.RequestCount(""), "nothing sent for a bad inventory")
}

// A license_dir that does not exist is named by the plan, and by apply,
// which spends nothing on it; under an existing one apply makes <i>/.
func TestFleetLicenseDirMissing(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "license")
	inv := writeInventory(t, dir, threeNodes(provOrder, missing))
	plan, r := fleetRun(t, srv, "fleet", "plan", "-f", inv)
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, p := range plan {
		assert.Equal(t, stateDirMissing, p.State)
		assert.Equal(t, "license_dir "+missing+" does not exist", p.Note)
	}
	assert.Contains(t, r.stderr, "order "+provOrder+": 0 codes to issue, 5 of 5 left")
	recs, r := fleetRun(t, srv, "fleet", "apply", "-f", inv)
	assert.Equal(t, exitFailure, r.code)
	for _, rec := range recs {
		assert.Equal(t, stateFailed, rec.State)
		assert.Contains(t, rec.Error, "license_dir "+missing+" does not exist")
	}
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))

	require.NoError(t, os.Mkdir(missing, 0o755))
	recs, r = fleetRun(t, srv, "fleet", "apply", "-f", inv, "--concurrency", "2")
	require.Equal(t, exitOK, r.code, r.stderr)
	for i, rec := range recs {
		assert.Equal(t, filepath.Join(missing, strconv.Itoa(i+1), "license.lic"), rec.Path)
		assert.FileExists(t, rec.Path)
	}
}

// Expiring and expired codes are shown with their dates; a node due for
// renewal is to-renew, and apply renews it.
func TestFleetPlanShowsExpiryAndRenewal(t *testing.T) {
	t.Parallel()
	now := time.Now()
	seed := func(mac, sid string, expire time.Time) polarlicensetest.Option {
		return polarlicensetest.WithActivationCode(provOrder, polarlicense.ActivationCode{Name: "seed", MacAddress: mac, SystemIdentifier: sid,
			ActivateAt: expire.AddDate(-1, 0, 0), ExpireAt: expire}, polarlicense.CertContent{})
	}
	srv := provisioningServer(t,
		seed("00:16:3e:1a:2b:01", "7345118823001548201", now.Add(64*24*time.Hour)),
		seed("00:16:3e:1a:2b:02", "7345118823001548202", now.Add(-3*24*time.Hour)))
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, dir))
	for i, id := range []int64{1} {
		p := filepath.Join(dir, strconv.Itoa(i+1), "license.lic")
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, serviceLicense(t, srv, provOrder, id), 0o600))
	}
	plan, r := fleetRun(t, srv, "fleet", "plan", "-f", inv)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, stateExpiring, plan[0].State)
	// The note gives the date as the service does, in China Standard Time:
	// in the machine's zone it differs from 16:00 to 24:00 UTC.
	assert.Contains(t, plan[0].Note, "expires "+now.Add(64*24*time.Hour).In(time.FixedZone("CST", 8*60*60)).Format(time.DateOnly))
	assert.Equal(t, stateExpired, plan[1].State)
	require.NotNil(t, plan[1].ActivationCodeID, "an expired node shows its code")
	assert.Equal(t, int64(2), *plan[1].ActivationCodeID)
	assert.False(t, time.Time(plan[1].ExpireAt).IsZero(), "and its date")
	assert.Equal(t, stateToIssue, plan[2].State)

	plan, r = fleetRun(t, srv, "fleet", "plan", "-f", inv, "--renew-within", "90d")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, stateToRenew, plan[0].State)
	assert.Contains(t, r.stderr, "order "+provOrder+": 3 codes to issue")

	recs, r := fleetRun(t, srv, "fleet", "apply", "-f", inv, "--renew-within", "90d")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, recs[0].Created && recs[0].Renewed && recs[0].Written)
	assert.NotEqual(t, int64(1), *recs[0].ActivationCodeID)
}

// An order the service does not know is named with its cluster and line.
func TestFleetOrderErrorNamesClusterAndLine(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes("900000000000404", dir))
	for _, cmd := range []string{"plan", "apply"} {
		r := runAt(t, srv, "fleet", cmd, "-f", inv, "--state-dir", testStateDir(t))
		assert.Equal(t, exitFailure, r.code)
		assert.Regexp(t, `^polarlicense: \S+fleet\.yaml:2: cluster "pg-prod": no license order has the ID "900000000000404"`, oneLineOn(t, r.stderr))
	}
}

func TestFleetFlagErrors(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, dir))
	for args, want := range map[string]string{
		"--concurrency 0":               "--concurrency must be at least 1",
		"--max-rps -1":                  "--max-rps must be",
		"--owner nobody-polarlicense-x": "invalid --owner",
	} {
		r := runAt(t, srv, append([]string{"fleet", "plan", "-f", inv}, strings.Fields(args)...)...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Contains(t, r.stderr, want, args)
	}
	assert.Zero(t, srv.RequestCount(""))
	r := runAt(t, srv, "fleet", "plan", "-f", inv, "--max-rps", "50", "--concurrency", "3", "--state-dir", testStateDir(t))
	assert.Equal(t, exitOK, r.code, r.stderr)
}

// Ctrl-C or SIGTERM during apply: the nodes never started are
// not-started, and the run ends "polarlicense: interrupted", exit 130 or 143.
func TestFleetApplyInterrupted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT or SIGTERM to send on Windows")
	}
	for sig, code := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143} {
		t.Run(sig.String(), func(t *testing.T) { testFleetApplyInterrupted(t, sig, code) })
	}
}

func testFleetApplyInterrupted(t *testing.T, sig syscall.Signal, code int) {
	srv := provisioningServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, dir))
	cmd := cliCommand(t, "--endpoint", srv.URL, "fleet", "apply", "-f", inv, "--concurrency", "1", "--state-dir", t.TempDir(), "-o", "json")
	cmd.Env = append(cmd.Env, envKeyID+"="+srv.AccessKeyID, envSecret+"="+srv.AccessKeySecret)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The first create is held until the client leaves: wait for it to
	// arrive, then interrupt.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: time.Hour})
	require.NoError(t, cmd.Start())
	deadline := time.Now().Add(20 * time.Second)
	for srv.RequestCount("CreateActivationCode") < 1 {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("no create arrived; stderr: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(sig))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
	assert.Equal(t, code, exit.ExitCode())
	assert.True(t, strings.HasSuffix(stderr.String(), "polarlicense: interrupted\n"), stderr.String())
	recs := decodeJSON[[]fleetRecord](t, stdout.String())
	require.Len(t, recs, 3)
	assert.Equal(t, stateUncertain, recs[0].State, "its create was sent: the next apply picks its code up")
	assert.Equal(t, stateNotStarted, recs[1].State)
	assert.Equal(t, stateNotStarted, recs[2].State)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

// --max-rps holds the run to that many calls a second: a plan of two calls
// at 2 a second (bursts of 2) waits for neither, at 1 a second for one.
func TestFleetMaxRPS(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, dir))
	start := time.Now()
	_, r := fleetRun(t, srv, "fleet", "plan", "-f", inv, "--max-rps", "1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "the second call waited for the limit")
	assert.Equal(t, 2, srv.RequestCount(""))
}

// Two nodes writing one file through a symbolic link to a directory, and
// an inventory without end (/dev/zero), are refused before anything is
// sent, naming the lines; /dev/zero is read no further than the cap.
func TestFleetInventorySymlinkAndSizeCap(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	real, link := filepath.Join(dir, "real"), filepath.Join(dir, "link")
	require.NoError(t, os.Mkdir(real, 0o755))
	require.NoError(t, os.Symlink(real, link))
	text := threeNodes(provOrder, dir)
	text = strings.Replace(text, "\"7345118823001548201\"\n", "\"7345118823001548201\"\n        path: "+filepath.Join(real, "x.lic")+"\n", 1)
	text = strings.Replace(text, "\"7345118823001548202\"\n", "\"7345118823001548202\"\n        path: "+filepath.Join(link, "x.lic")+"\n", 1)
	inv := writeInventory(t, t.TempDir(), text)
	for _, cmd := range []string{"plan", "apply"} {
		r := runAt(t, srv, "fleet", cmd, "-f", inv)
		assert.Equal(t, exitUsage, r.code, cmd)
		assert.Contains(t, oneLineOn(t, r.stderr), `fleet.yaml:10: cluster "pg-prod" node "host02" writes `+filepath.Join(link, "x.lic")+
			`, the same file as cluster "pg-prod" node "host01" (line 6)`, cmd)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		r := runAt(t, srv, "fleet", "plan", "-f", "/dev/zero")
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "/dev/zero: the inventory is larger than 16 MiB: refused")
	}
	assert.Zero(t, srv.RequestCount(""), "nothing sent")
}
