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
