package licenseread_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/internal/licenseread"
)

func TestExisting(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o600))
		return p
	}

	got, err := licenseread.Existing(filepath.Join(dir, "none"))
	require.NoError(t, err)
	assert.Nil(t, got, "nothing there")

	got, err = licenseread.Existing(write("empty", nil))
	require.NoError(t, err)
	assert.NotNil(t, got, "an empty file is there")
	assert.Empty(t, got)

	got, err = licenseread.Existing(write("lic", []byte("a license")))
	require.NoError(t, err)
	assert.Equal(t, "a license", string(got))

	big := bytes.Repeat([]byte{'x'}, licenseread.MaxSize+100)
	got, err = licenseread.Existing(write("big", big))
	require.NoError(t, err)
	assert.Len(t, got, licenseread.MaxSize+1, "read no further than one byte past the bound")

	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(filepath.Join(dir, "lic"), link))
	for _, p := range []string{link, dir} {
		got, err = licenseread.Existing(p)
		assert.Nil(t, got)
		assert.ErrorIs(t, err, polarlicense.ErrLicenseFileNotRegular, p)
		var fe *polarlicense.LicenseFileError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, p, fe.Path)
		assert.Equal(t, "inspect", fe.Op)
		assert.NotErrorIs(t, err, fs.ErrNotExist)
	}
}
