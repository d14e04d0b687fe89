package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"unicode/utf8"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// decode turns config.json bytes into a Spec. It is stricter than
// json.Unmarshal on its own:
//   - invalid UTF-8 is an error (encoding/json would silently replace it with
//     U+FFFD, changing paths and arguments behind the user's back);
//   - syntax errors carry a line and column;
//   - type mismatches name the field path, with array indices;
//   - the top-level value must be an object;
//   - duplicate keys in one object are an error, because which one wins is
//     unspecified by RFC 8259 §4 and a silently ignored value is a trap.
//
// Unknown fields are ignored: config.md "Extensibility" says runtimes MUST
// NOT error on unknown properties.
func decode(data []byte) (*specs.Spec, error) {
	if off := invalidUTF8(data); off >= 0 {
		return nil, errorf("", "%s: invalid UTF-8", position(data, off))
	}
	first := firstNonSpace(data)
	if first < 0 {
		return nil, errorf("", "empty file")
	}
	// RFC 8259 §8.1: JSON text MUST NOT begin with a byte order mark; say so
	// rather than "invalid character 'ï'".
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, errorf("", "line 1 column 1: byte order mark is not allowed in JSON")
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, jsonError(data, err)
	}
	if data[first] != '{' {
		return nil, errorf("", "%s: top-level value must be a JSON object", position(data, first))
	}
	if err := checkDuplicateKeys(data); err != nil {
		return nil, err
	}
	return &s, nil
}

// jsonError rewrites an encoding/json error into "config.json: ..." form.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		// An unexpected end is reported at the last byte.
		off := min(int(syn.Offset)+syntaxErrorByte, len(data)-1)
		return wrapf("", err, "%s: %s", position(data, off), syn.Error())
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		path, start := pathAt(data, typ.Offset)
		if path == "" {
			path = typ.Field
		}
		if path == "" {
			return wrapf("", err, "%s: top-level value must be a JSON object, not %s",
				position(data, firstNonSpace(data)), typ.Value)
		}
		return wrapf(path, err, "cannot unmarshal %s into %s (%s)",
			typ.Value, jsonTypeName(typ.Type), position(data, start))
	}
	return wrapf("", err, "%s", trimJSONPrefix(err.Error()))
}

// jsonTypeName names a Go type the way a config author thinks of it: JSON
// kinds for containers, the Go integer kind for numbers (it carries the range).
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Interface:
		return "value"
	default:
		return t.Kind().String()
	}
}

func trimJSONPrefix(s string) string {
	if rest, ok := bytes.CutPrefix([]byte(s), []byte("json: ")); ok {
		return string(rest)
	}
	return s
}

// invalidUTF8 returns the offset of the first byte that is not valid UTF-8,
// or -1.
func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for off := 0; off < len(data); {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n <= 1 {
			return off
		}
		off += n
	}
	return -1
}

// firstNonSpace returns the offset of the first non-whitespace byte (JSON
// whitespace, RFC 8259 §2), or -1.
func firstNonSpace(data []byte) int {
	for i, c := range data {
		if !isJSONSpace(c) {
			return i
		}
	}
	return -1
}

func isJSONSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// position renders byte offset off of data as "line L column C", 1-based,
// columns counted in characters.
func position(data []byte, off int) string {
	off = max(0, min(off, len(data)))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	col := 1 + utf8.RuneCount(data[start:off])
	return fmt.Sprintf("line %d column %d", line, col)
}
