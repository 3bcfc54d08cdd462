package nodecheck_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/nodecheck"
)

// promtool returns the path of promtool, or skips t (fails it with CI=true).
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool is missing, and CI=true: install Debian's prometheus package")
		}
		t.Skip("promtool is missing (Debian's prometheus package): skipped outside CI")
	}
	return p
}

func TestWriteTextfile(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, otherID, expiry)
	r := run(t, f.options())
	require.Equal(t, nodecheck.Critical, r.Status)

	dir := t.TempDir()
	// An older file is replaced.
	require.NoError(t, os.WriteFile(filepath.Join(dir, nodecheck.TextfileName), []byte("old\n"), 0o600))
	require.NoError(t, r.WriteTextfile(dir))
	path := filepath.Join(dir, nodecheck.TextfileName)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "node_exporter reads it as its own user")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	text := string(b)
	lp := `license_path="` + f.path + `"`
	assert.Contains(t, text, "polarlicense_node_license_status{"+lp+"} 2\n")
	for _, name := range nodecheck.CheckNames {
		want := "0"
		if name == nodecheck.CheckSystemIdentifierMismatch {
			want = "1"
		}
		assert.Contains(t, text, `polarlicense_node_license_check{`+lp+`,check="`+name+`"} `+want+"\n")
	}
	assert.Contains(t, text, `polarlicense_node_license_expiry_timestamp_seconds{license_path="`+f.path+`",aliyun_order_id="`+order+`",activation_code_id="21"} `+strconv.FormatInt(expiry.Unix(), 10)+"\n")
	assert.Contains(t, text, "polarlicense_node_license_last_check_timestamp_seconds{"+lp+"} "+strconv.FormatInt(now.Unix(), 10)+"\n")

	cmd := exec.Command(promtool(t), "check", "metrics")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool check metrics: %s", out)
}

func TestWriteMetricsUnidentified(t *testing.T) {
	r := run(t, nodecheck.Options{LicensePath: filepath.Join(t.TempDir(), "weird\"\\\nname.lic"), MacAddress: mac, Now: func() time.Time { return now }})
	var b bytes.Buffer
	require.NoError(t, r.WriteMetrics(&b))
	assert.Regexp(t, `(?m)^polarlicense_node_license_status\{license_path="[^\n]*weird\\"\\\\\\nname\.lic"\} 2$`, b.String())
	assert.NotContains(t, b.String(), "polarlicense_node_license_expiry_timestamp_seconds", "no code, no expiry")
	assert.Equal(t, len(nodecheck.CheckNames), strings.Count(b.String(), "polarlicense_node_license_check{"))

	// A path that needs escaping, with the code known.
	f := newFixture(t)
	f.record(t, mac, sysID, expiry)
	odd := filepath.Join(t.TempDir(), "a\"b\\c\nd.lic")
	require.NoError(t, os.WriteFile(odd, license, 0o644))
	opts := f.options()
	opts.LicensePath = odd
	r = run(t, opts)
	b.Reset()
	require.NoError(t, r.WriteMetrics(&b))
	assert.Contains(t, b.String(), `license_path="`+filepath.Dir(odd)+`/a\"b\\c\nd.lic"`)
	cmd := exec.Command(promtool(t), "check", "metrics")
	cmd.Stdin = bytes.NewReader(b.Bytes())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool check metrics: %s", out)

	missing := filepath.Join(t.TempDir(), "no-such-dir")
	err = r.WriteTextfile(missing)
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Equal(t, "nodecheck: cannot write "+filepath.Join(missing, nodecheck.TextfileName)+" (creating a temporary file in "+missing+"): no such file or directory", err.Error())
}

// A textfile that cannot be put in place leaves what was there, and no
// temporary file for the collector to trip on.
func TestWriteTextfileFailsWhole(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, sysID, expiry)
	r := run(t, f.options())
	dir := t.TempDir()
	// A directory in the way of the rename.
	target := filepath.Join(dir, nodecheck.TextfileName)
	require.NoError(t, os.Mkdir(target, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(target, "keep"), []byte("kept"), 0o644))
	err := r.WriteTextfile(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot write "+target+" (renaming the temporary file over it)")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left")
	b, err := os.ReadFile(filepath.Join(target, "keep"))
	require.NoError(t, err)
	assert.Equal(t, "kept", string(b))
}

// Two databases on one node, each checked with a textfile of its own: the
// files' series never collide (node_exporter refuses two series of one
// name and labels as a gathering error), and each file passes promtool.
func TestTextfilesOfTwoDatabases(t *testing.T) {
	dir := t.TempDir()
	series := map[string]string{}
	for _, instance := range []string{"pg1", "pg2"} {
		f := newFixture(t)
		f.record(t, mac, sysID, expiry)
		r := run(t, f.options())
		name, err := nodecheck.TextfileNameFor(instance)
		require.NoError(t, err)
		assert.Equal(t, "polarlicense_node_"+instance+".prom", name)
		require.NoError(t, r.WriteTextfileAs(dir, name))
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if strings.HasPrefix(line, "#") {
				continue
			}
			id := line[:strings.LastIndexByte(line, ' ')]
			require.NotContains(t, series, id, "%s: the series is in %s too", name, series[id])
			series[id] = name
		}
		cmd := exec.Command(promtool(t), "check", "metrics")
		cmd.Stdin = bytes.NewReader(b)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "promtool check metrics: %s", out)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2)
	assert.Len(t, series, 2*(len(nodecheck.CheckNames)+3))

	name, err := nodecheck.TextfileNameFor("")
	require.NoError(t, err)
	assert.Equal(t, nodecheck.TextfileName, name)
	for _, bad := range []string{"a/b", "../x", "a b", "é", "a\n"} {
		_, err := nodecheck.TextfileNameFor(bad)
		assert.Error(t, err, "%q", bad)
	}
	for _, bad := range []string{"", ".prom", ".hidden.prom", "x.txt", "d/x.prom", "x.prom.tmp", strings.Repeat("a", 251) + ".prom"} {
		assert.Error(t, nodecheck.CheckTextfileName(bad), "%q", bad)
	}
	for _, good := range []string{"polarlicense_node.prom", "polarlicense_node_pg-1.prom", "x.y.prom"} {
		assert.NoError(t, nodecheck.CheckTextfileName(good), "%q", good)
	}
	// Every instance name systemd accepts, as %i gives it: those
	// systemd-escape escapes keep their backslash.
	for _, instance := range []string{`db\x2dmain`, "pg:5433", "pg@host", `a\x2fb`} {
		name, err := nodecheck.TextfileNameFor(instance)
		require.NoError(t, err, "%q", instance)
		require.NoError(t, (&nodecheck.Report{LicensePath: "/x/license.lic"}).WriteTextfileAs(dir, name), "%q", name)
		_, err = os.Stat(filepath.Join(dir, name))
		assert.NoError(t, err, "%q", name)
	}
	r := &nodecheck.Report{}
	err = r.WriteTextfileAs(dir, "../escape.prom")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid textfile name")
}
