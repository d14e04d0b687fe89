package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidateVersion(t *testing.T) {
	set := func(v string) func(*specs.Spec) { return func(s *specs.Spec) { s.Version = v } }
	runValidateCases(t, []validateCase{
		{"1.0.0", set("1.0.0"), ""},
		{"1.0.2-dev", set("1.0.2-dev"), ""},
		{"1.1.0-rc.1+build.5", set("1.1.0-rc.1+build.5"), ""},
		{"1.2.1", set("1.2.1"), ""},
		{"1.3.0", set("1.3.0"), ""},
		{"1.3.7", set("1.3.7"), ""},
		{"future minor", set("1.9.0"), ""},
		{"missing", set(""), "config.json: ociVersion: required"},
		{"two parts", set("1.0"), `config.json: ociVersion: "1.0" is not a semantic version`},
		{"v prefix", set("v1.0.0"), `config.json: ociVersion: "v1.0.0" is not a semantic version`},
		{"leading zero", set("1.01.0"), `is not a semantic version`},
		{"empty prerelease", set("1.0.0-"), `is not a semantic version`},
		{"prerelease leading zero", set("1.0.0-01"), `is not a semantic version`},
		{"bad build", set("1.0.0+a..b"), `is not a semantic version`},
		{"major 0", set("0.1.0"), `config.json: ociVersion: unsupported version "0.1.0" (skiff implements 1.x)`},
		{"major 2", set("2.0.0"), `config.json: ociVersion: unsupported version "2.0.0"`},
	})
}
