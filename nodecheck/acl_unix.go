//go:build unix

package nodecheck

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"slices"
)

// posixACL is a file's POSIX.1e access ACL, as Linux keeps it in the
// extended attribute system.posix_acl_access: the entries beyond the mode's
// owner, group and others (named users and groups, and the mask that bounds
// them and the owning group). nil when the file has none.
type posixACL []aclEntry

// aclEntry is one entry: its tag, its permission bits (4 read, 2 write,
// 1 search), and the user or group it names.
type aclEntry struct {
	tag  uint16
	perm uint16
	id   uint32
}

// The entry tags, as Linux numbers them.
const (
	aclUserObj  = 0x01
	aclUser     = 0x02
	aclGroupObj = 0x04
	aclGroup    = 0x08
	aclMask     = 0x10
	aclOther    = 0x20
)

// errMalformedACL is an extended attribute that is not an ACL Linux wrote.
var errMalformedACL = errors.New("malformed POSIX ACL")

// parseACL reads the extended attribute's value: a little-endian version
// (2), then 8-byte entries of tag, permissions and id.
func parseACL(b []byte) (posixACL, error) {
	if len(b) < 4 || (len(b)-4)%8 != 0 || binary.LittleEndian.Uint32(b) != 2 {
		return nil, errMalformedACL
	}
	var acl posixACL
	for b = b[4:]; len(b) > 0; b = b[8:] {
		e := aclEntry{tag: binary.LittleEndian.Uint16(b), perm: binary.LittleEndian.Uint16(b[2:]), id: binary.LittleEndian.Uint32(b[4:])}
		switch e.tag {
		case aclUserObj, aclUser, aclGroupObj, aclGroup, aclMask, aclOther:
		default:
			return nil, errMalformedACL
		}
		acl = append(acl, e)
	}
	return acl, nil
}

// mayACL reports whether u has the permission bit want on a file of that
// owner and group whose access ACL is acl, as the kernel decides: the
// owner's entry for its owner; else a named user's entry, within the mask;
// else, for a member of the owning group or of a named group, whether any
// of those entries grants it within the mask; else the others' entry. Root
// may do anything.
func (u *dbUser) mayACL(acl posixACL, uid, gid uint32, want fs.FileMode) bool {
	if u.uid == 0 {
		return true
	}
	w := uint16(want)
	mask := uint16(7)
	for _, e := range acl {
		if e.tag == aclMask {
			mask = e.perm
		}
	}
	if u.uid == uid {
		for _, e := range acl {
			if e.tag == aclUserObj {
				return e.perm&w != 0
			}
		}
		return false
	}
	for _, e := range acl {
		if e.tag == aclUser && e.id == u.uid {
			return e.perm&mask&w != 0
		}
	}
	member := false
	for _, e := range acl {
		if (e.tag == aclGroupObj && slices.Contains(u.groups, gid)) || (e.tag == aclGroup && slices.Contains(u.groups, e.id)) {
			member = true
			if e.perm&mask&w != 0 {
				return true
			}
		}
	}
	if member {
		return false
	}
	for _, e := range acl {
		if e.tag == aclOther {
			return e.perm&w != 0
		}
	}
	return false
}
