package polarlicense

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultStateDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	t.Setenv("HOME", "/home/someone")
	dir, err := DefaultStateDir()
	require.NoError(t, err)
	if os.Geteuid() == 0 {
		assert.Equal(t, "/var/lib/polarlicense", dir)
		return
	}
	assert.Equal(t, "/xdg/state/polarlicense", dir)
	t.Setenv("XDG_STATE_HOME", "relative/is/ignored")
	dir, err = DefaultStateDir()
	require.NoError(t, err)
	assert.Equal(t, "/home/someone/.local/state/polarlicense", dir)
}

func TestWithStateDirIsAbsolute(t *testing.T) {
	c, err := NewClient(WithAccessKey("id", "secret"), WithEndpoint("http://127.0.0.1:1"), WithStateDir("rel"))
	require.NoError(t, err)
	wd, _ := os.Getwd()
	assert.Equal(t, filepath.Join(wd, "rel"), c.StateDir())
	c, err = NewClient(WithAccessKey("id", "secret"), WithEndpoint("http://127.0.0.1:1"), WithStateDir(""))
	require.NoError(t, err)
	assert.Equal(t, "", c.StateDir())
}

func TestLicenseRecordRoundTrip(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state", "polarlicense")
	sum := strings.Repeat("Ab", 32)
	_, err := LookupLicenseRecord(state, sum)
	assert.ErrorIs(t, err, ErrNoLicenseRecord)

	exp := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	rec := &LicenseRecord{Path: "/opt/l/license.lic", SHA256: sum, AliyunOrderID: "o-1", ActivationCodeID: 7,
		MacAddress: "00-16-3E-1A-2B-01", SystemIdentifier: "7345118823001548201", ExpireAt: exp}
	require.NoError(t, RecordLicenseFile(state, rec))
	fi, err := os.Stat(state)
	require.NoError(t, err)
	assert.Equal(t, StateDirMode, fi.Mode().Perm(), "the state directory is its owner's only")

	got, err := LookupLicenseRecord(state, strings.ToUpper(sum))
	require.NoError(t, err)
	assert.Equal(t, strings.ToLower(sum), got.SHA256)
	assert.Equal(t, "00:16:3e:1a:2b:01", got.MacAddress, "stored normalised")
	assert.Equal(t, int64(7), got.ActivationCodeID)
	assert.True(t, got.ExpireAt.Equal(exp))
	assert.False(t, got.WrittenAt.IsZero())

	var verr *ValidationError
	assert.True(t, errors.As(RecordLicenseFile(state, &LicenseRecord{SHA256: "../../etc/passwd"}), &verr))
	_, err = LookupLicenseRecord(state, "../x")
	assert.True(t, errors.As(err, &verr))

	// A corrupt record is an error, not "no record".
	require.NoError(t, os.WriteFile(filepath.Join(state, "licenses", strings.ToLower(sum)+".json"), []byte("{"), 0o600))
	_, err = LookupLicenseRecord(state, sum)
	var serr *StateDirError
	assert.True(t, errors.As(err, &serr), "%v", err)
	assert.NotErrorIs(t, err, ErrNoLicenseRecord)
}

// Without a state directory there is no record, whatever the working
// directory holds: "" is not the working directory.
func TestLookupLicenseRecordWithoutStateDir(t *testing.T) {
	sum := strings.Repeat("cd", 32)
	wd := t.TempDir()
	require.NoError(t, RecordLicenseFile(wd, &LicenseRecord{Path: "/l", SHA256: sum}))
	t.Chdir(wd)
	_, err := LookupLicenseRecord("", sum)
	assert.ErrorIs(t, err, ErrNoLicenseRecord)
	got, err := LookupLicenseRecord(".", sum)
	require.NoError(t, err, "the record is there, for a state directory that names it")
	assert.Equal(t, "/l", got.Path)
}

// A state directory that cannot be read keeps the system's error in the
// chain (errors.Is), for a caller that tells a permission from a missing
// directory: the node check says to run as root on fs.ErrPermission.
func TestLookupLicenseRecordKeepsTheSystemError(t *testing.T) {
	state := t.TempDir()
	// "licenses" a file: the record's path has a file for a directory.
	require.NoError(t, os.WriteFile(filepath.Join(state, "licenses"), nil, 0o600))
	_, err := LookupLicenseRecord(state, strings.Repeat("ef", 32))
	var serr *StateDirError
	require.ErrorAs(t, err, &serr)
	assert.ErrorIs(t, err, syscall.ENOTDIR, "%v", err)
	assert.Contains(t, err.Error(), filepath.Join(state, "licenses", strings.Repeat("ef", 32)+".json")+": not a directory", "the text names the file, as before")
}

// A call that gives up waiting for a host's lock, which another holds, says
// so: a *StateDirError, Op "lock", wrapping the context's error, nothing
// sent.
func TestLockWaitThatEndsIsALockError(t *testing.T) {
	state := t.TempDir()
	host := ensureKey{order: "1", mac: "12:34:56:78:98:00", systemID: "7345118823001548201"}
	held, err := lockHost(context.Background(), state, &host)
	require.NoError(t, err)
	defer held.unlock()

	m := newMockAPI(t, WithStateDir(state))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = m.client.CreateActivationCode(ctx, &CreateActivationCodeRequest{AliyunOrderID: host.order, MacAddress: host.mac, SystemIdentifier: host.systemID, Name: "n"})
	var sde *StateDirError
	require.ErrorAs(t, err, &sde)
	assert.Equal(t, "lock", sde.Op)
	assert.Equal(t, state, sde.Dir)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "waiting for the host's lock, which another call for the host holds")
	assert.Zero(t, m.sent())
}
