package hostid

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// controlFile writes a data directory whose global/pg_control starts with
// id and version in the machine's byte order (order, if not nil), padded to
// size bytes, and returns the directory.
func controlFile(t *testing.T, id uint64, version uint32, size int, order binary.ByteOrder) string {
	t.Helper()
	if order == nil {
		order = binary.NativeEndian
	}
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "global"), 0o700))
	b := make([]byte, max(size, 12))
	order.PutUint64(b[0:8], id)
	order.PutUint32(b[8:12], version)
	for i := 12; i < len(b); i++ {
		b[i] = byte(i) // a CRC and the rest: never checked
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "global", "pg_control"), b[:size], 0o600))
	return dir
}

func TestSystemIdentifier(t *testing.T) {
	for _, version := range []uint32{1100, 1201, 1300, 1700} {
		dir := controlFile(t, 7345118823001548201, version, 8192, nil)
		id, err := SystemIdentifier(dir)
		require.NoError(t, err, version)
		assert.Equal(t, "7345118823001548201", id)
	}
	// The largest identifier prints in full, unsigned.
	id, err := SystemIdentifier(controlFile(t, 1<<64-1, 1300, 12, nil))
	require.NoError(t, err)
	assert.Equal(t, "18446744073709551615", id)
}

func TestSystemIdentifierErrors(t *testing.T) {
	missing := t.TempDir()
	_, err := SystemIdentifier(missing)
	var cfe *ControlFileError
	require.ErrorAs(t, err, &cfe)
	assert.Equal(t, filepath.Join(missing, "global", "pg_control"), cfe.Path)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), cfe.Path)
	assert.Equal(t, 1, strings.Count(err.Error(), cfe.Path), "the path is named once")

	cases := map[string]struct {
		dir  string
		want string
	}{
		"short":         {controlFile(t, 7345118823001548201, 1300, 11, nil), "11 bytes"},
		"empty":         {controlFile(t, 0, 0, 0, nil), "0 bytes"},
		"version":       {controlFile(t, 7345118823001548201, 942, 8192, nil), "pg_control_version 942"},
		"version 1200":  {controlFile(t, 7345118823001548201, 1200, 8192, nil), "pg_control_version 1200"},
		"zero id":       {controlFile(t, 0, 1300, 8192, nil), "is 0"},
		"not a control": {controlFile(t, 0x6f6c6c6568, 0x20776f72, 8192, nil), "pg_control_version"},
	}
	for name, tc := range cases {
		_, err := SystemIdentifier(tc.dir)
		require.ErrorAs(t, err, &cfe, name)
		assert.ErrorIs(t, err, ErrImplausibleControlFile, name)
		assert.Contains(t, err.Error(), tc.want, name)
		assert.Contains(t, err.Error(), filepath.Join(tc.dir, "global", "pg_control"), name)
	}

	// A file from a machine of the other byte order is said to be one.
	var other binary.ByteOrder = binary.BigEndian
	if binary.NativeEndian.Uint16([]byte{0, 1}) == 1 {
		other = binary.LittleEndian
	}
	_, err = SystemIdentifier(controlFile(t, 7345118823001548201, 1300, 8192, other))
	require.ErrorIs(t, err, ErrImplausibleControlFile)
	assert.Contains(t, err.Error(), "other byte order")

	// A directory where the file should be.
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "global", "pg_control"), 0o700))
	_, err = SystemIdentifier(dir)
	require.ErrorAs(t, err, &cfe)
}

// fakeInterfaces makes MacAddress see list.
func fakeInterfaces(t *testing.T, list ...net.Interface) {
	t.Helper()
	old := interfaces
	interfaces = func() ([]net.Interface, error) { return list, nil }
	t.Cleanup(func() { interfaces = old })
}

func mac(s string) net.HardwareAddr {
	a, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return a
}

var (
	lo     = net.Interface{Index: 1, Name: "lo", Flags: net.FlagUp | net.FlagLoopback}
	eth0   = net.Interface{Index: 2, Name: "eth0", Flags: net.FlagUp, HardwareAddr: mac("00:16:3E:1A:2B:01")}
	eth1   = net.Interface{Index: 3, Name: "eth1", Flags: net.FlagUp, HardwareAddr: mac("00:16:3e:1a:2b:02")}
	down   = net.Interface{Index: 4, Name: "eth2", HardwareAddr: mac("00:16:3e:1a:2b:03")}
	ib     = net.Interface{Index: 5, Name: "ib0", Flags: net.FlagUp, HardwareAddr: mac("00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01")}
	zeroed = net.Interface{Index: 6, Name: "dummy0", Flags: net.FlagUp, HardwareAddr: make(net.HardwareAddr, 6)}
)

func TestMacAddressOfNamedInterface(t *testing.T) {
	fakeInterfaces(t, lo, eth0, eth1, down, ib)
	got, err := MacAddress("eth0")
	require.NoError(t, err)
	assert.Equal(t, "00:16:3e:1a:2b:01", got, "normalised")
	got, err = MacAddress("eth2")
	require.NoError(t, err, "a named interface need not be up")
	assert.Equal(t, "00:16:3e:1a:2b:03", got)

	_, err = MacAddress("lo")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no 6-byte MAC address")
	_, err = MacAddress("ib0")
	require.Error(t, err)
	_, err = MacAddress("wlan0")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"wlan0"`)
	assert.Contains(t, err.Error(), "eth1", "the error lists the interfaces there are")
}

func TestMacAddressPicksTheOneCandidate(t *testing.T) {
	fakeInterfaces(t, lo, down, ib, zeroed, eth1)
	got, err := MacAddress("")
	require.NoError(t, err)
	assert.Equal(t, "00:16:3e:1a:2b:02", got)

	fakeInterfaces(t, lo, eth0, down, eth1)
	_, err = MacAddress("")
	require.Error(t, err)
	for _, want := range []string{"eth0 (00:16:3e:1a:2b:01)", "eth1 (00:16:3e:1a:2b:02)"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "eth2", "an interface that is down is no candidate")

	fakeInterfaces(t, lo, down)
	_, err = MacAddress("")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "name one")
}

func TestMacAddressListFailure(t *testing.T) {
	old := interfaces
	interfaces = func() ([]net.Interface, error) { return nil, errors.New("netlink: denied") }
	t.Cleanup(func() { interfaces = old })
	_, err := MacAddress("")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "netlink: denied")
}

// One real call on this machine's interfaces: which answer it gets depends
// on the machine, but an address it returns is in normal form and belongs to
// an interface the machine has.
func TestMacAddressOnThisMachine(t *testing.T) {
	_, err := MacAddress("polarlicense-no-such-if")
	require.Error(t, err, "a name this machine has no interface for")
	got, err := MacAddress("")
	if err != nil {
		t.Logf("no single candidate here: %v", err)
		return
	}
	norm, nerr := polarlicense.NormalizeMacAddress(got)
	require.NoError(t, nerr)
	assert.Equal(t, norm, got)
	list, err := net.Interfaces()
	require.NoError(t, err)
	found := false
	for _, i := range list {
		if i.HardwareAddr.String() == got {
			found = true
			byName, err := MacAddress(i.Name)
			require.NoError(t, err)
			assert.Equal(t, got, byName)
		}
	}
	assert.True(t, found, "%s is an address of this machine", got)
}
