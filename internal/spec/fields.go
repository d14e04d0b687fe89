package spec

import (
	"path/filepath"
	"strings"
)

// Helpers shared by the section checks for the kinds of value that recur
// across the config: strings handed to system calls, absolute paths and
// environment lists.

// checkString rejects a NUL byte: every string in the config ends up as a
// C string in some system call, where a NUL would silently truncate it.
func checkString(field, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return errorf(field, "contains a NUL byte")
	}
	return nil
}

// checkAbs requires a non-empty absolute path without NUL bytes.
func checkAbs(field, p string) error {
	if p == "" {
		return errorf(field, "required")
	}
	if err := checkString(field, p); err != nil {
		return err
	}
	if !filepath.IsAbs(p) {
		return errorf(field, "%q is not an absolute path", p)
	}
	return nil
}

// checkAbsList applies checkAbs to every element of list.
func checkAbsList(field string, list []string) error {
	for i, p := range list {
		if err := checkAbs(at(field, i), p); err != nil {
			return err
		}
	}
	return nil
}

// checkEnv checks an environ(7) list (process.env, hooks[].env): every entry
// is NAME=value with a non-empty NAME (IEEE Std 1003.1-2008 XBD 8.1, which
// config.md "Process" refers to).
func checkEnv(field string, env []string) error {
	for i, kv := range env {
		f := at(field, i)
		if err := checkString(f, kv); err != nil {
			return err
		}
		name, _, ok := strings.Cut(kv, "=")
		if !ok {
			return errorf(f, "%q is not of the form NAME=value", kv)
		}
		if name == "" {
			return errorf(f, "%q has an empty variable name", kv)
		}
	}
	return nil
}

// checkStrings applies checkString to every element of list.
func checkStrings(field string, list []string) error {
	for i, s := range list {
		if err := checkString(at(field, i), s); err != nil {
			return err
		}
	}
	return nil
}
