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

const (
	orderA = "900000000000101"
	orderB = "900000000000102"
	frozen = "900000000000103"
)

// newServer is an emulator with two orders of quota 10 and a frozen one.
func newServer(t testing.TB, opts ...polarlicensetest.Option) *polarlicensetest.Server {
	t.Helper()
	base := []polarlicensetest.Option{
		polarlicensetest.WithoutDemoData(),
		polarlicensetest.WithOrders(
			polarlicense.LicenseOrder{AliyunOrderID: orderA, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 10},
			polarlicense.LicenseOrder{AliyunOrderID: orderB, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePrimaryBackupLongTerm, ActivationCodeQuota: 10},
			polarlicense.LicenseOrder{AliyunOrderID: frozen, Engine: polarlicense.EnginePG, PackageType: polarlicense.PackagePreGenerationLongTerm,
				ActivationCodeQuota: 5, IsVirtualOrder: true, IsVirtualOrderFrozen: true},
		),
	}
	srv := polarlicensetest.NewServer(append(base, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// newClient is a client of srv.
func newClient(t testing.TB, srv *polarlicensetest.Server, opts ...polarlicense.Option) *polarlicense.Client {
	t.Helper()
	c, err := polarlicense.NewClient(append(srv.ClientOptions(), opts...)...)
	require.NoError(t, err)
	return c
}

// mac and sysID are node i's host.
func mac(i int) string   { return fmt.Sprintf("00:16:3e:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff) }
func sysID(i int) string { return fmt.Sprintf("73451188230015%05d", i) }

// cluster writes a cluster of n nodes (hosts first..first+n-1) in YAML.
func cluster(name, order, licenseDir string, first, n int, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  - name: %s\n    order: %q\n    license_dir: %s\n%s    nodes:\n", name, order, licenseDir, extra)
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "      - name: n%d\n        mac: %s\n        system_identifier: %q\n", i, mac(i), sysID(i))
	}
	return b.String()
}

// writeInventory writes an inventory of the clusters and loads it.
func writeInventory(t testing.TB, dir string, clusters ...string) *fleet.Inventory {
	t.Helper()
	path := filepath.Join(dir, "fleet.yaml")
	require.NoError(t, os.WriteFile(path, []byte("clusters:\n"+strings.Join(clusters, "")), 0o600))
	inv, err := fleet.Load(path)
	require.NoError(t, err)
	return inv
}

// license is a code's license as the emulator holds it.
func license(t testing.TB, srv *polarlicensetest.Server, order string, id int64) []byte {
	t.Helper()
	_, cert, ok := srv.Code(order, id)
	require.True(t, ok)
	b, err := cert.Decode()
	require.NoError(t, err)
	return b
}

// states are the nodes' states.
func states(p *fleet.Plan) []fleet.State {
	out := make([]fleet.State, len(p.Nodes))
	for i := range p.Nodes {
		out[i] = p.Nodes[i].State
	}
	return out
}

var ctx = context.Background()

// day is a day.
const day = 24 * time.Hour
