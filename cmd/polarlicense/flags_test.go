package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	good := map[string]time.Duration{
		"90d":    90 * day,
		"0d":     0,
		"0":      0,
		"1d12h":  day + 12*time.Hour,
		"36h":    36 * time.Hour,
		"1h30m":  90 * time.Minute,
		"500ms":  500 * time.Millisecond,
		" 7d ":   7 * day,
		"365d":   365 * day,
		"2d0.5h": 2*day + 30*time.Minute,
	}
	for in, want := range good {
		got, err := parseDuration(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range []string{"", "d", "90", "90days", "-1d", "-1h", "1.5d", "d12h", "1d-2h", "1dd", "99999999d", "soon"} {
		_, err := parseDuration(in)
		assert.Error(t, err, in)
	}
	// A negative duration is said to be one, not a malformed one.
	for _, in := range []string{"-1s", "-1d", " -5m", "1d-2h"} {
		_, err := parseDuration(in)
		assert.EqualError(t, err, "want a duration of zero or more, such as 90d, 36h or 1d12h", in)
	}
}

func TestDurationValue(t *testing.T) {
	t.Parallel()
	var v durationValue
	assert.Equal(t, "", v.String())
	assert.NoError(t, v.Set("90d"))
	assert.Equal(t, "90d", v.String())
	assert.Equal(t, 90*24*time.Hour, v.d)
	assert.Error(t, v.Set("x"))
	assert.Equal(t, "duration", v.Type())
}

func TestPercentValue(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"80%": 80, "80": 80, "1": 1, "100%": 100, "85.5%": 85.5} {
		var v percentValue
		if assert.NoError(t, v.Set(in), in) {
			assert.Equal(t, want, v.p, in)
		}
	}
	for _, in := range []string{"0", "0%", "100.1", "-5%", "x%", "", "%"} {
		var v percentValue
		assert.Error(t, v.Set(in), in)
	}
	v := percentValue{p: 80}
	assert.Equal(t, "80%", v.String())
}

func TestParseEngine(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"pg": "PG", "PG": "PG", "oracle": "Oracle", "MYSQL": "MySQL"} {
		got, ok := parseEngine(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, string(got))
	}
	_, ok := parseEngine("postgres")
	assert.False(t, ok)
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90d", "1d12h", "36h", "0", "d", "-1h", "1.5d", "99999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration(s)
		if err == nil && d < 0 {
			t.Fatalf("parseDuration(%q) = %v, negative", s, d)
		}
	})
}
