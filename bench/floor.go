package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Floor is the bare signed round trip, the least any client of this call
// can do: the hand-written client's request, signed the same way (RPC,
// HMAC-SHA1, fresh nonce and timestamp), sent on the common transport, and
// its answer read whole into a buffer reused across calls, decoded not at
// all. A client's time over Floor's is what it spends beyond moving the
// bytes: building, decoding, checking.
type Floor struct {
	hw  *HandWritten
	buf []byte
}

// NewFloor returns the floor client for the server at serverURL.
func NewFloor(serverURL string) (*Floor, error) {
	hw, err := NewHandWritten(serverURL)
	if err != nil {
		return nil, err
	}
	return &Floor{hw: hw, buf: make([]byte, 0, 64<<10)}, nil
}

// RoundTrip makes the call and returns the length of the answer's body.
// It is not safe for concurrent use (the buffer is reused).
func (f *Floor) RoundTrip(ctx context.Context) (int, error) {
	req, err := f.hw.signedRequest(ctx, f.hw.describeParams(ParamPageNumber, ParamPageSize, ParamPurchaseChannel, ParamVirtualOrder))
	if err != nil {
		return 0, err
	}
	resp, err := f.hw.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("floor: HTTP %d", resp.StatusCode)
	}
	b := f.buf[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := resp.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	f.buf = b
	return len(b), nil
}

// Close closes the client's idle connections.
func (f *Floor) Close() { f.hw.Close() }

// Busy keeps the calling goroutine on its core for d doing arithmetic on
// registers, reading nothing but the clock: the stand-in, in
// BenchmarkFloorGap, for a client's own work between two round trips
// (decoding, checking) with no cache or allocation effect of its own. It returns a value the caller can keep, so
// that the compiler cannot drop the loop.
func Busy(d time.Duration) uint64 {
	x := uint64(1)
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := uint64(0); i < 64; i++ {
			x = x*6364136223846793005 + i
		}
	}
	return x
}
