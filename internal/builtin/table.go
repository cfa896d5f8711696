package builtin

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	segjson "github.com/segmentio/encoding/json"
	"github.com/upkg/upkg/internal/jsonorder"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// The tables under data/ are generated (go run ./internal/builtin/gen) from
// Unity-written lock files, each beside the ProjectVersion.txt of the editor
// that wrote it. Adding an editor line or patch is adding such a pair to the
// evidence folder and running the generator: no code changes.

// lineFile is the shape of data/<line>.json.
type lineFile struct {
	Line string `json:"line"`
	// Generated says how the file was made (it is not edited by hand).
	Generated string `json:"generated"`
	// Editors holds what the evidence shows of each editor version of the
	// line, oldest first.
	Editors []editorData `json:"editors"`
}

// editorData is what the locks written by one editor version show.
type editorData struct {
	// Editor is the m_EditorVersion that wrote the locks ("6000.0.32f1").
	Editor string `json:"editor"`
	// Sources are the lock files, as URLs.
	Sources []string `json:"sources"`
	// Builtin holds every package the locks list with source "builtin".
	Builtin map[string]tablePkg `json:"builtin"`
	// Registry names the packages that these locks resolved from a registry
	// although another editor version of the line ships them built in: the
	// evidence that they are not built into this one.
	Registry []string `json:"registry,omitempty"`
}

// tablePkg is one built-in package as a lock lists it.
type tablePkg struct {
	Version      string  `json:"version"`
	Dependencies depList `json:"dependencies"`
}

func (p tablePkg) equal(o tablePkg) bool {
	return p.Version == o.Version && slices.Equal(p.Dependencies, o.Dependencies)
}

func (p tablePkg) String() string {
	deps := make([]string, len(p.Dependencies))
	for i, d := range p.Dependencies {
		deps[i] = d.Name + "@" + d.Version
	}
	return p.Version + " [" + strings.Join(deps, ", ") + "]"
}

// depList decodes a lock-file style {"name": "version", ...} object keeping
// the order of its members, which encoding/json maps lose.
type depList []manifest.Dependency

// UnmarshalJSON implements json.Unmarshaler.
func (d *depList) UnmarshalJSON(data []byte) error {
	out := depList{}
	seen := map[string]bool{}
	err := jsonorder.StringMembers(data, func(name, version string) error {
		if seen[name] {
			return fmt.Errorf("%q listed twice", name)
		}
		seen[name] = true
		out = append(out, manifest.Dependency{Name: name, Version: version})
		return nil
	})
	if err != nil {
		return fmt.Errorf("dependencies: %w", err)
	}
	*d = out
	return nil
}

// MarshalJSON implements json.Marshaler, in list order.
func (d depList) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, dep := range d {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(dep.Name)
		v, _ := json.Marshal(dep.Version)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// decodeLine parses one line file strictly: unknown fields, trailing data,
// editors out of order, on another line or without sources are errors.
func decodeLine(data []byte) (*lineFile, error) {
	// segmentio's decoder: every install decodes three of these tables,
	// and encoding/json took 1.7 ms of it (issue 14).
	var lf lineFile
	rest, err := segjson.Parse(data, &lf, segjson.DisallowUnknownFields)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, errors.New("trailing data after the JSON object")
	}
	if _, ok := parseLine(lf.Line); !ok {
		return nil, fmt.Errorf("line %q is not an editor line such as \"2022.3\"", lf.Line)
	}
	if len(lf.Editors) == 0 {
		return nil, errors.New("no editors")
	}
	var prev *manifest.EditorVersion
	for i, ed := range lf.Editors {
		ev, err := manifest.ParseEditorVersion(ed.Editor)
		if err != nil {
			return nil, fmt.Errorf("editor %d: %w", i, err)
		}
		if got := (lineKey{ev.Major, ev.Minor}).String(); got != lf.Line {
			return nil, fmt.Errorf("editor %d: %s is not on line %s", i, ed.Editor, lf.Line)
		}
		if prev != nil && prev.Compare(ev) >= 0 {
			return nil, fmt.Errorf("editor %d: %s is not newer than the one before", i, ed.Editor)
		}
		if len(ed.Sources) == 0 {
			return nil, fmt.Errorf("editor %s: no sources", ed.Editor)
		}
		prev = &ev
	}
	return &lf, nil
}

// Evidence is one lock file that a Unity editor wrote, with that editor's
// version (ProjectSettings/ProjectVersion.txt beside it).
type Evidence struct {
	// Editor is m_EditorVersion, e.g. "2022.3.20f1".
	Editor string
	// Source says where the lock was read, as a URL.
	Source string
	Lock   *lockfile.Lock
}

// Contradiction is two locks written by the same editor version that
// disagree about a built-in package.
type Contradiction struct {
	Editor, Package string
	// Kept and Dropped describe the two readings ("14.0.11 [deps]" or "from
	// a registry") and the sources of each; the reading more locks share is
	// kept (the first in source order on a tie).
	Kept, Dropped               string
	KeptSources, DroppedSources []string
}

func (c Contradiction) String() string {
	return fmt.Sprintf("%s %s: kept %s (%s); dropped %s (%s)", c.Editor, c.Package,
		c.Kept, strings.Join(c.KeptSources, ", "), c.Dropped, strings.Join(c.DroppedSources, ", "))
}

// Generated is the "generated" note of every table file.
const Generated = "by go run ./internal/builtin/gen from Unity-written lock files; do not edit"

// BuildTables turns evidence into the table files, one per editor line, as
// bytes to write to data/<line>.json, and lists where locks of the same
// editor version disagree. Evidence whose editor is no Unity version
// (another engine's, such as Tuanjie's 2022.3.2t5) is skipped and named in
// skipped.
func BuildTables(evidence []Evidence) (files map[string][]byte, contradictions []Contradiction, skipped []string, err error) {
	evidence = slices.Clone(evidence)
	slices.SortStableFunc(evidence, func(a, b Evidence) int { return cmp.Compare(a.Source, b.Source) })

	type reading struct {
		pkg     *tablePkg // nil: from a registry
		sources []string
	}
	type editorAcc struct {
		ev       manifest.EditorVersion
		sources  []string
		readings map[string][]*reading // package → distinct readings
	}
	editors := map[string]*editorAcc{}
	for _, e := range evidence {
		name := strings.TrimSpace(e.Editor)
		ev, perr := manifest.ParseEditorVersion(name)
		if perr != nil {
			skipped = append(skipped, fmt.Sprintf("%s (editor %q)", e.Source, e.Editor))
			continue
		}
		if ev.China != 0 {
			// A China build ships the packages of its release.
			ev.China = 0
			name = strings.TrimRightFunc(name, func(r rune) bool { return r >= '0' && r <= '9' })
			name = strings.TrimSuffix(name, "c")
		}
		acc := editors[name]
		if acc == nil {
			acc = &editorAcc{ev: ev, readings: map[string][]*reading{}}
			editors[name] = acc
		}
		acc.sources = append(acc.sources, e.Source)
		for _, en := range e.Lock.Entries {
			var pkg *tablePkg
			switch en.Source {
			case lockfile.SourceBuiltin:
				p := tablePkg{Version: en.Version, Dependencies: depList{}}
				for _, d := range en.Dependencies {
					p.Dependencies = append(p.Dependencies, manifest.Dependency{Name: d.Name, Version: d.Version})
				}
				pkg = &p
			case lockfile.SourceRegistry:
			default:
				continue // embedded, local, Git: says nothing of the editor
			}
			rs := acc.readings[en.Name]
			i := slices.IndexFunc(rs, func(r *reading) bool {
				return (r.pkg == nil) == (pkg == nil) && (pkg == nil || r.pkg.equal(*pkg))
			})
			if i < 0 {
				rs = append(rs, &reading{pkg: pkg})
				i = len(rs) - 1
			}
			rs[i].sources = append(rs[i].sources, e.Source)
			acc.readings[en.Name] = rs
		}
	}
	describe := func(r *reading) string {
		if r.pkg == nil {
			return "from a registry"
		}
		return r.pkg.String() + " built in"
	}
	lines := map[lineKey][]*editorData{}
	names := slices.Sorted(maps.Keys(editors))
	for _, name := range names {
		acc := editors[name]
		ed := &editorData{Editor: name, Sources: acc.sources, Builtin: map[string]tablePkg{}}
		var registry []string
		for _, pkgName := range slices.Sorted(maps.Keys(acc.readings)) {
			rs := acc.readings[pkgName]
			best := rs[0]
			for _, r := range rs[1:] {
				if len(r.sources) > len(best.sources) {
					best = r
				}
			}
			for _, r := range rs {
				if r != best {
					contradictions = append(contradictions, Contradiction{
						Editor: name, Package: pkgName,
						Kept: describe(best), KeptSources: best.sources,
						Dropped: describe(r), DroppedSources: r.sources,
					})
				}
			}
			if best.pkg != nil {
				ed.Builtin[pkgName] = *best.pkg
			} else {
				registry = append(registry, pkgName)
			}
		}
		ed.Registry = registry // filtered below, once the line is known
		k := lineKey{acc.ev.Major, acc.ev.Minor}
		lines[k] = append(lines[k], ed)
	}
	files = map[string][]byte{}
	for k, eds := range lines {
		slices.SortFunc(eds, func(a, b *editorData) int { return editors[a.Editor].ev.Compare(editors[b.Editor].ev) })
		shipped := map[string]bool{} // built into some editor of the line
		for _, ed := range eds {
			for n := range ed.Builtin {
				shipped[n] = true
			}
		}
		lf := lineFile{Line: k.String(), Generated: Generated}
		for _, ed := range eds {
			ed.Registry = slices.DeleteFunc(ed.Registry, func(n string) bool { return !shipped[n] })
			if len(ed.Registry) == 0 {
				ed.Registry = nil
			}
			lf.Editors = append(lf.Editors, *ed)
		}
		data, merr := json.MarshalIndent(lf, "", "  ")
		if merr != nil {
			return nil, nil, nil, fmt.Errorf("encode line %s: %w", k, merr)
		}
		files[k.String()] = append(data, '\n')
	}
	sort.Strings(skipped)
	return files, contradictions, skipped, nil
}
