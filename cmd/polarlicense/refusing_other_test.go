//go:build !unix

package main

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// refusingAddr returns a 127.0.0.1 address where connections are refused,
// as far as this platform allows: a port listened on and closed again
// (another server may take it meanwhile; the unix version holds it).
func refusingAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
