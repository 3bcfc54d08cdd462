package main

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := `goos: linux
BenchmarkOurs-2   	    8191	    136428 ns/op	   27130 B/op	     108 allocs/op
BenchmarkOurs-2   	    8191	    140000 ns/op	   27130 B/op	     108 allocs/op
BenchmarkOurs-2   	    8191	    100000 ns/op	   27130 B/op	     109 allocs/op
BenchmarkServerReplay/Ours-2     	   27152	     45737 ns/op	    3372 B/op	      33 allocs/op
PASS
`
	res, order, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != "Ours" || order[1] != "ServerReplay/Ours" {
		t.Fatalf("order %v", order)
	}
	if got := median(res["Ours"]["ns/op"]); got != 136428 {
		t.Errorf("median ns/op %v", got)
	}
	if got := median(res["Ours"]["allocs/op"]); got != 108 {
		t.Errorf("median allocs/op %v", got)
	}
	if serverOf("OursParallel") != "ServerReplay/Ours" {
		t.Error(serverOf("OursParallel"))
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("even median %v", got)
	}
}

func TestFloorGap(t *testing.T) {
	in := `BenchmarkFloorGap/Gap0us-2   100   100000 ns/op   99000 rt-ns/op   9941 B/op   89 allocs/op
BenchmarkFloorGap/Gap8us-2   100   120000 ns/op  111000 rt-ns/op   9941 B/op   89 allocs/op
BenchmarkFloorGap/Gap16us-2  100   140000 ns/op  123000 rt-ns/op   9941 B/op   89 allocs/op
`
	res, _, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	floorGap(&out, res)
	for _, want := range []string{
		"| 8 µs | 120.0 µs | 111.0 µs | 12.0 µs | 1.20 |",
		"| 16 µs | 140.0 µs | 123.0 µs | 24.0 µs | 1.40 |",
		"within 1.25 x Floor: 8 µs",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in\n%s", want, out.String())
		}
	}
	out.Reset()
	floorGap(&out, map[string]samples{})
	if out.Len() != 0 {
		t.Errorf("printed without results: %q", out.String())
	}
}
