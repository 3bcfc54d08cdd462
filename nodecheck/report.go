package nodecheck

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Level is how bad a check's failure is, as the monitoring-plugins
// convention numbers it: the exit status of a plugin.
type Level int

// The levels. A Report's Status is the worst level of its checks, CRITICAL
// being worse than UNKNOWN (a node that will not start is worse than one
// whose license cannot be told).
const (
	OK       Level = 0
	Warning  Level = 1
	Critical Level = 2
	Unknown  Level = 3
)

// String returns the level's name: OK, WARNING, CRITICAL or UNKNOWN.
func (l Level) String() string {
	switch l {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	case Unknown:
		return "UNKNOWN"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// MarshalJSON writes the level's name.
func (l Level) MarshalJSON() ([]byte, error) { return json.Marshal(l.String()) }

// UnmarshalJSON reads a level's name.
func (l *Level) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for _, v := range []Level{OK, Warning, Critical, Unknown} {
		if v.String() == s {
			*l = v
			return nil
		}
	}
	return fmt.Errorf("nodecheck: unknown level %q", s)
}

// severity orders levels for Status: OK < WARNING < UNKNOWN < CRITICAL.
func (l Level) severity() int {
	switch l {
	case Warning:
		return 1
	case Unknown:
		return 2
	case Critical:
		return 3
	}
	return 0
}

// The checks, by name; CheckNames lists them in the order a Report holds
// them.
const (
	CheckFileMissing              = "file-missing"               // the license file is not there
	CheckFileNotRegular           = "file-not-regular"           // a symbolic link, directory, FIFO, …: refused without opening
	CheckFileUnreadable           = "file-unreadable"            // the check could not read it
	CheckFileOwner                = "file-owner"                 // the data directory's owner cannot read it
	CheckLicenseUnknown           = "license-unknown"            // neither a record nor the service identifies it
	CheckLicenseNotForThisHost    = "license-not-for-this-host"  // the service has no code bound to this host whose license is the file, or the file holds no license (empty, or over 1 MiB)
	CheckSystemIdentifierMismatch = "system-identifier-mismatch" // the code's system identifier is not the database's
	CheckMacMismatch              = "mac-mismatch"               // the code's MAC address is not the host's
	CheckExpired                  = "expired"                    // the code has expired
	CheckExpiring                 = "expiring"                   // the code expires within Options.Within
)

// CheckNames are the names of every check, in a Report's order.
var CheckNames = []string{
	CheckFileMissing, CheckFileNotRegular, CheckFileUnreadable, CheckFileOwner,
	CheckLicenseUnknown, CheckLicenseNotForThisHost,
	CheckSystemIdentifierMismatch, CheckMacMismatch, CheckExpired, CheckExpiring,
}

// failLevel is the level of each check's failure: critical but for
// license-unknown (unknown) and expiring (warning).
func failLevel(name string) Level {
	switch name {
	case CheckLicenseUnknown:
		return Unknown
	case CheckExpiring:
		return Warning
	}
	return Critical
}

// Check is one check's outcome.
type Check struct {
	// Name is one of CheckNames.
	Name string `json:"name"`
	// Level is OK when the check passed or was not made, else the level of
	// its failure: its own (CRITICAL for most, UNKNOWN for
	// license-unknown, WARNING for expiring), or UNKNOWN when a fact it
	// needs could not be read (an unreadable pg_control, say) or is not
	// known (the expiry time of a code the service sent without one).
	Level Level `json:"level"`
	// Checked is false when the check could not be made or did not apply:
	// the file is missing, the license is not identified, no data directory
	// was given. Message says why.
	Checked bool `json:"checked"`
	// Message says what was found, in a sentence without the license.
	Message string `json:"message"`
}

// Failing reports whether the check failed (its Level is not OK).
func (c *Check) Failing() bool { return c.Level != OK }

// Code is the activation code the license file holds, as identified.
type Code struct {
	// AliyunOrderID is the code's order.
	AliyunOrderID string `json:"aliyun_order_id"`
	// ActivationCodeID is the code's id in its order.
	ActivationCodeID int64 `json:"activation_code_id"`
	// MacAddress is the MAC address the code is bound to, normalised.
	MacAddress string `json:"mac_address"`
	// SystemIdentifier is the system identifier the code is bound to ("":
	// none).
	SystemIdentifier string `json:"system_identifier"`
	// ExpireAt is when the code expires (zero: not known, as a record
	// written without it).
	ExpireAt time.Time `json:"expire_at"`
}

// Report is the outcome of Run.
type Report struct {
	// Status is the worst Level of the checks; the exit status of a
	// monitoring plugin.
	Status Level `json:"status"`
	// Summary is the text of the first line after "LICENSE <Status> - ":
	// the worst failure (and how many more), or what the license is.
	Summary string `json:"summary"`
	// LicensePath is the file checked.
	LicensePath string `json:"license_path"`
	// SHA256 is the hex SHA-256 of the file's bytes, when it was read.
	SHA256 string `json:"sha256,omitempty"`
	// SystemIdentifier is the database's system identifier, as read from
	// the data directory or given; "" when neither.
	SystemIdentifier string `json:"system_identifier,omitempty"`
	// MacAddresses are the host's MAC addresses compared with the code's:
	// the one given, the named interface's, or every candidate interface's.
	MacAddresses []string `json:"mac_addresses,omitempty"`
	// IdentifiedBy says how the license was identified: "record" (the state
	// directory), "service" (the order's codes), "record+service" (both,
	// agreeing), or "" when it was not.
	IdentifiedBy string `json:"identified_by,omitempty"`
	// Code is the activation code the file holds, when identified.
	Code *Code `json:"code,omitempty"`
	// ExpireAt is the code's expiry time, when identified.
	ExpireAt *time.Time `json:"expire_at,omitempty"`
	// DaysLeft is the number of whole days until ExpireAt (negative once
	// expired), when identified.
	DaysLeft *int `json:"days_left,omitempty"`
	// Online says whether the service was asked, and what kept it from
	// being asked or answering.
	Online Online `json:"online"`
	// CheckedAt is when the check ran.
	CheckedAt time.Time `json:"checked_at"`
	// Checks are every check of CheckNames, in that order.
	Checks []Check `json:"checks"`
}

// Online is what the report says of the service.
type Online struct {
	// Asked is true when the order's codes were listed.
	Asked bool `json:"asked"`
	// Reason says why the service was not asked or what it answered
	// instead of codes; "" when it was asked and answered.
	Reason string `json:"reason,omitempty"`
}

// Check returns the check of that name, or nil.
func (r *Report) Check(name string) *Check {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// FirstLine is the monitoring plugin's first line: "LICENSE <STATUS> - "
// and the summary.
func (r *Report) FirstLine() string {
	return "LICENSE " + r.Status.String() + " - " + r.Summary
}

// Text is the report as a monitoring plugin prints it: the first line, then
// one line per check ("name LEVEL message"; "ok" for a passing check,
// "skipped" for one not made).
func (r *Report) Text() string {
	var b strings.Builder
	b.WriteString(oneLine(r.FirstLine()))
	b.WriteByte('\n')
	for _, c := range r.Checks {
		state := "ok"
		switch {
		case c.Failing():
			state = c.Level.String()
		case !c.Checked:
			state = "skipped"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", c.Name, state, oneLine(c.Message))
	}
	return b.String()
}

// summaryOrder is the order in which finish looks for the worst failure
// to summarise: CheckNames, but for license-not-for-this-host after the
// mismatches, which name its cause (a new system identifier, another MAC
// address) and what to do.
var summaryOrder = func() []string {
	var names []string
	for _, n := range CheckNames {
		if n != CheckLicenseNotForThisHost {
			names = append(names, n)
		}
		if n == CheckMacMismatch {
			names = append(names, CheckLicenseNotForThisHost)
		}
	}
	return names
}()

// finish sets the status and the summary from the checks.
func (r *Report) finish() {
	var worst []*Check
	for _, name := range summaryOrder {
		c := r.Check(name)
		if c == nil {
			continue
		}
		switch {
		case !c.Failing():
		case len(worst) == 0 || c.Level.severity() > worst[0].Level.severity():
			worst = []*Check{c}
		case c.Level == worst[0].Level:
			worst = append(worst, c)
		}
	}
	if len(worst) == 0 {
		r.Status = OK
		r.Summary = r.describeLicense()
		return
	}
	r.Status = worst[0].Level
	r.Summary = worst[0].Message
	if n := len(worst) - 1; n > 0 {
		r.Summary += fmt.Sprintf(" (and %d more %s)", n, plural(n, "failure", "failures"))
	}
}

// describeLicense says what the license is, for an OK summary.
func (r *Report) describeLicense() string {
	if r.Code == nil {
		return r.LicensePath + " was not identified"
	}
	s := fmt.Sprintf("%s holds activation code %d of order %s", r.LicensePath, r.Code.ActivationCodeID, r.Code.AliyunOrderID)
	if r.ExpireAt != nil {
		s += fmt.Sprintf(", valid until %s (%d %s left)", r.ExpireAt.UTC().Format(time.RFC3339), *r.DaysLeft, plural(*r.DaysLeft, "day", "days"))
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 || n == -1 {
		return one
	}
	return many
}

// oneLine folds a message onto one line and drops control characters, so
// that a path or a service's message cannot forge a line of the report.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
