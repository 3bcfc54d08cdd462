package polarlicense

import (
	"fmt"
	"io"
	"strings"
)

// Redaction: the types that hold a secret keep it from fmt themselves, at
// any depth, by value or by pointer (see the package notes on security).
//
// fmt asks a value's Format method only when it can reach the value as an
// interface: at the top level, through a pointer, in a slice, an array, a
// map or an exported field. In an unexported field it prints the value's
// fields itself, and for a verb that makes no sense for a field's kind (%s
// of a pointer, say) its bad-verb path prints the field again with %v,
// following a pointer to a struct. So every secret is held sealed (below),
// where fmt's own printing cannot reach it, and every type holding one
// answers every verb through Format, so that fmt's bad-verb path is never
// taken for it.

// sealed is a secret string fmt cannot print: it is held behind a pointer to
// a string, which fmt writes as an address under every verb and at every
// depth, its bad-verb path included, and never follows (fmt follows only a
// pointer to an array, a slice, a struct or a map, and that only at the top
// level). The zero value is the empty string.
type sealed struct{ p *string }

// seal returns s sealed.
func seal(s string) sealed {
	if s == "" {
		return sealed{}
	}
	return sealed{&s}
}

// open returns the sealed string.
func (s sealed) open() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// Format prints "[REDACTED]" for every verb, for a secret fmt can reach.
func (s sealed) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// formatPlain prints v, a response converted to a type of the same fields
// and no methods, as verb v with f's flags: %+v and %#v as fmt prints them,
// every other verb as %v, which fmt prints without its bad-verb path
// whatever the field. Its CertContent field formats itself as
// "[REDACTED]". For %#v the converted type's name, which fmt writes first,
// is replaced by the response's, name.
func formatPlain(f fmt.State, verb rune, name, plainName string, v any) {
	directive := "%v"
	switch {
	case verb == 'v' && f.Flag('#'):
		s := fmt.Sprintf("%#v", v)
		_, _ = io.WriteString(f, "polarlicense."+name+strings.TrimPrefix(s, "polarlicense."+plainName))
		return
	case f.Flag('+'):
		directive = "%+v"
	}
	_, _ = fmt.Fprintf(f, directive, v)
}

// The responses that carry a license, as plain structs for formatPlain.
type (
	plainCreate  CreateActivationCodeResponse
	plainDetails DescribeActivationCodeDetailsResponse
	plainEnsure  EnsureActivationCodeResponse
)

// Format prints the response as %v, %+v or %#v would, whatever the verb,
// with the license as "[REDACTED]".
func (r CreateActivationCodeResponse) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, "CreateActivationCodeResponse", "plainCreate", plainCreate(r))
}

// Format prints the response as %v, %+v or %#v would, whatever the verb,
// with the license as "[REDACTED]".
func (r DescribeActivationCodeDetailsResponse) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, "DescribeActivationCodeDetailsResponse", "plainDetails", plainDetails(r))
}

// Format prints the response as %v, %+v or %#v would, whatever the verb,
// with the license as "[REDACTED]".
func (r EnsureActivationCodeResponse) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, "EnsureActivationCodeResponse", "plainEnsure", plainEnsure(r))
}

// Format prints "polarlicense.credential(<AccessKey ID>, [REDACTED])" for
// every verb: the secret and the token never.
func (c credential) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "polarlicense.credential("+c.id+", "+redacted+")")
}
