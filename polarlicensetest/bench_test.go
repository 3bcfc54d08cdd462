package polarlicensetest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// BenchmarkHandler measures the emulator alone: a signed request (signing
// included) through ServeHTTP into a recorder.
func BenchmarkHandler(b *testing.B) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	for _, v3 := range []bool{false, true} {
		name := "RPC"
		if v3 {
			name = "V3"
		}
		b.Run(name, func(b *testing.B) {
			r := raw{v3: v3, action: "DescribeLicenseOrderDetails", query: p("AliyunOrderId", polarlicensetest.DemoOrderPG)}
			b.ReportAllocs()
			for b.Loop() {
				req := r.build(b, srv)
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkClient measures a whole call of our client over loopback.
func BenchmarkClient(b *testing.B) {
	srv := polarlicensetest.NewServer()
	defer srv.Close()
	c, err := polarlicense.NewClient(srv.ClientOptions()...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := &polarlicense.DescribeLicenseOrdersRequest{PageSize: 10}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.DescribeLicenseOrders(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
