package fleet_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/fleet"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// Plan an inventory, then apply the plan: here against the emulator, with
// the inventory and license files in a temporary directory.
func Example() {
	srv := polarlicensetest.NewServer(polarlicensetest.WithoutDemoData(), polarlicensetest.WithOrders(polarlicense.LicenseOrder{
		AliyunOrderID: "239618016570503", Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 5}))
	defer srv.Close()
	client, err := polarlicense.NewClient(srv.ClientOptions()...)
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "fleet-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	inventory := `clusters:
  - name: pg-prod
    order: "239618016570503"
    license_dir: ` + dir + `
    nodes:
      - name: host01
        mac: 00:16:3e:1a:2b:01
        system_identifier: "7345118823001548201"
      - name: host02
        mac: 00:16:3e:1a:2b:02
        system_identifier: "7345118823001548202"
`
	path := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(path, []byte(inventory), 0o600); err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	inv, err := fleet.Load(path)
	if err != nil {
		log.Fatal(err) // an *fleet.InventoryError names the line
	}
	plan, err := fleet.NewPlan(ctx, client, inv, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range plan.Nodes {
		fmt.Println("plan:", n.Name, n.State)
	}
	fmt.Println("refusals:", len(plan.Refusals))
	report, err := plan.Apply(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range report.Nodes {
		fmt.Println("apply:", r.Name, r.State, "created:", r.Created)
	}
	o := report.Orders[0].Order
	fmt.Printf("order %s: %d of %d left\n", o.AliyunOrderID, o.RemainingQuota(), o.ActivationCodeQuota)
	// Output:
	// plan: host01 to-issue
	// plan: host02 to-issue
	// refusals: 0
	// apply: host01 licensed created: true
	// apply: host02 licensed created: true
	// order 239618016570503: 3 of 5 left
}
