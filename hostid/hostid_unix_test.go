//go:build unix

package hostid

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// within fails t when f has not returned after d: a guard against a call
// that blocks forever, not a measure of speed.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still blocked after %v", d)
	}
}

func TestSystemIdentifierFIFO(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "global"), 0o700))
	fifo := filepath.Join(dir, "global", "pg_control")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	var err error
	within(t, 30*time.Second, func() { _, err = SystemIdentifier(dir) })
	var cfe *ControlFileError
	require.ErrorAs(t, err, &cfe)
	assert.ErrorIs(t, err, ErrNotRegularFile)
	assert.Contains(t, err.Error(), "a FIFO")

	// Should the path become a FIFO between the look and the open, the
	// open does not wait for a writer, and the opened file is looked at.
	var f *os.File
	within(t, 30*time.Second, func() { f, err = openNonBlocking(fifo) })
	require.NoError(t, err)
	defer f.Close()
	fi, err := f.Stat()
	require.NoError(t, err)
	assert.False(t, fi.Mode().IsRegular())
}

func TestSystemIdentifierUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a file of mode 0000")
	}
	dir := controlFile(t, 7345118823001548201, 1300, ControlFileSize, nil)
	require.NoError(t, os.Chmod(filepath.Join(dir, "global", "pg_control"), 0))
	_, err := SystemIdentifier(dir)
	assert.ErrorIs(t, err, os.ErrPermission)
}
