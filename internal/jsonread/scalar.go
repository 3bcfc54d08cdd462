package jsonread

import "math"

// String reads the next value as a string and returns it:
//   - a JSON string, unescaped; it is a substring of the input (no
//     allocation) when it holds no escape sequences;
//   - a number: its literal text, as in the input ("1.50", "1e3");
//   - true or false: "true" or "false";
//   - null: "".
//
// An object or array is a *TypeError.
func (r *Reader) String() string {
	if r.err != nil {
		return ""
	}
	k, raw, escaped, start := r.scalar()
	switch k {
	case kindString:
		if escaped {
			return unescape(raw)
		}
		return raw
	case kindNumber:
		return raw
	case kindTrue:
		return "true"
	case kindFalse:
		return "false"
	case kindObject, kindArray:
		r.typeErr(start, "string", k)
	}
	return ""
}

// Int reads the next value as an integer. It accepts:
//   - a JSON number whose value is an integer: 12, -3, and also 3.0, 1e2 or
//     2500e-2;
//   - a string holding such a number, after trimming ASCII white space: " 12 ",
//     "12\n", "+7", "3.0" (in strings a leading '+' and leading zeros are
//     allowed too);
//   - null, "" or a string of white space only, as 0.
//
// A value outside the range of int64, a fraction (1.5), a string holding
// anything else, an object, an array or a bool is a *TypeError.
func (r *Reader) Int() int64 {
	if r.err != nil {
		return 0
	}
	k, raw, escaped, start := r.scalar()
	switch k {
	case kindNumber:
		if v, ok := parseInt(raw); ok {
			return v
		}
		r.typeErr(start, "int64", k)
	case kindString:
		if escaped {
			raw = unescape(raw)
		}
		raw = trimSpace(raw)
		if raw == "" {
			return 0
		}
		if validNumber(raw) {
			if v, ok := parseInt(raw); ok {
				return v
			}
		}
		r.typeErr(start, "int64", k)
	case kindNull, kindNone:
	default:
		r.typeErr(start, "int64", k)
	}
	return 0
}

// Bool reads the next value as a bool. It accepts true and false; the strings
// "true" and "false" in any case and "1" and "0", after trimming ASCII white
// space; the numbers 1 and 0 (also written 1.0, 1e0 and the like); and null,
// "" or a string of white space only, as false. Anything else is a *TypeError.
func (r *Reader) Bool() bool {
	if r.err != nil {
		return false
	}
	k, raw, escaped, start := r.scalar()
	switch k {
	case kindTrue:
		return true
	case kindFalse, kindNull, kindNone:
		return false
	case kindNumber:
		if v, ok := parseInt(raw); ok && (v == 0 || v == 1) {
			return v == 1
		}
	case kindString:
		if escaped {
			raw = unescape(raw)
		}
		switch raw = trimSpace(raw); {
		case raw == "", raw == "0", equalFold(raw, "false"):
			return false
		case raw == "1", equalFold(raw, "true"):
			return true
		}
	}
	r.typeErr(start, "bool", k)
	return false
}

// isSpace reports whether c is ASCII white space.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}

// trimSpace returns s without leading and trailing ASCII white space.
func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// equalFold reports whether s equals the lower-case ASCII word w, ignoring
// ASCII case.
func equalFold(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// validNumber reports whether s is a number as Int accepts it in a string:
// [+-]? [0-9]+ (. [0-9]+)? ([eE] [+-]? [0-9]+)?
// that is the JSON grammar plus a leading '+' and leading zeros.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	n := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		n++
	}
	if n == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		n = 0
		for ; i < len(s) && isDigit(s[i]); i++ {
			n++
		}
		if n == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n = 0
		for ; i < len(s) && isDigit(s[i]); i++ {
			n++
		}
		if n == 0 {
			return false
		}
	}
	return i == len(s)
}

// parseInt returns the value of s, which validNumber accepts, when that value is
// an integer within the range of int64.
func parseInt(s string) (int64, bool) {
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	// Split into integer digits, fraction digits and exponent.
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	whole, frac := s[:i], ""
	s = s[i:]
	if len(s) > 0 && s[0] == '.' {
		i = 1
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		frac = s[1:i]
		s = s[i:]
	}
	if len(s) == 0 && len(frac) == 0 {
		return wholeInt(whole, neg) // the common case: a plain integer
	}
	var exp int64
	if len(s) > 0 { // an exponent: [eE][+-]?digits
		s = s[1:]
		eneg := false
		if s[0] == '+' || s[0] == '-' {
			eneg = s[0] == '-'
			s = s[1:]
		}
		for i := 0; i < len(s); i++ {
			if exp < 1<<40 { // far beyond any exponent that can matter; no overflow
				exp = exp*10 + int64(s[i]-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	// The value is the digits of whole followed by those of frac, times
	// 10^(exp-len(frac)). Drop the trailing zeros, which only scale, and the
	// leading zeros, which count for nothing.
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	exp -= int64(len(frac))
	if len(frac) == 0 {
		for len(whole) > 0 && whole[len(whole)-1] == '0' {
			whole = whole[:len(whole)-1]
			exp++
		}
	}
	for len(whole) > 0 && whole[0] == '0' {
		whole = whole[1:]
	}
	if len(whole) == 0 {
		for len(frac) > 0 && frac[0] == '0' {
			frac = frac[1:]
		}
	}
	n := int64(len(whole) + len(frac))
	if n == 0 {
		return 0, true // zero, whatever its exponent
	}
	if exp < 0 {
		return 0, false // a fraction
	}
	if n+exp > 19 {
		return 0, false // at least 10^19: out of range
	}
	var u uint64 // below 10^19, which fits
	for i := 0; i < len(whole); i++ {
		u = u*10 + uint64(whole[i]-'0')
	}
	for i := 0; i < len(frac); i++ {
		u = u*10 + uint64(frac[i]-'0')
	}
	for ; exp > 0; exp-- {
		u *= 10
	}
	return signed(u, neg)
}

// wholeInt parses a run of decimal digits, with a sign already removed.
func wholeInt(s string, neg bool) (int64, bool) {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	if len(s) > 19 {
		return 0, false
	}
	var u uint64
	for i := 0; i < len(s); i++ {
		u = u*10 + uint64(s[i]-'0')
	}
	return signed(u, neg)
}

// signed applies a sign to a magnitude below 10^19, checking the range of int64.
func signed(u uint64, neg bool) (int64, bool) {
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}
