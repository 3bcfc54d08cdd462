package polarlicense

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"strconv"
)

// DefaultPaginatorPageSize is the page size paginators ask for unless the
// request or the options say otherwise: MaxPageSize, the largest page
// PolarDB's Describe operations document, so a walk makes as few calls as
// it can.
const DefaultPaginatorPageSize = MaxPageSize

// ErrInconsistentPages is wrapped by the error of a walk that the service's
// paging answers made unsafe to continue.
var ErrInconsistentPages = errors.New("inconsistent paging")

// ErrNoMorePages is returned by NextPage after the last page.
var ErrNoMorePages = errors.New("no more pages")

// PaginatorOptions tune a walk.
type PaginatorOptions struct {
	// PageSize is how many items to ask for a page, 1 to MaxPageSize. Zero
	// means the request's PageSize, or DefaultPaginatorPageSize if that is
	// zero too.
	PageSize int
	// MaxItems, when positive, ends the walk once this many items have been
	// returned; the page that crosses it is cut short.
	MaxItems int
	// MaxPages, when positive, ends the walk after this many pages.
	MaxPages int
}

// PageError is the failure of one page of a walk. It wraps the cause: an
// *OperationError from the call, a *ValidationError, the context's error, or
// an error wrapping ErrInconsistentPages.
type PageError struct {
	// PageNumber is the page that failed.
	PageNumber int
	// Err is the cause.
	Err error
}

// Error names the page and the cause.
func (e *PageError) Error() string {
	return "polarlicense: page " + strconv.Itoa(e.PageNumber) + ": " + causeText(e.Err)
}

// Unwrap returns the cause.
func (e *PageError) Unwrap() error { return e.Err }

// Paginator walks the pages of one Describe operation. Resp is the
// operation's response and Item its list item type. A Paginator is not safe
// for concurrent use; make one per walk.
type Paginator[Resp any, Item comparable] struct {
	fetch func(ctx context.Context, pageNumber, pageSize int) (*Resp, error)
	items func(*Resp) *[]Item
	info  func(*Resp) (pageNumber, total int)

	opts        PaginatorOptions
	next        int // the page NextPage asks for
	size        int
	pages, seen int
	first, last Item // of the previous non-empty page
	done        bool
}

// DescribeLicenseOrdersPaginator walks the pages of DescribeLicenseOrders.
type DescribeLicenseOrdersPaginator = Paginator[DescribeLicenseOrdersResponse, LicenseOrder]

// DescribeActivationCodesPaginator walks the pages of DescribeActivationCodes.
type DescribeActivationCodesPaginator = Paginator[DescribeActivationCodesResponse, ActivationCode]

// NewDescribeLicenseOrdersPaginator returns a paginator over the license
// orders that req selects, starting at req.PageNumber (default 1). req is
// copied, never changed; its filters go on every page. A nil req lists every
// order. c is a *Client or any other API, such as a test's fake; a nil c
// fails the first page with a *ValidationError.
func NewDescribeLicenseOrdersPaginator(c API, req *DescribeLicenseOrdersRequest, optFns ...func(*PaginatorOptions)) *DescribeLicenseOrdersPaginator {
	var r DescribeLicenseOrdersRequest
	if req != nil {
		r = *req
	}
	return newPaginator(r.PageNumber, r.PageSize, optFns,
		func(ctx context.Context, number, size int) (*DescribeLicenseOrdersResponse, error) {
			if nilAPI(c) {
				return nil, nilAPIError("DescribeLicenseOrders")
			}
			page := r
			page.PageNumber, page.PageSize = number, size
			return c.DescribeLicenseOrders(ctx, &page)
		},
		func(p *DescribeLicenseOrdersResponse) *[]LicenseOrder { return &p.Items },
		func(p *DescribeLicenseOrdersResponse) (int, int) { return p.PageNumber, p.TotalRecordCount })
}

// NewDescribeActivationCodesPaginator returns a paginator over the
// activation codes that req selects, starting at req.PageNumber (default
// 1). req is copied, never changed; its filters go on every page. c is a
// *Client or any other API, as for NewDescribeLicenseOrdersPaginator.
func NewDescribeActivationCodesPaginator(c API, req *DescribeActivationCodesRequest, optFns ...func(*PaginatorOptions)) *DescribeActivationCodesPaginator {
	var r DescribeActivationCodesRequest
	if req != nil {
		r = *req
	}
	return newPaginator(r.PageNumber, r.PageSize, optFns,
		func(ctx context.Context, number, size int) (*DescribeActivationCodesResponse, error) {
			if nilAPI(c) {
				return nil, nilAPIError("DescribeActivationCodes")
			}
			page := r
			page.PageNumber, page.PageSize = number, size
			return c.DescribeActivationCodes(ctx, &page)
		},
		func(p *DescribeActivationCodesResponse) *[]ActivationCode { return &p.Items },
		func(p *DescribeActivationCodesResponse) (int, int) { return p.PageNumber, p.TotalRecordCount })
}

// LicenseOrders returns an iterator over every license order that req
// selects, fetching pages as the loop needs them:
//
//	for order, err := range client.LicenseOrders(ctx, req) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// An error is yielded once, as a *PageError, and ends the loop; breaking out
// of the loop sends no further request. Each range over the iterator starts
// a new walk.
func (c *Client) LicenseOrders(ctx context.Context, req *DescribeLicenseOrdersRequest, optFns ...func(*PaginatorOptions)) iter.Seq2[LicenseOrder, error] {
	return LicenseOrders(ctx, c, req, optFns...)
}

// ActivationCodes returns an iterator over every activation code that req
// selects; it behaves as LicenseOrders does.
func (c *Client) ActivationCodes(ctx context.Context, req *DescribeActivationCodesRequest, optFns ...func(*PaginatorOptions)) iter.Seq2[ActivationCode, error] {
	return ActivationCodes(ctx, c, req, optFns...)
}

// LicenseOrders is Client.LicenseOrders over any API, such as a test's
// fake: an iterator over every license order that req selects, through
// api's DescribeLicenseOrders.
func LicenseOrders(ctx context.Context, api API, req *DescribeLicenseOrdersRequest, optFns ...func(*PaginatorOptions)) iter.Seq2[LicenseOrder, error] {
	return each(ctx, func() *DescribeLicenseOrdersPaginator { return NewDescribeLicenseOrdersPaginator(api, req, optFns...) })
}

// ActivationCodes is Client.ActivationCodes over any API, such as a test's
// fake: an iterator over every activation code that req selects, through
// api's DescribeActivationCodes.
func ActivationCodes(ctx context.Context, api API, req *DescribeActivationCodesRequest, optFns ...func(*PaginatorOptions)) iter.Seq2[ActivationCode, error] {
	return each(ctx, func() *DescribeActivationCodesPaginator {
		return NewDescribeActivationCodesPaginator(api, req, optFns...)
	})
}

// nilAPIError is a paginator's failure when it was given no API.
func nilAPIError(operation string) error {
	return &ValidationError{Operation: operation, Field: "client", Reason: "nil API (a nil *Client, or none at all)"}
}

func newPaginator[Resp any, Item comparable](pageNumber, pageSize int, optFns []func(*PaginatorOptions),
	fetch func(context.Context, int, int) (*Resp, error), items func(*Resp) *[]Item, info func(*Resp) (int, int)) *Paginator[Resp, Item] {
	p := &Paginator[Resp, Item]{fetch: fetch, items: items, info: info, opts: PaginatorOptions{PageSize: pageSize}}
	for _, fn := range optFns {
		if fn != nil {
			fn(&p.opts)
		}
	}
	if p.opts.PageSize == 0 {
		p.opts.PageSize = pageSize
	}
	if p.opts.PageSize == 0 {
		p.opts.PageSize = DefaultPaginatorPageSize
	}
	p.size = p.opts.PageSize
	p.next = max(pageNumber, 1)
	return p
}

// HasMorePages reports whether NextPage has a page to fetch.
func (p *Paginator[Resp, Item]) HasMorePages() bool { return !p.done }

// PageNumber returns the page the next call to NextPage asks for.
func (p *Paginator[Resp, Item]) PageNumber() int { return p.next }

// NextPage fetches the next page. On failure it returns a *PageError; the
// paginator stays on that page, so calling NextPage again retries it,
// unless the failure wraps ErrInconsistentPages, which ends the walk. After
// the last page it returns ErrNoMorePages.
func (p *Paginator[Resp, Item]) NextPage(ctx context.Context) (*Resp, error) {
	if p == nil || p.fetch == nil {
		return nil, &PageError{PageNumber: 1, Err: &ValidationError{Operation: "NextPage", Field: "paginator",
			Reason: "a Paginator not made by NewDescribeLicenseOrdersPaginator or NewDescribeActivationCodesPaginator"}}
	}
	if p.done {
		return nil, ErrNoMorePages
	}
	if ctx != nil { // a nil ctx is refused by the call, as a *ValidationError
		if err := ctx.Err(); err != nil {
			return nil, &PageError{PageNumber: p.next, Err: err}
		}
	}
	resp, err := p.fetch(ctx, p.next, p.size)
	if err == nil && resp == nil { // an API of the caller's own, answering nothing
		err = fmt.Errorf("%w: the API returned neither a page nor an error", ErrInconsistentPages)
	}
	if err != nil {
		p.done = errors.Is(err, ErrInconsistentPages)
		return nil, &PageError{PageNumber: p.next, Err: err}
	}
	items := p.items(resp)
	number, total := p.info(resp)
	n := len(*items)
	if err := p.check(number, *items); err != nil {
		p.done = true
		return nil, &PageError{PageNumber: p.next, Err: err}
	}
	if n > 0 {
		p.first, p.last = (*items)[0], (*items)[n-1]
	}
	p.pages++
	p.seen += n
	if p.opts.MaxItems > 0 && p.seen >= p.opts.MaxItems {
		*items = (*items)[:n-(p.seen-p.opts.MaxItems)]
		p.seen = p.opts.MaxItems
		p.done = true
	}
	switch {
	case n == 0, n < p.size:
	case total > 0 && p.seen >= total:
	case p.opts.MaxPages > 0 && p.pages >= p.opts.MaxPages:
	case p.next >= math.MaxInt32:
	default:
		p.next++
		return resp, nil
	}
	p.done = true
	return resp, nil
}

// check looks for paging answers that make the walk unsafe to continue. A
// page with more items than asked for is refused by the client's decoding
// (a *DecodeError wrapping ErrInconsistentPages) before the extra items are
// allocated; one from an API of the caller's own (a fake) is refused here.
func (p *Paginator[Resp, Item]) check(number int, items []Item) error {
	if len(items) > p.size {
		return fmt.Errorf("%w: the service answered %d items when asked for a page of %d", ErrInconsistentPages, len(items), p.size)
	}
	if number != 0 && number != p.next {
		return fmt.Errorf("%w: the service answered page %d when asked for page %d", ErrInconsistentPages, number, p.next)
	}
	if p.pages > 0 && len(items) > 0 && items[0] == p.first && items[len(items)-1] == p.last {
		return fmt.Errorf("%w: the service served the previous page again", ErrInconsistentPages)
	}
	return nil
}

// each turns a paginator into an item iterator; every range starts a new walk.
func each[Resp any, Item comparable](ctx context.Context, newPaginator func() *Paginator[Resp, Item]) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		p := newPaginator()
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				var zero Item
				yield(zero, err)
				return
			}
			for _, item := range *p.items(page) {
				if !yield(item, nil) {
					return
				}
			}
		}
	}
}
