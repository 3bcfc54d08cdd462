package jsonread

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-10-16 16:46:20", utc(2024, 10, 16, 16, 46, 20, 0), true},
		{"2024-10-16 16:46:20\n", utc(2024, 10, 16, 16, 46, 20, 0), true},
		{" \t2024-10-16 16:46:20\r\n", utc(2024, 10, 16, 16, 46, 20, 0), true},
		{"2054-10-09 16:46:20", utc(2054, 10, 9, 16, 46, 20, 0), true},
		{"2024-02-29 00:00:00", utc(2024, 2, 29, 0, 0, 0, 0), true},
		{"2000-02-29 23:59:59", utc(2000, 2, 29, 23, 59, 59, 0), true},
		{"0000-01-01 00:00:00", utc(0, 1, 1, 0, 0, 0, 0), true},
		{"9999-12-31 23:59:59", utc(9999, 12, 31, 23, 59, 59, 0), true},
		{"2024-10-16 16:46:20.25", utc(2024, 10, 16, 16, 46, 20, 250000000), true},
		{"2024-10-16T16:46:20", utc(2024, 10, 16, 16, 46, 20, 0), true},
		{"2024-10-16T16:46:20Z", utc(2024, 10, 16, 16, 46, 20, 0), true},
		{"2024-10-16T16:46:20.5Z", utc(2024, 10, 16, 16, 46, 20, 500000000), true},
		{"2024-10-16T16:46:20+08:00", utc(2024, 10, 16, 8, 46, 20, 0), true},
		{"2024-10-16T00:46:20-01:30", utc(2024, 10, 16, 2, 16, 20, 0), true},
		{"", time.Time{}, true},
		{" \n", time.Time{}, true},
		// Unparseable.
		{"2024-10-16", time.Time{}, false},
		{"2024-10-16 16:46", time.Time{}, false},
		{"2024-13-01 00:00:00", time.Time{}, false},
		{"2024-00-01 00:00:00", time.Time{}, false},
		{"2023-02-29 00:00:00", time.Time{}, false},
		{"1900-02-29 00:00:00", time.Time{}, false},
		{"2024-04-31 00:00:00", time.Time{}, false},
		{"2024-10-00 00:00:00", time.Time{}, false},
		{"2024-10-16 24:00:00", time.Time{}, false},
		{"2024-10-16 23:60:00", time.Time{}, false},
		{"2024-10-16 23:59:60", time.Time{}, false},
		{"2024/10/16 16:46:20", time.Time{}, false},
		{"2024-10-16x16:46:20", time.Time{}, false},
		{"2024-1a-16 16:46:20", time.Time{}, false},
		{"+024-10-16 16:46:20", time.Time{}, false},
		{"2024-10-16 16:46:2 ", time.Time{}, false},
		{"2024-10-16 16:46:20 extra", time.Time{}, false},
		{"2024-10-16T16:46:20+0800", time.Time{}, false},
		{"2024-10-16T16:46:20z0", time.Time{}, false},
		{"1729097180", time.Time{}, false},
		{"yesterday", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := Time(tt.in)
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
		assert.True(t, tt.want.Equal(got), "%q: got %v, want %v", tt.in, got, tt.want)
		assert.Equal(t, time.UTC, got.Location(), "%q", tt.in)
	}
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"2024-10-16 16:46:20", "2024-10-16T16:46:20Z", "2024-10-16T16:46:20+08:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Time(s)
		if !ok && !got.IsZero() {
			t.Fatalf("Time(%q) = %v, false: want the zero time", s, got)
		}
		// What Time accepts in the fixed-width form, time.Parse reads alike
		// (time.Parse is laxer: it takes " 0:00:00" for an hour, for one).
		if trimmed := trimSpace(s); ok && len(trimmed) == 19 && trimmed[10] == ' ' {
			want, err := time.Parse(time.DateTime, trimmed)
			if err != nil || !want.Equal(got) {
				t.Fatalf("Time(%q) = %v; time.Parse: %v, %v", s, got, want, err)
			}
		}
	})
}

// TestFixedTimeIsTimeDate: the fixed-width forms give, to the bit, the Time
// time.Date gives, for every day of years around each kind of leap rule and
// the ends of the four-digit range, at the day's ends.
func TestFixedTimeIsTimeDate(t *testing.T) {
	for _, year := range []int{0, 1, 4, 99, 100, 400, 1600, 1899, 1900, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 2400, 9999} {
		for day := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() == year; day = day.AddDate(0, 0, 1) {
			for _, clock := range [][3]int{{0, 0, 0}, {23, 59, 59}, {8, 0, 1}} {
				want := time.Date(year, day.Month(), day.Day(), clock[0], clock[1], clock[2], 0, time.UTC)
				s := fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", year, day.Month(), day.Day(), clock[0], clock[1], clock[2])
				got, ok := Time(s)
				if !ok || got != want {
					t.Fatalf("%s: %#v %v, want %#v", s, got, ok, want)
				}
			}
		}
	}
}

func TestWallSecondsAgreesWithTime(t *testing.T) {
	for _, s := range []string{
		"2022-02-11 03:14:15", "1970-01-01 00:00:00", "2000-02-29 23:59:59", "0001-01-01 00:00:00",
		"9999-12-31 23:59:59", "1969-12-31 23:59:59",
	} {
		secs, ok := WallSeconds(s)
		want, wok := Time(s)
		if !ok || !wok || secs != want.Unix() {
			t.Errorf("WallSeconds(%q) = %d, %v; Time gives %v, %v", s, secs, ok, want, wok)
		}
	}
	// Not the usual form: left to Time.
	for _, s := range []string{
		"", "2022-02-11T03:14:15", "2022-02-11 03:14:15 ", " 2022-02-11 03:14:15", "2022-02-11 03:14:15Z",
		"2022-02-30 03:14:15", "2022-02-11 24:00:00", "2022-02-11 03:14:1x", "2022-02-11 03:14:15.5",
	} {
		if secs, ok := WallSeconds(s); ok {
			t.Errorf("WallSeconds(%q) = %d, true; want false", s, secs)
		}
	}
}
