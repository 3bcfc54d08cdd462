//go:build unix

package main

import (
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// refusingAddr returns a 127.0.0.1 address where connections are refused: a
// TCP port bound and never listened on (the kernel answers a connect with a
// reset), held until the test ends, so that no server another test starts
// meanwhile can take it.
func refusingAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	return "127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
}
