package main

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// Table times carry their UTC offset, so a reader knows which zone they are in.
func TestTableTimesShowTheirZone(t *testing.T) {
	at := time.Date(2024, 3, 11, 1, 20, 15, 0, time.UTC)
	got := timestamp(at).table()
	assert.Equal(t, at.Local().Format("2006-01-02 15:04")+" "+at.Local().Format("-07:00"), got)
	assert.Regexp(t, `^\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d$`, got)
	assert.Equal(t, "-", timestamp(time.Time{}).table())

	srv := polarlicensetest.NewServer()
	defer srv.Close()
	env := testEnv(srv)
	env.isTerminal = func(io.Writer) bool { return true }
	r := runIn(t, env, "orders", "get", polarlicensetest.DemoOrderPG, "-o", "table")
	require.Equal(t, exitOK, r.code, r.stderr)
	line := regexp.MustCompile(`(?m)^gmt_created\s+(.*)$`).FindStringSubmatch(r.stdout)
	require.NotNil(t, line, r.stdout)
	assert.Regexp(t, `[+-]\d\d:\d\d$`, strings.TrimSpace(line[1]))
}
