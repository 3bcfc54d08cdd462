package hostid

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ControlFileName is where, under a data directory, PostgreSQL keeps its
// control file.
const ControlFileName = "global/pg_control"

// ControlFileSize is the size of every control file PostgreSQL writes
// (PG_CONTROL_FILE_SIZE): ControlFileData, then zeros.
const ControlFileSize = 8192

// controlHeaderSize is the control file's header: the uint64
// system_identifier, then the uint32 pg_control_version.
const controlHeaderSize = 12

// ControlFileError is a control file that could not be read or does not
// look like one. Err is the cause: a file-system error (errors.Is matches
// fs.ErrNotExist, fs.ErrPermission, …), ErrNotRegularFile,
// ErrImplausibleControlFile, or ErrControlFileCRC (which also matches
// ErrImplausibleControlFile).
type ControlFileError struct {
	// Path is the control file's path.
	Path string
	// Err is the cause.
	Err error
}

// Error names the file and the cause.
func (e *ControlFileError) Error() string {
	return "hostid: control file " + e.Path + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *ControlFileError) Unwrap() error { return e.Err }

// ErrImplausibleControlFile is wrapped by the error of SystemIdentifier when
// the file is too short or its content is not that of a control file.
var ErrImplausibleControlFile = errors.New("not a PostgreSQL control file")

// ErrControlFileCRC is wrapped, together with ErrImplausibleControlFile, by
// the error of SystemIdentifier when the file's CRC-32C does not match its
// content: the file is corrupt (pg_controldata warns about it, and
// PostgreSQL does not start on it).
var ErrControlFileCRC = errors.New("CRC-32C mismatch")

// ErrNotRegularFile is wrapped by the error of SystemIdentifier when the
// control file is a directory, a FIFO, a device or a socket: it is refused
// without reading it, so a FIFO never blocks the caller.
var ErrNotRegularFile = errors.New("not a regular file")

// castagnoli is the CRC-32C table: PostgreSQL's pg_crc32c.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crcOffsets are the established places of the CRC in ControlFileData, by
// pg_control_version, on 64-bit builds: 1300 (PostgreSQL 13 to 16), measured
// on a control file Debian's PostgreSQL 15 wrote. Other versions, and 32-bit
// builds, are checked by searching for the CRC (see checkCRC).
var crcOffsets = map[uint32]int{1300: 288}

// SystemIdentifier returns the database system identifier of the data
// directory pgdata, as decimal text (what pg_controldata prints as
// "Database system identifier" and `pdbcli license info` as
// system_identifier).
//
// It reads <pgdata>/global/pg_control and refuses, as a *ControlFileError
// naming the path, a file that:
//   - is not a regular file (a symbolic link is followed, as PostgreSQL
//     does): ErrNotRegularFile, found before the file is opened and checked
//     again on the opened file, which is opened without blocking, so a FIFO
//     is refused at once;
//   - is shorter than PostgreSQL's ControlFileSize (8192 bytes);
//   - has a pg_control_version PolarDB does not write (1100 for PostgreSQL
//     11 and PolarDB for PostgreSQL 11, 1201 for 12, 1300 and up later), or
//     one written on a machine of the other byte order;
//   - fails its CRC-32C: ErrControlFileCRC. For pg_control_version 1300 on a
//     64-bit machine the CRC is the uint32 at offset 288, over bytes 0–287.
//     Where a version's layout is not established (and, for 1300, where a
//     build extends ControlFileData and so moves its CRC further on), a file
//     is consistent when some 4-byte-aligned offset holds the CRC-32C of all
//     the bytes before it, as every control file PostgreSQL writes does;
//   - holds the system identifier 0.
//
// A running PostgreSQL rewrites the control file in place, so a read can
// meet a write half done: on a CRC mismatch the file is read again, as
// pg_controldata does (up to ten times, 10 ms apart), and is corrupt only
// when two reads in a row give the same bytes.
//
// The system identifier is the file's first field, a uint64 in the
// machine's byte order. Only PostgreSQL-based engines have this file; the
// identifier of a MySQL-engine database must be given explicitly.
func SystemIdentifier(pgdata string) (string, error) {
	path := filepath.Join(pgdata, filepath.FromSlash(ControlFileName))
	var last []byte
	for attempt := 1; ; attempt++ {
		buf, err := readControlFile(path)
		afterControlRead(attempt)
		if err != nil {
			return "", err
		}
		id, err := parseControlFile(buf, path)
		// PostgreSQL rewrites its control file in place while it runs (at
		// every checkpoint), so a read can catch a write half done, whose
		// CRC does not match. Read again, as pg_controldata does, until two
		// reads in a row give the same bytes: only then is the file corrupt.
		if err == nil || !errors.Is(err, ErrControlFileCRC) ||
			bytes.Equal(buf, last) || attempt == controlReadAttempts {
			return id, err
		}
		last = buf
		time.Sleep(controlRereadPause)
	}
}

// controlReadAttempts bounds how often SystemIdentifier reads a control
// file whose CRC does not match, and controlRereadPause is the pause before
// each new read (PostgreSQL's frontend programs read up to ten times, 10 ms
// apart).
const (
	controlReadAttempts = 10
	controlRereadPause  = 10 * time.Millisecond
)

// afterControlRead runs after each read of a control file: a variable for
// the tests, which finish a write there as PostgreSQL would.
var afterControlRead = func(attempt int) {}

// readControlFile reads the first ControlFileSize bytes of the control file
// at path, refusing anything but a regular file.
func readControlFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &ControlFileError{Path: path, Err: unwrapPath(err)}
	}
	if !fi.Mode().IsRegular() {
		return nil, &ControlFileError{Path: path, Err: notRegular(fi.Mode())}
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, &ControlFileError{Path: path, Err: unwrapPath(err)}
	}
	defer f.Close()
	// The path may have been replaced between the Stat and the open.
	if fi, err = f.Stat(); err != nil {
		return nil, &ControlFileError{Path: path, Err: unwrapPath(err)}
	}
	if !fi.Mode().IsRegular() {
		return nil, &ControlFileError{Path: path, Err: notRegular(fi.Mode())}
	}
	buf := make([]byte, ControlFileSize)
	n, err := io.ReadFull(f, buf)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, &ControlFileError{Path: path, Err: fmt.Errorf("%w: %d bytes, fewer than the %d PostgreSQL writes", ErrImplausibleControlFile, n, ControlFileSize)}
	case err != nil:
		return nil, &ControlFileError{Path: path, Err: unwrapPath(err)}
	}
	return buf, nil
}

// notRegular says what kind of file mode is, as ErrNotRegularFile.
func notRegular(mode fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case mode.IsDir():
		kind = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a FIFO"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	case mode&fs.ModeSymlink != 0:
		kind = "a symbolic link"
	}
	return fmt.Errorf("%w: it is %s, not read", ErrNotRegularFile, kind)
}

// parseControlFile reads the system identifier from the first
// ControlFileSize bytes of a control file, checking the version that
// follows it and the CRC.
func parseControlFile(b []byte, path string) (string, error) {
	id := binary.NativeEndian.Uint64(b[0:8])
	version := binary.NativeEndian.Uint32(b[8:12])
	if !plausibleVersion(version) {
		msg := fmt.Sprintf("pg_control_version %d is not one PolarDB writes (1100, 1201, or 1300 and up)", version)
		if swapped := swap32(version); plausibleVersion(swapped) {
			msg = fmt.Sprintf("pg_control_version reads %d here but %d in the other byte order: the file was written on a machine of the other byte order", version, swapped)
		}
		return "", &ControlFileError{Path: path, Err: fmt.Errorf("%w: %s", ErrImplausibleControlFile, msg)}
	}
	if err := checkCRC(b, version); err != nil {
		return "", &ControlFileError{Path: path, Err: err}
	}
	if id == 0 {
		return "", &ControlFileError{Path: path, Err: fmt.Errorf("%w: the system identifier is 0", ErrImplausibleControlFile)}
	}
	return strconv.FormatUint(id, 10), nil
}

// checkCRC checks the CRC-32C of the control file b, of pg_control_version
// version: at its established offset where there is one, else (and, past
// the established offset, for a build that extends ControlFileData) at any
// 4-byte-aligned offset after the header.
func checkCRC(b []byte, version uint32) error {
	off, established := crcOffsets[version]
	if established && strconv.IntSize == 64 {
		if crc32.Checksum(b[:off], castagnoli) == binary.NativeEndian.Uint32(b[off:off+4]) {
			return nil
		}
		if findCRC(b, off+4) {
			return nil
		}
		return fmt.Errorf("%w: %w: the CRC-32C at offset %d, where pg_control_version %d keeps it, does not match bytes 0–%d, and no later offset holds one that does: the file is corrupt (pg_controldata warns so too)",
			ErrImplausibleControlFile, ErrControlFileCRC, off, version, off-1)
	}
	if findCRC(b, controlHeaderSize) {
		return nil
	}
	return fmt.Errorf("%w: %w: no 4-byte-aligned offset holds the CRC-32C of the bytes before it, as every control file PostgreSQL writes does (pg_control_version %d): the file is corrupt",
		ErrImplausibleControlFile, ErrControlFileCRC, version)
}

// findCRC reports whether some 4-byte-aligned offset k, from on, holds the
// CRC-32C of b[:k] in the machine's byte order.
func findCRC(b []byte, from int) bool {
	var crc uint32
	for k := 0; k+4 <= len(b); k += 4 {
		if k >= from && crc == binary.NativeEndian.Uint32(b[k:k+4]) {
			return true
		}
		crc = crc32.Update(crc, castagnoli, b[k:k+4])
	}
	return false
}

// plausibleVersion reports whether v is a pg_control_version of a release
// PolarDB is built on: 1100, 1201, or 1300 up to a bound well past today's
// releases (1800 for PostgreSQL 18).
func plausibleVersion(v uint32) bool {
	return v == 1100 || v == 1201 || v >= 1300 && v < 10000
}

func swap32(v uint32) uint32 {
	return v>>24 | v>>8&0xff00 | v<<8&0xff0000 | v<<24
}

// unwrapPath drops an *os.PathError whose path the ControlFileError
// already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// InterfaceError is MacAddress's failure to find the interface asked for:
// none of that name, one without a 6-byte MAC address, or, when none was
// named, no interface or several that could be the host's. Naming another
// interface, or one, is the remedy. (Failing to list the interfaces at all
// is a different error, wrapping the system's.)
type InterfaceError struct {
	// Interface is the name asked for; "" when MacAddress was to pick one.
	Interface string
	// Reason says what is wrong, such as `no network interface is named
	// "eth9" (there are: lo, eth0)`.
	Reason string
}

// Error is the reason, prefixed with the package's name.
func (e *InterfaceError) Error() string { return "hostid: " + e.Reason }

// interfaces lists the host's network interfaces; tests replace it.
var interfaces = net.Interfaces

// MacAddress returns the hardware address of the network interface named
// iface, in the normal form activation codes use: lower case,
// colon-separated, such as "00:16:3e:1a:2b:01". The interface must have a
// 6-byte (EUI-48) address.
//
// With iface "", it picks the one interface that is up, is not a loopback,
// and has a 6-byte, non-zero address. Several that all have the same address
// (a bond and its slaves, an interface and its VLANs) count as one. None, or
// several with different addresses, is an error; with several, it lists them
// (name and address) so that one can be named.
//
// An interface that cannot be used (none of that name, no 6-byte address,
// none or several to pick from) is an *InterfaceError; failing to list the
// interfaces wraps the system's error.
func MacAddress(iface string) (string, error) {
	list, err := interfaces()
	if err != nil {
		return "", fmt.Errorf("hostid: cannot list the network interfaces: %w", err)
	}
	if iface != "" {
		for _, i := range list {
			if i.Name != iface {
				continue
			}
			if len(i.HardwareAddr) != 6 {
				return "", &InterfaceError{Interface: iface, Reason: fmt.Sprintf("network interface %s has no 6-byte MAC address (it has %q)", iface, i.HardwareAddr.String())}
			}
			return i.HardwareAddr.String(), nil
		}
		names := make([]string, len(list))
		for k, i := range list {
			names[k] = i.Name
		}
		return "", &InterfaceError{Interface: iface, Reason: fmt.Sprintf("no network interface is named %q (there are: %s)", iface, strings.Join(names, ", "))}
	}
	candidates := candidateInterfaces(list)
	if len(candidates) == 0 {
		return "", &InterfaceError{Reason: "no network interface is up, not a loopback, and has a 6-byte MAC address: name one"}
	}
	// A bond and its slaves, or an interface and its VLANs, share one
	// address: several such interfaces are one answer.
	if !slices.ContainsFunc(candidates, func(i Interface) bool { return i.MacAddress != candidates[0].MacAddress }) {
		return candidates[0].MacAddress, nil
	}
	desc := make([]string, len(candidates))
	for k, i := range candidates {
		desc[k] = i.Name + " (" + i.MacAddress + ")"
	}
	return "", &InterfaceError{Reason: fmt.Sprintf("%d network interfaces could be the host's, name one: %s", len(candidates), strings.Join(desc, ", "))}
}

// Interface is a network interface whose MAC address could be the one an
// activation code binds.
type Interface struct {
	// Name is the interface's name, such as "eth0".
	Name string
	// MacAddress is its address in normal form, as MacAddress returns it.
	MacAddress string
}

// CandidateInterfaces returns every network interface that is up, is not a
// loopback, and has a 6-byte, non-zero address: those MacAddress("")
// chooses from, in the system's order. It returns none, without error, on
// a host that has none.
func CandidateInterfaces() ([]Interface, error) {
	list, err := interfaces()
	if err != nil {
		return nil, fmt.Errorf("hostid: cannot list the network interfaces: %w", err)
	}
	return candidateInterfaces(list), nil
}

func candidateInterfaces(list []net.Interface) []Interface {
	var candidates []Interface
	for _, i := range list {
		if i.Flags&net.FlagUp != 0 && i.Flags&net.FlagLoopback == 0 && len(i.HardwareAddr) == 6 &&
			!slices.Equal(i.HardwareAddr, make(net.HardwareAddr, 6)) {
			candidates = append(candidates, Interface{Name: i.Name, MacAddress: i.HardwareAddr.String()})
		}
	}
	return candidates
}
