//go:build unix

package hostid

import (
	"os"
	"syscall"
)

// openNonBlocking opens path for reading without waiting for a writer,
// should it have become a FIFO since it was looked at.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
