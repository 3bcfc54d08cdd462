package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
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
	Created bool   `json:"created"`
	Path    string `json:"path"`
	// Written is false when the file already held the license.
	Written bool   `json:"written"`
	SHA256  string `json:"sha256"`
	// note is advice about a new file's owner, for stderr.
	note string
}

func (a *app) licenseEnsureCommand() *cobra.Command {
	var (
		mac, iface, systemID, pgdata, name, description, out string
		force                                                bool
	)
	cmd := &cobra.Command{
		Use:   "ensure ORDER_ID --name N (--mac M | --interface IF) (--system-id S | --pgdata DIR) --out PATH [--description D] [--force]",
		Short: "Make sure a file holds this host's license, creating its code only if it has none",
		Long: `Make sure --out holds this host's license: find the host's unexpired activation
code in the order (bound to its MAC address and system identifier) or, only if
there is none, create one; then write its license to --out. Safe to repeat: a
second run finds the code, spends nothing and leaves the file as it is. This is
the command for scripts and provisioning pipelines.

The MAC address is --mac, or that of --interface. The system identifier is
--system-id, or read from --pgdata's global/pg_control (PostgreSQL-based
engines; give a MySQL engine's identifier with --system-id).

Before creating a code, the order is checked: a frozen virtual order, or one
with no quota left, is an error and nothing is spent. If the create's answer
is lost, the command looks for the code again before giving up, and never
creates a second one; run it again to pick the code up.

A file already at --out is replaced if it holds another license of this host
(the license of an older code for the same MAC address and system identifier,
in any order), keeping its owner. Anything else is left alone and the command
fails, naming the file, unless --force.`,
		Example: `  polarlicense license ensure 239618016570503 --name pg-prod-01 --interface eth0 \
      --pgdata /var/lib/polardb/data --out /opt/polarflex/license/1/license.lic
  polarlicense license ensure 239618016570503 --name pg-prod-01 --mac 00:16:3e:1a:2b:01 \
      --system-id 7345118823001548201 --out license.lic -o json`,
		Args: exactArgs("ORDER_ID"),
		RunE: a.action(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			orderID := args[0]
			if err := oneOf(cmd, "mac", "interface"); err != nil {
				return err
			}
			if err := oneOf(cmd, "system-id", "pgdata"); err != nil {
				return err
			}
			if err := checkOut(out); err != nil {
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
			}
			if err := req.Validate(); err != nil {
				return err
			}
			client, err := a.newClient()
			if err != nil {
				return err
			}
			host := hostOf(orderID, mac, systemID)
			res, err := ensureFile(ctx, client, req, host, out, force, "pass --force to replace it")
			if err != nil {
				if errors.Is(err, polarlicense.ErrUncertainOutcome) {
					err = &hintError{err: err, lostAnswer: true, hint: "the code may or may not have been created: run the same command again, " +
						"which looks for the code before creating one"}
				}
				return about(err, orderID, 0)
			}
			if res.note != "" {
				a.errorLine("note: " + res.note)
			}
			return emitItem(a, res)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "`name` of the code if one must be created: letters, digits, _ and -, at most 64 (required)")
	f.StringVar(&mac, "mac", "", "MAC `address` of this host, such as 00:16:3e:1a:2b:01")
	f.StringVar(&iface, "interface", "", "network `interface` whose MAC address to use, such as eth0; --interface= (empty) picks the one that is up, not a loopback, with a MAC address")
	f.StringVar(&systemID, "system-id", "", "the database's system `identifier`")
	f.StringVar(&pgdata, "pgdata", "", "data `directory` whose global/pg_control holds the system identifier")
	f.StringVar(&out, "out", "", "`path` of the license file, such as /opt/polarflex/license/1/license.lic (required)")
	f.StringVar(&description, "description", "", "description of the code if one must be created: 2 to 256 characters, not a link")
	f.BoolVar(&force, "force", false, "replace a file at --out that holds something other than a license of this host")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("out")
	return cmd
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

// ensureFile is license ensure's work, and fleet apply's for one node: it
// refuses, before spending anything, to replace a file that holds something
// other than a license of the host (unless force); then it ensures the
// host's code and writes its license to path.
//
// refusal ends the error of a refused file: how to get past it.
func ensureFile(ctx context.Context, client *polarlicense.Client, req *polarlicense.EnsureActivationCodeRequest, h host, path string, force bool, refusal string) (ensureRecord, error) {
	existing, err := readExisting(path)
	if err != nil {
		return ensureRecord{}, err
	}
	// An empty file holds nothing to lose.
	if len(existing) > 0 && !force {
		ours, err := isHostLicense(ctx, client, h, existing)
		if err != nil {
			return ensureRecord{}, fmt.Errorf("cannot tell whether %s holds a license of this host: %w", path, err)
		}
		if !ours {
			return ensureRecord{}, fmt.Errorf("%s holds something other than a license of this host (MAC address %s, system identifier %q): "+
				"left as it is (nothing was spent); %s", path, h.mac, h.systemID, refusal)
		}
	}
	resp, err := client.EnsureActivationCode(ctx, req)
	if err != nil {
		return ensureRecord{}, err
	}
	data, err := resp.CertContentB64.Decode()
	if err != nil {
		return ensureRecord{}, err
	}
	res, err := writeLicenseFile(path, resp.CertContentB64, existing != nil)
	if err != nil {
		what := fmt.Sprintf("activation code %d is this host's (created: %t), but its license was not written", resp.ID, resp.Created)
		if errors.Is(err, polarlicense.ErrLicenseFileExists) {
			what += ": the file appeared meanwhile; run again to check it"
		}
		return ensureRecord{}, &hintError{err: err, hint: what}
	}
	sum := sha256.Sum256(data)
	return ensureRecord{
		AliyunOrderID:    req.AliyunOrderID,
		ActivationCodeID: resp.ID,
		Name:             resp.Name,
		MacAddress:       h.mac,
		SystemIdentifier: h.systemID,
		ExpireAt:         timestamp(resp.ExpireAt),
		Created:          resp.Created,
		Path:             path,
		Written:          res.written,
		SHA256:           hex.EncodeToString(sum[:]),
		note:             res.note,
	}, nil
}

// maxLicenseSize bounds what is read of a file found at a license path: a
// license is a few kilobytes, so anything larger is not one.
const maxLicenseSize = 1 << 20

// readExisting returns what path holds now: nil if nothing; not more than
// maxLicenseSize+1 bytes of a regular file. Anything but a regular file
// (a symbolic link, a directory, a device) is refused, never followed.
func readExisting(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, &polarlicense.LicenseFileError{Path: path, Op: "inspect", Err: err}
	case !fi.Mode().IsRegular():
		return nil, &polarlicense.LicenseFileError{Path: path, Op: "inspect", Err: polarlicense.ErrLicenseFileNotRegular}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &polarlicense.LicenseFileError{Path: path, Op: "inspect", Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxLicenseSize+1))
	if err != nil {
		return nil, &polarlicense.LicenseFileError{Path: path, Op: "inspect", Err: err}
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

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
