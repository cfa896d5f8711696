// Package builtin answers which packages come with a Unity editor
// (UPM-SPEC §7 rule 6): the com.unity.modules.* packages at 1.0.0 with the
// dependency lists their package.json declares in that editor, and the core
// packages built into an editor line (com.unity.ugui, the render pipelines,
// test-framework on later Unity 6 patches, ...).
//
// The data is embedded, one JSON file per editor line under data/, and every
// value in it was read from real Packages/packages-lock.json files of public
// Unity projects; each file lists those locks in its "sources". Where a line
// was not verified (2019.4, 2023.1, 2023.2, and lines newer than the data) the
// nearest line stands in and the Set says so (Approximate, Note).
// FromEditorPath reads an installed editor instead, which is exact.
package builtin

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/suggest"
)

// modulePrefix starts the name of every built-in engine module.
const modulePrefix = "com.unity.modules."

// IsModule reports whether name is an engine module (com.unity.modules.*).
func IsModule(name string) bool {
	return strings.HasPrefix(name, modulePrefix) && len(name) > len(modulePrefix)
}

// Package is one built-in package: its name, the version the editor pins and
// the dependencies its package.json declares, in file order.
type Package struct {
	Name         string
	Version      string
	Dependencies []manifest.Dependency
}

// Set is the built-in packages of one editor. It implements resolve.Builtins.
// A Set is immutable; With and WithLock return changed copies.
type Set struct {
	line        string
	label       string // "Unity 2022.3.20f1" or "the editor at <dir>", for messages
	approximate bool
	note        string
	sources     []string
	pkgs        map[string]Package
	// exact says, per package name, that the data is that of the editor
	// release itself (read from the editor, or from locks it wrote) rather
	// than the nearest evidence. exactAll covers every name, listed or not:
	// an installed editor's folder is the whole truth.
	exact    map[string]bool
	exactAll bool
	// absent lists names known not to be built in (a lock of the nearest
	// editor release resolved them from a registry).
	absent []string
	// fromLock counts the packages WithLock took from the project's lock;
	// locked names those it decided (built in or not).
	fromLock int
	locked   map[string]bool
	// alts holds, per name, every built-in reading of the line's editors
	// (WithRequests picks the one the manifest asks for); fromManifest
	// counts the packages it picked.
	alts         map[string][]Package
	fromManifest int
}

// seen reports whether name has been placed (as built in or as absent).
func (s *Set) seen(name string) bool {
	_, ok := s.pkgs[name]
	return ok || slices.Contains(s.absent, name)
}

// add places name from one editor's table.
func (s *Set) add(name string, p tablePkg, exact bool, ed editorData) {
	s.pkgs[name] = Package{Name: name, Version: p.Version, Dependencies: []manifest.Dependency(p.Dependencies)}
	s.exact[name] = exact
	for _, src := range ed.Sources {
		if !slices.Contains(s.sources, src) {
			s.sources = append(s.sources, src)
		}
	}
}

// addAlt records one built-in reading of name in the line, once per version.
func (s *Set) addAlt(name string, p tablePkg) {
	if !slices.ContainsFunc(s.alts[name], func(q Package) bool { return q.Version == p.Version }) {
		s.alts[name] = append(s.alts[name], Package{Name: name, Version: p.Version, Dependencies: []manifest.Dependency(p.Dependencies)})
	}
}

// Exact reports whether the Set knows name's status in this very editor
// release (built in or not), rather than from the nearest evidence.
func (s *Set) Exact(name string) bool {
	return s != nil && (s.exactAll || s.exact[name])
}

// Lookup returns the built-in version of name and its dependencies (a copy
// the caller may keep). ok is false when name is not built in. A nil Set
// has no packages.
func (s *Set) Lookup(name string) (version string, deps []manifest.Dependency, ok bool) {
	if s == nil {
		return "", nil, false
	}
	p, ok := s.pkgs[name]
	if !ok {
		return "", nil, false
	}
	return p.Version, slices.Clone(p.Dependencies), true
}

// Names lists every built-in package of the Set, sorted.
func (s *Set) Names() []string {
	if s == nil {
		return nil
	}
	names := make([]string, 0, len(s.pkgs))
	for n := range s.pkgs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Line is the editor line whose data the Set holds ("2022.3", "6000.0"). It
// differs from the requested line when Approximate is true. For a Set read
// from an installed editor it is the line most of its package.json files name
// in "unity", or "" if none does.
func (s *Set) Line() string { return s.line }

// Approximate reports whether the data is not that of the requested editor
// line (no data for that line, or no editor version given): Note says which
// line stands in.
func (s *Set) Approximate() bool { return s != nil && s.approximate }

// Note describes where the data comes from, for --verbose output and doctor,
// e.g. "Unity 6000.0 (recorded at 6000.0.32f1)" or "no built-in package data
// for Unity 2023.1; using Unity 2022.3, the nearest older line".
func (s *Set) Note() string { return s.note }

// Sources lists the public lock files (or the editor folder) the data was read
// from.
func (s *Set) Sources() []string { return slices.Clone(s.sources) }

// With returns a copy of the Set in which pkgs replace or add entries.
func (s *Set) With(pkgs ...Package) *Set {
	c := s.clone()
	for _, p := range pkgs {
		p.Dependencies = slices.Clone(p.Dependencies)
		c.pkgs[p.Name] = p
	}
	return c
}

func (s *Set) clone() *Set {
	c := *s
	c.pkgs = maps.Clone(s.pkgs)
	c.exact = maps.Clone(s.exact)
	c.absent = slices.Clone(s.absent)
	c.sources = slices.Clone(s.sources)
	c.locked = maps.Clone(s.locked)
	if c.locked == nil {
		c.locked = map[string]bool{}
	}
	if c.pkgs == nil {
		c.pkgs = map[string]Package{}
	}
	if c.exact == nil {
		c.exact = map[string]bool{}
	}
	return &c
}

// Explain says in one sentence whether name is built into the Set's editor,
// for error messages: "com.unity.modules.foo is not a built-in module of Unity
// 2022.3 (known: ai, androidjni, …)".
func (s *Set) Explain(name string) string {
	if v, _, ok := s.Lookup(name); ok {
		return s.withNote(fmt.Sprintf("%s %s is built into %s", name, v, s.label))
	}
	if err := s.CheckModule(name); err != nil {
		return err.Error()
	}
	return s.withNote(fmt.Sprintf("%s is not built into %s", name, s.label))
}

// CheckModule returns an *UnknownModuleError when name is a com.unity.modules.*
// name the editor does not have, else nil. Modules exist only built in, so the
// resolver reports such a name instead of asking a registry.
func (s *Set) CheckModule(name string) error {
	if !IsModule(name) {
		return nil
	}
	if _, _, ok := s.Lookup(name); ok {
		return nil
	}
	e := &UnknownModuleError{Name: name, Editor: s.label}
	for _, n := range s.Names() {
		if IsModule(n) {
			e.Known = append(e.Known, strings.TrimPrefix(n, modulePrefix))
		}
	}
	e.Suggestion = closest(strings.TrimPrefix(name, modulePrefix), e.Known)
	if s.approximate {
		e.Note = s.note
	}
	return e
}

// UnknownModuleError is a com.unity.modules.* name the editor does not have.
type UnknownModuleError struct {
	Name string
	// Editor names the editor: "Unity 2022.3" or "the editor at <dir>".
	Editor string
	// Known lists the editor's modules without the com.unity.modules. prefix.
	Known []string
	// Suggestion is the known module whose name is closest, "" if none is
	// close.
	Suggestion string
	// Note is set when the data was not that of the requested editor line.
	Note string
}

func (e *UnknownModuleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is not a built-in module of %s", e.Name, e.Editor)
	if e.Suggestion != "" {
		fmt.Fprintf(&b, "; did you mean %s%s?", modulePrefix, e.Suggestion)
	}
	fmt.Fprintf(&b, " (known: %s)", strings.Join(e.Known, ", "))
	if e.Note != "" {
		fmt.Fprintf(&b, " [%s]", e.Note)
	}
	return b.String()
}

func (s *Set) withNote(msg string) string {
	if s.approximate {
		return msg + " [" + s.note + "]"
	}
	return msg
}

// closest returns the candidate nearest to word by edit distance (the first
// on ties), or "" when none is within 2 edits: further away it is no typo.
func closest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := suggest.Distance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
