package main

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"

	"github.com/spf13/pflag"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// Shared by the commands that may spend quota or write license files
// (license ensure, codes create, license write, fleet apply, license
// check): the state directory (--state-dir, $POLARLICENSE_STATE_DIR,
// polarlicense.DefaultStateDir) and the owner of the files written
// (--owner USER[:GROUP]).

// envStateDir names the state directory when --state-dir is not given.
const envStateDir = "POLARLICENSE_STATE_DIR"

// stateDirUsage is the help of --state-dir.
const stateDirUsage = "`directory` through which runs on this machine coordinate creates and record the licenses written " +
	"(default $" + envStateDir + ", else /var/lib/polarlicense for root, else $XDG_STATE_HOME/polarlicense or ~/.local/state/polarlicense)"

// addStateDirFlag registers --state-dir on a command; stateDir reads it.
func (a *app) addStateDirFlag(f *pflag.FlagSet) {
	f.StringVar(&a.stateDirFlag, "state-dir", "", stateDirUsage)
}

// stateDir returns the state directory of the run: --state-dir, else
// $POLARLICENSE_STATE_DIR, else the default (polarlicense.DefaultStateDir),
// as an absolute path. It also makes the client that newClient returns
// coordinate through it. The directory is created (0700) when first used.
func (a *app) stateDir() (string, error) {
	dir, source := a.stateDirFlag, "--state-dir"
	if dir == "" {
		dir, source = a.env.getenv(envStateDir), "$"+envStateDir
	}
	if dir == "" {
		d, err := a.env.defaultStateDir()
		if err != nil {
			return "", usagef("no state directory: %s; give --state-dir DIR or set $%s", trimPkg(err.Error()), envStateDir)
		}
		dir = d
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", usagef("invalid %s %q: %v", source, dir, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return "", usagef("invalid %s %q: not a directory", source, dir)
	}
	a.clientStateDir = abs
	return abs, nil
}

// ownerFlag is --owner USER[:GROUP]: who a license file written is given to.
type ownerFlag struct{ spec string }

// add registers the flag.
func (o *ownerFlag) add(f *pflag.FlagSet) {
	f.StringVar(&o.spec, "owner", "", "give the license file this owner, as `USER[:GROUP]` (names or numbers; without a group, the user's own), with mode 0600: "+
		"for root writing a file that the database, running as its own user, must read")
}

// resolve looks the owner up: nil when --owner was not given; a usage error
// when the user or group does not exist here.
func (o *ownerFlag) resolve() (*polarlicense.FileOwner, error) {
	if o.spec == "" {
		return nil, nil
	}
	owner, err := polarlicense.LookupFileOwner(o.spec)
	if err != nil {
		return nil, usagef("invalid --owner %q: %s", o.spec, trimPkg(err.Error()))
	}
	return &owner, nil
}

// userName names a uid as the system does ("postgres"), or by its number
// when it has no name.
func userName(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil && u.Username != "" {
		return u.Username
	}
	return id
}

// groupName names a gid as the system does, or by its number.
func groupName(gid uint32) string {
	id := strconv.FormatUint(uint64(gid), 10)
	if g, err := user.LookupGroupId(id); err == nil && g.Name != "" {
		return g.Name
	}
	return id
}

// ownerSpecOf is the USER:GROUP (an --owner value) that names uid and gid.
func ownerSpecOf(uid, gid uint32) string { return userName(uid) + ":" + groupName(gid) }

// trimPkg drops the SDK's "polarlicense: " prefix from a message.
func trimPkg(msg string) string {
	const p = "polarlicense: "
	if len(msg) >= len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}
