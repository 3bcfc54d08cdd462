package nodecheck_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/nodecheck"
)

func ExampleRun() {
	dir, err := os.MkdirTemp("", "node")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// A license file, and the record license ensure keeps of it.
	lic := []byte("a license")
	path := filepath.Join(dir, "license.lic")
	if err := os.WriteFile(path, lic, 0o644); err != nil {
		log.Fatal(err)
	}
	sum := sha256.Sum256(lic)
	stateDir := filepath.Join(dir, "state")
	err = polarlicense.RecordLicenseFile(stateDir, &polarlicense.LicenseRecord{
		Path: path, SHA256: hex.EncodeToString(sum[:]), AliyunOrderID: "239618016570503", ActivationCodeID: 21,
		MacAddress: "00:16:3e:1a:2b:01", SystemIdentifier: "7312004471183294121",
		ExpireAt: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}

	// The database was initialised again since: a new system identifier.
	report, err := nodecheck.Run(context.Background(), nodecheck.Options{
		LicensePath:      path,
		SystemIdentifier: "7345118823001548201",
		MacAddress:       "00:16:3e:1a:2b:01",
		StateDir:         stateDir,
		Now:              func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(report.FirstLine())
	fmt.Println("exit status", int(report.Status), "days left", *report.DaysLeft)
	// Output:
	// LICENSE CRITICAL - system identifier 7345118823001548201 is not the code's 7312004471183294121 (a new initdb or pdbcli rebuild needs a new code)
	// exit status 2 days left 151
}
