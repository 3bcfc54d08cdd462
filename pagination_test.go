package polarlicense

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orderPages is a fake DescribeLicenseOrders that pages over n orders
// named o1…on, with knobs for misbehaviour.
type orderPages struct {
	n          int
	total      func(page int) int // TotalRecordCount to report; default n
	answerPage func(page int) int // PageNumber to report; default the one asked
	serve      func(page, size int) (first, count int)
	failPage   int // answer this page with a 503
	calls      []int
}

func (f *orderPages) handler(t *testing.T) func(r *http.Request) (int, string) {
	return func(r *http.Request) (int, string) {
		q := r.URL.Query()
		page, _ := strconv.Atoi(q.Get("PageNumber"))
		size, _ := strconv.Atoi(q.Get("PageSize"))
		f.calls = append(f.calls, page)
		if page == f.failPage {
			return 503, `{"Code":"ServiceUnavailable","Message":"down","RequestId":"fail"}`
		}
		first, count := (page-1)*size, size
		if f.serve != nil {
			first, count = f.serve(page, size)
		}
		var items []map[string]any
		for i := first; i < first+count && i < f.n; i++ {
			items = append(items, map[string]any{"AliyunOrderId": "o" + strconv.Itoa(i+1)})
		}
		total := f.n
		if f.total != nil {
			total = f.total(page)
		}
		number := page
		if f.answerPage != nil {
			number = f.answerPage(page)
		}
		b, err := json.Marshal(map[string]any{"RequestId": "r" + strconv.Itoa(page), "PageNumber": number, "PageRecordCount": 999, "TotalRecordCount": total, "Items": items})
		require.NoError(t, err)
		return 200, string(b)
	}
}

func walk(t *testing.T, c *Client, req *DescribeLicenseOrdersRequest, opts ...func(*PaginatorOptions)) ([]string, error) {
	t.Helper()
	var ids []string
	for o, err := range c.LicenseOrders(context.Background(), req, opts...) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, o.AliyunOrderID)
	}
	return ids, nil
}

func ids(from, to int) []string {
	var s []string
	for i := from; i <= to; i++ {
		s = append(s, "o"+strconv.Itoa(i))
	}
	return s
}

func TestPaginationWalks(t *testing.T) {
	cases := []struct {
		name      string
		n, size   int
		wantCalls []int
	}{
		{"no items", 0, 10, []int{1}},
		{"one item", 1, 10, []int{1}},
		{"exactly one full page", 10, 10, []int{1}},
		{"many pages", 35, 10, []int{1, 2, 3, 4}},
		{"last page short", 25, 10, []int{1, 2, 3}},
		{"last page full", 30, 10, []int{1, 2, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &orderPages{n: tc.n}
			m := newMockAPI(t)
			m.handle = f.handler(t)
			got, err := walk(t, m.client, &DescribeLicenseOrdersRequest{PageSize: tc.size})
			require.NoError(t, err)
			assert.Equal(t, ids(1, tc.n), got)
			assert.Equal(t, tc.wantCalls, f.calls)
		})
	}
}

func TestPaginationDefaultsAndRequestIsNotMutated(t *testing.T) {
	f := &orderPages{n: 150}
	m := newMockAPI(t)
	m.handle = f.handler(t)
	req := &DescribeLicenseOrdersRequest{PurchaseChannel: ChannelPublic, VirtualOrder: Bool(false)}
	before := *req
	got, err := walk(t, m.client, req)
	require.NoError(t, err)
	assert.Len(t, got, 150)
	assert.Equal(t, before, *req, "the caller's request is never changed")
	require.Len(t, m.reqs, 2)
	for i, r := range m.reqs {
		q := r.URL.Query()
		assert.Equal(t, strconv.Itoa(DefaultPaginatorPageSize), q.Get("PageSize"))
		assert.Equal(t, strconv.Itoa(i+1), q.Get("PageNumber"))
		assert.Equal(t, "aliyun_public", q.Get("PurchaseChannel"), "filters go on every page")
		assert.Equal(t, "false", q.Get("VirtualOrder"))
	}
}

func TestPaginationStartsAtRequestPageAndOptionsOverride(t *testing.T) {
	f := &orderPages{n: 50}
	m := newMockAPI(t)
	m.handle = f.handler(t)
	got, err := walk(t, m.client, &DescribeLicenseOrdersRequest{PageNumber: 3, PageSize: 5}, func(o *PaginatorOptions) { o.PageSize = 20 })
	require.NoError(t, err)
	assert.Equal(t, ids(41, 50), got, "page 3 of 20-item pages")
	assert.Equal(t, []int{3}, f.calls)
}

func TestPaginationTotalRecordCountOff(t *testing.T) {
	t.Run("promises more than exist", func(t *testing.T) {
		f := &orderPages{n: 12, total: func(int) int { return 500 }}
		m := newMockAPI(t)
		m.handle = f.handler(t)
		got, err := walk(t, m.client, &DescribeLicenseOrdersRequest{PageSize: 5})
		require.NoError(t, err)
		assert.Equal(t, ids(1, 12), got)
		assert.Equal(t, []int{1, 2, 3}, f.calls, "the short page ends the walk")
	})
	t.Run("promises fewer than exist", func(t *testing.T) {
		f := &orderPages{n: 30, total: func(int) int { return 7 }}
		m := newMockAPI(t)
		m.handle = f.handler(t)
		got, err := walk(t, m.client, &DescribeLicenseOrdersRequest{PageSize: 5})
		require.NoError(t, err)
		assert.Equal(t, ids(1, 10), got, "a page is returned whole, then the walk ends")
		assert.Equal(t, []int{1, 2}, f.calls)
	})
	t.Run("changes between pages", func(t *testing.T) {
		f := &orderPages{n: 20, total: func(page int) int { return 10 + page*5 }}
		m := newMockAPI(t)
		m.handle = f.handler(t)
		got, err := walk(t, m.client, &DescribeLicenseOrdersRequest{PageSize: 5})
		require.NoError(t, err)
		assert.Equal(t, ids(1, 20), got, "the newest total counts")
	})
	t.Run("missing total relies on the short page", func(t *testing.T) {
		f := &orderPages{n: 12, total: func(int) int { return 0 }}
		m := newMockAPI(t)
		m.handle = f.handler(t)
		got, err := walk(t, m.client, &DescribeLicenseOrdersRequest{PageSize: 5})
		require.NoError(t, err)
		assert.Equal(t, ids(1, 12), got)
	})
}

func TestPaginationRefusesInconsistentPages(t *testing.T) {
	cases := map[string]struct {
		f        *orderPages
		failPage int
		wantIDs  []string
	}{
		"the same page served twice":   {&orderPages{n: 100, serve: func(page, size int) (int, int) { return 0, size }}, 2, ids(1, 5)},
		"page number does not advance": {&orderPages{n: 100, answerPage: func(int) int { return 1 }}, 2, ids(1, 5)},
		"more items than asked for":    {&orderPages{n: 100, serve: func(page, size int) (int, int) { return (page - 1) * size, size + 1 }}, 1, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := newMockAPI(t)
			m.handle = tc.f.handler(t)
			got, err := walk(t, m.client, &DescribeLicenseOrdersRequest{PageSize: 5})
			require.ErrorIs(t, err, ErrInconsistentPages)
			var pe *PageError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.failPage, pe.PageNumber)
			assert.Equal(t, tc.wantIDs, got)
			assert.Len(t, tc.f.calls, tc.failPage, "the walk stops at once")
			assert.NotContains(t, err.Error(), "\n", "one line, for a log")
			assert.Contains(t, err.Error(), "inconsistent paging: the ", "the cause, then what was inconsistent")
		})
	}
}

func TestPaginationErrorOnPage3Of5(t *testing.T) {
	f := &orderPages{n: 25, failPage: 3}
	m := newMockAPI(t)
	m.handle = f.handler(t)
	got, err := walk(t, m.client, &DescribeLicenseOrdersRequest{PageSize: 5})
	assert.Equal(t, ids(1, 10), got)
	var pe *PageError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 3, pe.PageNumber)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "ServiceUnavailable", apiErr.Code)
	assert.Contains(t, err.Error(), "page 3")

	// The paginator stays on the failed page: the next call retries it.
	f.calls = nil
	p := NewDescribeLicenseOrdersPaginator(m.client, &DescribeLicenseOrdersRequest{PageNumber: 3, PageSize: 5})
	_, err = p.NextPage(context.Background())
	require.Error(t, err)
	assert.True(t, p.HasMorePages())
	f.failPage = 0
	page, err := p.NextPage(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "o11", page.Items[0].AliyunOrderID)
	assert.Equal(t, []int{3, 3}, f.calls)
}

func TestPaginationEarlyBreakSendsNothingMore(t *testing.T) {
	f := &orderPages{n: 50}
	m := newMockAPI(t)
	m.handle = f.handler(t)
	n := 0
	for _, err := range m.client.LicenseOrders(context.Background(), &DescribeLicenseOrdersRequest{PageSize: 5}) {
		require.NoError(t, err)
		n++
		if n == 7 {
			break
		}
	}
	assert.Equal(t, []int{1, 2}, f.calls)
}

func TestPaginationContextCancelledMidWalk(t *testing.T) {
	f := &orderPages{n: 50}
	m := newMockAPI(t)
	m.handle = f.handler(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	var walkErr error
	for o, err := range m.client.LicenseOrders(ctx, &DescribeLicenseOrdersRequest{PageSize: 5}) {
		if err != nil {
			walkErr = err
			break
		}
		got = append(got, o.AliyunOrderID)
		if len(got) == 6 {
			cancel()
		}
	}
	assert.Equal(t, ids(1, 10), got, "the page in hand is finished")
	require.ErrorIs(t, walkErr, context.Canceled)
	var pe *PageError
	require.ErrorAs(t, walkErr, &pe)
	assert.Equal(t, 3, pe.PageNumber)
	assert.Equal(t, []int{1, 2}, f.calls, "no request after the cancellation")
}

func TestPaginationLimits(t *testing.T) {
	f := &orderPages{n: 50}
	m := newMockAPI(t)
	m.handle = f.handler(t)
	got, err := walk(t, m.client, &DescribeLicenseOrdersRequest{PageSize: 5}, func(o *PaginatorOptions) { o.MaxItems = 12 })
	require.NoError(t, err)
	assert.Equal(t, ids(1, 12), got)
	assert.Equal(t, []int{1, 2, 3}, f.calls)

	f.calls = nil
	got, err = walk(t, m.client, &DescribeLicenseOrdersRequest{PageSize: 5}, func(o *PaginatorOptions) { o.MaxPages = 2 })
	require.NoError(t, err)
	assert.Equal(t, ids(1, 10), got)
	assert.Equal(t, []int{1, 2}, f.calls)
}

func TestPaginatorPageByPage(t *testing.T) {
	f := &orderPages{n: 12}
	m := newMockAPI(t)
	m.handle = f.handler(t)
	p := NewDescribeLicenseOrdersPaginator(m.client, nil, func(o *PaginatorOptions) { o.PageSize = 5 })
	var pages []string
	for p.HasMorePages() {
		n := p.PageNumber()
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 12, page.TotalRecordCount)
		pages = append(pages, fmt.Sprintf("%d:%s:%d", n, page.RequestID, len(page.Items)))
	}
	assert.Equal(t, []string{"1:r1:5", "2:r2:5", "3:r3:2"}, pages)
	_, err := p.NextPage(context.Background())
	assert.ErrorIs(t, err, ErrNoMorePages)
}

func TestPaginationValidationErrorIsYielded(t *testing.T) {
	m := newMockAPI(t)
	for _, err := range m.client.ActivationCodes(context.Background(), &DescribeActivationCodesRequest{}) {
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "AliyunOrderID", ve.Field)
	}
	assert.Zero(t, m.sent())
}

func TestActivationCodesIterator(t *testing.T) {
	m := newMockAPI(t)
	m.handle = func(r *http.Request) (int, string) {
		q := r.URL.Query()
		if q.Get("PageNumber") == "1" {
			return 200, `{"RequestId":"r1","TotalRecordCount":3,"PageNumber":1,"Items":[{"Id":1},{"Id":2}]}`
		}
		return 200, `{"RequestId":"r2","TotalRecordCount":3,"PageNumber":2,"Items":[{"Id":3}]}`
	}
	var got []int64
	for c, err := range m.client.ActivationCodes(context.Background(), &DescribeActivationCodesRequest{AliyunOrderID: "o1", MacAddress: "12:34:56:78:98:00"}, func(o *PaginatorOptions) { o.PageSize = 2 }) {
		require.NoError(t, err)
		got = append(got, c.ID)
	}
	assert.Equal(t, []int64{1, 2, 3}, got)
	for _, r := range m.reqs {
		assert.Equal(t, "o1", r.URL.Query().Get("AliyunOrderId"))
		assert.Equal(t, "12:34:56:78:98:00", r.URL.Query().Get("MacAddress"))
	}
	assert.True(t, errors.Is(&PageError{Err: ErrInconsistentPages}, ErrInconsistentPages))
}
