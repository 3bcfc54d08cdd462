package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFixture checks the server's answer: valid JSON, OrderCount distinct
// orders, the documented keys.
func TestFixture(t *testing.T) {
	body := OrdersBody()
	var raw struct {
		Items []map[string]any
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Items) != OrderCount {
		t.Fatalf("%d items, want %d", len(raw.Items), OrderCount)
	}
	want := []string{"ActivatedCodeCount", "ActivationCodeQuota", "AliyunOrderId", "AllowEmptySystemIdentifier", "Engine",
		"GmtCreated", "GmtModified", "IsVirtualOrder", "IsVirtualOrderFrozen", "PackageType", "PackageValidity",
		"PurchaseChannel", "VirtualAliyunOrderId"}
	seen := map[string]bool{}
	for i, it := range raw.Items {
		if len(it) != len(want) {
			t.Errorf("item %d has %d keys, want %d", i, len(it), len(want))
		}
		for _, k := range want {
			if _, ok := it[k]; !ok {
				t.Errorf("item %d lacks %s", i, k)
			}
		}
		id, _ := it["AliyunOrderId"].(string)
		if seen[id] {
			t.Errorf("item %d repeats AliyunOrderId %s", i, id)
		}
		seen[id] = true
	}
	if raw.Items[0]["AliyunOrderId"] != FirstOrderID || raw.Items[OrderCount-1]["AliyunOrderId"] != LastOrderID {
		t.Errorf("first/last AliyunOrderId %v/%v, want %s/%s", raw.Items[0]["AliyunOrderId"],
			raw.Items[OrderCount-1]["AliyunOrderId"], FirstOrderID, LastOrderID)
	}
}

// TestClientsDecodeOrders checks that every compared client really makes the
// call and decodes every field of the 30 orders, so that no benchmark can
// silently measure a failure.
func TestClientsDecodeOrders(t *testing.T) {
	want := expectedPage(t)
	for _, c := range Clients {
		t.Run(c.Name, func(t *testing.T) {
			checkPage(t, newClient(t, c.Name), want)
		})
	}
}

// TestClientsSendTheCall checks that every client sends the same call:
// the action, the version and the parameters, with a signature.
func TestClientsSendTheCall(t *testing.T) {
	for _, c := range Clients {
		t.Run(c.Name, func(t *testing.T) {
			req, err := CaptureRequest(c.New, "example.test:80")
			if err != nil {
				t.Fatal(err)
			}
			r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(req)))
			if err != nil {
				t.Fatal(err)
			}
			if r.Method != http.MethodPost || r.URL.Path != "/" {
				t.Errorf("%s %s, want POST /", r.Method, r.URL.Path)
			}
			if r.Host != "example.test:80" {
				t.Errorf("Host %q: the captured address was not replaced", r.Host)
			}
			q := r.URL.Query()
			param := func(k string) string {
				if v := q.Get(k); v != "" {
					return v
				}
				return r.Header.Get("x-acs-" + strings.ToLower(k))
			}
			for k, v := range map[string]string{
				"Action": "DescribeLicenseOrders", "Version": "2017-08-01",
				"PageNumber": "1", "PageSize": "30", "PurchaseChannel": ParamPurchaseChannel, "VirtualOrder": "false",
			} {
				if got := param(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if q.Get("Signature") == "" && !strings.HasPrefix(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256 Credential="+AccessKeyID+",") {
				t.Errorf("no signature: query %v, headers %v", q, r.Header)
			}
		})
	}
}

// TestReplayMeasuresTheServer checks the replay that measures the server
// alone: each client's request, replayed, gets the fixture back, on one
// connection.
func TestReplayMeasuresTheServer(t *testing.T) {
	srv := sharedServer()
	host := strings.TrimPrefix(srv.URL, "http://")
	body := OrdersBody()
	for _, c := range Clients {
		t.Run(c.Name, func(t *testing.T) {
			req, err := CaptureRequest(c.New, host)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewReplayer(host, req)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for i := range 3 {
				got, err := r.RoundTrip()
				if err != nil {
					t.Fatalf("round trip %d: %v", i, err)
				}
				if !bytes.Equal(got, body) {
					t.Fatalf("round trip %d: body differs from the fixture", i)
				}
			}
		})
	}
}

// TestHandWrittenSignature checks the hand-written client's RPC signature
// against the known answer of Alibaba's signature documentation.
func TestHandWrittenSignature(t *testing.T) {
	got := rpcSignature("", []byte("test=ok"), []byte("accessKeySecret&"))
	if want := "jHx/oHoHNrbVfhncHEvPdHXZwHU="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	if got := string(appendEscape(nil, "a b*c~d/é")); got != "a%20b%2Ac~d%2F%C3%A9" {
		t.Fatalf("escape: %s", got)
	}
}

// TestHandWrittenError checks that the baseline reports an error answer
// instead of decoding it as an empty page.
func TestHandWrittenError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"RequestId":"R1","Code":"Forbidden.RAM","Message":"no"}`))
	}))
	defer srv.Close()
	h, err := NewHandWritten(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	_, err = h.Call(context.Background())
	var e *HWError
	if !errors.As(err, &e) || e.Code != "Forbidden.RAM" || e.StatusCode != http.StatusForbidden {
		t.Fatalf("error %v, want Forbidden.RAM", err)
	}
}

// TestConcurrentCalls runs the clients that have a parallel benchmark from
// several goroutines at once (under -race, this checks them and the
// server's shared header values).
func TestConcurrentCalls(t *testing.T) {
	for _, name := range []string{"Ours", "HandWritten"} {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, name)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for range 5 {
						if n, err := c.Call(ctx); err != nil || n != OrderCount {
							t.Errorf("%d orders, %v", n, err)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// TestClientsKeepAlive checks that every client reuses its connection, so
// that no benchmark pays for connecting on every call.
func TestClientsKeepAlive(t *testing.T) {
	for _, c := range Clients {
		t.Run(c.Name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(NewHandler())
			rl := &recordingListener{Listener: srv.Listener}
			srv.Listener = rl
			srv.Start()
			defer srv.Close()
			cl, err := c.New(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			for range 3 {
				if n, err := cl.Call(context.Background()); err != nil || n != OrderCount {
					t.Fatalf("%d orders, %v", n, err)
				}
			}
			rl.mu.Lock()
			defer rl.mu.Unlock()
			if len(rl.conns) != 1 {
				t.Fatalf("3 calls opened %d connections, want 1", len(rl.conns))
			}
		})
	}
}

// TestSideBySideServers checks the verifying servers: the chunked one
// really answers chunked, both refuse a bad signature and take the RPC
// clients' and Floor's, and the check allocates nothing.
func TestSideBySideServers(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		srv := sharedVerifyingServer(chunked)
		resp, err := http.Post(srv.URL+"/?Action=DescribeLicenseOrders&Signature=AAAA", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a bad signature got HTTP %d", resp.StatusCode)
		}
		h, err := NewHandWritten(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		req, err := h.signedRequest(context.Background(), h.describeParams(1, 30, "aliyun_public", false))
		if err != nil {
			t.Fatal(err)
		}
		resp, err = h.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		h.Close()
		isChunked := resp.ContentLength == -1 && len(resp.TransferEncoding) == 1 && resp.TransferEncoding[0] == "chunked"
		if resp.StatusCode != http.StatusOK || isChunked != chunked {
			t.Fatalf("chunked %v: HTTP %d, Content-Length %d, Transfer-Encoding %v", chunked, resp.StatusCode, resp.ContentLength, resp.TransferEncoding)
		}
		want := expectedPage(t)
		for _, name := range []string{"OursRPC", "HandWritten"} {
			t.Run(name, func(t *testing.T) { checkPage(t, newClientOf(t, name, srv), want) })
		}
		f, err := NewFloor(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if n, err := f.RoundTrip(context.Background()); err != nil || n != len(OrdersBody()) {
				t.Fatalf("floor: %d bytes, %v", n, err)
			}
		}
		f.Close()
	}
	query := capturedQuery(t)
	if !VerifyRPC("POST", query) {
		t.Fatal("VerifyRPC refuses a correctly signed query")
	}
	if raceEnabled {
		return // the pool of verifiers drops items at random under -race
	}
	if allocs := testing.AllocsPerRun(100, func() { VerifyRPC("POST", query) }); allocs != 0 {
		t.Errorf("VerifyRPC allocates %v times a check", allocs)
	}
}

// capturedQuery is the query of OursRPC's request, signed.
func capturedQuery(tb testing.TB) string {
	tb.Helper()
	req, err := CaptureRequest(constructor(tb, "OursRPC"), "example.test:80")
	if err != nil {
		tb.Fatal(err)
	}
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(req)))
	if err != nil {
		tb.Fatal(err)
	}
	if !VerifyRPC(r.Method, r.URL.RawQuery) {
		tb.Fatal("OursRPC's signature does not verify")
	}
	return r.URL.RawQuery
}
