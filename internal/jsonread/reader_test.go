package jsonread

import (
	"errors"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEscapes(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`"plain"`, "plain"},
		{`"a\"b"`, `a"b`},
		{`"a\\b"`, `a\b`},
		{`"a\/b"`, "a/b"},
		{`"\b\f\n\r\t"`, "\b\f\n\r\t"},
		{`"\u0041\u00e9\u20AC"`, "Aé€"},
		{`"\u0000"`, "\x00"},
		{`"\ud83d\ude00"`, "😀"},              // surrogate pair
		{`"\uD83D\uDE00x"`, "😀x"},            // upper-case hex
		{`"\ud83d"`, "\uFFFD"},               // lone high surrogate at the end
		{`"\ud83dx"`, "\uFFFDx"},             // lone high surrogate before text
		{`"\ude00"`, "\uFFFD"},               // lone low surrogate
		{`"\ud83d\u0041"`, "\uFFFDA"},        // high surrogate then a non-surrogate
		{`"\ud83d\ud83d\ude00"`, "\uFFFD😀"},  // high, then a valid pair
		{`"\ude00\ud83d"`, "\uFFFD\uFFFD"},   // low then high
		{`"\ud83d\n"`, "\uFFFD\n"},           // high then another escape
		{`"é€😀"`, "é€😀"},                     // raw UTF-8
		{"\"\xff\xfe bad\"", "\xff\xfe bad"}, // invalid UTF-8 passes through
		{`"mixed \"q\" and \u00e9 end"`, `mixed "q" and é end`},
	}
	for _, tt := range tests {
		v, err := readOne(tt.in, (*Reader).String)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, v, tt.in)
	}
}

func TestEscapedKey(t *testing.T) {
	var r Reader
	r.Reset(`{"Request\u0049d":"x","a\"b":1}`)
	require.True(t, r.Object())
	key, ok := r.Member()
	require.True(t, ok)
	assert.Equal(t, "RequestId", key)
	assert.Equal(t, "x", r.String())
	key, ok = r.Member()
	require.True(t, ok)
	assert.Equal(t, `a"b`, key)
	assert.Equal(t, int64(1), r.Int())
	_, ok = r.Member()
	assert.False(t, ok)
	r.End()
	assert.NoError(t, r.Err())
}

// isSubstring reports whether s shares memory with data.
func isSubstring(s, data string) bool {
	if len(s) == 0 {
		return true
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	d := uintptr(unsafe.Pointer(unsafe.StringData(data)))
	return p >= d && p+uintptr(len(s)) <= d+uintptr(len(data))
}

func TestStringsAreSubstrings(t *testing.T) {
	data := `{"Key":"value","Num":-1.5e3,"Esc":"a\nb"}`
	var r Reader
	r.Reset(data)
	require.True(t, r.Object())
	key, _ := r.Member()
	assert.True(t, isSubstring(key, data))
	v := r.String()
	assert.Equal(t, "value", v)
	assert.True(t, isSubstring(v, data))
	r.Member()
	v = r.String()
	assert.Equal(t, "-1.5e3", v)
	assert.True(t, isSubstring(v, data))
	r.Member()
	v = r.String()
	assert.Equal(t, "a\nb", v)
	assert.False(t, isSubstring(v, data), "an escaped string is a copy")
	r.Member()
	r.End()
	require.NoError(t, r.Err())
}

func TestNoAllocations(t *testing.T) {
	data := readBody(t, "describe_license_order_details.json")
	var r Reader
	var o order
	allocs := testing.AllocsPerRun(200, func() {
		r.Reset(data)
		o = decodeOrder(&r)
		r.End()
	})
	require.NoError(t, r.Err())
	assert.Equal(t, "239618016570503", o.AliyunOrderID)
	assert.Zero(t, allocs)

	// A flat object of every scalar kind, read through every value method.
	flat := `{"s":"text","i":12,"si":" 34 ","b":true,"sb":"TRUE","n":null,"f":1.5,"x":{"y":[1,"2",{}]}}`
	allocs = testing.AllocsPerRun(200, func() {
		r.Reset(flat)
		if r.Object() {
			for key, ok := r.Member(); ok; key, ok = r.Member() {
				switch key {
				case "s", "f":
					_ = r.String()
				case "i", "si", "n":
					_ = r.Int()
				case "b", "sb":
					_ = r.Bool()
				default:
					r.Skip()
				}
			}
		}
		r.End()
	})
	require.NoError(t, r.Err())
	assert.Zero(t, allocs)

	allocs = testing.AllocsPerRun(200, func() {
		if _, ok := Time("2024-10-16 16:46:20\n"); !ok {
			panic("bad time")
		}
	})
	assert.Zero(t, allocs)
}

func TestWhiteSpaceEverywhere(t *testing.T) {
	data := " \t\r\n{ \n\"a\" \t: \r\n[ 1 , \"x\" , { } , [ ] , null ] ,\n\"b\"  :  { \"c\" : true }  } \n\t "
	var r Reader
	r.Reset(data)
	require.True(t, r.Object())
	key, ok := r.Member()
	require.True(t, ok)
	assert.Equal(t, "a", key)
	require.True(t, r.Array())
	var got []string
	for r.Next() {
		switch len(got) {
		case 2:
			require.True(t, r.Object())
			_, ok := r.Member()
			require.False(t, ok)
			got = append(got, "{}")
		case 3:
			require.True(t, r.Array())
			require.False(t, r.Next())
			got = append(got, "[]")
		default:
			got = append(got, r.String())
		}
	}
	assert.Equal(t, []string{"1", "x", "{}", "[]", ""}, got)
	key, ok = r.Member()
	require.True(t, ok)
	assert.Equal(t, "b", key)
	r.Skip()
	_, ok = r.Member()
	require.False(t, ok)
	r.End()
	require.NoError(t, r.Err())

	r.Reset(data)
	r.Skip()
	r.End()
	require.NoError(t, r.Err())
}

func TestEmptyContainers(t *testing.T) {
	var r Reader
	r.Reset(`{}`)
	require.True(t, r.Object())
	_, ok := r.Member()
	assert.False(t, ok)
	r.End()
	assert.NoError(t, r.Err())

	r.Reset(`{"Items":[]}`)
	require.True(t, r.Object())
	_, ok = r.Member()
	require.True(t, ok)
	require.True(t, r.Array())
	assert.False(t, r.Next())
	_, ok = r.Member()
	assert.False(t, ok)
	r.End()
	assert.NoError(t, r.Err())

	r.Reset(`{"Items":null}`)
	require.True(t, r.Object())
	r.Member()
	assert.False(t, r.Array())
	_, ok = r.Member()
	assert.False(t, ok)
	r.End()
	assert.NoError(t, r.Err())
}

// syntaxErr returns err as a *SyntaxError, failing the test otherwise.
func syntaxErr(t *testing.T, err error) *SyntaxError {
	t.Helper()
	var se *SyntaxError
	require.Truef(t, errors.As(err, &se), "want a *SyntaxError, got %v", err)
	return se
}

func TestSyntaxErrorOffsets(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{``, 0, msgEOF},
		{`   `, 3, msgEOF},
		{`{`, 1, msgEOF},
		{`{"a"`, 4, msgEOF},
		{`{"a":`, 5, msgEOF},
		{`{"a":1`, 6, msgEOF},
		{`{"a":1,`, 7, msgEOF},
		{`{"a`, 3, msgEOF},
		{`{"a":"\`, 7, msgEOF},
		{`{"a":"\u12`, 10, msgEOF},
		{`{"a":tru`, 8, msgEOF},
		{`{"a":-`, 6, msgEOF},
		{`{"a":1.`, 7, msgEOF},
		{`{"a":1e`, 7, msgEOF},
		{`{a:1}`, 1, msgKey},
		{`{"a" 1}`, 5, msgColon},
		{`{"a":1 "b":2}`, 7, msgObjectSep},
		{`{"a":1,}`, 7, msgKey},
		{`{,}`, 1, msgKey},
		{`{"a":}`, 5, msgValue},
		{`{"a":1]`, 6, msgObjectSep},
		{`{"a":[1}`, 7, msgArraySep},
		{`{"a":[1,]}`, 8, msgValue},
		{`{"a":[,1]}`, 6, msgValue},
		{`{"a":tru}`, 8, msgLiteral},
		{`{"a":nul}`, 8, msgLiteral},
		{`{"a":True}`, 5, msgValue},
		{`{"a":01}`, 6, msgObjectSep},
		{`{"a":+1}`, 5, msgValue},
		{`{"a":.5}`, 5, msgValue},
		{`{"a":1.e5}`, 7, msgNumber},
		{`{"a":1e+}`, 8, msgNumber},
		{`{"a":-x}`, 6, msgNumber},
		{`{"a":"\x"}`, 6, msgEscape},
		{`{"a":"\u12G4"}`, 6, msgEscape},
		{`{"a":"\U1234"}`, 6, msgEscape},
		{"{\"a\":\"x\ny\"}", 7, msgControl},
		{"{\"a\":\"\t\"}", 6, msgControl},
		{`{"a":1}}`, 7, msgTrailing},
		{`{"a":1} x`, 8, msgTrailing},
		{`{"a":1}{}`, 7, msgTrailing},
		{"\ufeff{}", 0, msgValue}, // a byte order mark is not JSON
		{`{"a":'x'}`, 5, msgValue},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var r Reader
			r.Reset(tt.in)
			r.Skip()
			r.End()
			se := syntaxErr(t, r.Err())
			assert.Equal(t, tt.msg, se.Msg)
			assert.Equal(t, tt.offset, se.Offset)

			// Reading member by member meets the same error.
			r.Reset(tt.in)
			walk(&r, 0)
			r.End()
			se = syntaxErr(t, r.Err())
			assert.Equal(t, tt.msg, se.Msg)
			assert.Equal(t, tt.offset, se.Offset)
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	var r Reader
	r.Reset(`{"password":"x" "more"}`)
	r.Skip()
	require.Error(t, r.Err())
	assert.Equal(t, "jsonread: syntax error at offset 16: "+msgObjectSep, r.Err().Error())
}

func TestErrorsAreSticky(t *testing.T) {
	var r Reader
	r.Reset(`{"a":{},"b":"x","c":2,"d":true,"e":[1]}`)
	require.True(t, r.Object())
	r.Member()
	assert.Zero(t, r.Int()) // an object: TypeError
	first := r.Err()
	require.Error(t, first)
	_, ok := r.Member()
	assert.False(t, ok)
	assert.Equal(t, "", r.String())
	assert.Zero(t, r.Int())
	assert.False(t, r.Bool())
	assert.False(t, r.Object())
	assert.False(t, r.Array())
	assert.False(t, r.Next())
	r.Skip()
	r.End()
	assert.Same(t, first, r.Err())

	r.Reset(`{}`)
	assert.NoError(t, r.Err(), "Reset forgets the error")
}

func TestMisuse(t *testing.T) {
	var r Reader
	r.Reset(`[1]`)
	require.True(t, r.Array())
	_, ok := r.Member()
	assert.False(t, ok)
	assert.Equal(t, msgNotInObject, syntaxErr(t, r.Err()).Msg)

	r.Reset(`{"a":1}`)
	require.True(t, r.Object())
	assert.False(t, r.Next())
	assert.Equal(t, msgNotInArray, syntaxErr(t, r.Err()).Msg)

	r.Reset(`{"a":1}`)
	_, ok = r.Member() // no Object first
	assert.False(t, ok)
	assert.Equal(t, msgNotInObject, syntaxErr(t, r.Err()).Msg)

	r.Reset(`{"a":1,"b":2}`)
	require.True(t, r.Object())
	r.Member()
	r.Int()
	r.End() // the object is still open
	assert.Equal(t, msgUnclosed, syntaxErr(t, r.Err()).Msg)

	r.Reset(`{"a":1,"b":2}`)
	require.True(t, r.Object())
	r.Member()
	_, ok = r.Member() // value not consumed
	assert.False(t, ok)
	assert.Equal(t, msgObjectSep, syntaxErr(t, r.Err()).Msg)

	var zero Reader // not Reset: reads an empty document
	assert.False(t, zero.Object())
	assert.Equal(t, msgEOF, syntaxErr(t, zero.Err()).Msg)
}

func TestNestingLimit(t *testing.T) {
	nested := func(n int, open, closing string) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(closing, n)
	}
	for _, c := range []struct{ open, closing string }{{"[", "]"}, {`{"a":`, "}"}} {
		var r Reader
		r.Reset(nested(maxDepth, c.open, c.closing))
		r.Skip()
		r.End()
		assert.NoError(t, r.Err(), "depth %d is allowed", maxDepth)

		r.Reset(nested(maxDepth+1, c.open, c.closing))
		r.Skip()
		se := syntaxErr(t, r.Err())
		assert.Equal(t, msgTooDeep, se.Msg)
		assert.Equal(t, maxDepth*len(c.open), se.Offset)

		// The limit counts the containers opened with Object and Array too.
		r.Reset(nested(maxDepth+1, c.open, c.closing))
		walk(&r, 0)
		assert.Equal(t, msgTooDeep, syntaxErr(t, r.Err()).Msg)
	}

	// A huge nesting is rejected quickly, without recursion.
	var r Reader
	r.Reset(strings.Repeat("[", 1<<20))
	r.Skip()
	assert.Equal(t, msgTooDeep, syntaxErr(t, r.Err()).Msg)

	// Depth is counted per document: siblings do not add up.
	r.Reset("[" + strings.Repeat(nested(maxDepth-1, "[", "]")+",", 100) + "1]")
	r.Skip()
	r.End()
	assert.NoError(t, r.Err())
}

func TestTruncatedPrefixes(t *testing.T) {
	bodies := []string{
		readBody(t, "describe_license_orders.json"),
		readBody(t, "describe_activation_code_details.json"),
		readBody(t, "error_access_denied.json"),
		`{"a":[1,-2.5e+3,true,false,null,"\u00e9\ud83d\ude00\n",{"b":[]}],"c":{}}`,
	}
	for _, body := range bodies {
		body = strings.TrimRight(body, " \t\r\n")
		for n := 0; n < len(body); n++ {
			prefix := body[:n]
			for _, read := range []func(*Reader){
				func(r *Reader) { r.Skip() },
				func(r *Reader) { walk(r, 0) },
				func(r *Reader) { var l orderList; decodeOrderList(r, &l) },
			} {
				var r Reader
				r.Reset(prefix)
				require.NotPanics(t, func() { read(&r); r.End() })
				require.Errorf(t, r.Err(), "prefix %q", prefix)
			}
		}
		var r Reader
		r.Reset(body)
		r.Skip()
		r.End()
		require.NoError(t, r.Err())
	}
}
