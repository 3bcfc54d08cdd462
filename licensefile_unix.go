//go:build unix

package polarlicense

import (
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// openNoFollow opens path for reading without following a symbolic link
// (ELOOP instead) and without blocking on a named pipe or device.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
}

// fchown changes an open file's owner; a variable for the tests, which run
// as root and cannot otherwise see a chown fail.
var fchown = (*os.File).Chown

// keepOwner gives f the owner and group of existing, if they differ.
func keepOwner(f *os.File, existing fs.FileInfo) error {
	want, ok := existing.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if have, ok := fi.Sys().(*syscall.Stat_t); ok && have.Uid == want.Uid && have.Gid == want.Gid {
		return nil
	}
	if err := fchown(f, int(want.Uid), int(want.Gid)); err != nil {
		return &ownerError{uid: want.Uid, gid: want.Gid, err: err}
	}
	return nil
}

// ownerError is a failure to keep a replaced file's owner.
type ownerError struct {
	uid, gid uint32
	err      error
	asked    bool // the owner was asked for (LicenseFileOptions.Owner), not kept
}

// Error names the owner that could not be kept.
func (e *ownerError) Error() string {
	cause := e.err
	if pe, ok := cause.(*fs.PathError); ok {
		cause = pe.Err
	}
	if e.asked {
		msg := "cannot give the file the owner " + strconv.FormatUint(uint64(e.uid), 10) + ":" +
			strconv.FormatUint(uint64(e.gid), 10) + ": " + cause.Error()
		if os.Geteuid() != 0 {
			msg += " (giving a file to another user needs root)"
		}
		return msg
	}
	return "cannot keep the replaced file's owner " + strconv.FormatUint(uint64(e.uid), 10) + ":" +
		strconv.FormatUint(uint64(e.gid), 10) + ": " + cause.Error() + "; nothing was replaced"
}

// Unwrap returns the cause.
func (e *ownerError) Unwrap() error { return e.err }

// chownFile gives an open file owner's uid and gid, if they differ.
func chownFile(f *os.File, owner FileOwner) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if have, ok := fi.Sys().(*syscall.Stat_t); ok && int(have.Uid) == owner.UID && int(have.Gid) == owner.GID {
		return nil
	}
	if err := fchown(f, owner.UID, owner.GID); err != nil {
		return &ownerError{uid: uint32(owner.UID), gid: uint32(owner.GID), err: err, asked: true}
	}
	return nil
}
