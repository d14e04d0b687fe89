package seccomp

import "fmt"

// prefix starts every configuration error, as in package spec, so that a
// bad profile reads the same whichever package found it.
const prefix = "config.json: "

// fieldError is one problem in linux.seccomp, located at a JSON field path
// such as "linux.seccomp.syscalls[2].action".
type fieldError struct {
	field string
	msg   string
	err   error // optional cause, kept for errors.Is
}

func (e *fieldError) Error() string { return prefix + e.field + ": " + e.msg }

func (e *fieldError) Unwrap() error { return e.err }

// errorf builds a fieldError for field with a formatted reason.
func errorf(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// wrapf is errorf that also keeps cause for errors.Is/As.
func wrapf(field string, cause error, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...) + ": " + cause.Error(), err: cause}
}

// at returns the path of element i of the array at field: "syscalls[3]".
func at(field string, i int) string {
	return fmt.Sprintf("%s[%d]", field, i)
}
