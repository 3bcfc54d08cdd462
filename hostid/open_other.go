//go:build !unix

package hostid

import "os"

// openNonBlocking opens path for reading. Where there are no FIFOs to
// block on, an ordinary open does.
func openNonBlocking(path string) (*os.File, error) {
	return os.Open(path)
}
