package polarlicense

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// License files: the license.lic a PolarDB node reads at start-up. Writing
// one must never leave the database unable to start: no partial file, no
// owner or mode it cannot read, no file replaced that the caller said to keep.

// ErrLicenseFileExists is returned (inside a *LicenseFileError) by
// WriteLicenseFile when the path holds a different license and overwriting
// was not asked for.
var ErrLicenseFileExists = errors.New("a different license file already exists")

// ErrLicenseFileNotRegular is returned (inside a *LicenseFileError) by
// WriteLicenseFile when the path is not a regular file: a directory, a
// symbolic link, a named pipe, a socket or a device. Such a path is never
// opened, read or replaced.
var ErrLicenseFileNotRegular = errors.New("the license path is not a regular file")

// LicenseFileMode is the permission WriteLicenseFile gives a new license
// file: readable and writable by its owner only, as it is a secret. A
// replaced file keeps its own mode.
const LicenseFileMode fs.FileMode = 0o600

// LicenseFileError is a failure of WriteLicenseFile to inspect, write or
// put in place a license file. It names the license path (never a temporary
// file's) and never quotes the license. errors.Is matches its cause:
// ErrLicenseFileExists, ErrLicenseFileNotRegular, or the system's error
// (fs.ErrPermission, fs.ErrNotExist, syscall.ENOSPC, …).
type LicenseFileError struct {
	// Path is the license path WriteLicenseFile was given.
	Path string
	// Op is the step that failed: "inspect", "create", "write", "chown",
	// "chmod", "sync", "replace" or "link".
	Op string
	// Err is the cause.
	Err error
}

// Error says which file, which step and why.
func (e *LicenseFileError) Error() string {
	return "polarlicense: license file " + e.Path + ": " + e.Op + ": " + strings.TrimPrefix(e.Err.Error(), "polarlicense: ")
}

// Unwrap returns the cause.
func (e *LicenseFileError) Unwrap() error { return e.Err }

// licenseFileError wraps err for path. An *fs.PathError or *os.LinkError
// is unwrapped to its system error: the path it names may be the
// temporary file's, and the license path is the one that matters.
func licenseFileError(path, op string, err error) *LicenseFileError {
	switch e := err.(type) {
	case *fs.PathError:
		err = e.Err
	case *os.LinkError:
		err = e.Err
	}
	return &LicenseFileError{Path: path, Op: op, Err: err}
}

// notRegularError says what a path is instead of a regular file; it
// matches ErrLicenseFileNotRegular.
type notRegularError struct{ kind string }

// Error names what the path is.
func (e notRegularError) Error() string {
	msg := "it is " + e.kind + ", not a regular file"
	if e.kind == "a symbolic link" {
		msg += " (links are not followed: pass the path of the file it points to)"
	}
	return msg
}

// Is makes errors.Is(err, ErrLicenseFileNotRegular) true.
func (e notRegularError) Is(target error) bool { return target == ErrLicenseFileNotRegular }

// notRegular describes a mode that is not a regular file's.
func notRegular(m fs.FileMode) notRegularError {
	switch {
	case m&fs.ModeSymlink != 0:
		return notRegularError{"a symbolic link"}
	case m.IsDir():
		return notRegularError{"a directory"}
	case m&fs.ModeNamedPipe != 0:
		return notRegularError{"a named pipe"}
	case m&fs.ModeSocket != 0:
		return notRegularError{"a socket"}
	case m&fs.ModeDevice != 0:
		return notRegularError{"a device"}
	}
	return notRegularError{"not a plain file"}
}

// WriteLicenseFile decodes a license (the CertContentB64 of
// DescribeActivationCodeDetails or CreateActivationCode) and writes it to
// path, the license.lic that PolarDB reads at start-up.
//
// The write is atomic: the bytes go to a temporary file in the same
// directory, which is synced, then put in place under path, and the
// directory is synced, so a reader sees the old license or the new one,
// never a part.
//
//   - If path already holds the same license, nothing is done: the file,
//     its owner and its mode are left as they are.
//   - If it holds anything else, WriteLicenseFile returns
//     ErrLicenseFileExists unless overwrite is true. Without overwrite this
//     holds against concurrent writers too: the new file is linked into
//     place (link(2) fails if the name exists), so of several writers of
//     different licenses exactly one succeeds. This needs a file system
//     with hard links, which every Linux one PolarDB runs on has.
//   - A replaced file keeps its owner, group and permission bits, so a
//     license owned by the database user stays readable by it when root
//     replaces it. If the owner cannot be kept (a writer other than root
//     replacing another user's file), nothing is replaced and the error
//     says so.
//   - A new file belongs to the writer (its user, and its group or the
//     directory's by the system's rules) with LicenseFileMode, 0600. Run
//     as root, that is root's file, which a database running as its own
//     user cannot read, even in a directory that user owns: create a new
//     license as the database user (sudo -u), or chown it afterwards.
//   - A path that is not a regular file (a directory, named pipe, socket
//     or device) is refused with ErrLicenseFileNotRegular, and never opened.
//     So is a symbolic link, whatever it points to and whatever the contents:
//     links are never followed, as a link planted by anyone who can write
//     the directory would otherwise aim a root writer at any file. Links in
//     the directories above path are followed as usual.
//   - An existing file is read only if its size is the new license's, and
//     never past that size, so a huge file costs no memory.
//
// Errors about the file are *LicenseFileError, naming path. Errors never
// quote the license.
func WriteLicenseFile(path string, content CertContent, overwrite bool) error {
	data, err := content.Decode()
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("polarlicense: the license content is empty")
	}
	existing, same, err := inspectLicenseFile(path, data)
	switch {
	case err != nil:
		return err
	case same:
		return nil
	case existing != nil && !overwrite:
		return &LicenseFileError{Path: path, Op: "inspect", Err: ErrLicenseFileExists}
	}

	tmp, err := writeTempLicense(path, data, existing)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // after a rename or a failed write; a no-op then

	dir := filepath.Dir(path)
	if overwrite {
		if err := os.Rename(tmp, path); err != nil {
			return licenseFileError(path, "replace", err)
		}
	} else {
		if err := os.Link(tmp, path); err != nil {
			if !errors.Is(err, fs.ErrExist) {
				return licenseFileError(path, "link", err)
			}
			// Another writer got there first: fine if it wrote this license.
			_, same, ierr := inspectLicenseFile(path, data)
			switch {
			case ierr != nil:
				return ierr
			case same:
				return nil
			}
			return &LicenseFileError{Path: path, Op: "link", Err: ErrLicenseFileExists}
		}
		if err := os.Remove(tmp); err != nil {
			return licenseFileError(path, "link", err)
		}
	}
	syncDir(dir)
	return nil
}

// inspectLicenseFile looks at what path holds now. existing is nil if
// there is no file; same tells whether it holds data. A path that is not a
// regular file is an error; it is never opened, and a regular file is read
// only if it has data's size.
func inspectLicenseFile(path string, data []byte) (existing fs.FileInfo, same bool, err error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		return nil, false, licenseFileError(path, "inspect", err)
	case !fi.Mode().IsRegular():
		return nil, false, &LicenseFileError{Path: path, Op: "inspect", Err: notRegular(fi.Mode())}
	case fi.Size() != int64(len(data)):
		return fi, false, nil
	}
	// openNoFollow neither follows a link nor blocks on a pipe, should the
	// path have been swapped since the Lstat; the descriptor's own Stat
	// then says what was opened.
	f, err := openNoFollow(path)
	if err != nil {
		return nil, false, licenseFileError(path, "inspect", err)
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil {
		return nil, false, licenseFileError(path, "inspect", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, false, &LicenseFileError{Path: path, Op: "inspect", Err: notRegular(fi.Mode())}
	}
	got, err := io.ReadAll(io.LimitReader(f, int64(len(data))+1))
	if err != nil {
		return nil, false, licenseFileError(path, "inspect", err)
	}
	return fi, bytes.Equal(got, data), nil
}

// writeTempLicense writes data to a new temporary file next to path, with
// the owner, group and mode of existing (LicenseFileMode if nil), synced
// and closed, and returns its name. On error nothing is left behind.
func writeTempLicense(path string, data []byte, existing fs.FileInfo) (name string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", licenseFileError(path, "create", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return "", licenseFileError(path, "write", err)
	}
	mode := LicenseFileMode
	if existing != nil {
		mode = existing.Mode().Perm()
		if err := keepOwner(tmp, existing); err != nil {
			return "", licenseFileError(path, "chown", err)
		}
	}
	// Chmod after chown: a chown may clear permission bits.
	if err := tmp.Chmod(mode); err != nil {
		return "", licenseFileError(path, "chmod", err)
	}
	if err := tmp.Sync(); err != nil {
		return "", licenseFileError(path, "sync", err)
	}
	if err := tmp.Close(); err != nil {
		return "", licenseFileError(path, "write", err)
	}
	return tmp.Name(), nil
}

// syncDir makes a rename or link in dir durable where the platform allows
// it. Some file systems refuse to sync a directory; the file itself is
// synced already, so that is not an error.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
