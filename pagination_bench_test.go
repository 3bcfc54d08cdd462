package polarlicense

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"
)

// pageTransport answers DescribeLicenseOrders from memory: total orders in
// pages built on the fly into one reused buffer, so that a benchmark counts
// the client's allocations, not a server's.
type pageTransport struct {
	total int
	buf   []byte
}

func (t *pageTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("PageNumber"))
	size, _ := strconv.Atoi(q.Get("PageSize"))
	b := append(t.buf[:0], `{"RequestId":"bench","PageNumber":`...)
	b = strconv.AppendInt(b, int64(page), 10)
	b = append(b, `,"TotalRecordCount":`...)
	b = strconv.AppendInt(b, int64(t.total), 10)
	b = append(b, `,"Items":[`...)
	for i := (page - 1) * size; i < page*size && i < t.total; i++ {
		if i > (page-1)*size {
			b = append(b, ',')
		}
		b = append(b, `{"ActivatedCodeCount":3,"ActivationCodeQuota":10,"AliyunOrderId":"`...)
		b = strconv.AppendInt(b, 227638319690519+int64(i), 10)
		b = append(b, `","AllowEmptySystemIdentifier":false,"Engine":"PG","GmtCreated":"2022-02-11 03:14:15","GmtModified":"2022-02-11 03:14:15","IsVirtualOrder":false,"IsVirtualOrderFrozen":false,"PackageType":"single_node_subscribe","PackageValidity":"1 year","PurchaseChannel":"aliyun_public","VirtualAliyunOrderId":"227638319690519"}`...)
	}
	b = append(b, "]}"...)
	t.buf = b
	return &http.Response{
		StatusCode: 200, Header: http.Header{}, ContentLength: int64(len(b)),
		Body: io.NopCloser(bytes.NewReader(b)), Request: r,
	}, nil
}

// BenchmarkWalk100kOrders walks 100,000 orders through LicenseOrders, 100 a
// page. B/item is what the walk allocates per order: flat memory means it
// does not grow with the walk's length, as the iterator holds one page at a
// time.
func BenchmarkWalk100kOrders(b *testing.B) {
	const total = 100_000
	c, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithAccessKey("id", "secret"),
		WithHTTPClient(&http.Client{Transport: &pageTransport{total: total}}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var quota int
	for b.Loop() {
		n := 0
		for o, err := range c.LicenseOrders(ctx, nil) {
			if err != nil {
				b.Fatal(err)
			}
			quota += o.ActivationCodeQuota
			n++
		}
		if n != total {
			b.Fatalf("walked %d orders, want %d", n, total)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N*total), "B/item")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*total), "allocs/item")
	_ = quota
}
