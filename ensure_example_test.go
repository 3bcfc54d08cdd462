package polarlicense_test

import (
	"context"
	"errors"
	"fmt"
	"log"

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
