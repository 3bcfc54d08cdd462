package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runAsCLI, set in a test binary's environment, makes it run as the
// polarlicense command instead of the tests: a test can then start the real
// process (signals, exit statuses, files) without building it.
const runAsCLI = "POLARLICENSE_TEST_RUN_AS_CLI"

// panicAsCLI, set in a test binary's environment, makes it die of a panic
// nothing recovers, in a goroutine of its own, as a crashing exporter
// would: the exit status the Go runtime gives such a death.
const panicAsCLI = "POLARLICENSE_TEST_PANIC"

func TestMain(m *testing.M) {
	if os.Getenv(panicAsCLI) == "1" {
		go func() { panic("a crash nothing recovers") }()
		select {}
	}
	if os.Getenv(runAsCLI) == "1" {
		os.Exit(runProcess(os.Args[1:]))
	}
	root, err := os.MkdirTemp("", "polarlicense-cli-test-")
	if err != nil {
		panic(err)
	}
	testStateRoot = root
	code := m.Run()
	os.RemoveAll(root)
	os.Exit(code)
}

// cliCommand is the polarlicense process with args, in a clean environment.
func cliCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
	cmd.Env = []string{runAsCLI + "=1", "HOME=" + t.TempDir(), envStateDir + "=" + t.TempDir(), "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true", "PATH=" + os.Getenv("PATH")}
	return cmd
}

// TestCtrlCExits130 interrupts a command waiting on the service, as Ctrl-C
// would.
func TestCtrlCExits130(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	// A service that takes the connection and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	cmd := cliCommand(t, "--endpoint", "http://"+ln.Addr().String(), "orders", "list")
	cmd.Env = append(cmd.Env, envKeyID+"=id", envSecret+"=secret")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	select {
	case c := <-accepted:
		defer c.Close()
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the command did not call the service")
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
	assert.Equal(t, 130, exit.ExitCode())
	assert.Equal(t, "polarlicense: interrupted\n", stderr.String())
}

// TestCtrlCStopsTheEmulator: a command that runs until stopped ends cleanly
// on Ctrl-C, exit status 0, and takes its env file with it.
func TestCtrlCStopsTheEmulator(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	envFile := filepath.Join(t.TempDir(), "emulator.env")
	cmd := cliCommand(t, "emulator", "--env-file", envFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	waitForFile(t, envFile)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, cmd.Wait(), "stderr: %s", stderr.String())
	_, err := os.Stat(envFile)
	assert.ErrorIs(t, err, os.ErrNotExist, "the env file goes with the emulator")
}

// TestEnvFileRecipe runs the README's recipe in bash: start the emulator in
// the background, wait for its env file, source it, and use it at once.
func TestEnvFileRecipe(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	script := `set -euo pipefail
cd "$DIR"
"$CLI" emulator --env-file emulator.env > /dev/null &
trap 'kill $!' EXIT
while [ ! -e emulator.env ]; do sleep 0.05; done
set -a; . ./emulator.env; set +a
"$CLI" orders list -o csv
"$CLI" codes create 239618016570503 --mac 00:16:3e:1a:2b:03 --name pg-prod-03 --system-id 7345118823001548203 -o json
`
	cmd := exec.Command(bash, "-c", script)
	cmd.Env = []string{runAsCLI + "=1", "CLI=" + exe, "DIR=" + dir, "HOME=" + dir, envStateDir + "=" + filepath.Join(dir, "state"),
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true", "PATH=" + os.Getenv("PATH")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	require.NoError(t, cmd.Start())
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the recipe hung")
	}
	require.NoError(t, err, "stderr: %s", stderr.String())
	out := stdout.String()
	assert.True(t, strings.HasPrefix(out, "aliyun_order_id,"), out)
	assert.Contains(t, out, "239618016570503,")
	assert.Contains(t, out, `"name": "pg-prod-03"`)
}

// waitForFile waits for path to exist.
func waitForFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
