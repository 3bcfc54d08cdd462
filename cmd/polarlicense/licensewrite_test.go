//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestLicenseWriteRefusesWhatIsNotAFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderPG
	id := strconv.FormatInt(srv.Codes(order)[0].ID, 10)
	dir := t.TempDir()

	sub := filepath.Join(dir, "license.lic")
	require.NoError(t, os.Mkdir(sub, 0o700))
	fifo := filepath.Join(dir, "fifo.lic")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	link := filepath.Join(dir, "link.lic")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "real.lic"), []byte("x"), 0o600))
	require.NoError(t, os.Symlink("real.lic", link))

	for path, what := range map[string]string{sub: "a directory", fifo: "a named pipe", link: "a symbolic link"} {
		for _, force := range []string{"--force=false", "--force=true"} {
			r := runAt(t, srv, "license", "write", order, id, "--out", path, force)
			assert.Equal(t, exitFailure, r.code)
			line := oneLineOn(t, r.stderr)
			assert.Contains(t, line, "polarlicense: cannot write "+path+": it is "+what+", not a regular file")
			assert.NotContains(t, line, "reach the service")
		}
	}
}

func TestLicenseWriteKeepsTheOwnerAndReportsTheMode(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	t.Parallel()
	srv := newServer(t)
	order := polarlicensetest.DemoOrderPG
	id := strconv.FormatInt(srv.Codes(order)[0].ID, 10)
	dir := t.TempDir()
	require.NoError(t, os.Chown(dir, 1234, 1234))

	// A new file as root in the database user's directory: written, with a note.
	path := filepath.Join(dir, "license.lic")
	r := runLive(t, srv, "license", "write", order, id, "--out", path, "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "polarlicense: note: "+path+" is a new file owned by root:root with mode 0600, but its directory belongs to 1234:1234: "+
		"if PolarDB runs as user 1234, it cannot read the file; pass --owner 1234:1234 (or chown it)",
		oneLineOn(t, r.stderr))
	rec := decodeJSON[licenseRecord](t, r.stdout)
	assert.True(t, rec.Written)

	// The database user's file, replaced: it stays theirs, and its mode is reported.
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o640))
	require.NoError(t, os.Chown(path, 1234, 1234))
	require.NoError(t, os.Chmod(path, 0o640))
	r = ok(t, runLive(t, srv, "license", "write", order, id, "--out", path, "--force", "-o", "json"))
	rec = decodeJSON[licenseRecord](t, r.stdout)
	assert.True(t, rec.Written)
	assert.Equal(t, "0640", rec.Mode)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	assert.Equal(t, [2]uint32{1234, 1234}, [2]uint32{st.Uid, st.Gid})

	// The same again: not written, nothing said.
	r = ok(t, runLive(t, srv, "license", "write", order, id, "--out", path, "-o", "json"))
	assert.False(t, decodeJSON[licenseRecord](t, r.stdout).Written)
}
