package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/polarlicense/polarlicense-go/hostid"
)

// This host's identity from the command line: --interface and --pgdata
// (package hostid does the reading). A value that names nothing usable is a
// usage error (exit status 2) said in the flag's terms, with what to do; a
// failure of the machine itself (the interfaces cannot be listed, an I/O
// error) is a failure (exit status 1).

// macOfInterface is the MAC address of --interface's interface ("" picks the
// host's one candidate).
func macOfInterface(iface string) (string, error) {
	mac, err := hostid.MacAddress(iface)
	if err != nil {
		return "", interfaceError(err)
	}
	return mac, nil
}

// interfaceError says what is wrong when hostid.MacAddress fails: an
// interface that cannot be used is the flag's fault (a usage error), a
// failure to list the interfaces is the machine's.
func interfaceError(err error) error {
	var ie *hostid.InterfaceError
	if errors.As(err, &ie) {
		if ie.Interface == "" {
			return usagef("--interface= (empty) picks the one interface that could be the host's, but %s (or give --mac)", ie.Reason)
		}
		return usagef("invalid --interface: %s", ie.Reason)
	}
	// Its chain is dropped: listing fails with a *net.OpError, which
	// describe would read as the service being unreachable.
	return errors.New("cannot list this host's network interfaces: " + rootCause(err).Error())
}

// systemIDOfPGData is the system identifier in --pgdata's control file.
func systemIDOfPGData(dir string) (string, error) {
	if dir == "" {
		return "", usagef("invalid --pgdata: empty: give the database's data directory, the one holding %s", hostid.ControlFileName)
	}
	id, err := hostid.SystemIdentifier(dir)
	if err != nil {
		return "", pgdataError(dir, err)
	}
	return id, nil
}

// pgdataError says what is wrong with --pgdata dir, whose control file
// could not be read (err).
func pgdataError(dir string, err error) error {
	var ce *hostid.ControlFileError
	if !errors.As(err, &ce) {
		return err
	}
	cause := strings.TrimPrefix(rootCause(ce.Err).Error(), "hostid: ")
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return usagef("invalid --pgdata: %s is not a directory: give the database's data directory, the one holding %s",
			dir, hostid.ControlFileName)
	}
	switch {
	case errors.Is(ce, fs.ErrNotExist):
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return usagef("invalid --pgdata: there is no directory %s: give the database's data directory", dir)
		}
		return usagef("invalid --pgdata: %s has no %s: give the database's data directory, the one holding %s",
			dir, hostid.ControlFileName, hostid.ControlFileName)
	case errors.Is(ce, fs.ErrPermission):
		return usagef("invalid --pgdata: cannot read %s (permission denied): run as the database user%s, or as root",
			ce.Path, ownerNote(dir))
	case errors.Is(ce, hostid.ErrNotRegularFile):
		kind := strings.TrimPrefix(ce.Err.Error(), hostid.ErrNotRegularFile.Error()+": it is ")
		return usagef("invalid --pgdata: %s is %s, not the regular file PostgreSQL writes: give the database's data directory",
			ce.Path, strings.TrimSuffix(kind, ", not read"))
	case errors.Is(ce, hostid.ErrImplausibleControlFile):
		detail := strings.TrimPrefix(strings.TrimPrefix(ce.Err.Error(), hostid.ErrImplausibleControlFile.Error()), ": ")
		msg := "invalid --pgdata: " + ce.Path + " is not a PostgreSQL control file"
		if detail != "" {
			msg += ": " + detail
		}
		return usagef("%s", msg)
	}
	return fmt.Errorf("cannot read %s: %s", ce.Path, cause)
}
