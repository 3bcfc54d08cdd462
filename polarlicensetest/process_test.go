package polarlicensetest_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	var stderr syncBuffer
	go func() {
		done <- polarlicensetest.Run(ctx, []string{"--listen", "127.0.0.1:0", "--security-token", "tok", "--empty", "--log"}, pw, &stderr)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var got []string
	for len(got) < 4 && lines.Scan() {
		got = append(got, lines.Text())
	}
	require.Len(t, got, 4)
	url := got[0]
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, url)
	id, ok := strings.CutPrefix(got[1], "ALIBABA_CLOUD_ACCESS_KEY_ID=")
	require.True(t, ok, got[1])
	secret, ok := strings.CutPrefix(got[2], "ALIBABA_CLOUD_ACCESS_KEY_SECRET=")
	require.True(t, ok, got[2])
	assert.Equal(t, "ALIBABA_CLOUD_SECURITY_TOKEN=tok", got[3])
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	c, err := polarlicense.NewClient(polarlicense.WithEndpoint(url), polarlicense.WithSTSToken(id, secret, "tok"))
	require.NoError(t, err)
	out, err := c.DescribeLicenseOrders(context.Background(), nil)
	require.NoError(t, err)
	assert.Zero(t, out.TotalRecordCount, "--empty")
	v, err := c.CreateOrGetVirtualLicenseOrder(context.Background(), &polarlicense.CreateOrGetVirtualLicenseOrderRequest{Engine: polarlicense.EnginePG})
	require.NoError(t, err)
	assert.Equal(t, polarlicensetest.DefaultVirtualOrderQuota, v.ActivationCodeQuota)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	assert.Contains(t, stderr.String(), "operation=DescribeLicenseOrders")
	assert.NotContains(t, stderr.String(), secret)
}

func TestRunFlags(t *testing.T) {
	ctx := context.Background()
	var out, errOut strings.Builder
	assert.ErrorIs(t, polarlicensetest.Run(ctx, []string{"-h"}, &out, &errOut), flag.ErrHelp)
	assert.Contains(t, errOut.String(), "-listen")
	var usage *polarlicensetest.UsageError
	for _, args := range [][]string{{"--access-key-id", "x"}, {"--bogus"}, {"extra"}} {
		assert.ErrorAs(t, polarlicensetest.Run(ctx, args, &out, &errOut), &usage, "%v: a mistake on the command line", args)
	}
	// The refused flag's error is the one returned, for the command to print
	// once; stderr has the usage alone.
	errOut.Reset()
	err := polarlicensetest.Run(ctx, []string{"--virtual-order-quota", "x"}, &out, &errOut)
	assert.ErrorAs(t, err, &usage)
	assert.Contains(t, errOut.String(), "Usage: polarlicense-emulator")
	assert.NotContains(t, errOut.String(), "parse error", "the error is not printed before the usage")
	err = polarlicensetest.Run(ctx, []string{"--listen", "256.0.0.1:bad"}, &out, &errOut)
	assert.Error(t, err)
	assert.False(t, errors.As(err, &usage), "an address that cannot be listened on is a failure to serve")
	assert.Empty(t, out.String())
}

// An address that is taken or invalid is said as such: the emulator cannot
// listen on it.
func TestServeCannotListen(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	addr := ln.Addr().String()
	var out strings.Builder
	err = polarlicensetest.Serve(context.Background(), addr, &out)
	assert.EqualError(t, err, "cannot listen on "+addr+": address already in use")
	assert.True(t, errors.Is(err, syscall.EADDRINUSE))
	err = polarlicensetest.Serve(context.Background(), "127.0.0.1:99999", &out)
	assert.EqualError(t, err, "cannot listen on 127.0.0.1:99999: address 99999: invalid port")
	assert.Empty(t, out.String())
}

func TestServeStopsOnContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var out syncBuffer
	err := polarlicensetest.Serve(ctx, "", &out, polarlicensetest.WithAccessKey("id", "secret"))
	require.NoError(t, err)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+\nALIBABA_CLOUD_ACCESS_KEY_ID=id\nALIBABA_CLOUD_ACCESS_KEY_SECRET=secret\n$`, out.String())
}

// The credential lines are values a shell can eval, whatever the
// credentials hold: Serve's promise, kept as the environment file keeps it.
func TestServeStartupLinesAreShellSafe(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bash is needed with CI=true")
		}
		t.Skip("bash is not installed: cannot eval the startup lines")
	}
	const secret, token = `a b'c"$HOME;$(false)` + "`x`", "t k;n"
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var out syncBuffer
	require.NoError(t, polarlicensetest.Serve(ctx, "", &out,
		polarlicensetest.WithAccessKey("id", secret), polarlicensetest.WithSecurityToken(token)))
	lines := strings.SplitN(out.String(), "\n", 2)
	require.Len(t, lines, 2)
	got, err := exec.Command(bash, "-c", `set -eu; eval "$1"; printf '%s|%s|%s' "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET" "$ALIBABA_CLOUD_SECURITY_TOKEN"`,
		"bash", lines[1]).Output()
	require.NoError(t, err)
	assert.Equal(t, "id|"+secret+"|"+token, string(got))
}
