package bpf

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoCgo keeps the package free of cgo and libseccomp: only the
// standard library and golang.org/x/sys may come in.
func TestNoCgo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			std := !strings.Contains(strings.Split(path, "/")[0], ".")
			if path == "C" || (!std && !strings.HasPrefix(path, "golang.org/x/sys/")) {
				t.Errorf("%s imports %q", name, path)
			}
		}
	}
}
