package fleet_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/fleet"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// The fleet benchmark: 1,000 nodes over 10 orders against the emulator
// answering every call after 50 ms, as a real service might, at the default
// concurrency. BENCHMARKS.md keeps its table.
const (
	benchOrders    = 10
	benchPerOrder  = 100
	benchLatency   = 50 * time.Millisecond
	benchNodes     = benchOrders * benchPerOrder
	benchMinPlan   = 2*benchOrders + benchNodes // orders' details and walks, one license per node
	benchMinCreate = 2*benchOrders + 2*benchNodes
)

// benchFleet is a fresh emulator and inventory: every node new.
type benchFleet struct {
	srv    *polarlicensetest.Server
	client *polarlicense.Client
	inv    *fleet.Inventory
	opts   *fleet.Options
}

func newBenchFleet(b *testing.B) *benchFleet {
	b.Helper()
	var orders []polarlicense.LicenseOrder
	var text strings.Builder
	text.WriteString("clusters:\n")
	dir := b.TempDir()
	for o := range benchOrders {
		id := fmt.Sprintf("9100000000%05d", o)
		orders = append(orders, polarlicense.LicenseOrder{AliyunOrderID: id, Engine: polarlicense.EnginePG,
			PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 2 * benchPerOrder})
		ldir := filepath.Join(dir, "c"+fmt.Sprint(o))
		require.NoError(b, os.Mkdir(ldir, 0o755))
		text.WriteString(cluster("c"+fmt.Sprint(o), id, ldir, o*benchPerOrder+1, benchPerOrder, ""))
	}
	srv := polarlicensetest.NewServer(polarlicensetest.WithoutDemoData(), polarlicensetest.WithOrders(orders...),
		polarlicensetest.WithLatency(benchLatency), polarlicensetest.WithRequestLogSize(0))
	b.Cleanup(srv.Close)
	path := filepath.Join(dir, "fleet.yaml")
	require.NoError(b, os.WriteFile(path, []byte(text.String()), 0o600))
	inv, err := fleet.Load(path)
	require.NoError(b, err)
	state := filepath.Join(dir, "state")
	client, err := polarlicense.NewClient(append(srv.ClientOptions(), polarlicense.WithStateDir(state))...)
	require.NoError(b, err)
	return &benchFleet{srv: srv, client: client, inv: inv, opts: &fleet.Options{StateDir: state}}
}

// run plans and, if apply, applies, as "fleet apply" does.
func (f *benchFleet) run(b *testing.B, apply bool) {
	plan, err := fleet.NewPlan(context.Background(), f.client, f.inv, f.opts)
	require.NoError(b, err)
	if !apply {
		return
	}
	rep, err := plan.Apply(context.Background())
	require.NoError(b, err)
	for i := range rep.Nodes {
		if !rep.Nodes[i].Done() {
			b.Fatalf("node %s: %s: %v", rep.Nodes[i].Name, rep.Nodes[i].State, rep.Nodes[i].Err)
		}
	}
}

// report adds the custom metrics: calls against the minimum, and wall time
// against the minimum calls' latency spread over the concurrency.
func report(b *testing.B, calls int, minCalls int, wall time.Duration) {
	perOp := float64(calls) / float64(b.N)
	b.ReportMetric(perOp, "calls/op")
	b.ReportMetric(float64(minCalls), "min-calls/op")
	b.ReportMetric(100*(perOp-float64(minCalls))/float64(minCalls), "%calls-over-min")
	floor := time.Duration(minCalls) * benchLatency / fleet.DefaultConcurrency
	b.ReportMetric(float64(wall)/float64(b.N)/float64(floor), "x-min-wall")
	b.ReportMetric((wall / time.Duration(b.N)).Seconds(), "wall-s/op")
}

func BenchmarkFleet1000Nodes(b *testing.B) {
	b.Run("apply-all-new", func(b *testing.B) {
		b.ReportAllocs()
		calls, wall := 0, time.Duration(0)
		for range b.N {
			b.StopTimer()
			f := newBenchFleet(b)
			b.StartTimer()
			start := time.Now()
			f.run(b, true)
			wall += time.Since(start)
			calls += f.srv.RequestCount("")
		}
		report(b, calls, benchMinCreate, wall)
	})
	licensed := func(b *testing.B) *benchFleet {
		f := newBenchFleet(b)
		f.run(b, true)
		f.srv.ResetRequests()
		return f
	}
	b.Run("plan-all-licensed", func(b *testing.B) {
		b.StopTimer()
		f := licensed(b)
		b.ReportAllocs()
		b.StartTimer()
		start := time.Now()
		for range b.N {
			f.run(b, false)
		}
		report(b, f.srv.RequestCount(""), benchMinPlan, time.Since(start))
	})
	b.Run("apply-again-nothing-to-do", func(b *testing.B) {
		b.StopTimer()
		f := licensed(b)
		b.ReportAllocs()
		b.StartTimer()
		start := time.Now()
		for range b.N {
			f.run(b, true)
		}
		report(b, f.srv.RequestCount(""), benchMinPlan, time.Since(start))
		if n := f.srv.RequestCount("CreateActivationCode"); n != 0 {
			b.Fatalf("%d creates on a licensed fleet", n)
		}
	})
}
