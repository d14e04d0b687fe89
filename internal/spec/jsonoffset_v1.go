//go:build !goexperiment.jsonv2

package spec

// syntaxErrorByte is where the offending byte of a json.SyntaxError sits
// relative to its Offset: encoding/json's own implementation counts the
// byte itself.
const syntaxErrorByte = -1
