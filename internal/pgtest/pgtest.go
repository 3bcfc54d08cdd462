package pgtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

// Cluster is a data directory initdb made.
type Cluster struct {
	// Dir is the data directory (PGDATA).
	Dir string
	// UID and GID own it: the user the database runs as. When the tests
	// run as root, that is "nobody" (65534); else the tests' own user.
	UID, GID int
	// Bin is the directory of the PostgreSQL programs used.
	Bin string
}

// BinDir returns the directory holding initdb and pg_controldata: the
// newest /usr/lib/postgresql/*/bin (Debian's layout), else the directory of
// initdb on PATH. It returns "" when there is none.
func BinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "pg_controldata")) {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if isExecutable(filepath.Join(d, "pg_controldata")) {
			return d
		}
	}
	return ""
}

var digits = regexp.MustCompile(`/postgresql/([0-9]+)/`)

// version is the major version in a Debian bin directory's path, for
// sorting: 15 before 9.
func version(dir string) int {
	m := digits.FindStringSubmatch(dir)
	if m == nil {
		return 0
	}
	n := 0
	for _, c := range m[1] {
		n = n*10 + int(c-'0')
	}
	return n
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// requireBin returns BinDir, or skips t (fails it when CI is "true").
func requireBin(t testing.TB) string {
	t.Helper()
	bin := BinDir()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("initdb and pg_controldata are missing, and CI=true: install Debian's postgresql package (.ci/run does)")
		}
		t.Skip("initdb and pg_controldata are missing (Debian's postgresql package): skipped outside CI")
	}
	return bin
}

// systemIdentifierLine is pg_controldata's line for the identifier.
var systemIdentifierLine = regexp.MustCompile(`(?m)^Database system identifier:\s+([0-9]+)\s*$`)

// ControlDataSystemIdentifier returns the "Database system identifier"
// that pg_controldata prints for c.
func (c *Cluster) ControlDataSystemIdentifier(t testing.TB) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(c.Bin, "pg_controldata"), "-D", c.Dir)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pg_controldata -D %s: %v\n%s", c.Dir, err, out)
	}
	m := systemIdentifierLine.FindSubmatch(out)
	if m == nil {
		t.Fatalf("pg_controldata printed no system identifier:\n%s", out)
	}
	return string(m[1])
}
