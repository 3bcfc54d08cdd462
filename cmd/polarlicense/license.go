package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// license write.

func (a *app) licenseCommand() *cobra.Command {
	cmd := groupCommand("license", "Write license files")
	cmd.AddCommand(a.licenseWriteCommand())
	return cmd
}

func (a *app) licenseWriteCommand() *cobra.Command {
	var (
		out   string
		force bool
	)
	cmd := &cobra.Command{
		Use:   "write ORDER_ID CODE_ID [--out license.lic] [--force]",
		Short: "Write an activation code's license file, the license.lic PolarDB reads at start-up",
		Long: `Fetch an activation code's license (CertContentB64), decode it and write it to
--out, the license.lic that PolarDB reads at start-up. The write is atomic (a
temporary file renamed into place) and the file gets mode 0600. A file that
already holds the same license is left as it is; one that holds anything else
is replaced only with --force.`,
		Example: `  polarlicense license write 239618016570503 1 --out /var/lib/polardb/license.lic`,
		Args:    exactArgs("ORDER_ID", "CODE_ID"),
		RunE: a.action(func(ctx context.Context, _ *cobra.Command, args []string) error {
			id, err := parseCodeID(args[1])
			if err != nil {
				return err
			}
			if out == "" {
				return usagef("--out must not be empty")
			}
			if dir := filepath.Dir(out); !isDir(dir) {
				return fmt.Errorf("cannot write %s: %s is not a directory that exists", out, dir)
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
			existing, readErr := os.ReadFile(out)
			same := readErr == nil && bytes.Equal(existing, data)
			if err := polarlicense.WriteLicenseFile(out, code.CertContentB64, force); err != nil {
				if errors.Is(err, polarlicense.ErrLicenseFileExists) {
					return fmt.Errorf("%s already holds a different license: pass --force to replace it", out)
				}
				return err
			}
			sum := sha256.Sum256(data)
			rec := licenseRecord{
				AliyunOrderID:    args[0],
				ActivationCodeID: id,
				Path:             out,
				Bytes:            len(data),
				SHA256:           hex.EncodeToString(sum[:]),
				Mode:             fmt.Sprintf("%04o", polarlicense.LicenseFileMode),
				Written:          !same,
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
	return cmd
}

// isDir reports whether path is an existing directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
