package audit_test

import (
	"context"
	"fmt"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/audit"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// Audit an account: here the emulator's, with one order whose only code
// expires within the month.
func ExampleRun() {
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	srv := polarlicensetest.NewServer(
		polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(polarlicense.LicenseOrder{AliyunOrderID: "239618016570503", Engine: polarlicense.EnginePG,
			PackageType: polarlicense.PackageSingleNodeSubscribe, ActivationCodeQuota: 8}),
		polarlicensetest.WithActivationCode("239618016570503", polarlicense.ActivationCode{
			Name: "pg-prod-01", MacAddress: "00:16:3e:1a:2b:01", SystemIdentifier: "7345118823001548201",
			ExpireAt: now.AddDate(0, 0, 20)}, polarlicense.CertContent{}),
	)
	defer srv.Close()
	client, err := polarlicense.NewClient(srv.ClientOptions()...)
	if err != nil {
		fmt.Println(err)
		return
	}

	rep, err := audit.Run(context.Background(), client, audit.Policy{Now: now, ExpiringWithin: 30 * 24 * time.Hour})
	if err != nil {
		fmt.Println("audit failed:", err) // never a pass
		return
	}
	for _, f := range rep.Findings {
		fmt.Println(f.Severity, f.Check, f.AliyunOrderID, f.Message)
	}
	fmt.Println("errors or warnings:", rep.Reaches(audit.SeverityWarning))
	// Output:
	// warning code-expiring 239618016570503 code 1 "pg-prod-01" (MAC 00:16:3e:1a:2b:01) expires on 2030-06-21 (in 20 days)
	// errors or warnings: true
}

// Evaluate applies the rules to data the caller already has, such as an
// inventory kept elsewhere.
func ExampleEvaluate() {
	now := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	orders := []audit.Order{{
		LicenseOrder: polarlicense.LicenseOrder{AliyunOrderID: "227638319690519", ActivationCodeQuota: 2, ActivatedCodeCount: 2},
		Codes: []polarlicense.ActivationCode{
			{ID: 1, Name: "db-1", MacAddress: "00:16:3e:00:00:01", SystemIdentifier: "7001", ExpireAt: now.AddDate(1, 0, 0)},
			{ID: 2, Name: "db-1b", MacAddress: "00-16-3E-00-00-01", SystemIdentifier: "7001", ExpireAt: now.AddDate(1, 0, 0)},
		},
	}}
	for _, f := range audit.Evaluate(orders, audit.Policy{Now: now}) {
		fmt.Printf("%s %s code=%d\n", f.Severity, f.Check, f.ActivationCodeID)
	}
	// Output:
	// warning code-duplicate code=2
	// warning quota-exhausted code=0
}

// The checks, as data: a tool can list them, or map each to its own alert.
func ExampleChecks() {
	for _, c := range audit.Checks() {
		fmt.Printf("%-21s %s\n", c.Name, c.Severity)
	}
	// Output:
	// code-expired          error
	// code-expiring         warning
	// code-expiry-unknown   warning
	// code-count-mismatch   error
	// code-duplicate        warning
	// code-renewed          info
	// quota-exceeded        error
	// quota-exhausted       warning
	// quota-high            warning
	// virtual-order-frozen  info
}
