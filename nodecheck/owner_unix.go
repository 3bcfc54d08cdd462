//go:build unix

package nodecheck

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// openLicense opens the license file for reading without following a
// symbolic link and without waiting, should it have become a FIFO since it
// was looked at.
func openLicense(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// dbUser is the user the database runs as: the data directory's owner.
type dbUser struct {
	uid    uint32
	groups []uint32
	name   string // "postgres", or "uid 26" when it has no name
	note   string // how its groups were found, when not from the group file
}

// lookupDBUser finds the data directory's owner and its groups (primary
// and supplementary, from the user and group databases).
func lookupDBUser(pgdata string) (*dbUser, error) {
	fi, err := os.Stat(pgdata)
	if err != nil {
		return nil, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, fmt.Errorf("no owner known for %s", pgdata)
	}
	u := &dbUser{uid: st.Uid, name: "uid " + strconv.FormatUint(uint64(st.Uid), 10)}
	pw, err := user.LookupId(strconv.FormatUint(uint64(st.Uid), 10))
	if err != nil {
		// No passwd entry: its group is taken to be the directory's.
		u.groups = []uint32{st.Gid}
		u.note = " (it has no user entry: its group is taken to be the data directory's, " + strconv.FormatUint(uint64(st.Gid), 10) + ")"
		return u, nil
	}
	u.name = pw.Username
	if g, err := strconv.ParseUint(pw.Gid, 10, 32); err == nil {
		u.groups = append(u.groups, uint32(g))
	}
	ids, err := pw.GroupIds()
	if err != nil {
		u.note = " (its supplementary groups could not be listed: " + err.Error() + ")"
	}
	for _, id := range ids {
		if g, err := strconv.ParseUint(id, 10, 32); err == nil && !slices.Contains(u.groups, uint32(g)) {
			u.groups = append(u.groups, uint32(g))
		}
	}
	return u, nil
}

// may reports whether u has the permission bit want (4 read, 1 search) on
// a file of that mode, owner and group: the owner's bits for its owner, the
// group's for a member, the others' for anyone else; root reads and
// searches everything.
// A file's access ACL, when it has one, decides instead (mayACL).
func (u *dbUser) may(mode fs.FileMode, uid, gid uint32, want fs.FileMode) bool {
	perm := mode.Perm()
	switch {
	case u.uid == 0:
		return true
	case u.uid == uid:
		return perm&(want<<6) != 0
	case slices.Contains(u.groups, gid):
		return perm&(want<<3) != 0
	}
	return perm&want != 0
}

// allows reports whether u has the permission bit want on path, of that
// mode, owner and group: by its access ACL when it has one, else by the
// mode. The note says which decided, for a message: "" for the mode alone.
func (u *dbUser) allows(path string, mode fs.FileMode, uid, gid uint32, want fs.FileMode) (bool, string) {
	acl, err := readACL(path)
	switch {
	case err != nil:
		return u.may(mode, uid, gid, want), ", its ACL unreadable (" + pathCause(err) + "): the mode decided"
	case acl != nil:
		return u.mayACL(acl, uid, gid, want), ", with an access ACL"
	}
	return u.may(mode, uid, gid, want), ""
}

// describeOwner writes a file's owner, group and mode as ls would:
// "root:root 0600".
func describeOwner(uid, gid uint32, mode fs.FileMode) string {
	un := strconv.FormatUint(uint64(uid), 10)
	if pw, err := user.LookupId(un); err == nil {
		un = pw.Username
	}
	gn := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(gn); err == nil {
		gn = g.Name
	}
	return fmt.Sprintf("%s:%s %04o", un, gn, mode.Perm())
}

// checkOwner makes the file-owner check: can the data directory's owner
// read the file (fi, from Lstat), and search every directory above it?
func (x *run) checkOwner(path string, fi fs.FileInfo) {
	if x.opts.PGData == "" {
		x.skip(CheckFileOwner, "give the data directory, whose owner runs the database")
		return
	}
	u, err := lookupDBUser(x.opts.PGData)
	if err != nil {
		x.cannot(CheckFileOwner, "cannot find the database's user, the owner of the data directory "+x.opts.PGData+": "+pathCause(err))
		return
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		x.skip(CheckFileOwner, "no owner known for the file")
		return
	}
	fileOK, fileACL := u.allows(path, fi.Mode(), st.Uid, st.Gid, 4)
	if !fileOK {
		x.fail(CheckFileOwner, fmt.Sprintf("the database's user %s cannot read %s (%s%s)%s: PolarDB will not start with it",
			u.name, path, describeOwner(st.Uid, st.Gid, fi.Mode()), fileACL, u.note))
		return
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		x.cannot(CheckFileOwner, "cannot tell the directories above "+path+": "+err.Error())
		return
	}
	for dir := filepath.Dir(abs); ; dir = filepath.Dir(dir) {
		di, err := os.Stat(dir)
		if err != nil {
			x.cannot(CheckFileOwner, "cannot look at "+dir+", above the file: "+pathCause(err))
			return
		}
		if dst, ok := di.Sys().(*syscall.Stat_t); ok {
			if dirOK, dirACL := u.allows(dir, di.Mode(), dst.Uid, dst.Gid, 1); !dirOK {
				x.fail(CheckFileOwner, fmt.Sprintf("the database's user %s cannot reach %s: it may not enter %s (%s%s)%s",
					u.name, path, dir, describeOwner(dst.Uid, dst.Gid, di.Mode()), dirACL, u.note))
				return
			}
		}
		if dir == filepath.Dir(dir) {
			break
		}
	}
	x.pass(CheckFileOwner, fmt.Sprintf("the database's user %s can read %s (%s%s)", u.name, path, describeOwner(st.Uid, st.Gid, fi.Mode()), fileACL))
}
