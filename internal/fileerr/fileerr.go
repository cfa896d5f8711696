// Package fileerr is the one error type for a problem at a position in a
// file, shared by every file format upkg reads (manifest.json and
// package.json, packages-lock.json, .upmconfig.toml, .npmrc), so that the
// CLI maps them all to one exit code and every message reads the same.
package fileerr

import "fmt"

// PositionError is a problem at a position in a file.
type PositionError struct {
	// File is the file's path ("" when the caller adds it).
	File string
	// Line and Column are 1-based; Column counts characters, not bytes.
	Line, Column int
	// Msg says what is wrong, without quoting secrets.
	Msg string
}

// Error formats "file:line:column: message", or "line:column: message"
// when File is empty.
func (e *PositionError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}
