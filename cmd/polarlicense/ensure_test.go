package main

import (
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

const (
	provOrder  = "900000000000021"
	provOrder2 = "900000000000022"
	provFrozen = "900000000000023"
	provMac    = "00:16:3e:1a:2b:01"
	provSysID  = "7345118823001548201"
)

// provisioningServer is an emulator holding long-term orders for the
// provisioning tests: provOrder (quota 5), provOrder2 (quota 5) and the
// frozen virtual order provFrozen.
func provisioningServer(t *testing.T, opts ...polarlicensetest.Option) *polarlicensetest.Server {
	t.Helper()
	base := []polarlicensetest.Option{
		polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(
			polarlicense.LicenseOrder{AliyunOrderID: provOrder, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 5},
			polarlicense.LicenseOrder{AliyunOrderID: provOrder2, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 5},
			polarlicense.LicenseOrder{AliyunOrderID: provFrozen, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePreGenerationLongTerm,
				ActivationCodeQuota: 5, IsVirtualOrder: true, IsVirtualOrderFrozen: true},
		),
	}
	return newServer(t, append(base, opts...)...)
}

// serviceLicense is a code's license bytes as the emulator holds them.
func serviceLicense(t *testing.T, srv *polarlicensetest.Server, order string, id int64) []byte {
	t.Helper()
	_, cert, found := srv.Code(order, id)
	require.True(t, found, "code %d of %s", id, order)
	b, err := cert.Decode()
	require.NoError(t, err)
	return b
}

func ensureArgs(order, out string, extra ...string) []string {
	return append([]string{"license", "ensure", order, "--name", "pg-prod-01", "--mac", "00-16-3E-1A-2B-01", "--system-id", provSysID, "--out", out, "-o", "json"}, extra...)
}

func TestLicenseEnsure(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	path := filepath.Join(t.TempDir(), "license.lic")

	r := ok(t, runAt(t, srv, ensureArgs(provOrder, path)...))
	var keys map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &keys))
	for _, k := range []string{"aliyun_order_id", "activation_code_id", "name", "mac_address", "system_identifier", "expire_at", "created", "path", "written"} {
		assert.Contains(t, keys, k)
	}
	first := decodeJSON[ensureRecord](t, r.stdout)
	assert.True(t, first.Created)
	assert.True(t, first.Written)
	assert.Equal(t, provMac, first.MacAddress, "normalised")
	assert.Equal(t, provSysID, first.SystemIdentifier)
	assert.Equal(t, "pg-prod-01", first.Name)
	assert.Equal(t, path, first.Path)
	codes := srv.Codes(provOrder)
	require.Len(t, codes, 1)
	assert.Equal(t, codes[0].ID, first.ActivationCodeID)
	assert.True(t, time.Time(first.ExpireAt).Equal(codes[0].ExpireAt))
	want := serviceLicense(t, srv, provOrder, first.ActivationCodeID)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.NotContains(t, r.stdout, "BEGIN POLARDB LICENSE", "the license is not printed")
	fi, err := os.Stat(path)
	require.NoError(t, err)

	// Run twice: the second spends nothing and leaves the file as it was.
	r = ok(t, runAt(t, srv, ensureArgs(provOrder, path)...))
	second := decodeJSON[ensureRecord](t, r.stdout)
	assert.False(t, second.Created)
	assert.False(t, second.Written)
	assert.Equal(t, first.ActivationCodeID, second.ActivationCodeID)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	o, _ := srv.Order(provOrder)
	assert.Equal(t, 1, o.ActivatedCodeCount)
	fi2, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fi.ModTime(), fi2.ModTime(), "the file was not rewritten")
}

func TestLicenseEnsureReplacesAnOlderLicenseOfThisHost(t *testing.T) {
	t.Parallel()
	now := time.Now()
	old := polarlicense.ActivationCode{ID: 7, Name: "old", MacAddress: "00:16:3E:1A:2B:01", SystemIdentifier: provSysID,
		ActivateAt: now.AddDate(-1, 0, 0), ExpireAt: now.AddDate(0, 0, -1)}
	renewed := old
	renewed.ID = 8
	srv := provisioningServer(t,
		polarlicensetest.WithActivationCode(provOrder, old, polarlicense.CertContent{}),
		polarlicensetest.WithActivationCode(provOrder2, renewed, polarlicense.CertContent{}))
	dir := t.TempDir()

	// The file holds the license of the host's expired code in this order.
	path := filepath.Join(dir, "license.lic")
	require.NoError(t, os.WriteFile(path, serviceLicense(t, srv, provOrder, 7), 0o600))
	rec := decodeJSON[ensureRecord](t, ok(t, runAt(t, srv, ensureArgs(provOrder, path)...)).stdout)
	assert.True(t, rec.Created, "the expired code is not usable")
	assert.True(t, rec.Written)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, serviceLicense(t, srv, provOrder, rec.ActivationCodeID), got)

	// The file holds this host's license from another order.
	path2 := filepath.Join(dir, "license2.lic")
	require.NoError(t, os.WriteFile(path2, serviceLicense(t, srv, provOrder2, 8), 0o600))
	rec = decodeJSON[ensureRecord](t, ok(t, runAt(t, srv, ensureArgs(provOrder, path2)...)).stdout)
	assert.False(t, rec.Created)
	assert.True(t, rec.Written)
	got, err = os.ReadFile(path2)
	require.NoError(t, err)
	assert.Equal(t, serviceLicense(t, srv, provOrder, rec.ActivationCodeID), got)
}

func TestLicenseEnsureLeavesOtherFilesAlone(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t, polarlicensetest.WithActivationCode(provOrder, polarlicense.ActivationCode{ID: 3, Name: "other-host", MacAddress: "00:16:3e:1a:2b:99", SystemIdentifier: "42"}, polarlicense.CertContent{}))
	path := filepath.Join(t.TempDir(), "license.lic")
	foreign := serviceLicense(t, srv, provOrder, 3) // another host's license
	require.NoError(t, os.WriteFile(path, foreign, 0o600))

	r := runAt(t, srv, ensureArgs(provOrder, path)...)
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.Contains(t, line, path)
	assert.Contains(t, line, "--force")
	assert.Zero(t, srv.RequestCount("CreateActivationCode"), "nothing spent")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, foreign, got, "left alone")

	rec := decodeJSON[ensureRecord](t, ok(t, runAt(t, srv, ensureArgs(provOrder, path, "--force")...)).stdout)
	assert.True(t, rec.Written)
	got, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, serviceLicense(t, srv, provOrder, rec.ActivationCodeID), got)
}

func TestLicenseEnsureReadsThePgdata(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	pgdata := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(pgdata, "global"), 0o700))
	ctl := make([]byte, 8192)
	id, _ := strconv.ParseUint(provSysID, 10, 64)
	binary.NativeEndian.PutUint64(ctl, id)
	binary.NativeEndian.PutUint32(ctl[8:], 1300)
	binary.NativeEndian.PutUint32(ctl[288:], crc32.Checksum(ctl[:288], crc32.MakeTable(crc32.Castagnoli))) // as hostid checks it
	require.NoError(t, os.WriteFile(filepath.Join(pgdata, "global", "pg_control"), ctl, 0o600))
	path := filepath.Join(t.TempDir(), "license.lic")

	r := ok(t, runAt(t, srv, "license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--pgdata", pgdata, "--out", path, "-o", "json"))
	assert.Equal(t, provSysID, decodeJSON[ensureRecord](t, r.stdout).SystemIdentifier)

	r = runAt(t, srv, "license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--pgdata", t.TempDir(), "--out", path)
	assert.Equal(t, exitUsage, r.code, "a bad flag value")
	assert.Contains(t, r.stderr, "pg_control")
	r = runAt(t, srv, "license", "ensure", provOrder, "--name", "n", "--interface", "polarlicense-no-such-if", "--system-id", "1", "--out", path)
	assert.Equal(t, exitUsage, r.code, "a bad flag value")
	assert.Contains(t, r.stderr, `"polarlicense-no-such-if"`)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

func TestLicenseEnsureCommandLine(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	path := filepath.Join(t.TempDir(), "license.lic")
	// A file to check would need calls: bad input is refused before them.
	require.NoError(t, os.WriteFile(path, []byte("something"), 0o600))
	for name, args := range map[string][]string{
		"both macs":     {"license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--interface", "eth0", "--system-id", "1", "--out", path},
		"no mac":        {"license", "ensure", provOrder, "--name", "n", "--system-id", "1", "--out", path},
		"both ids":      {"license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--system-id", "1", "--pgdata", "/x", "--out", path},
		"no id":         {"license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--out", path},
		"no out":        {"license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--system-id", "1"},
		"bad mac":       {"license", "ensure", provOrder, "--name", "n", "--mac", "00163e1a2b01", "--system-id", "1", "--out", path},
		"long name":     {"license", "ensure", provOrder, "--name", string(make([]byte, 65)), "--mac", provMac, "--system-id", "1", "--out", path},
		"link as descr": {"license", "ensure", provOrder, "--name", "n", "--mac", provMac, "--system-id", "1", "--out", path, "--description", "https://x.y"},
	} {
		r := runAt(t, srv, args...)
		assert.Equal(t, exitUsage, r.code, "%s: %s", name, r.stderr)
	}
	assert.Zero(t, srv.RequestCount(""), "nothing sent")
}

func TestLicenseEnsureOrderChecks(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	path := filepath.Join(t.TempDir(), "license.lic")
	r := runAt(t, srv, ensureArgs(provFrozen, path)...)
	assert.Equal(t, exitFailure, r.code)
	// In the command's words, with what to do.
	assert.Equal(t, "polarlicense: order "+provFrozen+" has no code for this host: it cannot issue a code: the virtual order is frozen and issues no activation codes; "+
		`nothing was spent: use an order that can still issue codes (see "polarlicense orders list")`, oneLineOn(t, r.stderr))
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
	assert.NoFileExists(t, path)
}

func TestLicenseEnsureAfterALostAnswer(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t, polarlicensetest.WithFaults(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter}))
	path := filepath.Join(t.TempDir(), "license.lic")
	rec := decodeJSON[ensureRecord](t, ok(t, runAt(t, srv, ensureArgs(provOrder, path)...)).stdout)
	assert.True(t, rec.Created)
	require.Len(t, srv.Codes(provOrder), 1, "exactly one code")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, serviceLicense(t, srv, provOrder, rec.ActivationCodeID), got)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

func TestLicenseEnsureUnresolvedAdvice(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t, polarlicensetest.WithFaults(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop}))
	path := filepath.Join(t.TempDir(), "license.lic")
	r := runAt(t, srv, append([]string{"--timeout", "1s"}, ensureArgs(provOrder, path)...)...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), "run the same command again")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	assert.NoFileExists(t, path)

	// The re-run: no code exists, so it is created now.
	rec := decodeJSON[ensureRecord](t, ok(t, runAt(t, srv, ensureArgs(provOrder, path)...)).stdout)
	assert.True(t, rec.Created)
	assert.Len(t, srv.Codes(provOrder), 1)
}

func TestLicenseEnsureFillsAnEmptyFile(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	path := filepath.Join(t.TempDir(), "license.lic")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	rec := decodeJSON[ensureRecord](t, ok(t, runAt(t, srv, ensureArgs(provOrder, path)...)).stdout)
	assert.True(t, rec.Written)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, serviceLicense(t, srv, provOrder, rec.ActivationCodeID), got)
}

func TestLicenseEnsureRefusesALinkOrAnOversizedFile(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	require.NoError(t, os.WriteFile(target, []byte("x"), 0o600))
	link := filepath.Join(dir, "license.lic")
	require.NoError(t, os.Symlink(target, link))
	r := runAt(t, srv, ensureArgs(provOrder, link, "--force")...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, oneLineOn(t, r.stderr), link)
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "x", string(got), "the link's target is untouched")

	big := filepath.Join(dir, "big.lic")
	require.NoError(t, os.WriteFile(big, make([]byte, 1<<20+10), 0o600))
	r = runAt(t, srv, ensureArgs(provOrder, big)...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "something other than a license of this host")
	assert.Zero(t, srv.RequestCount("CreateActivationCode"), "nothing spent")
}

// A host whose database was re-initialised (a new system identifier), or
// whose network card was replaced (a new MAC address), keeps the file of
// its old code. license ensure leaves it alone as before, and says whose
// license it is and what changed, rather than "something other than a
// license of this host", and that --force will spend.
func TestLicenseEnsureNamesTheOldIdentityOfTheFile(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	state := t.TempDir()
	path := filepath.Join(t.TempDir(), "license.lic")
	first := decodeJSON[ensureRecord](t, ok(t, runAt(t, srv, append(ensureArgs(provOrder, path), "--state-dir", state)...)).stdout)

	reinit := []string{"license", "ensure", provOrder, "--name", "pg-prod-01", "--mac", provMac, "--system-id", "7345118823001548999",
		"--out", path, "--state-dir", state, "-o", "json"}
	r := runAt(t, srv, reinit...)
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.Contains(t, line, "the license of activation code "+strconv.FormatInt(first.ActivationCodeID, 10))
	assert.Contains(t, line, `system identifier "`+provSysID+`"`)
	assert.Contains(t, line, "re-initialised")
	assert.Contains(t, line, "nothing was spent")
	assert.Contains(t, line, "--force")
	assert.Contains(t, line, "one unit of quota")

	newNIC := []string{"license", "ensure", provOrder, "--name", "pg-prod-01", "--mac", "00:16:3e:1a:2b:77", "--system-id", provSysID,
		"--out", path, "--state-dir", state, "-o", "json"}
	r = runAt(t, srv, newNIC...)
	assert.Equal(t, exitFailure, r.code)
	line = oneLineOn(t, r.stderr)
	assert.Contains(t, line, "MAC address "+provMac)
	assert.Contains(t, line, "network card")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "nothing spent but the first code")
}

// A run that finds the host held by an earlier create whose answer was
// lost says so once, in the command's words: who holds the host until when
// and what it found, then what to do.
func TestLicenseEnsureHeldSaidOnce(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop})
	state := t.TempDir()
	args := ensureArgs(provOrder, filepath.Join(t.TempDir(), "license.lic"), "--state-dir", state)
	r := runAt(t, srv, args...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "may or may not have been created")

	r = runAt(t, srv, args...)
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.Regexp(t, `^polarlicense: a create begun at \S+ by process \d+ on \S+ and never resolved holds order `+provOrder+
		`'s host \(MAC address `+provMac+`, system identifier "`+provSysID+`"\) until \S+: no code for the host turned up; `+
		`nothing was spent by this run; run the same command again after the time above: it looks for the code first and creates one only if there still is none$`, line)
	assert.Equal(t, 1, strings.Count(line, "looks"), "what the next run does is said once")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "the second run sent nothing")
}

// The ensure record in every output format: table (the default on a
// terminal) and csv wrote a Go panic, exit 2, after the code was created and
// its file written.
func TestLicenseEnsureEveryFormat(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	for i, format := range []string{"table", "csv", "json"} {
		args := []string{"license", "ensure", provOrder, "--name", "pg-prod-0" + strconv.Itoa(i), "--mac", "00:16:3e:1a:2b:1" + strconv.Itoa(i),
			"--system-id", provSysID, "--out", filepath.Join(dir, format+".lic"), "-o", format}
		r := ok(t, runAt(t, srv, args...))
		assert.Contains(t, r.stdout, "pg-prod-0"+strconv.Itoa(i), format)
		assert.NotContains(t, r.stdout, "panic", format)
		if format == "csv" {
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			require.Len(t, lines, 2, r.stdout)
			assert.True(t, strings.HasPrefix(lines[0], "aliyun_order_id,activation_code_id,"), lines[0])
		}
	}
	assert.Equal(t, 3, srv.RequestCount("CreateActivationCode"))
}

// A run that gives up (--timeout) or is interrupted while another run for
// the same host holds its lock says what it waited for and that it sent
// nothing, not a bare "gave up".
func TestLicenseEnsureWaitingForTheLock(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	// Long enough for both waiting runs to give up first, however slow the machine.
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDelay, Delay: 5 * time.Second})
	state := t.TempDir()
	dir := t.TempDir()
	first := make(chan result, 1)
	go func() {
		first <- runAt(t, srv, ensureArgs(provOrder, filepath.Join(dir, "a.lic"), "--state-dir", state)...)
	}()
	waitForCreates(t, srv, 1) // the first run holds the host's lock

	want := " while waiting for another run for this host to finish (it holds the host's lock in " + state + "); nothing was sent"
	r := runAt(t, srv, append([]string{"--timeout", "300ms"}, ensureArgs(provOrder, filepath.Join(dir, "b.lic"), "--state-dir", state)...)...)
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: gave up after 300ms (--timeout)"+want, oneLineOn(t, r.stderr))
	r = runAt(t, srv, "--timeout", "300ms", "codes", "create", provOrder, "--mac", provMac, "--name", "n", "--system-id", provSysID, "--state-dir", state)
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: gave up after 300ms (--timeout)"+want, oneLineOn(t, r.stderr))

	ok(t, <-first)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"), "the waiting runs sent nothing")
}

// A --renew-within as long as the codes' validity is refused naming the
// flag, not the SDK's field.
func TestLicenseEnsureRenewWithinTooLongNamesTheFlag(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	out := filepath.Join(t.TempDir(), "license.lic")
	ok(t, runAt(t, srv, ensureArgs(provOrder, out)...))
	r := runAt(t, srv, ensureArgs(provOrder, out, "--renew-within", "20000d")...)
	assert.Equal(t, exitUsage, r.code)
	line := oneLineOn(t, r.stderr)
	assert.True(t, strings.HasPrefix(line, "polarlicense: invalid --renew-within: must be shorter than the validity of the host's codes"), line)
	assert.Regexp(t, `\(code 1 is valid for \d+ days\)`, line, "in days, as --renew-within is given")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}
