package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Load as config.json of a bundle with a
// rootfs directory. Load must not panic, must return a spec exactly when it
// returns no error, and every error must be one line starting with
// "config.json: ".
func FuzzLoad(f *testing.F) {
	// Real configs (seeds_test.go): `skiff spec` with and without
	// --rootless, Docker's with its seccomp profile, hooks, idmapped
	// mounts, every namespace by path; indented as files are.
	for _, s := range realConfigs(f) {
		data, err := json.MarshalIndent(s, "", "\t")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		minimalConfig,
		`{"ociVersion": "1.0.0", "process": {"user": {"uid": "0"}}}`,
		`{"ociVersion": "1.0.0", "linux": {"namespaces": [{"type": "network", "path": "/proc/self/ns/net"}], "sysctl": {"net.a": "1"}}}`,
		`{"ociVersion": "1.0.0", "root": {"path": "rootfs"}, "process": {"args": ["sh"], "cwd": "/"}, "hostname": "h"}`,
		`{"ociVersion": "1.0.0", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": []}]}}}`,
		`{"a": 1, "a": 2}`,
		"{\n  \"ociVersion\": \"1.0.0\",\n   }",
		"\xef\xbb\xbf{}",
		"{\"hostname\": \"\xff\"}",
		`[]`,
		`null`,
		``,
	} {
		f.Add([]byte(seed))
	}
	// One bundle per fuzzing process: inputs run one at a time in a process,
	// and a fresh directory per input would make minimization crawl.
	bundle := f.TempDir()
	if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(bundle)
		if err == nil {
			if s == nil {
				t.Fatal("Load returned neither spec nor error")
			}
			return
		}
		if s != nil {
			t.Fatalf("Load returned a spec with error %v", err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "config.json: ") {
			t.Fatalf("error %q does not start with \"config.json: \"", msg)
		}
		if strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("error %q is not one line", msg)
		}
	})
}
