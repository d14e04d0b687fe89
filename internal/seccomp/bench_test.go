//go:build amd64

package seccomp

import (
	"encoding/json"
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The host-side cost of a seccomp profile on every create and exec:
// decoding it with the config, checking and translating it, and encoding
// it as the program cache's key.

func BenchmarkDecodeDocker(b *testing.B) {
	data, err := os.ReadFile("testdata/docker-default.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var sc specs.LinuxSeccomp
		if err := json.Unmarshal(data, &sc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTranslateDocker(b *testing.B) {
	sc := dockerProfile(b)
	b.ReportAllocs()
	for b.Loop() {
		f, err := Translate(sc)
		if err != nil {
			b.Fatal(err)
		}
		f.Encode()
	}
}
