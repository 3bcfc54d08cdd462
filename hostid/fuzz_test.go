package hostid

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
)

// FuzzParseControlFile: whatever a control file holds, parseControlFile
// returns an identifier or a *ControlFileError, never panics, and accepts
// nothing whose CRC it could not find.
func FuzzParseControlFile(f *testing.F) {
	f.Add(controlBytes(7345118823001548201, 1300, 288, nil)[:300])
	f.Add(controlBytes(7345118823001548201, 1100, 296, nil)[:300])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, head []byte) {
		b := make([]byte, ControlFileSize)
		copy(b, head)
		id, err := parseControlFile(b, "pg_control")
		if err != nil {
			var cfe *ControlFileError
			if !errors.As(err, &cfe) || id != "" {
				t.Fatalf("error %v (%T) with id %q", err, err, id)
			}
			return
		}
		if id == "" || id == "0" {
			t.Fatalf("accepted with identifier %q", id)
		}
		// Accepted: some aligned offset holds the CRC of what precedes it.
		tab := crc32.MakeTable(crc32.Castagnoli)
		for k := controlHeaderSize; k+4 <= len(b); k += 4 {
			if crc32.Checksum(b[:k], tab) == binary.NativeEndian.Uint32(b[k:]) {
				return
			}
		}
		t.Fatal("accepted a file holding no CRC")
	})
}
