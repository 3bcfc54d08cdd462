package nodecheck_test

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/nodecheck"
)

// A license of root's, mode 0600, that an access ACL lets the database's
// user read is fine; the ACL's mask can take that back.
func TestFileOwnerACL(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the database's user must be another user than the tests'")
	}
	f := newFixture(t)
	f.record(t, mac, sysID, expiry)
	require.NoError(t, os.Chown(f.pgdata, nobody, nobody))
	dir, err := os.MkdirTemp("", "polarlicense-nodecheck-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	f.path = filepath.Join(dir, "license.lic")
	require.NoError(t, os.WriteFile(f.path, license, 0o600))

	setACL := func(maskPerm uint16) {
		t.Helper()
		b := binary.LittleEndian.AppendUint32(nil, 2)
		for _, e := range [][3]uint32{{0x01, 6, 0xffffffff}, {0x02, 4, nobody}, {0x04, 0, 0xffffffff}, {0x10, uint32(maskPerm), 0xffffffff}, {0x20, 0, 0xffffffff}} {
			b = binary.LittleEndian.AppendUint16(b, uint16(e[0]))
			b = binary.LittleEndian.AppendUint16(b, uint16(e[1]))
			b = binary.LittleEndian.AppendUint32(b, e[2])
		}
		err := syscall.Setxattr(f.path, "system.posix_acl_access", b, 0)
		if errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) {
			t.Skipf("the file system of %s keeps no POSIX ACLs", dir)
		}
		require.NoError(t, err)
	}

	// The kernel's own verdict: cat run as nobody.
	kernelReads := func() bool {
		t.Helper()
		cmd := exec.Command("cat", f.path)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}}
		return cmd.Run() == nil
	}

	// user:nobody:r--, mask r--: nobody reads it, though the mode says no
	// to others.
	setACL(4)
	r := run(t, f.options())
	assert.Equal(t, nodecheck.OK, r.Status, r.Text())
	assert.True(t, kernelReads(), "the kernel agrees")
	assert.Contains(t, r.Check(nodecheck.CheckFileOwner).Message, "the database's user nobody can read "+f.path+" (root:root 0640, with an access ACL)")

	// The mask ---: nobody's entry grants nothing.
	setACL(0)
	r = run(t, f.options())
	assert.Equal(t, []string{nodecheck.CheckFileOwner}, failing(r))
	assert.Contains(t, r.Summary, "the database's user nobody cannot read "+f.path+" (root:root 0600, with an access ACL)")
	assert.False(t, kernelReads(), "the kernel agrees")
}
