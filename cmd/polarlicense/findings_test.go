package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/polarlicense/polarlicense-go/audit"
)

func TestSeverityNames(t *testing.T) {
	t.Parallel()
	for _, s := range []severity{sevNone, sevInfo, sevWarning, sevError} {
		got, ok := parseSeverity(s.String())
		assert.True(t, ok)
		assert.Equal(t, s, got)
	}
	assert.Equal(t, []string{"none", "info", "warning", "error"}, []string{sevNone.String(), sevInfo.String(), sevWarning.String(), sevError.String()})
	got, ok := parseSeverity("WARNING")
	assert.True(t, ok)
	assert.Equal(t, sevWarning, got)
	_, ok = parseSeverity("fatal")
	assert.False(t, ok)
	assert.Less(t, sevNone, sevInfo)
	assert.Less(t, sevInfo, sevWarning)
	assert.Less(t, sevWarning, sevError)
}

func TestFailsAtLevel(t *testing.T) {
	t.Parallel()
	rep := &audit.Report{Findings: []audit.Finding{{Severity: audit.SeverityWarning}, {Severity: audit.SeverityInfo}}}
	assert.False(t, fails(rep, sevError))
	assert.True(t, fails(rep, sevWarning))
	assert.True(t, fails(rep, sevInfo))
	assert.False(t, fails(rep, sevNone))
	assert.False(t, fails(&audit.Report{}, sevInfo))
}
