//go:build unix

package nodecheck

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// aclBytes encodes entries as Linux keeps system.posix_acl_access.
func aclBytes(entries ...aclEntry) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint16(b, e.tag)
		b = binary.LittleEndian.AppendUint16(b, e.perm)
		b = binary.LittleEndian.AppendUint32(b, e.id)
	}
	return b
}

func TestMayACL(t *testing.T) {
	pg := &dbUser{uid: 26, groups: []uint32{26, 1001}}
	base := func(extra ...aclEntry) posixACL {
		es := append([]aclEntry{{tag: aclUserObj, perm: 6}, {tag: aclGroupObj, perm: 0}, {tag: aclOther, perm: 0}}, extra...)
		acl, err := parseACL(aclBytes(es...))
		require.NoError(t, err)
		return acl
	}
	cases := []struct {
		name     string
		acl      posixACL
		uid, gid uint32
		want     bool
	}{
		{"named user may read", base(aclEntry{tag: aclUser, perm: 4, id: 26}, aclEntry{tag: aclMask, perm: 4}), 0, 0, true},
		{"named user, the mask says no", base(aclEntry{tag: aclUser, perm: 4, id: 26}, aclEntry{tag: aclMask, perm: 0}), 0, 0, false},
		{"another named user", base(aclEntry{tag: aclUser, perm: 4, id: 27}, aclEntry{tag: aclMask, perm: 4}), 0, 0, false},
		{"named group of its", base(aclEntry{tag: aclGroup, perm: 4, id: 1001}, aclEntry{tag: aclMask, perm: 4}), 0, 0, true},
		{"named group, the mask says no", base(aclEntry{tag: aclGroup, perm: 4, id: 1001}, aclEntry{tag: aclMask, perm: 2}), 0, 0, false},
		{"a member is not an other", base(aclEntry{tag: aclGroup, perm: 0, id: 1001}, aclEntry{tag: aclMask, perm: 7}, aclEntry{tag: aclOther, perm: 4}), 0, 0, false},
		{"the owner's entry", base(aclEntry{tag: aclUser, perm: 0, id: 26}, aclEntry{tag: aclMask, perm: 0}), 26, 0, true},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, pg.mayACL(c.acl, c.uid, c.gid, 4), c.name)
	}
	others, err := parseACL(aclBytes(aclEntry{tag: aclUserObj, perm: 6}, aclEntry{tag: aclGroupObj, perm: 0}, aclEntry{tag: aclOther, perm: 4}))
	require.NoError(t, err)
	assert.True(t, pg.mayACL(others, 0, 0, 4), "not named, not a member: the others' entry")
	assert.True(t, (&dbUser{uid: 0}).mayACL(base(), 5, 5, 4), "root reads anything")

	for name, b := range map[string][]byte{
		"empty":       nil,
		"version 1":   binary.LittleEndian.AppendUint32(nil, 1),
		"cut short":   aclBytes(aclEntry{tag: aclUserObj, perm: 6})[:9],
		"unknown tag": aclBytes(aclEntry{tag: 0x40, perm: 4}),
	} {
		_, err := parseACL(b)
		assert.ErrorIs(t, err, errMalformedACL, name)
	}
}

// Any extended attribute value: an ACL that decides without panicking, or
// errMalformedACL.
func FuzzParseACL(f *testing.F) {
	f.Add(aclBytes(aclEntry{tag: aclUserObj, perm: 6}, aclEntry{tag: aclUser, perm: 4, id: 26}, aclEntry{tag: aclMask, perm: 4}, aclEntry{tag: aclOther}))
	f.Add([]byte{2, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		acl, err := parseACL(b)
		if err != nil {
			if !errors.Is(err, errMalformedACL) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(acl) != (len(b)-4)/8 {
			t.Fatalf("%d entries from %d bytes", len(acl), len(b))
		}
		u := &dbUser{uid: 26, groups: []uint32{26}}
		_ = u.mayACL(acl, 0, 0, 4)
		_ = u.mayACL(acl, 26, 26, 1)
	})
}
