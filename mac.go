package polarlicense

import (
	"errors"
	"strconv"
)

// MAC addresses. An activation code is bound to a machine's MAC address,
// which people and tools spell in several ways: "00:16:3E:1A:2B:01",
// "00-16-3e-1a-2b-01". The client sends, filters by and compares the one
// normal form, lower case with colons ("00:16:3e:1a:2b:01"), so that a code
// created from one spelling is found from another.

// ErrInvalidMacAddress is wrapped by the error of NormalizeMacAddress for a
// text that is not a MAC address.
var ErrInvalidMacAddress = errors.New(`a MAC address is six pairs of hex digits separated by ":" or "-", such as 00:16:3e:1a:2b:01`)

// ValidMacAddress reports whether s is a MAC address as CreateActivationCode
// takes it: six pairs of hex digits separated by ":" or "-" (one separator
// throughout), such as "12:34:56:78:9a:bc".
func ValidMacAddress(s string) bool {
	if len(s) != 17 {
		return false
	}
	sep := s[2]
	if sep != ':' && sep != '-' {
		return false
	}
	for i := 0; i < 17; i++ {
		c := s[i]
		if i%3 == 2 {
			if c != sep {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// NormalizeMacAddress returns the normal form of a MAC address: lower case,
// colon-separated, such as "00:16:3e:1a:2b:01". It accepts what
// ValidMacAddress accepts (":" or "-" as the separator, either case). Any
// other text is an error that wraps ErrInvalidMacAddress and quotes (a
// bounded excerpt of) the text.
func NormalizeMacAddress(s string) (string, error) {
	if !ValidMacAddress(s) {
		return "", &macError{text: s}
	}
	var b [17]byte
	for i := 0; i < 17; i++ {
		c := s[i]
		switch {
		case i%3 == 2:
			c = ':'
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return string(b[:]), nil
}

// macError is the error of NormalizeMacAddress.
type macError struct{ text string }

func (e *macError) Error() string {
	return "polarlicense: invalid MAC address " + strconv.Quote(printable(e.text, 64)) + ": " + ErrInvalidMacAddress.Error()
}

func (e *macError) Unwrap() error { return ErrInvalidMacAddress }

// normalMac returns the normal form of s, or s itself if it is not a MAC
// address, for comparisons that must not fail.
func normalMac(s string) string {
	if n, err := NormalizeMacAddress(s); err == nil {
		return n
	}
	return s
}

// unusableMac says why a MAC address in normal form cannot be a host's
// (the all-zero address, the broadcast address, a multicast address), or
// returns "". A code bound to one would spend quota for no machine.
func unusableMac(normal string) string {
	if len(normal) != 17 {
		return ""
	}
	switch normal {
	case "00:00:00:00:00:00":
		return "must be a host's address: 00:00:00:00:00:00 is the all-zero address, which no network interface has (is the interface up, and not a loopback?)"
	case "ff:ff:ff:ff:ff:ff":
		return "must be a host's address: ff:ff:ff:ff:ff:ff is the broadcast address"
	}
	first, err := strconv.ParseUint(normal[:2], 16, 8)
	if err == nil && first&1 == 1 {
		return "must be a host's address: " + normal + " is a multicast address (the first byte is odd)"
	}
	return ""
}

// UsableMacAddress reports whether s is a MAC address (see ValidMacAddress)
// that a host's network interface can have: not all zeros, not the broadcast
// address, not a multicast address (an odd first byte). CreateActivationCode
// and EnsureActivationCode refuse any other before sending anything.
func UsableMacAddress(s string) bool {
	n, err := NormalizeMacAddress(s)
	return err == nil && unusableMac(n) == ""
}
