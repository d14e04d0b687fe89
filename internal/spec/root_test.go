package spec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateRoot(t *testing.T) {
	bundle := newBundle(t)
	if err := os.WriteFile(filepath.Join(bundle, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("rootfs", filepath.Join(bundle, "link")); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(bundle, "rootfs")
	cases := []struct {
		name string
		root *specs.Root
		want string
	}{
		{"relative", &specs.Root{Path: "rootfs"}, ""},
		{"absolute", &specs.Root{Path: abs}, ""},
		{"dotted", &specs.Root{Path: "./x/../rootfs/"}, ""},
		{"symlink to dir", &specs.Root{Path: "link"}, ""},
		{"no root", nil, "config.json: root: required"},
		{"no path", &specs.Root{}, "config.json: root.path: required"},
		{"missing", &specs.Root{Path: "nope"}, "config.json: root.path: " + filepath.Join(bundle, "nope") + ": no such file or directory"},
		{"file", &specs.Root{Path: "file"}, "config.json: root.path: " + filepath.Join(bundle, "file") + ": not a directory"},
		{"nul", &specs.Root{Path: "root\x00fs"}, "config.json: root.path: contains a NUL byte"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Default(false)
			s.Root = tc.root
			checkErr(t, Validate(s, bundle), tc.want)
		})
	}
}

func TestValidateRootMissingIsNotExist(t *testing.T) {
	s := Default(false)
	err := Validate(s, t.TempDir())
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
}

func TestRootfsPath(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		bundle, root, want string
	}{
		{"/b", "rootfs", "/b/rootfs"},
		{"/b/", "./rootfs/", "/b/rootfs"},
		{"/b", "/abs/root/../fs", "/abs/fs"},
		{"rel", "rootfs", filepath.Join(cwd, "rel/rootfs")},
		{"/b", "", ""},
	}
	for _, tc := range cases {
		s := &specs.Spec{Root: &specs.Root{Path: tc.root}}
		if got := RootfsPath(s, tc.bundle); got != tc.want {
			t.Errorf("RootfsPath(%q, %q) = %q, want %q", tc.root, tc.bundle, got, tc.want)
		}
	}
	if got := RootfsPath(&specs.Spec{}, "/b"); got != "" {
		t.Errorf("RootfsPath without root = %q, want \"\"", got)
	}
	if got := RootfsPath(nil, "/b"); got != "" {
		t.Errorf("RootfsPath(nil) = %q, want \"\"", got)
	}
}
