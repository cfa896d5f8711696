// Package registrycmds implements the commands that read registries for the
// user: `upkg view` (a packument's summary), `upkg search` (/-/v1/search on
// the project's registries) and `upkg outdated` (newer versions of the
// manifest's registry dependencies).
package registrycmds

import (
	"maps"
	"slices"
	"strings"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
)

// where is what a command learned about where it runs: the project (nil
// without one), the editor ("" when unknown) and the default registry.
type where struct {
	project *project.Project
	editor  string
	// defaultRegistry is the registry of names no scope covers: the
	// manifest's "registry" key, else the Factory's default, without
	// trailing slashes.
	defaultRegistry string
}

// locate opens the project when there is one (always when need is set: no
// project is then the Factory's error) and finds the editor: the project's
// (which --editor-version replaces), else --editor-version.
func locate(p cmdutil.Printer, root func() (string, bool, error), open func() (*project.Project, error), defaultRegistry func(string) string, need bool) (*where, error) {
	w := &where{}
	found := need
	if !need {
		var err error
		if _, found, err = root(); err != nil {
			return nil, err
		}
	}
	if found {
		proj, err := open()
		if err != nil {
			return nil, err
		}
		w.project, w.editor = proj, proj.Editor
		w.defaultRegistry = proj.Manifest.UnscopedRegistry(defaultRegistry(w.editor))
		return w, nil
	}
	if v := p.Globals.EditorVersion; v != "" {
		if _, err := manifest.ParseEditorVersion(v); err != nil {
			return nil, cmdutil.UsageErrorf("--editor-version: %v", err)
		}
		w.editor = v
	}
	w.defaultRegistry = strings.TrimRight(defaultRegistry(w.editor), "/")
	return w, nil
}

// registryFor is the registry name routes to: the project manifest's
// choice, else the default registry. scoped is the scoped registry's name,
// "" for the default one.
func (w *where) registryFor(name string) (url, scoped string) {
	if w.project == nil {
		return w.defaultRegistry, ""
	}
	url, sr := w.project.Manifest.RegistryFor(name, w.defaultRegistry)
	if sr != nil {
		return url, sr.Name
	}
	return url, ""
}

// orNull is s, or nil (JSON null) when s is "".
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// sortedKeys is m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// checkRegistryFlag checks --registry when it was given.
func checkRegistryFlag(url string) error {
	if url == "" {
		return nil
	}
	return cmdutil.CheckRegistryURL(url)
}
