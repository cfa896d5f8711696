package lockfile

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/upkg/upkg/internal/manifest/jsonpos"
)

// Parse parses Packages/packages-lock.json. path is used in error messages
// only. Entries and each entry's dependencies keep their file order (Marshal
// sorts; Parse does not). Malformed JSON, a missing or mistyped field, an
// unknown source, a negative or fractional depth and a name listed twice are
// *ParseError values naming path, line and column. Keys Unity does not write
// are ignored.
func Parse(path string, data []byte) (*Lock, error) {
	d := &document{path: path, data: data}
	root, err := jsonpos.Parse(data)
	if err != nil {
		var se *jsonpos.SyntaxError
		if errors.As(err, &se) {
			return nil, d.errorf(se.Offset, "%s", se.Msg)
		}
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if root.Kind != jsonpos.Object {
		return nil, d.errorf(root.Offset, "the lock file must be a JSON object, not %s", root.Kind)
	}
	if err := d.unique(root, "lock file"); err != nil {
		return nil, err
	}
	var deps *jsonpos.Value
	for _, m := range root.Members {
		if m.Key == "dependencies" {
			deps = m.Value
		}
	}
	if deps == nil {
		return nil, d.errorf(root.Offset, "the lock file has no \"dependencies\"")
	}
	if err := d.want(deps, jsonpos.Object, "dependencies"); err != nil {
		return nil, err
	}
	if err := d.unique(deps, "dependencies"); err != nil {
		return nil, err
	}
	l := &Lock{Entries: make([]Entry, 0, len(deps.Members))}
	for _, m := range deps.Members {
		if m.Key == "" {
			return nil, d.errorf(m.KeyOffset, "empty package name")
		}
		e, err := d.entry(m.Key, m.Value)
		if err != nil {
			return nil, err
		}
		l.Entries = append(l.Entries, e)
	}
	return l, nil
}

func (d *document) entry(name string, v *jsonpos.Value) (Entry, error) {
	if err := d.want(v, jsonpos.Object, name); err != nil {
		return Entry{}, err
	}
	if err := d.unique(v, name); err != nil {
		return Entry{}, err
	}
	e := Entry{Name: name}
	var hasVersion, hasDepth, hasSource bool
	for _, m := range v.Members {
		f := m.Value
		field := name + "." + m.Key
		switch m.Key {
		case "version":
			if err := d.want(f, jsonpos.String, field); err != nil {
				return Entry{}, err
			}
			if f.Str == "" {
				return Entry{}, d.errorf(f.Offset, "%s is empty", field)
			}
			e.Version, hasVersion = f.Str, true
		case "depth":
			if err := d.want(f, jsonpos.Number, field); err != nil {
				return Entry{}, err
			}
			n, err := strconv.Atoi(f.Str)
			if err != nil || n < 0 {
				return Entry{}, d.errorf(f.Offset, "%s must be a whole number 0 or more, not %s", field, f.Str)
			}
			e.Depth, hasDepth = n, true
		case "source":
			if err := d.want(f, jsonpos.String, field); err != nil {
				return Entry{}, err
			}
			switch f.Str {
			case SourceRegistry, SourceBuiltin, SourceEmbedded, SourceLocal, SourceLocalTarball, SourceGit:
			default:
				return Entry{}, d.errorf(f.Offset, "%s %q is not one of registry, builtin, embedded, local, local-tarball, git", field, f.Str)
			}
			e.Source, hasSource = f.Str, true
		case "dependencies":
			if err := d.want(f, jsonpos.Object, field); err != nil {
				return Entry{}, err
			}
			if err := d.unique(f, field); err != nil {
				return Entry{}, err
			}
			for _, dm := range f.Members {
				if err := d.want(dm.Value, jsonpos.String, field+"."+dm.Key); err != nil {
					return Entry{}, err
				}
				e.Dependencies = append(e.Dependencies, Dep{Name: dm.Key, Version: dm.Value.Str})
			}
		case "url":
			if err := d.want(f, jsonpos.String, field); err != nil {
				return Entry{}, err
			}
			e.URL = f.Str
		case "hash":
			if err := d.want(f, jsonpos.String, field); err != nil {
				return Entry{}, err
			}
			e.Hash = f.Str
		}
	}
	for _, missing := range []struct {
		has bool
		key string
	}{{hasVersion, "version"}, {hasDepth, "depth"}, {hasSource, "source"}} {
		if !missing.has {
			return Entry{}, d.errorf(v.Offset, "%s has no %q", name, missing.key)
		}
	}
	return e, nil
}

// document is the lock file being decoded, to turn offsets into positions.
type document struct {
	path string
	data []byte
}

func (d *document) errorf(off int, format string, args ...any) *ParseError {
	line, col := jsonpos.Position(d.data, off)
	return &ParseError{File: d.path, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (d *document) want(v *jsonpos.Value, k jsonpos.Kind, field string) error {
	if v.Kind != k {
		return d.errorf(v.Offset, "%s must be %s, not %s", field, k, v.Kind)
	}
	return nil
}

func (d *document) unique(obj *jsonpos.Value, where string) error {
	seen := make(map[string]bool, len(obj.Members))
	for _, m := range obj.Members {
		if seen[m.Key] {
			return d.errorf(m.KeyOffset, "%s: %q is listed twice", where, m.Key)
		}
		seen[m.Key] = true
	}
	return nil
}
