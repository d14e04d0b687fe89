package spec

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// writeConfig writes data as the bundle's config.json.
func writeConfig(t *testing.T, bundle, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

const minimalConfig = `{
	"ociVersion": "1.0.0",
	"root": {"path": "rootfs"},
	"process": {"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}},
	"linux": {"namespaces": [{"type": "mount"}]}
}`

func TestLoad(t *testing.T) {
	cases := []struct {
		name, data, want string
	}{
		{"minimal", minimalConfig, ""},
		{"unknown fields ignored", `{"ociVersion": "1.2.0", "root": {"path": "rootfs", "future": 1},
			"process": {"args": ["sh"], "cwd": "/", "newThing": [1, 2]}, "vm": null, "x-extension": {"a": "b"}}`, ""},
		{"syntax error", "{\n  \"ociVersion\": \"1.0.0\",\n    }\n",
			"config.json: line 3 column 5: invalid character '}' looking for beginning of object key string"},
		{"trailing comma in array", "{\"process\": {\"args\": [\"sh\",]}}",
			"config.json: line 1 column 28: invalid character ']' looking for beginning of value"},
		{"truncated", "{\"ociVersion\": \"1.0.0\"",
			"config.json: line 1 column 22: unexpected end of JSON input"},
		{"trailing garbage", minimalConfig + "\n}",
			"config.json: line 7 column 1: invalid character '}' after top-level value"},
		{"type mismatch", "{\n\t\"ociVersion\": \"1.0.0\",\n\t\"process\": {\"user\": {\"uid\": \"0\"}}\n}",
			"config.json: process.user.uid: cannot unmarshal string into uint32 (line 3 column 30)"},
		{"negative uid", `{"process": {"user": {"uid": -1}}}`,
			"config.json: process.user.uid: cannot unmarshal number -1 into uint32"},
		{"array index in path", `{"process": {"rlimits": [{"type": "RLIMIT_CORE"}, {"type": "RLIMIT_NOFILE", "soft": "1024"}]}}`,
			"config.json: process.rlimits[1].soft: cannot unmarshal string into uint64"},
		{"string for array", `{"process": {"args": "sh -c true"}}`,
			"config.json: process.args: cannot unmarshal string into array"},
		{"object for string", `{"hostname": {}}`,
			"config.json: hostname: cannot unmarshal object into string"},
		{"map key quoted", `{"linux": {"sysctl": {"net.ipv4.ip_forward": 1}}}`,
			`config.json: linux.sysctl["net.ipv4.ip_forward"]: cannot unmarshal number into string`},
		{"bool for bool ptr", `{"root": {"path": "rootfs", "readonly": "yes"}}`,
			"config.json: root.readonly: cannot unmarshal string into boolean"},
		{"invalid utf-8", "{\"ociVersion\": \"1.0.0\",\n \"hostname\": \"a\xffb\"}",
			"config.json: line 2 column 16: invalid UTF-8"},
		{"duplicate key", "{\"ociVersion\": \"1.0.0\",\n \"ociVersion\": \"1.0.0\"}",
			`config.json: ociVersion: duplicate key "ociVersion" (line 2 column 2)`},
		{"nested duplicate key", `{"process": {"args": ["sh"], "cwd": "/", "args": ["rm"]}}`,
			`config.json: process.args: duplicate key "args" (line 1 column 42)`},
		{"array top level", `[]`,
			"config.json: line 1 column 1: top-level value must be a JSON object, not array"},
		{"null top level", " null",
			"config.json: line 1 column 2: top-level value must be a JSON object"},
		{"string top level", `"x"`,
			"config.json: line 1 column 1: top-level value must be a JSON object, not string"},
		{"empty", "", "config.json: empty file"},
		{"whitespace", " \n\t", "config.json: empty file"},
		{"bom", "\xef\xbb\xbf" + minimalConfig, "config.json: line 1 column 1: byte order mark is not allowed in JSON"},
		{"then validates", `{"ociVersion": "1.0.0", "root": {"path": "rootfs"}, "process": {"args": ["sh"], "cwd": "."}}`,
			`config.json: process.cwd: "." is not an absolute path`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bundle := newBundle(t)
			writeConfig(t, bundle, tc.data)
			s, err := Load(bundle)
			checkErr(t, err, tc.want)
			if err == nil && s == nil {
				t.Fatal("nil spec without error")
			}
			if err != nil && s != nil {
				t.Fatal("spec returned with error")
			}
		})
	}
}

func TestLoadMissingRootfs(t *testing.T) {
	bundle := t.TempDir()
	writeConfig(t, bundle, minimalConfig)
	_, err := Load(bundle)
	checkErr(t, err, "config.json: root.path: "+filepath.Join(bundle, "rootfs")+": no such file or directory")
}

func TestLoadFileErrors(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		bundle := t.TempDir()
		_, err := Load(bundle)
		checkErr(t, err, "config.json: open "+filepath.Join(bundle, "config.json")+": no such file or directory")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		bundle := t.TempDir()
		if err := os.Mkdir(filepath.Join(bundle, "config.json"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := Load(bundle)
		checkErr(t, err, "config.json: "+filepath.Join(bundle, "config.json")+": not a regular file")
	})
	t.Run("fifo does not block", func(t *testing.T) {
		bundle := t.TempDir()
		if err := syscall.Mkfifo(filepath.Join(bundle, "config.json"), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		_, err := Load(bundle)
		checkErr(t, err, "not a regular file")
	})
	t.Run("too large", func(t *testing.T) {
		bundle := t.TempDir()
		f, err := os.Create(filepath.Join(bundle, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		// Sparse: no 16 MiB actually written.
		if err := f.Truncate(MaxConfigSize + 1); err != nil {
			t.Fatal(err)
		}
		f.Close()
		_, err = Load(bundle)
		checkErr(t, err, "config.json: "+filepath.Join(bundle, "config.json")+": 16777217 bytes is over the 16 MiB limit")
	})
	t.Run("symlink followed", func(t *testing.T) {
		bundle := newBundle(t)
		writeConfig(t, bundle, minimalConfig)
		if err := os.Rename(filepath.Join(bundle, "config.json"), filepath.Join(bundle, "real.json")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("real.json", filepath.Join(bundle, "config.json")); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(bundle); err != nil {
			t.Fatal(err)
		}
	})
}
