package sign

import (
	"slices"
	"strings"
)

// Param is one key/value pair: a query parameter, or a header (lower-case
// name). Signing works on slices of Param rather than maps so that repeated
// keys are kept and no allocation is needed.
type Param struct{ Key, Value string }

const upperHex = "0123456789ABCDEF"

// unreserved[c] reports whether byte c is an RFC 3986 unreserved character
// (A-Z a-z 0-9 - _ . ~), which AppendEscape writes literally.
var unreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['_'], t['.'], t['~'] = true, true, true, true
	return t
}()

// AppendEscape appends the RFC 3986 percent-encoding of s to dst, as both
// signature algorithms require: A-Z a-z 0-9 - _ . ~ are written literally,
// every other byte as %XY with upper-case hex (so space is %20, * is %2A and
// each byte of a multi-byte UTF-8 sequence is encoded on its own). Invalid
// UTF-8 is encoded byte by byte as well.
func AppendEscape(dst []byte, s string) []byte {
	start := 0 // s[start:i] is a pending run of unreserved bytes
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&0x0f])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// insertionSortMax is the length up to which SortParams uses insertion
// sort; longer slices use pdqsort from the slices package.
const insertionSortMax = 16

// SortParams sorts p in place by Key (bytewise), ties broken by Value, which
// is the order of a canonical query. It does not allocate.
//
// Because the order is total over (Key, Value), pairs that compare equal are
// identical, so the result does not depend on the algorithm's stability.
func SortParams(p []Param) {
	if len(p) <= insertionSortMax {
		for i := 1; i < len(p); i++ {
			for j := i; j > 0 && compareParams(p[j], p[j-1]) < 0; j-- {
				p[j], p[j-1] = p[j-1], p[j]
			}
		}
		return
	}
	slices.SortFunc(p, compareParams)
}

// compareParams orders params by Key, then Value, both bytewise.
func compareParams(a, b Param) int {
	if c := strings.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

// AppendCanonicalQuery appends k=v&k=v... for params already sorted with
// SortParams, keys and values escaped with AppendEscape; an empty value is
// written "k=". The same text serves as the canonical query of both
// signature algorithms and as the request's raw URL query.
//
// The official V3 implementation (openapi-util) escapes only values, not
// keys, in its canonical query; the two agree whenever keys consist of
// unreserved characters, as all of this API's parameter names do (e.g.
// Tag.1.Key).
func AppendCanonicalQuery(dst []byte, sorted []Param) []byte {
	for i, p := range sorted {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = AppendEscape(dst, p.Key)
		dst = append(dst, '=')
		dst = AppendEscape(dst, p.Value)
	}
	return dst
}
