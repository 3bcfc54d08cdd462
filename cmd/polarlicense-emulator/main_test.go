package main

import (
	"context"
	"io"
	"net"
	"regexp"
	"runtime"
	"strings"
	"testing"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestVersionLine(t *testing.T) {
	got := versionLine("v1.2.3")
	want := "polarlicense-emulator v1.2.3 (SDK " + polarlicense.Version + ", " + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if got != want {
		t.Errorf("versionLine = %q, want %q", got, want)
	}
	if dev := versionLine(""); !regexp.MustCompile(`^polarlicense-emulator \S+ \(SDK `).MatchString(dev) || strings.Contains(dev, "v1.2.3") {
		t.Errorf("versionLine without a stamp = %q", dev)
	}
}

// The exit status agrees with the polarlicense CLI's: 2 for a mistake on
// the command line, 1 for an address that cannot be listened on.
func TestExitStatus(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	ctx := context.Background()
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-h"}, 0, ""},
		{[]string{"--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--empty", "--data", "x.json"}, 2, "--empty and --data exclude each other"},
		{[]string{"--listen", busy}, 1, "cannot listen on " + busy + ": address already in use"},
		{[]string{"--listen", "127.0.0.1:99999"}, 1, "cannot listen on 127.0.0.1:99999: address 99999: invalid port"},
	} {
		err := polarlicensetest.Run(ctx, c.args, io.Discard, io.Discard)
		if got := exitStatus(err); got != c.code {
			t.Errorf("%v: exit status %d, want %d (%v)", c.args, got, c.code, err)
		}
		if c.msg != "" && (err == nil || !strings.Contains(err.Error(), c.msg)) {
			t.Errorf("%v: error %v, want one saying %q", c.args, err, c.msg)
		}
	}
	if got := exitStatus(nil); got != 0 {
		t.Errorf("no error: exit status %d", got)
	}
}
