package polarlicense_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// *Client is an API (api.go asserts it too; this is the caller's view).
var _ polarlicense.API = (*polarlicense.Client)(nil)

// fakeAPI is a test's own implementation of every API method: it serves
// orders o1…on and one order's codes 1…codes from memory, records each
// list request, and fails where told to. No server, no network.
type fakeAPI struct {
	orders, codes int
	failPage      int  // answer this page of either list with failure
	repeat        bool // answer every page of codes with page 1's items
	orderReqs     []polarlicense.DescribeLicenseOrdersRequest
	codeReqs      []polarlicense.DescribeActivationCodesRequest
}

var errFake = errors.New("fake: down")

func (f *fakeAPI) CreateOrGetVirtualLicenseOrder(context.Context, *polarlicense.CreateOrGetVirtualLicenseOrderRequest) (*polarlicense.CreateOrGetVirtualLicenseOrderResponse, error) {
	return nil, errFake
}

func (f *fakeAPI) DescribeLicenseOrderDetails(context.Context, *polarlicense.DescribeLicenseOrderDetailsRequest) (*polarlicense.DescribeLicenseOrderDetailsResponse, error) {
	return nil, errFake
}

func (f *fakeAPI) DescribeActivationCodeDetails(context.Context, *polarlicense.DescribeActivationCodeDetailsRequest) (*polarlicense.DescribeActivationCodeDetailsResponse, error) {
	return nil, errFake
}

func (f *fakeAPI) CreateActivationCode(context.Context, *polarlicense.CreateActivationCodeRequest) (*polarlicense.CreateActivationCodeResponse, error) {
	return nil, errFake
}

func (f *fakeAPI) DescribeLicenseOrders(_ context.Context, req *polarlicense.DescribeLicenseOrdersRequest) (*polarlicense.DescribeLicenseOrdersResponse, error) {
	f.orderReqs = append(f.orderReqs, *req)
	if req.PageNumber == f.failPage {
		return nil, errFake
	}
	resp := &polarlicense.DescribeLicenseOrdersResponse{RequestID: "fake", PageNumber: req.PageNumber, TotalRecordCount: f.orders}
	for i := (req.PageNumber - 1) * req.PageSize; i < req.PageNumber*req.PageSize && i < f.orders; i++ {
		resp.Items = append(resp.Items, polarlicense.LicenseOrder{AliyunOrderID: "o" + strconv.Itoa(i+1)})
	}
	return resp, nil
}

func (f *fakeAPI) DescribeActivationCodes(_ context.Context, req *polarlicense.DescribeActivationCodesRequest) (*polarlicense.DescribeActivationCodesResponse, error) {
	f.codeReqs = append(f.codeReqs, *req)
	if req.PageNumber == f.failPage {
		return nil, errFake
	}
	page := req.PageNumber
	if f.repeat {
		page = 1
	}
	resp := &polarlicense.DescribeActivationCodesResponse{RequestID: "fake", PageNumber: req.PageNumber, TotalRecordCount: f.codes}
	for i := (page - 1) * req.PageSize; i < page*req.PageSize && i < f.codes; i++ {
		resp.Items = append(resp.Items, polarlicense.ActivationCode{ID: int64(i + 1), MacAddress: req.MacAddress})
	}
	return resp, nil
}

func TestPaginatorOverOwnFake(t *testing.T) {
	fake := &fakeAPI{orders: 250}
	req := &polarlicense.DescribeLicenseOrdersRequest{PackageType: "single_node_long_term"}
	p := polarlicense.NewDescribeLicenseOrdersPaginator(fake, req)
	var ids []string
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, o := range page.Items {
			ids = append(ids, o.AliyunOrderID)
		}
	}
	require.Len(t, ids, 250)
	assert.Equal(t, "o1", ids[0])
	assert.Equal(t, "o250", ids[249])
	require.Len(t, fake.orderReqs, 3)
	for i, r := range fake.orderReqs {
		assert.Equal(t, i+1, r.PageNumber)
		assert.Equal(t, polarlicense.DefaultPaginatorPageSize, r.PageSize)
		assert.Equal(t, polarlicense.PackageType("single_node_long_term"), r.PackageType, "the filter goes on every page")
	}
	assert.Zero(t, req.PageNumber, "the caller's request is not changed")
	_, err := p.NextPage(context.Background())
	assert.ErrorIs(t, err, polarlicense.ErrNoMorePages)
}

func TestIteratorsOverOwnFake(t *testing.T) {
	ctx := context.Background()
	fake := &fakeAPI{orders: 7, codes: 5}
	var orders []string
	for o, err := range polarlicense.LicenseOrders(ctx, fake, nil, func(o *polarlicense.PaginatorOptions) { o.PageSize = 3 }) {
		require.NoError(t, err)
		orders = append(orders, o.AliyunOrderID)
	}
	assert.Equal(t, []string{"o1", "o2", "o3", "o4", "o5", "o6", "o7"}, orders)
	assert.Len(t, fake.orderReqs, 3)

	var codes []int64
	for c, err := range polarlicense.ActivationCodes(ctx, fake, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: "o1", MacAddress: "00:16:3e:00:00:01"},
		func(o *polarlicense.PaginatorOptions) { o.PageSize = 2 }) {
		require.NoError(t, err)
		assert.Equal(t, "00:16:3e:00:00:01", c.MacAddress)
		codes = append(codes, c.ID)
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, codes)
	for _, r := range fake.codeReqs {
		assert.Equal(t, "o1", r.AliyunOrderID)
	}
}

func TestIteratorsOverOwnFakeFailures(t *testing.T) {
	ctx := context.Background()

	// The fake's error comes back once, as a *PageError naming the page.
	fake := &fakeAPI{orders: 10, failPage: 2}
	var got []string
	var errs []error
	for o, err := range polarlicense.LicenseOrders(ctx, fake, nil, func(o *polarlicense.PaginatorOptions) { o.PageSize = 4 }) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, o.AliyunOrderID)
	}
	assert.Equal(t, []string{"o1", "o2", "o3", "o4"}, got)
	require.Len(t, errs, 1)
	var pe *polarlicense.PageError
	require.ErrorAs(t, errs[0], &pe)
	assert.Equal(t, 2, pe.PageNumber)
	assert.ErrorIs(t, errs[0], errFake)

	// The paginator's checks hold over a fake too: the same page served
	// again ends the walk.
	fake = &fakeAPI{codes: 10, repeat: true}
	var n int
	var last error
	for _, err := range polarlicense.ActivationCodes(ctx, fake, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: "o1"},
		func(o *polarlicense.PaginatorOptions) { o.PageSize = 3 }) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	assert.Equal(t, 3, n)
	assert.ErrorIs(t, last, polarlicense.ErrInconsistentPages)
}

func TestPaginatorNilAPI(t *testing.T) {
	ctx := context.Background()
	var nilClient *polarlicense.Client
	for name, api := range map[string]polarlicense.API{"nil": nil, "nil *Client": nilClient} {
		t.Run(name, func(t *testing.T) {
			_, err := polarlicense.NewDescribeLicenseOrdersPaginator(api, nil).NextPage(ctx)
			var ve *polarlicense.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "client", ve.Field)
			assert.Equal(t, "polarlicense: page 1: polarlicense: DescribeLicenseOrders: invalid client: nil API (a nil *Client, or none at all)", err.Error())

			var errs []error
			for _, err := range polarlicense.ActivationCodes(ctx, api, &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: "o1"}) {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1)
			require.ErrorAs(t, errs[0], &ve)
			assert.Equal(t, "DescribeActivationCodes", ve.Operation)
		})
	}
	// The method on a nil *Client says the same rather than panicking.
	errs := slices.Collect(func(yield func(error) bool) {
		for _, err := range nilClient.LicenseOrders(ctx, nil) {
			if !yield(err) {
				return
			}
		}
	})
	require.Len(t, errs, 1)
	assert.ErrorAs(t, errs[0], new(*polarlicense.ValidationError))
}

// ordersOnly is a user's fake: it embeds API, so it satisfies the interface
// while defining only what the code under test calls.
type ordersOnly struct {
	polarlicense.API
	orders []polarlicense.LicenseOrder
}

func (f ordersOnly) DescribeLicenseOrders(_ context.Context, req *polarlicense.DescribeLicenseOrdersRequest) (*polarlicense.DescribeLicenseOrdersResponse, error) {
	first := min((req.PageNumber-1)*req.PageSize, len(f.orders))
	last := min(first+req.PageSize, len(f.orders))
	return &polarlicense.DescribeLicenseOrdersResponse{PageNumber: req.PageNumber, TotalRecordCount: len(f.orders), Items: f.orders[first:last]}, nil
}

// frozenOrders is code under test: written against polarlicense.API, it
// runs on a *Client in production and on a fake in tests.
func frozenOrders(ctx context.Context, api polarlicense.API) ([]string, error) {
	var ids []string
	for o, err := range polarlicense.LicenseOrders(ctx, api, &polarlicense.DescribeLicenseOrdersRequest{VirtualOrder: polarlicense.Bool(true)}) {
		if err != nil {
			return nil, err
		}
		if o.IsVirtualOrderFrozen {
			ids = append(ids, o.AliyunOrderID)
		}
	}
	return ids, nil
}

// A service's own code, written against API, tested with a fake of its own.
func ExampleAPI() {
	fake := ordersOnly{orders: []polarlicense.LicenseOrder{
		{AliyunOrderID: "v-1", IsVirtualOrder: true},
		{AliyunOrderID: "v-2", IsVirtualOrder: true, IsVirtualOrderFrozen: true},
	}}
	ids, err := frozenOrders(context.Background(), fake)
	fmt.Println(ids, err)
	// Output: [v-2] <nil>
}

// oversized answers every page with one item more than asked, or with no
// page and no error at all.
type oversized struct {
	polarlicense.API
	nothing bool
}

func (f oversized) DescribeLicenseOrders(_ context.Context, req *polarlicense.DescribeLicenseOrdersRequest) (*polarlicense.DescribeLicenseOrdersResponse, error) {
	if f.nothing {
		return nil, nil
	}
	items := make([]polarlicense.LicenseOrder, req.PageSize+1)
	for i := range items {
		items[i].AliyunOrderID = fmt.Sprint("o", (req.PageNumber-1)*req.PageSize+i+1)
	}
	return &polarlicense.DescribeLicenseOrdersResponse{PageNumber: req.PageNumber, TotalRecordCount: 1000, Items: items}, nil
}

// The paginator's checks are the same over a fake as over the service: a page
// larger than its PageSize ends the walk with ErrInconsistentPages, as the
// client's decoder ends it for the service's; a fake answering neither a page
// nor an error ends it with an error, not a panic.
func TestPaginatorOverOwnFakeRefusesBadPages(t *testing.T) {
	ctx := context.Background()
	var n int
	var errs []error
	for _, err := range polarlicense.LicenseOrders(ctx, oversized{}, nil, func(o *polarlicense.PaginatorOptions) { o.PageSize = 3 }) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	assert.Zero(t, n, "no item of an oversized page is yielded")
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], polarlicense.ErrInconsistentPages)
	var pe *polarlicense.PageError
	require.ErrorAs(t, errs[0], &pe)
	assert.Equal(t, 1, pe.PageNumber)

	p := polarlicense.NewDescribeLicenseOrdersPaginator(oversized{nothing: true}, nil)
	var err error
	require.NotPanics(t, func() { _, err = p.NextPage(ctx) })
	require.ErrorAs(t, err, &pe)
	assert.False(t, p.HasMorePages())

	// A Paginator not made by its constructor says so.
	require.NotPanics(t, func() { _, err = new(polarlicense.DescribeLicenseOrdersPaginator).NextPage(ctx) })
	var ve *polarlicense.ValidationError
	require.ErrorAs(t, err, &ve)
}
