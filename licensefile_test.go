package polarlicense

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteLicenseFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	lic := []byte("-----PolarDB license-----\x00\x01binary\xff")
	content := CertContent(base64.StdEncoding.EncodeToString(lic))

	require.NoError(t, WriteLicenseFile(path, content, false))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, lic, got)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, LicenseFileMode, info.Mode().Perm())

	// The same license again: fine, and the mode is put right.
	require.NoError(t, os.Chmod(path, 0o644))
	require.NoError(t, WriteLicenseFile(path, content, false))
	info, _ = os.Stat(path)
	assert.Equal(t, LicenseFileMode, info.Mode().Perm())

	// A different license: refused unless overwrite, and the file is untouched.
	other := CertContent(base64.StdEncoding.EncodeToString([]byte("another license")))
	err = WriteLicenseFile(path, other, false)
	assert.ErrorIs(t, err, ErrLicenseFileExists)
	got, _ = os.ReadFile(path)
	assert.Equal(t, lic, got)
	require.NoError(t, WriteLicenseFile(path, other, true))
	got, _ = os.ReadFile(path)
	assert.Equal(t, "another license", string(got))

	// No temporary files are left behind.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestWriteLicenseFileRejectsBadContentWithoutQuotingIt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "license.lic")
	err := WriteLicenseFile(path, CertContent("SECRET-LICENSE-TEXT!!"), false)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRET")
	assert.ErrorContains(t, WriteLicenseFile(path, "", false), "empty")
	_, statErr := os.Stat(path)
	assert.True(t, os.IsNotExist(statErr), "nothing is written for bad content")

	// Wrapped, unpadded base64 is accepted.
	wrapped := CertContent("bGlj\nZW5z\r\nZQ")
	require.NoError(t, WriteLicenseFile(path, wrapped, false))
	got, _ := os.ReadFile(path)
	assert.Equal(t, "license", string(got))

	// A directory that does not exist is an error, not a panic.
	assert.Error(t, WriteLicenseFile(filepath.Join(dir, "missing", "license.lic"), wrapped, false))
}
