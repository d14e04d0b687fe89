package spec

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// maxHostnameLen is HOST_NAME_MAX (and the domainname limit) of
// sethostname(2) / setdomainname(2).
const maxHostnameLen = 64

// checkUTS checks hostname and domainname (config.md "Hostname",
// "Domainname"). Setting them changes the container's UTS namespace, so one
// that is not the runtime's must be configured; otherwise they would rename
// the host.
func checkUTS(s *specs.Spec) error {
	for _, v := range []struct{ field, value string }{
		{"hostname", s.Hostname},
		{"domainname", s.Domainname},
	} {
		if v.value == "" {
			continue
		}
		if err := checkString(v.field, v.value); err != nil {
			return err
		}
		if len(v.value) > maxHostnameLen {
			return errorf(v.field, "%d bytes is longer than the kernel limit of %d", len(v.value), maxHostnameLen)
		}
		if ok, why := privateNamespace(s, specs.UTSNamespace); !ok {
			return errorf(v.field, "requires a new uts namespace (%s)", why)
		}
	}
	return nil
}
