// Command get-order prints one PolarDB license order.
//
// Credentials and endpoint come from the environment, as for list-orders.
//
//	go run ./examples/get-order ORDER_ID
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: get-order ORDER_ID")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "get-order:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, orderID string) error {
	client, err := polarlicense.NewClient(
		polarlicense.WithRegion(os.Getenv("ALIBABA_CLOUD_REGION_ID")),
		polarlicense.WithEndpoint(os.Getenv("POLARLICENSE_ENDPOINT")),
	)
	if err != nil {
		return err
	}
	o, err := client.DescribeLicenseOrderDetails(ctx, &polarlicense.DescribeLicenseOrderDetailsRequest{AliyunOrderID: orderID})
	var apiErr *polarlicense.APIError
	if errors.As(err, &apiErr) {
		return fmt.Errorf("%s: %s (request id %s)", apiErr.Code, apiErr.Message, apiErr.RequestID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "order %s (%s, %s, %s via %s)\n", o.AliyunOrderID, o.Engine, o.PackageType, o.PackageValidity, o.PurchaseChannel)
	fmt.Fprintf(out, "codes: %d of %d used, %d left\n", o.ActivatedCodeCount, o.ActivationCodeQuota, o.RemainingQuota())
	if o.IsVirtualOrder {
		fmt.Fprintf(out, "virtual order %s, frozen: %v\n", o.VirtualOrderID, o.IsVirtualOrderFrozen)
	}
	fmt.Fprintf(out, "created %s, modified %s\n", o.GmtCreated.Format("2006-01-02 15:04:05 MST"), o.GmtModified.Format("2006-01-02 15:04:05 MST"))
	return nil
}
