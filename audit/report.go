package audit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Severity ranks findings: SeverityInfo < SeverityWarning < SeverityError.
// The zero value is no level at all.
type Severity int

// The levels.
const (
	// SeverityInfo is worth knowing, with nothing to do.
	SeverityInfo Severity = iota + 1
	// SeverityWarning needs action soon.
	SeverityWarning
	// SeverityError is wrong now.
	SeverityError
)

// String returns "info", "warning" or "error", or "Severity(n)" for a value
// that is none of the levels.
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes the level's name, so that encoding/json writes
// "warning" rather than 2.
func (s Severity) MarshalText() ([]byte, error) {
	if s < SeverityInfo || s > SeverityError {
		return nil, fmt.Errorf("audit: %v is not a severity", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads what MarshalText writes, in any case.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads a level's name ("info", "warning" or "error", in any
// case).
func ParseSeverity(name string) (Severity, error) {
	for _, s := range []Severity{SeverityInfo, SeverityWarning, SeverityError} {
		if strings.EqualFold(name, s.String()) {
			return s, nil
		}
	}
	return 0, fmt.Errorf("audit: unknown severity %q: want info, warning or error", name)
}

// The names of the checks, as Finding.Check holds them.
const (
	CheckCodeExpired        = "code-expired"
	CheckCodeExpiring       = "code-expiring"
	CheckCodeExpiryUnknown  = "code-expiry-unknown"
	CheckCodeCountMismatch  = "code-count-mismatch"
	CheckCodeDuplicate      = "code-duplicate"
	CheckCodeRenewed        = "code-renewed"
	CheckQuotaExceeded      = "quota-exceeded"
	CheckQuotaExhausted     = "quota-exhausted"
	CheckQuotaHigh          = "quota-high"
	CheckVirtualOrderFrozen = "virtual-order-frozen"
)

// CheckInfo describes one check: its name, the severity of its findings and
// when it reports.
type CheckInfo struct {
	Name        string
	Severity    Severity
	Description string
}

// checks is the table the package notes show.
var checks = []CheckInfo{
	{CheckCodeExpired, SeverityError, "a code's expiry time has passed"},
	{CheckCodeExpiring, SeverityWarning, "a code expires within the policy's window"},
	{CheckCodeExpiryUnknown, SeverityWarning, "a code has no usable expiry time (ExpireAt missing, null or empty)"},
	{CheckCodeCountMismatch, SeverityError, "ActivatedCodeCount differs from the codes listed"},
	{CheckCodeDuplicate, SeverityWarning, "two unexpired codes bind the same MAC and system identifier"},
	{CheckCodeRenewed, SeverityInfo, "a newer code renews a host's code that expires within the policy's window"},
	{CheckQuotaExceeded, SeverityError, "more codes issued than the quota"},
	{CheckQuotaExhausted, SeverityWarning, "the quota is used up (not for frozen virtual orders)"},
	{CheckQuotaHigh, SeverityWarning, "at least the policy's share of the quota is used (idem)"},
	{CheckVirtualOrderFrozen, SeverityInfo, "a frozen virtual order"},
}

// Checks returns every check the rules make, in the order of the package
// notes. The slice is the caller's.
func Checks() []CheckInfo { return append([]CheckInfo(nil), checks...) }

// The defaults of a zero Policy.
const (
	DefaultExpiringWithin   = 90 * 24 * time.Hour
	DefaultQuotaWarnPercent = 80.0
	DefaultConcurrency      = 4
)

// Policy configures an audit. Every zero value means the default.
type Policy struct {
	// Now is the time codes are checked against; zero means time.Now().
	Now time.Time
	// ExpiringWithin is the window of code-expiring: zero means
	// DefaultExpiringWithin (90 days), a negative value turns the check off.
	ExpiringWithin time.Duration
	// QuotaWarnPercent is the threshold of quota-high, in percent of the
	// quota: zero means DefaultQuotaWarnPercent (80); above 100 the check
	// never reports. It must not be negative.
	QuotaWarnPercent float64
	// Concurrency is how many orders' codes Run lists at once: zero means
	// DefaultConcurrency (4). It must not be negative.
	Concurrency int
	// Progress, when set, is called as Run walks, never by two goroutines
	// at once: after each page of orders, then after each order's codes.
	// Evaluate does not call it, and encoding/json leaves it out.
	Progress func(Progress) `json:"-"`
}

// Progress is how far Run has got.
type Progress struct {
	// Orders is the number of orders listed so far.
	Orders int
	// Listed tells whether every order has been listed; OrdersWalked counts
	// the orders whose codes have been listed since.
	Listed       bool
	OrdersWalked int
}

// PolicyError is a Policy that cannot be applied. Run returns it before
// sending anything.
type PolicyError struct {
	// Field is the Policy field at fault, such as "Concurrency".
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error says which field is wrong and why.
func (e *PolicyError) Error() string { return "audit: invalid Policy." + e.Field + ": " + e.Reason }

// resolve fills in the defaults. A field that cannot be applied gets its
// default too, and the error says which it was.
func (p Policy) resolve() (Policy, error) {
	var err error
	if p.QuotaWarnPercent < 0 || math.IsNaN(p.QuotaWarnPercent) {
		err = &PolicyError{Field: "QuotaWarnPercent", Reason: "want 0 (the default) or a positive percentage, not " +
			strconv.FormatFloat(p.QuotaWarnPercent, 'g', -1, 64)}
		p.QuotaWarnPercent = 0
	}
	if p.Concurrency < 0 {
		err = &PolicyError{Field: "Concurrency", Reason: "want 0 (the default) or more, not " + strconv.Itoa(p.Concurrency)}
		p.Concurrency = 0
	}
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	if p.ExpiringWithin == 0 {
		p.ExpiringWithin = DefaultExpiringWithin
	}
	if p.QuotaWarnPercent == 0 {
		p.QuotaWarnPercent = DefaultQuotaWarnPercent
	}
	if p.Concurrency == 0 {
		p.Concurrency = DefaultConcurrency
	}
	return p, err
}

// Horizon is the end of the code-expiring window, Now plus ExpiringWithin,
// or Now when the check is off. Call it on a resolved Policy, such as
// Report.Policy.
func (p *Policy) Horizon() time.Time {
	if p.ExpiringWithin <= 0 {
		return p.Now
	}
	return p.Now.Add(p.ExpiringWithin)
}

// Report is the result of Run.
type Report struct {
	// CheckedAt is the time the codes were checked against (Policy.Now).
	CheckedAt time.Time
	// Policy is the policy applied, with its defaults filled in.
	Policy Policy
	// Orders are the orders in the order the service listed them, each with
	// every one of its codes.
	Orders []Order
	// Findings are the rules' findings, the most severe first.
	Findings []Finding
}

// Codes returns the number of codes checked.
func (r *Report) Codes() int {
	n := 0
	for i := range r.Orders {
		n += len(r.Orders[i].Codes)
	}
	return n
}

// Count returns how many findings have severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for i := range r.Findings {
		if r.Findings[i].Severity == s {
			n++
		}
	}
	return n
}

// Reaches reports whether a finding has severity s or above. It is false for
// a zero s.
func (r *Report) Reaches(s Severity) bool {
	if s < SeverityInfo {
		return false
	}
	for i := range r.Findings {
		if r.Findings[i].Severity >= s {
			return true
		}
	}
	return false
}

// Fails reports whether the report fails a gate at level s: a finding has
// severity s or above, or, whatever s, a code could not be dated
// (code-expiry-unknown, a warning), because an account whose codes the audit
// cannot date never passes. It is false for a zero s, the gate that never
// fails.
func (r *Report) Fails(s Severity) bool {
	if s < SeverityInfo {
		return false
	}
	for i := range r.Findings {
		if f := &r.Findings[i]; f.Severity >= s || f.Check == CheckCodeExpiryUnknown {
			return true
		}
	}
	return false
}

// CountFor returns how many findings of a check concern an order.
func (r *Report) CountFor(aliyunOrderID, check string) int {
	n := 0
	for i := range r.Findings {
		if f := &r.Findings[i]; f.AliyunOrderID == aliyunOrderID && f.Check == check {
			n++
		}
	}
	return n
}

// Order is a license order with every code listed for it.
type Order struct {
	polarlicense.LicenseOrder
	Codes []polarlicense.ActivationCode
}

// UsedPercent is how much of the order's quota is spent, in percent:
// ActivatedCodeCount of ActivationCodeQuota, 100 when the quota is zero.
func (o *Order) UsedPercent() float64 {
	if o.ActivationCodeQuota <= 0 {
		return 100
	}
	return float64(o.ActivatedCodeCount) * 100 / float64(o.ActivationCodeQuota)
}

// Frozen reports whether the order is a frozen virtual order, one that
// issues no more codes.
func (o *Order) Frozen() bool { return o.IsVirtualOrder && o.IsVirtualOrderFrozen }

// Finding is one thing the audit reports.
type Finding struct {
	// Severity is how much it matters.
	Severity Severity
	// Check is the rule that found it, one of the Check* names.
	Check string
	// AliyunOrderID is the order it concerns.
	AliyunOrderID string
	// ActivationCodeID is the code it concerns; 0 when it is about the order.
	ActivationCodeID int64
	// Message says it for a person, in one line.
	Message string
}
