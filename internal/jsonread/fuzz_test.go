package jsonread

import (
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// walk reads the value at the reader's position with Object, Member, Array,
// Next, String, Bool and Skip, choosing by the kind ahead, and returns it as
// encoding/json would decode it into an interface{} with UseNumber: objects as
// map[string]any, arrays as []any, numbers as json.Number. Strings and keys are
// passed through normalize. It returns nil on error.
func walk(r *Reader, depth int) any {
	if depth > maxDepth {
		panic("walk: the nesting limit was not enforced")
	}
	switch r.peek() {
	case kindObject:
		if !r.Object() {
			return nil
		}
		m := map[string]any{}
		for key, ok := r.Member(); ok; key, ok = r.Member() {
			m[normalize(key)] = walk(r, depth+1)
		}
		return m
	case kindArray:
		if !r.Array() {
			return nil
		}
		a := []any{}
		for r.Next() {
			a = append(a, walk(r, depth+1))
		}
		return a
	case kindString:
		return normalize(r.String())
	case kindNumber:
		return json.Number(r.String())
	case kindTrue, kindFalse:
		return r.Bool()
	case kindNull:
		r.Skip()
	}
	return nil
}

// normalize replaces each byte of s that is not part of valid UTF-8 with U+FFFD,
// as encoding/json does when it decodes a string. The reader passes invalid
// UTF-8 through as is instead; this is the only way its strings differ from
// encoding/json's. (Escapes can only produce valid UTF-8, and an escape's
// output, which starts a new rune, cannot complete a raw invalid sequence.)
func normalize(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(c) // RuneError for each invalid byte
		i += n
	}
	return b.String()
}

// chaos calls reader methods in an order chosen by choices, whatever the
// input holds, to check that no sequence of calls panics or loops.
func chaos(r *Reader, choices string) {
	if choices == "" {
		choices = "\x00"
	}
	for i := 0; i < 4*len(r.data)+16; i++ {
		switch choices[i%len(choices)] % 9 {
		case 0:
			r.Object()
		case 1:
			r.Member()
		case 2:
			r.Array()
		case 3:
			r.Next()
		case 4:
			_ = r.String()
		case 5:
			r.Int()
		case 6:
			r.Bool()
		case 7:
			r.Skip()
		case 8:
			r.End()
		}
		if r.pos < 0 || r.pos > len(r.data) || r.depth < 0 || r.depth > maxDepth {
			panic("reader state out of bounds")
		}
	}
}

// isTooDeep reports whether err is the nesting limit's SyntaxError.
func isTooDeep(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se) && se.Msg == msgTooDeep
}

// checkInt compares Int, reading doc, with exact arithmetic on lit, the number
// doc holds (doc is lit or a JSON string holding it).
func checkInt(t *testing.T, doc, lit string) {
	if len(lit) > 64 {
		return
	}
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		if e, err := strconv.Atoi(lit[i+1:]); err != nil || e > 100 || e < -100 {
			return // keep big.Rat away from huge powers of ten
		}
	}
	var r Reader
	r.Reset(doc)
	got := r.Int()
	err := r.Err()
	want, ok := new(big.Rat).SetString(lit)
	if !ok {
		t.Fatalf("big.Rat rejects %q", lit)
	}
	inRange := want.IsInt() && want.Num().IsInt64()
	switch {
	case inRange && err != nil:
		t.Fatalf("Int(%q): unexpected error %v", lit, err)
	case inRange && got != want.Num().Int64():
		t.Fatalf("Int(%q) = %d, want %s", lit, got, want.Num())
	case !inRange && err == nil:
		t.Fatalf("Int(%q) = %d, want a TypeError", lit, got)
	}
}

func addBodies(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "bodies"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", "bodies", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

// FuzzReader reads arbitrary input generically and checks that the reader
// never panics, accepts exactly what encoding/json's Valid accepts (within the
// nesting limit), and reads the same values as encoding/json.
func FuzzReader(f *testing.F) {
	addBodies(f)
	for _, s := range []string{
		``, `{}`, `[]`, `null`, `0`, `-1.5e+10`, `"\ud83d\ude00"`, `{"a":[1,{"b":null}],"c":"\u00e9"}`,
		`{"a":1,}`, `[1,]`, `{"a" 1}`, "\"\x01\"", "\"\xff\"", `[[[[[[[[]]]]]]]]`, `{"a":tru}`, `01`,
	} {
		f.Add(s)
	}
	f.Fuzz(checkReader)
}

// checkReader is FuzzReader's check of one input.
func checkReader(t *testing.T, data string) {
	{
		valid := json.Valid([]byte(data))

		var r Reader
		r.Reset(data)
		r.Skip()
		r.End()
		skipErr := r.Err()
		if skipErr != nil {
			var se *SyntaxError
			if !errors.As(skipErr, &se) {
				t.Fatalf("Skip: want a SyntaxError, got %v", skipErr)
			}
			if se.Offset < 0 || se.Offset > len(data) {
				t.Fatalf("Skip: offset %d out of range", se.Offset)
			}
		}
		if valid && skipErr != nil && !isTooDeep(skipErr) {
			t.Fatalf("valid input, Skip reports %v", skipErr)
		}
		if !valid && skipErr == nil {
			t.Fatalf("invalid input accepted by Skip")
		}

		r.Reset(data)
		got := walk(&r, 0)
		r.End()
		walkErr := r.Err()
		if (walkErr == nil) != (skipErr == nil) {
			t.Fatalf("walk error %v, Skip error %v", walkErr, skipErr)
		}
		if walkErr == nil {
			var want any
			dec := json.NewDecoder(strings.NewReader(data))
			dec.UseNumber()
			if err := dec.Decode(&want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("walk read %#v, encoding/json %#v", got, want)
			}
		}

		if s := strings.Trim(data, " \t\r\n"); valid && s != "" && (s[0] == '-' || isDigit(s[0])) {
			checkInt(t, s, s)
		}

		r.Reset(data)
		chaos(&r, data)
	}
}

// FuzzStringsMatchEncodingJSON checks that String reads a JSON string literal
// as encoding/json does, up to the replacement of invalid UTF-8 (see
// normalize), as a value and as a key, and that Int and Bool agree with strconv
// on the strings they accept.
func FuzzStringsMatchEncodingJSON(f *testing.F) {
	for _, s := range []string{
		``, `plain`, `a\"b`, `\\`, `\/`, `\b\f\n\r\t`, `\u00e9`, `\ud83d\ude00`, `\ud83d`, `\ude00x`,
		`\ud83d\u0041`, "\xff", "é€", ` 12 `, `-9223372036854775808`, `1e3`, `TRUE`, `\u0031`,
	} {
		f.Add(s)
	}
	f.Fuzz(checkString)
}

// checkString is FuzzStringsMatchEncodingJSON's check of one input.
func checkString(t *testing.T, s string) {
	{
		lits := []string{`"` + s + `"`}
		if b, err := json.Marshal(s); err == nil {
			lits = append(lits, string(b))
		}
		for _, lit := range lits {
			if !json.Valid([]byte(lit)) {
				continue
			}
			var want string
			if err := json.Unmarshal([]byte(lit), &want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}

			var r Reader
			r.Reset(lit)
			got := r.String()
			r.End()
			if err := r.Err(); err != nil {
				t.Fatalf("String(%q): %v", lit, err)
			}
			if normalize(got) != want {
				t.Fatalf("String(%q) = %q, encoding/json %q", lit, got, want)
			}

			r.Reset("{" + lit + ":" + lit + "}")
			if !r.Object() {
				t.Fatalf("Object: %v", r.Err())
			}
			key, ok := r.Member()
			if !ok || normalize(key) != want {
				t.Fatalf("Member(%q) = %q, %v, want %q", lit, key, ok, want)
			}
			if v := r.String(); v != got {
				t.Fatalf("String after key = %q, want %q", v, got)
			}
			if _, ok := r.Member(); ok || r.Err() != nil {
				t.Fatalf("end of object: %v", r.Err())
			}

			r.Reset(lit)
			n := r.Int()
			intErr := r.Err()
			trimmed := trimSpace(got)
			if v, err := strconv.ParseInt(trimmed, 10, 64); err == nil && (intErr != nil || n != v) {
				t.Fatalf("Int(%q) = %d, %v; strconv says %d", lit, n, intErr, v)
			}
			if intErr == nil && trimmed != "" {
				checkInt(t, lit, strings.TrimPrefix(trimmed, "+"))
			}

			r.Reset(lit)
			b := r.Bool()
			boolErr := r.Err()
			// Bool accepts every form strconv.ParseBool does but the one-letter ones.
			if v, err := strconv.ParseBool(trimmed); err == nil && len(trimmed) > 1 && (boolErr != nil || b != v) {
				t.Fatalf("Bool(%q) = %v, %v; strconv says %v", lit, b, boolErr, v)
			}
		}
	}
}
