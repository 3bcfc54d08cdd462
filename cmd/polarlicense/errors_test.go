//go:build unix

package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/hostid"
)

func TestDescribeLocalFileErrorsNameTheFile(t *testing.T) {
	a := &app{}
	dir := filepath.Join("/var", "lib", "polardb")
	path := filepath.Join(dir, "license.lic")
	// Root is never told to run as root.
	denied := ": run as the owner of " + dir + " or as root"
	if os.Geteuid() == 0 {
		denied = " (refused to root too: look for a read-only or network file system, an immutable attribute or a security policy)"
	}
	cases := []struct {
		err  error
		want string
	}{
		{&polarlicense.LicenseFileError{Path: path, Op: "create", Err: syscall.EACCES},
			"cannot write " + path + ": permission denied (creating a temporary file in " + dir + ")" + denied},
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

func TestDescribeLocalErrnoIsNoNetworkFailure(t *testing.T) {
	a := &app{}
	// Every syscall.Errno is a net.Error: unwrapped by a network operation it
	// is a local failure, said as it is.
	ctl := &hostid.ControlFileError{Path: "/data/global/pg_control", Err: fmt.Errorf("open: %w", syscall.ENOENT)}
	assert.Equal(t, "control file /data/global/pg_control: open: no such file or directory", a.describe(ctl))
	assert.Equal(t, "read inventory: permission denied", a.describe(fmt.Errorf("read inventory: %w", syscall.EACCES)))
	// The same errno from a dial is the service being out of reach.
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	assert.Equal(t, "cannot reach the service at the endpoint: connection refused", a.describe(fmt.Errorf("send: %w", dial)))
}
