// Command list-orders walks every PolarDB license order of the account and
// prints one line per order with its quota use.
//
// Credentials come from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID,
// ALIBABA_CLOUD_ACCESS_KEY_SECRET, optionally ALIBABA_CLOUD_SECURITY_TOKEN, or
// any other source of credentials-go's default chain); ALIBABA_CLOUD_REGION_ID
// picks the region and POLARLICENSE_ENDPOINT overrides the endpoint, for
// example to point at `go run ./cmd/polarlicense-emulator`.
//
//	go run ./examples/list-orders [-virtual]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

func main() {
	virtual := flag.Bool("virtual", false, "list only virtual orders")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *virtual); err != nil {
		fmt.Fprintln(os.Stderr, "list-orders:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, virtualOnly bool) error {
	client, err := polarlicense.NewClient(
		polarlicense.WithRegion(os.Getenv("ALIBABA_CLOUD_REGION_ID")),
		polarlicense.WithEndpoint(os.Getenv("POLARLICENSE_ENDPOINT")),
	)
	if err != nil {
		return err
	}
	req := &polarlicense.DescribeLicenseOrdersRequest{}
	if virtualOnly {
		req.VirtualOrder = polarlicense.Bool(true)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ORDER\tENGINE\tPACKAGE\tCHANNEL\tCODES USED\tLEFT\tFROZEN")
	for o, err := range client.LicenseOrders(ctx, req) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d/%d\t%d\t%v\n", o.AliyunOrderID, o.Engine, o.PackageType, o.PurchaseChannel,
			o.ActivatedCodeCount, o.ActivationCodeQuota, o.RemainingQuota(), o.IsVirtualOrderFrozen)
	}
	return w.Flush()
}
