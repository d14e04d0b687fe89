package spec

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// MaxConfigSize caps config.json. Real configs are a few KiB; the cap keeps a
// runaway or hostile file from making create allocate without bound.
const MaxConfigSize = 16 << 20

// Load reads <bundle>/config.json, decodes it strictly (see decode) and then
// calls Validate. Every error it returns starts with "config.json: ".
func Load(bundle string) (*specs.Spec, error) {
	s, _, err := LoadRaw(bundle)
	return s, err
}

// LoadRaw is Load that also returns config.json's bytes, valid JSON
// without duplicate keys, for a caller that stores the spec: re-encoding
// it costs a cold encoder about as much as the decode did.
func LoadRaw(bundle string) (*specs.Spec, []byte, error) {
	data, err := readConfig(filepath.Join(bundle, "config.json"))
	if err != nil {
		return nil, nil, err
	}
	s, err := decode(data)
	if err != nil {
		return nil, nil, err
	}
	if err := Validate(s, bundle); err != nil {
		return nil, nil, err
	}
	return s, data, nil
}

// readConfig reads at most MaxConfigSize bytes of a regular file.
func readConfig(path string) ([]byte, error) {
	// O_NONBLOCK so that a FIFO planted as config.json cannot hang create in
	// open(2); it is rejected by the regular-file check below.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, wrapf("", err, "%v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, wrapf("", err, "%v", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, errorf("", "%s: not a regular file", path)
	}
	if fi.Size() > MaxConfigSize {
		return nil, errorf("", "%s: %d bytes is over the %s limit", path, fi.Size(), sizeString(MaxConfigSize))
	}
	// Read one byte past the cap: the file may have grown since the stat.
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, wrapf("", err, "read %s: %v", path, unwrapPath(err))
	}
	if len(data) > MaxConfigSize {
		return nil, errorf("", "%s: larger than the %s limit", path, sizeString(MaxConfigSize))
	}
	return data, nil
}

// sizeString renders a byte count in MiB for messages.
func sizeString(n int) string {
	return fmt.Sprintf("%d MiB", n>>20)
}

// unwrapPath strips the *PathError wrapper so messages do not repeat the
// operation and path the caller already names.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
