package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// The emulator: "polarlicense emulator" serves polarlicensetest as a process
// of its own; --emulator starts one inside the command for its duration.

func (a *app) emulatorCommand() *cobra.Command {
	var (
		listen string
		empty  bool
		logReq bool
	)
	cmd := &cobra.Command{
		Use:   "emulator [--listen 127.0.0.1:0]",
		Short: "Serve an emulator of the license API until interrupted",
		Long: `Serve an emulator of the PolarDB license API (package polarlicensetest) until
interrupted or --timeout. It holds demo data unless --empty: orders of the
three engines, every package type, both purchase channels, a frozen virtual
order. Once it listens it prints its URL on the first line of stdout, then
the credentials it accepts as lines a shell can eval:

  http://127.0.0.1:41237
  ALIBABA_CLOUD_ACCESS_KEY_ID=EMULATOR...
  ALIBABA_CLOUD_ACCESS_KEY_SECRET=...

Point other commands at it with --endpoint URL and those two variables.`,
		Example: `  polarlicense emulator --listen 127.0.0.1:8080`,
		Args:    exactArgs(),
		RunE: a.action(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			if a.useEmulator {
				return usagef("--emulator makes no sense with the emulator command")
			}
			var opts []polarlicensetest.Option
			if empty {
				opts = append(opts, polarlicensetest.WithoutDemoData())
			}
			if logReq {
				opts = append(opts, polarlicensetest.WithLogger(slog.New(slog.NewTextHandler(a.stderr, nil))))
			}
			if a.env.isTerminal(a.stderr) {
				fmt.Fprintln(a.stderr, "polarlicense: emulator starting; stop it with Ctrl-C")
			}
			return polarlicensetest.Serve(ctx, listen, a.stdout, opts...)
		}),
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "`address` to listen on (port 0: a free port)")
	cmd.Flags().BoolVar(&empty, "empty", false, "start with no orders instead of the demo data")
	cmd.Flags().BoolVar(&logReq, "log", false, "log one line per request to stderr")
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
