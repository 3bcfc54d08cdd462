//go:build unix

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/hostid"
)

// --interface and --pgdata that name nothing usable are bad flag values
// (exit status 2), said in the flag's terms without the package's prefix.
func TestHostFlagsAreUsageErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	out := filepath.Join(t.TempDir(), "license.lic")
	base := []string{"license", "ensure", "239618016570503", "--name", "n", "--out", out}

	empty := t.TempDir()
	short := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(short, "global"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(short, "global", "pg_control"), []byte("hi\n"), 0o600))
	missing := filepath.Join(empty, "nosuch")
	fifo := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(fifo, "global"), 0o700))
	require.NoError(t, syscall.Mkfifo(filepath.Join(fifo, "global", "pg_control"), 0o600))
	notDir := filepath.Join(t.TempDir(), "PG_VERSION")
	require.NoError(t, os.WriteFile(notDir, []byte("15\n"), 0o600))
	ctlDir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(ctlDir, "global", "pg_control"), 0o700))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--interface", "polarlicense-eth9", "--system-id", "1"},
			`invalid --interface: no network interface is named "polarlicense-eth9" (there are: `},
		{[]string{"--mac", "00:16:3e:00:00:01", "--pgdata", empty},
			"invalid --pgdata: " + empty + " has no global/pg_control: give the database's data directory, the one holding global/pg_control"},
		{[]string{"--mac", "00:16:3e:00:00:01", "--pgdata", missing},
			"invalid --pgdata: there is no directory " + missing + ": give the database's data directory"},
		{[]string{"--mac", "00:16:3e:00:00:01", "--pgdata", short},
			"invalid --pgdata: " + filepath.Join(short, "global", "pg_control") + " is not a PostgreSQL control file: 3 bytes, fewer than the 8192 PostgreSQL writes"},
		{[]string{"--mac", "00:16:3e:00:00:01", "--pgdata", fifo},
			"invalid --pgdata: " + filepath.Join(fifo, "global", "pg_control") + " is a FIFO, not the regular file PostgreSQL writes: give the database's data directory"},
		{[]string{"--mac", "", "--system-id", "1"},
			`invalid --mac "": a MAC address is six pairs of hex digits`},
		{[]string{"--mac", "00:16:3e:00:00:01", "--pgdata", ""},
			"invalid --pgdata: empty: give the database's data directory, the one holding global/pg_control"},
		{[]string{"--mac", "00:16:3e:00:00:01", "--pgdata", notDir},
			"invalid --pgdata: " + notDir + " is not a directory: give the database's data directory, the one holding global/pg_control"},
		{[]string{"--mac", "00:16:3e:00:00:01", "--pgdata", ctlDir},
			"invalid --pgdata: " + filepath.Join(ctlDir, "global", "pg_control") + " is a directory, not the regular file PostgreSQL writes: give the database's data directory"},
	} {
		r := runAt(t, srv, append(base, tc.args...)...)
		assert.Equal(t, exitUsage, r.code, tc.args)
		line := oneLineOn(t, r.stderr)
		assert.True(t, strings.HasPrefix(line, "polarlicense: "+tc.want), "%s\nwant prefix: %s", line, tc.want)
		assert.True(t, strings.HasSuffix(line, `(see "polarlicense license ensure --help")`), line)
		assert.NotContains(t, line, "hostid")
	}
	assert.Zero(t, srv.RequestCount(""), "nothing was sent")
}

// An unreadable control file asks to run as the database user, naming the
// data directory's owner. (Root reads any file, so the permission error is
// made here rather than by chmod.)
func TestPGDataPermissionHint(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "global", "pg_control")
	err := pgdataError(dir, &hostid.ControlFileError{Path: path, Err: fmt.Errorf("open: %w", syscall.EACCES)})
	var ue *usageError
	require.ErrorAs(t, err, &ue)
	assert.True(t, strings.HasPrefix(ue.msg, "invalid --pgdata: cannot read "+path+" (permission denied): run as the database user ("), ue.msg)
	assert.True(t, strings.HasSuffix(ue.msg, ", the owner of "+dir+"), or as root"), ue.msg)
	assert.Equal(t, ownerNote(dir), strings.TrimSuffix(strings.TrimPrefix(ue.msg, "invalid --pgdata: cannot read "+path+" (permission denied): run as the database user"), ", or as root"))
	assert.NotEmpty(t, ownerNote(dir))

	// Without a readable directory there is no owner to name.
	err = pgdataError(filepath.Join(dir, "gone"), &hostid.ControlFileError{Path: path, Err: fmt.Errorf("open: %w", syscall.EACCES)})
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "invalid --pgdata: cannot read "+path+" (permission denied): run as the database user, or as root", ue.msg)

	// An I/O error is the machine's failure, not the flag's: no usageError.
	err = pgdataError(dir, &hostid.ControlFileError{Path: path, Err: fmt.Errorf("read: %w", syscall.EIO)})
	assert.False(t, errors.As(err, &ue))
	assert.Equal(t, "cannot read "+path+": input/output error", err.Error())
	assert.False(t, errors.Is(err, fs.ErrNotExist))
}

// An unreadable control file, for real, when not run as root.
func TestPGDataUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file: TestPGDataPermissionHint covers the message")
	}
	t.Parallel()
	srv := newServer(t)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "global"), 0o700))
	path := filepath.Join(dir, "global", "pg_control")
	require.NoError(t, os.WriteFile(path, make([]byte, 16), 0o000))
	r := runAt(t, srv, "license", "ensure", "239618016570503", "--name", "n", "--mac", "00:16:3e:00:00:01", "--pgdata", dir, "--out", filepath.Join(t.TempDir(), "l.lic"))
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "invalid --pgdata: cannot read "+path+" (permission denied): run as the database user (")
}

// What --interface is told for each way hostid.MacAddress fails: the
// interface's fault is a usage error in the flag's terms, one sentence; a
// failure to list the interfaces is the machine's, without the network
// error's chain (which would read as the service being out of reach).
func TestInterfaceError(t *testing.T) {
	var ue *usageError
	err := interfaceError(&hostid.InterfaceError{Interface: "eth9", Reason: `no network interface is named "eth9" (there are: lo, eth0)`})
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, `invalid --interface: no network interface is named "eth9" (there are: lo, eth0)`, ue.msg)

	err = interfaceError(&hostid.InterfaceError{Reason: "2 network interfaces could be the host's, name one: eth0 (00:16:3e:1a:2b:01), eth1 (00:16:3e:1a:2b:02)"})
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "--interface= (empty) picks the one interface that could be the host's, but 2 network interfaces could be the host's, "+
		"name one: eth0 (00:16:3e:1a:2b:01), eth1 (00:16:3e:1a:2b:02) (or give --mac)", ue.msg)
	assert.NotContains(t, ue.msg, "hostid")

	listing := fmt.Errorf("hostid: list network interfaces: %w", &net.OpError{Op: "route", Net: "ip+net", Err: os.NewSyscallError("netlinkrib", syscall.EPERM)})
	err = interfaceError(listing)
	assert.False(t, errors.As(err, &ue), "the machine's failure, not the flag's")
	assert.Equal(t, "cannot list this host's network interfaces: operation not permitted", err.Error())
	var ne net.Error
	assert.False(t, errors.As(err, &ne), "not read as the service out of reach")
}
