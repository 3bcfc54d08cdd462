package hostid

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ControlFileName is where, under a data directory, PostgreSQL keeps its
// control file.
const ControlFileName = "global/pg_control"

// controlHeaderSize is what SystemIdentifier reads of the control file: the
// uint64 system_identifier, then the uint32 pg_control_version.
const controlHeaderSize = 12

// ControlFileError is a control file that could not be read or does not
// look like one. Err is the cause: a file-system error (errors.Is matches
// fs.ErrNotExist, fs.ErrPermission, …) or ErrImplausibleControlFile.
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

// SystemIdentifier returns the database system identifier of the data
// directory pgdata, as decimal text (what pg_controldata prints as
// "Database system identifier" and `pdbcli license info` as
// system_identifier).
//
// It reads the first field of <pgdata>/global/pg_control, a uint64 in the
// machine's byte order, and checks the pg_control_version that follows it:
// 1100 (PostgreSQL 11, PolarDB for PostgreSQL 11), 1201 (PostgreSQL 12), or
// 1300 and up (later releases). The CRC is not checked: where it sits
// varies by version. A missing, unreadable, short or implausible file is a
// *ControlFileError naming the path.
//
// Only PostgreSQL-based engines have this file; the identifier of a
// MySQL-engine database must be given explicitly.
func SystemIdentifier(pgdata string) (string, error) {
	path := filepath.Join(pgdata, filepath.FromSlash(ControlFileName))
	f, err := os.Open(path)
	if err != nil {
		return "", &ControlFileError{Path: path, Err: unwrapPath(err)}
	}
	defer f.Close()
	var head [controlHeaderSize]byte
	n, err := io.ReadFull(f, head[:])
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "", &ControlFileError{Path: path, Err: fmt.Errorf("%w: %d bytes, fewer than the %d of its header", ErrImplausibleControlFile, n, controlHeaderSize)}
	case err != nil:
		return "", &ControlFileError{Path: path, Err: unwrapPath(err)}
	}
	return parseControlHeader(head[:], path)
}

// parseControlHeader reads the system identifier from a control file's
// first bytes, checking the version that follows it.
func parseControlHeader(head []byte, path string) (string, error) {
	id := binary.NativeEndian.Uint64(head[0:8])
	version := binary.NativeEndian.Uint32(head[8:12])
	if !plausibleVersion(version) {
		msg := fmt.Sprintf("pg_control_version %d is not one PolarDB writes (1100, 1201, or 1300 and up)", version)
		if swapped := swap32(version); plausibleVersion(swapped) {
			msg = fmt.Sprintf("pg_control_version reads %d here but %d in the other byte order: the file was written on a machine of the other byte order", version, swapped)
		}
		return "", &ControlFileError{Path: path, Err: fmt.Errorf("%w: %s", ErrImplausibleControlFile, msg)}
	}
	if id == 0 {
		return "", &ControlFileError{Path: path, Err: fmt.Errorf("%w: the system identifier is 0", ErrImplausibleControlFile)}
	}
	return strconv.FormatUint(id, 10), nil
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
// and has a 6-byte, non-zero address. None, or several, is an error; with
// several, it lists them (name and address) so that one can be named.
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
	var candidates []net.Interface
	for _, i := range list {
		if i.Flags&net.FlagUp != 0 && i.Flags&net.FlagLoopback == 0 && len(i.HardwareAddr) == 6 &&
			!slices.Equal(i.HardwareAddr, make(net.HardwareAddr, 6)) {
			candidates = append(candidates, i)
		}
	}
	switch len(candidates) {
	case 0:
		return "", &InterfaceError{Reason: "no network interface is up, not a loopback, and has a 6-byte MAC address: name one"}
	case 1:
		return candidates[0].HardwareAddr.String(), nil
	}
	desc := make([]string, len(candidates))
	for k, i := range candidates {
		desc[k] = i.Name + " (" + i.HardwareAddr.String() + ")"
	}
	return "", &InterfaceError{Reason: fmt.Sprintf("%d network interfaces could be the host's, name one: %s", len(candidates), strings.Join(desc, ", "))}
}
