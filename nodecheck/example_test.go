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

// The metrics of a report, as WriteTextfile writes them for node_exporter's
// textfile collector (here on stdout).
func ExampleReport_WriteMetrics() {
	dir, err := os.MkdirTemp("", "node")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	lic := []byte("a license")
	path := "/opt/polarflex/license/1/license.lic"
	if err := os.WriteFile(filepath.Join(dir, "license.lic"), lic, 0o644); err != nil {
		log.Fatal(err)
	}
	sum := sha256.Sum256(lic)
	stateDir := filepath.Join(dir, "state")
	err = polarlicense.RecordLicenseFile(stateDir, &polarlicense.LicenseRecord{
		Path: path, SHA256: hex.EncodeToString(sum[:]), AliyunOrderID: "239618016570503", ActivationCodeID: 21,
		MacAddress: "00:16:3e:1a:2b:01", SystemIdentifier: "7345118823001548201",
		ExpireAt: time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}
	report, err := nodecheck.Run(context.Background(), nodecheck.Options{
		LicensePath:      filepath.Join(dir, "license.lic"),
		SystemIdentifier: "7345118823001548201",
		MacAddress:       "00:16:3e:1a:2b:01",
		StateDir:         stateDir,
		Now:              func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	report.LicensePath = path // as on the node, for the example's output
	if err := report.WriteMetrics(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// # HELP polarlicense_node_license_status The node's license status, as polarlicense license check exits: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
	// # TYPE polarlicense_node_license_status gauge
	// polarlicense_node_license_status{license_path="/opt/polarflex/license/1/license.lic"} 1
	// # HELP polarlicense_node_license_check 1 when the license check named by the label check fails, else 0.
	// # TYPE polarlicense_node_license_check gauge
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="file-missing"} 0
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="file-not-regular"} 0
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="file-unreadable"} 0
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="file-owner"} 0
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="license-unknown"} 0
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="license-not-for-this-host"} 0
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="system-identifier-mismatch"} 0
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="mac-mismatch"} 0
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="expired"} 0
	// polarlicense_node_license_check{license_path="/opt/polarflex/license/1/license.lic",check="expiring"} 1
	// # HELP polarlicense_node_license_expiry_timestamp_seconds When the node's license expires, in Unix seconds.
	// # TYPE polarlicense_node_license_expiry_timestamp_seconds gauge
	// polarlicense_node_license_expiry_timestamp_seconds{license_path="/opt/polarflex/license/1/license.lic",aliyun_order_id="239618016570503",activation_code_id="21"} 1800403200
	// # HELP polarlicense_node_license_last_check_timestamp_seconds When polarlicense license check last ran, in Unix seconds.
	// # TYPE polarlicense_node_license_last_check_timestamp_seconds gauge
	// polarlicense_node_license_last_check_timestamp_seconds{license_path="/opt/polarflex/license/1/license.lic"} 1798761600
}
