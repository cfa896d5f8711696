package manifest

import (
	"errors"
	"fmt"

	"github.com/upkg/upkg/internal/manifest/jsonpos"
)

// document is one JSON file being decoded: its path and bytes, to turn byte
// offsets into *ParseError positions.
type document struct {
	path string
	data []byte
}

// errorf is a *ParseError at byte offset off of the document.
func (d *document) errorf(off int, format string, args ...any) *ParseError {
	line, col := jsonpos.Position(d.data, off)
	return &ParseError{File: d.path, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// root parses the whole document and checks that it is an object.
func (d *document) root(what string) (*jsonpos.Value, error) {
	v, err := jsonpos.Parse(d.data)
	if err != nil {
		var se *jsonpos.SyntaxError
		if errors.As(err, &se) {
			return nil, d.errorf(se.Offset, "%s", se.Msg)
		}
		return nil, fmt.Errorf("parse %s: %w", d.path, err)
	}
	if v.Kind != jsonpos.Object {
		return nil, d.errorf(v.Offset, "%s must be a JSON object, not %s", what, v.Kind)
	}
	return v, nil
}

// want checks that v is of kind k; field names the value in the message.
func (d *document) want(v *jsonpos.Value, k jsonpos.Kind, field string) error {
	if v.Kind != k {
		return d.errorf(v.Offset, "%s must be %s, not %s", field, k, v.Kind)
	}
	return nil
}

// uniqueMembers reports the first key of obj that repeats an earlier one.
func (d *document) uniqueMembers(obj *jsonpos.Value, where string) error {
	seen := make(map[string]bool, len(obj.Members))
	for _, m := range obj.Members {
		if seen[m.Key] {
			return d.errorf(m.KeyOffset, "%s: %q is listed twice", where, m.Key)
		}
		seen[m.Key] = true
	}
	return nil
}
