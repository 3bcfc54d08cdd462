package jsonread

import (
	"math/bits"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// kind classifies the value at the reader's position.
type kind uint8

const (
	kindNone kind = iota // no value: an error was recorded
	kindString
	kindNumber
	kindTrue
	kindFalse
	kindNull
	kindObject
	kindArray
)

// word is the short word for a kind used in TypeError.Got.
func (k kind) word() string {
	switch k {
	case kindString:
		return "string"
	case kindNumber:
		return "number"
	case kindTrue, kindFalse:
		return "bool"
	case kindNull:
		return "null"
	case kindObject:
		return "object"
	case kindArray:
		return "array"
	}
	return "invalid value"
}

// plain[c] is true for the bytes that may appear in a string as themselves and
// need no attention from the scanner: everything but '"', '\\' and the control
// characters below U+0020. Bytes of multi-byte UTF-8 sequences, valid or not,
// are plain: invalid UTF-8 is passed through as is.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// hexVal[c] is the value of hexadecimal digit c, or -1.
var hexVal = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = int8(c - 'a' + 10)
		t[c-'a'+'A'] = int8(c - 'a' + 10)
	}
	return t
}()

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// wsMask has bit c set for each JSON white space byte c.
const wsMask = 1<<' ' | 1<<'\t' | 1<<'\n' | 1<<'\r'

// skipWS advances past JSON white space.
func (r *Reader) skipWS() {
	d, i := r.data, r.pos
	for i < len(d) {
		if c := d[i]; c > ' ' || wsMask&(uint64(1)<<c) == 0 {
			break
		}
		i++
	}
	r.pos = i
}

// syntax records a SyntaxError at offset off unless an error is already recorded.
func (r *Reader) syntax(off int, msg string) {
	if r.err == nil {
		r.err = &SyntaxError{Offset: off, Msg: msg}
	}
}

// typeErr records a TypeError for the value starting at off.
func (r *Reader) typeErr(off int, want string, got kind) {
	if r.err == nil {
		r.err = &TypeError{Offset: off, Want: want, Got: got.word()}
	}
}

// peek skips white space and classifies the value that starts at the reader's
// position without consuming anything. It returns kindNone and records a
// SyntaxError when no value can start there.
func (r *Reader) peek() kind {
	r.skipWS()
	if r.pos >= len(r.data) {
		r.syntax(r.pos, msgEOF)
		return kindNone
	}
	switch c := r.data[r.pos]; c {
	case '"':
		return kindString
	case '{':
		return kindObject
	case '[':
		return kindArray
	case 't':
		return kindTrue
	case 'f':
		return kindFalse
	case 'n':
		return kindNull
	default:
		if c == '-' || isDigit(c) {
			return kindNumber
		}
	}
	r.syntax(r.pos, msgValue)
	return kindNone
}

// scalar reads the next value when it is a scalar and returns its kind, its
// raw text (for strings: between the quotes, still escaped) and whether that
// text holds escapes. For objects and arrays it consumes nothing and returns
// their kind; start is the value's offset in every case.
func (r *Reader) scalar() (k kind, raw string, escaped bool, start int) {
	k = r.peek()
	start = r.pos
	switch k {
	case kindString:
		raw, escaped = r.scanString()
	case kindNumber:
		raw = r.scanNumber()
	case kindTrue:
		r.scanLiteral("true")
	case kindFalse:
		r.scanLiteral("false")
	case kindNull:
		r.scanLiteral("null")
	}
	if r.err != nil {
		return kindNone, "", false, start
	}
	return k, raw, escaped, start
}

// scanLiteral consumes word, which the input must hold at the reader's position.
func (r *Reader) scanLiteral(word string) {
	if strings.HasPrefix(r.data[r.pos:], word) {
		r.pos += len(word)
		return
	}
	// Report the offset of the first byte that differs, or the end of input.
	i := 0
	for r.pos+i < len(r.data) && r.data[r.pos+i] == word[i] {
		i++
	}
	if r.pos+i >= len(r.data) {
		r.syntax(len(r.data), msgEOF)
		return
	}
	r.syntax(r.pos+i, msgLiteral)
}

// scanString consumes the string whose opening quote is at the reader's
// position. It returns the text between the quotes and whether it holds escape
// sequences, which it has checked to be well formed.
func (r *Reader) scanString() (raw string, escaped bool) {
	d := r.data
	i := r.pos + 1
	for {
		i = skipPlain(d, i)
		if i >= len(d) {
			r.syntax(len(d), msgEOF)
			return "", false
		}
		switch d[i] {
		case '"':
			raw = d[r.pos+1 : i]
			r.pos = i + 1
			return raw, escaped
		case '\\':
			escaped = true
			if i+1 >= len(d) {
				r.syntax(len(d), msgEOF)
				return "", false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for j := i + 2; j < i+6; j++ {
					if j >= len(d) {
						r.syntax(len(d), msgEOF)
						return "", false
					}
					if hexVal[d[j]] < 0 {
						r.syntax(i, msgEscape)
						return "", false
					}
				}
				i += 6
			default:
				r.syntax(i, msgEscape)
				return "", false
			}
		default:
			r.syntax(i, msgControl)
			return "", false
		}
	}
}

// load64 returns the eight bytes of s at offset i as a little-endian word (the
// compiler turns this into one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// skipPlain returns the offset of the first byte at or after i that is not
// plain, or len(d). It reads eight bytes at a time while eight remain, and
// takes the first special byte of a word from its mask: no byte loop.
func skipPlain(d string, i int) int {
	for i+8 <= len(d) {
		if m := special8(load64(d, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(d) && plain[d[i]] {
		i++
	}
	return i
}

// special8 returns, for the eight bytes of w, a mask with the high bit of
// each byte set that is '"', '\\' or a control character below 0x20 (the
// bytes that plain rejects), and possibly of bytes above such a byte. It uses
// the classic tests for a zero byte, (v - 0x01..) & ^v & 0x80.., and for a
// byte below n, (v - n..) & ^v & 0x80..: a borrow runs only upward from a
// true byte, so the mask's lowest set bit always marks the first true byte,
// and the mask is zero exactly when there is none.
func special8(w uint64) uint64 {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	q := w ^ (ones * '"')
	b := w ^ (ones * '\\')
	return ((q-ones)&^q | (b-ones)&^b | (w-ones*0x20)&^w) & highs
}

// scanNumber consumes the number that starts at the reader's position and
// returns its literal text. The grammar is RFC 8259's:
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func (r *Reader) scanNumber() string {
	d := r.data
	start, i := r.pos, r.pos
	if d[i] == '-' {
		i++
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else if i = r.digits(i); i < 0 {
		return ""
	}
	if i < len(d) && d[i] == '.' {
		if i = r.digits(i + 1); i < 0 {
			return ""
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i = r.digits(i); i < 0 {
			return ""
		}
	}
	r.pos = i
	return d[start:i]
}

// digits skips the run of at least one decimal digit at offset i and returns
// the offset after it, or -1 with a SyntaxError recorded when there is none.
func (r *Reader) digits(i int) int {
	d := r.data
	if i >= len(d) {
		r.syntax(len(d), msgEOF)
		return -1
	}
	if !isDigit(d[i]) {
		r.syntax(i, msgNumber)
		return -1
	}
	for i < len(d) && isDigit(d[i]) {
		i++
	}
	return i
}

// unescape decodes the text of a string that scanString has checked. Escaped
// UTF-16 surrogate pairs are combined; lone or mismatched surrogates become
// U+FFFD, as in encoding/json. Other bytes, including invalid UTF-8, are copied
// as they are.
func unescape(raw string) string {
	var b strings.Builder
	b.Grow(len(raw)) // the decoded text is never longer than its escaped form
	for len(raw) > 0 {
		i := strings.IndexByte(raw, '\\')
		if i < 0 {
			b.WriteString(raw)
			break
		}
		b.WriteString(raw[:i])
		raw = raw[i:]
		if len(raw) < 2 {
			break // cannot happen for checked input
		}
		c := raw[1]
		raw = raw[2:]
		switch c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r1, ok := hex4(raw)
			if !ok {
				return b.String() // cannot happen for checked input
			}
			raw = raw[4:]
			if utf16.IsSurrogate(r1) {
				// A high surrogate pairs with an escaped low surrogate that follows
				// immediately; anything else leaves it alone, and U+FFFD is written.
				r2 := utf8.RuneError
				if len(raw) >= 6 && raw[0] == '\\' && raw[1] == 'u' {
					if v, ok := hex4(raw[2:]); ok {
						r2 = v
					}
				}
				if p := utf16.DecodeRune(r1, r2); p != utf8.RuneError {
					r1 = p
					raw = raw[6:]
				} else {
					r1 = utf8.RuneError
				}
			}
			b.WriteRune(r1)
		default: // '"', '\\', '/'
			b.WriteByte(c)
		}
	}
	return b.String()
}

// hex4 decodes the four hexadecimal digits at the start of s.
func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var v rune
	for i := 0; i < 4; i++ {
		h := hexVal[s[i]]
		if h < 0 {
			return 0, false
		}
		v = v<<4 | rune(h)
	}
	return v, true
}
