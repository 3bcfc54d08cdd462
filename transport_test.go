package polarlicense

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chunkedReader hands out a body in pieces of at most step bytes, as a
// chunked answer arrives, with no Content-Length.
type chunkedReader struct {
	rest []byte
	step int
}

func (r *chunkedReader) Read(p []byte) (int, error) {
	if len(r.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.step)], r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

func (r *chunkedReader) Close() error { return nil }

func TestReadBodyAtTheLimit(t *testing.T) {
	for _, size := range []int{0, 1, minBodyBuffer - 1, minBodyBuffer, minBodyBuffer + 1, 3*minBodyBuffer + 7} {
		body := bytes.Repeat([]byte("x"), size)
		for _, limit := range []int64{int64(size) - 1, int64(size), int64(size) + 1} {
			if limit < 0 {
				continue
			}
			for _, start := range [][]byte{nil, make([]byte, 0, 10), make([]byte, 0, minBodyBuffer)} {
				for _, withLength := range []bool{false, true} {
					cr := &chunkedReader{rest: body, step: 1000}
					resp := &http.Response{ContentLength: -1, Body: cr}
					if withLength {
						resp.ContentLength = int64(size)
					}
					got, err := readBody(resp, limit, start)
					what := "size " + strconv.Itoa(size) + " limit " + strconv.FormatInt(limit, 10)
					if int64(size) > limit {
						assert.ErrorIs(t, err, errBodyTooLarge, what)
						if !withLength {
							assert.LessOrEqual(t, size-len(cr.rest), int(limit)+1, "%s: read past the limit", what)
						}
						continue
					}
					require.NoError(t, err, what)
					assert.Equal(t, string(body), string(got), what)
					if !withLength && cap(start) < size {
						// Grown by doubling, from minBodyBuffer at least, to
						// no more than twice what was needed (plus the
						// allocator's rounding).
						assert.LessOrEqual(t, cap(got), max(minBodyBuffer, 2*(size+1))+minBodyBuffer/8, what)
					}
				}
			}
		}
	}
}

// TestPooledBodiesShareNothing: answers are read into pooled buffers, so
// what a call returned must survive later calls reusing the buffer, and a
// buffer goes back to the pool cleared.
func TestPooledBodiesShareNothing(t *testing.T) {
	page := func(n int, prefix string) string {
		var b strings.Builder
		b.WriteString(`{"RequestId":"` + prefix + `-req","Items":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"AliyunOrderId":"` + prefix + strconv.Itoa(i) + `","PackageValidity":"` + prefix + ` years"}`)
		}
		b.WriteString(`]}`)
		return b.String()
	}
	var answer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("chunked") != "" {
			w.(http.Flusher).Flush()
		}
		_, _ = io.WriteString(w, answer)
	}))
	defer srv.Close()
	c, err := NewClient(WithEndpoint(srv.URL), WithAccessKey("id", "secret"), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()
	var kept []*DescribeLicenseOrdersResponse
	var raws [][]byte
	for i, prefix := range []string{"aaaa", "bbbb", "cccc", "dddd"} {
		answer = page(40+i*10, prefix)
		out, err := c.DescribeLicenseOrders(ctx, &DescribeLicenseOrdersRequest{PageSize: 100})
		require.NoError(t, err)
		kept = append(kept, out)
		raw, err := c.Call(ctx, "DescribeLicenseOrders", nil, CallIdempotent())
		require.NoError(t, err)
		raws = append(raws, raw)
	}
	for i, prefix := range []string{"aaaa", "bbbb", "cccc", "dddd"} {
		assert.Equal(t, prefix+"-req", kept[i].RequestID)
		require.Len(t, kept[i].Items, 40+i*10)
		for j, it := range kept[i].Items {
			assert.Equal(t, prefix+strconv.Itoa(j), it.AliyunOrderID)
			assert.Equal(t, prefix+" years", it.PackageValidity)
		}
		assert.Equal(t, page(40+i*10, prefix), string(raws[i]))
	}
	// A buffer comes back from the pool empty and cleared.
	for range 4 {
		p := getBodyBuffer()
		assert.Zero(t, len(*p))
		assert.False(t, bytes.ContainsAny((*p)[:cap(*p)], "abcd{"), "a pooled buffer holds an earlier answer")
		putBodyBuffer(p, *p)
	}
}
