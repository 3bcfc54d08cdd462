package polarlicense_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The Go snippets of the READMEs are compiled (with go vet, which also runs
// its checks), so that what a reader copies builds. Each ```go block is one
// of three kinds:
//
//   - a complete file: it starts with "package"; it is built as it is, as a
//     package of its own;
//
//   - declarations: it starts with "import" or "func" (a test function, a
//     helper); it gets "package snippet" on top and must carry its own
//     imports; one declaring a Test function is built as a _test.go file;
//
//   - statements: anything else. They are wrapped in
//
//     func snippet(ctx context.Context, client *polarlicense.Client, id string,
//     req *polarlicense.DescribeLicenseOrdersRequest) error { …; return nil }
//
//     so ctx, client, an order id and a request are in scope and "return err"
//     works; the packages they use among readmeImports are imported for them.
var readmeFiles = []string{"README.md", "cmd/polarlicense/README.md"}

// readmeImports are the packages a statements snippet may use unimported.
var readmeImports = map[string]string{
	"polarlicense":     `polarlicense "github.com/polarlicense/polarlicense-go"`,
	"polarlicensetest": `"github.com/polarlicense/polarlicense-go/polarlicensetest"`,
	"context":          `"context"`,
	"errors":           `"errors"`,
	"fmt":              `"fmt"`,
	"log":              `"log"`,
	"os":               `"os"`,
	"time":             `"time"`,
}

var goBlock = regexp.MustCompile("(?ms)^```go\n(.*?)^```")

// readmeSnippet is one ```go block.
type readmeSnippet struct {
	file string // the README
	line int    // where the block starts
	code string
}

func readmeSnippets(t *testing.T) []readmeSnippet {
	t.Helper()
	var out []readmeSnippet
	for _, f := range readmeFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goBlock.FindAllSubmatchIndex(data, -1) {
			out = append(out, readmeSnippet{file: f, line: 1 + bytes.Count(data[:m[0]], []byte("\n")), code: string(data[m[2]:m[3]])})
		}
	}
	return out
}

// source returns the snippet as a Go file and that file's name.
func (s readmeSnippet) source() (name, src string) {
	code := strings.TrimSpace(s.code)
	switch {
	case strings.HasPrefix(code, "package "):
		return "main.go", code + "\n"
	case strings.HasPrefix(code, "import") || strings.HasPrefix(code, "func "):
		name = "snippet.go"
		if regexp.MustCompile(`(?m)^func Test`).MatchString(code) {
			name = "snippet_test.go"
		}
		return name, "package snippet\n\n" + code + "\n"
	}
	imports := []string{readmeImports["context"], readmeImports["polarlicense"]}
	for pkg, spec := range readmeImports {
		if pkg != "context" && pkg != "polarlicense" && regexp.MustCompile(`\b`+pkg+`\.`).MatchString(code) {
			imports = append(imports, spec)
		}
	}
	return "snippet.go", "package snippet\n\nimport (\n\t" + strings.Join(imports, "\n\t") + "\n)\n\n" +
		"func snippet(ctx context.Context, client *polarlicense.Client, id string, req *polarlicense.DescribeLicenseOrdersRequest) error {\n" +
		code + "\n\treturn nil\n}\n"
}

func TestReadmeSnippetsCompile(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to compile the snippets with")
	}
	snippets := readmeSnippets(t)
	if len(snippets) < 4 {
		t.Fatalf("found %d Go snippets in %v, want the README's 4 at least", len(snippets), readmeFiles)
	}
	// Inside the module (under testdata, which ./... skips), so the snippets
	// import this module and its dependencies as they are.
	dir, err := os.MkdirTemp("testdata", "readme-snippets-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var pkgs []string
	where := map[string]readmeSnippet{}
	for i, s := range snippets {
		pkg := filepath.Join(dir, fmt.Sprintf("s%02d", i))
		if err := os.Mkdir(pkg, 0o755); err != nil {
			t.Fatal(err)
		}
		name, src := s.source()
		if err := os.WriteFile(filepath.Join(pkg, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, "./"+filepath.ToSlash(pkg))
		where[filepath.Base(pkg)] = s
	}
	out, err := exec.Command(goCmd, append([]string{"vet"}, pkgs...)...).CombinedOutput()
	if err != nil {
		// Name the README line of each failing snippet.
		msg := string(out)
		for key, s := range where {
			msg = strings.ReplaceAll(msg, key+"/", fmt.Sprintf("%s (the snippet at %s:%d) ", key, s.file, s.line))
		}
		t.Fatalf("README snippets do not compile:\n%s", msg)
	}
}

// The statements convention compiles what it promises and nothing more: an
// undefined name in a snippet fails the check.
func TestReadmeSnippetConventionCatchesErrors(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to compile the snippets with")
	}
	dir, err := os.MkdirTemp("testdata", "readme-snippets-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	for i, code := range []string{
		"fmt.Println(undefinedThing)\n",
		"func TestX(t *testing.T) {\n\t_ = ctx\n}\n", // ctx is not in scope of declarations
	} {
		pkg := filepath.Join(dir, fmt.Sprintf("bad%d", i))
		if err := os.Mkdir(pkg, 0o755); err != nil {
			t.Fatal(err)
		}
		name, src := readmeSnippet{code: code}.source()
		if err := os.WriteFile(filepath.Join(pkg, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(goCmd, "vet", "./"+filepath.ToSlash(pkg)).CombinedOutput(); err == nil {
			t.Errorf("snippet %q compiled:\n%s", code, out)
		}
	}
}

// .ci/run runs the README's test command verbatim.
func TestCIRunsTheReadmeTestCommand(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^(go vet .*&& go test .*)$").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no test command line")
	}
	command := string(m[1])
	if !strings.Contains(command, "go list -m") {
		t.Errorf("the README's test command %q does not cover every module of go.work", command)
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(command) + `( |$)`).Match(ci) {
		t.Errorf(".ci/run does not run the README's test command %q", command)
	}
}

// The Install section's list of the library's dependencies names every
// module outside the standard library that the module's packages import.
func TestReadmeNamesTheLibrarysDependencies(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the imports with")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)The library depends only on(.*?)\n\n`).FindSubmatch(readme)
	if m == nil {
		t.Fatal(`README.md has no "The library depends only on" paragraph`)
	}
	var named []string
	for _, q := range regexp.MustCompile("`([^`]+)`").FindAllSubmatch(m[1], -1) {
		named = append(named, string(q[1]))
	}
	out, err := exec.Command(goCmd, "list", "-f", `{{join .Imports "\n"}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, imp := range strings.Fields(string(out)) {
		if !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") || strings.HasPrefix(imp, "github.com/polarlicense/polarlicense-go") {
			continue // the standard library, or this module
		}
		found := false
		for _, n := range named {
			found = found || imp == n || strings.HasPrefix(imp, n+"/")
		}
		if !found {
			t.Errorf("the library imports %s, which README.md's Install section does not name among its dependencies %q", imp, named)
		}
	}
}
