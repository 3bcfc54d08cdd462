package audit

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Evaluate applies the rules (see the package notes) to orders and their
// codes and returns the findings, the most severe first. It does no I/O and
// reads no clock but Policy.Now (time.Now() when zero). A negative or NaN
// QuotaWarnPercent counts as the default here; Run refuses it with a
// *PolicyError instead.
func Evaluate(orders []Order, p Policy) []Finding {
	rp, _ := p.resolve()
	return evaluate(orders, &rp)
}

// evaluate is Evaluate with a resolved policy.
func evaluate(orders []Order, p *Policy) []Finding {
	findings := []Finding{}
	for i := range orders {
		findings = evaluateOrder(findings, &orders[i], p)
	}
	sortFindings(findings)
	return findings
}

// sortFindings puts the most severe first, then sorts by order, check and
// code.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.AliyunOrderID, b.AliyunOrderID),
			cmp.Compare(a.Check, b.Check),
			cmp.Compare(a.ActivationCodeID, b.ActivationCodeID),
		)
	})
}

func evaluateOrder(out []Finding, o *Order, p *Policy) []Finding {
	add := func(sev Severity, check string, codeID int64, format string, args ...any) {
		out = append(out, Finding{Severity: sev, Check: check, AliyunOrderID: o.AliyunOrderID,
			ActivationCodeID: codeID, Message: fmt.Sprintf(format, args...)})
	}
	if o.Frozen() {
		add(SeverityInfo, CheckVirtualOrderFrozen, 0, "frozen virtual order: issues no more codes (%d of %d issued)",
			o.ActivatedCodeCount, o.ActivationCodeQuota)
	}
	if n := len(o.Codes); n != o.ActivatedCodeCount {
		add(SeverityError, CheckCodeCountMismatch, 0, "ActivatedCodeCount is %d but %s listed",
			o.ActivatedCodeCount, plural(n, "code is", "codes are"))
	}
	switch used, quota := o.ActivatedCodeCount, o.ActivationCodeQuota; {
	case used > quota:
		add(SeverityError, CheckQuotaExceeded, 0, "%d codes issued, more than the quota of %d", used, quota)
	case o.Frozen():
	case used == quota:
		add(SeverityWarning, CheckQuotaExhausted, 0, "quota used up: %d of %d codes issued, none left", used, quota)
	case o.UsedPercent() >= p.QuotaWarnPercent:
		add(SeverityWarning, CheckQuotaHigh, 0, "quota %s%% used: %d of %d codes issued, %d left",
			formatPercent(o.UsedPercent()), used, quota, quota-used)
	}
	// The SDK decodes a missing, null or empty ExpireAt as the zero time: a
	// code the audit cannot date is never a pass.
	for i := range o.Codes {
		if c := &o.Codes[i]; c.ExpireAt.IsZero() {
			add(SeverityWarning, CheckCodeExpiryUnknown, c.ID, "%s has no expiry time (ExpireAt missing, null or empty): when it expires is unknown",
				describeCode(c))
		}
	}

	horizon := p.Horizon()
	dups, renewals := duplicates(o.Codes, p.Now, horizon)
	renewed := make(map[*polarlicense.ActivationCode]bool, len(renewals))
	for _, r := range renewals {
		renewed[r.first] = true
	}
	for i := range o.Codes {
		c := &o.Codes[i]
		switch {
		case c.Expired(p.Now):
			add(SeverityError, CheckCodeExpired, c.ID, "%s expired on %s (%s ago)", describeCode(c), day(c.ExpireAt), span(p.Now.Sub(c.ExpireAt)))
		case renewed[c]:
			// Expiring, but renewed: code-renewed says so.
		case p.ExpiringWithin > 0 && !c.ExpireAt.IsZero() && !c.ExpireAt.After(horizon):
			add(SeverityWarning, CheckCodeExpiring, c.ID, "%s expires on %s (in %s)", describeCode(c), day(c.ExpireAt), span(c.ExpireAt.Sub(p.Now)))
		}
	}
	for _, d := range dups {
		add(SeverityWarning, CheckCodeDuplicate, d.code.ID, "%s duplicates code %d: both unexpired, for MAC %s and %s; quota spent twice",
			describeCode(d.code), d.first.ID, d.mac, describeSystemID(d.code.SystemIdentifier))
	}
	for _, r := range renewals {
		add(SeverityInfo, CheckCodeRenewed, r.code.ID, "%s renews code %d, which expires on %s (in %s), for MAC %s and %s",
			describeCode(r.code), r.first.ID, day(r.first.ExpireAt), span(r.first.ExpireAt.Sub(p.Now)), r.mac, describeSystemID(r.code.SystemIdentifier))
	}
	return out
}

// duplicate is a code that binds the same host as an earlier one: a
// duplicate of it, or its renewal.
type duplicate struct {
	code, first *polarlicense.ActivationCode
	mac         string // normalised
}

// duplicates finds, among the unexpired codes, every code beyond the first
// (by ID) bound to the same MAC address and system identifier. Taking a
// host's codes by ID, a code is a renewal of the host's current code (the
// first, or the last renewal) when that one expires by horizon and the new
// one expires later; any other is a duplicate of the current code.
func duplicates(codes []polarlicense.ActivationCode, now, horizon time.Time) (dups, renewals []duplicate) {
	type host struct{ mac, sysID string }
	live := make([]*polarlicense.ActivationCode, 0, len(codes))
	for i := range codes {
		if c := &codes[i]; !c.Expired(now) && c.MacAddress != "" {
			live = append(live, c)
		}
	}
	slices.SortStableFunc(live, func(a, b *polarlicense.ActivationCode) int { return cmp.Compare(a.ID, b.ID) })
	current := make(map[host]*polarlicense.ActivationCode, len(live))
	for _, c := range live {
		h := host{normalizeMAC(c.MacAddress), c.SystemIdentifier}
		f, ok := current[h]
		switch {
		case !ok:
			current[h] = c
		case horizon.After(now) && !f.ExpireAt.IsZero() && !f.ExpireAt.After(horizon) && c.ExpireAt.After(f.ExpireAt):
			renewals = append(renewals, duplicate{code: c, first: f, mac: h.mac})
			current[h] = c
		default:
			dups = append(dups, duplicate{code: c, first: f, mac: h.mac})
		}
	}
	return dups, renewals
}

// normalizeMAC writes a MAC address in its normal form
// (polarlicense.NormalizeMacAddress: lower case, ":" between the pairs); a
// text that is not a MAC address is only trimmed and lower-cased, so that
// equal texts still compare equal.
func normalizeMAC(s string) string {
	s = strings.TrimSpace(s)
	if n, err := polarlicense.NormalizeMacAddress(s); err == nil {
		return n
	}
	return strings.ToLower(s)
}

func describeSystemID(id string) string {
	if id == "" {
		return "no system identifier"
	}
	return "system identifier " + id
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
