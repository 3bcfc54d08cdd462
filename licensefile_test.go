package polarlicense

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func certOf(s string) CertContent {
	return NewCertContent(base64.StdEncoding.EncodeToString([]byte(s)))
}

// onlyEntry asserts that dir holds just the license: no temporary file.
func onlyEntry(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	assert.Equal(t, []string{name}, names)
}

func TestWriteLicenseFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	lic := []byte("-----PolarDB license-----\x00\x01binary\xff")
	content := NewCertContent(base64.StdEncoding.EncodeToString(lic))

	require.NoError(t, WriteLicenseFile(path, content, false))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, lic, got)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, LicenseFileMode, info.Mode().Perm())

	// The same license again: nothing is done, not even to the mode.
	require.NoError(t, os.Chmod(path, 0o640))
	require.NoError(t, WriteLicenseFile(path, content, false))
	require.NoError(t, WriteLicenseFile(path, content, true))
	info, _ = os.Stat(path)
	assert.Equal(t, fs.FileMode(0o640), info.Mode().Perm())

	// A different license: refused unless overwrite, and the file is untouched.
	other := certOf("another license")
	err = WriteLicenseFile(path, other, false)
	assert.ErrorIs(t, err, ErrLicenseFileExists)
	var lfe *LicenseFileError
	require.ErrorAs(t, err, &lfe)
	assert.Equal(t, path, lfe.Path)
	got, _ = os.ReadFile(path)
	assert.Equal(t, lic, got)

	// Replaced with overwrite, keeping the file's mode.
	require.NoError(t, WriteLicenseFile(path, other, true))
	got, _ = os.ReadFile(path)
	assert.Equal(t, "another license", string(got))
	info, _ = os.Stat(path)
	assert.Equal(t, fs.FileMode(0o640), info.Mode().Perm(), "a replaced file keeps its mode")

	onlyEntry(t, dir, "license.lic")
}

func TestWriteLicenseFileSameSizeDifferentContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "license.lic")
	require.NoError(t, os.WriteFile(path, []byte("license-A"), 0o600))
	assert.ErrorIs(t, WriteLicenseFile(path, certOf("license-B"), false), ErrLicenseFileExists)
	require.NoError(t, WriteLicenseFile(path, certOf("license-A"), false))
	got, _ := os.ReadFile(path)
	assert.Equal(t, "license-A", string(got))
}

func TestWriteLicenseFileRejectsBadContentWithoutQuotingIt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	err := WriteLicenseFile(path, NewCertContent("SECRET-LICENSE-TEXT!!"), false)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRET")
	assert.ErrorContains(t, WriteLicenseFile(path, CertContent{}, false), "empty")
	_, statErr := os.Stat(path)
	assert.True(t, os.IsNotExist(statErr), "nothing is written for bad content")

	// Wrapped, unpadded base64 is accepted.
	wrapped := NewCertContent("bGlj\nZW5z\r\nZQ")
	require.NoError(t, WriteLicenseFile(path, wrapped, false))
	got, _ := os.ReadFile(path)
	assert.Equal(t, "license", string(got))
}

func TestWriteLicenseFileErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "missing", "license.lic")
	err := WriteLicenseFile(path, certOf("SECRET-LICENSE"), false)
	var lfe *LicenseFileError
	require.ErrorAs(t, err, &lfe)
	assert.Equal(t, path, lfe.Path)
	assert.Equal(t, "create", lfe.Op)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Equal(t, "polarlicense: license file "+path+": create: "+lfe.Err.Error(), err.Error())
	assert.NotContains(t, err.Error(), ".tmp", "the temporary file is not the one to name")
	assert.NotContains(t, err.Error(), "SECRET")
}

func TestWriteLicenseFileRefusesADirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	require.NoError(t, os.Mkdir(path, 0o700))
	for _, overwrite := range []bool{false, true} {
		err := WriteLicenseFile(path, certOf("lic"), overwrite)
		assert.ErrorIs(t, err, ErrLicenseFileNotRegular, "overwrite=%v", overwrite)
		assert.ErrorContains(t, err, "a directory")
	}
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	onlyEntry(t, dir, "license.lic")
}

func TestWriteLicenseFileRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.lic")
	link := filepath.Join(dir, "license.lic")
	require.NoError(t, os.WriteFile(target, []byte("current"), 0o644))
	if err := os.Symlink("real.lic", link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	dangling := filepath.Join(dir, "dangling.lic")
	require.NoError(t, os.Symlink("nowhere.lic", dangling))

	// Whatever the content and overwrite say, a link is refused, and
	// neither it nor its target changes.
	cases := []struct {
		path, content string
		overwrite     bool
	}{
		{link, "current", false}, {link, "current", true},
		{link, "different", false}, {link, "different", true},
		{dangling, "new", false}, {dangling, "new", true},
	}
	for _, c := range cases {
		err := WriteLicenseFile(c.path, certOf(c.content), c.overwrite)
		assert.ErrorIs(t, err, ErrLicenseFileNotRegular, "%s %q overwrite=%v", filepath.Base(c.path), c.content, c.overwrite)
		assert.ErrorContains(t, err, "symbolic link")
	}
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&fs.ModeSymlink, "the link is still a link")
	fi, err = os.Stat(target)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o644), fi.Mode().Perm(), "the target's mode is untouched")
	got, _ := os.ReadFile(target)
	assert.Equal(t, "current", string(got))
	_, err = os.Stat(filepath.Join(dir, "nowhere.lic"))
	assert.ErrorIs(t, err, fs.ErrNotExist, "a dangling link's target is not created")
}

func TestWriteLicenseFileNoOverwriteIsAtomic(t *testing.T) {
	const writers = 8
	for round := range 25 {
		dir := t.TempDir()
		path := filepath.Join(dir, "license.lic")
		var (
			start sync.WaitGroup
			done  sync.WaitGroup
			errs  [writers]error
		)
		start.Add(1)
		for i := range writers {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				errs[i] = WriteLicenseFile(path, certOf("license of writer "+strconv.Itoa(i)), false)
			}()
		}
		start.Done()
		done.Wait()

		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				require.Equal(t, -1, winner, "round %d: writers %d and %d both succeeded", round, winner, i)
				winner = i
			default:
				require.ErrorIs(t, err, ErrLicenseFileExists, "round %d, writer %d", round, i)
			}
		}
		require.NotEqual(t, -1, winner, "round %d: no writer succeeded", round)
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, "license of writer "+strconv.Itoa(winner), string(got), "round %d", round)
		onlyEntry(t, dir, "license.lic")
	}
}

func TestWriteLicenseFileConcurrentSameLicenseAllSucceed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "license.lic")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = WriteLicenseFile(path, certOf("the one license"), false)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	got, _ := os.ReadFile(path)
	assert.Equal(t, "the one license", string(got))
}

func TestWriteLicenseFileDoesNotReadABigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(512<<20)) // sparse: no disk used
	require.NoError(t, f.Close())

	allocated := func(fn func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		fn()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	var err1, err2 error
	n := allocated(func() { err1 = WriteLicenseFile(path, certOf("small license"), false) })
	assert.ErrorIs(t, err1, ErrLicenseFileExists)
	assert.Less(t, n, uint64(1<<20), "bytes allocated to refuse a 512 MiB file")

	n = allocated(func() { err2 = WriteLicenseFile(path, certOf("small license"), true) })
	require.NoError(t, err2)
	assert.Less(t, n, uint64(1<<20), "bytes allocated to replace a 512 MiB file")
	got, _ := os.ReadFile(path)
	assert.Equal(t, "small license", string(got))
}

func TestLicenseFileErrorMessage(t *testing.T) {
	e := &LicenseFileError{Path: "/var/lib/polardb/license.lic", Op: "inspect", Err: ErrLicenseFileExists}
	assert.Equal(t, "polarlicense: license file /var/lib/polardb/license.lic: inspect: a different license file already exists", e.Error())
	assert.True(t, errors.Is(e, ErrLicenseFileExists))
	assert.False(t, errors.Is(e, ErrLicenseFileNotRegular))
	assert.False(t, strings.Contains(notRegularError{"a directory"}.Error(), "link"))
}

// An empty path is refused by the check as by the write: the check said it
// could be written (a temporary file in the working directory), and the
// write, after a caller had spent a code on that answer, failed.
func TestEmptyLicensePathRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	cert := NewCertContent(base64.StdEncoding.EncodeToString([]byte("license")))
	for name, err := range map[string]error{
		"check":           CheckLicenseFileWritable("", LicenseFileOptions{}),
		"check overwrite": CheckLicenseFileWritable("", LicenseFileOptions{Overwrite: true}),
		"write":           WriteLicenseFile("", cert, true),
	} {
		var lfe *LicenseFileError
		require.ErrorAs(t, err, &lfe, name)
		assert.Equal(t, "polarlicense: license file : inspect: the license path is empty", err.Error(), name)
	}
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing made in the working directory")
}
