package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/internal/licenseread"
)

// license ensure, and what it shares with fleet apply: telling a license of
// the host from anything else.

// ensureRecord is what license ensure did.
type ensureRecord struct {
	AliyunOrderID    string    `json:"aliyun_order_id"`
	ActivationCodeID int64     `json:"activation_code_id"`
	Name             string    `json:"name"`
	MacAddress       string    `json:"mac_address"`
	SystemIdentifier string    `json:"system_identifier"`
	ExpireAt         timestamp `json:"expire_at"`
	// Created is true when the run created the code, spending one unit of
	// quota.
	Created bool `json:"created"`
	// Renewed is true when the code was created to renew one expiring
	// within --renew-within.
	Renewed bool `json:"renewed"`
	// Duplicates, after a create, are the ids of the host's other unexpired
	// codes (but the one renewed): quota spent twice.
	Duplicates []int64 `json:"duplicates,omitempty"`
	Path       string  `json:"path"`
	// Written is false when the file already held the license.
	Written bool   `json:"written"`
	SHA256  string `json:"sha256"`
	// notes are advice for stderr: about a new file's owner, a record not
	// kept, a duplicate check not made.
	notes []string
}

func (a *app) licenseEnsureCommand() *cobra.Command {
	var (
		mac, iface, systemID, pgdata, name, description, out string
		force                                                bool
		owner                                                ownerFlag
		renewWithin                                          durationValue
	)
	cmd := &cobra.Command{
		Use:   "ensure ORDER_ID --name N (--mac M | --interface IF) (--system-id S | --pgdata DIR) --out PATH [--description D] [--force] [--owner USER[:GROUP]] [--renew-within D] [--state-dir DIR]",
		Short: "Make sure a file holds this host's license, creating its code only if it has none",
		Long: `Make sure --out holds this host's license: find the host's unexpired activation
code in the order (bound to its MAC address and system identifier) or, only if
there is none, create one; then write its license to --out. Safe to repeat: a
second run finds the code, spends nothing and leaves the file as it is. This is
the command for scripts and provisioning pipelines.

The MAC address is --mac, or that of --interface. The system identifier is
--system-id, or read from --pgdata's global/pg_control (PostgreSQL-based
engines); it is a decimal number such as 7345118823001548201. All-zero,
broadcast and multicast MAC addresses are refused before anything is sent.

Runs coordinate through the state directory (--state-dir): two runs for the
same host at once create one code at most, and a run killed while its create
was in flight holds the host for ten minutes, during which every run only
looks for the code and creates none (it says until when). Before spending,
the command checks that it can write --out (and give it --owner); the order
is checked too: a frozen virtual order, or one with no quota left, is an
error and nothing is spent. If the create's answer is lost, the command
looks for the code again before giving up, and never creates a second one.

--renew-within D renews: when the host's code expires within D, one new code
is created and its license written in place of the old one. After every
create the host's codes are listed again: another unexpired code of the
host (but the one renewed) means quota spent twice, by a run this machine
could not coordinate with; the command then exits 1 naming the codes.

A file already at --out is replaced if it holds another license of this host
(the license of an older code for the same MAC address and system identifier,
in any order), keeping its owner. Anything else is left alone and the command
fails, naming the file, unless --force. --owner gives the file that owner and
mode 0600 (root writing for the database's user).`,
		Example: `  polarlicense license ensure 239618016570503 --name pg-prod-01 --interface eth0 \
      --pgdata /var/lib/polardb/data --out /opt/polarflex/license/1/license.lic --owner postgres
  polarlicense license ensure 239618016570503 --name pg-prod-01 --mac 00:16:3e:1a:2b:01 \
      --system-id 7345118823001548201 --out license.lic --renew-within 30d -o json`,
		Args: exactArgs("ORDER_ID"),
		RunE: a.action(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			orderID := args[0]
			if err := oneOf(cmd, "mac", "interface"); err != nil {
				return err
			}
			if err := oneOf(cmd, "system-id", "pgdata"); err != nil {
				return err
			}
			if err := checkOutBeforeSpending(out); err != nil {
				return err
			}
			fileOwner, err := owner.resolve()
			if err != nil {
				return err
			}
			stateDir, err := a.stateDir()
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("mac") { // --mac "" too: not the host's interface in disguise
				if err := checkMac(mac); err != nil {
					return err
				}
			} else {
				m, err := macOfInterface(iface)
				if err != nil {
					return err
				}
				mac = m
			}
			if cmd.Flags().Changed("pgdata") {
				id, err := systemIDOfPGData(pgdata)
				if err != nil {
					return err
				}
				systemID = id
			}
			req := &polarlicense.EnsureActivationCodeRequest{
				AliyunOrderID: orderID, MacAddress: mac, SystemIdentifier: systemID, Name: name, Description: description,
				RenewWithin: renewWithin.d,
			}
			if err := req.Validate(); err != nil {
				return err
			}
			client, err := a.newClient()
			if err != nil {
				return err
			}
			host := hostOf(orderID, mac, systemID)
			res, err := ensureFileWith(ctx, client, req, host, out, ensureFileOptions{
				force: force, refusal: "pass --force to replace it", owner: fileOwner, ownerSpec: owner.spec, stateDir: stateDir,
			})
			if err != nil {
				return about(ensureAdvice(err, stateDir), orderID, 0)
			}
			for _, n := range res.notes {
				a.errorLine("note: " + n)
			}
			if err := emitItem(a, res); err != nil {
				return err
			}
			if len(res.Duplicates) > 0 {
				return duplicatesError(orderID, host, res.ActivationCodeID, res.Duplicates)
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "`name` of the code if one must be created: letters, digits, _ and -, at most 64 (required)")
	f.StringVar(&mac, "mac", "", "MAC `address` of this host, such as 00:16:3e:1a:2b:01")
	f.StringVar(&iface, "interface", "", "network `interface` whose MAC address to use, such as eth0; --interface= (empty) picks the one that is up, not a loopback, with a MAC address")
	f.StringVar(&systemID, "system-id", "", "the database's system `identifier`, a decimal number such as 7345118823001548201")
	f.StringVar(&pgdata, "pgdata", "", "data `directory` whose global/pg_control holds the system identifier")
	f.StringVar(&out, "out", "", "`path` of the license file, such as /opt/polarflex/license/1/license.lic (required)")
	f.StringVar(&description, "description", "", "description of the code if one must be created: 2 to 256 characters, not a link")
	f.BoolVar(&force, "force", false, "replace a file at --out that holds something other than a license of this host")
	f.Var(&renewWithin, "renew-within", "renew: when the host's code expires within this `duration` (such as 30d), create one new code and write its license")
	owner.add(f)
	a.addStateDirFlag(f)
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// ensureAdvice adds to an ensure's error what to do next, when the create's
// outcome is unknown or a create begun earlier holds the host.
func ensureAdvice(err error, stateDir string) error {
	switch {
	case errors.Is(err, polarlicense.ErrCreateHeld):
		return &hintError{err: err, hint: "nothing was spent by this run; run the same command again after the time above: " +
			"it looks for the code first and creates one only if there still is none"}
	case errors.Is(err, polarlicense.ErrLicenseNotFetched):
		return &hintError{err: err, hint: "this run created the host's code (one unit of quota spent), but could not fetch its license: " +
			"do not create another; run the same command again, which finds the code, spends nothing and writes the file"}
	case errors.Is(err, polarlicense.ErrOrderFrozen), errors.Is(err, polarlicense.ErrQuotaExhausted):
		return &hintError{err: err, hint: `nothing was spent: use an order that can still issue codes (see "polarlicense orders list")`}
	case errors.Is(err, polarlicense.ErrUncertainOutcome):
		return &hintError{err: err, lostAnswer: true, hint: "the code may or may not have been created: run the same command again (with the same state directory, " +
			stateDir + "); it looks for the code first, and for ten minutes only looks and creates none, in case the create is still being processed"}
	}
	return err
}

// duplicatesError is the error of a run whose create left the host with
// more than one unexpired code that is not a renewal.
func duplicatesError(orderID string, h host, id int64, dups []int64) error {
	ids := make([]string, len(dups))
	for i, d := range dups {
		ids[i] = strconv.FormatInt(d, 10)
	}
	return fmt.Errorf("the license was written, but order %s now holds %d unexpired codes for this host (MAC address %s, system identifier %q): "+
		"code %d, just created, and %s: %s; quota was spent twice (by a run this one could not coordinate with: another machine, "+
		"another state directory, or by hand); see \"polarlicense codes list %s --system-id %s\"",
		orderID, len(dups)+1, h.mac, h.systemID, id, plural(len(dups), "other code", "other codes"), strings.Join(ids, ", "), orderID, h.systemID)
}

// oneOf requires exactly one of two flags.
func oneOf(cmd *cobra.Command, a, b string) error {
	fa, fb := cmd.Flags().Changed(a), cmd.Flags().Changed(b)
	switch {
	case fa && fb:
		return usagef("give --%s or --%s, not both", a, b)
	case !fa && !fb:
		return usagef("missing --%s or --%s", a, b)
	}
	return nil
}

// host is a machine a license is for: its order, MAC address (normalised)
// and system identifier.
type host struct {
	order, mac, systemID string
}

// hostOf makes a host, normalising a valid MAC address.
func hostOf(order, mac, systemID string) host {
	if n, err := polarlicense.NormalizeMacAddress(mac); err == nil {
		mac = n
	}
	return host{order: order, mac: mac, systemID: systemID}
}

// boundTo reports whether a code is bound to the host's MAC address and
// system identifier (in whatever order).
func (h host) boundTo(c *polarlicense.ActivationCode) bool {
	m, err := polarlicense.NormalizeMacAddress(c.MacAddress)
	return err == nil && m == h.mac && c.SystemIdentifier == h.systemID
}

// ensureFileOptions are the choices of ensureFileWith.
type ensureFileOptions struct {
	// force replaces a file that holds something other than a license of
	// the host.
	force bool
	// refusal ends the error of a refused file: how to get past it.
	refusal string
	// owner, when not nil, is the file's owner (--owner, ownerSpec).
	owner     *polarlicense.FileOwner
	ownerSpec string
	// stateDir is where the license written is recorded ("" : nowhere).
	stateDir string
}

// ensureFileWith is license ensure's work (fleet apply's is package fleet's):
// it refuses, before spending anything, to replace a file that holds
// something other than a license of the host (unless force), and checks
// that the file can be written (polarlicense.CheckLicenseFileWritable);
// then it ensures the host's code and writes its license to path, recording
// it in the state directory. If the write still fails after a create, the
// error is a *spentNotWrittenError giving the command that finishes the job.
func ensureFileWith(ctx context.Context, client *polarlicense.Client, req *polarlicense.EnsureActivationCodeRequest, h host, path string, o ensureFileOptions) (ensureRecord, error) {
	existing, err := licenseread.Existing(path)
	if err != nil {
		return ensureRecord{}, &hintError{err: err, hint: "nothing was spent"}
	}
	// An empty file holds nothing to lose.
	if len(existing) > 0 && !o.force {
		ours, err := isHostLicense(ctx, client, h, existing)
		if err != nil {
			// A hint, not a wrap: the message of an API error is the
			// CLI's own, and would drop the wrap's words.
			return ensureRecord{}, &hintError{err: err, hint: "so it cannot tell whether " + path +
				" holds a license of this host: the file was left as it is and nothing was spent; run again once the service answers"}
		}
		if !ours {
			if what, why := recordedIdentity(o.stateDir, h, existing); what != "" {
				return ensureRecord{}, fmt.Errorf("%s holds %s, not this host's (MAC address %s, system identifier %q)%s: "+
					"left as it is (nothing was spent); %s (which creates a code for this host if it has none, one unit of quota)", path, what, h.mac, h.systemID, why, o.refusal)
			}
			return ensureRecord{}, fmt.Errorf("%s holds something other than a license of this host (MAC address %s, system identifier %q): "+
				"left as it is (nothing was spent); %s", path, h.mac, h.systemID, o.refusal)
		}
	}
	opts := polarlicense.LicenseFileOptions{Overwrite: existing != nil, Owner: o.owner, StateDir: o.stateDir}
	if err := polarlicense.CheckLicenseFileWritable(path, opts); err != nil {
		return ensureRecord{}, &hintError{err: err, hint: "nothing was spent"}
	}
	resp, err := client.EnsureActivationCode(ctx, req)
	if err != nil {
		return ensureRecord{}, err
	}
	data, err := resp.CertContentB64.Decode()
	if err != nil {
		return ensureRecord{}, err
	}
	opts.Code, opts.AliyunOrderID = &resp.ActivationCode, req.AliyunOrderID
	res, err := writeLicenseFileWith(path, resp.CertContentB64, opts)
	if err != nil {
		finish := finishCommand(req.AliyunOrderID, resp.ID, path, existing != nil, o.ownerSpec)
		if resp.Created {
			e := &spentNotWrittenError{orderID: req.AliyunOrderID, codeID: resp.ID, finish: finish, err: err}
			if errors.Is(err, polarlicense.ErrLicenseFileExists) {
				// The file appeared meanwhile: a run again finds the code,
				// spends nothing, and tells whether the file is this host's.
				e.finish = ""
			}
			return ensureRecord{}, e
		}
		what := fmt.Sprintf("activation code %d is this host's (nothing was spent), but its license was not written", resp.ID)
		if errors.Is(err, polarlicense.ErrLicenseFileExists) {
			what += ": the file appeared meanwhile; run again to check it"
		} else {
			what += `; write it with "` + finish + `"`
		}
		return ensureRecord{}, &hintError{err: err, hint: what}
	}
	rec := ensureRecord{
		AliyunOrderID:    req.AliyunOrderID,
		ActivationCodeID: resp.ID,
		Name:             resp.Name,
		MacAddress:       h.mac,
		SystemIdentifier: h.systemID,
		ExpireAt:         timestamp(resp.ExpireAt),
		Created:          resp.Created,
		Renewed:          resp.Renewed,
		Path:             path,
		Written:          res.written,
		SHA256:           hex.EncodeToString(sha256Of(data)),
		notes:            res.notes(),
	}
	for _, d := range resp.Duplicates {
		rec.Duplicates = append(rec.Duplicates, d.ID)
	}
	if resp.DuplicatesErr != nil {
		rec.notes = append(rec.notes, fmt.Sprintf("code %d was created, but the host's codes could not be listed again to check that it is the only one: %s",
			resp.ID, trimPkg(resp.DuplicatesErr.Error())))
	}
	return rec, nil
}

// recordedIdentity says whose license data is, as the state directory
// recorded it when it was written (what), and what differs from h (why, ""
// or starting with ": "): a database re-initialised (a new system
// identifier) or a network card replaced (a new MAC address) leaves the
// file of the old code. what is "" when the directory holds no record of it.
func recordedIdentity(stateDir string, h host, data []byte) (what, why string) {
	if stateDir == "" {
		return "", ""
	}
	rec, err := polarlicense.LookupLicenseRecord(stateDir, hex.EncodeToString(sha256Of(data)))
	if err != nil || (rec.MacAddress == h.mac && rec.SystemIdentifier == h.systemID) {
		return "", ""
	}
	what = "the license of activation code " + strconv.FormatInt(rec.ActivationCodeID, 10)
	if rec.AliyunOrderID != "" {
		what += " of order " + rec.AliyunOrderID
	}
	what += fmt.Sprintf(", bound to MAC address %s and system identifier %q (as recorded when it was written)", rec.MacAddress, rec.SystemIdentifier)
	switch {
	case rec.MacAddress == h.mac:
		why = ": the system identifier differs (a re-initialised database?), and that license will not load here"
	case rec.SystemIdentifier == h.systemID:
		why = ": the MAC address differs (a replaced network card, or another interface?), and that license will not load here"
	}
	return what, why
}

// sha256Of is the SHA-256 of data.
func sha256Of(data []byte) []byte {
	sum := sha256.Sum256(data)
	return sum[:]
}

// finishCommand is the command that writes a code's license to path as the
// failed run would have.
func finishCommand(orderID string, codeID int64, path string, force bool, ownerSpec string) string {
	c := "polarlicense license write " + orderID + " " + strconv.FormatInt(codeID, 10) + " --out " + shellWord(path)
	if force {
		c += " --force"
	}
	if ownerSpec != "" {
		c += " --owner " + shellWord(ownerSpec)
	}
	return c
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// spentNotWrittenError is a run that created a code, spending quota, and
// then could not write its license: the message says so first, and how to
// finish without spending again.
type spentNotWrittenError struct {
	orderID string
	codeID  int64
	finish  string // the command that writes the license; "": run the same command again
	err     error  // why the write failed
}

// Error names the code and the command; describe words the cause.
func (e *spentNotWrittenError) Error() string {
	return e.head() + e.err.Error() + e.tail()
}

// head and tail frame the cause.
func (e *spentNotWrittenError) head() string {
	return fmt.Sprintf("activation code %d of order %s was created (one unit of quota spent), but its license was not written: ", e.codeID, e.orderID)
}

func (e *spentNotWrittenError) tail() string {
	if e.finish == "" {
		return fmt.Sprintf("; do not create another: run the same command again, which finds code %d, spends nothing and checks the file", e.codeID)
	}
	return `; do not create another: finish with "` + e.finish + `"`
}

// Unwrap returns the cause.
func (e *spentNotWrittenError) Unwrap() error { return e.err }

// isHostLicense reports whether data is the license of one of the host's
// codes, expired ones included: in the host's order first, then in the
// account's other orders (a renewal may come from a new order).
func isHostLicense(ctx context.Context, client *polarlicense.Client, h host, data []byte) (bool, error) {
	found, err := isLicenseInOrder(ctx, client, h, h.order, data)
	if found || err != nil {
		return found, err
	}
	for o, err := range client.LicenseOrders(ctx, nil) {
		if err != nil {
			return false, err
		}
		if o.AliyunOrderID == h.order {
			continue
		}
		found, err := isLicenseInOrder(ctx, client, h, o.AliyunOrderID, data)
		if found || err != nil {
			return found, err
		}
	}
	return false, nil
}

// isLicenseInOrder reports whether data is the license of one of the host's
// codes in one order.
func isLicenseInOrder(ctx context.Context, client *polarlicense.Client, h host, orderID string, data []byte) (bool, error) {
	list := &polarlicense.DescribeActivationCodesRequest{AliyunOrderID: orderID, SystemIdentifier: h.systemID}
	var ids []int64
	for c, err := range client.ActivationCodes(ctx, list) {
		if err != nil {
			return false, err
		}
		if h.boundTo(&c) {
			ids = append(ids, c.ID)
		}
	}
	// Newest first: the file most often holds the current code's license.
	slices.Reverse(ids)
	for _, id := range ids {
		same, err := codeLicenseIs(ctx, client, orderID, id, data)
		if same || err != nil {
			return same, err
		}
	}
	return false, nil
}

// codeLicenseIs reports whether a code's license is data.
func codeLicenseIs(ctx context.Context, client *polarlicense.Client, orderID string, id int64, data []byte) (bool, error) {
	d, err := client.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{AliyunOrderID: orderID, ActivationCodeID: id})
	if err != nil {
		return false, err
	}
	lic, err := d.CertContentB64.Decode()
	if err != nil {
		return false, err
	}
	return bytes.Equal(lic, data), nil
}
