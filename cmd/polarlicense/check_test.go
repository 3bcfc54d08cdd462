package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/internal/pgtest"
	"github.com/polarlicense/polarlicense-go/nodecheck"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

const (
	nodeOrder    = "900000000000031"
	nodeMac      = "00:16:3e:1a:2b:31"
	nodeOtherMac = "00:16:3e:1a:2b:39"
)

// checkServer is an emulator holding one long-term order (quota 10) with
// code 77, of another host, expired a year before the tests' clock.
func checkServer(t *testing.T) *polarlicensetest.Server {
	t.Helper()
	return newServer(t,
		polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(polarlicense.LicenseOrder{AliyunOrderID: nodeOrder, Engine: polarlicense.EnginePG,
			PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 10}),
		polarlicensetest.WithActivationCode(nodeOrder, polarlicense.ActivationCode{
			ID: 77, Name: "old", MacAddress: nodeOtherMac, SystemIdentifier: "7312000000000000077",
			ActivateAt: auditNow.AddDate(-2, 0, 0), ExpireAt: auditNow.AddDate(-1, 0, 0),
		}, polarlicense.NewCertContent(base64.StdEncoding.EncodeToString([]byte("the license of code 77")))),
	)
}

// offlineEnv is an environment with no credentials anywhere: the check
// cannot ask the service. The endpoint is the emulator's all the same, so
// that nothing could leave the machine.
func offlineEnv(t *testing.T, srv *polarlicensetest.Server) environment {
	t.Helper()
	for _, k := range []string{envKeyID, envSecret, envToken, "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
		"ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_PROFILE",
		"ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("HOME", t.TempDir())
	env := testEnv(nil)
	env.getenv = func(k string) string {
		if k == envEndpoint {
			return srv.URL
		}
		return ""
	}
	return env
}

// checkReport runs license check -o json and returns the report and the
// exit status.
func checkReport(t *testing.T, env environment, args ...string) (*nodecheck.Report, result) {
	t.Helper()
	r := runIn(t, env, append([]string{"license", "check", "-o", "json"}, args...)...)
	rep := decodeJSON[nodecheck.Report](t, r.stdout)
	assert.Equal(t, int(rep.Status), r.code, "the exit status is the report's; stderr: %s", r.stderr)
	return &rep, r
}

func failingChecks(r *nodecheck.Report) []string {
	var names []string
	for _, c := range r.Checks {
		if c.Failing() {
			names = append(names, c.Name)
		}
	}
	return names
}

// The end-to-end story: a real PostgreSQL, license ensure, then
// license check, online and offline, and each way a node goes wrong.
func TestLicenseCheckEndToEnd(t *testing.T) {
	srv := checkServer(t)
	cluster := pgtest.InitDB(t)
	stateDir := filepath.Join(t.TempDir(), "state")
	licDir, err := os.MkdirTemp("", "polarlicense-check-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(licDir) })
	require.NoError(t, os.Chmod(licDir, 0o755)) // the database's user may enter
	path := filepath.Join(licDir, "license.lic")

	ensure := []string{"license", "ensure", nodeOrder, "--name", "pg-check-01", "--mac", nodeMac,
		"--pgdata", cluster.Dir, "--out", path, "--state-dir", stateDir, "-o", "json"}
	if os.Geteuid() == 0 {
		// The license belongs to the database's user.
		ensure = append(ensure, "--owner", strconv.Itoa(cluster.UID)+":"+strconv.Itoa(cluster.GID))
	}
	rec := decodeJSON[ensureRecord](t, ok(t, runAt(t, srv, ensure...)).stdout)
	require.True(t, rec.Created)
	sysID := cluster.ControlDataSystemIdentifier(t)
	assert.Equal(t, sysID, rec.SystemIdentifier, "ensure read what pg_controldata prints")

	base := []string{"--license", path, "--pgdata", cluster.Dir, "--mac", nodeMac, "--state-dir", stateDir}

	// Online: the service identifies the file among the host's codes.
	env := testEnv(srv)
	r := runIn(t, env, append([]string{"license", "check", "--order", nodeOrder, "--state-dir", t.TempDir()}, base[:6]...)...)
	require.Equal(t, 0, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.Len(t, lines, 1+len(nodecheck.CheckNames))
	assert.True(t, strings.HasPrefix(lines[0], "LICENSE OK - "+path+" holds activation code "+strconv.FormatInt(rec.ActivationCodeID, 10)+" of order "+nodeOrder), lines[0])
	for i, name := range nodecheck.CheckNames {
		assert.True(t, strings.HasPrefix(lines[i+1], name+" "), lines[i+1])
	}
	rep, _ := checkReport(t, env, append([]string{"--order", nodeOrder}, base...)...)
	assert.Equal(t, nodecheck.OK, rep.Status)
	assert.Equal(t, "record+service", rep.IdentifiedBy)
	assert.Equal(t, sysID, rep.SystemIdentifier, "the check reads what pg_controldata prints")
	assert.True(t, rep.Online.Asked)

	// -o text is the default's name; -o json has every key the issue names.
	rt := runIn(t, env, append([]string{"license", "check", "-o", "text", "--order", nodeOrder}, base...)...)
	assert.Equal(t, 0, rt.code)
	assert.Equal(t, lines[0], strings.SplitN(rt.stdout, "\n", 2)[0])
	rj := runIn(t, env, append([]string{"license", "check", "-o", "json", "--order", nodeOrder}, base...)...)
	keys := decodeJSON[map[string]any](t, rj.stdout)
	for _, k := range []string{"status", "checks", "code", "expire_at", "days_left"} {
		assert.Contains(t, keys, k)
	}
	for _, c := range keys["checks"].([]any) {
		assert.Contains(t, c, "level")
		assert.Contains(t, c, "message")
	}
	// --within: a code expiring within it is a warning, exit 1.
	rep, _ = checkReport(t, env, append([]string{"--order", nodeOrder, "--within", "20000d"}, base...)...)
	assert.Equal(t, nodecheck.Warning, rep.Status)
	assert.Equal(t, []string{nodecheck.CheckExpiring}, failingChecks(rep))

	// Offline: no credentials; the state directory's record identifies it.
	off := offlineEnv(t, srv)
	srv.ResetRequests()
	textfiles := t.TempDir()
	rep, r = checkReport(t, off, append(base, "--textfile-dir", textfiles)...)
	assert.Equal(t, nodecheck.OK, rep.Status, r.stdout)
	assert.Equal(t, "record", rep.IdentifiedBy)
	assert.False(t, rep.Online.Asked)
	assert.Contains(t, rep.Online.Reason, "offline: no credentials")
	assert.Equal(t, 0, srv.RequestCount(""), "nothing reached the service")
	fams := parseTextfile(t, filepath.Join(textfiles, nodecheck.TextfileName))
	assert.Equal(t, 0.0, fams["polarlicense_node_license_status"].Metric[0].GetGauge().GetValue())
	assert.Len(t, fams["polarlicense_node_license_check"].Metric, len(nodecheck.CheckNames))
	exp := fams["polarlicense_node_license_expiry_timestamp_seconds"].Metric[0]
	assert.Equal(t, float64(time.Time(rec.ExpireAt).Unix()), exp.GetGauge().GetValue())
	assert.Len(t, exp.Label, 3)
	require.NotNil(t, fams["polarlicense_node_license_last_check_timestamp_seconds"])

	// A second initdb: a new system identifier.
	other := pgtest.InitDB(t)
	require.NotEqual(t, sysID, other.ControlDataSystemIdentifier(t))
	rep, r = checkReport(t, off, "--license", path, "--pgdata", other.Dir, "--mac", nodeMac, "--state-dir", stateDir)
	assert.Equal(t, nodecheck.Critical, rep.Status)
	assert.Equal(t, []string{nodecheck.CheckSystemIdentifierMismatch}, failingChecks(rep))
	rt = runIn(t, off, "license", "check", "--license", path, "--pgdata", other.Dir, "--mac", nodeMac, "--state-dir", stateDir)
	assert.Equal(t, 2, rt.code)
	assert.True(t, strings.HasPrefix(rt.stdout, "LICENSE CRITICAL - system identifier "+other.ControlDataSystemIdentifier(t)+" is not the code's "+sysID), rt.stdout)
	// Online, the service has no code of that host holding it, either.
	rep, _ = checkReport(t, env, "--license", path, "--pgdata", other.Dir, "--mac", nodeMac, "--state-dir", stateDir)
	assert.Contains(t, failingChecks(rep), nodecheck.CheckLicenseNotForThisHost)

	// Another NIC.
	rep, _ = checkReport(t, off, "--license", path, "--pgdata", cluster.Dir, "--mac", nodeOtherMac, "--state-dir", stateDir)
	assert.Equal(t, []string{nodecheck.CheckMacMismatch}, failingChecks(rep))

	// A file the database's user cannot read.
	if os.Geteuid() == 0 {
		require.NoError(t, os.Chown(path, 0, 0))
		require.NoError(t, os.Chmod(path, 0o600))
	} else {
		require.NoError(t, os.Chmod(path, 0))
	}
	rep, _ = checkReport(t, off, base...)
	assert.Equal(t, nodecheck.Critical, rep.Status)
	assert.Contains(t, failingChecks(rep), nodecheck.CheckFileOwner)
	require.NoError(t, os.Chmod(path, 0o644))

	// An expired code: the service identifies its license.
	expired := filepath.Join(licDir, "expired.lic")
	rw := runAt(t, srv, "license", "write", nodeOrder, "77", "--out", expired)
	require.Equal(t, exitOK, rw.code, rw.stderr)
	assert.Contains(t, rw.stderr, "note: activation code 77 expired on ", "written as asked, with a word")
	require.NoError(t, os.Chmod(expired, 0o644))
	rep, _ = checkReport(t, env, "--license", expired, "--system-id", "7312000000000000077", "--mac", nodeOtherMac,
		"--order", nodeOrder, "--state-dir", t.TempDir())
	assert.Equal(t, []string{nodecheck.CheckExpired}, failingChecks(rep))
	assert.Equal(t, -365, *rep.DaysLeft)

	// A license nobody recorded and no service identifies: UNKNOWN.
	stray := filepath.Join(licDir, "stray.lic")
	require.NoError(t, os.WriteFile(stray, []byte("a license from somewhere"), 0o644))
	rt = runIn(t, env, "license", "check", "--license", stray, "--pgdata", cluster.Dir, "--mac", nodeMac, "--state-dir", stateDir)
	assert.Equal(t, 3, rt.code, rt.stdout)
	assert.True(t, strings.HasPrefix(rt.stdout, "LICENSE UNKNOWN - nothing identifies the license in "+stray), rt.stdout)
}

// parseTextfile reads a textfile as node_exporter's collector does.
func parseTextfile(t *testing.T, path string) map[string]*dto.MetricFamily {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	fi, err := f.Stat()
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(f)
	require.NoError(t, err)
	return fams
}

func TestLicenseCheckCommandLine(t *testing.T) {
	t.Parallel()
	lic := filepath.Join(t.TempDir(), "license.lic")
	require.NoError(t, os.WriteFile(lic, []byte("x"), 0o644))
	cases := map[string]struct {
		args []string
		want string
	}{
		"no license":    {nil, `required flag(s) "license" not set`},
		"both ids":      {[]string{"--license", lic, "--pgdata", "/d", "--system-id", "7345118823001548201"}, "give --pgdata or --system-id, not both"},
		"both macs":     {[]string{"--license", lic, "--interface", "eth0", "--mac", nodeMac}, "give --interface or --mac, not both"},
		"bad output":    {[]string{"--license", lic, "-o", "csv"}, `invalid -o "csv": want text or json`},
		"bad within":    {[]string{"--license", lic, "--within", "soon"}, "want a duration"},
		"zero within":   {[]string{"--license", lic, "--within", "0d"}, "want a positive duration"},
		"bad system id": {[]string{"--license", lic, "--system-id", "7.3e18", "--state-dir", t.TempDir()}, "invalid --system-id"},
		"bad mac":       {[]string{"--license", lic, "--mac", "00:00:5e", "--state-dir", t.TempDir()}, "invalid --mac"},
		"an argument":   {[]string{"--license", lic, "extra"}, `unexpected argument "extra"`},
		"unknown flag":  {[]string{"--license", lic, "--frobnicate"}, "unknown flag"},
	}
	for name, c := range cases {
		r := runAt(t, nil, append([]string{"license", "check"}, c.args...)...)
		assert.Equal(t, 3, r.code, "%s: UNKNOWN, as monitoring plugins say a usage error", name)
		assert.True(t, strings.HasPrefix(r.stdout, "LICENSE UNKNOWN - "), "%s: %s", name, r.stdout)
		assert.Contains(t, r.stdout, c.want, name)
		assert.Contains(t, r.stderr, c.want, name)
	}
	// -o json: a report all the same, UNKNOWN, every check not made.
	for name, args := range map[string][]string{
		"bad system id": {"--license", lic, "--system-id", "7.3e18", "--state-dir", t.TempDir()},
		"both macs":     {"--license", lic, "--interface", "eth0", "--mac", nodeMac},
		"bad within":    {"--license", lic, "--within", "0d"},
	} {
		r := runAt(t, nil, append([]string{"license", "check", "-o", "json"}, args...)...)
		assert.Equal(t, 3, r.code, name)
		rep := decodeJSON[nodecheck.Report](t, r.stdout)
		assert.Equal(t, nodecheck.Unknown, rep.Status, name)
		assert.Equal(t, lic, rep.LicensePath, name)
		assert.NotEmpty(t, rep.Summary, name)
		assert.Contains(t, r.stderr, rep.Summary, name)
		require.Len(t, rep.Checks, len(nodecheck.CheckNames), name)
		for i, c := range rep.Checks {
			assert.Equal(t, nodecheck.CheckNames[i], c.Name)
			assert.False(t, c.Checked, name)
		}
	}
	// -o text is check's alone.
	r := runAt(t, nil, "orders", "list", "-o", "text")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-o text is for license check only")
}

// The state directory from $POLARLICENSE_STATE_DIR (as the systemd unit's
// check.env sets it), and the textfile: written when the check is CRITICAL
// too, and a textfile that cannot be written makes an OK check UNKNOWN in
// its first line, its report and its exit status.
func TestLicenseCheckStateDirEnvAndTextfile(t *testing.T) {
	srv := checkServer(t)
	stateDir, lic := recordedLicense(t)
	off := offlineEnv(t, srv)
	withState := off
	withState.getenv = func(k string) string {
		if k == envStateDir {
			return stateDir
		}
		return off.getenv(k)
	}
	args := []string{"--license", lic, "--system-id", "7345118823001548201", "--mac", nodeMac}

	rep, _ := checkReport(t, withState, args...)
	assert.Equal(t, nodecheck.OK, rep.Status, "$POLARLICENSE_STATE_DIR's record identifies the file")
	assert.Equal(t, "record", rep.IdentifiedBy)
	rep, _ = checkReport(t, off, args...)
	assert.Equal(t, nodecheck.Unknown, rep.Status, "the default state directory has no record of it")
	rep, _ = checkReport(t, withState, append(args, "--state-dir", t.TempDir())...)
	assert.Equal(t, nodecheck.Unknown, rep.Status, "--state-dir wins over the environment")

	// CRITICAL: the textfile says so.
	textfiles := t.TempDir()
	r := runIn(t, withState, "license", "check", "--license", lic, "--system-id", "7312000000000000001", "--mac", nodeMac, "--textfile-dir", textfiles)
	assert.Equal(t, 2, r.code, r.stdout)
	fams := parseTextfile(t, filepath.Join(textfiles, nodecheck.TextfileName))
	assert.Equal(t, 2.0, fams["polarlicense_node_license_status"].Metric[0].GetGauge().GetValue())
	for _, m := range fams["polarlicense_node_license_check"].Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		assert.Equal(t, lic, labels["license_path"])
		want := 0.0
		if labels["check"] == nodecheck.CheckSystemIdentifierMismatch {
			want = 1
		}
		assert.Equal(t, want, m.GetGauge().GetValue(), labels["check"])
	}
	assert.Equal(t, float64(auditNow.Unix()), fams["polarlicense_node_license_last_check_timestamp_seconds"].Metric[0].GetGauge().GetValue())

	// A second database's check, with a textfile of its own beside the
	// first: both stay, each labelled with its license.
	r = runIn(t, withState, append([]string{"license", "check", "--textfile-dir", textfiles, "--textfile-name", "polarlicense_node_pg2.prom"}, args...)...)
	assert.Equal(t, 0, r.code, r.stdout)
	second := parseTextfile(t, filepath.Join(textfiles, "polarlicense_node_pg2.prom"))
	assert.Equal(t, 0.0, second["polarlicense_node_license_status"].Metric[0].GetGauge().GetValue())
	first := parseTextfile(t, filepath.Join(textfiles, nodecheck.TextfileName))
	assert.Equal(t, 2.0, first["polarlicense_node_license_status"].Metric[0].GetGauge().GetValue(), "the first file is left alone")
	// A name the collector would not read, or no directory: a mistake on
	// the command line, UNKNOWN, nothing written.
	for _, bad := range [][]string{
		{"--textfile-dir", textfiles, "--textfile-name", "pg3.txt"},
		{"--textfile-dir", textfiles, "--textfile-name", "../pg3.prom"},
		{"--textfile-name", "pg3.prom"},
	} {
		r = runIn(t, withState, append(append([]string{"license", "check"}, bad...), args...)...)
		assert.Equal(t, 3, r.code, "%v: %s", bad, r.stderr)
		assert.Contains(t, r.stderr, "textfile", bad)
	}
	entries, err := os.ReadDir(textfiles)
	require.NoError(t, err)
	assert.Len(t, entries, 2)

	// OK, but the textfile cannot be written: UNKNOWN, first line and exit.
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	target := filepath.Join(missing, nodecheck.TextfileName)
	r = runIn(t, withState, append([]string{"license", "check", "--textfile-dir", missing}, args...)...)
	assert.Equal(t, 3, r.code, r.stdout)
	hint := " (create " + missing + ", or give --textfile-dir the directory of node_exporter's --collector.textfile.directory)"
	assert.True(t, strings.HasPrefix(r.stdout, "LICENSE UNKNOWN - cannot write "+target+" (creating a temporary file in "+missing+"): no such file or directory"+hint+"; the license: "+lic+" holds activation code 5"), r.stdout)
	assert.Equal(t, "polarlicense: cannot write "+target+" (creating a temporary file in "+missing+"): no such file or directory"+hint+"\n", r.stderr)
	rep, _ = checkReport(t, withState, append([]string{"--textfile-dir", missing}, args...)...)
	assert.Equal(t, nodecheck.Unknown, rep.Status)
	assert.Empty(t, failingChecks(rep), "the license itself is fine")
	// CRITICAL stays CRITICAL.
	r = runIn(t, withState, "license", "check", "--license", lic, "--system-id", "7312000000000000001", "--mac", nodeMac, "--textfile-dir", missing)
	assert.Equal(t, 2, r.code, r.stdout)
	assert.True(t, strings.HasPrefix(r.stdout, "LICENSE CRITICAL - system identifier 7312000000000000001 is not the code's 7345118823001548201"), r.stdout)
}

// The exit statuses and first lines as a monitoring agent sees them: the
// real process, its own clock, no credentials, the state directory from
// the environment.
func TestLicenseCheckProcessExitStatuses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the node check's file checks are Unix's")
	}
	t.Parallel()
	stateDir := filepath.Join(t.TempDir(), "state")
	dir := t.TempDir()
	lic := filepath.Join(dir, "license.lic")
	content := []byte("the license of code 9")
	require.NoError(t, os.WriteFile(lic, content, 0o644))
	sum := sha256.Sum256(content)
	require.NoError(t, polarlicense.RecordLicenseFile(stateDir, &polarlicense.LicenseRecord{
		Path: lic, SHA256: hex.EncodeToString(sum[:]), AliyunOrderID: nodeOrder, ActivationCodeID: 9,
		MacAddress: nodeMac, SystemIdentifier: "7345118823001548201", ExpireAt: time.Now().AddDate(1, 0, 0), WrittenAt: time.Now(),
	}))
	stray := filepath.Join(dir, "stray.lic")
	require.NoError(t, os.WriteFile(stray, []byte("nobody's"), 0o644))
	host := []string{"--system-id", "7345118823001548201", "--mac", nodeMac}

	cases := []struct {
		name   string
		args   []string
		status int
		first  string
	}{
		{"ok", append([]string{"--license", lic}, host...), 0, "LICENSE OK - " + lic + " holds activation code 9 of order " + nodeOrder},
		{"expiring", append([]string{"--license", lic, "--within", "400d"}, host...), 1, "LICENSE WARNING - code 9 expires at "},
		{"another initdb", []string{"--license", lic, "--system-id", "7312000000000000001", "--mac", nodeMac}, 2, "LICENSE CRITICAL - system identifier 7312000000000000001 is not the code's 7345118823001548201"},
		{"missing", append([]string{"--license", filepath.Join(dir, "gone.lic")}, host...), 2, "LICENSE CRITICAL - " + filepath.Join(dir, "gone.lic") + " does not exist"},
		{"nobody's", append([]string{"--license", stray}, host...), 3, "LICENSE UNKNOWN - nothing identifies the license in " + stray},
		{"a bad flag", append([]string{"--license", lic, "--within", "soon"}, host...), 3, "LICENSE UNKNOWN - "},
	}
	for _, c := range cases {
		cmd := cliCommand(t, append([]string{"license", "check"}, c.args...)...)
		cmd.Env = append(cmd.Env, envStateDir+"="+stateDir) // the last one wins
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		err := cmd.Run()
		var ee *exec.ExitError
		if c.status == 0 {
			require.NoError(t, err, c.name)
		} else {
			require.ErrorAs(t, err, &ee, c.name)
		}
		assert.Equal(t, c.status, cmd.ProcessState.ExitCode(), "%s: %s", c.name, stdout.String())
		assert.True(t, strings.HasPrefix(stdout.String(), c.first), "%s: %s", c.name, stdout.String())
	}
}

// A check that cannot run still writes its textfile, UNKNOWN, when the
// command line names one: a new database's check with a wrong setting
// raises the UNKNOWN rule instead of leaving no series for any rule.
func TestLicenseCheckThatCannotRunWritesUnknown(t *testing.T) {
	srv := checkServer(t)
	off := offlineEnv(t, srv)
	lic := filepath.Join(t.TempDir(), "license.lic")
	for name, args := range map[string][]string{
		// ExecStart's "--license ${LICENSE_FILE}" with LICENSE_FILE unset.
		"empty license": {"--license", "", "--mac", nodeMac, "--system-id", "7345118823001548201"},
		// A mistyped flag in CHECK_ARGS, which comes last in ExecStart.
		"unknown flag": {"--license", lic, "--pgdta", "/var/lib/pgsql"},
		"bad value":    {"--license", lic, "--within", "soon"},
		// The state directory is a file.
		"state directory": {"--license", lic, "--mac", nodeMac, "--system-id", "7345118823001548201", "--state-dir", lic},
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(lic, []byte("x"), 0o644))
			dir := t.TempDir()
			r := runIn(t, off, append([]string{"license", "check", "--textfile-dir", dir, "--textfile-name", "polarlicense_node_pg1.prom"}, args...)...)
			assert.Equal(t, 3, r.code, "%s\n%s", r.stdout, r.stderr)
			assert.True(t, strings.HasPrefix(r.stdout, "LICENSE UNKNOWN - "), r.stdout)
			fams := parseTextfile(t, filepath.Join(dir, "polarlicense_node_pg1.prom"))
			status := fams[nodecheck.MetricStatus].Metric[0]
			assert.Equal(t, 3.0, status.GetGauge().GetValue())
			for _, m := range fams[nodecheck.MetricCheck].Metric {
				assert.Zero(t, m.GetGauge().GetValue(), "no check made, none failing")
			}
			assert.Len(t, fams[nodecheck.MetricCheck].Metric, len(nodecheck.CheckNames))
			assert.NotNil(t, fams[nodecheck.MetricLastCheck])
		})
	}
	// Without --textfile-dir, or with a name the collector would not read,
	// nothing is written anywhere.
	dir := t.TempDir()
	r := runIn(t, off, "license", "check", "--textfile-dir", dir, "--textfile-name", "pg1.txt", "--license", lic)
	assert.Equal(t, 3, r.code)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

// An interrupted check writes no textfile: the last one stays.
func TestLicenseCheckInterruptedWritesNoTextfile(t *testing.T) {
	a := &app{env: defaultEnvironment()}
	check, _, err := a.rootCommand().Find([]string{"license", "check"})
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, check.ParseFlags([]string{"--license", "/x/license.lic", "--textfile-dir", dir}))
	report := a.notRunReport(check, "interrupted")
	writeNotRunTextfile(check, report, fmt.Errorf("listing: %w", context.Canceled))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
	// The same check failing otherwise writes it.
	writeNotRunTextfile(check, report, errors.New("the state directory cannot be read"))
	_, err = os.Stat(filepath.Join(dir, nodecheck.TextfileName))
	assert.NoError(t, err)
}

// What a textfile directory the check cannot write says to do, by cause.
func TestLicenseCheckTextfileHint(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error {
		return fmt.Errorf("nodecheck: cannot write /d/x.prom (creating a temporary file in /d): %w", &os.PathError{Op: "open", Path: "/d/.x", Err: err})
	}
	assert.Contains(t, textfileHint(wrap(syscall.EROFS), "/d"), "ReadWritePaths=")
	assert.Contains(t, textfileHint(wrap(syscall.EACCES), "/d"), "run the check as root")
	assert.Contains(t, textfileHint(wrap(syscall.ENOENT), "/d"), "create /d")
	assert.Empty(t, textfileHint(wrap(syscall.ENOSPC), "/d"))
}

// A check interrupted while it asks the service (SIGINT or SIGTERM cancel
// the run's context) writes no textfile and reports no result: it was
// stopped, and the last textfile stays. It used to finish offline and
// write that, an UNKNOWN one included when the record could not identify
// the file alone.
func TestLicenseCheckInterruptedOnlineWritesNoTextfile(t *testing.T) {
	stateDir, lic := recordedLicense(t)
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	// The service: the first request interrupts the run, as a signal
	// would, and is answered only once the client has gone.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		interrupt()
		<-r.Context().Done()
	}))
	defer srv.Close()
	env := testEnv(nil)
	env.getenv = func(k string) string {
		return map[string]string{envEndpoint: srv.URL, envKeyID: "LTAI5tTestKeyIdOnly", envSecret: "a-secret-for-the-test"}[k]
	}
	textfiles := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := runWith(ctx, env, []string{"license", "check", "--license", lic, "--system-id", "7345118823001548201", "--mac", nodeMac,
		"--state-dir", stateDir, "--textfile-dir", textfiles}, &stdout, &stderr)
	assert.Equal(t, 3, code, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	assert.True(t, strings.HasPrefix(stdout.String(), "LICENSE UNKNOWN - "), stdout.String())
	entries, err := os.ReadDir(textfiles)
	require.NoError(t, err)
	assert.Empty(t, entries, "an interrupted check writes no textfile")
}

// recordedLicense writes the license of code 5 of nodeOrder (bound to
// nodeMac and system identifier 7345118823001548201, valid a year past
// auditNow) and records it in a new state directory, as license ensure
// would have: the check then identifies the file from the record alone.
func recordedLicense(t *testing.T) (stateDir, lic string) {
	t.Helper()
	stateDir = filepath.Join(t.TempDir(), "state")
	lic = filepath.Join(t.TempDir(), "license.lic")
	content := []byte("the license of code 5")
	require.NoError(t, os.WriteFile(lic, content, 0o644))
	sum := sha256.Sum256(content)
	require.NoError(t, polarlicense.RecordLicenseFile(stateDir, &polarlicense.LicenseRecord{
		Path: lic, SHA256: hex.EncodeToString(sum[:]), AliyunOrderID: nodeOrder, ActivationCodeID: 5,
		MacAddress: nodeMac, SystemIdentifier: "7345118823001548201", ExpireAt: auditNow.AddDate(1, 0, 0), WrittenAt: auditNow,
	}))
	return stateDir, lic
}
