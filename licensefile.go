package polarlicense

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
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
	// "chmod", "sync", "replace", "link", "verify" or "record".
	Op string
	// Err is the cause.
	Err error
}

// Error says which file, which step and why.
func (e *LicenseFileError) Error() string {
	return "polarlicense: license file " + e.Path + ": " + e.Op + ": " + strings.TrimPrefix(causeText(e.Err), "polarlicense: ")
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
	return WriteLicenseFileWithOptions(path, content, LicenseFileOptions{Overwrite: overwrite})
}

// ErrLicenseFileChanged is returned (inside a *LicenseFileError, Op
// "verify") by WriteLicenseFile and WriteLicenseFileWithOptions when, after
// the new file was put in place, the license path is not the file that was
// written: someone who can write the directory swapped the temporary file or
// the path meanwhile. Nothing was written through a link, but the path does
// not hold what was written: look at it.
var ErrLicenseFileChanged = errors.New("the license path is not the file that was written (the directory was changed meanwhile)")

// LicenseFileOptions are the choices of WriteLicenseFileWithOptions and
// CheckLicenseFileWritable.
type LicenseFileOptions struct {
	// Overwrite allows replacing a file that holds another license (see
	// WriteLicenseFile's overwrite).
	Overwrite bool
	// Owner, when not nil, is the owner and group the file is given, new or
	// replaced, with mode LicenseFileMode (0600); a file that already holds
	// the license is given them too. Changing a file's owner needs root
	// (CAP_CHOWN), or the owner's own uid and one of its groups. nil: a new
	// file belongs to the writer and a replaced one keeps its owner, as
	// WriteLicenseFile does.
	Owner *FileOwner
	// StateDir, when not "", is the state directory in which a
	// LicenseRecord of the file is kept (RecordLicenseFile) once the file
	// is in place; "" keeps no record.
	StateDir string
	// Code is the activation code the license belongs to, for the record:
	// its ID, MAC address, system identifier and expiry. nil records the
	// path and hash only.
	Code *ActivationCode
	// AliyunOrderID is the order of Code, for the record.
	AliyunOrderID string
}

// FileOwner is a Unix user and group, by number.
type FileOwner struct{ UID, GID int }

// LookupFileOwner reads an owner as "user[:group]", each a name or a
// number. Without a group, the user's primary group is taken (a number
// that names no user then is an error, as its group is unknown). The error
// names the part that was not found.
func LookupFileOwner(spec string) (FileOwner, error) {
	userPart, groupPart, hasGroup := strings.Cut(spec, ":")
	if userPart == "" || (hasGroup && groupPart == "") {
		return FileOwner{}, errors.New(`polarlicense: owner ` + strconv.Quote(printable(spec, 64)) + `: want USER or USER:GROUP, each a name or a number`)
	}
	var owner FileOwner
	var primary string
	if n, err := strconv.Atoi(userPart); err == nil && n >= 0 {
		owner.UID = n
		if u, err := user.LookupId(userPart); err == nil {
			primary = u.Gid
		}
	} else {
		u, err := user.Lookup(userPart)
		if err != nil {
			return FileOwner{}, errors.New("polarlicense: owner: no user " + strconv.Quote(printable(userPart, 64)) + " on this system")
		}
		uid, err := strconv.Atoi(u.Uid)
		if err != nil {
			return FileOwner{}, errors.New("polarlicense: owner: user " + strconv.Quote(printable(userPart, 64)) + " has no numeric uid on this system")
		}
		owner.UID, primary = uid, u.Gid
	}
	if !hasGroup {
		gid, err := strconv.Atoi(primary)
		if err != nil {
			return FileOwner{}, errors.New("polarlicense: owner: uid " + userPart + " names no user on this system, so its group is unknown: give USER:GROUP")
		}
		owner.GID = gid
		return owner, nil
	}
	if n, err := strconv.Atoi(groupPart); err == nil && n >= 0 {
		owner.GID = n
		return owner, nil
	}
	g, err := user.LookupGroup(groupPart)
	if err != nil {
		return FileOwner{}, errors.New("polarlicense: owner: no group " + strconv.Quote(printable(groupPart, 64)) + " on this system")
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return FileOwner{}, errors.New("polarlicense: owner: group " + strconv.Quote(printable(groupPart, 64)) + " has no numeric gid on this system")
	}
	owner.GID = gid
	return owner, nil
}

// WriteLicenseFileWithOptions writes a license as WriteLicenseFile does,
// with opts.Overwrite as its overwrite, and:
//
//   - with opts.Owner, gives the file (new, replaced, or already holding
//     the license) that owner and group, mode LicenseFileMode;
//   - with opts.StateDir, keeps a LicenseRecord of the file there once it
//     is in place (also when it already held the license). If only the
//     record fails, the license is in place and the error is a
//     *LicenseFileError with Op "record".
//
// After the new file is renamed or linked into place, the path is checked
// to be the very file written (same device and inode); if it is not, the
// error wraps ErrLicenseFileChanged.
func WriteLicenseFileWithOptions(path string, content CertContent, opts LicenseFileOptions) error {
	data, err := content.Decode()
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("polarlicense: the license content is empty")
	}
	if err := placeLicenseFile(path, data, &opts); err != nil {
		return err
	}
	if opts.StateDir == "" {
		return nil
	}
	sum := sha256.Sum256(data)
	rec := &LicenseRecord{Path: path, SHA256: hex.EncodeToString(sum[:]), AliyunOrderID: opts.AliyunOrderID}
	if c := opts.Code; c != nil {
		rec.ActivationCodeID, rec.MacAddress, rec.SystemIdentifier, rec.ExpireAt = c.ID, c.MacAddress, c.SystemIdentifier, c.ExpireAt
	}
	if err := RecordLicenseFile(opts.StateDir, rec); err != nil {
		return &LicenseFileError{Path: path, Op: "record", Err: err}
	}
	return nil
}

// beforePlace runs just before the temporary file is renamed or linked into
// place: a variable for the tests, which swap the file there as another user
// who can write the directory could.
var beforePlace = func(tmp string) {}

// placeLicenseFile is WriteLicenseFileWithOptions without the record.
func placeLicenseFile(path string, data []byte, opts *LicenseFileOptions) error {
	if path == "" {
		return &LicenseFileError{Path: path, Op: "inspect", Err: errEmptyLicensePath}
	}
	existing, same, err := inspectLicenseFile(path, data)
	switch {
	case err != nil:
		return err
	case same:
		if opts.Owner != nil {
			return setOwner(path, existing, *opts.Owner)
		}
		return nil
	case existing != nil && !opts.Overwrite:
		return &LicenseFileError{Path: path, Op: "inspect", Err: ErrLicenseFileExists}
	}

	tmp, written, err := writeTempLicense(path, data, existing, opts.Owner)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // after a rename or a failed write; a no-op then

	dir := filepath.Dir(path)
	beforePlace(tmp)
	if opts.Overwrite {
		if err := os.Rename(tmp, path); err != nil {
			return licenseFileError(path, "replace", err)
		}
	} else {
		if err := os.Link(tmp, path); err != nil {
			if !errors.Is(err, fs.ErrExist) {
				return licenseFileError(path, "link", err)
			}
			// Another writer got there first: fine if it wrote this license,
			// which then gets the owner asked for, as a file found holding
			// it before the write would.
			won, same, ierr := inspectLicenseFile(path, data)
			switch {
			case ierr != nil:
				return ierr
			case same && opts.Owner != nil:
				return setOwner(path, won, *opts.Owner)
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
	// The name now holds what the rename or link put there: check that it
	// is the file written, not one swapped in for the temporary file or for
	// the path meanwhile.
	now, err := os.Lstat(path)
	if err != nil {
		return licenseFileError(path, "verify", err)
	}
	if !now.Mode().IsRegular() || !os.SameFile(now, written) {
		return &LicenseFileError{Path: path, Op: "verify", Err: ErrLicenseFileChanged}
	}
	return nil
}

// errEmptyLicensePath is the cause of a write or check given no path.
var errEmptyLicensePath = errors.New("the license path is empty")

// CheckLicenseFileWritable checks, before anything is spent, that a license
// could be written to path with opts: the directory exists and a temporary
// file can be created in it (and given opts.Owner, or the owner of the file
// it would replace), then removed; path is not a symbolic link, directory or
// other non-regular file; a file already at path is refused
// (ErrLicenseFileExists) unless opts.Overwrite (the write itself would accept
// one that holds the very license, which cannot be known before the code
// is); with opts.StateDir, that the state directory can be created and
// written. Nothing at path is changed. Errors are those of
// WriteLicenseFileWithOptions: a *LicenseFileError naming path.
func CheckLicenseFileWritable(path string, opts LicenseFileOptions) error {
	if path == "" {
		return &LicenseFileError{Path: path, Op: "inspect", Err: errEmptyLicensePath}
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fi = nil
	case err != nil:
		return licenseFileError(path, "inspect", err)
	case !fi.Mode().IsRegular():
		return &LicenseFileError{Path: path, Op: "inspect", Err: notRegular(fi.Mode())}
	case !opts.Overwrite:
		return &LicenseFileError{Path: path, Op: "inspect", Err: ErrLicenseFileExists}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.check")
	if err != nil {
		return licenseFileError(path, "create", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	switch {
	case opts.Owner != nil:
		if err := chownFile(tmp, *opts.Owner); err != nil {
			return licenseFileError(path, "chown", err)
		}
	case fi != nil:
		if err := keepOwner(tmp, fi); err != nil {
			return licenseFileError(path, "chown", err)
		}
	}
	if opts.StateDir != "" {
		dir, err := makeStateDir(opts.StateDir, "licenses")
		if err != nil {
			return &LicenseFileError{Path: path, Op: "record", Err: err}
		}
		st, err := os.CreateTemp(dir, ".check.*.tmp")
		if err != nil {
			return &LicenseFileError{Path: path, Op: "record", Err: &StateDirError{Dir: opts.StateDir, Op: "write", Err: unwrapPathError(err)}}
		}
		st.Close()
		os.Remove(st.Name())
	}
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
// owner and LicenseFileMode when owner is not nil, else the owner, group and
// mode of existing (LicenseFileMode if nil), synced and closed, and returns
// its name and what it is. On error nothing is left behind.
func writeTempLicense(path string, data []byte, existing fs.FileInfo, owner *FileOwner) (name string, written fs.FileInfo, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", nil, licenseFileError(path, "create", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return "", nil, licenseFileError(path, "write", err)
	}
	mode := LicenseFileMode
	switch {
	case owner != nil:
		if err := chownFile(tmp, *owner); err != nil {
			return "", nil, licenseFileError(path, "chown", err)
		}
	case existing != nil:
		mode = existing.Mode().Perm()
		if err := keepOwner(tmp, existing); err != nil {
			return "", nil, licenseFileError(path, "chown", err)
		}
	}
	// Chmod after chown: a chown may clear permission bits.
	if err := tmp.Chmod(mode); err != nil {
		return "", nil, licenseFileError(path, "chmod", err)
	}
	if err := tmp.Sync(); err != nil {
		return "", nil, licenseFileError(path, "sync", err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		return "", nil, licenseFileError(path, "write", err)
	}
	if err := tmp.Close(); err != nil {
		return "", nil, licenseFileError(path, "write", err)
	}
	return tmp.Name(), fi, nil
}

// setOwner gives the regular file at path, which must still be the file
// inspected (existing), owner and LicenseFileMode, through a descriptor that
// did not follow a link.
func setOwner(path string, existing fs.FileInfo, owner FileOwner) error {
	f, err := openNoFollow(path)
	if err != nil {
		return licenseFileError(path, "chown", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return licenseFileError(path, "chown", err)
	}
	if !fi.Mode().IsRegular() || !os.SameFile(fi, existing) {
		return &LicenseFileError{Path: path, Op: "chown", Err: ErrLicenseFileChanged}
	}
	if err := chownFile(f, owner); err != nil {
		return licenseFileError(path, "chown", err)
	}
	if fi.Mode().Perm() != LicenseFileMode {
		if err := f.Chmod(LicenseFileMode); err != nil {
			return licenseFileError(path, "chmod", err)
		}
	}
	return nil
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
