package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// license write; license ensure is in ensure.go.

func (a *app) licenseCommand() *cobra.Command {
	cmd := groupCommand("license", "Write and check license files")
	cmd.AddCommand(a.licenseWriteCommand(), a.licenseEnsureCommand(), a.licenseCheckCommand())
	return cmd
}

func (a *app) licenseWriteCommand() *cobra.Command {
	var (
		out   string
		force bool
		owner ownerFlag
	)
	cmd := &cobra.Command{
		Use:   "write ORDER_ID CODE_ID [--out license.lic] [--force] [--owner USER[:GROUP]] [--state-dir DIR]",
		Short: "Write an activation code's license file, the license.lic PolarDB reads at start-up",
		Long: `Fetch an activation code's license (CertContentB64), decode it and write it to
--out, the license.lic that PolarDB reads at start-up. The write is atomic (a
temporary file put into place), so PolarDB sees the old license or the new one.

A file that already holds the same license is left as it is; one that holds
anything else is replaced only with --force, and keeps its owner, group and
mode, so a license that belongs to the database user stays readable by it. A
new file belongs to the user running the command, with mode 0600: run as root,
give it to the database's user with --owner USER[:GROUP] (the file, new,
replaced or already there, then gets that owner and mode 0600); without it, a
note on stderr says so when the directory belongs to another user. Symbolic
links, directories, pipes and devices at --out are refused, never followed or
opened. The license written is recorded in the state directory (--state-dir:
which code, order and host it is for; never the license itself). The license
of an expired code is written as asked, with a note on stderr: the database
will not start again with it.`,
		Example: `  polarlicense license write 239618016570503 1 --out /var/lib/polardb/license.lic --owner postgres:postgres`,
		Args:    exactArgs("ORDER_ID", "CODE_ID"),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, args []string) error {
			id, err := parseCodeID(args[1])
			if err != nil {
				return err
			}
			if err := checkOut(out); err != nil {
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
			client, err := a.newClient()
			if err != nil {
				return err
			}
			code, err := client.DescribeActivationCodeDetails(ctx, &polarlicense.DescribeActivationCodeDetailsRequest{
				AliyunOrderID: args[0], ActivationCodeID: id,
			})
			if err != nil {
				return about(err, args[0], id)
			}
			data, err := code.CertContentB64.Decode()
			if err != nil {
				return err
			}
			if code.ID == 0 {
				code.ID = id
			}
			res, err := writeLicenseFileWith(out, code.CertContentB64, polarlicense.LicenseFileOptions{
				Overwrite: force, Owner: fileOwner, StateDir: stateDir, Code: &code.ActivationCode, AliyunOrderID: args[0],
			})
			if errors.Is(err, polarlicense.ErrLicenseFileExists) {
				return &hintError{err: err, hint: "pass --force to replace it"}
			}
			if err != nil {
				return err
			}
			same := !res.written
			for _, n := range res.notes() {
				a.errorLine("note: " + n)
			}
			if now := a.env.now(); code.Expired(now) {
				// Written as asked, but it will not load: say so.
				a.errorLine(fmt.Sprintf("note: activation code %d expired on %s: the database keeps running, but will not start again with this license; "+
					"it needs a new code (\"polarlicense license ensure\" creates one when the host has no unexpired code)",
					id, code.ExpireAt.UTC().Format(time.DateOnly)))
			}
			sum := sha256.Sum256(data)
			rec := licenseRecord{
				AliyunOrderID:    args[0],
				ActivationCodeID: id,
				Path:             out,
				Bytes:            len(data),
				SHA256:           hex.EncodeToString(sum[:]),
				Mode:             fmt.Sprintf("%04o", res.mode),
				Written:          res.written,
			}
			if a.format == formatTable {
				detail := fmt.Sprintf("(%d bytes, mode %s, sha256 %s): activation code %s of order %s",
					rec.Bytes, rec.Mode, rec.SHA256, strconv.FormatInt(id, 10), args[0])
				line := "wrote " + out + " " + detail
				if same {
					line = out + " already holds this license " + detail + "; left as it is"
				}
				_, err := fmt.Fprintln(a.stdout, line)
				return err
			}
			return emitItem(a, rec)
		}),
	}
	cmd.Flags().StringVar(&out, "out", "license.lic", "`path` of the license file")
	cmd.Flags().BoolVar(&force, "force", false, "replace a file that holds a different license")
	owner.add(cmd.Flags())
	a.addStateDirFlag(cmd.Flags())
	return cmd
}

// licenseWrite is what writeLicenseFileWith did.
type licenseWrite struct {
	written bool        // false: the file already held this license
	mode    fs.FileMode // the file's permission bits now
	note    string      // advice about the new file's owner, or ""
	// recordErr is why the license, written, was not recorded in the
	// state directory, or nil.
	recordErr error
}

// notes are what the write has to say on stderr.
func (w *licenseWrite) notes() []string {
	var n []string
	if w.note != "" {
		n = append(n, w.note)
	}
	if w.recordErr != nil {
		n = append(n, "the license was written, but not recorded in the state directory: "+trimPkg(w.recordErr.Error()))
	}
	return n
}

// writeLicenseFileWith writes a license with
// polarlicense.WriteLicenseFileWithOptions and says whether it changed the
// file. It never reads the file: every write puts a new file in place, so
// the file changed if and only if the one at out is no longer the one that
// was there before. A failure to record the license (the file is written)
// is not an error but recordErr.
func writeLicenseFileWith(out string, cert polarlicense.CertContent, opts polarlicense.LicenseFileOptions) (licenseWrite, error) {
	before, _ := os.Lstat(out)
	var recordErr error
	if err := polarlicense.WriteLicenseFileWithOptions(out, cert, opts); err != nil {
		var fe *polarlicense.LicenseFileError
		if !errors.As(err, &fe) || fe.Op != "record" {
			return licenseWrite{}, err
		}
		recordErr = fe.Err
	}
	after, err := os.Lstat(out)
	if err != nil {
		return licenseWrite{}, &polarlicense.LicenseFileError{Path: out, Op: "inspect", Err: err}
	}
	res := licenseWrite{written: before == nil || !os.SameFile(before, after), mode: after.Mode().Perm(), recordErr: recordErr}
	if before == nil && opts.Owner == nil {
		res.note = newFileOwnerNote(out, filepath.Dir(out), after)
	}
	return res, nil
}

// checkOut refuses, before anything is sent, an --out no license file can
// be written to: empty, "-" (stdout), or in a directory that does not exist.
func checkOut(out string) error {
	switch out {
	case "":
		return usagef("--out must not be empty")
	case "-":
		return usagef("--out - is refused: a license is binary, and stdout is for the command's report; give a file path")
	}
	if dir := filepath.Dir(out); !isDir(dir) {
		return fmt.Errorf("cannot write %s: %s is not a directory that exists", out, dir)
	}
	return nil
}

// checkOutBeforeSpending is checkOut for a command that may then spend
// quota (codes create, license ensure): a directory that does not exist
// also says that nothing was spent, as the later write check does.
func checkOutBeforeSpending(out string) error {
	err := checkOut(out)
	var usage *usageError
	if err == nil || errors.As(err, &usage) {
		return err
	}
	return &hintError{err: err, hint: "nothing was spent"}
}

// isDir reports whether path is an existing directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
