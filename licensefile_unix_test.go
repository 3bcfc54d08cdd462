//go:build unix

package polarlicense

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ownerOf(t *testing.T, path string) (uid, gid uint32) {
	t.Helper()
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

func TestWriteLicenseFileKeepsTheReplacedFilesOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	require.NoError(t, os.WriteFile(path, []byte("old license"), 0o640))
	require.NoError(t, os.Chown(path, 1234, 1234))
	require.NoError(t, os.Chmod(path, 0o640))

	require.NoError(t, WriteLicenseFile(path, certOf("new license"), true))
	got, _ := os.ReadFile(path)
	assert.Equal(t, "new license", string(got))
	uid, gid := ownerOf(t, path)
	assert.Equal(t, [2]uint32{1234, 1234}, [2]uint32{uid, gid}, "owner and group of the replaced file")
	fi, _ := os.Stat(path)
	assert.Equal(t, fs.FileMode(0o640), fi.Mode().Perm())
	onlyEntry(t, dir, "license.lic")

	// Only the group differs from root's.
	require.NoError(t, os.Chown(path, 0, 1234))
	require.NoError(t, WriteLicenseFile(path, certOf("newer license"), true))
	uid, gid = ownerOf(t, path)
	assert.Equal(t, [2]uint32{0, 1234}, [2]uint32{uid, gid})
}

func TestWriteLicenseFileNewFileBelongsToTheWriter(t *testing.T) {
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// A directory the database user owns: a new file is still the writer's.
		require.NoError(t, os.Chown(dir, 1234, 1234))
	}
	path := filepath.Join(dir, "license.lic")
	require.NoError(t, WriteLicenseFile(path, certOf("license"), false))
	uid, _ := ownerOf(t, path)
	assert.Equal(t, uint32(os.Geteuid()), uid)
	fi, _ := os.Stat(path)
	assert.Equal(t, LicenseFileMode, fi.Mode().Perm())
}

func TestWriteLicenseFileRefusesAFIFOWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	for _, overwrite := range []bool{false, true} {
		done := make(chan error, 1)
		go func() { done <- WriteLicenseFile(path, certOf("lic"), overwrite) }()
		select {
		case err := <-done:
			assert.ErrorIs(t, err, ErrLicenseFileNotRegular, "overwrite=%v", overwrite)
			assert.ErrorContains(t, err, "named pipe")
		case <-time.After(10 * time.Second):
			// Unblock the stuck open so the test can end.
			if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
			t.Fatalf("WriteLicenseFile blocked on a FIFO (overwrite=%v)", overwrite)
		}
	}
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&fs.ModeNamedPipe, "the FIFO is left as it is")
	onlyEntry(t, dir, "license.lic")
}

func TestWriteLicenseFileReplacesNothingIfTheOwnerCannotBeKept(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a file to another user")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	require.NoError(t, os.WriteFile(path, []byte("old license"), 0o640))
	require.NoError(t, os.Chown(path, 1234, 1234))
	fchown = func(*os.File, int, int) error { return &fs.PathError{Op: "fchown", Path: "tmp", Err: syscall.EPERM} }
	defer func() { fchown = (*os.File).Chown }()

	err := WriteLicenseFile(path, certOf("new license"), true)
	var lfe *LicenseFileError
	require.ErrorAs(t, err, &lfe)
	assert.Equal(t, "chown", lfe.Op)
	assert.ErrorIs(t, err, fs.ErrPermission)
	assert.Equal(t, "polarlicense: license file "+path+": chown: cannot keep the replaced file's owner 1234:1234: operation not permitted; nothing was replaced", err.Error())
	got, _ := os.ReadFile(path)
	assert.Equal(t, "old license", string(got), "nothing was replaced")
	uid, gid := ownerOf(t, path)
	assert.Equal(t, [2]uint32{1234, 1234}, [2]uint32{uid, gid})
	onlyEntry(t, dir, "license.lic")
}
