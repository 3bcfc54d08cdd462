//go:build unix

package nodecheck_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/nodecheck"
)

func TestFIFONeverBlocks(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, sysID, expiry)
	opts := f.options()
	fifo := filepath.Join(t.TempDir(), "license.lic")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	opts.LicensePath = fifo
	done := make(chan *nodecheck.Report, 1)
	go func() {
		r, _ := nodecheck.Run(context.Background(), opts)
		done <- r
	}()
	var r *nodecheck.Report
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the check blocked on a FIFO")
	}
	assert.Equal(t, []string{nodecheck.CheckFileNotRegular}, failing(r))
	assert.Contains(t, r.Summary, "a FIFO")
}

// nobody is the database's user in these tests when they run as root.
const nobody = 65534

func TestFileOwner(t *testing.T) {
	f := newFixture(t)
	f.record(t, mac, sysID, expiry)
	if os.Geteuid() != 0 {
		// The data directory is this user's: a file of mode 0000 is
		// unreadable to it (and to the check).
		require.NoError(t, os.Chmod(f.path, 0))
		r := run(t, f.options())
		assert.Contains(t, failing(r), nodecheck.CheckFileOwner)
		assert.Contains(t, r.Check(nodecheck.CheckFileOwner).Message, "cannot read "+f.path)
		return
	}
	// As root: the data directory belongs to nobody, who runs the database;
	// the license is in a directory all may enter.
	require.NoError(t, os.Chown(f.pgdata, nobody, nobody))
	dir, err := os.MkdirTemp("", "polarlicense-nodecheck-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	f.path = filepath.Join(dir, "license.lic")
	require.NoError(t, os.WriteFile(f.path, license, 0o600))

	// root:root 0600, as a root script leaves it.
	require.NoError(t, os.Chmod(f.path, 0o600))
	r := run(t, f.options())
	assert.Equal(t, nodecheck.Critical, r.Status)
	assert.Equal(t, []string{nodecheck.CheckFileOwner}, failing(r))
	assert.Contains(t, r.Summary, "the database's user nobody cannot read "+f.path+" (root:root 0600)")

	// Readable by others: fine.
	require.NoError(t, os.Chmod(f.path, 0o644))
	r = run(t, f.options())
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.Contains(t, r.Check(nodecheck.CheckFileOwner).Message, "nobody can read")

	// Owned by the database's user, 0600: fine.
	require.NoError(t, os.Chown(f.path, nobody, nobody))
	require.NoError(t, os.Chmod(f.path, 0o600))
	r = run(t, f.options())
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())

	// Readable through the group: nobody's primary group (nogroup, 65534).
	require.NoError(t, os.Chown(f.path, 0, nobody))
	require.NoError(t, os.Chmod(f.path, 0o640))
	r = run(t, f.options())
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())

	// A directory above it nobody may not enter.
	require.NoError(t, os.Chmod(f.path, 0o644))
	require.NoError(t, os.Chmod(filepath.Dir(f.path), 0o700))
	r = run(t, f.options())
	assert.Equal(t, []string{nodecheck.CheckFileOwner}, failing(r))
	assert.Contains(t, r.Summary, "may not enter "+filepath.Dir(f.path))
}
