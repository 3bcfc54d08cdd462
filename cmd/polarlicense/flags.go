package main

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Flag and argument types shared by the commands.

// durationValue is a flag holding a duration: a Go duration ("36h", "90m",
// "1h30m") or a number of days with the suffix d ("90d"), optionally
// followed by a Go duration ("1d12h"). It must not be negative.
type durationValue struct {
	d    time.Duration
	text string
}

// String returns the duration as given, for the help text.
func (v *durationValue) String() string {
	if v.text != "" {
		return v.text
	}
	if v.d == 0 {
		return ""
	}
	return v.d.String()
}

// Set parses a duration (see parseDuration).
func (v *durationValue) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	v.d, v.text = d, s
	return nil
}

// Type names the value in the help text.
func (v *durationValue) Type() string { return "duration" }

// parseDuration reads a durationValue's text.
func parseDuration(s string) (time.Duration, error) {
	bad := errors.New(`want a duration such as 90d, 36h or 1d12h`)
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, bad
	}
	if strings.HasPrefix(s, "-") || strings.Contains(s, "d-") {
		return 0, errors.New(`want a duration of zero or more, such as 90d, 36h or 1d12h`)
	}
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 16)
		if err != nil {
			return 0, bad
		}
		days = time.Duration(n) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return days + d, nil
}

// percentValue is a flag holding a percentage from 1 to 100, written "80%"
// or "80".
type percentValue struct{ p float64 }

// String writes the percentage with a % sign.
func (v *percentValue) String() string { return strconv.FormatFloat(v.p, 'f', -1, 64) + "%" }

// Set parses "80%" or "80".
func (v *percentValue) Set(s string) error {
	p, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || p < 1 || p > 100 {
		return errors.New("want a percentage from 1% to 100%, such as 80%")
	}
	v.p = p
	return nil
}

// Type names the value in the help text.
func (v *percentValue) Type() string { return "percent" }

// severityValue is a flag holding a --fail-on level.
type severityValue struct{ s severity }

// String names the level.
func (v *severityValue) String() string { return v.s.String() }

// Set parses info, warning, error or none.
func (v *severityValue) Set(s string) error {
	sev, ok := parseSeverity(s)
	if !ok {
		return errors.New("want info, warning, error or none")
	}
	v.s = sev
	return nil
}

// Type names the value in the help text.
func (v *severityValue) Type() string { return "level" }

// Known values of the service's enumerations, for checking flags and for
// shell completion. The service may add values: --allow-unknown passes any.
var (
	knownEngines      = []string{string(polarlicense.EnginePG), string(polarlicense.EngineOracle), string(polarlicense.EngineMySQL)}
	knownChannels     = []string{string(polarlicense.ChannelMarketplace), string(polarlicense.ChannelPublic)}
	knownPackageTypes = []string{
		string(polarlicense.PackageSingleNodeSubscribe), string(polarlicense.PackageSingleNodeLongTerm),
		string(polarlicense.PackagePrimaryBackupSubscribe), string(polarlicense.PackagePrimaryBackupLongTerm),
		string(polarlicense.PackagePreGenerationLongTerm),
	}
	knownFormats = []string{string(formatTable), string(formatJSON), string(formatCSV), string(formatHTML)}
	knownLevels  = []string{"info", "warning", "error", "none"}
)

// knownValue checks the value of an enumeration flag: it returns the known
// value it names, whatever its case, or "" for an empty value. An unknown
// value is a usage error listing the known ones, unless allowUnknown, when
// it is passed on as given.
func knownValue(flag, value string, known []string, allowUnknown bool) (string, error) {
	if value == "" {
		return "", nil
	}
	for _, k := range known {
		if strings.EqualFold(value, k) {
			return k, nil
		}
	}
	if allowUnknown {
		return value, nil
	}
	return "", usagef("unknown --%s %q: known values are %s (--allow-unknown passes a value the service added since)",
		flag, value, strings.Join(known, ", "))
}

// parseEngine reads an engine name, whatever its case.
func parseEngine(s string) (polarlicense.Engine, bool) {
	for _, e := range []polarlicense.Engine{polarlicense.EnginePG, polarlicense.EngineOracle, polarlicense.EngineMySQL} {
		if strings.EqualFold(s, string(e)) {
			return e, true
		}
	}
	return "", false
}

// checkMac refuses a malformed --mac before anything is sent.
func checkMac(mac string) error {
	if !polarlicense.ValidMacAddress(mac) {
		return usagef(`invalid --mac %q: a MAC address is six pairs of hex digits separated by ":" or "-", such as 00:16:3e:1a:2b:01`, mac)
	}
	return nil
}

// parseCodeID reads a CODE_ID argument.
func parseCodeID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("invalid CODE_ID %q: want the activation code's number, such as 3", s)
	}
	return id, nil
}

// exactArgs requires the named positional arguments, in order.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < len(names):
			return usagef("missing %s", strings.Join(names[len(args):], " "))
		case len(args) > len(names):
			return usagef("unexpected argument %q: %s takes %s", args[len(names)], cmd.CommandPath(), argsList(names))
		}
		for i, a := range args {
			if strings.TrimSpace(a) == "" {
				return usagef("%s must not be empty", names[i])
			}
		}
		return nil
	}
}

func argsList(names []string) string {
	if len(names) == 0 {
		return "no arguments"
	}
	return strings.Join(names, " ")
}
