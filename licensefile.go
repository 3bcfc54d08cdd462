package polarlicense

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrLicenseFileExists is returned by WriteLicenseFile when the path holds a
// different file and overwriting was not asked for.
var ErrLicenseFileExists = errors.New("polarlicense: a different license file already exists")

// LicenseFileMode is the permission WriteLicenseFile gives a license file:
// readable and writable by its owner only, as it is a secret.
const LicenseFileMode fs.FileMode = 0o600

// WriteLicenseFile decodes a license (the CertContentB64 of
// DescribeActivationCodeDetails or CreateActivationCode) and writes it to
// path, the license.lic that PolarDB reads at start-up.
//
// The write is atomic: the bytes go to a temporary file in the same
// directory, which is synced and then renamed over path, so a reader never
// sees a partial license. The file gets LicenseFileMode. If path already
// holds the same license, nothing is written; if it holds anything else,
// WriteLicenseFile returns ErrLicenseFileExists unless overwrite is true.
// Errors never quote the license.
func WriteLicenseFile(path string, content CertContent, overwrite bool) error {
	data, err := content.Decode()
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("polarlicense: the license content is empty")
	}
	existing, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(existing, data):
		return os.Chmod(path, LicenseFileMode)
	case err == nil && !overwrite:
		return ErrLicenseFileExists
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	if err := tmp.Chmod(LicenseFileMode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable where the platform allows it.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
