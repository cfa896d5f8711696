package lockfile

import (
	"strconv"

	"github.com/upkg/upkg/internal/jsonpos"
)

// Parse parses Packages/packages-lock.json. path is used in error messages
// only. Entries and each entry's dependencies keep their file order (Marshal
// sorts; Parse does not). Malformed JSON, a missing or mistyped field, an
// unknown source, a negative or fractional depth and a name listed twice are
// *ParseError values naming path, line and column. Keys Unity does not write
// are ignored.
func Parse(path string, data []byte) (*Lock, error) {
	d := &document{jsonpos.Doc{Path: path, Data: data}}
	root, err := d.Root("the lock file")
	if err != nil {
		return nil, err
	}
	if err := d.Unique(root, "lock file"); err != nil {
		return nil, err
	}
	var deps *jsonpos.Value
	for _, m := range root.Members {
		if m.Key == "dependencies" {
			deps = m.Value
		}
	}
	if deps == nil {
		return nil, d.Errorf(root.Offset, "the lock file has no \"dependencies\"")
	}
	if err := d.Want(deps, jsonpos.Object, "dependencies"); err != nil {
		return nil, err
	}
	if err := d.Unique(deps, "dependencies"); err != nil {
		return nil, err
	}
	l := &Lock{Entries: make([]Entry, 0, len(deps.Members))}
	for _, m := range deps.Members {
		if m.Key == "" {
			return nil, d.Errorf(m.KeyOffset, "empty package name")
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
	if err := d.Want(v, jsonpos.Object, name); err != nil {
		return Entry{}, err
	}
	if err := d.Unique(v, name); err != nil {
		return Entry{}, err
	}
	e := Entry{Name: name}
	var hasVersion, hasDepth, hasSource bool
	for _, m := range v.Members {
		f := m.Value
		field := name + "." + m.Key
		switch m.Key {
		case "version":
			if err := d.Want(f, jsonpos.String, field); err != nil {
				return Entry{}, err
			}
			if f.Str == "" {
				return Entry{}, d.Errorf(f.Offset, "%s is empty", field)
			}
			e.Version, hasVersion = f.Str, true
		case "depth":
			if err := d.Want(f, jsonpos.Number, field); err != nil {
				return Entry{}, err
			}
			n, err := strconv.Atoi(f.Str)
			if err != nil || n < 0 {
				return Entry{}, d.Errorf(f.Offset, "%s must be a whole number 0 or more, not %s", field, f.Str)
			}
			e.Depth, hasDepth = n, true
		case "source":
			if err := d.Want(f, jsonpos.String, field); err != nil {
				return Entry{}, err
			}
			switch f.Str {
			case SourceRegistry, SourceBuiltin, SourceEmbedded, SourceLocal, SourceLocalTarball, SourceGit:
			default:
				return Entry{}, d.Errorf(f.Offset, "%s %q is not one of registry, builtin, embedded, local, local-tarball, git", field, f.Str)
			}
			e.Source, hasSource = f.Str, true
		case "dependencies":
			if err := d.Want(f, jsonpos.Object, field); err != nil {
				return Entry{}, err
			}
			if err := d.Unique(f, field); err != nil {
				return Entry{}, err
			}
			for _, dm := range f.Members {
				if err := d.Want(dm.Value, jsonpos.String, field+"."+dm.Key); err != nil {
					return Entry{}, err
				}
				e.Dependencies = append(e.Dependencies, Dep{Name: dm.Key, Version: dm.Value.Str})
			}
		case "url":
			if err := d.Want(f, jsonpos.String, field); err != nil {
				return Entry{}, err
			}
			e.URL = f.Str
		case "hash":
			if err := d.Want(f, jsonpos.String, field); err != nil {
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
			return Entry{}, d.Errorf(v.Offset, "%s has no %q", name, missing.key)
		}
	}
	return e, nil
}

// document is the lock file being decoded.
type document struct{ jsonpos.Doc }
