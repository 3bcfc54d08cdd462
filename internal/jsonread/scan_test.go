package jsonread

import (
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSpecial8MatchesPlain(t *testing.T) {
	// The mask is zero exactly when every byte is plain, and its lowest set
	// bit is the high bit of the first byte that is not.
	check := func(w uint64) {
		first := 8
		for k := 7; k >= 0; k-- {
			if !plain[byte(w>>(8*k))] {
				first = k
			}
		}
		m := special8(w)
		if (m == 0) != (first == 8) {
			t.Fatalf("special8(%#016x) = %#x, first special byte %d", w, m, first)
		}
		if first < 8 && bits.TrailingZeros64(m) != 8*first+7 {
			t.Fatalf("special8(%#016x) = %#x: lowest bit %d, first special byte %d", w, m, bits.TrailingZeros64(m), first)
		}
	}
	const filler = 0x6161616161616161 // "aaaaaaaa"
	for k := 0; k < 8; k++ {
		for c := 0; c < 256; c++ {
			mask := uint64(0xff) << (8 * k)
			check(filler&^mask | uint64(c)<<(8*k))
			check(0x8080808080808080&^mask | uint64(c)<<(8*k))
			check(0x2020202020202020&^mask | uint64(c)<<(8*k))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1_000_000; i++ {
		check(rng.Uint64())
	}
}

// TestSpecial8Pairs: every pair of byte values at every two positions of a
// word, over fillers plain and not, so that a borrow out of one byte always
// meets every value of a byte above it (the case the random words reach only
// by chance): the lowest set bit still marks the first special byte.
func TestSpecial8Pairs(t *testing.T) {
	if testing.Short() {
		t.Skip("16 million words")
	}
	for _, f := range []uint64{0x00, 0x1f, 0x20, 0x21, 0x22, 0x5c, 0x7f, 0x80, 0xff} {
		base := f * 0x0101010101010101
		for j := 0; j < 8; j++ {
			for k := j + 1; k < 8; k++ {
				hole := base &^ (0xff<<(8*j) | 0xff<<(8*k))
				for a := uint64(0); a < 256; a++ {
					for b := uint64(0); b < 256; b++ {
						w := hole | a<<(8*j) | b<<(8*k)
						first := 8
						for q := 7; q >= 0; q-- {
							if !plain[byte(w>>(8*q))] {
								first = q
							}
						}
						m := special8(w)
						if (m == 0) != (first == 8) || first < 8 && bits.TrailingZeros64(m) != 8*first+7 {
							t.Fatalf("special8(%#016x) = %#x, first special byte %d", w, m, first)
						}
					}
				}
			}
		}
	}
}

func TestLoad64(t *testing.T) {
	if got := load64("xabcdefgh", 1); got != 0x6867666564636261 {
		t.Fatalf("load64 = %#x", got)
	}
}

func TestSkipPlain(t *testing.T) {
	// Every position of a special byte, in strings long and short, and
	// strings without one.
	for n := 0; n <= 24; n++ {
		for at := 0; at <= n; at++ {
			for _, c := range []byte{'"', '\\', 0x00, 0x1f} {
				b := []byte(strings.Repeat("\xc3a ~", 8)[:n])
				want := n
				if at < n {
					b[at] = c
					want = at
				}
				for start := 0; start <= want; start++ {
					if got := skipPlain(string(b), start); got != want {
						t.Fatalf("skipPlain(%q, %d) = %d, want %d", b, start, got, want)
					}
				}
			}
		}
	}
}
