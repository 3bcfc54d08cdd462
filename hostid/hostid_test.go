package hostid

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
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

// controlBytes returns a control file of ControlFileSize bytes starting
// with id and version in the byte order order (the machine's if nil), with
// filler up to crcAt, the CRC-32C of the bytes before crcAt there (none when
// crcAt is 0), and zeros after, as PostgreSQL writes it.
func controlBytes(id uint64, version uint32, crcAt int, order binary.ByteOrder) []byte {
	if order == nil {
		order = binary.NativeEndian
	}
	b := make([]byte, ControlFileSize)
	order.PutUint64(b[0:8], id)
	order.PutUint32(b[8:12], version)
	end := crcAt
	if end == 0 {
		end = 296
	}
	for i := 12; i < end; i++ {
		b[i] = byte(i*7 + 1)
	}
	if crcAt > 0 {
		order.PutUint32(b[crcAt:], crc32.Checksum(b[:crcAt], crc32.MakeTable(crc32.Castagnoli)))
	}
	return b
}

// dataDir writes a data directory whose global/pg_control holds b and
// returns the directory.
func dataDir(t *testing.T, b []byte) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "global"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "global", "pg_control"), b, 0o600))
	return dir
}

// controlFile writes a data directory whose control file holds id and
// version, a CRC where that version keeps it (offset 288 for 1300, else
// 296), padded or cut to size bytes.
func controlFile(t *testing.T, id uint64, version uint32, size int, order binary.ByteOrder) string {
	t.Helper()
	crcAt := 296
	if version == 1300 {
		crcAt = 288
	}
	b := controlBytes(id, version, crcAt, order)
	if size <= len(b) {
		b = b[:size]
	} else {
		b = append(b, make([]byte, size-len(b))...)
	}
	return dataDir(t, b)
}

func TestSystemIdentifier(t *testing.T) {
	for _, version := range []uint32{1100, 1201, 1300, 1700} {
		dir := controlFile(t, 7345118823001548201, version, ControlFileSize, nil)
		id, err := SystemIdentifier(dir)
		require.NoError(t, err, version)
		assert.Equal(t, "7345118823001548201", id)
	}
	// The largest identifier prints in full, unsigned.
	id, err := SystemIdentifier(controlFile(t, 1<<64-1, 1300, ControlFileSize, nil))
	require.NoError(t, err)
	assert.Equal(t, "18446744073709551615", id)
	// A longer file is read as far as PostgreSQL reads it.
	id, err = SystemIdentifier(controlFile(t, 7345118823001548201, 1300, ControlFileSize+100, nil))
	require.NoError(t, err)
	assert.Equal(t, "7345118823001548201", id)
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
		"short":         {controlFile(t, 7345118823001548201, 1300, 11, nil), "11 bytes, fewer than the 8192"},
		"truncated":     {controlFile(t, 7345118823001548201, 1300, 100, nil), "100 bytes"},
		"one short":     {controlFile(t, 7345118823001548201, 1300, ControlFileSize-1, nil), "8191 bytes"},
		"empty":         {controlFile(t, 0, 0, 0, nil), "0 bytes"},
		"version":       {controlFile(t, 7345118823001548201, 942, ControlFileSize, nil), "pg_control_version 942"},
		"version 1200":  {controlFile(t, 7345118823001548201, 1200, ControlFileSize, nil), "pg_control_version 1200"},
		"zero id":       {controlFile(t, 0, 1300, ControlFileSize, nil), "is 0"},
		"not a control": {controlFile(t, 0x6f6c6c6568, 0x20776f72, ControlFileSize, nil), "pg_control_version"},
	}
	for name, tc := range cases {
		_, err := SystemIdentifier(tc.dir)
		require.ErrorAs(t, err, &cfe, name)
		assert.ErrorIs(t, err, ErrImplausibleControlFile, name)
		assert.NotErrorIs(t, err, ErrControlFileCRC, name)
		assert.Contains(t, err.Error(), tc.want, name)
		assert.Contains(t, err.Error(), filepath.Join(tc.dir, "global", "pg_control"), name)
	}

	// A file from a machine of the other byte order is said to be one.
	var other binary.ByteOrder = binary.BigEndian
	if binary.NativeEndian.Uint16([]byte{0, 1}) == 1 {
		other = binary.LittleEndian
	}
	_, err = SystemIdentifier(controlFile(t, 7345118823001548201, 1300, ControlFileSize, other))
	require.ErrorIs(t, err, ErrImplausibleControlFile)
	assert.Contains(t, err.Error(), "other byte order")
}

func TestSystemIdentifierCRC(t *testing.T) {
	const id = 7345118823001548201
	var cfe *ControlFileError

	// Version 1300: the CRC at offset 288. One identifier byte changed (a
	// digit of the identifier read wrong) is refused.
	b := controlBytes(id, 1300, 288, nil)
	b[3] ^= 0x10
	_, err := SystemIdentifier(dataDir(t, b))
	require.ErrorAs(t, err, &cfe)
	assert.ErrorIs(t, err, ErrControlFileCRC)
	assert.ErrorIs(t, err, ErrImplausibleControlFile)
	assert.Contains(t, err.Error(), "offset 288")
	assert.Contains(t, err.Error(), "corrupt")
	// So is a change to the CRC itself, or to any byte it covers.
	for _, at := range []int{287, 288, 100, 12} {
		b := controlBytes(id, 1300, 288, nil)
		b[at]++
		_, err := SystemIdentifier(dataDir(t, b))
		assert.ErrorIs(t, err, ErrControlFileCRC, "byte %d", at)
	}
	// A byte past the CRC is no part of ControlFileData: PostgreSQL ignores
	// it, and so does SystemIdentifier.
	b = controlBytes(id, 1300, 288, nil)
	b[4000] = 1
	got, err := SystemIdentifier(dataDir(t, b))
	require.NoError(t, err)
	assert.Equal(t, "7345118823001548201", got)

	// A 1300 build that extends ControlFileData moves the CRC further on.
	got, err = SystemIdentifier(dataDir(t, controlBytes(id, 1300, 352, nil)))
	require.NoError(t, err, "a consistent file is never refused")
	assert.Equal(t, "7345118823001548201", got)
	// But not before the established offset: the CRC at 288 is then wrong.
	_, err = SystemIdentifier(dataDir(t, controlBytes(id, 1300, 200, nil)))
	assert.ErrorIs(t, err, ErrControlFileCRC)

	// Versions whose layout is not established: a CRC of the bytes before
	// it, at any 4-byte-aligned offset, is consistent.
	for _, at := range []int{16, 296, 300, 512, 1024} {
		got, err := SystemIdentifier(dataDir(t, controlBytes(id, 1100, at, nil)))
		require.NoError(t, err, "CRC at %d", at)
		assert.Equal(t, "7345118823001548201", got)
	}
	// None is refused, with a clear error.
	_, err = SystemIdentifier(dataDir(t, controlBytes(id, 1700, 0, nil)))
	require.ErrorAs(t, err, &cfe)
	assert.ErrorIs(t, err, ErrControlFileCRC)
	assert.Contains(t, err.Error(), "no 4-byte-aligned offset holds the CRC-32C")
	assert.Contains(t, err.Error(), "1700")
	// A corrupt identifier byte in a 1201 file.
	b = controlBytes(id, 1201, 296, nil)
	b[0]++
	_, err = SystemIdentifier(dataDir(t, b))
	assert.ErrorIs(t, err, ErrControlFileCRC)
}

func TestSystemIdentifierNotRegular(t *testing.T) {
	var cfe *ControlFileError
	// A directory where the file should be.
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "global", "pg_control"), 0o700))
	_, err := SystemIdentifier(dir)
	require.ErrorAs(t, err, &cfe)
	assert.ErrorIs(t, err, ErrNotRegularFile)
	assert.Contains(t, err.Error(), "a directory")

	// A symbolic link to a control file is followed, as PostgreSQL does.
	real := controlFile(t, 7345118823001548201, 1300, ControlFileSize, nil)
	linked := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(linked, "global"), 0o700))
	require.NoError(t, os.Symlink(filepath.Join(real, "global", "pg_control"), filepath.Join(linked, "global", "pg_control")))
	got, err := SystemIdentifier(linked)
	require.NoError(t, err)
	assert.Equal(t, "7345118823001548201", got)
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

func TestCandidateInterfaces(t *testing.T) {
	fakeInterfaces(t, lo, eth0, down, ib, zeroed, eth1)
	got, err := CandidateInterfaces()
	require.NoError(t, err)
	assert.Equal(t, []Interface{{"eth0", "00:16:3e:1a:2b:01"}, {"eth1", "00:16:3e:1a:2b:02"}}, got)

	fakeInterfaces(t, lo, down)
	got, err = CandidateInterfaces()
	require.NoError(t, err)
	assert.Empty(t, got)

	old := interfaces
	interfaces = func() ([]net.Interface, error) { return nil, errors.New("netlink: denied") }
	t.Cleanup(func() { interfaces = old })
	_, err = CandidateInterfaces()
	assert.ErrorContains(t, err, "netlink: denied")
}

// withAfterControlRead makes f run after each read of a control file.
func withAfterControlRead(t *testing.T, f func(attempt int)) {
	t.Helper()
	old := afterControlRead
	afterControlRead = f
	t.Cleanup(func() { afterControlRead = old })
}

// A running PostgreSQL rewrites its control file in place at every
// checkpoint: a read that meets the write half done sees a CRC that does not
// match. SystemIdentifier reads again, as pg_controldata does, instead of
// calling a live database's control file corrupt.
func TestSystemIdentifierTornRead(t *testing.T) {
	const id = 7345118823001548201
	table := crc32.MakeTable(crc32.Castagnoli)
	before := controlBytes(id, 1300, 288, nil)
	after := append([]byte(nil), before...)
	after[24]++ // the time of the last update
	binary.NativeEndian.PutUint32(after[288:], crc32.Checksum(after[:288], table))
	torn := append(append([]byte(nil), after[:200]...), before[200:]...)
	dir := dataDir(t, torn)
	path := filepath.Join(dir, "global", "pg_control")

	reads := 0
	withAfterControlRead(t, func(attempt int) {
		reads = attempt
		if attempt == 1 { // the write finishes
			require.NoError(t, os.WriteFile(path, after, 0o600))
		}
	})
	got, err := SystemIdentifier(dir)
	require.NoError(t, err, "a read that met a write is read again")
	assert.Equal(t, "7345118823001548201", got)
	assert.Equal(t, 2, reads)

	// A corrupt file reads the same twice: refused after the second read.
	require.NoError(t, os.WriteFile(path, torn, 0o600))
	reads = 0
	withAfterControlRead(t, func(attempt int) { reads = attempt })
	_, err = SystemIdentifier(dir)
	assert.ErrorIs(t, err, ErrControlFileCRC)
	assert.Equal(t, 2, reads, "two reads of the same bytes settle it")

	// A file that changes at every read, never consistent, is refused
	// after a bounded number of reads.
	reads = 0
	withAfterControlRead(t, func(attempt int) {
		reads = attempt
		torn[100]++
		require.NoError(t, os.WriteFile(path, torn, 0o600))
	})
	_, err = SystemIdentifier(dir)
	assert.ErrorIs(t, err, ErrControlFileCRC)
	assert.Equal(t, controlReadAttempts, reads)

	// A good file is read once.
	require.NoError(t, os.WriteFile(path, after, 0o600))
	reads = 0
	withAfterControlRead(t, func(attempt int) { reads = attempt })
	_, err = SystemIdentifier(dir)
	require.NoError(t, err)
	assert.Equal(t, 1, reads)
}

// A bond and its slaves, and an interface and its VLANs, have one address:
// the host's, whichever interface is asked. Interfaces of other addresses
// beside them are still a choice to make.
func TestMacAddressSharedByBondAndVLAN(t *testing.T) {
	shared := mac("00:16:3e:1a:2b:0a")
	bond0 := net.Interface{Index: 7, Name: "bond0", Flags: net.FlagUp, HardwareAddr: shared}
	slave0 := net.Interface{Index: 8, Name: "ens1f0", Flags: net.FlagUp, HardwareAddr: shared}
	slave1 := net.Interface{Index: 9, Name: "ens1f1", Flags: net.FlagUp, HardwareAddr: shared}
	vlan := net.Interface{Index: 10, Name: "bond0.100", Flags: net.FlagUp, HardwareAddr: shared}
	fakeInterfaces(t, lo, slave0, slave1, bond0, vlan, down)
	got, err := MacAddress("")
	require.NoError(t, err)
	assert.Equal(t, "00:16:3e:1a:2b:0a", got)

	fakeInterfaces(t, lo, slave0, slave1, bond0, eth1)
	_, err = MacAddress("")
	var ie *InterfaceError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "4 network interfaces could be the host's, name one: ens1f0 (00:16:3e:1a:2b:0a), ens1f1 (00:16:3e:1a:2b:0a), bond0 (00:16:3e:1a:2b:0a), eth1 (00:16:3e:1a:2b:02)", ie.Reason)
}
