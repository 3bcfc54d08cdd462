package polarlicense

import (
	"errors"
	"runtime"
	"strings"
)

// Version is this module's release, as the User-Agent header reports it.
const Version = "0.1.0"

// maxAppIDLen bounds an application id given to WithAppID.
const maxAppIDLen = 50

// userAgent returns the User-Agent header of a client:
// "polarlicense-go/<Version> (<GOOS>; <GOARCH>) Go/<go version>", then
// " app/<id>" when the client has an application id.
func userAgent(appID string) string {
	ua := "polarlicense-go/" + Version + " (" + runtime.GOOS + "; " + runtime.GOARCH + ") Go/" + goVersion(runtime.Version())
	if appID != "" {
		ua += " app/" + appID
	}
	return ua
}

// goVersion turns runtime.Version's "go1.26.8" into "1.26.8". A development
// toolchain's "devel go1.27-abcdef Tue Jan 1 …" becomes "devel-go1.27-abcdef":
// one User-Agent product token, with no white space in it.
func goVersion(v string) string {
	if rest, ok := strings.CutPrefix(v, "go"); ok && rest != "" && !strings.ContainsAny(rest, " \t") {
		return rest
	}
	f := strings.Fields(v)
	if len(f) >= 2 {
		return f[0] + "-" + f[1]
	}
	if len(f) == 1 {
		return f[0]
	}
	return "unknown"
}

// WithAppID names the application that embeds the client: " app/<id>" is
// added to the User-Agent header of every request, so that the service's
// logs (and support, given a request id) can tell your application's calls
// from others made with the same AccessKey. The id holds at most 50 letters,
// digits, ".", "_" and "-", such as "license-renewer" or "inventory.v2"; an
// empty id adds nothing.
func WithAppID(id string) Option {
	return func(s *settings) error {
		if len(id) > maxAppIDLen {
			return errors.New("WithAppID: an application id is at most 50 characters")
		}
		if !onlyAlnumAnd(id, "._-") {
			return errors.New(`WithAppID: an application id holds only letters, digits, ".", "_" and "-"`)
		}
		s.appID = id
		return nil
	}
}
