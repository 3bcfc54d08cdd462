package hostid

import (
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An interface that cannot be used is an *InterfaceError, which callers
// (the command-line tool) tell from a failure to list the interfaces.
func TestMacAddressInterfaceError(t *testing.T) {
	fakeInterfaces(t, lo, eth0, eth1, down)
	for _, tc := range []struct{ iface, reason string }{
		{"wlan0", `no network interface is named "wlan0" (there are: lo, eth0, eth1, eth2)`},
		{"lo", `network interface lo has no 6-byte MAC address (it has "")`},
		{"", "2 network interfaces could be the host's, name one: eth0 (00:16:3e:1a:2b:01), eth1 (00:16:3e:1a:2b:02)"},
	} {
		_, err := MacAddress(tc.iface)
		var ie *InterfaceError
		require.ErrorAs(t, err, &ie, tc.iface)
		assert.Equal(t, tc.iface, ie.Interface)
		assert.Equal(t, tc.reason, ie.Reason)
		assert.Equal(t, "hostid: "+tc.reason, err.Error())
	}

	fakeInterfaces(t, lo)
	_, err := MacAddress("")
	var ie *InterfaceError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "no network interface is up, not a loopback, and has a 6-byte MAC address: name one", ie.Reason)

	old := interfaces
	interfaces = func() ([]net.Interface, error) { return nil, errors.New("netlink: denied") }
	t.Cleanup(func() { interfaces = old })
	_, err = MacAddress("eth0")
	assert.False(t, errors.As(err, &ie), "a failure to list is not the interface's fault")
}
