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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
