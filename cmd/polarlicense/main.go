// Command polarlicense manages PolarDB license orders, activation codes and
// license files from the command line, and audits them for expiring codes
// and spent quota.
//
//	polarlicense orders list
//	polarlicense codes create ORDER_ID --mac 00:16:3e:00:00:01 --name node-1 --system-id 7345118823001548999
//	polarlicense license write ORDER_ID CODE_ID --out /var/lib/polardb/license.lic
//	polarlicense audit --expiring-within 90d --fail-on warning
//
// Run "polarlicense --help" for every command and flag, and see README.md
// beside this file for the output formats and exit statuses.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(runProcess(os.Args[1:]))
}

// runProcess runs the command as the process does: stdout and stderr, and
// Ctrl-C or SIGTERM cancelling the command's context. A command the signal
// cut short exits 128 plus the signal's number, as shells report it (130 for
// Ctrl-C); one that a signal stops as designed (the exporter, the emulator)
// exits 0. A second signal kills the process at once.
func runProcess(args []string) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	caught := make(chan os.Signal, 1)
	go func() {
		if s, ok := <-sigs; ok {
			signal.Stop(sigs) // the next one takes its default action
			caught <- s
			cancel()
		}
	}()
	code := run(ctx, args, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	select {
	case s := <-caught:
		if code != exitOK {
			return signalStatus(s)
		}
	default:
	}
	return code
}

// signalStatus is the exit status of a run ended by s.
func signalStatus(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 128 + int(syscall.SIGINT)
}
