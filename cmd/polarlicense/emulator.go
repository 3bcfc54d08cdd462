package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// The emulator: "polarlicense emulator" serves polarlicensetest as a process
// of its own; --emulator starts one inside the command for its duration.

func (a *app) emulatorCommand() *cobra.Command {
	var sf polarlicensetest.ServeFlags
	cmd := &cobra.Command{
		Use:   "emulator [--listen 127.0.0.1:0] [--env-file PATH] [--data FILE] [--empty] [--log] [--latency D]",
		Short: "Serve an emulator of the license API until interrupted",
		Long: `Serve an emulator of the PolarDB license API (package polarlicensetest) until
interrupted or --timeout. It holds demo data unless --empty or --data FILE:
orders of the three engines, every package type, both purchase channels, a
frozen virtual order. Once it listens it prints its URL on the first line of
stdout, then the credentials it accepts as lines a shell can eval:

  http://127.0.0.1:41237
  ALIBABA_CLOUD_ACCESS_KEY_ID=EMULATOR...
  ALIBABA_CLOUD_ACCESS_KEY_SECRET=...

--env-file PATH writes POLARLICENSE_ENDPOINT and those variables to PATH as
KEY=value lines, atomically, once it listens (and removes it on exit): wait
for the file, then "set -a; . PATH; set +a" points other commands at it.

--data FILE starts it with the orders and codes in FILE (JSON, the format of
polarlicensetest.ReadData) instead of the demo data.

--latency D delays every answer by D (such as 50ms), as a real service takes
time, to try concurrency and rate limits as they will run; a request whose
client left meanwhile is still processed, as the real service would.
cmd/polarlicense-emulator takes the same flags.`,
		Example: `  polarlicense emulator --listen 127.0.0.1:8080
  polarlicense emulator --env-file emulator.env --data fixtures.json &`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			if a.useEmulator {
				return usagef("--emulator makes no sense with the emulator command")
			}
			if err := sf.Validate(); err != nil {
				return usagef("%s", err.Error())
			}
			if a.env.isTerminal(a.stderr) {
				fmt.Fprintln(a.stderr, "polarlicense: emulator starting; stop it with Ctrl-C")
			}
			err := sf.Serve(ctx, a.stdout, a.stderr)
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "listen" {
				return &listenError{addr: sf.Listen, err: err}
			}
			return err
		}),
	}
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	sf.Register(fs)
	cmd.Flags().AddGoFlagSet(fs)
	return cmd
}

// startEmulator starts the in-process emulator of --emulator.
func startEmulator(opts []polarlicensetest.Option) (srv *polarlicensetest.Server, err error) {
	defer func() {
		// NewServer panics when it cannot listen.
		if r := recover(); r != nil {
			srv, err = nil, fmt.Errorf("cannot start the emulator: %v", r)
		}
	}()
	return polarlicensetest.NewServer(opts...), nil
}
