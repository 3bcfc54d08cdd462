//go:build unix

package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// newFileOwnerNote warns when a new license file belongs to someone other
// than its directory's owner (root writing in the database user's
// directory): PolarDB, running as that user, may not be able to read it.
func newFileOwnerNote(path string, fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return ""
	}
	dst, ok := dir.Sys().(*syscall.Stat_t)
	if !ok || dst.Uid == st.Uid {
		return ""
	}
	return path + " is a new file owned by uid " + strconv.FormatUint(uint64(st.Uid), 10) +
		" with mode " + fmt.Sprintf("%04o", fi.Mode().Perm()) +
		", but its directory belongs to uid " + strconv.FormatUint(uint64(dst.Uid), 10) +
		": if PolarDB runs as that user, chown the file to it"
}
