package spec

import (
	"strings"
)

// supportedMajor is the only spec major version skiff implements. config.md
// "Specification version": the spec keeps compatibility within a major
// version, so any 1.x.y config is accepted, including minors newer than the
// 1.3.0 this runtime was written against (new fields are then ignored as
// unknown properties, config.md "Extensibility").
const supportedMajor = "1"

// checkVersion checks ociVersion: REQUIRED and in SemVer v2.0.0 format
// (config.md "Specification version").
func checkVersion(v string) error {
	if v == "" {
		return errorf("ociVersion", "required")
	}
	major, ok := parseSemver(v)
	if !ok {
		return errorf("ociVersion", "%q is not a semantic version (want e.g. \"1.3.0\")", v)
	}
	if major != supportedMajor {
		return errorf("ociVersion", "unsupported version %q (skiff implements 1.x)", v)
	}
	return nil
}

// parseSemver reports whether v is MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]
// per semver.org 2.0.0, and returns MAJOR.
func parseSemver(v string) (major string, ok bool) {
	v, build, hasBuild := strings.Cut(v, "+")
	if hasBuild && !validIdents(build, false) {
		return "", false
	}
	core, pre, hasPre := strings.Cut(v, "-")
	if hasPre && !validIdents(pre, true) {
		return "", false
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return "", false
	}
	for _, p := range parts {
		if !isNumeric(p) || (len(p) > 1 && p[0] == '0') {
			return "", false
		}
	}
	return parts[0], true
}

// validIdents checks dot-separated identifiers of [0-9A-Za-z-]; in a
// pre-release, numeric identifiers must not have leading zeros.
func validIdents(s string, pre bool) bool {
	for id := range strings.SplitSeq(s, ".") {
		if id == "" {
			return false
		}
		for _, c := range id {
			if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
		if pre && isNumeric(id) && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
