package polarlicense

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aliyun/credentials-go/credentials"
)

// ordersBody is a DescribeLicenseOrders answer with n realistic orders.
func ordersBody(n int) string {
	var b strings.Builder
	b.WriteString(`{"RequestId":"34458CD3-33E0-4624-BFEF-840C15A1B2C3","PageNumber":1,"PageRecordCount":`)
	b.WriteString(strconv.Itoa(n))
	b.WriteString(`,"TotalRecordCount":`)
	b.WriteString(strconv.Itoa(n))
	b.WriteString(`,"Items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := strconv.Itoa(227638319690519 + i)
		b.WriteString(`{"ActivatedCodeCount":3,"ActivationCodeQuota":10,"AliyunOrderId":"` + id +
			`","AllowEmptySystemIdentifier":false,"Engine":"PG","GmtCreated":"2022-02-11 03:14:15","GmtModified":"2022-02-11 03:14:15",` +
			`"IsVirtualOrder":false,"IsVirtualOrderFrozen":false,"PackageType":"single_node_subscribe","PackageValidity":"1 year",` +
			`"PurchaseChannel":"aliyun_public","VirtualAliyunOrderId":"` + id + `"}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

var benchReq = &DescribeLicenseOrdersRequest{PageNumber: 1, PageSize: 30, PurchaseChannel: ChannelPublic, VirtualOrder: Bool(false)}

// BenchmarkBuildSignedRequest measures building and signing one request:
// parameters, canonical query, signature and the *http.Request.
func BenchmarkBuildSignedRequest(b *testing.B) {
	for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
		b.Run(alg.String(), func(b *testing.B) {
			c, err := NewClient(WithAccessKey(testKeyID, testSecret), WithSignatureAlgorithm(alg))
			if err != nil {
				b.Fatal(err)
			}
			bld := builders.Get().(*builder)
			cred, _ := c.creds.retrieve(context.Background(), 0)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				bld.params, _ = benchReq.appendParams(bld.params[:0])
				if _, err := c.newHTTPRequest(ctx, &opDescribeLicenseOrders, bld, cred); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeLicenseOrders measures decoding a 30-order page as a call
// does: classify, decode, check. Its allocations are the response, the item
// slice and one owned copy per distinct string that is not a known value
// (here the RequestId and each order's AliyunOrderId; the repeated
// VirtualAliyunOrderId is copied once).
func BenchmarkDecodeLicenseOrders(b *testing.B) {
	body := []byte(ordersBody(30))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var out DescribeLicenseOrdersResponse
		if _, err := decodeAnswer(chinaStandardTime, 30, 200, body, "", &out); err != nil || len(out.Items) != 30 {
			b.Fatal(err, len(out.Items))
		}
	}
}

// BenchmarkDecodeHostile decodes the 4 MiB bodies of hostileBodies as a
// 100-item page. B/op stays under twice the body's size plus 32 KiB (the
// documented bound; B/body-byte is the ratio), and a page of empty items
// beyond the 100 asked for is refused after 100 of them: before the bound,
// {"Items":[{},{},…]} allocated 1.4 GiB.
func BenchmarkDecodeHostile(b *testing.B) {
	bodies := hostileBodies()
	names := make([]string, 0, len(bodies))
	for name := range bodies {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		body := bodies[name]
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				var out DescribeActivationCodesResponse
				_, _ = decodeAnswer(chinaStandardTime, MaxPageSize, 200, body, "", &out)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(body)), "B/body-byte")
		})
	}
}

// newBenchServer serves a fixed 30-order page to every request.
func newBenchServer(b *testing.B) *httptest.Server {
	body := []byte(ordersBody(30))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkCall measures one whole DescribeLicenseOrders call against a
// local server in the same process (whose own costs are included).
func BenchmarkCall(b *testing.B) {
	srv := newBenchServer(b)
	for _, alg := range []SignatureAlgorithm{SignatureV3, SignatureRPC} {
		b.Run(alg.String(), func(b *testing.B) {
			c, err := NewClient(WithEndpoint(srv.URL), WithAccessKey(testKeyID, testSecret), WithSignatureAlgorithm(alg))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				out, err := c.DescribeLicenseOrders(ctx, benchReq)
				if err != nil || len(out.Items) != 30 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCallParallel measures calls from many goroutines sharing one
// client; ns/op falling with more cores shows there is no global lock on
// the hot path.
func BenchmarkCallParallel(b *testing.B) {
	srv := newBenchServer(b)
	c, err := NewClient(WithEndpoint(srv.URL), WithAccessKey(testKeyID, testSecret))
	if err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(32) // 32 goroutines a core: 64 on two cores
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			out, err := c.DescribeLicenseOrders(ctx, benchReq)
			if err != nil || len(out.Items) != 30 {
				b.Error(err)
				return
			}
		}
	})
}

// fixedTransport answers every request from memory with one body, so a
// benchmark measures the client alone. It is safe for concurrent use.
type fixedTransport struct{ body []byte }

func (t fixedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: int64(len(t.body)),
		Body: io.NopCloser(bytes.NewReader(t.body)), Request: r}, nil
}

// BenchmarkClientParallel measures the client alone (an in-memory transport,
// no server) with 64 goroutines sharing it. Run with -cpu 1,2: ns/op
// halving with two cores shows the hot path takes no global lock.
func BenchmarkClientParallel(b *testing.B) {
	for _, name := range []string{"AccessKey", "CredentialsProvider"} {
		b.Run(name, func(b *testing.B) {
			opt := WithAccessKey(testKeyID, testSecret)
			if name == "CredentialsProvider" {
				cred, err := credentials.NewCredential(new(credentials.Config).SetType("access_key").SetAccessKeyId(testKeyID).SetAccessKeySecret(testSecret))
				if err != nil {
					b.Fatal(err)
				}
				opt = WithCredentials(cred)
			}
			c, err := NewClient(WithEndpoint("http://127.0.0.1:1"), opt,
				WithHTTPClient(&http.Client{Transport: fixedTransport{body: []byte(ordersBody(30))}}))
			if err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(32)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					out, err := c.DescribeLicenseOrders(ctx, benchReq)
					if err != nil || len(out.Items) != 30 {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkHooks measures one call on an in-memory transport (the client
// alone) with no hook, and with hooks that do nothing themselves: an
// attempt hook, a CallObserver, and a logger whose level leaves out the
// debug records. Their allocs/op are equal: the dispatch allocates nothing.
func BenchmarkHooks(b *testing.B) {
	cases := []struct {
		name string
		opts []Option
	}{
		{"none", nil},
		{"AttemptHook", []Option{WithAttemptHook(func(context.Context, AttemptInfo) {})}},
		{"CallObserver", []Option{WithCallObserver(nopObserver{})}},
		{"LoggerAtInfo", []Option{WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			opts := append([]Option{WithEndpoint("http://127.0.0.1:1"), WithAccessKey(testKeyID, testSecret),
				WithHTTPClient(&http.Client{Transport: fixedTransport{body: []byte(ordersBody(30))}})}, tc.opts...)
			c, err := NewClient(opts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				out, err := c.DescribeLicenseOrders(ctx, benchReq)
				if err != nil || len(out.Items) != 30 {
					b.Fatal(err)
				}
			}
		})
	}
}
