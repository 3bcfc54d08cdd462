//go:build unix

package polarlicense

import (
	"crypto/sha256"
	"encoding/hex"
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

func TestWriteLicenseFileWithOptionsOwnerAndRecord(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	dir := t.TempDir()
	state := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "license.lic")
	owner := FileOwner{UID: 4242, GID: 4343}
	code := &ActivationCode{ID: 9, MacAddress: "00:16:3e:00:00:09", SystemIdentifier: "123"}
	opts := LicenseFileOptions{Owner: &owner, StateDir: state, Code: code, AliyunOrderID: "o-9"}
	require.NoError(t, CheckLicenseFileWritable(path, opts))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing left behind by the check")
	require.NoError(t, WriteLicenseFileWithOptions(path, certOf("lic-9"), opts))
	uid, gid := ownerOf(t, path)
	assert.Equal(t, [2]uint32{4242, 4343}, [2]uint32{uid, gid})
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, LicenseFileMode, fi.Mode().Perm())

	sum := sha256.Sum256([]byte("lic-9"))
	rec, err := LookupLicenseRecord(state, hex.EncodeToString(sum[:]))
	require.NoError(t, err)
	assert.Equal(t, LicenseRecord{Path: path, SHA256: hex.EncodeToString(sum[:]), AliyunOrderID: "o-9", ActivationCodeID: 9,
		MacAddress: "00:16:3e:00:00:09", SystemIdentifier: "123", WrittenAt: rec.WrittenAt}, *rec)

	// Written again as it is, with another owner asked for: the owner changes.
	require.NoError(t, os.Chmod(path, 0o644))
	owner2 := FileOwner{UID: 4444, GID: 4545}
	require.NoError(t, WriteLicenseFileWithOptions(path, certOf("lic-9"), LicenseFileOptions{Owner: &owner2}))
	uid, gid = ownerOf(t, path)
	assert.Equal(t, [2]uint32{4444, 4545}, [2]uint32{uid, gid})
	fi, _ = os.Stat(path)
	assert.Equal(t, LicenseFileMode, fi.Mode().Perm())

	// The check refuses an existing file without Overwrite, and a symlink always.
	assert.ErrorIs(t, CheckLicenseFileWritable(path, LicenseFileOptions{}), ErrLicenseFileExists)
	assert.NoError(t, CheckLicenseFileWritable(path, LicenseFileOptions{Overwrite: true}))
	link := filepath.Join(dir, "link.lic")
	require.NoError(t, os.Symlink(path, link))
	assert.ErrorIs(t, CheckLicenseFileWritable(link, LicenseFileOptions{Overwrite: true}), ErrLicenseFileNotRegular)
}

func TestLookupFileOwner(t *testing.T) {
	o, err := LookupFileOwner("root")
	require.NoError(t, err)
	assert.Equal(t, FileOwner{0, 0}, o)
	o, err = LookupFileOwner("0:0")
	require.NoError(t, err)
	assert.Equal(t, FileOwner{0, 0}, o)
	o, err = LookupFileOwner("1234:5678")
	require.NoError(t, err)
	assert.Equal(t, FileOwner{1234, 5678}, o)
	for _, bad := range []string{"", ":", "root:", ":root", "no-such-user-xyz", "root:no-such-group-xyz", "987654"} {
		_, err := LookupFileOwner(bad)
		assert.Error(t, err, bad)
	}
}

// Someone who can write the directory swaps the temporary file for a
// symbolic link just before it is put in place: the write must not report
// success, and nothing is written through the link.
func TestWriteLicenseFileDetectsASwappedTemporaryFile(t *testing.T) {
	for _, overwrite := range []bool{false, true} {
		dir := t.TempDir()
		target := filepath.Join(t.TempDir(), "victim")
		require.NoError(t, os.WriteFile(target, []byte("keep me"), 0o644))
		path := filepath.Join(dir, "license.lic")
		if overwrite {
			require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
		}
		old := beforePlace
		beforePlace = func(tmp string) {
			require.NoError(t, os.Remove(tmp))
			require.NoError(t, os.Symlink(target, tmp))
		}
		err := WriteLicenseFileWithOptions(path, certOf("new license"), LicenseFileOptions{Overwrite: overwrite})
		beforePlace = old
		require.ErrorIs(t, err, ErrLicenseFileChanged, "overwrite %t", overwrite)
		var lfe *LicenseFileError
		require.ErrorAs(t, err, &lfe)
		assert.Equal(t, "verify", lfe.Op)
		got, err := os.ReadFile(target)
		require.NoError(t, err)
		assert.Equal(t, "keep me", string(got), "nothing written through the link")
	}
}

// Two writers of one license race: the loser finds the winner's identical
// file in place. It succeeds, and the owner it was asked for is applied to
// that file, as it is to a file found holding the license before a write.
func TestWriteLicenseFileRaceLoserAppliesItsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	path := filepath.Join(t.TempDir(), "license.lic")
	old := beforePlace
	t.Cleanup(func() { beforePlace = old })
	beforePlace = func(string) {
		beforePlace = old // the winner writes once, as itself
		require.NoError(t, WriteLicenseFileWithOptions(path, certOf("lic-race"), LicenseFileOptions{}))
	}
	owner := FileOwner{UID: 4646, GID: 4747}
	require.NoError(t, WriteLicenseFileWithOptions(path, certOf("lic-race"), LicenseFileOptions{Owner: &owner}))
	uid, gid := ownerOf(t, path)
	assert.Equal(t, [2]uint32{4646, 4747}, [2]uint32{uid, gid}, "the loser's owner applied")
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, LicenseFileMode, fi.Mode().Perm())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "lic-race", string(got))
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	// A different license in place is still refused, owner or not.
	path2 := filepath.Join(t.TempDir(), "license.lic")
	beforePlace = func(string) {
		beforePlace = old
		require.NoError(t, WriteLicenseFileWithOptions(path2, certOf("other"), LicenseFileOptions{}))
	}
	err = WriteLicenseFileWithOptions(path2, certOf("lic-race"), LicenseFileOptions{Owner: &owner})
	assert.ErrorIs(t, err, ErrLicenseFileExists)
	uid, _ = ownerOf(t, path2)
	assert.Equal(t, uint32(0), uid, "the winner's file keeps its owner")
}
