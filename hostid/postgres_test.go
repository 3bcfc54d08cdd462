package hostid

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
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
	// The layout the package relies on for this version, as PostgreSQL
	// wrote it here: for 1300, the CRC-32C of bytes 0–287 at offset 288.
	if version := binary.NativeEndian.Uint32(orig[8:12]); version == 1300 && strconv.IntSize == 64 {
		assert.Equal(t, crc32.Checksum(orig[:288], crc32.MakeTable(crc32.Castagnoli)), binary.NativeEndian.Uint32(orig[288:]))
	} else {
		t.Logf("pg_control_version %d: its CRC is found by searching", version)
	}

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
