package polarlicense_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// A provisioning step that can be re-run after any failure: the first run
// creates the host's code, the next ones find it and spend nothing.
func ExampleClient_EnsureActivationCode() {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	client, err := polarlicense.NewClient(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	req := &polarlicense.EnsureActivationCodeRequest{
		AliyunOrderID:    polarlicensetest.DemoOrderPG,
		MacAddress:       "00-16-3E-5A-00-01", // any spelling
		SystemIdentifier: "7345118823001548299",
		Name:             "pg-prod-05",
	}
	for range 2 {
		code, err := client.EnsureActivationCode(context.Background(), req)
		switch {
		case errors.Is(err, polarlicense.ErrQuotaExhausted), errors.Is(err, polarlicense.ErrOrderFrozen):
			log.Fatal("buy more quota: ", err) // nothing was spent
		case errors.Is(err, polarlicense.ErrUncertainOutcome):
			log.Fatal("run again later: ", err) // the code may exist; it was not created twice
		case err != nil:
			log.Fatal(err)
		}
		fmt.Println(code.Name, code.MacAddress, "created:", code.Created)
	}
	// Output:
	// pg-prod-05 00:16:3e:5a:00:01 created: true
	// pg-prod-05 00:16:3e:5a:00:01 created: false
}

func ExampleNormalizeMacAddress() {
	mac, err := polarlicense.NormalizeMacAddress("00-16-3E-1A-2B-01")
	fmt.Println(mac, err)
	_, err = polarlicense.NormalizeMacAddress("00163e1a2b01")
	fmt.Println(errors.Is(err, polarlicense.ErrInvalidMacAddress))
	// Output:
	// 00:16:3e:1a:2b:01 <nil>
	// true
}

// Runs in several processes (a timer, a person, a pipeline) coordinate
// through one state directory: each ensures the host's code, renewing it
// when it expires within 30 days; the renewed license goes where the old
// one was, owned by the database's user, and is recorded in the directory.
func ExampleWithStateDir() {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	stateDir, err := os.MkdirTemp("", "polarlicense-state") // in production: polarlicense.DefaultStateDir()
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(stateDir)
	client, err := polarlicense.NewClient(append(srv.ClientOptions(), polarlicense.WithStateDir(stateDir))...)
	if err != nil {
		log.Fatal(err)
	}
	code, err := client.EnsureActivationCode(context.Background(), &polarlicense.EnsureActivationCodeRequest{
		AliyunOrderID:    polarlicensetest.DemoOrderPG,
		MacAddress:       "00:16:3e:5a:00:02",
		SystemIdentifier: "7345118823001548298",
		Name:             "pg-prod-06",
		RenewWithin:      30 * 24 * time.Hour,
	})
	switch {
	case errors.Is(err, polarlicense.ErrCreateHeld):
		log.Fatal("a create begun earlier may still land; try after the time it says: ", err)
	case err != nil:
		log.Fatal(err)
	}
	if len(code.Duplicates) > 0 {
		log.Printf("quota spent twice for this host: %d other codes", len(code.Duplicates))
	}
	path := filepath.Join(stateDir, "license.lic") // in production: /opt/polarflex/license/1/license.lic
	opts := polarlicense.LicenseFileOptions{StateDir: stateDir, Code: &code.ActivationCode, AliyunOrderID: polarlicensetest.DemoOrderPG}
	// opts.Owner: polarlicense.LookupFileOwner("postgres"), for root writing the database user's file.
	if err := polarlicense.WriteLicenseFileWithOptions(path, code.CertContentB64, opts); err != nil {
		log.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	sum := sha256.Sum256(data)
	rec, err := polarlicense.LookupLicenseRecord(stateDir, hex.EncodeToString(sum[:]))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", code.Created, "renewed:", code.Renewed, "recorded code:", rec.ActivationCodeID == code.ID, rec.MacAddress)
	// Output:
	// created: true renewed: false recorded code: true 00:16:3e:5a:00:02
}
