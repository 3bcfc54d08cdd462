package nodecheck

import (
	"errors"
	"syscall"
)

// readACL reads path's access ACL; nil when it has none (or its file
// system keeps none).
func readACL(path string) (posixACL, error) {
	buf := make([]byte, 512)
	for {
		n, err := syscall.Getxattr(path, "system.posix_acl_access", buf)
		switch {
		case errors.Is(err, syscall.ENODATA), errors.Is(err, syscall.ENOTSUP):
			return nil, nil
		case errors.Is(err, syscall.ERANGE) && len(buf) < 1<<16:
			buf = make([]byte, 2*len(buf))
			continue
		case err != nil:
			return nil, err
		}
		return parseACL(buf[:n])
	}
}
