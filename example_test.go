package polarlicense_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// newDemoClient starts an emulator with its demo data and returns a client
// pointed at it. Real code calls NewClient with a region and credentials.
func newDemoClient() (*polarlicense.Client, func()) {
	srv := polarlicensetest.NewServer()
	client, err := polarlicense.NewClient(srv.ClientOptions()...)
	if err != nil {
		panic(err)
	}
	return client, srv.Close
}

func ExampleNewClient() {
	client, err := polarlicense.NewClient(
		polarlicense.WithRegion("ap-southeast-1"),
		polarlicense.WithAccessKey("LTAI5tExampleKeyID", "example-secret"),
	)
	if err != nil {
		panic(err)
	}
	fmt.Println(client.Endpoint())
	// Output: https://polardb.ap-southeast-1.aliyuncs.com
}

func ExampleClient_DescribeLicenseOrderDetails() {
	client, stop := newDemoClient()
	defer stop()

	o, err := client.DescribeLicenseOrderDetails(context.Background(), &polarlicense.DescribeLicenseOrderDetailsRequest{
		AliyunOrderID: polarlicensetest.DemoOrderNearlySpent,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(o.Engine, o.PackageType, o.PurchaseChannel)
	fmt.Printf("%d of %d codes used, %d left\n", o.ActivatedCodeCount, o.ActivationCodeQuota, o.RemainingQuota())
	fmt.Println(o.GmtCreated.Format("2006-01-02 15:04:05 -07:00"))
	// Output:
	// PG primary_backup_subscribe aliyun_market
	// 4 of 5 codes used, 1 left
	// 2024-05-20 16:45:00 +08:00
}

func ExampleClient_LicenseOrders() {
	client, stop := newDemoClient()
	defer stop()

	ctx := context.Background()
	left := 0
	for o, err := range client.LicenseOrders(ctx, &polarlicense.DescribeLicenseOrdersRequest{PurchaseChannel: polarlicense.ChannelMarketplace}) {
		if err != nil {
			panic(err)
		}
		if !o.IsVirtualOrderFrozen {
			left += o.RemainingQuota()
		}
	}
	fmt.Println("codes left on marketplace orders:", left)
	// Output: codes left on marketplace orders: 9
}

func ExampleNewDescribeLicenseOrdersPaginator() {
	client, stop := newDemoClient()
	defer stop()

	p := polarlicense.NewDescribeLicenseOrdersPaginator(client, nil, func(o *polarlicense.PaginatorOptions) { o.PageSize = 3 })
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			panic(err)
		}
		fmt.Printf("page %d: %d of %d orders\n", page.PageNumber, len(page.Items), page.TotalRecordCount)
	}
	// Output:
	// page 1: 3 of 7 orders
	// page 2: 3 of 7 orders
	// page 3: 1 of 7 orders
}

func ExampleClient_ActivationCodes() {
	client, stop := newDemoClient()
	defer stop()

	req := &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: polarlicensetest.DemoOrderPG}
	for code, err := range client.ActivationCodes(context.Background(), req) {
		if err != nil {
			panic(err)
		}
		fmt.Println(code.Name, code.MacAddress)
	}
	// Unordered output:
	// pg-prod-01 00:16:3e:1a:2b:01
	// pg-prod-02 00:16:3e:1a:2b:02
}

func ExampleClient_CreateActivationCode() {
	client, stop := newDemoClient()
	defer stop()

	ctx := context.Background()
	code, err := client.CreateActivationCode(ctx, &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID:    polarlicensetest.DemoOrderPG,
		MacAddress:       "00:16:3e:1a:2b:03",
		Name:             "pg-prod-03",
		SystemIdentifier: "7345118823001548203",
	})
	switch {
	case errors.Is(err, polarlicense.ErrUncertainOutcome):
		// The code may exist: look for it before trying again.
		fmt.Println("check with DescribeActivationCodes")
	case err != nil:
		panic(err)
	default:
		fmt.Println("created", code.Name)
		fmt.Printf("%v\n", code.CertContentB64) // licenses never print
	}
	// Output:
	// created pg-prod-03
	// [REDACTED]
}

func ExampleAPIError() {
	client, stop := newDemoClient()
	defer stop()

	_, err := client.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoVirtualOrderFrozen,
		MacAddress:    "00:16:3e:90:00:04",
		Name:          "pre-04",
	})
	var apiErr *polarlicense.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID != "")
	}
	// Output: 403 OperationDenied.VirtualOrderFrozen true
}

func ExampleValidationError() {
	client, stop := newDemoClient()
	defer stop()

	_, err := client.CreateActivationCode(context.Background(), &polarlicense.CreateActivationCodeRequest{
		AliyunOrderID: polarlicensetest.DemoOrderPG,
		MacAddress:    "00:16:3e:1a:2b",
		Name:          "pg prod 03",
	})
	var ve *polarlicense.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field)
	}
	fmt.Println(err)
	// Output:
	// MacAddress
	// polarlicense: CreateActivationCode: invalid MacAddress: must be six pairs of hex digits separated by ":" or "-", such as 12:34:56:78:9a:bc
}

func ExampleWriteLicenseFile() {
	client, stop := newDemoClient()
	defer stop()

	ctx := context.Background()
	var first polarlicense.ActivationCode
	for code, err := range client.ActivationCodes(ctx, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: polarlicensetest.DemoOrderMySQL}) {
		if err != nil {
			panic(err)
		}
		first = code
		break
	}
	details, err := client.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{
		AliyunOrderID: polarlicensetest.DemoOrderMySQL, ActivationCodeID: first.ID,
	})
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "license")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "license.lic")
	if err := polarlicense.WriteLicenseFile(path, details.CertContentB64, false); err != nil {
		panic(err)
	}
	info, _ := os.Stat(path)
	fmt.Println(info.Mode())
	// Output: -rw-------
}
