package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// What the commands that may spend say when a step fails: a state
// directory that cannot be used, a code created whose license could not be
// fetched. (Their records in every output format: TestLicenseEnsureEveryFormat,
// TestFleetCSV, TestEveryRecordHasTableAndCSVForms.)

// A state directory that cannot be used: the create is not sent, and the
// message says so and what to do.
func TestCreateWithUnusableStateDirSaysWhatToDo(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	state := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(state, "hosts"), nil, 0o600)) // hosts/ cannot be made
	out := filepath.Join(t.TempDir(), "license.lic")
	for _, args := range [][]string{
		{"codes", "create", provOrder, "--mac", provMac, "--name", "pg-prod-01", "--system-id", provSysID, "--state-dir", state},
		append(ensureArgs(provOrder, out), "--state-dir", state),
	} {
		r := runAt(t, srv, args...)
		assert.Equal(t, exitFailure, r.code, r.stderr)
		assert.Equal(t, 1, strings.Count(r.stderr, "polarlicense: "), r.stderr)
		assert.Contains(t, r.stderr, "nothing was sent")
		assert.Contains(t, r.stderr, "--state-dir DIR or $"+envStateDir)
	}
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
}

// A run that created the code but could not fetch its license says that it
// spent, and that a run again finishes without spending.
func TestLicenseEnsureCreatedButNotFetched(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter},
		polarlicensetest.Fault{Operation: "DescribeActivationCodeDetails", Kind: polarlicensetest.FaultInternalError, Count: 10})
	path := filepath.Join(t.TempDir(), "license.lic")
	state := t.TempDir()
	r := runAt(t, srv, append(ensureArgs(provOrder, path), "--state-dir", state)...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "created the host's code (one unit of quota spent)")
	assert.Contains(t, r.stderr, "run the same command again")
	require.Len(t, srv.Codes(provOrder), 1)

	srv.ClearFaults()
	rec := decodeJSON[ensureRecord](t, ok(t, runAt(t, srv, append(ensureArgs(provOrder, path), "--state-dir", state)...)).stdout)
	assert.Equal(t, srv.Codes(provOrder)[0].ID, rec.ActivationCodeID)
	assert.True(t, rec.Written)
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
}

// A file at --out whose owner cannot be told (the service failing while
// license ensure compares it with the host's licenses): nothing was spent,
// and the message says which step failed.
func TestLicenseEnsureCannotTellTheFileSaysNothingSpent(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	path := filepath.Join(t.TempDir(), "license.lic")
	require.NoError(t, os.WriteFile(path, []byte("some license"), 0o600))
	srv.InjectFault(polarlicensetest.Fault{Operation: "DescribeActivationCodes", Kind: polarlicensetest.FaultInternalError, Count: 10})
	r := runAt(t, srv, ensureArgs(provOrder, path)...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "cannot tell whether "+path+" holds a license of this host")
	assert.Contains(t, r.stderr, "nothing was spent")
	assert.Zero(t, srv.RequestCount("CreateActivationCode"))
}

// fleet apply: a node whose code was created but whose license could not
// be fetched says it spent, and that apply again finishes.
func TestFleetApplyCreatedButNotFetched(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t)
	dir := t.TempDir()
	inv := writeInventory(t, dir, threeNodes(provOrder, filepath.Join(dir, "license")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "license"), 0o755))
	srv.InjectFault(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter},
		polarlicensetest.Fault{Operation: "DescribeActivationCodeDetails", Kind: polarlicensetest.FaultInternalError, Count: 10})
	recs, r := runFleetJSON(t, srv, "fleet", "apply", "-f", inv, "--concurrency", "1", "--state-dir", t.TempDir())
	assert.Equal(t, exitFailure, r.code)
	require.Len(t, recs, 3)
	assert.True(t, recs[0].Created)
	assert.Contains(t, recs[0].Error, "its code was created (one unit of quota spent)")
	assert.Contains(t, recs[0].Error, "run apply again")
}
