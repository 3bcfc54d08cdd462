//go:build unix

package nodecheck

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMay(t *testing.T) {
	pg := &dbUser{uid: 26, groups: []uint32{26, 1001}}
	cases := []struct {
		mode     fs.FileMode
		uid, gid uint32
		want     bool
	}{
		{0o600, 26, 26, true},   // its own file
		{0o060, 26, 26, false},  // its own file, the owner's bits say no (the group's are not looked at)
		{0o640, 0, 1001, true},  // a supplementary group
		{0o600, 0, 1001, false}, // root's
		{0o604, 0, 0, true},     // others may
		{0o640, 0, 0, false},    // another group
		{0o704, 0, 1001, false}, // the group's bits decide for a member
	}
	for _, c := range cases {
		assert.Equal(t, c.want, pg.may(c.mode, c.uid, c.gid, 4), "%04o %d:%d", c.mode, c.uid, c.gid)
	}
	assert.True(t, pg.may(fs.ModeDir|0o711, 0, 0, 1))
	assert.False(t, pg.may(fs.ModeDir|0o700, 0, 0, 1))
	assert.True(t, (&dbUser{uid: 0}).may(0, 5, 5, 4), "root reads anything")
}
