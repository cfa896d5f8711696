package manifest

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/upkg/upkg/internal/jsonpos"
)

// Resolution strategies (UPM-SPEC §5).
const (
	StrategyLowest       = "lowest"
	StrategyHighestPatch = "highestPatch"
	StrategyHighestMinor = "highestMinor"
	StrategyHighest      = "highest"
)

// Parse parses Packages/manifest.json. path is used in error messages only.
//
// Every problem is a *ParseError naming path, line and column: malformed
// JSON, values of the wrong type, a key listed twice, an invalid package name,
// a dependency value that is not an exact version, file: path or Git URL (a
// version range gets its own message), a scoped registry without a usable URL
// and an unknown resolutionStrategy. Keys UPM does not define are ignored.
// EnableLockFile defaults to true and ResolutionStrategy to "lowest".
func Parse(path string, data []byte) (*Manifest, error) {
	d := &document{jsonpos.Doc{Path: path, Data: data}}
	root, err := d.Root("the manifest")
	if err != nil {
		return nil, err
	}
	if err := d.Unique(root, "manifest"); err != nil {
		return nil, err
	}
	m := &Manifest{Path: path, EnableLockFile: true, ResolutionStrategy: StrategyLowest}
	for _, mem := range root.Members {
		v := mem.Value
		switch mem.Key {
		case "dependencies":
			m.Dependencies, err = d.dependencies(v, "dependencies", true)
		case "scopedRegistries":
			m.ScopedRegistries, err = d.scopedRegistries(v)
		case "testables":
			m.Testables, err = d.testables(v)
		case "enableLockFile":
			err = d.Want(v, jsonpos.Bool, "enableLockFile")
			m.EnableLockFile = v.Bool
		case "resolutionStrategy":
			if err = d.Want(v, jsonpos.String, "resolutionStrategy"); err == nil {
				switch v.Str {
				case StrategyLowest, StrategyHighestPatch, StrategyHighestMinor, StrategyHighest:
					m.ResolutionStrategy = v.Str
				default:
					err = d.Errorf(v.Offset, "resolutionStrategy %q is not one of %q, %q, %q, %q",
						v.Str, StrategyLowest, StrategyHighestPatch, StrategyHighestMinor, StrategyHighest)
				}
			}
		case "registry":
			if err = d.Want(v, jsonpos.String, "registry"); err == nil && v.Str != "" {
				if msg := checkRegistryURL(v.Str); msg != "" {
					err = d.Errorf(v.Offset, "registry: %s", msg)
				}
				m.Registry = v.Str
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// dependencies decodes a name → value object. In manifest.json (anyURL) a
// value may be any ParseSpec form; in package.json only an exact version.
func (d *document) dependencies(v *jsonpos.Value, field string, anyURL bool) ([]Dependency, error) {
	if err := d.Want(v, jsonpos.Object, field); err != nil {
		return nil, err
	}
	if err := d.Unique(v, field); err != nil {
		return nil, err
	}
	deps := make([]Dependency, 0, len(v.Members))
	at := jsonpos.NewCursor(d.Data)
	for _, mem := range v.Members {
		if err := ValidateName(mem.Key); err != nil {
			return nil, d.Errorf(mem.KeyOffset, "%s: %q: %v", field, mem.Key, err)
		}
		val := mem.Value
		if val.Kind != jsonpos.String {
			return nil, d.Errorf(val.Offset, "%s: the version must be a string, not %s", mem.Key, val.Kind)
		}
		spec, err := ParseSpec(val.Str)
		switch {
		case anyURL:
		case err != nil:
			return nil, d.Errorf(val.Offset, "%s: %v", mem.Key, err)
		case spec.Kind != SpecVersion:
			return nil, d.Errorf(val.Offset, "%s: %q: a package's own dependencies must be exact versions (file: paths and Git URLs are allowed only in the project manifest)", mem.Key, val.Str)
		}
		// In a manifest an invalid value is kept, with its error (SpecErr):
		// an embedded package of the same name overrides the request
		// without reading it; whoever resolves the manifest reports the
		// value otherwise (with this position, CheckValues).
		line, col := at.Position(val.Offset)
		deps = append(deps, Dependency{Name: mem.Key, Version: val.Str, Spec: spec, SpecErr: err, Line: line, Column: col})
	}
	return deps, nil
}

func (d *document) scopedRegistries(v *jsonpos.Value) ([]ScopedRegistry, error) {
	if err := d.Want(v, jsonpos.Array, "scopedRegistries"); err != nil {
		return nil, err
	}
	regs := make([]ScopedRegistry, 0, len(v.Elems))
	for i, el := range v.Elems {
		where := fmt.Sprintf("scopedRegistries[%d]", i)
		if err := d.Want(el, jsonpos.Object, where); err != nil {
			return nil, err
		}
		if err := d.Unique(el, where); err != nil {
			return nil, err
		}
		var reg ScopedRegistry
		hasURL := false
		for _, mem := range el.Members {
			val := mem.Value
			switch mem.Key {
			case "name":
				if err := d.Want(val, jsonpos.String, where+".name"); err != nil {
					return nil, err
				}
				reg.Name = val.Str
			case "url":
				if err := d.Want(val, jsonpos.String, where+".url"); err != nil {
					return nil, err
				}
				if msg := checkRegistryURL(val.Str); msg != "" {
					return nil, d.Errorf(val.Offset, "%s.url: %s", where, msg)
				}
				reg.URL, hasURL = val.Str, true
			case "scopes":
				if err := d.Want(val, jsonpos.Array, where+".scopes"); err != nil {
					return nil, err
				}
				reg.Scopes = make([]string, 0, len(val.Elems))
				for _, s := range val.Elems {
					if err := d.Want(s, jsonpos.String, where+".scopes[]"); err != nil {
						return nil, err
					}
					if s.Str == "" || strings.TrimSpace(s.Str) != s.Str {
						return nil, d.Errorf(s.Offset, "%s.scopes: %q is not a valid scope (a package name or a prefix of one, such as \"com.example\")", where, s.Str)
					}
					reg.Scopes = append(reg.Scopes, s.Str)
				}
			}
		}
		if !hasURL {
			return nil, d.Errorf(el.Offset, "%s has no \"url\"", where)
		}
		regs = append(regs, reg)
	}
	return regs, nil
}

func (d *document) testables(v *jsonpos.Value) ([]string, error) {
	if err := d.Want(v, jsonpos.Array, "testables"); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(v.Elems))
	for _, el := range v.Elems {
		if err := d.Want(el, jsonpos.String, "testables[]"); err != nil {
			return nil, err
		}
		names = append(names, el.Str)
	}
	return names, nil
}

// checkRegistryURL returns why u cannot be a registry URL, or "".
func checkRegistryURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Sprintf("%q is not an http(s) URL such as \"https://npm.example.com\"", u)
	}
	return ""
}

// CheckValues reports the first dependency whose value is no exact version,
// file: path or Git URL, as a *ParseError at its position; nil if there is
// none. Parse keeps such entries because an embedded package of the same
// name overrides the request without the Editor reading it: embedded (nil
// for none) says which names are embedded.
func (m *Manifest) CheckValues(embedded func(name string) bool) error {
	for _, d := range m.Dependencies {
		if embedded != nil && embedded(d.Name) {
			continue
		}
		if err := d.ValueError(m.Path); err != nil {
			return err
		}
	}
	return nil
}
