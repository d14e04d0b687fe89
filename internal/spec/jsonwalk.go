package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// jsonEvent is one key or one value start seen while walking a document.
type jsonEvent struct {
	path  string // field path of the key or value, e.g. "mounts[2].options"
	key   string // the key, for key events
	isKey bool
	dup   bool // key already present in the same object
	start int  // byte offset of the token's first byte
	end   int  // byte offset just past the token
}

// jsonFrame is one open object or array.
type jsonFrame struct {
	path    string
	array   bool
	index   int // arrays: index of the next element
	key     string
	wantKey bool // objects: the next string token is a key
	seen    map[string]bool
}

// walkJSON calls fn for every key and every value start (scalar, '{' or '[')
// of the syntactically valid document data, in order, until fn returns false.
func walkJSON(data []byte, fn func(jsonEvent) bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*jsonFrame
	prev := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		end := int(dec.InputOffset())
		start := skipSeparators(data, prev)
		prev = end

		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && !top.array && top.wantKey {
			key, _ := tok.(string)
			ev := jsonEvent{path: joinKey(top.path, key), key: key, isKey: true,
				dup: top.seen[key], start: start, end: end}
			top.seen[key] = true
			top.key, top.wantKey = key, false
			if !fn(ev) {
				return nil
			}
			continue
		}
		// A value: name it after its slot in the enclosing container.
		path := ""
		if top != nil {
			if top.array {
				path = fmt.Sprintf("%s[%d]", top.path, top.index)
				top.index++
			} else {
				path = joinKey(top.path, top.key)
				top.wantKey = true
			}
		}
		if !fn(jsonEvent{path: path, start: start, end: end}) {
			return nil
		}
		if d, ok := tok.(json.Delim); ok {
			f := &jsonFrame{path: path, array: d == '['}
			if !f.array {
				f.wantKey, f.seen = true, map[string]bool{}
			}
			stack = append(stack, f)
		}
	}
}

// skipSeparators moves off past whitespace, ',' and ':' to the next token.
func skipSeparators(data []byte, off int) int {
	for off < len(data) && (isJSONSpace(data[off]) || data[off] == ',' || data[off] == ':') {
		off++
	}
	return off
}

// JoinKey names field key of the object at path base, as errors do.
func JoinKey(base, key string) string { return joinKey(base, key) }

// joinKey appends an object key to a path: "process" + "args" is
// "process.args"; keys that are not plain identifiers (sysctl names,
// annotations) are quoted: `linux.sysctl["net.ipv4.ip_forward"]`.
func joinKey(base, key string) string {
	if !isIdent(key) {
		return base + "[" + strconv.Quote(key) + "]"
	}
	if base == "" {
		return key
	}
	return base + "." + key
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// pathAt returns the path and start offset of the value that encoding/json
// was decoding when it stopped at byte offset off (UnmarshalTypeError.Offset
// lies inside or at the end of the offending value's first token).
func pathAt(data []byte, off int64) (path string, start int) {
	found := false
	_ = walkJSON(data, func(ev jsonEvent) bool {
		if ev.isKey || int64(ev.end) < off {
			return true
		}
		path, start, found = ev.path, ev.start, true
		return false
	})
	if !found {
		return "", 0
	}
	return path, start
}

// checkDuplicateKeys rejects an object that names the same key twice. A
// byte scan finds out whether there is one (about 30 times faster than the
// token walk, which costs more than decoding the config); the walk then
// names it.
func checkDuplicateKeys(data []byte) error {
	if !hasDuplicateKey(data) {
		return nil
	}
	var dupErr error
	err := walkJSON(data, func(ev jsonEvent) bool {
		if ev.dup {
			dupErr = errorf(ev.path, "duplicate key %q (%s)", ev.key, position(data, ev.start))
			return false
		}
		return true
	})
	if dupErr != nil {
		return dupErr
	}
	if err != nil {
		return errorf("", "%s", trimJSONPrefix(err.Error()))
	}
	return nil
}

// hasDuplicateKey scans a syntactically valid JSON document for an object
// with a repeated key. Keys are compared after unescaping, so "a" and
// "\u0061" are the same key, as they are to a decoder.
func hasDuplicateKey(data []byte) bool {
	type level struct {
		object  bool
		wantKey bool
		keys    []string
		set     map[string]bool // once keys grows large
	}
	var stack []level
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{':
			stack = append(stack, level{object: true, wantKey: true})
		case '[':
			stack = append(stack, level{})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].wantKey = true
			}
		case '"':
			start := i
			escaped := false
			for i++; data[i] != '"'; i++ {
				if data[i] == '\\' {
					escaped = true
					i++
				}
			}
			n := len(stack)
			if n == 0 || !stack[n-1].object || !stack[n-1].wantKey {
				continue
			}
			top := &stack[n-1]
			top.wantKey = false
			key := string(data[start+1 : i])
			if escaped {
				if err := json.Unmarshal(data[start:i+1], &key); err != nil {
					continue
				}
			}
			if top.set != nil {
				if top.set[key] {
					return true
				}
				top.set[key] = true
				continue
			}
			for _, k := range top.keys {
				if k == key {
					return true
				}
			}
			top.keys = append(top.keys, key)
			if len(top.keys) > 16 {
				top.set = make(map[string]bool, 2*len(top.keys))
				for _, k := range top.keys {
					top.set[k] = true
				}
			}
		}
	}
	return false
}
