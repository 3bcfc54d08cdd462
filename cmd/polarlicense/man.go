package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manCommand is the hidden "polarlicense man --dir DIR": it writes a man
// page (section 1) for the tool and for each of its commands into DIR,
// generated from the command tree itself, so the pages say what --help says.
// The release's packages install them (.goreleaser.yaml runs it before
// building); it is hidden because operators read the pages, not make them.
// The pages' date is $SOURCE_DATE_EPOCH when set (a reproducible build),
// else today.
func (a *app) manCommand() *cobra.Command {
	var dir, source string
	cmd := &cobra.Command{
		Use:    "man --dir DIR",
		Short:  "Write the man pages of every command into a directory",
		Hidden: true,
		Args:   exactArgs(),
		RunE: a.action(func(_ context.Context, cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usagef("man: --dir is required")
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			header := &doc.GenManHeader{Section: "1", Source: source, Manual: "User Commands"}
			if err := doc.GenManTree(cmd.Root(), header, dir); err != nil {
				return fmt.Errorf("man: %w", err)
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&dir, "dir", "", "write the pages into this `directory` (created if missing)")
	cmd.Flags().StringVar(&source, "source", "polarlicense", "the pages' source line, such as \"polarlicense v0.1.0\"")
	return cmd
}
