//go:build unix

package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// newFileOwnerNote warns when a new license file belongs to someone other
// than the owner of dir, its directory or the license_dir above it that
// fleet apply made it in (root writing in the database user's directory):
// PolarDB, running as that user, may not be able to read it.
// Users and groups are named as the system names them.
func newFileOwnerNote(path, dir string, fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	di, err := os.Stat(dir)
	if err != nil {
		return ""
	}
	whose := "its directory"
	if filepath.Clean(dir) != filepath.Dir(path) {
		whose = dir
	}
	dst, ok := di.Sys().(*syscall.Stat_t)
	if !ok || dst.Uid == st.Uid {
		return ""
	}
	return path + " is a new file owned by " + ownerSpecOf(st.Uid, st.Gid) +
		" with mode " + fmt.Sprintf("%04o", fi.Mode().Perm()) +
		", but " + whose + " belongs to " + ownerSpecOf(dst.Uid, dst.Gid) +
		": if PolarDB runs as user " + userName(dst.Uid) + ", it cannot read the file; pass --owner " + ownerSpecOf(dst.Uid, dst.Gid) +
		" (or chown it)"
}
