package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestErrorsAreOneLine(t *testing.T) {
	runValidateCases(t, []validateCase{
		{"newline in namespace path", func(s *specs.Spec) {
			s.Linux.Namespaces[1].Path = "/no\nsuch\tpath\x01"
		}, `config.json: linux.namespaces[1].path: /no\nsuch\tpath\x01: no such file or directory`},
		{"invalid utf-8 in message", func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/\xff", Type: "c"}}
		}, `config.json: linux.devices[0]: major and minor are required for type "c"`},
		{"invalid utf-8 in path", func(s *specs.Spec) {
			s.Root.Path = "root\xfffs"
		}, `root\xfffs: no such file or directory`},
	})
}

func TestValidateNil(t *testing.T) {
	checkErr(t, Validate(nil, "/b"), "config.json: no configuration")
}
