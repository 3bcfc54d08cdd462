package polarlicense

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packagePrefix is how an error text names its package: "polarlicense: ",
// "hostid: ", "audit: ".
var packagePrefix = regexp.MustCompile(`^[a-z][a-z0-9]*: `)

// The exported sentinel errors of every package of the repository agree:
// they are causes, so their texts carry no package prefix (the error that
// wraps one gives it once). Read from the source, so that a sentinel added
// later is held to it too.
func TestSentinelErrorsHaveNoPrefix(t *testing.T) {
	found := map[string]string{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Err") || i >= len(vs.Values) {
						continue
					}
					if text, ok := errorsNewText(vs.Values[i]); ok {
						found[f.Name.Name+"."+name.Name] = text
					}
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, found, "polarlicense.ErrUncertainOutcome", "the walk found the package's sentinels")
	require.Contains(t, found, "hostid.ErrImplausibleControlFile", "and its subpackages'")
	for name, text := range found {
		assert.False(t, packagePrefix.MatchString(text), "%s = %q: a sentinel's text has no package prefix", name, text)
	}
}

// errorsNewText is the text of errors.New("…").
func errorsNewText(e ast.Expr) (string, bool) {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "New" {
		return "", false
	}
	if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "errors" {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	text, err := strconv.Unquote(lit.Value)
	return text, err == nil
}

// Wrapped, a sentinel's text follows its wrapper's prefix once.
func TestSentinelWrappedOnce(t *testing.T) {
	for _, err := range []error{
		&LicenseFileError{Path: "/l", Op: "inspect", Err: ErrLicenseFileExists},
		&PageError{PageNumber: 2, Err: ErrInconsistentPages},
		&OperationError{Operation: "CreateActivationCode", Attempts: 1, Err: &uncertainError{err: ErrUncertainOutcome, op: "CreateActivationCode"}},
	} {
		assert.Equal(t, 1, strings.Count(err.Error(), "polarlicense:"), err.Error())
		assert.True(t, strings.HasPrefix(err.Error(), "polarlicense: "), err.Error())
	}
	assert.Equal(t, "no more pages", ErrNoMorePages.Error())
}
