package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

func TestCSVTextCellsCarryNoFormula(t *testing.T) {
	type rec struct {
		Text   string  `json:"text"`
		Number int     `json:"number"`
		Float  float64 `json:"float"`
		Flag   bool    `json:"flag"`
	}
	cases := map[string]string{
		"=HYPERLINK(\"http://x\",\"y\")": "'=HYPERLINK(\"http://x\",\"y\")",
		"+1+1":                           "'+1+1",
		"-2+3":                           "'-2+3",
		"@SUM(A1)":                       "'@SUM(A1)",
		"\tx":                            "'\tx",
		"\rx":                            "'\rx",
		"plain":                          "plain",
		"a=b":                            "a=b",
		"":                               "",
		"'already":                       "'already",
	}
	for in, want := range cases {
		var b bytes.Buffer
		require.NoError(t, writeCSV(&b, []rec{{Text: in, Number: -5, Float: -1.5, Flag: true}}))
		_, rows := decodeCSV(t, b.String())
		require.Len(t, rows, 1)
		assert.Equal(t, want, rows[0]["text"], "text %q", in)
		// Numbers are the tool's own: a negative one stays a number.
		assert.Equal(t, "-5", rows[0]["number"])
		assert.Equal(t, "-1.5", rows[0]["float"])
		assert.Equal(t, "true", rows[0]["flag"])
	}
}

func TestEscapeText(t *testing.T) {
	cases := map[string]string{
		"plain text, ünïcödé 日本":   "plain text, ünïcödé 日本",
		"\x1b[31mred\x1b[0m":       `\x1b[31mred\x1b[0m`,
		"a\tb\nc\rd":               `a\tb\nc\rd`,
		"nul\x00del\x7f":           `nul\x00del\x7f`,
		"c1\u0085\u009b":           `c1\u0085\u009b`,
		"rlo\u202eexe.txt":         `rlo\u202eexe.txt`,
		"\u202a\u202b\u202c\u202d": `\u202a\u202b\u202c\u202d`,
		"\u2066\u2067\u2068\u2069": `\u2066\u2067\u2068\u2069`,
		"\u200e\u200f\u061c":       `\u200e\u200f\u061c`,
		"ls\u2028ps\u2029":         `ls\u2028ps\u2029`,
		"bad\xffutf8\xc3":          `bad\xffutf8\xc3`,
		"\ufffd is a real rune":    "\ufffd is a real rune",
	}
	for in, want := range cases {
		assert.Equal(t, want, escapeText(in), "%q", in)
	}
	s := "nothing to escape"
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = escapeText(s) }))
}

func hostileCodeServer(t *testing.T) (*polarlicensetest.Server, string) {
	t.Helper()
	order := polarlicensetest.DemoOrderPG
	srv := newServer(t, polarlicensetest.WithActivationCode(order, polarlicense.ActivationCode{
		ID: 900, Name: "-hostile", MacAddress: "00:16:3e:00:09:00",
		Description: "=HYPERLINK(\"http://evil\")\x1b]0;owned\x07\u202eexe.txt",
	}, polarlicense.CertContent{}))
	return srv, order
}

func TestCodesListCSVEscapesFormulas(t *testing.T) {
	t.Parallel()
	srv, order := hostileCodeServer(t)
	r := ok(t, runAt(t, srv, "codes", "list", order, "-o", "csv"))
	_, rows := decodeCSV(t, r.stdout)
	var found bool
	for _, row := range rows {
		if row["id"] != "900" {
			assert.False(t, strings.HasPrefix(row["name"], "'"), "an ordinary name is left as it is: %q", row["name"])
			continue
		}
		found = true
		assert.Equal(t, "'-hostile", row["name"])
		assert.Equal(t, "'=HYPERLINK(\"http://evil\")\x1b]0;owned\x07\u202eexe.txt", row["description"])
	}
	assert.True(t, found)

	// JSON is the data as it is.
	r = ok(t, runAt(t, srv, "codes", "list", order, "-o", "json"))
	assert.Contains(t, decodeJSON[[]codeRecord](t, r.stdout)[len(srv.Codes(order))-1].Description, "=HYPERLINK")
}

func TestTablesEscapeControlAndBidiCharacters(t *testing.T) {
	t.Parallel()
	srv, order := hostileCodeServer(t)
	for _, args := range [][]string{
		{"codes", "list", order},
		{"codes", "get", order, "900"},
	} {
		r := ok(t, runAt(t, srv, append(args, "-o", "table")...))
		assert.Contains(t, r.stdout, `=HYPERLINK("http://evil")\x1b]0;owned\x07\u202eexe.txt`, "%v", args)
		for _, c := range []string{"\x1b", "\x07", "\u202e"} {
			assert.NotContains(t, r.stdout, c, "%v", args)
		}
	}
}

func TestErrorLineEscapesWhatTheServiceSent(t *testing.T) {
	var b bytes.Buffer
	a := &app{stderr: &b}
	a.errorLine("the service refused the request: Bad: name \x1b[2J\u202e (HTTP 400)")
	assert.Equal(t, "polarlicense: the service refused the request: Bad: name \\x1b[2J\\u202e (HTTP 400)\n", b.String())
}

// A list of ids (a record's duplicates) is one cell: the ids separated by
// spaces, empty when there are none.
func TestCellTextOfIDs(t *testing.T) {
	assert.Equal(t, "12 14", cellText(reflect.ValueOf([]int64{12, 14})))
	assert.Equal(t, "", cellText(reflect.ValueOf([]int64(nil))))
	var b strings.Builder
	require.NoError(t, writeFields(&b, ensureRecord{Duplicates: []int64{7}}))
	assert.Regexp(t, `(?m)^duplicates\s+7$`, b.String())
}

// Every record the commands print has a table and a CSV form, whatever its
// fields hold: a field kind the writers do not know is a panic after the
// command's work is done.
func TestEveryRecordHasTableAndCSVForms(t *testing.T) {
	id := int64(3)
	for _, rec := range []any{
		orderRecord{}, codeRecord{}, licenseRecord{}, ensureRecord{Duplicates: []int64{4, 5}},
		fleetRecord{ActivationCodeID: &id, Duplicates: []int64{4}}, findingRecord{}, versionRecord{},
	} {
		require.NotPanics(t, func() {
			var b strings.Builder
			require.NoError(t, writeFields(&b, rec))
			for _, f := range fieldsOf(rec) {
				_ = cellText(f.v)
			}
		}, "%T", rec)
	}
}
