package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/nodecheck"
)

// The systemd units and example settings in deploy/systemd, which the
// packages install (.goreleaser.yaml).
const unitsDir = "../../deploy/systemd"

var unitFiles = []string{"polarlicense-check.service", "polarlicense-check.timer", "polarlicense-check@.service",
	"polarlicense-check@.timer", "polarlicense-exporter.service"}

// systemdAnalyze returns the systemd-analyze command, or skips the test when
// there is none, except in CI (CI=true), where it fails.
func systemdAnalyze(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("systemd-analyze"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("systemd-analyze is not installed (apt-get install systemd); CI=true requires it")
	}
	t.Skip("systemd-analyze is not installed (apt-get install systemd)")
	return ""
}

// systemd-analyze verify accepts the units as they are but for the binary's
// path (an executable of this test, since /usr/bin/polarlicense is the
// package's) and says nothing about them: an unknown or misspelt directive is
// only a warning, which this test fails on. Their sandboxing rates OK or
// better in systemd-analyze security. (CI verifies the units the .deb
// installs as they are, man pages included.)
func TestSystemdUnitsVerify(t *testing.T) {
	analyze := systemdAnalyze(t)
	self, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	var paths []string
	for _, name := range unitFiles {
		data, err := os.ReadFile(filepath.Join(unitsDir, name))
		require.NoError(t, err)
		text := strings.ReplaceAll(string(data), "/usr/bin/polarlicense ", self+" ")
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		paths = append(paths, p)
	}
	out, err := exec.Command(analyze, append([]string{"verify", "--man=no"}, paths...)...).CombinedOutput()
	require.NoError(t, err, "systemd-analyze verify:\n%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "systemd-analyze verify warns")

	for _, name := range []string{"polarlicense-check.service", "polarlicense-check@.service", "polarlicense-exporter.service"} {
		// --threshold is on a 0-100 scale: 30 is an exposure of 3.0, "OK".
		out, err := exec.Command(analyze, "security", "--offline=yes", "--threshold=30", filepath.Join(dir, name)).CombinedOutput()
		require.NoError(t, err, "%s is exposed more than 3.0:\n%s", name, out)
	}
}

// unitSettings returns a unit's Key=value lines, keys repeated in order.
func unitSettings(t *testing.T, name string) map[string][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(unitsDir, name))
	require.NoError(t, err)
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, "%s: %q", name, line)
		out[k] = append(out[k], v)
	}
	require.NoError(t, sc.Err())
	return out
}

// What the issue asks of the units, and what keeps them safe.
func TestSystemdUnitsContract(t *testing.T) {
	check := unitSettings(t, "polarlicense-check.service")
	assert.Equal(t, []string{"oneshot"}, check["Type"])
	assert.Equal(t, []string{"/etc/polarlicense/check.env"}, check["EnvironmentFile"])
	assert.Equal(t, []string{"/usr/bin/polarlicense license check --license ${LICENSE_FILE} --textfile-dir ${TEXTFILE_DIR} $CHECK_ARGS"}, check["ExecStart"])
	assert.Contains(t, check["ReadWritePaths"][0], "/var/lib/prometheus/node-exporter", "the default TEXTFILE_DIR is writable")
	assert.Contains(t, check["Environment"], "TEXTFILE_DIR=/var/lib/prometheus/node-exporter")
	assert.Contains(t, check["RestrictAddressFamilies"][0], "AF_NETLINK", "interfaces' MAC addresses come over netlink")

	assert.NotContains(t, check, "WantedBy", "the timer starts the check, nothing else")

	timer := unitSettings(t, "polarlicense-check.timer")
	assert.Equal(t, []string{"daily"}, timer["OnCalendar"])
	assert.Equal(t, []string{"true"}, timer["Persistent"])
	assert.NotEmpty(t, timer["RandomizedDelaySec"])

	exporter := unitSettings(t, "polarlicense-exporter.service")
	assert.Equal(t, []string{"/etc/polarlicense/exporter.env"}, exporter["EnvironmentFile"])
	assert.Equal(t, []string{"/usr/bin/polarlicense exporter $EXPORTER_ARGS"}, exporter["ExecStart"])
	assert.Equal(t, []string{"yes"}, exporter["DynamicUser"], "no system user to create")

	for name, u := range map[string]map[string][]string{"check": check, "exporter": exporter} {
		for _, k := range []string{"NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "ProtectControlGroups", "RestrictSUIDSGID"} {
			assert.Equal(t, []string{"yes"}, u[k], "%s: %s", name, k)
		}
		assert.Equal(t, []string{"strict"}, u["ProtectSystem"], name)
		assert.NotEmpty(t, u["ProtectHome"], name)
	}
}

// The exporter's unit restarts a crashed exporter. A Go program that dies
// of a panic or a fatal runtime error exits with status 2, the status of a
// wrong command line too: a unit that prevents restarts on 2 leaves a
// crashed exporter dead, its licenses unwatched until someone acts.
func TestSystemdExporterRestartsAfterACrash(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe)
	cmd.Env = []string{panicAsCLI + "=1"}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "%s", out)
	require.Contains(t, string(out), "a crash nothing recovers")
	crash := ee.ExitCode()

	exporter := unitSettings(t, "polarlicense-exporter.service")
	assert.Equal(t, []string{"on-failure"}, exporter["Restart"])
	for _, v := range exporter["RestartPreventExitStatus"] {
		for _, s := range strings.Fields(v) {
			assert.NotEqual(t, strconv.Itoa(crash), s, "RestartPreventExitStatus=%s: a crash exits %d, and is then never restarted", v, crash)
		}
	}
}

// The template units of a node with several databases are the plain ones
// but for the instance: its settings file, its textfile, its description.
// Their sandboxing cannot drift apart.
func TestSystemdTemplateUnits(t *testing.T) {
	for plain, template := range map[string]string{
		"polarlicense-check.service": "polarlicense-check@.service",
		"polarlicense-check.timer":   "polarlicense-check@.timer",
	} {
		p, tp := unitSettings(t, plain), unitSettings(t, template)
		assert.Contains(t, tp["Description"][0], "%i", template)
		for _, k := range []string{"Description", "EnvironmentFile", "ExecStart"} {
			delete(p, k)
			delete(tp, k)
		}
		assert.Equal(t, p, tp, "%s and %s differ beyond the instance", plain, template)
	}
	tp := unitSettings(t, "polarlicense-check@.service")
	assert.Equal(t, []string{"/etc/polarlicense/check-%i.env"}, tp["EnvironmentFile"])
	assert.Equal(t, []string{"/usr/bin/polarlicense license check --license ${LICENSE_FILE} --textfile-dir ${TEXTFILE_DIR} --textfile-name polarlicense_node_%i.prom $CHECK_ARGS"}, tp["ExecStart"])

	// The command line an instance runs is the check's, and the name it
	// writes one the check accepts, for any instance name systemd accepts:
	// %i is the name as the unit's, a systemd-escape escape ("\x2d", what
	// "systemd-escape --template polarlicense-check@.timer db-main" gives)
	// kept as is (systemd expands specifiers after unescaping ExecStart).
	for _, instance := range []string{"pg-1", `db\x2dmain`, "pg:5433"} {
		a := &app{env: defaultEnvironment()}
		check, _, err := a.rootCommand().Find([]string{"license", "check"})
		require.NoError(t, err)
		line := strings.NewReplacer("%i", instance, "${LICENSE_FILE}", "/x/license.lic", "${TEXTFILE_DIR}", "/x", "$CHECK_ARGS", "").Replace(tp["ExecStart"][0])
		args := strings.Fields(line)[3:] // after "/usr/bin/polarlicense license check"
		require.NoError(t, check.ParseFlags(args), "%q", args)
		name, err := check.Flags().GetString("textfile-name")
		require.NoError(t, err)
		assert.Equal(t, "polarlicense_node_"+instance+".prom", name)
		assert.NoError(t, nodecheck.CheckTextfileName(name))
	}
}

// envAssignments returns the KEY=value lines of an example env file,
// commented out or not, values unquoted.
func envAssignments(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(unitsDir, name))
	require.NoError(t, err)
	out := map[string]string{}
	re := regexp.MustCompile(`(?m)^#?([A-Z][A-Z0-9_]*)=(.*)$`)
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		out[m[1]] = strings.Trim(m[2], `"`)
	}
	return out
}

// The example settings name flags the commands have, and only the variables
// the units or the tool read.
func TestSystemdEnvExamples(t *testing.T) {
	a := &app{env: defaultEnvironment()}
	root := a.rootCommand()
	exporter, _, err := root.Find([]string{"exporter"})
	require.NoError(t, err)

	ex := envAssignments(t, "exporter.env")
	args := strings.Fields(ex["EXPORTER_ARGS"]) // systemd splits an unbraced $VAR so
	require.NotEmpty(t, args)
	require.NoError(t, exporter.ParseFlags(args), "EXPORTER_ARGS=%q", ex["EXPORTER_ARGS"])
	// The flags exporter.env suggests (its indented comment lines) are the exporter's.
	exData, err := os.ReadFile(filepath.Join(unitsDir, "exporter.env"))
	require.NoError(t, err)
	var suggested []string
	for _, line := range regexp.MustCompile(`(?m)^#   .*$`).FindAllString(string(exData), -1) {
		suggested = append(suggested, regexp.MustCompile(`--[a-z][a-z-]*`).FindAllString(line, -1)...)
	}
	require.Greater(t, len(suggested), 3, "exporter.env suggests flags")
	for _, f := range suggested {
		assert.NotNil(t, exporter.Flags().Lookup(strings.TrimPrefix(f, "--")), "exporter has no %s", f)
	}
	for k := range ex {
		assert.Contains(t, []string{"EXPORTER_ARGS", envKeyID, envSecret, envToken, envRegion, envEndpoint}, k, "exporter.env: %s is read by nobody", k)
	}

	ck := envAssignments(t, "check.env")
	for _, k := range []string{"LICENSE_FILE", "TEXTFILE_DIR", "CHECK_ARGS"} {
		assert.Contains(t, ck, k, "check.env documents %s", k)
	}
	for k := range ck {
		assert.Contains(t, []string{"LICENSE_FILE", "TEXTFILE_DIR", "CHECK_ARGS", "POLARLICENSE_STATE_DIR", envKeyID, envSecret, envToken, envRegion, envEndpoint}, k, "check.env: %s is read by nobody", k)
	}
}

// The check unit's command line, and the flags check.env suggests, are those
// of "polarlicense license check".
func TestSystemdCheckUnitFlags(t *testing.T) {
	a := &app{env: defaultEnvironment()}
	root := a.rootCommand()
	check, _, err := root.Find([]string{"license", "check"})
	require.NoError(t, err)
	require.Equal(t, "check", check.Name())
	execStart := unitSettings(t, "polarlicense-check.service")["ExecStart"][0]
	flags := regexp.MustCompile(`--[a-z-]+`).FindAllString(execStart, -1)
	require.Equal(t, []string{"--license", "--textfile-dir"}, flags)
	data, err := os.ReadFile(filepath.Join(unitsDir, "check.env"))
	require.NoError(t, err)
	// The flags of the indented lines (a suggestion and its continuation).
	for _, line := range regexp.MustCompile(`(?m)^#   .*$`).FindAllString(string(data), -1) {
		flags = append(flags, regexp.MustCompile(`--[a-z][a-z-]*`).FindAllString(line, -1)...)
	}
	require.Greater(t, len(flags), 8, "check.env suggests flags")
	for _, f := range flags {
		assert.NotNil(t, check.Flags().Lookup(strings.TrimPrefix(f, "--")), "license check has no %s", f)
	}
	// The suggested CHECK_ARGS line is a valid rest of the unit's command line
	// (systemd splits an unbraced $CHECK_ARGS into words).
	args := strings.Fields(envAssignments(t, "check.env")["CHECK_ARGS"])
	require.NotEmpty(t, args)
	require.NoError(t, check.ParseFlags(append([]string{"--license", "/x/license.lic", "--textfile-dir", "/x"}, args...)), "CHECK_ARGS=%q", args)
	require.NoError(t, check.ValidateRequiredFlags())
}
