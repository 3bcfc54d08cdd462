//go:build unix && !linux

package nodecheck

// readACL finds no ACL: they are read on Linux only.
func readACL(string) (posixACL, error) { return nil, nil }
