//go:build unix

package main

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

func TestDescribeLocalFileErrorsNameTheFile(t *testing.T) {
	a := &app{}
	dir := filepath.Join("/var", "lib", "polardb")
	path := filepath.Join(dir, "license.lic")
	cases := []struct {
		err  error
		want string
	}{
		{&polarlicense.LicenseFileError{Path: path, Op: "create", Err: syscall.EACCES},
			"cannot write " + path + ": permission denied (creating a temporary file in " + dir + "): run as the owner of " + dir + " or as root"},
		{&polarlicense.LicenseFileError{Path: path, Op: "write", Err: syscall.ENOSPC},
			"cannot write " + path + ": no space left on device (writing the new file in " + dir + ")"},
		{&polarlicense.LicenseFileError{Path: path, Op: "sync", Err: syscall.EIO},
			"cannot write " + path + ": input/output error (writing the new file in " + dir + ")"},
		{&polarlicense.LicenseFileError{Path: path, Op: "replace", Err: syscall.EROFS},
			"cannot write " + path + ": read-only file system (putting the new file in place)"},
		{fmt.Errorf("wrapped: %w", &polarlicense.LicenseFileError{Path: path, Op: "inspect", Err: polarlicense.ErrLicenseFileExists}),
			path + " already holds a different license"},
	}
	for _, c := range cases {
		got := a.describe(c.err)
		assert.Equal(t, c.want, got)
		assert.NotContains(t, got, "cannot reach the service")
	}
}
