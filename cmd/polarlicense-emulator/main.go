// Command polarlicense-emulator serves an emulator of the PolarDB license
// API (package polarlicensetest) until interrupted. It prints its URL on the
// first line of standard output, then the credentials to use:
//
//	$ go run ./cmd/polarlicense-emulator --listen 127.0.0.1:0
//	http://127.0.0.1:41237
//	ALIBABA_CLOUD_ACCESS_KEY_ID=...
//	ALIBABA_CLOUD_ACCESS_KEY_SECRET=...
//
// With --env-file PATH it also writes POLARLICENSE_ENDPOINT and the
// credentials to PATH, atomically, once it listens, for a shell to source;
// --data FILE starts it with your own orders and codes (see
// polarlicensetest.ReadData). "polarlicense emulator" takes the same flags.
// Run it with -h for the flags. Whatever clients send, it holds little: read,
// write and idle timeouts end stalled connections, and its request log keeps
// a bounded amount of the last requests (see polarlicensetest.Serve).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := polarlicensetest.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintln(os.Stderr, "polarlicense-emulator:", err)
		os.Exit(2)
	}
}
