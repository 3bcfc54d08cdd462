package bench

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"
)

// The one server of the process: every test and benchmark calls it.
var (
	serverOnce sync.Once
	server     *httptest.Server
	// The side-by-side servers, which verify signatures: [0] answers with
	// Content-Length, [1] chunked.
	verifyingOnce   [2]sync.Once
	verifyingServer [2]*httptest.Server
)

func sharedServer() *httptest.Server {
	serverOnce.Do(func() { server = httptest.NewServer(NewHandler()) })
	return server
}

func sharedVerifyingServer(chunked bool) *httptest.Server {
	i := 0
	if chunked {
		i = 1
	}
	verifyingOnce[i].Do(func() { verifyingServer[i] = httptest.NewServer(NewVerifyingHandler(chunked)) })
	return verifyingServer[i]
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range []*httptest.Server{server, verifyingServer[0], verifyingServer[1]} {
		if s != nil {
			s.Close()
		}
	}
	os.Exit(code)
}

// newClient makes the named client against the shared server and closes
// its connections when tb ends.
func newClient(tb testing.TB, name string) Client {
	tb.Helper()
	return newClientOf(tb, name, sharedServer())
}

// newClientOf makes the named client against srv.
func newClientOf(tb testing.TB, name string, srv *httptest.Server) Client {
	tb.Helper()
	for _, c := range Clients {
		if c.Name == name {
			cl, err := c.New(srv.URL)
			if err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			tb.Cleanup(cl.Close)
			return cl
		}
	}
	tb.Fatalf("no client named %q", name)
	return nil
}

// constructor returns the named client's constructor.
func constructor(tb testing.TB, name string) Constructor {
	tb.Helper()
	for _, c := range Clients {
		if c.Name == name {
			return c.New
		}
	}
	tb.Fatalf("no client named %q", name)
	return nil
}

// expectedPage is what every client must decode: the fixture read by
// encoding/json into the documented fields.
func expectedPage(tb testing.TB) *Page {
	tb.Helper()
	var raw HWOrdersResponse
	if err := json.Unmarshal(OrdersBody(), &raw); err != nil {
		tb.Fatal(err)
	}
	return &Page{RequestID: raw.RequestId, PageNumber: raw.PageNumber, TotalRecordCount: raw.TotalRecordCount, Items: raw.Items}
}

// checkPage makes one call through c and fails tb unless it decoded the
// whole fixture, every field of every order.
func checkPage(tb testing.TB, c Client, want *Page) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := c.Page(ctx)
	if err != nil {
		tb.Fatalf("call: %v", err)
	}
	if len(got.Items) != OrderCount {
		tb.Fatalf("decoded %d orders, want %d", len(got.Items), OrderCount)
	}
	if got.RequestID != want.RequestID || got.PageNumber != want.PageNumber || got.TotalRecordCount != want.TotalRecordCount {
		tb.Fatalf("page header: got %q/%d/%d, want %q/%d/%d", got.RequestID, got.PageNumber, got.TotalRecordCount,
			want.RequestID, want.PageNumber, want.TotalRecordCount)
	}
	for i := range want.Items {
		if !reflect.DeepEqual(got.Items[i], want.Items[i]) {
			tb.Fatalf("order %d:\n got %+v\nwant %+v", i, got.Items[i], want.Items[i])
		}
	}
	// Call, which the benchmarks time, must agree.
	n, err := c.Call(ctx)
	if err != nil || n != OrderCount {
		tb.Fatalf("Call: %d orders, %v", n, err)
	}
}
