// Package licenseread reads what a license path holds before a license is
// written there, for the tools that must tell a license of the host from
// anything else (license ensure, package fleet): bounded, and never
// through a symbolic link.
package licenseread

import (
	"errors"
	"io"
	"io/fs"
	"os"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// MaxSize bounds what Existing reads: a license is a few kilobytes, so a
// file larger than this is not one.
const MaxSize = 1 << 20

// Existing returns what path holds now: nil if nothing is there; otherwise
// no more than MaxSize+1 bytes of a regular file (an empty one gives an
// empty, non-nil slice). Anything but a regular file (a symbolic link, a
// directory, a device) is refused with polarlicense.ErrLicenseFileNotRegular,
// never followed or opened. Errors are *polarlicense.LicenseFileError
// (Op "inspect").
func Existing(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, inspectError(path, err)
	case !fi.Mode().IsRegular():
		return nil, inspectError(path, polarlicense.ErrLicenseFileNotRegular)
	}
	f, err := openFile(path)
	if err != nil {
		return nil, inspectError(path, err)
	}
	defer f.Close()
	// The path may have been replaced since the look (by a FIFO, which
	// openFile does not wait on, or a symbolic link, which it does not
	// follow).
	if ofi, err := f.Stat(); err != nil || !os.SameFile(fi, ofi) {
		return nil, inspectError(path, polarlicense.ErrLicenseFileNotRegular)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, inspectError(path, err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

func inspectError(path string, err error) error {
	return &polarlicense.LicenseFileError{Path: path, Op: "inspect", Err: err}
}
