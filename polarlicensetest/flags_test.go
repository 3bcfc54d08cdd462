package polarlicensetest_test

import (
	"context"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// waitForFile waits for path to exist and returns its content.
func waitForFile(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(path)
		if err == nil {
			return string(data)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear: %v", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// envFile reads KEY=value lines.
func envFile(content string) map[string]string {
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	return env
}

func TestRunEnvFileDataAndCredentials(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(t.TempDir(), "emulator.env")
	done := make(chan error, 1)
	go func() {
		done <- polarlicensetest.Run(ctx, []string{
			"--env-file", path, "--data", "testdata/data.json",
			"--access-key-id", "AKID", "--access-key-secret", "s3cret", "--security-token", "tok",
			"--virtual-order-quota", "4",
		}, io.Discard, io.Discard)
	}()
	content := waitForFile(t, path)
	env := envFile(content)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, env["POLARLICENSE_ENDPOINT"])
	assert.Equal(t, map[string]string{
		"POLARLICENSE_ENDPOINT": env["POLARLICENSE_ENDPOINT"], "ALIBABA_CLOUD_ACCESS_KEY_ID": "AKID",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s3cret", "ALIBABA_CLOUD_SECURITY_TOKEN": "tok",
	}, env)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "it holds a secret")

	c, err := polarlicense.NewClient(polarlicense.WithEndpoint(env["POLARLICENSE_ENDPOINT"]), polarlicense.WithSTSToken("AKID", "s3cret", "tok"))
	require.NoError(t, err)
	out, err := c.DescribeLicenseOrders(ctx, nil)
	require.NoError(t, err)
	require.Len(t, out.Items, 2, "--data replaces the demo data")
	assert.Equal(t, "100000000000001", out.Items[0].AliyunOrderID)
	v, err := c.CreateOrGetVirtualLicenseOrder(ctx, &polarlicense.CreateOrGetVirtualLicenseOrderRequest{Engine: polarlicense.EnginePG})
	require.NoError(t, err)
	assert.Equal(t, 4, v.ActivationCodeQuota)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "removed on exit, so nothing points at a stopped emulator")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Empty(t, entries, "no temporary file left behind")
}

// An emulator that stops removes its --env-file only if the file is still
// its own: one that a second emulator, given the same path and started
// before the first stopped, wrote over it stays, with that emulator's
// endpoint, for the harness waiting on it.
func TestRunLeavesAnEnvFileAnotherEmulatorWrote(t *testing.T) {
	path := filepath.Join(t.TempDir(), "emulator.env")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- polarlicensetest.Run(ctx, []string{"--env-file", path}, io.Discard, io.Discard) }()
	waitForFile(t, path)

	// The second emulator's file, written as it writes it: a new file renamed over the path.
	second := "POLARLICENSE_ENDPOINT=http://127.0.0.1:2\n"
	tmp := path + ".second"
	require.NoError(t, os.WriteFile(tmp, []byte(second), 0o600))
	require.NoError(t, os.Rename(tmp, path))

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err, "the second emulator's file was removed by the first as it stopped")
	assert.Equal(t, second, string(got))
}

func TestRunRefusesBadFlagCombinations(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{
		{"--access-key-secret", "x"},
		{"--virtual-order-quota", "-1"},
		{"--empty", "--data", "testdata/data.json"},
		{"--data", "testdata/no-such-file.json"},
		{"--access-key-id", "a\nb", "--access-key-secret", "x"},
		{"--latency", "-1s"},
		{"--latency", "soon"},
	} {
		err := polarlicensetest.Run(ctx, args, io.Discard, io.Discard)
		assert.Error(t, err, args)
		assert.NotErrorIs(t, err, flag.ErrHelp, args)
	}
}

// The file can be sourced by a POSIX shell, whatever the credentials hold.
func TestEnvFileContentIsShellSafe(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bash is needed with CI=true")
		}
		t.Skip("bash is not installed: cannot source the environment file")
	}
	secret := `a b'c"$HOME;$(false)` + "`x`"
	content := polarlicensetest.EnvFileContent("http://127.0.0.1:1", "ID", secret, "")
	assert.NotContains(t, content, "ALIBABA_CLOUD_SECURITY_TOKEN", "no token, no line")
	path := filepath.Join(t.TempDir(), "env")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	out, err := exec.Command(bash, "-c", `set -eu; . "$1"; printf '%s|%s|%s' "$POLARLICENSE_ENDPOINT" "$ALIBABA_CLOUD_ACCESS_KEY_ID" "$ALIBABA_CLOUD_ACCESS_KEY_SECRET"`, "bash", path).Output()
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:1|ID|"+secret, string(out))
}

func TestServeFlagsRegisterDefaults(t *testing.T) {
	var f polarlicensetest.ServeFlags
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	f.Register(fs)
	require.NoError(t, fs.Parse(nil))
	assert.Equal(t, "127.0.0.1:0", f.Listen)
	assert.Equal(t, polarlicensetest.DefaultVirtualOrderQuota, f.VirtualOrderQuota)
	var names []string
	fs.VisitAll(func(fl *flag.Flag) { names = append(names, fl.Name) })
	assert.ElementsMatch(t, []string{"listen", "access-key-id", "access-key-secret", "security-token",
		"virtual-order-quota", "empty", "data", "env-file", "log", "latency"}, names)
}
