package jsonread

import (
	"hash/maphash"
	"strings"
)

// Interner hands out strings that own their memory, for values that outlive
// the document they were read from. String returns substrings of the input,
// so keeping one keeps the whole input alive; [Reader.OwnedString] returns a
// string that shares nothing with it instead, and an Interner makes most of
// those free:
//
//   - a known value (Known reports it: a constant such as an enum value) is
//     returned as the caller's own copy, which costs nothing;
//   - the empty string and every one-byte string come from a static table;
//   - a repeated value (the same order ID in every item of a page) is copied
//     once and then returned again: the Interner remembers the last
//     internSlots distinct short values it copied, in a direct-mapped table,
//     until Reset;
//   - anything else is copied.
//
// The zero value is ready to use and knows no values. An Interner is not safe
// for concurrent use. It keeps the strings it copied until Reset; call Reset
// once the document is decoded, so that a reused Interner keeps nothing alive.
type Interner struct {
	// Known, when not nil, returns its own copy of s and true when s is a
	// value it knows (a constant), or false. It must not keep s.
	Known func(s string) (string, bool)
	slots [internSlots]string
}

const (
	// internSlots is the size of an Interner's table of repeats.
	internSlots = 64
	// internMaxLen is the longest value an Interner remembers; longer values
	// are copied each time (they are rarely repeated, and hashing them costs).
	internMaxLen = 64
)

// internSeed seeds the hash of the table of repeats.
var internSeed = maphash.MakeSeed()

// allBytes holds every byte value once: allBytes[c:c+1] is the one-byte string
// of c, and costs no allocation.
var allBytes = func() string {
	var b [256]byte
	for i := range b {
		b[i] = byte(i)
	}
	return string(b[:])
}()

// Intern returns a string equal to s that shares no memory with s, unless s
// is a known value, empty, one byte long, or a repeat of a value interned
// since the last Reset, which all cost no allocation.
func (in *Interner) Intern(s string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		c := int(s[0])
		return allBytes[c : c+1]
	}
	if in.Known != nil {
		if k, ok := in.Known(s); ok {
			return k
		}
	}
	if len(s) > internMaxLen {
		return strings.Clone(s)
	}
	slot := &in.slots[maphash.String(internSeed, s)%internSlots]
	if *slot == s {
		return *slot
	}
	*slot = strings.Clone(s)
	return *slot
}

// Reset forgets the repeats remembered so far, so that the Interner keeps no
// string alive.
func (in *Interner) Reset() {
	clear(in.slots[:])
}

// OwnedString reads the next value as String does and returns it as a string
// that shares no memory with the input: known values, repeats and the
// strings String makes itself ("true", "false", escaped text) cost no extra
// allocation; other text is copied once. A nil in copies every value.
func (r *Reader) OwnedString(in *Interner) string {
	if r.err != nil {
		return ""
	}
	k, raw, escaped, start := r.scalar()
	switch k {
	case kindString, kindNumber:
		if escaped {
			return unescape(raw) // a new string already
		}
		if in == nil {
			return strings.Clone(raw)
		}
		return in.Intern(raw)
	case kindTrue:
		return "true"
	case kindFalse:
		return "false"
	case kindObject, kindArray:
		r.typeErr(start, "string", k)
	}
	return ""
}
