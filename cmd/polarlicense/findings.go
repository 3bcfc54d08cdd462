package main

import (
	"strings"

	"github.com/polarlicense/polarlicense-go/audit"
)

// The audit's rules live in package audit; this file holds only what the
// command line adds to them: the --fail-on level, which has "none" besides
// the audit's severities.

// severity is a --fail-on level: one of the audit's severities, or sevNone.
type severity audit.Severity

const (
	sevNone    severity = 0 // --fail-on none: no finding fails the audit
	sevInfo             = severity(audit.SeverityInfo)
	sevWarning          = severity(audit.SeverityWarning)
	sevError            = severity(audit.SeverityError)
)

// String names the level as --fail-on and the output do.
func (s severity) String() string {
	if s == sevNone {
		return "none"
	}
	return audit.Severity(s).String()
}

// parseSeverity reads a --fail-on level, whatever its case.
func parseSeverity(s string) (severity, bool) {
	if strings.EqualFold(s, "none") {
		return sevNone, true
	}
	v, err := audit.ParseSeverity(s)
	return severity(v), err == nil
}

// fails reports whether a report fails the --fail-on gate at level: a
// finding at the level or above, or a code it could not date (never for
// sevNone); see audit.Report.Fails.
func fails(rep *audit.Report, level severity) bool {
	return rep.Fails(audit.Severity(level))
}
