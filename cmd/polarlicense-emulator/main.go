// Command polarlicense-emulator serves an emulator of the PolarDB license
// API (package polarlicensetest) until interrupted. It prints its URL on the
// first line of standard output, then the credentials to use:
//
//	$ go build -o polarlicense-emulator ./cmd/polarlicense-emulator
//	$ ./polarlicense-emulator --listen 127.0.0.1:0
//	http://127.0.0.1:41237
//	ALIBABA_CLOUD_ACCESS_KEY_ID=...
//	ALIBABA_CLOUD_ACCESS_KEY_SECRET=...
//
// A test harness (in any language) should run the built binary, or the
// packages' /usr/bin/polarlicense-emulator, not "go run": a signal sent to the
// go run process's PID does not reach the emulator, which keeps running,
// orphaned, and leaves its --env-file behind.
//
// With --env-file PATH it also writes POLARLICENSE_ENDPOINT and the
// credentials to PATH, atomically, once it listens, for a shell to source;
// --data FILE starts it with your own orders and codes (see
// polarlicensetest.ReadData). "polarlicense emulator" takes the same flags.
// --version prints its version. Run it with -h for the flags.
//
// Whatever clients send, it holds little: read, write and idle timeouts end
// stalled connections, and its request log keeps a bounded amount of the
// last requests (see polarlicensetest.Serve).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// stampedVersion is the release version, stamped in by a release build
// (.goreleaser.yaml) with -ldflags "-X main.stampedVersion=vX.Y.Z".
var stampedVersion string

func main() {
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
		fmt.Println(versionLine(stampedVersion))
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := polarlicensetest.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if code := exitStatus(err); code != 0 {
		fmt.Fprintln(os.Stderr, "polarlicense-emulator:", err)
		os.Exit(code)
	}
}

// exitStatus is the status the command exits with after err, as the
// polarlicense CLI's: 0 for none (or -h), 2 for a mistake on the command
// line, 1 for a failure to serve, such as an address already in use.
func exitStatus(err error) int {
	var usage *polarlicensetest.UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		return 2
	}
	return 1
}

// versionLine is what --version prints: the release version (else the
// module version from the build info: a pseudo-version for "go build" in a
// clone, "(devel)" under "go run"), the SDK's version, the Go version and
// the platform.
func versionLine(stamped string) string {
	v := stamped
	if bi, ok := debug.ReadBuildInfo(); v == "" && ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	return "polarlicense-emulator " + v + " (SDK " + polarlicense.Version + ", " + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}
