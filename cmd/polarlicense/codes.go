package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/audit"
)

// codes list, codes get, codes create.

func (a *app) codesCommand() *cobra.Command {
	cmd := groupCommand("codes", "List, show and create activation codes")
	cmd.AddCommand(a.codesListCommand(), a.codesGetCommand(), a.codesCreateCommand())
	return cmd
}

func (a *app) codesListCommand() *cobra.Command {
	var mac, systemID string
	cmd := &cobra.Command{
		Use:   "list ORDER_ID [--mac M] [--system-id S]",
		Short: "List an order's activation codes, every page",
		Example: `  polarlicense codes list 239618016570503
  polarlicense codes list 239618016570503 --mac 00:16:3e:1a:2b:01 -o json`,
		Args: exactArgs("ORDER_ID"),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, args []string) error {
			if mac != "" {
				if err := checkMac(mac); err != nil {
					return err
				}
			}
			client, err := a.newClient()
			if err != nil {
				return err
			}
			req := &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: args[0], MacAddress: mac, SystemIdentifier: systemID}
			var rows []codeRecord
			for c, err := range client.ActivationCodes(ctx, req) {
				if err != nil {
					return about(err, args[0], 0)
				}
				rows = append(rows, newCodeRecord(args[0], &c))
				a.progress.update("listing codes: %d", len(rows))
			}
			a.progress.clear()
			return emitList(a, rows, codeTable)
		}),
	}
	cmd.Flags().StringVar(&mac, "mac", "", "only codes bound to this MAC `address`")
	cmd.Flags().StringVar(&systemID, "system-id", "", "only codes bound to this system `identifier`")
	return cmd
}

func (a *app) codesGetCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "get ORDER_ID CODE_ID",
		Short: "Show one activation code (without its license: see license write)",
		Example: `  polarlicense codes get 239618016570503 1
  polarlicense codes get 239618016570503 1 -o json`,
		Args: exactArgs("ORDER_ID", "CODE_ID"),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, args []string) error {
			id, err := parseCodeID(args[1])
			if err != nil {
				return err
			}
			client, err := a.newClient()
			if err != nil {
				return err
			}
			out, err := client.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{
				AliyunOrderID: args[0], ActivationCodeID: id,
			})
			if err != nil {
				return about(err, args[0], id)
			}
			return emitItem(a, newCodeRecord(args[0], &out.ActivationCode))
		}),
	}
}

func (a *app) codesCreateCommand() *cobra.Command {
	var mac, name, systemID, description, out string
	var owner ownerFlag
	cmd := &cobra.Command{
		Use:   "create ORDER_ID --mac M --name N [--system-id S] [--description D] [--out PATH [--owner USER[:GROUP]]] [--state-dir DIR]",
		Short: "Issue an activation code (spends one unit of the order's quota)",
		Long: `Issue an activation code for a machine, spending one unit of the order's quota,
and show it. With --out, also write its license file there (a file that exists
is never replaced: the command refuses before spending anything, as it does
when it could not write there; --owner gives it an owner, mode 0600);
otherwise write it later with "license write ORDER_ID CODE_ID".

Scripts and pipelines should use "license ensure" instead: it creates a code
only if the host has none, so it is safe to run again after a failure.

--system-id (the database's system identifier, a decimal number such as
7345118823001548201) is required unless the order allows codes without one.
All-zero, broadcast and multicast MAC addresses are refused before anything
is sent. The create is coordinated with "license ensure" runs through the
state directory (--state-dir): it waits for one in flight for the same host,
and an answer it loses holds the host for them. The service has no
idempotency token for this call: if it fails after the request may have
reached the service, the code may or may not exist, so check with
"codes list ORDER_ID --mac M" before trying again. After the create, the
host's codes are listed: another unexpired one that the new code does not
renew (one expiring within 90 days) means quota spent twice, and the
command exits 1 naming it.`,
		Example: `  polarlicense codes create 239618016570503 --mac 00:16:3e:1a:2b:03 --name pg-prod-03 --system-id 7345118823001548203
  polarlicense codes create 239618016570503 --mac 00:16:3e:1a:2b:03 --name pg-prod-03 --system-id 7345118823001548203 --out license.lic`,
		Args: exactArgs("ORDER_ID"),
		RunE: a.action(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if err := checkMac(mac); err != nil {
				return err
			}
			req := &polarlicense.CreateActivationCodeRequest{
				AliyunOrderID: args[0], MacAddress: mac, Name: name, SystemIdentifier: systemID, Description: description,
			}
			if err := req.Validate(); err != nil {
				return err
			}
			if owner.spec != "" && !cmd.Flags().Changed("out") {
				return usagef("--owner is the owner of the file --out writes: give --out too")
			}
			fileOwner, err := owner.resolve()
			if err != nil {
				return err
			}
			stateDir, err := a.stateDir()
			if err != nil {
				return err
			}
			writeOpts := polarlicense.LicenseFileOptions{StateDir: stateDir, Owner: fileOwner}
			if cmd.Flags().Changed("out") {
				if err := checkOutBeforeSpending(out); err != nil {
					return err
				}
				if _, err := os.Lstat(out); err == nil {
					return fmt.Errorf("%s already exists: codes create never replaces a file (nothing was spent); "+
						`remove it, or use "license ensure"`, out)
				}
				if err := polarlicense.CheckLicenseFileWritable(out, writeOpts); err != nil {
					return &hintError{err: err, hint: "nothing was spent"}
				}
			}
			client, err := a.newClient()
			if err != nil {
				return err
			}
			created, err := client.CreateActivationCode(ctx, req)
			if err != nil {
				switch {
				case errors.Is(err, polarlicense.ErrCreateHeld):
					// An earlier create, never resolved, holds the host.
					err = &hintError{err: err, hint: `nothing was spent by this run: check with "polarlicense codes list ` +
						args[0] + ` --mac ` + mac + `" (or use "polarlicense license ensure", which finds the code if the earlier create made it)`}
				case errors.Is(err, polarlicense.ErrUncertainOutcome):
					// The request may have been processed: the code may exist.
					err = &hintError{err: err, lostAnswer: true, hint: `the code may or may not have been created: check with "polarlicense codes list ` +
						args[0] + ` --mac ` + mac + `" before trying again (or use "polarlicense license ensure", which checks first)`}
				}
				return about(err, args[0], 0)
			}
			if err := emitItem(a, newCodeRecord(args[0], &created.ActivationCode)); err != nil {
				return err
			}
			var writeErr error
			if out != "" {
				writeOpts.Code, writeOpts.AliyunOrderID = &created.ActivationCode, args[0]
				res, err := writeLicenseFileWith(out, created.CertContentB64, writeOpts)
				if err != nil {
					writeErr = &spentNotWrittenError{orderID: args[0], codeID: created.ID, finish: finishCommand(args[0], created.ID, out, false, owner.spec), err: err}
				}
				for _, n := range res.notes() {
					a.errorLine("note: " + n)
				}
			}
			dups, err := createdDuplicates(ctx, client, args[0], &created.ActivationCode)
			switch {
			case writeErr != nil:
				return writeErr
			case err != nil:
				a.errorLine(fmt.Sprintf("note: code %d was created, but the host's codes could not be listed to check that it is its only one: %s",
					created.ID, a.describe(err)))
			case len(dups) > 0:
				return duplicatesError(args[0], hostOf(args[0], mac, systemID), created.ID, dups)
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&mac, "mac", "", "MAC `address` of the machine, such as 00:16:3e:1a:2b:03 (required)")
	f.StringVar(&name, "name", "", "`name` of the code: letters, digits, _ and -, at most 64 (required)")
	f.StringVar(&systemID, "system-id", "", "the database's system `identifier`, a decimal number such as 7345118823001548203")
	f.StringVar(&description, "description", "", "free `text` describing the code: 2 to 256 characters, not a link")
	f.StringVar(&out, "out", "", "also write the code's license file to this `path` (never replacing a file)")
	owner.add(f)
	a.addStateDirFlag(f)
	_ = cmd.MarkFlagRequired("mac")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

// renewalWindow is how soon an older code must expire for a new code of the
// same host to be its renewal rather than a duplicate: the audit's default
// code-expiring window, so that codes create and the audit agree.
const renewalWindow = audit.DefaultExpiringWithin

// createdDuplicates lists, after codes create, the host's other unexpired
// codes that the new code does not renew: quota spent twice. A code is
// renewed when it expires within renewalWindow and before the new one.
func createdDuplicates(ctx context.Context, client *polarlicense.Client, orderID string, created *polarlicense.ActivationCode) ([]int64, error) {
	h := hostOf(orderID, created.MacAddress, created.SystemIdentifier)
	list := &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: orderID, SystemIdentifier: created.SystemIdentifier}
	now := time.Now()
	var dups []int64
	for c, err := range client.ActivationCodes(ctx, list) {
		if err != nil {
			return nil, err
		}
		if c.ID == created.ID || !h.boundTo(&c) || c.Expired(now) {
			continue
		}
		renewed := !c.ExpireAt.IsZero() && c.ExpireAt.Before(now.Add(renewalWindow)) && created.ExpireAt.After(c.ExpireAt)
		if !renewed {
			dups = append(dups, c.ID)
		}
	}
	return dups, nil
}
