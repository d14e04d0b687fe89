package spec

import (
	"fmt"
	"strings"
	"testing"
)

// hasDuplicateKey must agree with the token walk that names the key.
func TestHasDuplicateKey(t *testing.T) {
	many := func(dup bool) string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&b, "%q: %d,", fmt.Sprintf("k%d", i), i)
		}
		if dup {
			b.WriteString(`"k7": 0`)
		} else {
			b.WriteString(`"last": 0`)
		}
		b.WriteString("}")
		return b.String()
	}
	for _, tc := range []struct {
		doc  string
		want bool
	}{
		{`{}`, false},
		{`{"a":1,"b":2}`, false},
		{`{"a":1,"a":2}`, true},
		{`{"a":{"a":1},"b":[{"a":1},{"a":2}]}`, false},
		{`{"a":[{"x":1,"x":2}]}`, true},
		{`{"a":"\"a\"","b":"a"}`, false},
		{`{"a":1,"\u0061":2}`, true},
		{`{"a\\":1,"a":2}`, false},
		{`{"k":"x,\"k\":1","k2":1}`, false},
		{many(false), false},
		{many(true), true},
	} {
		if got := hasDuplicateKey([]byte(tc.doc)); got != tc.want {
			t.Errorf("hasDuplicateKey(%.40s) = %v, want %v", tc.doc, got, tc.want)
		}
		err := checkDuplicateKeys([]byte(tc.doc))
		if (err != nil) != tc.want {
			t.Errorf("checkDuplicateKeys(%.40s) = %v, want error %v", tc.doc, err, tc.want)
		}
	}
}
