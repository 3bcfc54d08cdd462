//go:build unix

package pgtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// nobody is the unprivileged user initdb runs as when the tests run as
// root (initdb refuses root).
const nobody = 65534

// InitDB runs initdb into a new temporary directory, removed when t ends,
// and returns the cluster. As root it runs initdb as uid and gid 65534
// ("nobody"), the data directory then owned by that user, as a database's
// is by its own.
func InitDB(t testing.TB) *Cluster {
	t.Helper()
	bin := requireBin(t)
	base, err := os.MkdirTemp("", "polarlicense-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	// Others must reach the data directory's parent: initdb runs as
	// another user when the tests run as root.
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Dir: filepath.Join(base, "data"), UID: os.Getuid(), GID: os.Getgid(), Bin: bin}
	if err := os.Mkdir(c.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "initdb"), "-D", c.Dir, "-A", "trust", "-U", "postgres",
		"--no-sync", "-E", "UTF8", "--locale=C")
	cmd.Dir = base
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C", "HOME=" + base}
	if os.Geteuid() == 0 {
		c.UID, c.GID = nobody, nobody
		if err := os.Chown(c.Dir, c.UID, c.GID); err != nil {
			t.Fatal(err)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("initdb -D %s: %v\n%s", c.Dir, err, out)
	}
	return c
}
