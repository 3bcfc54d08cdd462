//go:build !unix

package nodecheck

import (
	"io/fs"
	"os"
)

// openLicense opens the license file for reading.
func openLicense(path string) (*os.File, error) { return os.Open(path) }

// checkOwner skips the file-owner check where files have no Unix owner.
func (x *run) checkOwner(string, fs.FileInfo) {
	x.skip(CheckFileOwner, "files have no Unix owner on this system")
}
