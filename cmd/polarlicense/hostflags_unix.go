//go:build unix

package main

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// ownerNote names the owner of dir for advice to run as them, as
// " (postgres, the owner of /var/lib/pgsql/data)", or "" when unknown.
func ownerNote(dir string) string {
	fi, err := os.Stat(dir)
	if err != nil {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	uid := strconv.FormatUint(uint64(st.Uid), 10)
	name := "uid " + uid
	if u, err := user.LookupId(uid); err == nil && u.Username != "" {
		name = u.Username
	}
	return " (" + name + ", the owner of " + dir + ")"
}
