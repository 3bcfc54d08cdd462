package hostid_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"github.com/polarlicense/polarlicense-go/hostid"
)

func ExampleSystemIdentifier() {
	// A data directory as PostgreSQL leaves it: global/pg_control starts
	// with the system identifier and the control-file version, and (for
	// version 1300) holds the CRC-32C of its first 288 bytes after them.
	pgdata, err := os.MkdirTemp("", "pgdata")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(pgdata)
	ctl := make([]byte, 8192)
	binary.NativeEndian.PutUint64(ctl, 7345118823001548201)
	binary.NativeEndian.PutUint32(ctl[8:], 1300)
	binary.NativeEndian.PutUint32(ctl[288:], crc32.Checksum(ctl[:288], crc32.MakeTable(crc32.Castagnoli)))
	if err := os.Mkdir(filepath.Join(pgdata, "global"), 0o700); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pgdata, "global", "pg_control"), ctl, 0o600); err != nil {
		log.Fatal(err)
	}

	id, err := hostid.SystemIdentifier(pgdata)
	fmt.Println(id, err)

	_, err = hostid.SystemIdentifier(filepath.Join(pgdata, "nothing-here"))
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// 7345118823001548201 <nil>
	// true
}
