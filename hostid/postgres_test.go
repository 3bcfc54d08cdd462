package hostid

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/internal/pgtest"
)

// A control file PostgreSQL wrote (initdb, run as an unprivileged user):
// read as pg_controldata reads it; a corrupted or truncated copy refused.
func TestSystemIdentifierRealPostgreSQL(t *testing.T) {
	c := pgtest.InitDB(t)
	got, err := SystemIdentifier(c.Dir)
	require.NoError(t, err)
	assert.Equal(t, c.ControlDataSystemIdentifier(t), got)

	orig, err := os.ReadFile(filepath.Join(c.Dir, "global", "pg_control"))
	require.NoError(t, err)
	require.Len(t, orig, ControlFileSize)

	corrupt := append([]byte(nil), orig...)
	corrupt[2] ^= 0x01 // one bit of the identifier
	_, err = SystemIdentifier(dataDir(t, corrupt))
	assert.ErrorIs(t, err, ErrControlFileCRC)

	_, err = SystemIdentifier(dataDir(t, orig[:100]))
	require.ErrorIs(t, err, ErrImplausibleControlFile)
	assert.Contains(t, err.Error(), "100 bytes")

	// The identifier pg_controldata prints of the copy is the one read.
	id, err := SystemIdentifier(dataDir(t, orig))
	require.NoError(t, err)
	assert.Equal(t, got, id)
}
