package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

func TestVersionCommandJSON(t *testing.T) {
	for _, args := range [][]string{{"version", "-o", "json"}, {"--version", "-o", "json"}} {
		r := ok(t, runIn(t, testEnv(nil), args...))
		v := decodeJSON[map[string]any](t, r.stdout)
		assert.Equal(t, polarlicense.Version, v["version"], args)
		assert.Equal(t, runtime.GOOS+"/"+runtime.GOARCH, v["platform"], args)
		assert.True(t, strings.HasPrefix(v["go"].(string), "go"), args)
		assert.Contains(t, v, "revision", args)
		assert.Contains(t, v, "module", args)
	}
}

func TestVersionCommandTable(t *testing.T) {
	r := ok(t, runIn(t, testEnv(nil), "version", "-o", "table"))
	assert.Regexp(t, `^polarlicense \S+ \(SDK `+polarlicense.Version+`\)\nrevision: .+\ngo: go.+\nplatform: `+runtime.GOOS+`/`+runtime.GOARCH+`\n$`, r.stdout)
	assert.Equal(t, r.stdout, ok(t, runIn(t, testEnv(nil), "--version", "-o", "table")).stdout, "--version prints the same")
}

func TestVersionFromBuildInfo(t *testing.T) {
	local := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/polarlicense/polarlicense-go/cmd/polarlicense", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "a24b515713b8"}, {Key: "vcs.modified", Value: "true"}}}
	v := versionFrom(local, "", "")
	assert.Equal(t, versionRecord{Version: polarlicense.Version, Module: "(devel)", Revision: "a24b515713b8", Modified: true,
		Go: "go1.26.0", Platform: runtime.GOOS + "/" + runtime.GOARCH}, v)
	assert.Contains(t, v.text(), "revision: a24b515713b8 (modified)\n")

	installed := &debug.BuildInfo{GoVersion: "go1.25.3", Main: debug.Module{Version: "v0.1.0"}}
	assert.Equal(t, "v0.1.0", versionFrom(installed, "", "").Module)
	assert.Contains(t, versionFrom(installed, "", "").text(), "revision: unknown\n")

	stamped := versionFrom(local, "v0.2.0", "ffff")
	assert.Equal(t, "v0.2.0", stamped.Module)
	assert.Equal(t, "ffff", stamped.Revision)
	assert.False(t, stamped.Modified)
	assert.Equal(t, "(devel)", versionFrom(nil, "", "").Module)
}
