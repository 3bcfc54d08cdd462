package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// The audit's rules, as a pure function over orders and their codes: no I/O,
// no clock but the one it is given. README.md documents the same table.
//
//	check                 severity  when
//	code-expired          error     a code's ExpireAt is at or before now
//	code-expiring         warning   a code expires after now but within --expiring-within
//	code-count-mismatch   error     the order's ActivatedCodeCount is not the number of codes listed
//	quota-exceeded        error     ActivatedCodeCount is above ActivationCodeQuota
//	quota-exhausted       warning   ActivatedCodeCount equals ActivationCodeQuota: no code left to issue
//	quota-high            warning   ActivatedCodeCount is at least --quota-warn of the quota, with codes left
//	virtual-order-frozen  info      a frozen virtual order: it issues no more codes
//
// A frozen virtual order issues no codes whatever its quota, so
// quota-exhausted and quota-high are not reported for it (quota-exceeded
// still is: it says the data is wrong).

// severity ranks findings: info < warning < error.
type severity int

const (
	sevNone    severity = iota // --fail-on none: no finding fails the audit
	sevInfo                    // worth knowing, nothing to do
	sevWarning                 // needs action soon
	sevError                   // wrong now
)

var severityNames = [...]string{sevNone: "none", sevInfo: "info", sevWarning: "warning", sevError: "error"}

// String names the level as --fail-on and the output do.
func (s severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

func parseSeverity(s string) (severity, bool) {
	for i, name := range severityNames {
		if strings.EqualFold(s, name) {
			return severity(i), true
		}
	}
	return 0, false
}

// The checks.
const (
	checkCodeExpired        = "code-expired"
	checkCodeExpiring       = "code-expiring"
	checkCodeCountMismatch  = "code-count-mismatch"
	checkQuotaExceeded      = "quota-exceeded"
	checkQuotaExhausted     = "quota-exhausted"
	checkQuotaHigh          = "quota-high"
	checkVirtualOrderFrozen = "virtual-order-frozen"
)

// finding is one thing the audit reports.
type finding struct {
	Severity severity
	Check    string
	OrderID  string
	CodeID   int64 // 0 when the finding is about the order
	Message  string
}

// auditPolicy is the audit's configuration.
type auditPolicy struct {
	// Now is the time codes are checked against.
	Now time.Time
	// ExpiringWithin is the window of code-expiring; 0 turns it off.
	ExpiringWithin time.Duration
	// QuotaWarnPercent is the threshold of quota-high, from 1 to 100.
	QuotaWarnPercent float64
}

// orderCodes is an order with every code listed for it.
type orderCodes struct {
	Order polarlicense.LicenseOrder
	Codes []polarlicense.ActivationCode
}

// orderUsage is an order's line in the audit report: its quota, used and
// left, and what its codes look like.
type orderUsage struct {
	Order         polarlicense.LicenseOrder
	UsedPercent   float64 // ActivatedCodeCount of ActivationCodeQuota, 100 when the quota is 0
	CodesListed   int
	CodesExpired  int
	CodesExpiring int
}

// auditResult is what audit returns.
type auditResult struct {
	Orders   []orderUsage
	Findings []finding // the most severe first; in walk order within a severity
	Codes    int       // codes checked
}

// count returns how many findings have severity s.
func (r *auditResult) count(s severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// fails reports whether a finding reaches level (never for sevNone).
func (r *auditResult) fails(level severity) bool {
	if level == sevNone {
		return false
	}
	for _, f := range r.Findings {
		if f.Severity >= level {
			return true
		}
	}
	return false
}

// audit checks every order and its codes against the rules above.
func audit(orders []orderCodes, p auditPolicy) auditResult {
	var r auditResult
	for _, oc := range orders {
		o := &oc.Order
		u := orderUsage{Order: *o, CodesListed: len(oc.Codes), UsedPercent: usedPercent(o)}
		add := func(sev severity, check string, codeID int64, format string, args ...any) {
			r.Findings = append(r.Findings, finding{Severity: sev, Check: check, OrderID: o.AliyunOrderID, CodeID: codeID, Message: fmt.Sprintf(format, args...)})
		}
		if o.IsVirtualOrder && o.IsVirtualOrderFrozen {
			add(sevInfo, checkVirtualOrderFrozen, 0, "frozen virtual order: issues no more codes (%d of %d issued)",
				o.ActivatedCodeCount, o.ActivationCodeQuota)
		}
		if n := len(oc.Codes); n != o.ActivatedCodeCount {
			add(sevError, checkCodeCountMismatch, 0, "ActivatedCodeCount is %d but %s listed", o.ActivatedCodeCount, plural(n, "code is", "codes are"))
		}
		frozen := o.IsVirtualOrder && o.IsVirtualOrderFrozen
		switch used, quota := o.ActivatedCodeCount, o.ActivationCodeQuota; {
		case used > quota:
			add(sevError, checkQuotaExceeded, 0, "%d codes issued, more than the quota of %d", used, quota)
		case frozen:
		case used == quota:
			add(sevWarning, checkQuotaExhausted, 0, "quota used up: %d of %d codes issued, none left", used, quota)
		case u.UsedPercent >= p.QuotaWarnPercent:
			add(sevWarning, checkQuotaHigh, 0, "quota %s%% used: %d of %d codes issued, %d left",
				formatPercent(u.UsedPercent), used, quota, quota-used)
		}
		for i := range oc.Codes {
			c := &oc.Codes[i]
			r.Codes++
			switch {
			case c.Expired(p.Now):
				u.CodesExpired++
				add(sevError, checkCodeExpired, c.ID, "%s expired on %s (%s ago)", describeCode(c), day(c.ExpireAt), span(p.Now.Sub(c.ExpireAt)))
			case p.ExpiringWithin > 0 && !c.ExpireAt.IsZero() && !c.ExpireAt.After(p.Now.Add(p.ExpiringWithin)):
				u.CodesExpiring++
				add(sevWarning, checkCodeExpiring, c.ID, "%s expires on %s (in %s)", describeCode(c), day(c.ExpireAt), span(c.ExpireAt.Sub(p.Now)))
			}
		}
		r.Orders = append(r.Orders, u)
	}
	slices.SortStableFunc(r.Findings, func(a, b finding) int { return int(b.Severity) - int(a.Severity) })
	return r
}

// usedPercent is how much of an order's quota is spent, in percent.
func usedPercent(o *polarlicense.LicenseOrder) float64 {
	if o.ActivationCodeQuota <= 0 {
		return 100
	}
	return float64(o.ActivatedCodeCount) * 100 / float64(o.ActivationCodeQuota)
}

// formatPercent writes a percentage with at most one decimal.
func formatPercent(p float64) string {
	return strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64)
}

func describeCode(c *polarlicense.ActivationCode) string {
	s := "code " + strconv.FormatInt(c.ID, 10)
	if c.Name != "" {
		s += " " + strconv.Quote(c.Name)
	}
	if c.MacAddress != "" {
		s += " (MAC " + c.MacAddress + ")"
	}
	return s
}

// day writes the UTC date of t.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// span writes a duration the way a person says it: days, else hours, else
// minutes.
func span(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day", "days")
	case d >= time.Hour:
		return plural(int(d/time.Hour), "hour", "hours")
	default:
		return plural(int(d/time.Minute), "minute", "minutes")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
