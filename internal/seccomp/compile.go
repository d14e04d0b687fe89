package seccomp

import (
	"context"
	"fmt"

	"github.com/skiffrt/skiff/internal/initbin"
	"github.com/skiffrt/skiff/internal/seccomp/bpf"
)

// EnvCompile selects skiff-init's compile mode (libinit/seccomptool.c).
const EnvCompile = "_SKIFF_SECCOMP_COMPILE"

// Compile has the libseccomp linked into skiff-init turn an encoded
// Filter (Encode) into the BPF program a container's init loads, on the
// host. An error skiff-init reports names the config field.
func Compile(ctx context.Context, encoded []byte) ([]byte, error) {
	prog, err := initbin.Run(ctx, EnvCompile+"=1", encoded)
	if err != nil {
		return nil, err
	}
	if _, err := bpf.Decode(prog); err != nil {
		return nil, fmt.Errorf("compile linux.seccomp: skiff-init's output: %w", err)
	}
	return prog, nil
}
