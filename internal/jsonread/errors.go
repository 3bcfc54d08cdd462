package jsonread

import "strconv"

// SyntaxError reports malformed JSON. Offset is the byte offset in the input
// where the problem was found (the length of the input for a truncated
// document). Msg describes the problem; it never quotes the input.
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error implements the error interface.
func (e *SyntaxError) Error() string {
	return "jsonread: syntax error at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// TypeError reports a well-formed value that cannot be converted to what the
// caller asked for. Offset is the byte offset where the value starts, Want the
// Go kind asked for ("string", "int64", "bool", "object" or "array") and Got a
// short word for what was found ("string", "number", "bool", "null", "object"
// or "array"). The value itself is never included: it may be secret.
type TypeError struct {
	Offset int
	Want   string
	Got    string
}

// Error implements the error interface.
func (e *TypeError) Error() string {
	return "jsonread: cannot read " + e.Got + " at offset " + strconv.Itoa(e.Offset) + " as " + e.Want
}

// Messages of SyntaxError, kept as constants so that tests can match them.
const (
	msgEOF         = "unexpected end of input"
	msgValue       = "invalid character looking for beginning of value"
	msgLiteral     = "invalid literal"
	msgNumber      = "invalid number"
	msgEscape      = "invalid escape sequence in string"
	msgControl     = "control character in string"
	msgKey         = "expected string key"
	msgColon       = "expected ':' after object key"
	msgObjectSep   = "expected ',' or '}' after object member"
	msgArraySep    = "expected ',' or ']' after array element"
	msgTooDeep     = "nesting too deep"
	msgTrailing    = "invalid data after top-level value"
	msgUnclosed    = "end of document inside an object or array"
	msgNotInObject = "Member called outside an object"
	msgNotInArray  = "Next called outside an array"
)
