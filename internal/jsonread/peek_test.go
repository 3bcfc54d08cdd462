package jsonread

import "testing"

func TestPeekObjectConsumesNothing(t *testing.T) {
	for in, want := range map[string]bool{`  {"a":1}`: true, `null`: false, `"s"`: false, `[1]`: false, `3`: false, ``: false} {
		var r Reader
		r.Reset(in)
		if got := r.PeekObject(); got != want {
			t.Errorf("PeekObject(%q) = %v, want %v", in, got, want)
		}
		if want {
			if !r.Object() {
				t.Fatalf("Object after PeekObject(%q) failed: %v", in, r.Err())
			}
			key, ok := r.Member()
			if !ok || key != "a" || r.Int() != 1 {
				t.Errorf("PeekObject(%q) consumed input", in)
			}
		}
	}
}
