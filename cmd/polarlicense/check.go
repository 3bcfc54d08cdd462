package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/nodecheck"
)

// license check: the node's own check, a thin layer over package
// nodecheck. It follows the monitoring-plugins convention rather than the
// tool's exit statuses: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, a mistake
// on the command line included.

// checkStatusError ends a check whose status is not OK: the report is
// already printed, and the status is the exit status.
type checkStatusError struct{ status nodecheck.Level }

// Error names the status.
func (e checkStatusError) Error() string { return "license check: " + e.status.String() }

// isCheckCommand reports whether cmd is license check, whose failures
// follow the monitoring-plugins convention.
func isCheckCommand(cmd *cobra.Command) bool {
	return cmd != nil && cmd.Name() == "check" && cmd.Parent() != nil && cmd.Parent().Name() == "license"
}

// failCheck ends a failed license check: its own status, or, for any
// other failure (a bad flag, an unreadable state directory), UNKNOWN with
// the monitoring plugin's first line on stdout (with -o json, a report
// saying so) and the message on stderr.
func (a *app) failCheck(cmd *cobra.Command, err error) int {
	var se checkStatusError
	if errors.As(err, &se) {
		return int(se.status)
	}
	var ue *usageError
	var ve *polarlicense.ValidationError
	var msg string
	switch {
	case errors.As(err, &ve):
		msg = describeValidation(ve) + helpHint(cmd)
	case errors.As(err, &ue):
		msg = ue.msg + helpHint(cmd)
	default:
		var ce *commandError
		if errors.As(err, &ce) {
			msg = a.describe(ce.err)
		} else {
			msg = flagValueMessage(cmd, cobraMessage(err.Error())) + helpHint(cmd)
		}
	}
	report := a.notRunReport(cmd, oneLine(msg))
	if a.output == string(formatJSON) {
		_ = writeJSON(a.stdout, report)
	} else {
		fmt.Fprintln(a.stdout, "LICENSE UNKNOWN - "+escapeText(oneLine(msg)))
	}
	a.errorLine(msg)
	writeNotRunTextfile(cmd, report, err)
	return int(nodecheck.Unknown)
}

// writeNotRunTextfile writes the textfile of a check that did not run, with
// status UNKNOWN, when the command line names one: a check whose settings
// are wrong (an empty LICENSE_FILE, a mistyped flag in CHECK_ARGS) then
// raises PolarLicenseNodeLicenseUnknown, where it wrote nothing before and
// a new database's check had no series for any rule to see. An interrupted
// check writes none: it was stopped, not wrong, and the last textfile
// stays.
func writeNotRunTextfile(cmd *cobra.Command, report *nodecheck.Report, err error) {
	if cmd == nil || errors.Is(err, context.Canceled) {
		return
	}
	dir, _ := cmd.Flags().GetString("textfile-dir")
	name, _ := cmd.Flags().GetString("textfile-name")
	if dir == "" {
		return
	}
	// A name WriteTextfileAs refuses writes nothing; what happened is said
	// already.
	_ = report.WriteTextfileAs(dir, name)
}

// notRunReport is the report of a check that did not run (-o json): status
// UNKNOWN, the reason as its summary, and every check not made, so that a
// reader of the JSON finds the keys it always finds.
func (a *app) notRunReport(cmd *cobra.Command, msg string) *nodecheck.Report {
	now := time.Now
	if a.env.now != nil {
		now = a.env.now
	}
	r := &nodecheck.Report{Status: nodecheck.Unknown, Summary: msg, CheckedAt: now(),
		Online: nodecheck.Online{Reason: "the check did not run"}}
	if cmd != nil {
		r.LicensePath, _ = cmd.Flags().GetString("license")
	}
	for _, name := range nodecheck.CheckNames {
		r.Checks = append(r.Checks, nodecheck.Check{Name: name, Level: nodecheck.OK, Message: "the check did not run: " + msg})
	}
	return r
}

func (a *app) licenseCheckCommand() *cobra.Command {
	var (
		opts                  nodecheck.Options
		within                = durationValue{d: nodecheck.DefaultWithin, text: "30d"}
		textfileDir, pgdataFl string
		textfileName          = nodecheck.TextfileName
	)
	cmd := &cobra.Command{
		Use:   "check --license PATH [--pgdata DIR | --system-id S] [--interface IF | --mac M] [--order ORDER_ID] [--within 30d] [--state-dir DIR] [--textfile-dir DIR [--textfile-name NAME]] [-o text|json]",
		Short: "Check on a node that its license lets the database start again",
		Long: `Check, on the node, that the license file will let PolarDB start again: that
it is there, a regular file the database's user can read, and holds a license
for this host (its MAC address and system identifier) that has not expired.

The system identifier is read from --pgdata's global/pg_control (or given with
--system-id); the MAC address is --mac, that of --interface, or, with neither,
any of the interfaces that are up, not loopbacks, with a 6-byte address.

The license is identified offline by the state directory's record of it (which
license ensure, license write, codes create --out and fleet apply keep), and
online, when credentials are available and the order is known (--order, or the
record's; both when they differ and the first has no match), by listing the order's codes bound to this system identifier (then
those bound to this host's MAC address and no system identifier) and comparing
their licenses with the file. Without credentials the check is offline only.

Checks: file-missing, file-not-regular, file-unreadable, file-owner (with
--pgdata: the data directory's owner cannot read the file or enter a directory
above it, by the modes or, on Linux, the ACLs), license-unknown,
license-not-for-this-host, system-identifier-mismatch, mac-mismatch, expired,
expiring (within --within). All are critical but license-unknown (unknown) and
expiring (warning).

Output and exit status follow the monitoring-plugins convention that Nagios,
Icinga and Zabbix agents run: a first line "LICENSE OK|WARNING|CRITICAL|UNKNOWN
- …", then one line per check (-o text, the default here whatever the
terminal; -o json: the whole report); exit status 0 OK,
1 WARNING, 2 CRITICAL, 3 UNKNOWN (a mistake on the command line included).
--textfile-dir also writes DIR/polarlicense_node.prom for node_exporter's
textfile collector; a node with several databases gives each check a name of
its own with --textfile-name (polarlicense_node_pg1.prom, say: the series are
labelled with the license path, so that the files never collide).`,
		Example: `  polarlicense license check --license /opt/polarflex/license/1/license.lic \
      --pgdata /var/lib/polardb/data --interface eth0
  polarlicense license check --license license.lic --system-id 7345118823001548201 \
      --mac 00:16:3e:1a:2b:01 --order 239618016570503 -o json
  polarlicense license check --license /opt/polarflex/license/1/license.lic \
      --pgdata /var/lib/polardb/data --textfile-dir /var/lib/prometheus/node-exporter`,
		Args: exactArgs(),
		RunE: a.action(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			if a.output != "" && a.output != "text" && a.output != string(formatJSON) {
				return usagef("invalid -o %q: want text or json", a.output)
			}
			if err := atMostOne(cmd, "pgdata", "system-id"); err != nil {
				return err
			}
			if err := atMostOne(cmd, "interface", "mac"); err != nil {
				return err
			}
			if within.d <= 0 {
				return usagef("invalid --within %s: want a positive duration such as 30d", within.String())
			}
			if cmd.Flags().Changed("textfile-name") {
				if textfileDir == "" {
					return usagef("--textfile-name names a file in --textfile-dir: give --textfile-dir too")
				}
				if err := nodecheck.CheckTextfileName(textfileName); err != nil {
					return usagef("%s", strings.TrimPrefix(err.Error(), "nodecheck: "))
				}
			}
			opts.PGData, opts.Within = pgdataFl, within.d
			dir, err := a.stateDir()
			if err != nil {
				return err
			}
			opts.StateDir = dir
			client, err := a.newClient()
			if err != nil {
				return err
			}
			opts.Service = client
			if a.env.now != nil {
				opts.Now = a.env.now
			}
			report, err := nodecheck.Run(ctx, opts)
			if err != nil {
				return err
			}
			// Interrupted (a signal cancels ctx) while it asked the
			// service: stopped, not finished. No result, and no textfile:
			// the last one stays.
			if errors.Is(ctx.Err(), context.Canceled) {
				return ctx.Err()
			}
			// The textfile first, so that what is printed and the exit
			// status say whether it was written.
			if textfileDir != "" {
				if err := report.WriteTextfileAs(textfileDir, textfileName); err != nil {
					msg := strings.TrimPrefix(err.Error(), "nodecheck: ") + textfileHint(err, textfileDir)
					a.errorLine(msg)
					if report.Status != nodecheck.Critical {
						// OK or WARNING, but the metrics say otherwise:
						// UNKNOWN, as a plugin that could not finish.
						report.Status = nodecheck.Unknown
						report.Summary = msg + "; the license: " + report.Summary
					}
				}
			}
			if a.output == string(formatJSON) {
				err = writeJSON(a.stdout, report)
			} else {
				for _, line := range strings.SplitAfter(report.Text(), "\n") {
					if line != "" {
						_, err = fmt.Fprintln(a.stdout, escapeText(strings.TrimSuffix(line, "\n")))
					}
				}
			}
			if err != nil {
				return err
			}
			if report.Status != nodecheck.OK {
				return checkStatusError{status: report.Status}
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&opts.LicensePath, "license", "", "`path` of the license file, such as /opt/polarflex/license/1/license.lic (required)")
	f.StringVar(&pgdataFl, "pgdata", "", "data `directory`: its global/pg_control holds the system identifier, and its owner runs the database")
	f.StringVar(&opts.SystemIdentifier, "system-id", "", "the database's system `identifier`, instead of --pgdata (taken on trust: a new initdb goes unnoticed)")
	f.StringVar(&opts.Interface, "interface", "", "network `interface` whose MAC address is the host's, such as eth0 (default: any that is up, not a loopback)")
	f.StringVar(&opts.MacAddress, "mac", "", "MAC `address` of this host, instead of --interface (taken on trust: a replaced NIC goes unnoticed)")
	f.StringVar(&opts.OrderID, "order", "", "`ORDER_ID` whose codes to ask the service about (default: the state directory's record's)")
	f.Var(&within, "within", "a code expiring within this `duration` is a warning")
	a.addStateDirFlag(f)
	f.StringVar(&textfileDir, "textfile-dir", "", "also write the metrics to `DIR`/polarlicense_node.prom (or --textfile-name), for node_exporter's textfile collector")
	f.StringVar(&textfileName, "textfile-name", textfileName, "the textfile's `name` in --textfile-dir, ending in .prom: one per database when a node has several")
	_ = cmd.MarkFlagRequired("license")
	return cmd
}

// textfileHint says what to do about a textfile directory the check
// cannot write: "" when there is nothing to say.
func textfileHint(err error, dir string) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return " (create " + dir + ", or give --textfile-dir the directory of node_exporter's --collector.textfile.directory)"
	case errors.Is(err, syscall.EROFS):
		return " (under polarlicense-check.service, allow " + dir + " with ReadWritePaths= in \"systemctl edit polarlicense-check.service\")"
	case errors.Is(err, fs.ErrPermission):
		return " (run the check as root, or as a user who may write " + dir + ")"
	}
	return ""
}

// atMostOne refuses two flags given together.
func atMostOne(cmd *cobra.Command, a, b string) error {
	if cmd.Flags().Changed(a) && cmd.Flags().Changed(b) {
		return usagef("give --%s or --%s, not both", a, b)
	}
	return nil
}
