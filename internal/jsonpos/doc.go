package jsonpos

import (
	"errors"
	"fmt"

	"github.com/upkg/upkg/internal/fileerr"
)

// ParseError is a problem at a position in a JSON file: the one position
// error type of every format (fileerr.PositionError).
type ParseError = fileerr.PositionError

// Doc is one JSON file being decoded: its path and bytes, to turn byte
// offsets into *ParseError positions.
type Doc struct {
	Path string
	Data []byte
}

// Errorf is a *ParseError at byte offset off of the document.
func (d *Doc) Errorf(off int, format string, args ...any) *ParseError {
	line, col := Position(d.Data, off)
	return &ParseError{File: d.Path, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// Root parses the whole document and checks that it is an object; what names
// the document in the message.
func (d *Doc) Root(what string) (*Value, error) {
	v, err := Parse(d.Data)
	if err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return nil, d.Errorf(se.Offset, "%s", se.Msg)
		}
		return nil, fmt.Errorf("parse %s: %w", d.Path, err)
	}
	if v.Kind != Object {
		return nil, d.Errorf(v.Offset, "%s must be a JSON object, not %s", what, v.Kind)
	}
	return v, nil
}

// Want checks that v is of kind k; field names the value in the message.
func (d *Doc) Want(v *Value, k Kind, field string) error {
	if v.Kind != k {
		return d.Errorf(v.Offset, "%s must be %s, not %s", field, k, v.Kind)
	}
	return nil
}

// Unique reports the first key of obj that repeats an earlier one.
func (d *Doc) Unique(obj *Value, where string) error {
	seen := make(map[string]bool, len(obj.Members))
	for _, m := range obj.Members {
		if seen[m.Key] {
			return d.Errorf(m.KeyOffset, "%s: %q is listed twice", where, m.Key)
		}
		seen[m.Key] = true
	}
	return nil
}
