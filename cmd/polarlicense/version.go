package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	polarlicense "github.com/polarlicense/polarlicense-go"
)

// versionRecord is what "polarlicense version" (and --version) reports.
type versionRecord struct {
	// Version is the SDK's version, polarlicense.Version.
	Version string `json:"version"`
	// Module is this module's version from the build info: a tag such as
	// v0.1.0 for "go install …@v0.1.0" and release builds; for "go build"
	// in a clone, the pseudo-version Go (1.24 and later) derives from the
	// commit, such as v0.0.0-20261207065829-1edce5734353 (+dirty with
	// uncommitted changes); "(devel)" under "go run" or -buildvcs=false.
	Module string `json:"module"`
	// Revision is the VCS commit the binary was built from, when the build
	// recorded it (a build from a clone does; "go install …@version" does not).
	Revision string `json:"revision"`
	// Modified reports uncommitted changes in the build's work tree.
	Modified bool `json:"modified"`
	// Go is the Go version that built the binary.
	Go string `json:"go"`
	// Platform is the binary's GOOS/GOARCH.
	Platform string `json:"platform"`
}

// stampedVersion and stampedRevision are what a release build stamps in with
// -ldflags "-X main.stampedVersion=vX.Y.Z -X main.stampedRevision=COMMIT"
// (.goreleaser.yaml): a build from a work tree has no tag in its build info,
// and none of a git worktree's VCS revision.
var stampedVersion, stampedRevision string

// buildVersion is the running binary's version record.
func buildVersion() versionRecord {
	bi, _ := debug.ReadBuildInfo()
	return versionFrom(bi, stampedVersion, stampedRevision)
}

// versionFrom makes the version record from build info (nil when there is
// none) and the stamped values, which win when set.
func versionFrom(bi *debug.BuildInfo, version, revision string) versionRecord {
	v := versionRecord{Version: polarlicense.Version, Module: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if bi.Main.Version != "" {
			v.Module = bi.Main.Version
		}
		if bi.GoVersion != "" {
			v.Go = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		v.Module = version
	}
	if revision != "" {
		v.Revision, v.Modified = revision, false
	}
	return v
}

// text is the version record for people, one fact a line.
func (v versionRecord) text() string {
	rev := v.Revision
	if rev == "" {
		rev = "unknown"
	} else if v.Modified {
		rev += " (modified)"
	}
	return fmt.Sprintf("polarlicense %s (SDK %s)\nrevision: %s\ngo: %s\nplatform: %s\n", v.Module, v.Version, rev, v.Go, v.Platform)
}

// emitVersion writes the version record in the run's format.
func (a *app) emitVersion() error {
	v := buildVersion()
	if a.format == formatTable {
		_, err := fmt.Fprint(a.stdout, v.text())
		return err
	}
	return emitItem(a, v)
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of the tool, the SDK and Go",
		Long: `Print the SDK's version, the module version and VCS revision the binary was
built from, the Go version and the platform. -o json gives them as the fields
version, module, revision, modified, go and platform. "polarlicense
--version" is the same.

The module version is the release's tag (vX.Y.Z) for a release build, a
package and "go install …@vX.Y.Z". A "go build" in a clone reports the
pseudo-version Go derives from the commit, such as
v0.0.0-20261207065829-1edce5734353 (with +dirty and "(modified)" for
uncommitted changes), and the commit; "go run" reports "(devel)" and no
revision.`,
		Args: exactArgs(),
		RunE: a.action(func(context.Context, *cobra.Command, []string) error { return a.emitVersion() }),
	}
}
