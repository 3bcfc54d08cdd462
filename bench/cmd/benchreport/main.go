// Command benchreport reads the output of the bench module's benchmarks
// (go test -bench -benchmem, any -count) and prints, as Markdown, the
// medians of ns/op, B/op and allocs/op side by side; the server's share of
// each client's allocations (from BenchmarkServerReplay) and the client's
// own (total less server); and the ratios of our client to the hand-written
// one against the performance goal: at most 0.75 of its time per call and
// at most 0.65 of its client allocations per call.
//
//	go run ./cmd/benchreport results/bench.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The performance goal: our client against the hand-written one, per call.
// Allocations may be up to 0.65 of the hand-written client's (not 0.5, as
// before decoded strings owned their memory): each distinct string that is
// not a known value costs one copy.
const (
	goalTime   = 0.75
	goalAllocs = 0.65
)

// samples are the measurements of one benchmark, by unit.
type samples map[string][]float64

// benchLine matches "BenchmarkName-2   1234   5678 ns/op   910 B/op   11 allocs/op".
var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func parse(r io.Reader) (map[string]samples, []string, error) {
	res := map[string]samples{}
	var order []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		name := m[1]
		f := strings.Fields(m[2])
		if res[name] == nil {
			res[name] = samples{}
			order = append(order, name)
		}
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			res[name][f[i+1]] = append(res[name][f[i+1]], v)
		}
	}
	return res, order, sc.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is the largest distance of a sample from the median, in percent
// of the median.
func spread(xs []float64) float64 {
	m := median(xs)
	d := 0.0
	for _, x := range xs {
		d = max(d, math.Abs(x-m))
	}
	return 100 * d / m
}

// serverOf names the replay benchmark that measures the server's share of a
// client benchmark: ServerReplay/Ours for Ours and OursParallel.
func serverOf(name string) string {
	return "ServerReplay/" + strings.TrimSuffix(name, "Parallel")
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: benchreport FILE (go test -bench output)")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	res, order, err := parse(f)
	_ = f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(res) == 0 {
		fmt.Fprintln(os.Stderr, "benchreport: no benchmark results in", os.Args[1])
		os.Exit(1)
	}

	type row struct {
		name                              string
		n                                 int
		ns, nsSpread, bytes, allocs       float64
		srvBytes, srvAllocs, cBytes, cAll float64
		hasServer                         bool
	}
	rows := map[string]*row{}
	var clients []string
	for _, name := range order {
		if strings.HasPrefix(name, "Server") {
			continue
		}
		s := res[name]
		r := &row{name: name, n: len(s["ns/op"]), ns: median(s["ns/op"]), nsSpread: spread(s["ns/op"]),
			bytes: median(s["B/op"]), allocs: median(s["allocs/op"])}
		if srv, ok := res[serverOf(name)]; ok {
			r.hasServer = true
			r.srvBytes, r.srvAllocs = median(srv["B/op"]), median(srv["allocs/op"])
			r.cBytes, r.cAll = r.bytes-r.srvBytes, r.allocs-r.srvAllocs
		}
		rows[name] = r
		clients = append(clients, name)
	}

	fmt.Println("Medians per call. total = the client benchmark (client and in-process server);")
	fmt.Println("server = BenchmarkServerReplay of that client's request; client = total - server.")
	fmt.Println()
	fmt.Println("| benchmark | runs | time/op | ± | total B/op | total allocs/op | server B/op | server allocs/op | client B/op | client allocs/op |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, name := range clients {
		r := rows[name]
		srvB, srvA, cB, cA := "?", "?", "?", "?"
		if r.hasServer {
			srvB, srvA, cB, cA = num(r.srvBytes), num(r.srvAllocs), num(r.cBytes), num(r.cAll)
		}
		fmt.Printf("| %s | %d | %s | %.0f%% | %s | %s | %s | %s | %s | %s |\n", name, r.n, dur(r.ns), r.nsSpread,
			num(r.bytes), num(r.allocs), srvB, srvA, cB, cA)
	}
	for _, name := range order {
		if !strings.HasPrefix(name, "ServerHandler") {
			continue
		}
		s := res[name]
		fmt.Printf("| %s | %d | %s | %.0f%% | %s | %s | | | | |\n", name, len(s["ns/op"]), dur(median(s["ns/op"])), spread(s["ns/op"]),
			num(median(s["B/op"])), num(median(s["allocs/op"])))
	}

	fmt.Println()
	fmt.Printf("Ratios to the hand-written client (goal: time <= %.2f, client allocs/op <= %.2f).\n", goalTime, goalAllocs)
	fmt.Println()
	fmt.Println("| ours / hand-written | time | client allocs/op | client B/op | total allocs/op | goal |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | --- |")
	pairs := [][2]string{{"Ours", "HandWritten"}, {"OursRPC", "HandWritten"}, {"OursParallel", "HandWrittenParallel"}}
	for _, p := range pairs {
		o, h := rows[p[0]], rows[p[1]]
		if o == nil || h == nil {
			continue
		}
		t := o.ns / h.ns
		line := fmt.Sprintf("| %s / %s | %.2f | ", p[0], p[1], t)
		verdict := "time " + pass(t <= goalTime)
		if o.hasServer && h.hasServer {
			a := o.cAll / h.cAll
			line += fmt.Sprintf("%.2f | %.2f | ", a, o.cBytes/h.cBytes)
			verdict += ", allocs " + pass(a <= goalAllocs)
		} else {
			line += "? | ? | "
		}
		line += fmt.Sprintf("%.2f | %s |", o.allocs/h.allocs, verdict)
		fmt.Println(line)
	}
}

func pass(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// dur formats nanoseconds as benchstat does, roughly.
func dur(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "?"
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.1f ns", ns)
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "?"
	}
	return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
}
