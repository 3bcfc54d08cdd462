package fleet_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/fleet"
)

func TestLoadFillsDefaults(t *testing.T) {
	dir := t.TempDir()
	inv := writeInventory(t, dir, cluster("pg", orderA, dir, 1, 2, "    renew_within: 30d\n"),
		`  - name: my
    order: "`+orderB+`"
    renew_within: 36h
    nodes:
      - name: x
        mac: 00-16-3E-AA-BB-CC
        system_identifier: 7345118823001548203
        path: `+filepath.Join(dir, "x.lic")+`
        code_name: custom
`)
	require.Len(t, inv.Nodes, 3)
	n := inv.Nodes
	assert.Equal(t, filepath.Join(dir, "2", "license.lic"), n[1].Path)
	assert.Equal(t, dir, n[1].LicenseDir)
	assert.Equal(t, "pg-n2", n[1].CodeName)
	assert.Equal(t, 30*24*time.Hour, n[0].RenewWithin)
	assert.Equal(t, 36*time.Hour, n[2].RenewWithin)
	assert.Equal(t, "00:16:3e:aa:bb:cc", n[2].MacAddress)
	assert.Equal(t, "7345118823001548203", n[2].SystemIdentifier, "an unquoted number keeps its digits")
	assert.Equal(t, "custom", n[2].CodeName)
	assert.Empty(t, n[2].LicenseDir, "a path of its own")
	assert.Equal(t, 7, n[0].Line)
	assert.Equal(t, 2, n[0].ClusterLine)
	assert.Equal(t, 13, n[2].ClusterLine)
}

// Inventories refused before anything is sent, naming the line.
func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	require.NoError(t, os.Mkdir(real, 0o755))
	require.NoError(t, os.Symlink(real, filepath.Join(dir, "link")))
	node := func(name, m, sid, extra string) string {
		return "      - name: " + name + "\n        mac: " + m + "\n        system_identifier: \"" + sid + "\"\n" + extra
	}
	head := "clusters:\n  - name: a\n    order: \"" + orderA + "\"\n    license_dir: " + dir + "\n    nodes:\n"
	valid := head + node("n1", mac(1), sysID(1), "")
	cwd, err := os.Getwd()
	require.NoError(t, err)
	rel, err := filepath.Rel(cwd, filepath.Join(dir, "1", "license.lic"))
	require.NoError(t, err)
	for name, tc := range map[string]struct{ text, want string }{
		"second document":        {valid + "---\nclusters: []\n", "fleet.yaml:10: a second YAML document"},
		"second document, empty": {valid + "---\nfoo\n", "fleet.yaml:10: a second YAML document"},
		"same file, relative and absolute": {valid + node("n2", mac(2), sysID(2), "        path: "+rel+"\n"),
			`fleet.yaml:9: cluster "a" node "n2" writes ` + rel + `, the same file as cluster "a" node "n1" (line 6)`},
		"same file through a symlinked directory": {head + node("n1", mac(1), sysID(1), "        path: "+filepath.Join(real, "l.lic")+"\n") +
			node("n2", mac(2), sysID(2), "        path: "+filepath.Join(dir, "link", "l.lic")+"\n"),
			`fleet.yaml:10: cluster "a" node "n2" writes ` + filepath.Join(dir, "link", "l.lic") + `, the same file as cluster "a" node "n1" (line 6)`},
		"same file, cleaned": {valid + node("n2", mac(2), sysID(2), "        path: "+dir+"/./1//license.lic\n"), "the same file as"},
		"unknown key":        {valid + "        colour: blue\n", `fleet.yaml:9: unknown key "colour"`},
		"bad owner":          {strings.Replace(valid, "    nodes:", "    owner: no-such-user-polarlicense\n    nodes:", 1), `fleet.yaml:5: cluster "a": owner: no user "no-such-user-polarlicense"`},
		"bad renew_within":   {strings.Replace(valid, "    nodes:", "    renew_within: soon\n    nodes:", 1), `fleet.yaml:5: cluster "a": renew_within "soon"`},
		"same host":          {valid + node("n2", mac(1), sysID(1), ""), `fleet.yaml:9: cluster "a" node "n2" is the same host as cluster "a" node "n1" (line 6)`},
		"empty":              {"", "the inventory is empty"},
		"float system identifier": {strings.Replace(valid, `system_identifier: "`+sysID(1)+`"`, "system_identifier: 7.3e18", 1),
			`fleet.yaml:6: cluster "a" node "n1": invalid SystemIdentifier: `},
		"all-zero mac": {strings.Replace(valid, mac(1), "00:00:00:00:00:00", 1), `fleet.yaml:6: cluster "a" node "n1": invalid MacAddress: `},
		"no clusters":  {"clusters: []\n", "lists no clusters"},
	} {
		path := filepath.Join(t.TempDir(), "fleet.yaml")
		require.NoError(t, os.WriteFile(path, []byte(tc.text), 0o600))
		_, err := fleet.Load(path)
		var ie *fleet.InventoryError
		if assert.ErrorAs(t, err, &ie, name) {
			assert.Contains(t, err.Error(), tc.want, name)
		}
	}
}

// A file over the cap is refused having read no more than the cap.
func TestParseSizeCap(t *testing.T) {
	r := &countingReader{}
	_, err := fleet.Parse("big.yaml", r)
	var ie *fleet.InventoryError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), "big.yaml: the inventory is larger than 16 MiB")
	assert.Equal(t, int64(fleet.MaxInventorySize+1), r.n)

	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err := fleet.Load("/dev/zero")
		assert.ErrorContains(t, err, "larger than 16 MiB")
	}
}

// countingReader is an endless YAML comment, counting what was read.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n > 1<<30 {
		return 0, errors.New("read without bound")
	}
	for i := range p {
		p[i] = '#'
	}
	c.n += int64(len(p))
	return len(p), nil
}

var _ io.Reader = (*countingReader)(nil)
