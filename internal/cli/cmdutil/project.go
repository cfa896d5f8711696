package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
		_, err := os.Stat(filepath.Join(dir, "Packages", "manifest.json"))
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
