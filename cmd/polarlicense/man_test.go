package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The hidden man command writes one page per command, from the command tree:
// the packages install these.
func TestManPages(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1767225600") // 2026-01-01: the pages' date
	dir := filepath.Join(t.TempDir(), "man1")
	r := runAt(t, nil, "man", "--dir", dir, "--source", "polarlicense v9.8.7")
	require.Equal(t, exitOK, r.code, r.stderr)

	for _, page := range []string{"polarlicense.1", "polarlicense-license-ensure.1", "polarlicense-license-write.1",
		"polarlicense-exporter.1", "polarlicense-audit.1", "polarlicense-codes-create.1", "polarlicense-version.1"} {
		data, err := os.ReadFile(filepath.Join(dir, page))
		require.NoError(t, err, "page %s", page)
		text := string(data)
		assert.True(t, strings.HasPrefix(text, ".nh\n.TH "), "%s is not a man page:\n%.200s", page, text)
		assert.Contains(t, text, `"polarlicense v9.8.7"`, "%s: source line", page)
		assert.Contains(t, text, "Jan 2026", "%s: date from SOURCE_DATE_EPOCH", page)
	}
	ensure, err := os.ReadFile(filepath.Join(dir, "polarlicense-license-ensure.1"))
	require.NoError(t, err)
	assert.Contains(t, string(ensure), "pgdata", "the page lists the command's flags")

	_, err = os.Stat(filepath.Join(dir, "polarlicense-man.1"))
	assert.True(t, os.IsNotExist(err), "the hidden man command has no page of its own")
	help := runAt(t, nil, "--help")
	assert.NotContains(t, help.stdout, "\n  man ", "man is hidden from the help")
}

func TestManNeedsDir(t *testing.T) {
	r := runAt(t, nil, "man")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--dir")
}

// cobra/doc reads a command's Long text and its flags' usage as Markdown: a
// page must still say what --help says, character for character, where
// Markdown would see emphasis or HTML ("ALIBABA_CLOUD_*" lost its
// underscores, "<license_dir>/<i>/" its two "tags").
func TestManPagesKeepTheHelpText(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man1")
	r := runAt(t, nil, "man", "--dir", dir)
	require.Equal(t, exitOK, r.code, r.stderr)

	a := &app{env: defaultEnvironment()}
	var checked []string
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		page := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		data, err := os.ReadFile(filepath.Join(dir, page))
		require.NoError(t, err, "page %s", page)
		texts := []string{c.Long}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { texts = append(texts, f.Usage) })
		for _, text := range texts {
			for _, word := range strings.Fields(text) {
				if strings.Contains(word, "`") || !strings.ContainsAny(word, `_*<\`) {
					continue // a back-quoted name is shown as code; nothing else to lose
				}
				// md2man writes a backslash as roff's \\.
				assert.Contains(t, string(data), strings.ReplaceAll(word, `\`, `\\`), "%s: %q", page, word)
				checked = append(checked, word)
			}
		}
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(a.rootCommand())
	assert.Contains(t, checked, "ALIBABA_CLOUD_*", "the emulator's --env-file")
	assert.Contains(t, checked, "<license_dir>/<i>/", "fleet apply's help")
}

// The pages' date is SOURCE_DATE_EPOCH's in UTC, whatever the builder's time
// zone: 2026-01-01 00:00 UTC was "Dec 2025" on a machine west of Greenwich.
func TestManDateIsUTC(t *testing.T) {
	d, err := manDate("1767225600", time.Time{})
	require.NoError(t, err)
	assert.Equal(t, time.UTC, d.Location())
	assert.Equal(t, "Jan 2026", d.Format("Jan 2006"))

	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.FixedZone("east", 8*3600)) // still February in UTC
	d, err = manDate("", now)
	require.NoError(t, err)
	assert.Equal(t, "Feb 2026", d.Format("Jan 2006"))

	_, err = manDate("yesterday", time.Time{})
	assert.ErrorContains(t, err, "SOURCE_DATE_EPOCH")
}
