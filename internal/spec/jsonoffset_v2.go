//go:build goexperiment.jsonv2

package spec

// syntaxErrorByte is where the offending byte of a json.SyntaxError sits
// relative to its Offset: encoding/json implemented by encoding/json/v2
// (GOEXPERIMENT=jsonv2, the Makefile's build; the default from Go 1.27)
// points at the byte itself.
const syntaxErrorByte = 0
