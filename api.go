package polarlicense

import "context"

// API is the six PolarDB license operations, with the methods and
// signatures of *Client, which satisfies it. The paginators
// (NewDescribeLicenseOrdersPaginator, NewDescribeActivationCodesPaginator)
// and the package's iterators (LicenseOrders, ActivationCodes) take an API,
// so code written against it can be tested with a fake of its own as well
// as with the emulator (package polarlicensetest) behind a real *Client.
//
// A fake need implement only what the code under test calls: embed API in
// the fake's struct and define those methods; calling any other then panics
// on the nil embedded interface, which in a test points at what is missing.
//
// Methods may be added to API as the service gains operations the client
// supports; a fake that embeds API keeps compiling.
type API interface {
	// CreateOrGetVirtualLicenseOrder is Client.CreateOrGetVirtualLicenseOrder.
	CreateOrGetVirtualLicenseOrder(ctx context.Context, req *CreateOrGetVirtualLicenseOrderRequest) (*CreateOrGetVirtualLicenseOrderResponse, error)
	// DescribeLicenseOrderDetails is Client.DescribeLicenseOrderDetails.
	DescribeLicenseOrderDetails(ctx context.Context, req *DescribeLicenseOrderDetailsRequest) (*DescribeLicenseOrderDetailsResponse, error)
	// DescribeLicenseOrders is Client.DescribeLicenseOrders.
	DescribeLicenseOrders(ctx context.Context, req *DescribeLicenseOrdersRequest) (*DescribeLicenseOrdersResponse, error)
	// DescribeActivationCodeDetails is Client.DescribeActivationCodeDetails.
	DescribeActivationCodeDetails(ctx context.Context, req *DescribeActivationCodeDetailsRequest) (*DescribeActivationCodeDetailsResponse, error)
	// DescribeActivationCodes is Client.DescribeActivationCodes.
	DescribeActivationCodes(ctx context.Context, req *DescribeActivationCodesRequest) (*DescribeActivationCodesResponse, error)
	// CreateActivationCode is Client.CreateActivationCode.
	CreateActivationCode(ctx context.Context, req *CreateActivationCodeRequest) (*CreateActivationCodeResponse, error)
}

// *Client is an API.
var _ API = (*Client)(nil)

// nilAPI reports whether api is nil, or a nil *Client inside an API.
func nilAPI(api API) bool {
	if api == nil {
		return true
	}
	c, ok := api.(*Client)
	return ok && c == nil
}
