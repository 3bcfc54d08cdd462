package main

import (
	"regexp"
	"runtime"
	"strings"
	"testing"

	polarlicense "github.com/polarlicense/polarlicense-go"
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
