package jsonread

import (
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// overlaps reports whether s and data share any byte of memory.
func overlaps(s, data string) bool {
	if len(s) == 0 || len(data) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	d := uintptr(unsafe.Pointer(unsafe.StringData(data)))
	return p < d+uintptr(len(data)) && d < p+uintptr(len(s))
}

// knownPG knows one value.
func knownPG(s string) (string, bool) {
	if s == "PG" {
		return "PG", true
	}
	return "", false
}

func TestOwnedStringSharesNothing(t *testing.T) {
	data := `["value",-1.5e3,"a\nb",true,false,null,"","x","PG","` + strings.Repeat("long", 40) + `"]`
	want := []string{"value", "-1.5e3", "a\nb", "true", "false", "", "", "x", "PG", strings.Repeat("long", 40)}
	for _, in := range []*Interner{nil, {}, {Known: knownPG}} {
		var r Reader
		r.Reset(data)
		require.True(t, r.Array())
		var got []string
		for r.Next() {
			s := r.OwnedString(in)
			assert.False(t, overlaps(s, data), "%q shares the input", s)
			got = append(got, s)
		}
		r.End()
		require.NoError(t, r.Err())
		assert.Equal(t, want, got)
	}
}

func TestOwnedStringTypeErrors(t *testing.T) {
	for _, doc := range []string{`{}`, `[]`} {
		var r Reader
		r.Reset(doc)
		assert.Equal(t, "", r.OwnedString(nil))
		var te *TypeError
		require.ErrorAs(t, r.Err(), &te)
		assert.Equal(t, "string", te.Want)
	}
	var r Reader
	r.Reset(`"a`)
	assert.Equal(t, "", r.OwnedString(nil))
	assert.Error(t, r.Err())
}

func TestInternerCostsNothingForKnownOneByteAndRepeatedValues(t *testing.T) {
	in := Interner{Known: knownPG}
	body := `"PG" "Q" "227638319690519" "227638319690519"`
	pg, q, id := body[1:3], body[6:7], body[10:25]
	in.Intern(id) // copied once
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		for _, s := range []string{pg, q, id, ""} {
			if got := in.Intern(s); got != s || overlaps(got, body) {
				t.Fatalf("Intern(%q) = %q", s, got)
			}
		}
	}))
	in.Reset()
	assert.Equal(t, 1.0, testing.AllocsPerRun(1, func() { in.Reset(); in.Intern(id) }), "Reset forgets the repeats")
	long := strings.Repeat("y", internMaxLen+1)
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { in.Intern(long) }), "long values are copied every time")
}

func TestInternerEveryOneByteString(t *testing.T) {
	var in Interner
	for c := range 256 {
		s := string([]byte{byte(c)})
		got := in.Intern(s)
		require.Equal(t, s, got)
		require.False(t, overlaps(got, s))
	}
}

func TestInternerKeepsDistinctValuesApart(t *testing.T) {
	// More distinct values than slots: collisions evict, never confuse.
	var in Interner
	for round := range 3 {
		for i := range 10 * internSlots {
			s := "order-" + strconv.Itoa(i)
			got := in.Intern(s)
			require.Equal(t, s, got, "round %d", round)
			require.False(t, overlaps(got, s))
		}
	}
	in.Reset()
	for _, s := range in.slots {
		assert.Empty(t, s, "Reset keeps nothing alive")
	}
}

// FuzzOwnedString checks that OwnedString reads every value as String does,
// errors included, and that its result never shares the input.
func FuzzOwnedString(f *testing.F) {
	for _, s := range []string{`"plain"`, "\"\xff\"", `"a\"b"`, `12.5`, `true`, `null`, `"PG"`, `"x"`, `{}`, `"\ud83d\ude00"`, `"` + strings.Repeat("z", 70) + `"`} {
		f.Add(s)
	}
	in := Interner{Known: knownPG}
	f.Fuzz(func(t *testing.T, data string) {
		data = strings.Clone(data) // not a literal the linker may share with a constant
		var r1, r2 Reader
		r1.Reset(data)
		want := r1.String()
		r2.Reset(data)
		got := r2.OwnedString(&in)
		if got != want {
			t.Fatalf("OwnedString = %q, String = %q", got, want)
		}
		if (r1.Err() == nil) != (r2.Err() == nil) {
			t.Fatalf("errors differ: %v and %v", r1.Err(), r2.Err())
		}
		if overlaps(got, data) {
			t.Fatalf("%q shares the input", got)
		}
		in.Reset()
	})
}
