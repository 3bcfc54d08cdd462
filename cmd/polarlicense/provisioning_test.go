//go:build unix

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// Provisioning at its boundaries: two runs at once, a run killed halfway,
// bad input, a write that fails after the create, renewal.

// ensureProcess is "license ensure" for the test host as its own process,
// against srv, coordinating through state.
func ensureProcess(t *testing.T, srv *polarlicensetest.Server, state, out string, extra ...string) *exec.Cmd {
	t.Helper()
	cmd := cliCommand(t, ensureArgs(provOrder, out, extra...)...)
	cmd.Env = append(cmd.Env, envEndpoint+"="+srv.URL, envKeyID+"="+srv.AccessKeyID, envSecret+"="+srv.AccessKeySecret, envStateDir+"="+state)
	return cmd
}

func TestTwoEnsureProcessesAtOnceCreateOneCode(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	// The service takes a while to create, as the real one may: the
	// second process starts while the first one's create is in flight.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: 1500 * time.Millisecond})
	state := t.TempDir()
	out := filepath.Join(t.TempDir(), "license.lic")

	first := ensureProcess(t, srv, state, out)
	var out1, err1 bytes.Buffer
	first.Stdout, first.Stderr = &out1, &err1
	require.NoError(t, first.Start())
	waitForCreates(t, srv, 1)
	second := ensureProcess(t, srv, state, out)
	var out2, err2 bytes.Buffer
	second.Stdout, second.Stderr = &out2, &err2
	require.NoError(t, second.Start())

	require.NoError(t, first.Wait(), "stderr: %s", err1.String())
	require.NoError(t, second.Wait(), "stderr: %s", err2.String())
	a, b := decodeJSON[ensureRecord](t, out1.String()), decodeJSON[ensureRecord](t, out2.String())
	assert.True(t, a.Created)
	assert.False(t, b.Created, "the second found the first's code")
	assert.Equal(t, a.ActivationCodeID, b.ActivationCodeID)
	assert.Len(t, srv.Codes(provOrder), 1, "one code")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, serviceLicense(t, srv, provOrder, a.ActivationCodeID), got)
}

func TestEnsureKilledAfterItsCreateWasSentHoldsTheHost(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	// The create is in flight long enough to kill the process under it;
	// the client gone, the emulator never runs it.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: time.Minute})
	state := t.TempDir()
	out := filepath.Join(t.TempDir(), "license.lic")

	killed := ensureProcess(t, srv, state, out)
	require.NoError(t, killed.Start())
	waitForCreates(t, srv, 1)
	require.NoError(t, killed.Process.Signal(syscall.SIGKILL))
	_ = killed.Wait()

	// Run again at once: it looks, finds no code, and creates none.
	again := ensureProcess(t, srv, state, out)
	var stdout, stderr bytes.Buffer
	again.Stdout, again.Stderr = &stdout, &stderr
	err := again.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stdout: %s", stdout.String())
	assert.Equal(t, exitFailure, exit.ExitCode())
	msg := stderr.String()
	assert.Contains(t, msg, "never resolved")
	assert.Contains(t, msg, "until ")
	assert.Contains(t, msg, "nothing was spent by this run")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "no second create while the first may still land")
	assert.Empty(t, srv.Codes(provOrder))
	assert.NoFileExists(t, out)

	// The killed run's create lands late (made here as the service would):
	// the next run, still within the hold, finds it and writes its license,
	// spending nothing more.
	c, err := polarlicense.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	landed, err := c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: provOrder, MacAddress: provMac, SystemIdentifier: provSysID, Name: "pg-prod-01"})
	require.NoError(t, err)
	last := ensureProcess(t, srv, state, out)
	stdout.Reset()
	stderr.Reset()
	last.Stdout, last.Stderr = &stdout, &stderr
	require.NoError(t, last.Run(), "stderr: %s", stderr.String())
	rec := decodeJSON[ensureRecord](t, stdout.String())
	assert.True(t, rec.Created, "the code of the held create: the killed run spent a unit for it")
	assert.Equal(t, landed.ID, rec.ActivationCodeID)
	assert.Len(t, srv.Codes(provOrder), 1, "one code for the host")
	assert.Equal(t, 2, srv.RequestCount("CreateActivationCode"), "the killed run's and the late landing's, none by the re-runs")
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, serviceLicense(t, srv, provOrder, landed.ID), got)
}

func TestEnsureInterruptedAdviceIsTrue(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: time.Minute})
	state := t.TempDir()
	out := filepath.Join(t.TempDir(), "license.lic")

	interrupted := ensureProcess(t, srv, state, out)
	var stderr bytes.Buffer
	interrupted.Stderr = &stderr
	require.NoError(t, interrupted.Start())
	waitForCreates(t, srv, 1)
	require.NoError(t, interrupted.Process.Signal(syscall.SIGINT))
	err := interrupted.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 130, exit.ExitCode())
	advice := stderr.String()
	assert.Contains(t, advice, "run the same command again")
	assert.Contains(t, advice, state, "it names the state directory the hold lives in")

	// Doing as advised: the re-run creates nothing while the hold lasts.
	r := ensureProcess(t, srv, state, out)
	var again bytes.Buffer
	r.Stderr = &again
	require.Error(t, r.Run())
	assert.Contains(t, again.String(), "until ")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

func TestBadInputIsRefusedWithNothingSent(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	out := filepath.Join(t.TempDir(), "license.lic")
	state := t.TempDir()
	for name, args := range map[string][]string{
		"letter O in the identifier":  {"codes", "create", provOrder, "--mac", provMac, "--name", "n", "--system-id", "73451188230015482O1"},
		"exponent":                    {"codes", "create", provOrder, "--mac", provMac, "--name", "n", "--system-id", "7.3e18"},
		"negative":                    {"codes", "create", provOrder, "--mac", provMac, "--name", "n", "--system-id", "-1"},
		"all-zero MAC":                {"codes", "create", provOrder, "--mac", "00:00:00:00:00:00", "--name", "n", "--system-id", provSysID},
		"broadcast MAC":               {"codes", "create", provOrder, "--mac", "ff:ff:ff:ff:ff:ff", "--name", "n", "--system-id", provSysID},
		"multicast MAC":               {"codes", "create", provOrder, "--mac", "01:00:5e:00:00:fb", "--name", "n", "--system-id", provSysID},
		"ensure: letter O":            {"license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--system-id", "73451188230015482O1", "--out", out},
		"ensure: exponent":            {"license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--system-id", "7.3e18", "--out", out},
		"ensure: all-zero MAC":        {"license", "ensure", provOrder, "--name", "n", "--mac", "00-00-00-00-00-00", "--system-id", provSysID, "--out", out},
		"ensure: multicast MAC":       {"license", "ensure", provOrder, "--name", "n", "--mac", "33:33:00:00:00:01", "--system-id", provSysID, "--out", out},
		"ensure: negative renewal":    {"license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--system-id", provSysID, "--out", out, "--renew-within", "-1h"},
		"ensure: unknown owner":       {"license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--system-id", provSysID, "--out", out, "--owner", "no-such-user-xyz"},
		"write: unknown owner group":  {"license", "write", provOrder, "1", "--out", out, "--owner", "root:no-such-group-xyz"},
		"codes create: state not dir": {"codes", "create", provOrder, "--mac", provMac, "--name", "n", "--system-id", provSysID, "--state-dir", out + ".file"},
	} {
		if strings.HasPrefix(name, "codes create: state") {
			require.NoError(t, os.WriteFile(out+".file", nil, 0o600))
		}
		if !strings.Contains(strings.Join(args, " "), "--state-dir") {
			args = append(args, "--state-dir", state)
		}
		r := runAt(t, srv, args...)
		assert.Equal(t, exitUsage, r.code, "%s: %s", name, r.stderr)
		assert.NotEmpty(t, r.stderr, name)
		assert.Zero(t, srv.RequestCount(""), "%s: the emulator saw no request", name)
	}
	r := runAt(t, srv, "codes", "create", provOrder, "--mac", provMac, "--name", "n", "--system-id", "73451188230015482O1")
	assert.Contains(t, oneLineOn(t, r.stderr), `invalid --system-id: must be a database system identifier`)
	assert.Contains(t, r.stderr, `"O" at position 18 is not a digit`)
	r = runAt(t, srv, "codes", "create", provOrder, "--mac", "00:00:00:00:00:00", "--name", "n", "--system-id", provSysID)
	assert.Contains(t, r.stderr, "invalid --mac: must be a host's address: 00:00:00:00:00:00 is the all-zero address")
	assert.Zero(t, srv.RequestCount(""), "the emulator saw no request")
	assert.NoFileExists(t, out)
}

func TestCreateThenFailedWriteSaysWhichCodeAndHowToFinish(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: 500 * time.Millisecond})
	dir := filepath.Join(t.TempDir(), "license", "1")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	out := filepath.Join(dir, "license.lic")
	// The directory goes away while the create is in flight, after the
	// check before spending passed.
	go func() {
		waitForCreates(t, srv, 1)
		_ = os.RemoveAll(dir)
	}()
	r := runAt(t, srv, "codes", "create", provOrder, "--mac", provMac, "--name", "n", "--system-id", provSysID, "--out", out, "-o", "json")
	assert.Equal(t, exitFailure, r.code)
	codes := srv.Codes(provOrder)
	require.Len(t, codes, 1)
	id := strconv.FormatInt(codes[0].ID, 10)
	line := oneLineOn(t, r.stderr)
	assert.True(t, strings.HasPrefix(line, "polarlicense: activation code "+id+" of order "+provOrder+" was created (one unit of quota spent), but its license was not written: cannot write "+out), line)
	assert.Contains(t, line, `finish with "polarlicense license write `+provOrder+` `+id+` --out `+out+`"`)
	assert.Contains(t, r.stdout, `"id": `+id, "the code is shown")

	// license ensure says the same.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: 500 * time.Millisecond})
	require.NoError(t, os.MkdirAll(dir, 0o755))
	go func() {
		waitForCreates(t, srv, 2)
		_ = os.RemoveAll(dir)
	}()
	r = runAt(t, srv, "license", "ensure", provOrder, "--name", "n2", "--mac", "00:16:3e:1a:2b:02", "--system-id", provSysID, "--out", out, "--owner", "root")
	assert.Equal(t, exitFailure, r.code)
	codes = srv.Codes(provOrder)
	require.Len(t, codes, 2)
	id = strconv.FormatInt(codes[1].ID, 10)
	line = oneLineOn(t, r.stderr)
	assert.Contains(t, line, "activation code "+id+" of order "+provOrder+" was created")
	assert.Contains(t, line, `finish with "polarlicense license write `+provOrder+` `+id+` --out `+out+` --owner root"`)
}

func TestWriteCheckedBeforeSpending(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	// A path the license cannot go to: a directory where the file would be.
	out := filepath.Join(dir, "license.lic")
	require.NoError(t, os.Mkdir(out, 0o755))
	r := runAt(t, srv, "license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--system-id", provSysID, "--out", out)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "nothing was spent")
	// A state directory that cannot be made.
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	r = runAt(t, srv, "codes", "create", provOrder, "--mac", provMac, "--name", "n", "--system-id", provSysID,
		"--out", filepath.Join(dir, "ok.lic"), "--state-dir", filepath.Join(file, "state"))
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "nothing was spent")
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
}

func TestOwnerAndStateRecord(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	t.Parallel()
	srv := provisioningServer(t)
	state := t.TempDir()
	dir := t.TempDir()
	require.NoError(t, os.Chown(dir, 1234, 1234))
	out := filepath.Join(dir, "license.lic")
	r := ok(t, runAt(t, srv, ensureArgs(provOrder, out, "--owner", "1234:1235", "--state-dir", state)...))
	rec := decodeJSON[ensureRecord](t, r.stdout)
	fi, err := os.Stat(out)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	assert.Equal(t, [2]uint32{1234, 1235}, [2]uint32{st.Uid, st.Gid})
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	lr, err := polarlicense.LookupLicenseRecord(state, rec.SHA256)
	require.NoError(t, err)
	assert.Equal(t, out, lr.Path)
	assert.Equal(t, rec.ActivationCodeID, lr.ActivationCodeID)
	assert.Equal(t, provOrder, lr.AliyunOrderID)
	assert.Equal(t, provMac, lr.MacAddress)

	// license write records too, and gives the owner asked for.
	out2 := filepath.Join(dir, "again.lic")
	ok(t, runAt(t, srv, "license", "write", provOrder, strconv.FormatInt(rec.ActivationCodeID, 10), "--out", out2, "--owner", "1234:1234", "--state-dir", state, "-o", "json"))
	fi, err = os.Stat(out2)
	require.NoError(t, err)
	assert.Equal(t, uint32(1234), fi.Sys().(*syscall.Stat_t).Uid)
	lr, err = polarlicense.LookupLicenseRecord(state, rec.SHA256)
	require.NoError(t, err)
	assert.Equal(t, out2, lr.Path, "the last writer is recorded")

	// codes create --out records its license.
	out3 := filepath.Join(dir, "created.lic")
	r = ok(t, runAt(t, srv, "codes", "create", provOrder, "--mac", "00:16:3e:1a:2b:03", "--name", "n3", "--system-id", provSysID, "--out", out3, "--owner", "1234:1234", "--state-dir", state, "-o", "json"))
	data, err := os.ReadFile(out3)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	lr, err = polarlicense.LookupLicenseRecord(state, hex.EncodeToString(sum[:]))
	require.NoError(t, err)
	assert.Equal(t, "00:16:3e:1a:2b:03", lr.MacAddress)
}

func TestEnsureReportsADoubleSpend(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: 500 * time.Millisecond})
	other := make(chan int64, 1)
	go func() {
		waitForCreates(t, srv, 1)
		// Another machine, which shares no state directory, creates meanwhile.
		c, err := polarlicense.NewClient(srv.ClientOptions()...)
		if !assert.NoError(t, err) {
			other <- 0
			return
		}
		made, err := c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
			AliyunOrderID: provOrder, MacAddress: provMac, SystemIdentifier: provSysID, Name: "elsewhere"})
		assert.NoError(t, err)
		other <- made.ID
	}()
	out := filepath.Join(t.TempDir(), "license.lic")
	r := runAt(t, srv, ensureArgs(provOrder, out)...)
	otherID := <-other
	assert.Equal(t, exitFailure, r.code)
	rec := decodeJSON[ensureRecord](t, r.stdout)
	assert.Equal(t, []int64{otherID}, rec.Duplicates)
	line := oneLineOn(t, r.stderr)
	assert.Contains(t, line, "now holds 2 unexpired codes for this host")
	assert.Contains(t, line, "code "+strconv.FormatInt(rec.ActivationCodeID, 10)+", just created, and 1 other code: "+strconv.FormatInt(otherID, 10))
	assert.FileExists(t, out, "the license was written all the same")

	// codes create for a host that already has an unexpired code: the same.
	r = runAt(t, srv, "codes", "create", provOrder, "--mac", provMac, "--name", "third", "--system-id", provSysID, "-o", "json")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "now holds 3 unexpired codes for this host")
}

func TestRenewalCreatesOneCodeAndTheAuditPasses(t *testing.T) {
	t.Parallel()
	now := time.Now()
	old := polarlicense.ActivationCode{ID: 1, Name: "pg-prod-01", MacAddress: provMac, SystemIdentifier: provSysID,
		ActivateAt: now.AddDate(-1, 0, 20), ExpireAt: now.AddDate(0, 0, 20)}
	srv := provisioningServer(t, polarlicensetest.WithActivationCode(provOrder, old, polarlicense.CertContent{}))
	env := testEnv(srv)
	env.now = time.Now // the audit checks the codes against today
	out := filepath.Join(t.TempDir(), "license.lic")
	require.NoError(t, os.WriteFile(out, serviceLicense(t, srv, provOrder, 1), 0o600))

	// Before: the code is expiring, which the audit says.
	r := runIn(t, env, "audit", "--fail-on", "warning", "-o", "json")
	assert.Equal(t, exitFindings, r.code, r.stdout)
	assert.Contains(t, r.stdout, "code-expiring")

	// Not due within 10 days: nothing spent.
	rec := decodeJSON[ensureRecord](t, ok(t, runIn(t, env, ensureArgs(provOrder, out, "--renew-within", "10d")...)).stdout)
	assert.Equal(t, int64(1), rec.ActivationCodeID)
	assert.False(t, rec.Created)
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))

	// Due within 30 days: exactly one new code, its license in the file.
	rec = decodeJSON[ensureRecord](t, ok(t, runIn(t, env, ensureArgs(provOrder, out, "--renew-within", "30d")...)).stdout)
	assert.True(t, rec.Created)
	assert.True(t, rec.Renewed)
	assert.True(t, rec.Written)
	assert.Empty(t, rec.Duplicates)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, serviceLicense(t, srv, provOrder, rec.ActivationCodeID), got)

	// Again: the new code is the host's; nothing spent.
	again := decodeJSON[ensureRecord](t, ok(t, runIn(t, env, ensureArgs(provOrder, out, "--renew-within", "30d")...)).stdout)
	assert.Equal(t, rec.ActivationCodeID, again.ActivationCodeID)
	assert.False(t, again.Created)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))

	// The audit tells the renewal from a double spend, and passes.
	r = runIn(t, env, "audit", "--fail-on", "warning", "-o", "json")
	assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	assert.Contains(t, r.stdout, "code-renewed")
	assert.NotContains(t, r.stdout, "code-duplicate")
}

func TestOutWhereNoFileCanBeWrittenSpendsNothing(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	missing := filepath.Join(t.TempDir(), "no-such-dir", "o32.lic")
	targets := []string{missing}
	// /sys takes no new files, not even root's: the issue's own example.
	if runtime.GOOS == "linux" && isDir("/sys") {
		targets = append(targets, "/sys/o32.lic")
	}
	// A directory the user cannot write (root can: /sys stands for it then).
	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		require.NoError(t, os.Mkdir(ro, 0o555))
		targets = append(targets, filepath.Join(ro, "o32.lic"))
	}
	for _, out := range targets {
		for _, args := range [][]string{
			{"codes", "create", provOrder, "--mac", provMac, "--name", "n", "--system-id", provSysID, "--out", out},
			ensureArgs(provOrder, out),
		} {
			r := runAt(t, srv, args...)
			what := strings.Join(args[:2], " ") + " --out " + out
			assert.Equal(t, exitFailure, r.code, "%s: %s", what, r.stderr)
			line := oneLineOn(t, r.stderr)
			assert.True(t, strings.HasPrefix(line, "polarlicense: cannot write "+out), "%s: %s", what, line)
			assert.True(t, strings.HasSuffix(line, "nothing was spent"), "%s: %s", what, line)
			if os.Geteuid() == 0 {
				assert.NotContains(t, line, "as root", "%s: no advice to run as root to root", what)
			}
		}
	}
	assert.Zero(t, srv.RequestCount("CreateActivationCode"), "nothing spent")
	assert.Empty(t, srv.Codes(provOrder))
}

func TestEnsureAsRootNamesTheDirectorysOwner(t *testing.T) {
	nobody, group, uid, gid := nobodyUser(t)
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	require.NoError(t, os.Chown(dir, uid, gid))
	spec := nobody.Username + ":" + group.Name

	// Without --owner: the file is root's, and the note says whose the
	// directory is, by name, and the --owner that fixes it.
	out := filepath.Join(dir, "license.lic")
	r := runAt(t, srv, ensureArgs(provOrder, out)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	line := oneLineOn(t, r.stderr)
	assert.Contains(t, line, "its directory belongs to "+spec)
	assert.Contains(t, line, "if PolarDB runs as user "+nobody.Username+", it cannot read the file")
	assert.Contains(t, line, "pass --owner "+spec)

	// With that --owner: the file is nobody's, 0600, and nothing to note.
	out2 := filepath.Join(dir, "owned.lic")
	r = ok(t, runAt(t, srv, ensureArgs(provOrder, out2, "--owner", spec)...))
	assert.NotContains(t, r.stderr, "belongs to")
	fi, err := os.Stat(out2)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	assert.Equal(t, [2]uint32{uint32(uid), uint32(gid)}, [2]uint32{st.Uid, st.Gid})
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "the second run found the first's code")
}

func TestStateDirHoldsNothingSecret(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	// A create whose answer is lost leaves its record behind too.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter})
	state := filepath.Join(t.TempDir(), "state")
	dir := t.TempDir()
	out := filepath.Join(dir, "license.lic")
	r := runAt(t, srv, ensureArgs(provOrder, out, "--state-dir", state)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	rec := decodeJSON[ensureRecord](t, r.stdout)
	ok(t, runAt(t, srv, "license", "write", provOrder, strconv.FormatInt(rec.ActivationCodeID, 10), "--out", filepath.Join(dir, "again.lic"), "--state-dir", state, "-o", "json"))
	ok(t, runAt(t, srv, "codes", "create", provOrder2, "--mac", provMac, "--name", "n", "--system-id", provSysID, "--out", filepath.Join(dir, "created.lic"), "--state-dir", state, "-o", "json"))
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	r = runAt(t, srv, ensureArgs(provOrder2, filepath.Join(dir, "held.lic"), "--mac", "00:16:3e:1a:2b:09", "--state-dir", state)...)
	assert.Equal(t, exitFailure, r.code, "the dropped create stays unresolved: %s", r.stderr)

	var secrets [][]byte
	secrets = append(secrets, []byte(srv.AccessKeySecret))
	for _, order := range []string{provOrder, provOrder2} {
		for _, c := range srv.Codes(order) {
			_, cert, found := srv.Code(order, c.ID)
			require.True(t, found)
			secrets = append(secrets, []byte(cert.Reveal()), serviceLicense(t, srv, order, c.ID))
		}
	}
	require.Len(t, secrets, 5, "the secret and two forms of each of the two licenses")
	fi, err := os.Stat(state)
	require.NoError(t, err)
	assert.Equal(t, polarlicense.StateDirMode, fi.Mode().Perm(), "created 0700")
	files := 0
	require.NoError(t, filepath.WalkDir(state, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		assert.Zero(t, info.Mode().Perm()&0o077, "%s is its owner's only", path)
		if d.IsDir() {
			return nil
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			assert.False(t, bytes.Contains(data, s), "%s holds a secret or a license", path)
		}
		return nil
	}))
	assert.GreaterOrEqual(t, files, 4, "records of three licenses and of the unresolved create")
}

func TestEnsureRefusesAControlFileThatIsNotOneWithNothingSent(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	out := filepath.Join(t.TempDir(), "license.lic")
	header := func(id uint64, version uint32, size int) []byte {
		b := make([]byte, size)
		binary.NativeEndian.PutUint64(b, id)
		binary.NativeEndian.PutUint32(b[8:], version)
		return b
	}
	for name, ctl := range map[string][]byte{
		"all zero":             make([]byte, 8192),
		"identifier 0":         header(0, 1300, 8192),
		"a version never made": header(7345118823001548201, 42, 8192),
		"ten bytes":            header(7345118823001548201, 1300, 16)[:10],
		"empty":                {},
	} {
		pgdata := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(pgdata, "global"), 0o700))
		ctlPath := filepath.Join(pgdata, "global", "pg_control")
		require.NoError(t, os.WriteFile(ctlPath, ctl, 0o600))
		r := runAt(t, srv, "license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--pgdata", pgdata, "--out", out)
		assert.NotEqual(t, exitOK, r.code, name)
		line := oneLineOn(t, r.stderr)
		assert.Contains(t, line, ctlPath, "%s: the error names the file", name)
		assert.NotContains(t, line, "cannot reach", "%s: a local failure, not a network one", name)
	}
	// A directory where the file should be.
	pgdata := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(pgdata, "global", "pg_control"), 0o700))
	r := runAt(t, srv, "license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--pgdata", pgdata, "--out", out)
	assert.NotEqual(t, exitOK, r.code)
	assert.Contains(t, r.stderr, filepath.Join(pgdata, "global", "pg_control"))

	assert.Zero(t, srv.RequestCount(""), "nothing sent for a control file that is not one")
	assert.NoFileExists(t, out)
}

// fleetApplyProcess is "fleet apply" of inventory inv as its own process,
// against srv, coordinating through state.
func fleetApplyProcess(t *testing.T, srv *polarlicensetest.Server, state, inv string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := cliCommand(t, "fleet", "apply", "-f", inv, "-o", "json")
	cmd.Env = append(cmd.Env, envEndpoint+"="+srv.URL, envKeyID+"="+srv.AccessKeyID, envSecret+"="+srv.AccessKeySecret, envStateDir+"="+state)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// assertOneCodePerNode checks that each node of threeNodes holds one code,
// and that its file holds that code's license.
func assertOneCodePerNode(t *testing.T, srv *polarlicensetest.Server, dir string) {
	t.Helper()
	codes := srv.Codes(provOrder)
	require.Len(t, codes, 3, "one code per node")
	bySysID := map[string]int64{}
	for _, c := range codes {
		_, dup := bySysID[c.SystemIdentifier]
		assert.False(t, dup, "a second code for %s", c.SystemIdentifier)
		bySysID[c.SystemIdentifier] = c.ID
	}
	for i := 1; i <= 3; i++ {
		id, found := bySysID["734511882300154820"+strconv.Itoa(i)]
		require.True(t, found, "node %d has a code", i)
		got, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(i), "license.lic"))
		require.NoError(t, err)
		assert.Equal(t, serviceLicense(t, srv, provOrder, id), got, "node %d's file", i)
	}
}

// Two "fleet apply" runs of one inventory at once (a timer and a person)
// create one code per node: the second waits for the first's creates and
// finds their codes.
func TestTwoFleetApplyProcessesAtOnceCreateOneCodePerNode(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: 1500 * time.Millisecond, Count: 3})
	state, dir := t.TempDir(), t.TempDir()
	inv := writeInventory(t, t.TempDir(), threeNodes(provOrder, dir))

	first, out1, err1 := fleetApplyProcess(t, srv, state, inv)
	require.NoError(t, first.Start())
	waitForCreates(t, srv, 1)
	second, out2, err2 := fleetApplyProcess(t, srv, state, inv)
	require.NoError(t, second.Start())

	require.NoError(t, first.Wait(), "stderr: %s", err1.String())
	require.NoError(t, second.Wait(), "stderr: %s", err2.String())
	a, b := decodeJSON[[]fleetRecord](t, out1.String()), decodeJSON[[]fleetRecord](t, out2.String())
	require.Len(t, a, 3)
	require.Len(t, b, 3)
	for i := range a {
		require.NotNil(t, a[i].ActivationCodeID, a[i].Node)
		require.NotNil(t, b[i].ActivationCodeID, b[i].Node)
		assert.Equal(t, *a[i].ActivationCodeID, *b[i].ActivationCodeID, "%s: both runs end with one code", a[i].Node)
		assert.False(t, a[i].Created && b[i].Created, "%s: created by both runs", a[i].Node)
		assert.Empty(t, a[i].Duplicates)
		assert.Empty(t, b[i].Duplicates)
	}
	assert.Equal(t, 3, srv.RequestCount("CreateActivationCode"), "one create per node")
	assertOneCodePerNode(t, srv, dir)
}

// A "fleet apply" killed after its creates were sent, run again at once,
// creates none while they may still land; once they have, the next run
// picks their codes up, spending nothing: one code per node.
func TestFleetApplyKilledAfterItsCreatesWereSentHoldsItsHosts(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: time.Minute, Count: 3})
	state, dir := t.TempDir(), t.TempDir()
	inv := writeInventory(t, t.TempDir(), threeNodes(provOrder, dir))

	killed, _, _ := fleetApplyProcess(t, srv, state, inv)
	require.NoError(t, killed.Start())
	waitForCreates(t, srv, 3)
	require.NoError(t, killed.Process.Signal(syscall.SIGKILL))
	_ = killed.Wait()

	// Run again at once: each node is held, nothing is created.
	again, stdout, stderr := fleetApplyProcess(t, srv, state, inv)
	err := again.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stdout: %s", stdout.String())
	assert.Equal(t, exitFailure, exit.ExitCode(), "stderr: %s", stderr.String())
	recs := decodeJSON[[]fleetRecord](t, stdout.String())
	require.Len(t, recs, 3)
	for _, r := range recs {
		assert.Equal(t, stateUncertain, r.State, r.Node)
		assert.False(t, r.Created, r.Node)
		assert.Contains(t, r.Error, "never resolved", r.Node)
		assert.Contains(t, r.Error, "until ", r.Node)
	}
	assert.Equal(t, 3, srv.RequestCount("CreateActivationCode"), "no second create while the first ones may still land")
	assert.Empty(t, srv.Codes(provOrder))

	// The killed run's creates land late (made here as the service would):
	// the next run finds them and writes their licenses, spending nothing.
	c, err := polarlicense.NewClient(srv.ClientOptions()...)
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		_, err := c.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
			AliyunOrderID: provOrder, MacAddress: "00:16:3e:1a:2b:0" + strconv.Itoa(i), SystemIdentifier: "734511882300154820" + strconv.Itoa(i), Name: "landed-" + strconv.Itoa(i)})
		require.NoError(t, err)
	}
	last, stdout, stderr := fleetApplyProcess(t, srv, state, inv)
	require.NoError(t, last.Run(), "stderr: %s", stderr.String())
	for _, r := range decodeJSON[[]fleetRecord](t, stdout.String()) {
		assert.Equal(t, stateLicensed, r.State, r.Node)
		assert.False(t, r.Created, r.Node)
		assert.True(t, r.Written, r.Node)
	}
	assert.Equal(t, 6, srv.RequestCount("CreateActivationCode"), "the killed run's and the late landings', none by the re-runs")
	assertOneCodePerNode(t, srv, dir)
}

// fleet apply run as root into a license_dir the database's user owns:
// without an owner, it warns as license ensure does, by name, naming the
// license_dir (apply made <license_dir>/<i>/ itself); with --owner, the
// files are that user's, mode 0600.
func TestFleetApplyAsRootNamesTheLicenseDirsOwner(t *testing.T) {
	nobody, group, uid, gid := nobodyUser(t)
	t.Parallel()
	srv := provisioningServer(t)
	spec := nobody.Username + ":" + group.Name

	dir := t.TempDir()
	require.NoError(t, os.Chown(dir, uid, gid))
	inv := writeInventory(t, t.TempDir(), threeNodes(provOrder, dir))
	_, r := fleetRun(t, srv, "fleet", "apply", "-f", inv)
	require.Equal(t, exitOK, r.code, r.stderr)
	for i, node := range []string{"host01", "host02", "host03"} {
		path := filepath.Join(dir, strconv.Itoa(i+1), "license.lic")
		assert.Contains(t, r.stderr, "note: pg-prod/"+node+": "+path+" is a new file owned by root:", node)
	}
	assert.Contains(t, r.stderr, "but "+dir+" belongs to "+spec+": if PolarDB runs as user "+nobody.Username+
		", it cannot read the file; pass --owner "+spec)

	owned := t.TempDir()
	require.NoError(t, os.Chown(owned, uid, gid))
	inv = writeInventory(t, t.TempDir(), threeNodes(provOrder2, owned))
	_, r = fleetRun(t, srv, "fleet", "apply", "-f", inv, "--owner", spec)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "belongs to")
	for i := 1; i <= 3; i++ {
		fi, err := os.Stat(filepath.Join(owned, strconv.Itoa(i), "license.lic"))
		require.NoError(t, err)
		st := fi.Sys().(*syscall.Stat_t)
		assert.Equal(t, [2]uint32{uint32(uid), uint32(gid)}, [2]uint32{st.Uid, st.Gid})
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
}

// nobodyUser returns the user nobody, its group and their ids, for tests run
// as root that write into a directory another user owns; it skips the test
// when not root or when the user or its group's name is missing.
func nobodyUser(t *testing.T) (nobody *user.User, group *user.Group, uid, gid int) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to write into a directory another user owns")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("no user nobody here")
	}
	group, err = user.LookupGroupId(nobody.Gid)
	if err != nil {
		t.Skip("user nobody's group has no name here")
	}
	uid, _ = strconv.Atoi(nobody.Uid)
	gid, _ = strconv.Atoi(nobody.Gid)
	return nobody, group, uid, gid
}
