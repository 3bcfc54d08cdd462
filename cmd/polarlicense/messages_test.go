package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// Messages in the tool's own words: each says once what happened and what
// to do, as one punctuated line.

func TestUnknownCommandSuggestions(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"order", "list"}, `polarlicense: unknown command "order" for "polarlicense": did you mean "orders"? (see "polarlicense --help")`},
		{[]string{"licence"}, `polarlicense: unknown command "licence" for "polarlicense": did you mean "license"? (see "polarlicense --help")`},
		{[]string{"codes", "lis"}, `polarlicense: unknown command "lis" for "polarlicense codes": did you mean "list"? (see "polarlicense codes --help")`},
		{[]string{"xyzzy"}, `polarlicense: unknown command "xyzzy" for "polarlicense" (see "polarlicense --help")`},
	} {
		r := runAt(t, srv, tc.args...)
		assert.Equal(t, exitUsage, r.code, tc.args)
		assert.Equal(t, tc.want+"\n", r.stderr, tc.args)
		assert.NotContains(t, r.stderr, "Did you mean this", tc.args)
	}
}

func TestCobraMessage(t *testing.T) {
	assert.Equal(t, `unknown command "x" for "p": did you mean "a" or "b"?`, cobraMessage("unknown command \"x\" for \"p\"\n\nDid you mean this?\n\ta\n\tb\n"))
	assert.Equal(t, "unknown flag: --x", cobraMessage("unknown flag: --x"))
}

// After a lost create answer the advice is given once, in the CLI's terms:
// not the SDK's "check with DescribeActivationCodes filtered by
// MacAddress…" too.
func TestCodesCreateLostAnswerAdviceOnce(t *testing.T) {
	t.Parallel()
	srv := newServer(t, polarlicensetest.WithFaults(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDropAfter}))
	order := polarlicensetest.DemoOrderPG
	r := runAt(t, srv, "codes", "create", order, "--mac", "00:16:3e:1a:2b:03", "--name", "pg-prod-03", "--system-id", "7345118823001548203")
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: the answer from "+srv.URL+` was lost (unexpected EOF); the code may or may not have been created: `+
		`check with "polarlicense codes list `+order+` --mac 00:16:3e:1a:2b:03" before trying again (or use "polarlicense license ensure", which checks first)`+"\n", r.stderr)
	assert.NotContains(t, r.stderr, "DescribeActivationCodes")
	assert.Equal(t, 1, strings.Count(r.stderr, "may or may not"), "the advice is given once")
}

// license ensure after a create's answer was lost and its looks found no
// code: the advice once, in the CLI's terms (run the command again), not the
// SDK's "check with DescribeActivationCodes…" before it.
func TestLicenseEnsureLostAnswerAdviceOnce(t *testing.T) {
	t.Parallel()
	srv := provisioningServer(t, polarlicensetest.WithFaults(polarlicensetest.Fault{Operation: "CreateActivationCode", Kind: polarlicensetest.FaultDrop}))
	path := filepath.Join(t.TempDir(), "license.lic")
	r := runAt(t, srv, ensureArgs(provOrder, path)...)
	assert.Equal(t, exitFailure, r.code)
	line := oneLineOn(t, r.stderr)
	assert.True(t, strings.HasPrefix(line, "polarlicense: the answer from "+srv.URL+" was lost (EOF); the code may or may not have been created: "+
		"run the same command again"), line)
	assert.Equal(t, 1, strings.Count(line, "may or may not"), "the advice is given once")
	assert.NotContains(t, r.stderr, "DescribeActivationCodes")
	assert.NotContains(t, r.stderr, "EnsureActivationCode")
	assert.Equal(t, 1, srv.RequestCount("CreateActivationCode"))
	assert.NoFileExists(t, path)
}

// "help TOPIC" for a topic that is no command is a usage error said as an
// unknown command is, not cobra's "Unknown help topic [`x`]", the whole
// usage and exit status 0.
func TestHelpUnknownTopic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "ordrs"}, `polarlicense: unknown help topic "ordrs": did you mean "orders"? (see "polarlicense --help")`},
		{[]string{"help", "orders", "lst"}, `polarlicense: unknown help topic "orders lst": did you mean "get" or "list"? (see "polarlicense orders --help")`},
		{[]string{"help", "xyzzy"}, `polarlicense: unknown help topic "xyzzy" (see "polarlicense --help")`},
	} {
		r := runIn(t, testEnv(nil), tc.args...)
		assert.Equal(t, exitUsage, r.code, tc.args)
		assert.Equal(t, tc.want+"\n", r.stderr, tc.args)
		assert.Empty(t, r.stdout, tc.args)
	}

	// A known topic is that command's help.
	r := runIn(t, testEnv(nil), "help", "orders", "list")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "Usage:\n  polarlicense orders list")
	assert.Empty(t, r.stderr)

	r = runIn(t, testEnv(nil), "__complete", "help", "ord")
	assert.Equal(t, exitOK, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "orders\t"), r.stdout)
}

// "completion" with a shell it does not know is a usage error too, not its
// help and exit status 0; its shells still work and complete.
func TestCompletionUnknownShell(t *testing.T) {
	t.Parallel()
	r := runIn(t, testEnv(nil), "completion", "fishh")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, `polarlicense: unknown command "fishh" for "polarlicense completion": did you mean "fish"? (see "polarlicense completion --help")`+"\n", r.stderr)
	assert.Empty(t, r.stdout)

	r = runIn(t, testEnv(nil), "completion", "bash")
	assert.Equal(t, exitOK, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "# bash completion V2 for polarlicense"), r.stdout[:min(len(r.stdout), 80)])

	r = runIn(t, testEnv(nil), "completion")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "  polarlicense completion [command]\n")
	assert.Contains(t, r.stdout, "  fish ")

	r = runIn(t, testEnv(nil), "__complete", "completion", "z")
	assert.Equal(t, exitOK, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "zsh\t"), r.stdout)
}

// A bool, integer or number flag given something else says what it wants,
// not the Go parser's words.
func TestFlagValueMessages(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"audit --concurrency abc":                            `invalid argument "abc" for "--concurrency" flag: want a whole number (see "polarlicense audit --help")`,
		"fleet plan -f x --max-rps fast":                     `invalid argument "fast" for "--max-rps" flag: want a number (see "polarlicense fleet plan --help")`,
		"orders list --virtual=maybe":                        `invalid argument "maybe" for "--virtual" flag: want true or false (see "polarlicense orders list --help")`,
		"emulator --virtual-order-quota x":                   `invalid argument "x" for "--virtual-order-quota" flag: want a whole number (see "polarlicense emulator --help")`,
		"fleet plan -f x --concurrency 99999999999999999999": `invalid argument "99999999999999999999" for "--concurrency" flag: out of range (see "polarlicense fleet plan --help")`,
		"license check --license x --debug=maybe":            `invalid argument "maybe" for "--debug" flag: want true or false (see "polarlicense license check --help")`,
		"audit --expiring-within soon":                       `invalid argument "soon" for "--expiring-within" flag: want a duration such as 90d, 36h or 1d12h (see "polarlicense audit --help")`,
	} {
		r := runIn(t, testEnv(nil), strings.Fields(args)...)
		if strings.HasPrefix(args, "license check") {
			assert.Equal(t, 3, r.code, args) // UNKNOWN, as monitoring plugins say it
		} else {
			assert.Equal(t, exitUsage, r.code, args)
		}
		assert.Equal(t, "polarlicense: "+want, oneLineOn(t, r.stderr), args)
	}
}
