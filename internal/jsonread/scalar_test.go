package jsonread

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readOne reads the single value in input with read and checks that the whole
// input was consumed when there was no error.
func readOne[T any](input string, read func(*Reader) T) (T, error) {
	var r Reader
	r.Reset(input)
	v := read(&r)
	r.End()
	return v, r.Err()
}

// typeErrGot returns the Got word of err, which must be a *TypeError.
func typeErrGot(t *testing.T, err error) string {
	t.Helper()
	var te *TypeError
	require.Truef(t, errors.As(err, &te), "want a *TypeError, got %v", err)
	return te.Got
}

func TestIntConversions(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		got  string // Got of the TypeError; "" when accepted
	}{
		// JSON integers.
		{`0`, 0, ""},
		{`12`, 12, ""},
		{`-12`, -12, ""},
		{`-0`, 0, ""},
		{`9223372036854775807`, math.MaxInt64, ""},
		{`-9223372036854775808`, math.MinInt64, ""},
		{`  42  `, 42, ""},
		// Numbers with a zero fraction or an integral exponent.
		{`3.0`, 3, ""},
		{`3.000`, 3, ""},
		{`1e2`, 100, ""},
		{`1E+2`, 100, ""},
		{`1e0`, 1, ""},
		{`2500e-2`, 25, ""},
		{`1000e-3`, 1, ""},
		{`10.50e1`, 105, ""},
		{`0.05e2`, 5, ""},
		{`0.0`, 0, ""},
		{`0e99999999999999999999`, 0, ""},
		{`-0.0e-5`, 0, ""},
		{`9.223372036854775807e18`, math.MaxInt64, ""},
		{`-9.223372036854775808e18`, math.MinInt64, ""},
		{`922337203685477580.7e1`, math.MaxInt64, ""},
		{`1e18`, 1000000000000000000, ""},
		// Strings holding integers.
		{`"12"`, 12, ""},
		{`" 12 "`, 12, ""},
		{`"\t-7\n"`, -7, ""},
		{`"+7"`, 7, ""},
		{`"007"`, 7, ""},
		{`"3.0"`, 3, ""},
		{`"1e3"`, 1000, ""},
		{`"\u0031\u0032"`, 12, ""},
		{`"9223372036854775807"`, math.MaxInt64, ""},
		{`"-9223372036854775808"`, math.MinInt64, ""},
		// Null and empty strings.
		{`null`, 0, ""},
		{`""`, 0, ""},
		{`"   "`, 0, ""},
		// Rejected: overflow.
		{`9223372036854775808`, 0, "number"},
		{`-9223372036854775809`, 0, "number"},
		{`18446744073709551616`, 0, "number"},
		{`99999999999999999999999`, 0, "number"},
		{`1e19`, 0, "number"},
		{`1e99999999999999999999`, 0, "number"},
		{`"9223372036854775808"`, 0, "string"},
		// Rejected: fractions.
		{`1.5`, 0, "number"},
		{`-0.1`, 0, "number"},
		{`1e-1`, 0, "number"},
		{`15e-1`, 0, "number"},
		{`1e-99999999999999999999`, 0, "number"},
		{`"1.5"`, 0, "string"},
		// Rejected: strings that are not numbers.
		{`"abc"`, 0, "string"},
		{`"12abc"`, 0, "string"},
		{`"1 2"`, 0, "string"},
		{`"0x10"`, 0, "string"},
		{`"1."`, 0, "string"},
		{`".5"`, 0, "string"},
		{`"-"`, 0, "string"},
		{`"+"`, 0, "string"},
		{`"1e"`, 0, "string"},
		{`"NaN"`, 0, "string"},
		{`"Infinity"`, 0, "string"},
		{`"١٢"`, 0, "string"}, // Arabic-Indic digits
		// Rejected: other kinds.
		{`true`, 0, "bool"},
		{`false`, 0, "bool"},
		{`{}`, 0, "object"},
		{`[]`, 0, "array"},
		{`{"a":1}`, 0, "object"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := readOne(tt.in, (*Reader).Int)
			if tt.got == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, v)
				return
			}
			assert.Equal(t, tt.got, typeErrGot(t, err))
			assert.Zero(t, v)
			assert.Equal(t, "int64", err.(*TypeError).Want)
		})
	}
}

func TestBoolConversions(t *testing.T) {
	tests := []struct {
		in   string
		want bool
		got  string
	}{
		{`true`, true, ""},
		{`false`, false, ""},
		{`"true"`, true, ""},
		{`"false"`, false, ""},
		{`"TRUE"`, true, ""},
		{`"False"`, false, ""},
		{`" tRuE\n"`, true, ""},
		{`"1"`, true, ""},
		{`"0"`, false, ""},
		{`" 1 "`, true, ""},
		{`1`, true, ""},
		{`0`, false, ""},
		{`-0`, false, ""},
		{`1.0`, true, ""},
		{`1e0`, true, ""},
		{`null`, false, ""},
		{`""`, false, ""},
		{`" "`, false, ""},
		// Rejected.
		{`2`, false, "number"},
		{`-1`, false, "number"},
		{`0.5`, false, "number"},
		{`1e400`, false, "number"},
		{`"yes"`, false, "string"},
		{`"no"`, false, "string"},
		{`"t"`, false, "string"},
		{`"2"`, false, "string"},
		{`"01"`, false, "string"},
		{`"1.0"`, false, "string"},
		{`"truex"`, false, "string"},
		{`{}`, false, "object"},
		{`[true]`, false, "array"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := readOne(tt.in, (*Reader).Bool)
			if tt.got == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, v)
				return
			}
			assert.Equal(t, tt.got, typeErrGot(t, err))
			assert.False(t, v)
			assert.Equal(t, "bool", err.(*TypeError).Want)
		})
	}
}

func TestStringConversions(t *testing.T) {
	tests := []struct {
		in   string
		want string
		got  string
	}{
		{`"abc"`, "abc", ""},
		{`""`, "", ""},
		{`" padded "`, " padded ", ""}, // strings are not trimmed
		{`12`, "12", ""},
		{`-1.50`, "-1.50", ""},
		{`1E+3`, "1E+3", ""},
		{`true`, "true", ""},
		{`false`, "false", ""},
		{`null`, "", ""},
		{`{}`, "", "object"},
		{`{"a":"b"}`, "", "object"},
		{`[]`, "", "array"},
		{`["a"]`, "", "array"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := readOne(tt.in, (*Reader).String)
			if tt.got == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, v)
				return
			}
			assert.Equal(t, tt.got, typeErrGot(t, err))
			assert.Empty(t, v)
			assert.Equal(t, "string", err.(*TypeError).Want)
		})
	}
}

func TestObjectArrayKinds(t *testing.T) {
	for _, tt := range []struct {
		in  string
		got string // "" for null: false without error
	}{
		{`null`, ""},
		{`"x"`, "string"},
		{`1`, "number"},
		{`true`, "bool"},
		{`[]`, "array"},
	} {
		var r Reader
		r.Reset(tt.in)
		assert.False(t, r.Object(), tt.in)
		if tt.got == "" {
			r.End()
			assert.NoError(t, r.Err(), tt.in)
		} else {
			assert.Equal(t, tt.got, typeErrGot(t, r.Err()), tt.in)
			assert.Equal(t, "object", r.Err().(*TypeError).Want)
		}
	}
	for _, tt := range []struct {
		in  string
		got string
	}{
		{`null`, ""},
		{`"x"`, "string"},
		{`-1`, "number"},
		{`false`, "bool"},
		{`{}`, "object"},
	} {
		var r Reader
		r.Reset(tt.in)
		assert.False(t, r.Array(), tt.in)
		if tt.got == "" {
			r.End()
			assert.NoError(t, r.Err(), tt.in)
		} else {
			assert.Equal(t, tt.got, typeErrGot(t, r.Err()), tt.in)
			assert.Equal(t, "array", r.Err().(*TypeError).Want)
		}
	}
}

func TestTypeErrorHidesValue(t *testing.T) {
	var r Reader
	r.Reset(`{"Secret": "hunter2-secret-value"}`)
	require.True(t, r.Object())
	_, ok := r.Member()
	require.True(t, ok)
	r.Int()
	err := r.Err()
	require.Error(t, err)
	assert.Equal(t, &TypeError{Offset: 11, Want: "int64", Got: "string"}, err)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.Equal(t, "jsonread: cannot read string at offset 11 as int64", err.Error())
}
