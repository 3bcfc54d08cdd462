// Command benchreport reads the output of the bench module's benchmarks
// (go test -bench -benchmem, any -count) and prints, as Markdown, the
// medians of ns/op, B/op and allocs/op side by side; the server's share of
// each client's allocations (from BenchmarkServerReplay) and the client's
// own (total less server); the ratios of our client to the hand-written
// one against the performance goals (at most 0.6 of its time per call and
// at most 0.5 of its client allocations per call); and the side-by-side
// run against a verifying server, with our time against the bare signed
// round trip's (at most 1.25 times), for Content-Length and chunked answers.
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

// The performance goals, per call: our client takes at most goalTime of the
// hand-written client's time and makes at most goalAllocs of its client
// allocations; in the side-by-side run (a server that verifies signatures,
// answering with Content-Length and chunked) it takes at most goalFloor
// times the bare signed round trip's time.
const (
	goalTime   = 0.6
	goalAllocs = 0.5
	goalFloor  = 1.25
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
		if strings.HasPrefix(name, "Server") || strings.HasPrefix(name, "SideBySide/") || strings.HasPrefix(name, "VerifyRPC") {
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
	sideBySide(os.Stdout, res)
	floorGap(os.Stdout, res)
}

// floorGap prints BenchmarkFloorGap, the control: Floor's round trip with
// Gap µs of memory-free arithmetic after it. For each gap, the round trip's
// own time, what it grew by over no gap, and the whole loop's time over
// Floor's alone: the ratio to Floor of a client whose only work beyond
// Floor's is that gap. The last line names the largest gap measured within
// the floor goal.
func floorGap(w io.Writer, res map[string]samples) {
	base, ok := res["FloorGap/Gap0us"]
	if !ok {
		return
	}
	var gaps []int
	for name := range res {
		if n, ok := strings.CutPrefix(name, "FloorGap/Gap"); ok {
			if us, err := strconv.Atoi(strings.TrimSuffix(n, "us")); err == nil {
				gaps = append(gaps, us)
			}
		}
	}
	slices.Sort(gaps)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Floor with a gap of memory-free work after each round trip (BenchmarkFloorGap).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| gap | time/op | round trip/op | round trip grew by | time / Floor's |")
	fmt.Fprintln(w, "| ---: | ---: | ---: | ---: | ---: |")
	t0, rt0 := median(base["ns/op"]), median(base["rt-ns/op"])
	within := -1
	for _, us := range gaps {
		s := res[fmt.Sprintf("FloorGap/Gap%dus", us)]
		t, rt := median(s["ns/op"]), median(s["rt-ns/op"])
		if t/t0 <= goalFloor {
			within = us
		}
		fmt.Fprintf(w, "| %d µs | %s | %s | %s | %.2f |\n", us, dur(t), dur(rt), dur(rt-rt0), t/t0)
	}
	fmt.Fprintln(w)
	if within < 0 {
		fmt.Fprintln(w, "No gap measured stays within the floor goal.")
		return
	}
	fmt.Fprintf(w, "The largest gap measured within %.2f x Floor: %d µs of a client's own work a call.\n", goalFloor, within)
}

// sideBySide prints the side-by-side run: per answer mode, the medians of
// Floor, OursRPC and HandWritten, and our client's ratios to the other two.
// Client allocations subtract the server's share replayed on the plain
// server (ServerReplay/OursRPC, ServerReplay/HandWritten): the verifying
// server's check allocates nothing (BenchmarkVerifyRPC).
func sideBySide(w io.Writer, res map[string]samples) {
	mode := func(m string) bool { _, ok := res["SideBySide/"+m+"/OursRPC"]; return ok }
	if !mode("ContentLength") && !mode("Chunked") {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Side by side (a server that verifies every RPC signature). cpu = the process's CPU time per call.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| answer | client | time/op | ± | cpu/op | total B/op | total allocs/op | client allocs/op |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, m := range []string{"ContentLength", "Chunked"} {
		for _, c := range []string{"Floor", "OursRPC", "HandWritten"} {
			s, ok := res["SideBySide/"+m+"/"+c]
			if !ok {
				continue
			}
			client := "?"
			if srv, ok := res["ServerReplay/"+c]; ok && c != "Floor" {
				client = num(median(s["allocs/op"]) - median(srv["allocs/op"]))
			} else if srv, ok := res["ServerReplay/HandWritten"]; ok && c == "Floor" {
				client = num(median(s["allocs/op"]) - median(srv["allocs/op"])) // the same request as the hand-written client's
			}
			fmt.Fprintf(w, "| %s | %s | %s | %.0f%% | %s | %s | %s | %s |\n", m, c, dur(median(s["ns/op"])), spread(s["ns/op"]),
				dur(median(s["cpu-ns/op"])), num(median(s["B/op"])), num(median(s["allocs/op"])), client)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Goals: time <= %.2f x Floor, time <= %.2f x HandWritten, client allocs <= %.2f x HandWritten.\n", goalFloor, goalTime, goalAllocs)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| answer | OursRPC / Floor: time | cpu | OursRPC / HandWritten: time | cpu | client allocs | goals |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | --- |")
	for _, m := range []string{"ContentLength", "Chunked"} {
		o, f, h := res["SideBySide/"+m+"/OursRPC"], res["SideBySide/"+m+"/Floor"], res["SideBySide/"+m+"/HandWritten"]
		if o == nil || f == nil || h == nil {
			continue
		}
		tf := median(o["ns/op"]) / median(f["ns/op"])
		cf := median(o["cpu-ns/op"]) / median(f["cpu-ns/op"])
		th := median(o["ns/op"]) / median(h["ns/op"])
		ch := median(o["cpu-ns/op"]) / median(h["cpu-ns/op"])
		allocs := math.NaN()
		so, ok1 := res["ServerReplay/OursRPC"]
		sh, ok2 := res["ServerReplay/HandWritten"]
		if ok1 && ok2 {
			allocs = (median(o["allocs/op"]) - median(so["allocs/op"])) / (median(h["allocs/op"]) - median(sh["allocs/op"]))
		}
		verdict := fmt.Sprintf("floor %s, time %s, allocs %s", pass(tf <= goalFloor), pass(th <= goalTime), pass(allocs <= goalAllocs))
		fmt.Fprintf(w, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %s |\n", m, tf, cf, th, ch, allocs, verdict)
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
