package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// manCommand is the hidden "polarlicense man --dir DIR": it writes a man
// page (section 1) for the tool and for each of its commands into DIR,
// generated from the command tree itself, so the pages say what --help says.
// The release's packages install them (.goreleaser.yaml runs it before
// building); it is hidden because operators read the pages, not make them.
// The pages' date (month and year, in UTC) is $SOURCE_DATE_EPOCH when set
// (a reproducible build), else today.
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
			date, err := manDate(os.Getenv("SOURCE_DATE_EPOCH"), time.Now())
			if err != nil {
				return err
			}
			header := &doc.GenManHeader{Section: "1", Source: source, Manual: "User Commands", Date: &date}
			escapeManMarkdown(cmd.Root())
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

// manDate is the pages' date: $SOURCE_DATE_EPOCH (seconds since 1970) when
// set, else now, in UTC, as reproducible builds want it. Left to cobra/doc,
// the date is the builder's local one: the same release's pages differed
// with the time zone of the machine that built them.
func manDate(epoch string, now time.Time) (time.Time, error) {
	if epoch == "" {
		return now.UTC(), nil
	}
	secs, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("man: SOURCE_DATE_EPOCH %q is not a number of seconds", epoch)
	}
	return time.Unix(secs, 0).UTC(), nil
}

// escapeManMarkdown prepares a command tree for cobra/doc, which reads each
// command's Long text and each flag's usage as Markdown: it escapes the
// characters Markdown would take as emphasis or HTML (_ * < and the
// backslash), so that a page says what --help says. Left as they are, "the
// ALIBABA_CLOUD_* credentials" lost its underscores to emphasis and
// "<license_dir>/<i>/" vanished as two HTML tags. The tree is changed in
// place: "man" is the run's only command.
func escapeManMarkdown(root *cobra.Command) {
	seen := map[*pflag.Flag]bool{} // a parent's persistent flag is in its children's sets too
	escapeFlag := func(f *pflag.Flag) {
		if !seen[f] {
			seen[f] = true
			f.Usage = escapeMarkdown(f.Usage)
		}
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Long = escapeMarkdown(c.Long)
		c.Flags().VisitAll(escapeFlag)
		c.PersistentFlags().VisitAll(escapeFlag)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// escapeMarkdown backslash-escapes _ * < and \ in s, outside back-quoted
// spans (a flag's `NAME`, which pflag shows without its quotes and Markdown
// as code) and indented lines (a code block, as in cobra's completion help):
// Markdown shows those as they are.
func escapeMarkdown(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "    ") {
			continue
		}
		var b strings.Builder
		code := false
		for _, r := range line {
			switch {
			case r == '`':
				code = !code
			case !code && strings.ContainsRune(`\_*<`, r):
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		lines[i] = b.String()
	}
	return strings.Join(lines, "")
}
