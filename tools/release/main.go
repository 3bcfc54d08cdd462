// Command release checks that the repository is ready for a release, before
// GoReleaser builds it (.goreleaser.yaml runs it as its first hook):
//
//	go run . [-C REPO] [--snapshot] [VERSION]
//
// It checks what a release of polarlicense-go needs:
//   - VERSION is vMAJOR.MINOR.PATCH (optionally -prerelease) and matches the
//     SDK's Version constant (const Version in the root package);
//   - no go.mod the release publishes keeps a replace directive or requires a
//     sibling module at the placeholder v0.0.0 ("go install …@VERSION"
//     refuses the first and cannot resolve the second), and each requires
//     the SDK at VERSION (the binaries are built against what it requires);
//   - the work tree is clean;
//   - HEAD is the release commit: it carries the CLI's tag
//     cmd/polarlicense/VERSION, and the SDK's tag VERSION is HEAD or an
//     ancestor of it (RELEASING.md: the SDK is tagged first).
//
// GoReleaser runs with --skip=validate because its own check wants the tag it
// releases (VERSION, the SDK's) on HEAD, which is the CLI's release commit;
// this command checks that instead.
//
// With --snapshot (what a snapshot build and CI run) VERSION defaults to the
// Version constant, the tags are not looked for, and every check that would
// fail is reported as "release would fail: …" on stdout without failing: on
// a development commit the nested modules' replace and v0.0.0 lines are
// always reported (the release commit drops them). Exit status: 0 ready (or
// --snapshot), 1 not ready, 2 bad command line.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
)

// sdkModule is the root module's path; the nested modules share its prefix.
const sdkModule = "github.com/polarlicense/polarlicense-go"

// cliModuleDir is the CLI module's directory: its tag marks the release commit.
const cliModuleDir = "cmd/polarlicense"

// unpublished matches the directories of modules never tagged: they exist for
// the repository's own checks and tooling.
var unpublished = regexp.MustCompile(`^(bench|compat|examples/.*|tools/.*)$`)

var (
	versionPattern = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)
	versionConst   = regexp.MustCompile(`(?m)^const Version = "([^"]*)"$`)
	replaceLine    = regexp.MustCompile(`^\s*replace(\s|\()`)
	siblingV0      = regexp.MustCompile(`^\s*(require\s+)?` + regexp.QuoteMeta(sdkModule) + `(/\S+)?\s+v0\.0\.0(\s|$)`)
	sdkRequire     = regexp.MustCompile(`^\s*(require\s+)?` + regexp.QuoteMeta(sdkModule) + `\s+(v\S+)`)
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: its arguments and streams, and its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("C", "", "the repository's `directory` (default: the git work tree around the current directory)")
	snapshot := fs.Bool("snapshot", false, "report what a release would have to fix, without failing")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "release: one VERSION only")
		return 2
	}
	if fs.NArg() == 0 && !*snapshot {
		fmt.Fprintln(stderr, "release: VERSION is required (such as v0.1.0) unless --snapshot")
		return 2
	}
	root := *dir
	if root == "" {
		top, err := git(".", "rev-parse", "--show-toplevel")
		if err != nil {
			fmt.Fprintln(stderr, "release:", err)
			return 1
		}
		root = top
	}
	version := fs.Arg(0)
	problems, err := check(root, version, *snapshot)
	if err != nil {
		fmt.Fprintln(stderr, "release:", err)
		return 1
	}
	if *snapshot {
		for _, p := range problems {
			fmt.Fprintln(stdout, "release would fail:", p)
		}
		fmt.Fprintf(stdout, "release check (snapshot): %d problem(s) a release would have to fix first (see RELEASING.md)\n", len(problems))
		return 0
	}
	for _, p := range problems {
		fmt.Fprintln(stderr, "release:", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "release: %d problem(s); not ready (see RELEASING.md)\n", len(problems))
		return 1
	}
	fmt.Fprintf(stdout, "release check: %s ready\n", version)
	return 0
}

// check returns what stands between the repository at root and a release of
// version; an error is a check it could not make at all. An empty version
// means the SDK's Version constant (for snapshots).
func check(root, version string, snapshot bool) ([]string, error) {
	sdkVersion, err := readVersionConst(root)
	if err != nil {
		return nil, err
	}
	if version == "" {
		version = "v" + sdkVersion
	}
	var problems []string
	if !versionPattern.MatchString(version) {
		problems = append(problems, fmt.Sprintf("VERSION %s is not vMAJOR.MINOR.PATCH[-prerelease]", version))
	}
	if "v"+sdkVersion != version {
		problems = append(problems, fmt.Sprintf("the SDK's Version is %q, not %q", sdkVersion, strings.TrimPrefix(version, "v")))
	}

	mods, err := git(root, "ls-files", "--", "go.mod", "*/go.mod")
	if err != nil {
		return nil, err
	}
	for _, mod := range strings.Fields(mods) {
		if unpublished.MatchString(path.Dir(mod)) {
			continue
		}
		data, err := os.ReadFile(root + "/" + mod)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if replaceLine.MatchString(line) {
				problems = append(problems, fmt.Sprintf("%s:%d keeps a replace directive (%s): drop it in the release commit", mod, n, strings.TrimSpace(line)))
			}
			if siblingV0.MatchString(line) {
				problems = append(problems, fmt.Sprintf("%s:%d requires a sibling module at the placeholder v0.0.0 (%s): require %s", mod, n, strings.TrimSpace(line), version))
			} else if m := sdkRequire.FindStringSubmatch(line); m != nil && m[2] != version {
				problems = append(problems, fmt.Sprintf("%s:%d requires the SDK at %s (%s), which the release's binaries would be built against: require %s", mod, n, m[2], strings.TrimSpace(line), version))
			}
		}
	}

	status, err := git(root, "status", "--porcelain")
	if err != nil {
		return nil, err
	}
	if status != "" {
		problems = append(problems, "the work tree has uncommitted changes")
	}

	if !snapshot {
		cliTag := cliModuleDir + "/" + version
		if _, err := git(root, "describe", "--exact-match", "--tags", "--match", cliTag, "HEAD"); err != nil {
			problems = append(problems, fmt.Sprintf("HEAD is not tagged %s: release from the release commit, after tagging the nested modules", cliTag))
		}
		if _, err := git(root, "rev-parse", "--verify", "--quiet", "refs/tags/"+version); err != nil {
			problems = append(problems, fmt.Sprintf("there is no tag %s: the SDK is tagged first", version))
		} else if _, err := git(root, "merge-base", "--is-ancestor", "refs/tags/"+version, "HEAD"); err != nil {
			problems = append(problems, fmt.Sprintf("the SDK's tag %s is not an ancestor of HEAD", version))
		}
	}
	return problems, nil
}

// readVersionConst returns the SDK's Version constant, from the root
// package's non-test files.
func readVersionConst(root string) (string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		data, err := os.ReadFile(root + "/" + name)
		if err != nil {
			return "", err
		}
		if m := versionConst.FindSubmatch(data); m != nil {
			return string(m[1]), nil
		}
	}
	return "", fmt.Errorf("no `const Version = \"…\"` in the root package of %s", root)
}

// git runs a git command in dir and returns its output, trimmed.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
