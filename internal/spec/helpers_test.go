package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// newBundle returns a bundle directory holding an empty rootfs/.
func newBundle(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// validateCase is one Validate table entry: mutate a valid default config,
// then expect want as a substring of the error, or no error if want is "".
type validateCase struct {
	name   string
	mutate func(s *specs.Spec)
	want   string
}

func runValidateCases(t *testing.T, cases []validateCase) {
	t.Helper()
	bundle := newBundle(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Default(false)
			tc.mutate(s)
			err := Validate(s, bundle)
			checkErr(t, err, tc.want)
		})
	}
}

// checkErr asserts err matches want ("" = no error) and is one line
// starting with "config.json: ".
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "config.json: ") {
		t.Errorf("error %q does not start with \"config.json: \"", msg)
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error %q is not one line", msg)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("error %q\n does not contain %q", msg, want)
	}
}

func ptr[T any](v T) *T { return &v }

// ns builds a namespace list from types.
func ns(types ...specs.LinuxNamespaceType) []specs.LinuxNamespace {
	out := make([]specs.LinuxNamespace, len(types))
	for i, t := range types {
		out[i] = specs.LinuxNamespace{Type: t}
	}
	return out
}
