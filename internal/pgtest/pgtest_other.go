//go:build !unix

package pgtest

import "testing"

// InitDB skips t: the tests run initdb on Unix only.
func InitDB(t testing.TB) *Cluster {
	t.Helper()
	t.Skip("initdb runs in the tests on Unix only")
	return nil
}
