package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A repository shaped like polarlicense-go at a development commit: the CLI
// requires the SDK at v0.0.0 through a replace.
var devFiles = map[string]string{
	"go.mod":               "module " + sdkModule + "\n\ngo 1.25\n",
	"useragent.go":         "package polarlicense\n\n// Version is the release.\nconst Version = \"0.3.0\"\n",
	"bench/go.mod":         "module " + sdkModule + "/bench\n\ngo 1.25\n\nrequire " + sdkModule + " v0.0.0\n\nreplace " + sdkModule + " => ../\n",
	"tools/release/go.mod": "module " + sdkModule + "/tools/release\n\ngo 1.26\n",
	"cmd/polarlicense/go.mod": "module " + sdkModule + "/cmd/polarlicense\n\ngo 1.25\n\nrequire (\n\t" + sdkModule +
		" v0.0.0\n\tgithub.com/spf13/cobra v1.10.2\n)\n\nreplace " + sdkModule + " => ../..\n",
}

// releaseFiles are the release commit's changes: the CLI requires the tag.
var releaseFiles = map[string]string{
	"cmd/polarlicense/go.mod": "module " + sdkModule + "/cmd/polarlicense\n\ngo 1.25\n\nrequire (\n\t" + sdkModule +
		" v0.3.0\n\tgithub.com/spf13/cobra v1.10.2\n)\n",
}

// repo makes a git repository holding files, committed.
func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q")
	commit(t, dir, files, "development")
	return dir
}

func commit(t *testing.T, dir string, files map[string]string, msg string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", msg)
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func runRelease(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// The release commit, tagged as RELEASING.md says, is ready.
func TestReleaseCommitIsReady(t *testing.T) {
	dir := repo(t, devFiles)
	gitIn(t, dir, "tag", "v0.3.0")
	commit(t, dir, releaseFiles, "Release v0.3.0: nested modules require the tagged SDK")
	gitIn(t, dir, "tag", "cmd/polarlicense/v0.3.0")

	code, stdout, stderr := runRelease("-C", dir, "v0.3.0")
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "v0.3.0 ready") {
		t.Errorf("stdout %q", stdout)
	}
}

// A development commit fails a release on every count, each named; bench's
// replace (an unpublished module) is not one of them.
func TestDevelopmentCommitIsNotReady(t *testing.T) {
	dir := repo(t, devFiles)
	if err := os.WriteFile(filepath.Join(dir, "stray.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runRelease("-C", dir, "v0.4.0")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, stderr)
	}
	for _, want := range []string{
		`the SDK's Version is "0.3.0", not "0.4.0"`,
		"cmd/polarlicense/go.mod:10 keeps a replace directive",
		"cmd/polarlicense/go.mod:6 requires a sibling module at the placeholder v0.0.0",
		"the work tree has uncommitted changes",
		"HEAD is not tagged cmd/polarlicense/v0.4.0",
		"there is no tag v0.4.0: the SDK is tagged first",
		"6 problem(s)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "bench/") || strings.Contains(stderr, "tools/") {
		t.Errorf("an unpublished module is reported:\n%s", stderr)
	}
}

// The SDK's tag must come first: a tag that is not HEAD's ancestor fails.
func TestSDKTagMustBeAnAncestor(t *testing.T) {
	dir := repo(t, devFiles)
	gitIn(t, dir, "checkout", "-q", "-b", "side")
	commit(t, dir, map[string]string{"side.txt": "x"}, "side")
	gitIn(t, dir, "tag", "v0.3.0")
	gitIn(t, dir, "checkout", "-q", "-")
	commit(t, dir, releaseFiles, "release commit")
	gitIn(t, dir, "tag", "cmd/polarlicense/v0.3.0")
	code, _, stderr := runRelease("-C", dir, "v0.3.0")
	if code != 1 || !strings.Contains(stderr, "the SDK's tag v0.3.0 is not an ancestor of HEAD") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
}

// --snapshot reports and succeeds, taking the version from the constant.
func TestSnapshotReports(t *testing.T) {
	dir := repo(t, devFiles)
	code, stdout, stderr := runRelease("-C", dir, "--snapshot")
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"release would fail: cmd/polarlicense/go.mod:10 keeps a replace directive",
		"release would fail: cmd/polarlicense/go.mod:6 requires a sibling module at the placeholder v0.0.0",
		"require v0.3.0",
		"release check (snapshot): 2 problem(s)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "tag") {
		t.Errorf("a snapshot looks for tags:\n%s", stdout)
	}
}

func TestBadCommandLines(t *testing.T) {
	dir := repo(t, devFiles)
	if code, _, stderr := runRelease("-C", dir); code != 2 || !strings.Contains(stderr, "VERSION is required") {
		t.Errorf("no version: exit %d, want 2: %s", code, stderr)
	}
	if code, _, _ := runRelease("-C", dir, "v1.0.0", "v2.0.0"); code != 2 {
		t.Errorf("two versions: exit %d, want 2", code)
	}
	if code, _, _ := runRelease("--bogus"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	code, _, stderr := runRelease("-C", dir, "0.3.0")
	if code != 1 || !strings.Contains(stderr, "VERSION 0.3.0 is not vMAJOR.MINOR.PATCH") {
		t.Errorf("malformed version: exit %d, %s", code, stderr)
	}
}

// A release commit whose CLI requires another SDK version than the one
// released (a typo in RELEASING.md's step 4) is not ready: the binaries,
// built from that go.mod, would hold the other SDK while reporting VERSION.
func TestReleaseCommitRequiresTheReleasedSDK(t *testing.T) {
	dir := repo(t, devFiles)
	gitIn(t, dir, "tag", "v0.3.0")
	commit(t, dir, map[string]string{"cmd/polarlicense/go.mod": strings.Replace(releaseFiles["cmd/polarlicense/go.mod"], " v0.3.0", " v0.2.0", 1)},
		"Release v0.3.0: nested modules require the tagged SDK")
	gitIn(t, dir, "tag", "cmd/polarlicense/v0.3.0")
	code, stdout, stderr := runRelease("-C", dir, "v0.3.0")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s%s", code, stdout, stderr)
	}
	if want := "cmd/polarlicense/go.mod:6 requires the SDK at v0.2.0"; !strings.Contains(stderr, want) || !strings.Contains(stderr, "require v0.3.0") {
		t.Errorf("stderr lacks %q and the fix:\n%s", want, stderr)
	}
	if !strings.Contains(stderr, "1 problem(s)") {
		t.Errorf("one problem only:\n%s", stderr)
	}
}
