package polarlicense

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/gofrs/flock"
)

// The state directory. A client given one with WithStateDir coordinates the
// calls that may create an activation code with every other process using
// the same directory: on this machine, and on other machines that share the
// directory on a file system whose locks work across them (NFSv4, CephFS;
// not every network file system). It holds, per host, a lock file and a
// small JSON record of the create in flight; and, per license file written
// with WriteLicenseFileWithOptions, a LicenseRecord. Nothing secret goes into
// it: no credentials, no license, only order and code ids, MAC addresses,
// system identifiers, paths, hashes and times.
//
// Layout (an implementation detail, but stable enough to look at):
//
//	<dir>/hosts/<hash>.lock       the host's lock (flock), never removed
//	<dir>/hosts/<hash>.json       the host's create record
//	<dir>/licenses/<sha256>.json  a LicenseRecord, by the license's SHA-256
//
// where <hash> is derived from the order id, the normalised MAC address and
// the system identifier.

// StateDirMode is the permission of a state directory (and of its
// subdirectories) when the client creates it: its owner's only.
const StateDirMode fs.FileMode = 0o700

// stateFileMode is the permission of the files in a state directory.
const stateFileMode fs.FileMode = 0o600

// DefaultStateDir returns the state directory a program should use when its
// user names none: /var/lib/polarlicense for root;
// $XDG_STATE_HOME/polarlicense for anyone else when XDG_STATE_HOME is an
// absolute path; otherwise ~/.local/state/polarlicense. It does not create
// the directory (the client does, with StateDirMode, when it first needs
// it). The error says why none could be found (no home directory).
func DefaultStateDir() (string, error) {
	if runtime.GOOS != "windows" && os.Geteuid() == 0 {
		return "/var/lib/polarlicense", nil
	}
	if x := os.Getenv("XDG_STATE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "polarlicense"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("polarlicense: no default state directory: " + err.Error())
	}
	if home == "" || !filepath.IsAbs(home) {
		return "", errors.New("polarlicense: no default state directory: the home directory is not an absolute path")
	}
	return filepath.Join(home, ".local", "state", "polarlicense"), nil
}

// WithStateDir makes the client coordinate the calls that may create an
// activation code (EnsureActivationCode and CreateActivationCode) through
// the state directory dir, across processes: concurrent calls for one host,
// in any process using dir, create one code at most; a create whose outcome
// was never learned (the process was killed, the answer lost) holds the host
// for every later call, in any process, for ten minutes: EnsureActivationCode
// then looks for the code and does not create, CreateActivationCode sends
// nothing (both wrap ErrCreateHeld). dir is created with StateDirMode when first needed (its parents
// too). A relative dir is taken relative to the working directory at
// NewClient. "" leaves the client without a state directory: it then
// coordinates only the calls made through itself.
func WithStateDir(dir string) Option {
	return func(s *settings) error {
		if dir == "" {
			s.stateDir = ""
			return nil
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return errors.New("WithStateDir: " + err.Error())
		}
		s.stateDir = abs
		return nil
	}
}

// StateDir returns the client's state directory (WithStateDir), or "" if it
// has none.
func (c *Client) StateDir() string {
	if c == nil {
		return ""
	}
	return c.stateDir
}

// makeStateDir creates dir and its subdirectory sub, StateDirMode, and
// returns the subdirectory's path.
func makeStateDir(dir, sub string) (string, error) {
	p := filepath.Join(dir, sub)
	if err := os.MkdirAll(p, StateDirMode); err != nil {
		return "", &StateDirError{Dir: dir, Op: "create", Err: unwrapPathError(err)}
	}
	return p, nil
}

// StateDirError is a failure to use a state directory: to create it, to
// lock a host in it, or to read or write a record. It names the directory
// and the step. errors.Is matches its cause. A call whose context ends while
// another call holds the host's lock is one too (Op "lock", wrapping the
// context's error): it sent nothing.
type StateDirError struct {
	// Dir is the state directory.
	Dir string
	// Op is the step: "create", "lock", "read", "write" or "remove".
	Op string
	// Err is the cause.
	Err error
}

// Error names the directory, the step and the cause.
func (e *StateDirError) Error() string {
	return "polarlicense: state directory " + e.Dir + ": " + e.Op + ": " + causeText(e.Err)
}

// Unwrap returns the cause.
func (e *StateDirError) Unwrap() error { return e.Err }

// unwrapPathError returns a *fs.PathError's system error with the path
// folded into its text only when it is not the one the caller names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err) // the system's error stays in the chain
	}
	return err
}

// writeFileDurable writes data to dir/name atomically and durably: a
// temporary file in dir, synced, renamed over name, then dir synced.
func writeFileDurable(dir, name string, data []byte) (err error) {
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(stateFileMode); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	return syncDirErr(dir)
}

// syncDirErr syncs a directory, reporting a failure to open it but not a
// file system that cannot sync directories (EINVAL and the like).
func syncDirErr(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	_ = d.Sync()
	return d.Close()
}

// hostHash names a host's files in the state directory.
func hostHash(k *ensureKey) string {
	h := sha256.New()
	for _, s := range []string{k.order, k.mac, k.systemID} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// hostRecord is a host's record in the state directory: the create in
// flight, if any, and when the last create was begun or resolved.
type hostRecord struct {
	AliyunOrderID    string `json:"aliyun_order_id"`
	MacAddress       string `json:"mac_address"`
	SystemIdentifier string `json:"system_identifier"`
	// Pending is the create sent whose outcome is not known yet.
	Pending *pendingCreate `json:"pending,omitempty"`
	// LastCreateAt is when a create for the host was last begun, or its
	// outcome learned.
	LastCreateAt time.Time `json:"last_create_at,omitzero"`
	// LastCodeID is the code the last create made, when known.
	LastCodeID int64 `json:"last_code_id,omitempty"`
}

// pendingCreate is a create recorded before it was sent.
type pendingCreate struct {
	// BegunAt is when the record was made, just before the create was sent.
	BegunAt time.Time `json:"begun_at"`
	// HoldUntil is when the hold ends: until then, calls for the host look
	// and do not create.
	HoldUntil time.Time `json:"hold_until"`
	// Replaces is the code a renewal replaces (0 for a first code): finding
	// that code does not resolve the create. -1 (replacesUnknown) for a
	// CreateActivationCode, which no code found resolves.
	Replaces int64 `json:"replaces,omitempty"`
	// PID and Hostname say who sent the create, for the messages.
	PID      int    `json:"pid"`
	Hostname string `json:"hostname"`
}

// hostStore is a host's files in a state directory, locked by this call.
type hostStore struct {
	stateDir string
	dir      string // stateDir/hosts
	name     string // the host's hash
	key      ensureKey
	lock     *flock.Flock
}

// stateLockPoll is how often a call waiting for a host's lock tries again.
const stateLockPoll = 25 * time.Millisecond

// lockHost creates the state directory if need be and takes the host's
// lock, waiting for another holder (in any process) until ctx ends. The
// lock is an advisory flock(2) on the host's lock file: the system releases
// it when its holder dies.
func lockHost(ctx context.Context, stateDir string, k *ensureKey) (*hostStore, error) {
	dir, err := makeStateDir(stateDir, "hosts")
	if err != nil {
		return nil, err
	}
	name := hostHash(k)
	fl := flock.New(filepath.Join(dir, name+".lock"), flock.SetPermissions(stateFileMode))
	ok, err := fl.TryLockContext(ctx, stateLockPoll)
	switch {
	case ctx.Err() != nil:
		// Said as a wait for the lock, so that a caller can tell a call
		// that gave up before sending anything, another holding the host.
		_ = fl.Close()
		return nil, &StateDirError{Dir: stateDir, Op: "lock", Err: fmt.Errorf("waiting for the host's lock, which another call for the host holds: %w", ctx.Err())}
	case err != nil:
		_ = fl.Close()
		return nil, &StateDirError{Dir: stateDir, Op: "lock", Err: unwrapPathError(err)}
	case !ok:
		_ = fl.Close()
		return nil, &StateDirError{Dir: stateDir, Op: "lock", Err: errors.New("the host's lock was not had")}
	}
	return &hostStore{stateDir: stateDir, dir: dir, name: name, key: *k, lock: fl}, nil
}

// unlock releases the host's lock.
func (s *hostStore) unlock() { _ = s.lock.Close() }

// recordDoubt is a host record that exists but cannot be trusted: it could
// not be read, is not valid JSON, or names another host. When in doubt, a
// call looks and does not create, for the hold window from the file's last
// change.
type recordDoubt struct {
	reason   string
	modified time.Time
}

// read returns the host's record: the zero record if there is none, or a
// doubt.
func (s *hostStore) read() (hostRecord, *recordDoubt) {
	path := filepath.Join(s.dir, s.name+".json")
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return hostRecord{}, nil
	}
	doubt := func(reason string) *recordDoubt {
		d := &recordDoubt{reason: path + ": " + reason, modified: time.Now()}
		if fi, err := os.Stat(path); err == nil {
			d.modified = fi.ModTime()
		}
		return d
	}
	if err != nil {
		return hostRecord{}, doubt(unwrapPathError(err).Error())
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordSize))
	if err != nil {
		return hostRecord{}, doubt(err.Error())
	}
	var rec hostRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return hostRecord{}, doubt("not valid JSON: " + err.Error())
	}
	if rec.AliyunOrderID != s.key.order || rec.MacAddress != s.key.mac || rec.SystemIdentifier != s.key.systemID {
		return hostRecord{}, doubt("the record names another host")
	}
	if p := rec.Pending; p != nil && (p.BegunAt.IsZero() || p.HoldUntil.IsZero()) {
		return hostRecord{}, doubt("the pending create has no times")
	}
	return rec, nil
}

// readAt is read, with what a clock ahead of now wrote brought back to
// now (a host booted with a wrong date, or another machine sharing the
// directory): a pending create begun after now, a last create after now, or
// the last change of a record in doubt. Its hold then runs from now, for
// the window it was given: the create was sent before this call took the
// host's lock, so that covers it. Left as written, the record would hold the
// host for as long as that clock was ahead. The change is written back
// (the file's time, for a record in doubt), so that the hold does not start
// again at every call; if that fails, it does, which holds longer but never
// creates.
func (s *hostStore) readAt(now time.Time) (hostRecord, *recordDoubt) {
	rec, doubt := s.read()
	if doubt != nil {
		if doubt.modified.After(now) {
			doubt.modified = now
			_ = os.Chtimes(filepath.Join(s.dir, s.name+".json"), now, now)
		}
		return rec, doubt
	}
	changed := false
	if p := rec.Pending; p != nil && p.BegunAt.After(now) {
		hold := min(max(p.HoldUntil.Sub(p.BegunAt), ensureUncertainHold), 2*ensureUncertainHold)
		p.BegunAt, p.HoldUntil = now, now.Add(hold)
		changed = true
	}
	if rec.LastCreateAt.After(now) {
		rec.LastCreateAt = now
		changed = true
	}
	if changed {
		_ = s.write(&rec)
	}
	return rec, nil
}

// write replaces the host's record, durably.
func (s *hostStore) write(rec *hostRecord) error {
	rec.AliyunOrderID, rec.MacAddress, rec.SystemIdentifier = s.key.order, s.key.mac, s.key.systemID
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return &StateDirError{Dir: s.stateDir, Op: "write", Err: err}
	}
	if err := writeFileDurable(s.dir, s.name+".json", append(data, '\n')); err != nil {
		return &StateDirError{Dir: s.stateDir, Op: "write", Err: unwrapPathError(err)}
	}
	return nil
}
