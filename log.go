package main

import (
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"time"
)

// logger writes skiff's own messages: to the --log file when given (in
// --log-format), and errors always to stderr too. For json, one object per
// line with lowercase "level", "msg" and "time": containerd's shim reads
// the last "level":"error" record's msg as the cause of a failed call.
type logger struct {
	file  *os.File
	json  bool
	debug bool
}

func openLogger(path, format string, debug bool) (*logger, error) {
	l := &logger{json: format == "json", debug: debug}
	if path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|syscall.O_CLOEXEC, 0o644)
		if err != nil {
			return nil, fmt.Errorf("--log %s: %w", path, err)
		}
		l.file = f
	}
	return l, nil
}

func (l *logger) write(level, msg string) {
	if l.file == nil {
		return
	}
	now := time.Now()
	if l.json {
		rec, _ := json.Marshal(struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Time  string `json:"time"`
		}{level, msg, now.Format(time.RFC3339Nano)})
		l.file.Write(append(rec, '\n'))
		return
	}
	fmt.Fprintf(l.file, "time=%q level=%s msg=%q\n", now.Format(time.RFC3339Nano), level, msg)
}

// Error reports a failed command.
func (l *logger) Error(err error) {
	l.write("error", err.Error())
	fmt.Fprintf(os.Stderr, "skiff: %s\n", err)
}

// Warn reports a problem that does not fail the command.
func (l *logger) Warn(err error) {
	l.write("warning", err.Error())
	fmt.Fprintf(os.Stderr, "skiff: warning: %s\n", err)
}

// Debugf logs when --debug is on, to the log file or stderr.
func (l *logger) Debugf(format string, args ...any) {
	if !l.debug {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if l.file != nil {
		l.write("debug", msg)
		return
	}
	fmt.Fprintf(os.Stderr, "skiff: debug: %s\n", msg)
}
