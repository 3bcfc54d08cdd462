package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Output. Every command writes its result to stdout in one of three formats
// (-o): table for people, json and csv for scripts. JSON and CSV are stable:
// lower_snake_case keys (the CSV header row holds the JSON keys, in the same
// order), times in RFC 3339 in UTC (null in JSON and empty in CSV when
// unknown), a JSON array for a list and an object for a single item. Tables
// show times in the local zone to the minute and may change between
// versions. No format ever holds a license (CertContentB64).
//
// Text from the service is not trusted to be harmless. A table cell (and an
// error line) shows control characters (C0, DEL, C1), line and paragraph
// separators, bidirectional controls (U+200E, U+200F, U+061C, U+202A to
// U+202E, U+2066 to U+2069) and bytes that are not UTF-8 as escapes
// (\t, \n, \r, \x1b, \u202e, \xff), so that nothing can move the cursor,
// recolour the terminal or reorder what is shown. A CSV text cell that a
// spreadsheet would take for a formula (one starting with =, +, -, @, a tab
// or a carriage return) gets a leading ' (OWASP's advice), so that it is
// shown as text: a reader of the CSV who wants the value drops that one
// quote. Only text cells are escaped: numbers, booleans and times are the
// tool's own and are written as they are, so a negative number stays a
// number. JSON is never altered.

// outputFormat is a value of -o.
type outputFormat string

const (
	formatTable outputFormat = "table"
	formatJSON  outputFormat = "json"
	formatCSV   outputFormat = "csv"
)

// timestamp is a time in the output.
type timestamp time.Time

// MarshalJSON writes RFC 3339 in UTC, or null for the zero time.
func (t timestamp) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.text())
}

// text is the CSV form: RFC 3339 in UTC, or "".
func (t timestamp) text() string {
	if time.Time(t).IsZero() {
		return ""
	}
	return time.Time(t).UTC().Format(time.RFC3339)
}

// table is the table form: local time to the minute with its UTC offset
// (the zone's abbreviation can be ambiguous: CST), or "-".
func (t timestamp) table() string {
	if time.Time(t).IsZero() {
		return "-"
	}
	return time.Time(t).Local().Format("2006-01-02 15:04 -07:00")
}

// orderRecord is a license order in the output.
type orderRecord struct {
	AliyunOrderID              string    `json:"aliyun_order_id"`
	VirtualAliyunOrderID       string    `json:"virtual_aliyun_order_id"`
	Engine                     string    `json:"engine"`
	PackageType                string    `json:"package_type"`
	PackageValidity            string    `json:"package_validity"`
	PurchaseChannel            string    `json:"purchase_channel"`
	ActivationCodeQuota        int       `json:"activation_code_quota"`
	ActivatedCodeCount         int       `json:"activated_code_count"`
	RemainingQuota             int       `json:"remaining_quota"`
	AllowEmptySystemIdentifier bool      `json:"allow_empty_system_identifier"`
	IsVirtualOrder             bool      `json:"is_virtual_order"`
	IsVirtualOrderFrozen       bool      `json:"is_virtual_order_frozen"`
	GmtCreated                 timestamp `json:"gmt_created"`
	GmtModified                timestamp `json:"gmt_modified"`
}

func newOrderRecord(o *polarlicense.LicenseOrder) orderRecord {
	return orderRecord{
		AliyunOrderID:              o.AliyunOrderID,
		VirtualAliyunOrderID:       o.VirtualAliyunOrderID,
		Engine:                     string(o.Engine),
		PackageType:                string(o.PackageType),
		PackageValidity:            o.PackageValidity,
		PurchaseChannel:            string(o.PurchaseChannel),
		ActivationCodeQuota:        o.ActivationCodeQuota,
		ActivatedCodeCount:         o.ActivatedCodeCount,
		RemainingQuota:             o.RemainingQuota(),
		AllowEmptySystemIdentifier: o.AllowEmptySystemIdentifier,
		IsVirtualOrder:             o.IsVirtualOrder,
		IsVirtualOrderFrozen:       o.IsVirtualOrderFrozen,
		GmtCreated:                 timestamp(o.GmtCreated),
		GmtModified:                timestamp(o.GmtModified),
	}
}

// virtualState says in a word whether an order is virtual, and frozen.
func virtualState(virtual, frozen bool) string {
	switch {
	case virtual && frozen:
		return "frozen"
	case virtual:
		return "yes"
	}
	return "no"
}

var orderTable = []tableColumn[orderRecord]{
	{"ORDER ID", func(r *orderRecord) string { return r.AliyunOrderID }},
	{"ENGINE", func(r *orderRecord) string { return r.Engine }},
	{"PACKAGE", func(r *orderRecord) string { return r.PackageType }},
	{"VALIDITY", func(r *orderRecord) string { return r.PackageValidity }},
	{"CHANNEL", func(r *orderRecord) string { return r.PurchaseChannel }},
	{"QUOTA", func(r *orderRecord) string { return strconv.Itoa(r.ActivationCodeQuota) }},
	{"USED", func(r *orderRecord) string { return strconv.Itoa(r.ActivatedCodeCount) }},
	{"LEFT", func(r *orderRecord) string { return strconv.Itoa(r.RemainingQuota) }},
	{"VIRTUAL", func(r *orderRecord) string { return virtualState(r.IsVirtualOrder, r.IsVirtualOrderFrozen) }},
	{"CREATED", func(r *orderRecord) string { return r.GmtCreated.table() }},
}

// codeRecord is an activation code in the output, without its license.
type codeRecord struct {
	AliyunOrderID    string    `json:"aliyun_order_id"`
	ID               int64     `json:"id"`
	Name             string    `json:"name"`
	Description      string    `json:"description"`
	MacAddress       string    `json:"mac_address"`
	SystemIdentifier string    `json:"system_identifier"`
	ActivateAt       timestamp `json:"activate_at"`
	ExpireAt         timestamp `json:"expire_at"`
	GmtCreated       timestamp `json:"gmt_created"`
	GmtModified      timestamp `json:"gmt_modified"`
}

func newCodeRecord(orderID string, c *polarlicense.ActivationCode) codeRecord {
	return codeRecord{
		AliyunOrderID:    orderID,
		ID:               c.ID,
		Name:             c.Name,
		Description:      c.Description,
		MacAddress:       c.MacAddress,
		SystemIdentifier: c.SystemIdentifier,
		ActivateAt:       timestamp(c.ActivateAt),
		ExpireAt:         timestamp(c.ExpireAt),
		GmtCreated:       timestamp(c.GmtCreated),
		GmtModified:      timestamp(c.GmtModified),
	}
}

var codeTable = []tableColumn[codeRecord]{
	{"ID", func(r *codeRecord) string { return strconv.FormatInt(r.ID, 10) }},
	{"NAME", func(r *codeRecord) string { return r.Name }},
	{"MAC ADDRESS", func(r *codeRecord) string { return r.MacAddress }},
	{"SYSTEM ID", func(r *codeRecord) string { return orDash(r.SystemIdentifier) }},
	{"ACTIVATED", func(r *codeRecord) string { return r.ActivateAt.table() }},
	{"EXPIRES", func(r *codeRecord) string { return r.ExpireAt.table() }},
	{"DESCRIPTION", func(r *codeRecord) string { return orDash(r.Description) }},
}

// licenseRecord is what license write did.
type licenseRecord struct {
	AliyunOrderID    string `json:"aliyun_order_id"`
	ActivationCodeID int64  `json:"activation_code_id"`
	Path             string `json:"path"`
	Bytes            int    `json:"bytes"`
	SHA256           string `json:"sha256"`
	Mode             string `json:"mode"`
	// Written is false when the file already held this license.
	Written bool `json:"written"`
}

// tableColumn is a column of a table: its title and how to write a row's cell.
type tableColumn[T any] struct {
	title string
	value func(*T) string
}

// emitList writes a list in the run's format.
func emitList[T any](a *app, rows []T, cols []tableColumn[T]) error {
	if rows == nil {
		rows = []T{}
	}
	switch a.format {
	case formatJSON:
		return writeJSON(a.stdout, rows)
	case formatCSV:
		return writeCSV(a.stdout, rows)
	}
	return writeTable(a.stdout, cols, rows)
}

// emitItem writes one item in the run's format; the table form lists its
// fields one a line.
func emitItem[T any](a *app, item T) error {
	switch a.format {
	case formatJSON:
		return writeJSON(a.stdout, item)
	case formatCSV:
		return writeCSV(a.stdout, []T{item})
	}
	return writeFields(a.stdout, item)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func writeTable[T any](w io.Writer, cols []tableColumn[T], rows []T) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	fmt.Fprintln(tw, strings.Join(titles, "\t"))
	cells := make([]string, len(cols))
	for i := range rows {
		for j, c := range cols {
			cells[j] = escapeText(c.value(&rows[i]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// field is one field of a record: its key (its JSON name) and its value.
type field struct {
	key string
	v   reflect.Value
}

// fieldsOf returns a record's fields in declaration order. Records hold
// strings, integers, booleans, floats, timestamps, *int64 and []int64.
func fieldsOf(record any) []field {
	rv := reflect.ValueOf(record)
	rt := rv.Type()
	fields := make([]field, 0, rt.NumField())
	for i := range rt.NumField() {
		key, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if key == "" || key == "-" {
			continue
		}
		fields = append(fields, field{key: key, v: rv.Field(i)})
	}
	return fields
}

// cellText is a value's CSV form.
func cellText(v reflect.Value) string {
	if t, ok := v.Interface().(timestamp); ok {
		return t.text()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int64, reflect.Int32:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return cellText(v.Elem())
	case reflect.Slice: // a list of ids: one cell, separated by spaces
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = cellText(v.Index(i))
		}
		return strings.Join(parts, " ")
	}
	panic("polarlicense: no CSV form for " + v.Type().String())
}

// writeCSV writes a header row of the records' keys, then a row per record.
func writeCSV[T any](w io.Writer, rows []T) error {
	cw := csv.NewWriter(w)
	var zero T
	fields := fieldsOf(zero)
	row := make([]string, len(fields))
	for i, f := range fields {
		row[i] = f.key
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for _, r := range rows {
		for i, f := range fieldsOf(r) {
			row[i] = cellText(f.v)
			if f.v.Kind() == reflect.String {
				row[i] = csvText(row[i])
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeFields writes one record as "key  value" lines, times in table form.
func writeFields(w io.Writer, record any) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range fieldsOf(record) {
		val := cellText(f.v)
		if t, ok := f.v.Interface().(timestamp); ok {
			val = t.table()
		}
		fmt.Fprintf(tw, "%s\t%s\n", f.key, escapeText(orDash(val)))
	}
	return tw.Flush()
}

// csvText keeps a CSV text cell from being read as a formula: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading '.
func csvText(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// escapeText keeps a table cell (or an error line) on one line, its columns
// aligned and the terminal in its state. It writes control characters, line and paragraph separators,
// bidirectional controls and invalid UTF-8 as escapes: \t, \n and \r;
// \xNN for the other C0 controls, DEL and bytes that are not UTF-8;
// \uNNNN for C1 controls and the rest. Everything else is left as it is.
func escapeText(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if mustEscape(r, size) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s // the common case: nothing to escape, nothing allocated
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case !mustEscape(r, size):
			b.WriteString(s[i : i+size])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == utf8.RuneError || r < 0x80: // a byte that is not UTF-8, a C0 control or DEL
			const hexDigits = "0123456789abcdef"
			c := s[i]
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// mustEscape tells whether escapeText escapes a rune decoded with size.
func mustEscape(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1: // not UTF-8
		return true
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
