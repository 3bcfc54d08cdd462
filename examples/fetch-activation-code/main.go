// Command fetch-activation-code prints an activation code of a PolarDB
// license order and, with -out, writes its license file (license.lic) for
// PolarDB to read at start-up. The license of an expired code is written as
// asked, with a note on stderr: the database keeps running, but will not
// start again with it.
//
// Credentials and endpoint come from the environment, as for list-orders.
//
//	go run ./examples/fetch-activation-code [-out license.lic] ORDER_ID CODE_ID
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

func main() {
	out := flag.String("out", "", "write the license file here")
	force := flag.Bool("force", false, "replace a different existing license file")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: fetch-activation-code [-out license.lic] [-force] ORDER_ID CODE_ID")
		os.Exit(2)
	}
	codeID, err := strconv.ParseInt(flag.Arg(1), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fetch-activation-code: CODE_ID must be a number")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, os.Stderr, flag.Arg(0), codeID, *out, *force); err != nil {
		fmt.Fprintln(os.Stderr, "fetch-activation-code:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out, errOut io.Writer, orderID string, codeID int64, licensePath string, force bool) error {
	client, err := polarlicense.NewClient(
		polarlicense.WithRegion(os.Getenv("ALIBABA_CLOUD_REGION_ID")),
		polarlicense.WithEndpoint(os.Getenv("POLARLICENSE_ENDPOINT")),
	)
	if err != nil {
		return err
	}
	code, err := client.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{
		AliyunOrderID: orderID, ActivationCodeID: codeID,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "code %d %q for MAC %s", code.ID, code.Name, code.MacAddress)
	if code.SystemIdentifier != "" {
		fmt.Fprintf(out, ", system %s", code.SystemIdentifier)
	}
	fmt.Fprintf(out, "\nvalid %s to %s\n", code.ActivateAt.Format("2006-01-02"), code.ExpireAt.Format("2006-01-02"))
	if licensePath == "" {
		return nil
	}
	if err := polarlicense.WriteLicenseFile(licensePath, code.CertContentB64, force); err != nil {
		return err
	}
	fmt.Fprintf(out, "license written to %s\n", licensePath)
	if code.Expired(time.Now()) {
		fmt.Fprintf(errOut, "note: activation code %d expired on %s: the database keeps running, but will not start again with this license; it needs a new code\n",
			code.ID, code.ExpireAt.Format("2006-01-02"))
	}
	return nil
}
