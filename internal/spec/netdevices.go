package spec

import (
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// maxIfNameLen is IFNAMSIZ-1, the longest network interface name.
const maxIfNameLen = 15

// checkNetDevices checks linux.netDevices (config-linux.md "Network
// Devices"): host and container names must be valid interface names, the
// container names unique, and the container must have a network namespace
// of its own to move them into; moving into the runtime's would be a no-op
// that later "cleanup" could not undo.
func checkNetDevices(s *specs.Spec) error {
	if s.Linux == nil || len(s.Linux.NetDevices) == 0 {
		return nil
	}
	names := make([]string, 0, len(s.Linux.NetDevices))
	for n := range s.Linux.NetDevices {
		names = append(names, n)
	}
	sort.Strings(names)
	target := map[string]string{}
	for _, host := range names {
		f := joinKey("linux.netDevices", host)
		if !validIfName(host) {
			return errorf("linux.netDevices", "%q is not a valid interface name", host)
		}
		in := s.Linux.NetDevices[host].Name
		if in == "" {
			in = host
		}
		if !validIfName(in) {
			return errorf(f+".name", "%q is not a valid interface name", in)
		}
		// "%d" asks the kernel for a unique name, so it may repeat.
		if other, dup := target[in]; dup && !strings.Contains(in, "%d") {
			return errorf(f+".name", "%q is also the container name of %q", in, other)
		}
		target[in] = host
	}
	if ok, why := privateNamespace(s, specs.NetworkNamespace); !ok {
		return errorf("linux.netDevices", "requires a new or joined network namespace (%s)", why)
	}
	return nil
}

// validIfName mirrors the kernel's dev_valid_name(): 1 to 15 bytes, not "."
// or "..", and no '/', ':' or white space.
func validIfName(n string) bool {
	if n == "" || len(n) > maxIfNameLen || n == "." || n == ".." {
		return false
	}
	for _, c := range []byte(n) {
		if c == '/' || c == ':' || c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}
