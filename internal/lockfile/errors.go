package lockfile

import "github.com/upkg/upkg/internal/jsonpos"

// ParseError is a malformed lock file. Error() reads
// "file:line:column: message" (line and column 1-based, the column counted
// in characters).
type ParseError = jsonpos.ParseError
