package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmulatorCommand runs "polarlicense emulator", reads the URL and the
// credentials it prints, and uses them as a person would: by exporting them.
func TestEmulatorCommand(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runWith(ctx, testEnv(nil), []string{"emulator", "--listen", "127.0.0.1:0"}, pw, &stderr)
		pw.Close()
	}()

	sc := bufio.NewScanner(pr)
	var lines []string
	for len(lines) < 3 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.Len(t, lines, 3)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, lines[0])
	vars := map[string]string{envEndpoint: lines[0]}
	for _, l := range lines[1:] {
		k, v, found := strings.Cut(l, "=")
		require.True(t, found, l)
		vars[k] = v
	}
	require.NotEmpty(t, vars[envKeyID])
	require.NotEmpty(t, vars[envSecret])
	go io.Copy(io.Discard, pr)

	env := testEnv(nil)
	env.getenv = func(k string) string { return vars[k] }
	r := ok(t, runIn(t, env, "orders", "list", "-o", "json"))
	assert.Len(t, decodeJSON[[]orderRecord](t, r.stdout), 7)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("the emulator did not stop")
	}
}

func TestEmulatorCommandEmpty(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- runWith(ctx, testEnv(nil), []string{"emulator", "--empty"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	vars := map[string]string{}
	for i := 0; i < 3 && sc.Scan(); i++ {
		if i == 0 {
			vars[envEndpoint] = sc.Text()
		} else if k, v, found := strings.Cut(sc.Text(), "="); found {
			vars[k] = v
		}
	}
	go io.Copy(io.Discard, pr)
	env := testEnv(nil)
	env.getenv = func(k string) string { return vars[k] }
	r := ok(t, runIn(t, env, "orders", "list", "-o", "json"))
	assert.Equal(t, "[]\n", r.stdout)
	cancel()
	assert.Equal(t, exitOK, <-done)
}

func TestEmulatorCommandBadListen(t *testing.T) {
	t.Parallel()
	r := runIn(t, testEnv(nil), "emulator", "--listen", "256.0.0.1:99999")
	assert.Equal(t, exitFailure, r.code)
	assert.Regexp(t, `^polarlicense: cannot listen on 256\.0\.0\.1:99999: `, oneLineOn(t, r.stderr))
	assert.NotContains(t, r.stderr, "cannot reach the service")
	assert.Empty(t, r.stdout)

	// A port in use.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	busy := ln.Addr().String()
	r = runIn(t, testEnv(nil), "emulator", "--listen", busy)
	assert.Equal(t, exitFailure, r.code)
	assert.Equal(t, "polarlicense: cannot listen on "+busy+": address already in use", oneLineOn(t, r.stderr))
	assert.Empty(t, r.stdout)
}

func TestEmulatorCommandTimeout(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := runIn(t, testEnv(nil), "--timeout", "200ms", "emulator")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+\nALIBABA_CLOUD_ACCESS_KEY_ID=\S+\nALIBABA_CLOUD_ACCESS_KEY_SECRET=\S+\n$`, r.stdout)
}

// polarlicense emulator takes --latency, as polarlicense-emulator does.
func TestEmulatorLatencyFlag(t *testing.T) {
	r := runAt(t, nil, "emulator", "--help")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "--latency duration")
	r = runAt(t, nil, "emulator", "--latency", "-1s")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--latency must not be negative")
}
