package jsonread

import (
	"math/rand/v2"
	"testing"
)

func TestSpecial8MatchesPlain(t *testing.T) {
	check := func(w uint64) {
		want := false
		for k := 0; k < 8; k++ {
			if !plain[byte(w>>(8*k))] {
				want = true
			}
		}
		if got := special8(w); got != want {
			t.Fatalf("special8(%#016x) = %v, want %v", w, got, want)
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
