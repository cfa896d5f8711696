package lockfile

import "fmt"

// ParseError is a malformed lock file. Error() reads
// "file:line:column: message" (line and column 1-based, the column counted
// in characters).
type ParseError struct {
	File         string
	Line, Column int
	Msg          string
}

// Error reads "file:line:column: message".
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}
