package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The benchmarks. Each client benchmark times one whole DescribeLicenseOrders
// call (build, sign, send, receive, decode 30 orders) against the shared
// in-process server, whose costs it therefore includes; the Server
// benchmarks measure those costs alone. run.sh runs them all and reports
// medians, client-only allocations and the ratios to the hand-written
// client.

// parallelism is the goroutines per GOMAXPROCS of the parallel benchmarks.
const parallelism = 4

// benchCall times sequential calls through the named client.
func benchCall(b *testing.B, name string) { benchCallOf(b, name, sharedServer()) }

// benchCallOf times sequential calls through the named client to srv.
func benchCallOf(b *testing.B, name string, srv *httptest.Server) {
	c := newClientOf(b, name, srv)
	// Once, outside the timed loop: the call works and decodes every field
	// of every order.
	checkPage(b, c, expectedPage(b))
	ctx := context.Background()
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		n, err := c.Call(ctx)
		if err != nil || n != OrderCount {
			b.Fatalf("%d orders, %v", n, err)
		}
	}
	reportCPU(b, cpu)
}

// reportCPU reports the process's CPU time per call since start, client
// and in-process server together, as cpu-ns/op.
func reportCPU(b *testing.B, start time.Duration) {
	if d := processCPU() - start; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// benchParallel times calls through one shared client from
// parallelism×GOMAXPROCS goroutines.
func benchParallel(b *testing.B, name string) {
	c := newClient(b, name)
	checkPage(b, c, expectedPage(b))
	b.SetParallelism(parallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			n, err := c.Call(ctx)
			if err != nil || n != OrderCount {
				b.Errorf("%d orders, %v", n, err)
				return
			}
		}
	})
}

// BenchmarkOurs is this repository's client, as configured by default
// (V3 signature, ACS3-HMAC-SHA256), on the common transport.
func BenchmarkOurs(b *testing.B) { benchCall(b, "Ours") }

// BenchmarkOursRPC is our client with the RPC signature (HMAC-SHA1), the
// one the hand-written client computes.
func BenchmarkOursRPC(b *testing.B) { benchCall(b, "OursRPC") }

// BenchmarkAliyunSDK is github.com/aliyun/alibaba-cloud-sdk-go's generated
// polardb client (RPC signature).
func BenchmarkAliyunSDK(b *testing.B) { benchCall(b, "AliyunSDK") }

// BenchmarkDarabonba is github.com/alibabacloud-go/darabonba-openapi/v2's
// CallApi as the generated polardb-20170801 client calls it (V3 signature),
// with dara.Convert into typed structs.
func BenchmarkDarabonba(b *testing.B) { benchCall(b, "Darabonba") }

// BenchmarkHandWritten is the minimal hand-written client.
func BenchmarkHandWritten(b *testing.B) { benchCall(b, "HandWritten") }

// BenchmarkSideBySide is the side-by-side run: the bare signed round trip
// (Floor), our client with the same RPC signature and the hand-written
// client, against a server that verifies every signature, answering with
// Content-Length and chunked (without it, so that a client must read a body
// of unknown length). Our client's time is held against Floor's and the
// hand-written client's (see BENCHMARKS.md's goals).
func BenchmarkSideBySide(b *testing.B) {
	for _, mode := range []struct {
		name    string
		chunked bool
	}{{"ContentLength", false}, {"Chunked", true}} {
		srv := sharedVerifyingServer(mode.chunked)
		b.Run(mode.name+"/Floor", func(b *testing.B) { benchFloor(b, srv) })
		b.Run(mode.name+"/OursRPC", func(b *testing.B) { benchCallOf(b, "OursRPC", srv) })
		b.Run(mode.name+"/HandWritten", func(b *testing.B) { benchCallOf(b, "HandWritten", srv) })
	}
}

// floorGaps are the client-side work BenchmarkFloorGap puts between Floor's
// round trips, in microseconds: from none to about twice what decoding the
// 30-order page costs.
var floorGaps = []int{0, 2, 4, 8, 16, 32}

// BenchmarkFloorGap is the side-by-side run's control: Floor's round trip
// (Content-Length answers) followed by Gap µs of Busy, arithmetic that
// touches no memory and allocates nothing, standing in for a client's own
// work. ns/op is the whole loop, rt-ns/op the round trip alone. If a round
// trip cost the same whatever came between two of them, rt-ns/op would not
// move with the gap and ns/op would be Floor's time plus the gap; where
// rt-ns/op grows, the time between round trips costs more than itself, for
// any client, whatever its work is made of. BENCHMARKS.md reads it.
func BenchmarkFloorGap(b *testing.B) {
	srv := sharedVerifyingServer(false)
	for _, us := range floorGaps {
		b.Run(fmt.Sprintf("Gap%dus", us), func(b *testing.B) {
			f, err := NewFloor(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(f.Close)
			want, gap := len(OrdersBody()), time.Duration(us)*time.Microsecond
			ctx := context.Background()
			var rt time.Duration
			var keep uint64
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				if n, err := f.RoundTrip(ctx); err != nil || n != want {
					b.Fatalf("%d bytes, %v", n, err)
				}
				rt += time.Since(start)
				if gap > 0 {
					keep += Busy(gap)
				}
			}
			b.ReportMetric(float64(rt.Nanoseconds())/float64(b.N), "rt-ns/op")
			if keep == 1 { // never: keeps Busy's result alive
				b.Log(keep)
			}
		})
	}
}

// BenchmarkVerifyRPC measures the side-by-side servers' signature check
// alone: it must allocate nothing, so that the server's allocations stay
// what BenchmarkServerReplay measures.
func BenchmarkVerifyRPC(b *testing.B) {
	query := capturedQuery(b)
	b.ReportAllocs()
	for b.Loop() {
		if !VerifyRPC("POST", query) {
			b.Fatal("signature refused")
		}
	}
}

// benchFloor times Floor's round trips to srv.
func benchFloor(b *testing.B, srv *httptest.Server) {
	f, err := NewFloor(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(f.Close)
	want := len(OrdersBody())
	ctx := context.Background()
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if n, err := f.RoundTrip(ctx); err != nil || n != want {
			b.Fatalf("%d bytes, %v", n, err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkOursParallel is BenchmarkOurs from many goroutines.
func BenchmarkOursParallel(b *testing.B) { benchParallel(b, "Ours") }

// BenchmarkHandWrittenParallel is BenchmarkHandWritten from many goroutines.
func BenchmarkHandWrittenParallel(b *testing.B) { benchParallel(b, "HandWritten") }

// BenchmarkServerReplay measures the server alone answering each client's
// request: the exact bytes the client sends, captured once, replayed on
// one keep-alive connection by a reader that allocates nothing. Its
// allocations are the server's share of that client's benchmark.
func BenchmarkServerReplay(b *testing.B) {
	srv := sharedServer()
	host := strings.TrimPrefix(srv.URL, "http://")
	bodyLen := len(OrdersBody())
	for _, c := range Clients {
		b.Run(c.Name, func(b *testing.B) {
			req := capturedRequest(b, c.Name, host)
			r, err := NewReplayer(host, req)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			if body, err := r.RoundTrip(); err != nil || len(body) != bodyLen {
				b.Fatalf("replay: %d bytes, %v", len(body), err)
			}
			b.ReportAllocs()
			for b.Loop() {
				body, err := r.RoundTrip()
				if err != nil || len(body) != bodyLen {
					b.Fatalf("replay: %d bytes, %v", len(body), err)
				}
			}
		})
	}
}

var captured sync.Map // client name → its request's bytes

func capturedRequest(b *testing.B, name, host string) []byte {
	if req, ok := captured.Load(name); ok {
		return req.([]byte)
	}
	req, err := CaptureRequest(constructor(b, name), host)
	if err != nil {
		b.Fatal(err)
	}
	captured.Store(name, req)
	return req
}

// BenchmarkServerHandler measures the handler alone, without net/http's
// server around it: with a reused ResponseWriter (the handler's own cost:
// nothing), and with a new httptest.ResponseRecorder a call (whose own
// allocations then dominate). It shows why the replay, not the handler, is
// what is subtracted: the server's allocations are net/http's.
func BenchmarkServerHandler(b *testing.B) {
	h := NewHandler()
	req := httptest.NewRequest(http.MethodPost, "/?Action=DescribeLicenseOrders", nil)
	bodyLen := len(OrdersBody())
	b.Run("writer", func(b *testing.B) {
		w := &countingWriter{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			w.n = 0
			h.ServeHTTP(w, req)
			if w.n != bodyLen {
				b.Fatalf("wrote %d bytes", w.n)
			}
		}
	})
	b.Run("recorder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Body.Len() != bodyLen {
				b.Fatalf("wrote %d bytes", w.Body.Len())
			}
		}
	})
}

// countingWriter is a ResponseWriter that keeps nothing but a count.
type countingWriter struct {
	h http.Header
	n int
}

func (w *countingWriter) Header() http.Header         { return w.h }
func (w *countingWriter) WriteHeader(int)             {}
func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
