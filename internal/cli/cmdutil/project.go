package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/upkg/upkg/internal/builtin"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/project"
)

// ProjectRoot returns the Unity project root: -C if given, else the current
// folder or the nearest parent holding Packages/manifest.json. found is false
// when there is no project (not an error for commands that do not need one).
func (f *Factory) ProjectRoot() (root string, found bool, err error) {
	if f.Globals.Project != "" {
		abs, err := filepath.Abs(f.Globals.Project)
		if err != nil {
			return "", false, fmt.Errorf("project folder %s: %w", f.Globals.Project, err)
		}
		return abs, true, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", false, fmt.Errorf("current folder: %w", err)
	}
	for {
		_, err := os.Stat(project.Paths{Root: dir}.Manifest())
		if err == nil {
			return dir, true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", false, fmt.Errorf("look for the project: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false, nil
		}
		dir = parent
	}
}

// Project opens the Unity project, once: -C, else the nearest folder
// holding Packages/manifest.json, with --editor-version instead of its
// ProjectSettings/ProjectVersion.txt when given. No project is an error.
func (f *Factory) Project() (*project.Project, error) {
	return f.project.get(func() (*project.Project, error) {
		root, found, err := f.ProjectRoot()
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, WithCode(ExitFailure, fmt.Errorf("no Unity project here: no Packages/manifest.json in this folder or its parents"), "run upkg in a Unity project, or pass -C DIR")
		}
		if f.Globals.Project != "" {
			if err := checkProjectFlag(f.Globals.Project, root); err != nil {
				return nil, err
			}
		}
		editor, err := f.editorFlag()
		if err != nil {
			return nil, err
		}
		return project.Open(root, editor)
	})
}

// editorFlag is --editor-version, checked.
func (f *Factory) editorFlag() (string, error) {
	v := f.Globals.EditorVersion
	if v == "" {
		return "", nil
	}
	if _, err := manifest.ParseEditorVersion(v); err != nil {
		return "", UsageErrorf("--editor-version: %v", err)
	}
	return v, nil
}

// EditorVersion is --editor-version, else the project's
// ProjectSettings/ProjectVersion.txt, else "" (unknown; missing says so).
func (f *Factory) EditorVersion(root string) (version string, missing bool, err error) {
	if v, err := f.editorFlag(); v != "" || err != nil {
		return v, false, err
	}
	p := project.Paths{Root: root}.ProjectVersion()
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", true, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", p, err)
	}
	v, err := manifest.ParseProjectVersion(p, b)
	return v, false, err
}

// Builtins finds the built-in packages of the project's editor: the
// installed editor at editorPath (--editor-path), else at
// UNITY_EDITOR_PATH, else where Unity Hub installs that version, else the
// tables for that version.
func (f *Factory) Builtins(editorPath, editor string) (*builtin.Set, error) {
	if editorPath != "" {
		set, err := builtin.FromEditorPath(editorPath)
		if err != nil {
			return nil, WithCode(ExitUsage, fmt.Errorf("--editor-path: %w", err), "pass the folder of an installed Unity Editor (or its executable)")
		}
		return set, nil
	}
	found, _, err := builtin.FindEditor(f.editorHost(), editor)
	if err != nil {
		return nil, err
	}
	if found != nil {
		return found.Set, nil
	}
	return builtin.ForEditor(editor)
}

// BuiltinsKey identifies where Builtins would read from, without reading
// (builtin.SourceKey).
func (f *Factory) BuiltinsKey(editorPath, editor string) string {
	return builtin.SourceKey(f.editorHost(), editorPath, editor)
}

func (f *Factory) editorHost() builtin.Host {
	home, _ := f.Home()
	return builtin.Host{GOOS: f.GOOS, Home: home, Getenv: f.Getenv}
}

// checkProjectFlag explains a -C that names no Unity project: a folder that
// is not there, or one without Packages/manifest.json (the Packages folder
// itself, or a folder above the project).
func checkProjectFlag(flag, root string) error {
	const hint = "-C takes a Unity project's root folder, the one holding Packages/manifest.json"
	st, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return WithCode(ExitFailure, fmt.Errorf("-C %s: no such folder", flag), hint)
	case err != nil:
		return fmt.Errorf("-C %s: %w", flag, err)
	case !st.IsDir():
		return WithCode(ExitFailure, fmt.Errorf("-C %s: not a folder", flag), hint)
	}
	_, err = os.Stat(project.Paths{Root: root}.Manifest())
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil // project.Open reports other errors
	}
	if _, err := os.Stat(filepath.Join(root, "manifest.json")); err == nil && filepath.Base(root) == "Packages" {
		return WithCode(ExitFailure, fmt.Errorf("-C %s: that is the Packages folder", flag),
			fmt.Sprintf("pass the project's root folder: -C %s", filepath.Dir(root)))
	}
	return WithCode(ExitFailure, fmt.Errorf("-C %s: no Packages/manifest.json in that folder", flag), hint)
}
