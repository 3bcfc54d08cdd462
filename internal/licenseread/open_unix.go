//go:build unix

package licenseread

import (
	"os"
	"syscall"
)

// openFile opens path for reading without following a symbolic link and
// without waiting, should it have become a FIFO since it was looked at.
func openFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
