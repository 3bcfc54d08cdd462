package polarlicensetest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/polarlicense/polarlicense-go/internal/sign"
)

func TestNonceCacheExpiresAndIsBounded(t *testing.T) {
	var c nonceCache
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.True(t, c.use("a", t0, t0.Add(MaxClockSkew)))
	assert.False(t, c.use("a", t0.Add(time.Minute), t0.Add(time.Minute+MaxClockSkew)))
	// After expiry it is forgotten, and the memory with it.
	later := t0.Add(MaxClockSkew + time.Second)
	assert.True(t, c.use("b", later, later.Add(MaxClockSkew)))
	assert.Len(t, c.seen, 1)
	assert.True(t, c.use("a", later, later.Add(MaxClockSkew)))

	// Past the bound, the oldest are dropped even before they expire.
	var d nonceCache
	for i := 0; i < maxNonces+10; i++ {
		d.use(strconv.Itoa(i), t0, t0.Add(MaxClockSkew))
	}
	assert.LessOrEqual(t, len(d.seen), maxNonces)
	assert.LessOrEqual(t, len(d.queue)-d.head, maxNonces)
	assert.False(t, d.use(strconv.Itoa(maxNonces+5), t0, t0.Add(MaxClockSkew)), "recent nonces are still remembered")
}

func TestParseParams(t *testing.T) {
	got, err := parseParams(nil, "a=1&b=x%20y+z&&c&d=%E4%B8%AD&a=2")
	assert.NoError(t, err)
	assert.Equal(t, []sign.Param{{Key: "a", Value: "1"}, {Key: "b", Value: "x y z"}, {Key: "c"}, {Key: "d", Value: "中"}, {Key: "a", Value: "2"}}, got)
	_, err = parseParams(nil, "a=%zz")
	assert.Error(t, err)
}

func TestPageBounds(t *testing.T) {
	from, to := page{number: 3, size: 10}.bounds()
	assert.Equal(t, 20, from)
	assert.Equal(t, 30, to)
}
