package fleet_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	polarlicense "github.com/polarlicense/polarlicense-go"
	"github.com/polarlicense/polarlicense-go/fleet"
	"github.com/polarlicense/polarlicense-go/polarlicensetest"
)

// barrier holds the first n creates until all n have arrived: they can only
// all arrive if apply sends n at once. It gives up after a long time, so
// that a sequential apply fails the test instead of hanging it.
type barrier struct {
	mu       sync.Mutex
	action   string // the call held; "" is CreateActivationCode
	off      bool   // let everything through (until armed)
	n        int
	arrived  int
	inFlight int
	most     int
	open     chan struct{}
}

func (b *barrier) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := b.action
		if action == "" {
			action = "CreateActivationCode"
		}
		b.mu.Lock()
		off := b.off
		b.mu.Unlock()
		if off || r.Header.Get("x-acs-action") != action {
			h.ServeHTTP(w, r)
			return
		}
		b.mu.Lock()
		b.arrived++
		b.inFlight++
		b.most = max(b.most, b.inFlight)
		if b.arrived == b.n {
			close(b.open)
		}
		first := b.arrived <= b.n
		b.mu.Unlock()
		if first {
			select {
			case <-b.open:
			case <-time.After(20 * time.Second):
			}
		}
		h.ServeHTTP(w, r)
		b.mu.Lock()
		b.inFlight--
		b.mu.Unlock()
	})
}

// Apply works on Concurrency nodes at once, and reports them in the
// inventory's order.
func TestApplyRunsNodesConcurrentlyInOrder(t *testing.T) {
	h := polarlicensetest.NewHandler(polarlicensetest.WithoutDemoData(), polarlicensetest.WithOrders(
		polarlicense.LicenseOrder{AliyunOrderID: orderA, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 20}))
	b := &barrier{n: 4, open: make(chan struct{})}
	srv := httptest.NewServer(b.wrap(h))
	defer srv.Close()
	id, secret, _ := h.Credentials()
	client, err := polarlicense.NewClient(polarlicense.WithEndpoint(srv.URL), polarlicense.WithAccessKey(id, secret))
	require.NoError(t, err)
	dir := t.TempDir()
	inv := writeInventory(t, dir, cluster("a", orderA, dir, 1, 12, ""))
	plan, err := fleet.NewPlan(ctx, client, inv, &fleet.Options{Concurrency: 4})
	require.NoError(t, err)
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	b.mu.Lock()
	most := b.most
	b.mu.Unlock()
	assert.Equal(t, 4, most, "four creates at once, never more")
	for i, r := range rep.Nodes {
		assert.Equal(t, "n"+strconv.Itoa(i+1), r.Name)
		assert.Equal(t, filepath.Join(dir, strconv.Itoa(i+1), "license.lic"), r.Path)
		assert.True(t, r.Done(), "%s: %v", r.Name, r.Err)
		_, err := os.Stat(r.Path)
		assert.NoError(t, err)
	}
}

// After the creates, Apply reads the orders that issued codes again
// Concurrency at a time, for the order lines' numbers after the run.
func TestApplyReadsOrdersAfterConcurrently(t *testing.T) {
	orders := []string{orderA, orderB, "900000000000031"}
	var opts []polarlicensetest.Option
	for _, o := range orders {
		opts = append(opts, polarlicensetest.WithOrders(polarlicense.LicenseOrder{AliyunOrderID: o, Engine: polarlicense.EnginePG,
			PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 5}))
	}
	h := polarlicensetest.NewHandler(append(opts, polarlicensetest.WithoutDemoData())...)
	b := &barrier{action: "DescribeLicenseOrderDetails", off: true, n: 3, open: make(chan struct{})}
	srv := httptest.NewServer(b.wrap(h))
	defer srv.Close()
	id, secret, _ := h.Credentials()
	client, err := polarlicense.NewClient(polarlicense.WithEndpoint(srv.URL), polarlicense.WithAccessKey(id, secret))
	require.NoError(t, err)
	dir := t.TempDir()
	var clusters []string
	for i, o := range orders {
		name := "c" + strconv.Itoa(i)
		require.NoError(t, os.Mkdir(filepath.Join(dir, name), 0o755))
		clusters = append(clusters, cluster(name, o, filepath.Join(dir, name), 10*i+1, 1, ""))
	}
	inv := writeInventory(t, dir, clusters...)
	plan, err := fleet.NewPlan(ctx, client, inv, &fleet.Options{Concurrency: 3})
	require.NoError(t, err)
	b.mu.Lock()
	b.off = false
	b.mu.Unlock()
	rep, err := plan.Apply(ctx)
	require.NoError(t, err)
	b.mu.Lock()
	most := b.most
	b.mu.Unlock()
	assert.Equal(t, 3, most, "the three orders read at once")
	require.Len(t, rep.Orders, 3)
	for i, op := range rep.Orders {
		assert.Equal(t, orders[i], op.Order.AliyunOrderID, "the inventory's order")
		assert.Equal(t, 1, op.Order.ActivatedCodeCount, "the numbers after the run")
	}
}
