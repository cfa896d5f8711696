package builtin

import (
	"fmt"
	"slices"

	"github.com/Masterminds/semver/v3"

	"github.com/upkg/upkg/internal/humanize"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// Change is a package whose built-in status or data in the project's lock
// differs from exact editor data: the project moved to another editor.
type Change struct {
	Name string
	// Lock and Now describe the package in the lock and in the editor:
	// "17.0.3 (built in)", "from a registry".
	Lock, Now string
}

func (c Change) String() string { return fmt.Sprintf("%s: %s → %s", c.Name, c.Lock, c.Now) }

// WithLock lays the project's lock over the Set. Unity wrote the lock's
// "builtin" entries for the editor the project uses, so where the Set is
// not exact for a package (no installed editor, no table for this release)
// the lock decides: a package it records as built in is built in, at the
// lock's version and with its dependencies, and a non-module it records as
// coming from a registry is not built in. Where the Set is exact and the
// lock disagrees, the Set wins and the difference is returned as a Change.
// A nil lock returns s itself.
func (s *Set) WithLock(l *lockfile.Lock) (*Set, []Change) {
	if l == nil || s == nil {
		return s, nil
	}
	c := s.clone()
	var changes []Change
	for _, e := range l.Entries {
		cur, builtIn := c.pkgs[e.Name]
		switch e.Source {
		case lockfile.SourceBuiltin:
			locked := Package{Name: e.Name, Version: e.Version}
			for _, d := range e.Dependencies {
				locked.Dependencies = append(locked.Dependencies, manifest.Dependency{Name: d.Name, Version: d.Version})
			}
			if c.Exact(e.Name) {
				if !builtIn {
					changes = append(changes, Change{Name: e.Name, Lock: e.Version + " (built in)", Now: "from a registry"})
				} else if cur.Version != locked.Version || !slices.Equal(cur.Dependencies, locked.Dependencies) {
					changes = append(changes, Change{Name: e.Name, Lock: describe(locked), Now: describe(cur)})
				}
				continue
			}
			if !builtIn || cur.Version != locked.Version || !slices.Equal(cur.Dependencies, locked.Dependencies) {
				c.fromLock++
			}
			c.pkgs[e.Name] = locked
			c.locked[e.Name] = true
			c.absent = slices.DeleteFunc(c.absent, func(n string) bool { return n == e.Name })
		case lockfile.SourceRegistry:
			if !builtIn {
				continue
			}
			if c.Exact(e.Name) {
				changes = append(changes, Change{Name: e.Name, Lock: e.Version + " from a registry", Now: cur.Version + " (built in)"})
				continue
			}
			if IsModule(e.Name) {
				continue // modules exist only built in; the resolver reports the lock's mistake
			}
			delete(c.pkgs, e.Name)
			c.locked[e.Name] = true
			c.absent = append(c.absent, e.Name)
			c.fromLock++
		}
	}
	return c, changes
}

func describe(p Package) string {
	s := p.Version + " (built in"
	if len(p.Dependencies) > 0 {
		s += "; depends on"
		for i, d := range p.Dependencies {
			if i > 0 {
				s += ","
			}
			s += " " + d.Name + "@" + d.Version
		}
	}
	return s + ")"
}

// Origin says in a few words where the Set's data comes from, for doctor
// and install -v: "the editor at PATH", "the built-in package table for
// Unity 6000.0.32f1", "... ; N packages as the lock records them".
func (s *Set) Origin() string {
	if s == nil {
		return "no built-in package data"
	}
	o := s.note
	if s.fromLock > 0 {
		o += fmt.Sprintf("; %s as the project's lock records them", humanize.Count(s.fromLock, "built-in package", "built-in packages"))
	}
	if s.fromManifest > 0 {
		o += fmt.Sprintf("; %d at the version the manifest asks for, which editors of the line ship", s.fromManifest)
	}
	return o
}

// WithRequests lets the manifest's direct requests choose the built-in
// version, for packages the Set does not know exactly and the lock did not
// decide. The Editor keeps a core package's manifest entry at its own
// version (and rewrites it on an upgrade), so the request names the release
// better than the nearest table does: a version some editor of the line is
// seen to ship built in is taken with its dependencies (Unity 2023.2 locks
// show com.unity.ugui 1.0.0 and 2.0.0 built in); another version of the same
// major as the nearest table's built-in one is taken with that one's
// dependencies, those that move in lockstep moved along.
func (s *Set) WithRequests(direct []manifest.Dependency) *Set {
	if s == nil {
		return s
	}
	var c *Set
	for _, d := range direct {
		if s.Exact(d.Name) || s.locked[d.Name] {
			continue
		}
		cur, builtIn := s.pkgs[d.Name]
		if builtIn && cur.Version == d.Version {
			continue
		}
		var p Package
		if i := slices.IndexFunc(s.alts[d.Name], func(p Package) bool { return p.Version == d.Version }); i >= 0 {
			p = s.alts[d.Name][i]
			p.Dependencies = slices.Clone(p.Dependencies)
		} else if builtIn && sameMajor(cur.Version, d.Version) {
			// A release no lock shows: the core package at the version
			// the manifest keeps, its dependencies those of the nearest
			// release, with the packages that move in lockstep with it
			// (the render pipeline family) at the same version.
			p = Package{Name: d.Name, Version: d.Version}
			for _, dep := range cur.Dependencies {
				if dep.Version == cur.Version {
					dep.Version = d.Version
				}
				p.Dependencies = append(p.Dependencies, dep)
			}
		} else {
			continue
		}
		if c == nil {
			c = s.clone()
		}
		c.pkgs[d.Name] = p
		c.absent = slices.DeleteFunc(c.absent, func(n string) bool { return n == d.Name })
		c.fromManifest++
	}
	if c == nil {
		return s
	}
	return c
}

// sameMajor reports whether two versions share their major number.
func sameMajor(a, b string) bool {
	va, err1 := semver.StrictNewVersion(a)
	vb, err2 := semver.StrictNewVersion(b)
	return err1 == nil && err2 == nil && va.Major() == vb.Major()
}
