package spec

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// prefix starts every error this package returns, so that a caller can tell a
// bad configuration from a runtime failure at a glance.
const prefix = "config.json: "

// fieldError is one configuration problem located at a JSON field path such
// as "linux.namespaces[2].type".
type fieldError struct {
	field string
	msg   string
	err   error // optional cause, kept for errors.Is (e.g. fs.ErrNotExist)
}

func (e *fieldError) Error() string {
	if e.field == "" {
		return prefix + oneLine(e.msg)
	}
	return prefix + oneLine(e.field) + ": " + oneLine(e.msg)
}

// oneLine escapes control characters and invalid UTF-8 in s, so that a
// message stays one printable line even when it quotes a path or value from
// the config verbatim.
func oneLine(s string) string {
	clean := func(r rune) bool { return r >= ' ' && r != 0x7f && r != utf8.RuneError }
	if strings.IndexFunc(s, func(r rune) bool { return !clean(r) }) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func (e *fieldError) Unwrap() error { return e.err }

// errorf builds a fieldError for field with a formatted reason.
func errorf(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// wrapf is errorf that also keeps cause for errors.Is/As.
func wrapf(field string, cause error, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...), err: cause}
}

// at returns the path of element i of the array at field: "mounts[3]".
func at(field string, i int) string {
	return fmt.Sprintf("%s[%d]", field, i)
}
