package jsonread

import "time"

// Time parses a time as the service writes it, after trimming surrounding
// ASCII white space (examples carry a trailing newline):
//
//   - "2006-01-02 15:04:05", the service's usual form, which carries no zone.
//     Time interprets it as UTC; which zone the service meant is for the
//     caller to decide (time.Date with the returned fields and another
//     location re-reads it). A fraction of a second after the seconds is
//     accepted too;
//   - "2006-01-02T15:04:05Z";
//   - RFC 3339 with a zone offset or a fraction of a second,
//     "2006-01-02T15:04:05.5+08:00".
//
// The result is always in UTC. An empty (or all white space) string gives the
// zero time and true; anything unparseable gives the zero time and false. The
// two fixed-width forms are parsed without allocating.
func Time(s string) (time.Time, bool) {
	s = trimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if len(s) == 19 && (s[10] == ' ' || s[10] == 'T') {
		return fixedTime(s)
	}
	if len(s) == 20 && s[10] == 'T' && s[19] == 'Z' {
		return fixedTime(s[:19])
	}
	if len(s) > 19 {
		layout := time.RFC3339Nano
		if s[10] == ' ' {
			layout = "2006-01-02 15:04:05" // accepts a fraction of a second
		}
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// fixedTime parses "YYYY-MM-DD?hh:mm:ss" (any separator at offset 10, already
// checked by the caller) as UTC.
func fixedTime(s string) (time.Time, bool) {
	if s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digitsAt(s, 0, 4)
	month, ok2 := digitsAt(s, 5, 2)
	day, ok3 := digitsAt(s, 8, 2)
	hour, ok4 := digitsAt(s, 11, 2)
	minute, ok5 := digitsAt(s, 14, 2)
	sec, ok6 := digitsAt(s, 17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	secs := daysSinceEpoch(year, month, day)*86400 + int64(hour*3600+minute*60+sec)
	return time.Unix(secs, 0).UTC(), true
}

// WallSeconds parses the service's usual form, exactly
// "YYYY-MM-DD hh:mm:ss" (19 bytes, no white space, no zone), and returns
// the seconds from 1970-01-01 00:00:00 to that wall time read as UTC. It
// reports false for anything else, which Time may still parse: it is the
// fast path of a caller that applies its own zone to zone-less times.
func WallSeconds(s string) (int64, bool) {
	if len(s) != 19 || s[10] != ' ' {
		return 0, false
	}
	t, ok := fixedTime(s)
	if !ok {
		return 0, false
	}
	return t.Unix(), true
}

// daysSinceEpoch returns the days from 1970-01-01 to the (valid) date year,
// month, day of the proleptic Gregorian calendar: the count of the
// calendar's days in whole 400-year eras (146097 days each) from a year
// that starts in March, so that the leap day ends a year. The Time built
// from it is the one time.Date gives, without time.Date's normalisation.
func daysSinceEpoch(year, month, day int) int64 {
	y := year
	if month <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400     // year of the era, 0 to 399
	mp := (month + 9) % 12 // month from March, 0 to 11
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy // day of the era
	return int64(era)*146097 + int64(doe) - 719468
}

// digitsAt parses the n decimal digits of s at offset i.
func digitsAt(s string, i, n int) (int, bool) {
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// daysIn returns the number of days in month of year (proleptic Gregorian).
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
