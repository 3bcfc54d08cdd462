//go:build !unix

package polarlicense

import (
	"errors"
	"io/fs"
	"os"
)

// openNoFollow opens path for reading. Where there is no O_NOFOLLOW, the
// Lstat before it and the Stat of the opened file stand in.
func openNoFollow(path string) (*os.File, error) {
	return os.Open(path)
}

// keepOwner does nothing where files have no Unix owner.
func keepOwner(*os.File, fs.FileInfo) error { return nil }

// chownFile refuses where files have no Unix owner.
func chownFile(*os.File, FileOwner) error {
	return errors.New("this system has no Unix file owners")
}
