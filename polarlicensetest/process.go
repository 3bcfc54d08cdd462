package polarlicensetest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// The emulator as a process of its own (cmd/polarlicense-emulator), for
// programs and tests in other languages.

// Serve runs an emulator configured by opts on listenAddr ("127.0.0.1:0",
// a free loopback port, when empty) until ctx ends, then shuts it down
// gracefully. Once it listens it writes to stdout, one per line: the URL,
// then ALIBABA_CLOUD_ACCESS_KEY_ID=…, ALIBABA_CLOUD_ACCESS_KEY_SECRET=… and,
// with WithSecurityToken, ALIBABA_CLOUD_SECURITY_TOKEN=… — lines a shell can
// eval after the first (a value holding characters a shell would interpret,
// which made-up and Alibaba Cloud credentials never do, is single-quoted,
// as in EnvFileContent). It returns nil when stopped by ctx, or the error that
// stopped it. ServeFlags.Serve also writes an environment file.
//
// The server bounds what a client can hold: a request's header must arrive
// within 10 s and be at most 64 KiB, the whole request within 30 s (bodies
// are read up to 1 MiB); an answer must be written within 60 s (one held
// longer by a FaultDelay is cut); an idle connection is closed after 60 s.
// The request log and counts are bounded too (see Request, RequestLogSize
// and UnknownActions).
func Serve(ctx context.Context, listenAddr string, stdout io.Writer, opts ...Option) error {
	return serve(ctx, listenAddr, stdout, "", opts)
}

// serve is Serve, writing the environment file envFile (if not empty) once
// it listens and removing it when it stops, if it is still the one written.
func serve(ctx context.Context, listenAddr string, stdout io.Writer, envFile string, opts []Option) error {
	if listenAddr == "" {
		listenAddr = "127.0.0.1:0"
	}
	h := NewHandler(opts...)
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", listenAddr)
	if err != nil {
		return &listenError{addr: listenAddr, err: err}
	}
	srv := newProcessServer(h)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	url := serverURL(ln.Addr())
	id, secret, token := h.Credentials()
	if envFile != "" {
		written, err := writeEnvFile(envFile, EnvFileContent(url, id, secret, token))
		if err != nil {
			_ = srv.Close()
			return err
		}
		defer removeOwnEnvFile(envFile, written)
	}
	// The credential lines are quoted as the environment file's are: a
	// shell that evaluates them sets the values, whatever they hold.
	banner := url + "\nALIBABA_CLOUD_ACCESS_KEY_ID=" + shellQuote(id) + "\nALIBABA_CLOUD_ACCESS_KEY_SECRET=" + shellQuote(secret) + "\n"
	if token != "" {
		banner += "ALIBABA_CLOUD_SECURITY_TOKEN=" + shellQuote(token) + "\n"
	}
	if _, err := io.WriteString(stdout, banner); err != nil {
		_ = srv.Close()
		return err
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// removeOwnEnvFile removes the environment file at path if it is still the
// one this emulator wrote (written), not one that replaced it since (a second
// emulator given the same --env-file, started before this one stopped).
func removeOwnEnvFile(path string, written os.FileInfo) {
	if now, err := os.Stat(path); err == nil && os.SameFile(now, written) {
		_ = os.Remove(path)
	}
}

// The standalone server's limits, so that a client that stalls or floods
// cannot hold its connections or memory: the request's header must arrive
// within 10 s and be at most 64 KiB; the whole request (its body is read up
// to 1 MiB) within 30 s; the answer must be written within 60 s of the
// request (an answer held longer by a FaultDelay is cut); an idle
// keep-alive connection is closed after 60 s.
const (
	processReadHeaderTimeout = 10 * time.Second
	processReadTimeout       = 30 * time.Second
	processWriteTimeout      = 60 * time.Second
	processIdleTimeout       = 60 * time.Second
	processMaxHeaderBytes    = 64 << 10
)

// newProcessServer is the http.Server of Serve.
func newProcessServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: processReadHeaderTimeout,
		ReadTimeout:       processReadTimeout,
		WriteTimeout:      processWriteTimeout,
		IdleTimeout:       processIdleTimeout,
		MaxHeaderBytes:    processMaxHeaderBytes,
	}
}

// serverURL is the URL clients use for a listener's address: an unspecified
// address (0.0.0.0, ::) is reached on the loopback address.
func serverURL(addr net.Addr) string {
	if ta, ok := addr.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return "http://" + net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
	}
	return "http://" + addr.String()
}

// listenError is the failure to listen on the address given.
type listenError struct {
	addr string
	err  error
}

// Error says which address could not be listened on, and why: the cause
// without the "listen tcp ADDR:" that repeats the address.
func (e *listenError) Error() string {
	cause := e.err
	if op, ok := cause.(*net.OpError); ok {
		cause = op.Err
		if sys, ok := cause.(*os.SyscallError); ok {
			cause = sys.Err
		}
	}
	return "cannot listen on " + e.addr + ": " + cause.Error()
}

// Unwrap returns the cause, a *net.OpError.
func (e *listenError) Unwrap() error { return e.err }

// UsageError is a mistake on the emulator command's line, as Run returns
// it: a flag that does not parse, an unexpected argument, or flags that
// contradict each other. A command exits with status 2 for it, and 1 for
// Run's other errors, failures to serve (an address that cannot be listened
// on, a --data file that cannot be read), as the polarlicense CLI does.
type UsageError struct {
	// Err is the mistake.
	Err error
}

// Error is the mistake's text.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the mistake.
func (e *UsageError) Unwrap() error { return e.Err }

// Run is the emulator command: it parses args (the command line after the
// program name) with ServeFlags and serves until ctx ends. See
// ServeFlags.Register for the flags.
//
// It returns flag.ErrHelp after printing the usage for -h, and a *UsageError
// (usage printed to stderr for a flag that does not parse) for a bad command
// line.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("polarlicense-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f ServeFlags
	f.Register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: polarlicense-emulator [flags]\n\n"+
			"Serves an emulator of the PolarDB license API until interrupted. It prints\n"+
			"its URL on the first line of standard output, then the credentials as\n"+
			"ALIBABA_CLOUD_ACCESS_KEY_ID=... and ALIBABA_CLOUD_ACCESS_KEY_SECRET=... lines;\n"+
			"--env-file writes them, with POLARLICENSE_ENDPOINT, to a file a shell can source.\n\nFlags:")
		fs.PrintDefaults()
	}
	// The flag package would print a refused flag's error before the usage,
	// and the command prints the error it returns: the usage alone here.
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	if err != nil {
		fs.Usage()
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{Err: err}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return &UsageError{Err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if err := f.Validate(); err != nil {
		return &UsageError{Err: err}
	}
	return f.Serve(ctx, stdout, stderr)
}
