package builtin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/upkg/upkg/internal/manifest"
)

// builtInDir is the folder of an installed editor that holds one folder per
// built-in package.
const builtInDir = "BuiltInPackages"

// builtInCandidates lists where the BuiltInPackages folder sits relative to
// dir, for every layout dir may name. All layouts are tried on every OS, so
// an editor copied from another machine (or a mounted macOS bundle) reads
// the same way.
func builtInCandidates(dir string) []string {
	pm := filepath.Join("Resources", "PackageManager", builtInDir)
	return []string{
		filepath.Join(dir, "Data", pm),                  // Windows/Linux: the Editor folder
		filepath.Join(dir, "Editor", "Data", pm),        // Windows/Linux: a Hub install (<hub>/<version>)
		filepath.Join(dir, "Unity.app", "Contents", pm), // macOS: the folder holding Unity.app
		filepath.Join(dir, "Contents", pm),              // macOS: Unity.app itself
		filepath.Join(dir, pm),                          // the Data folder
	}
}

// findBuiltIn resolves dir to its BuiltInPackages folder.
func findBuiltIn(dir string) (string, error) {
	if err := isDir(dir); err != nil {
		return "", err
	}
	if filepath.Base(filepath.Clean(dir)) == builtInDir {
		return dir, nil
	}
	cands := builtInCandidates(dir)
	for _, c := range cands {
		if isDir(c) == nil {
			return c, nil
		}
	}
	// A folder of built-in packages under another name (a copy, a test
	// fixture) is recognised by its <name>/package.json files.
	if matches, _ := filepath.Glob(filepath.Join(dir, "*", "package.json")); len(matches) > 0 {
		return dir, nil
	}
	return "", fmt.Errorf("no %s folder in the editor at %s (looked in %s)", builtInDir, dir, strings.Join(cands, ", "))
}

func isDir(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("editor folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("editor folder: %s is not a folder", p)
	}
	return nil
}

// FromEditorPath reads the built-in packages of an installed editor: every
// <name>/package.json in its BuiltInPackages folder (name, version and
// dependencies in file order). dir may be the Editor folder
// (<dir>/Data/Resources/PackageManager/BuiltInPackages), a Hub install
// folder, the folder holding Unity.app or Unity.app itself (macOS:
// Contents/Resources/PackageManager/BuiltInPackages), or the BuiltInPackages
// folder. The data is exact, so Approximate is false. A package.json that
// does not parse is an error naming the file.
func FromEditorPath(dir string) (*Set, error) {
	root, err := findBuiltIn(editorRoot(dir))
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", root, err)
	}
	s := &Set{
		label:    "the editor at " + dir,
		note:     "the editor at " + dir,
		sources:  []string{root},
		pkgs:     map[string]Package{},
		exact:    map[string]bool{},
		exactAll: true,
	}
	unity := map[string]int{}
	for _, e := range entries {
		if !e.IsDir() {
			// Stray files are skipped; a symlinked package folder is followed.
			if e.Type()&fs.ModeSymlink == 0 || isDir(filepath.Join(root, e.Name())) != nil {
				continue
			}
		}
		file := filepath.Join(root, e.Name(), "package.json")
		data, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a folder that is no package
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		pj, err := manifest.ParsePackageJSON(file, data)
		if err != nil {
			return nil, fmt.Errorf("built-in package: %w", err)
		}
		if prev, dup := s.pkgs[pj.Name]; dup {
			return nil, fmt.Errorf("built-in package %s appears twice in %s (versions %s and %s)", pj.Name, root, prev.Version, pj.Version)
		}
		s.pkgs[pj.Name] = Package{Name: pj.Name, Version: pj.Version, Dependencies: slices.Clone(pj.Dependencies)}
		if pj.Unity != "" {
			unity[pj.Unity]++
		}
	}
	if len(s.pkgs) == 0 {
		return nil, fmt.Errorf("no built-in packages (<name>/package.json) in %s", root)
	}
	s.line = commonLine(unity)
	return s, nil
}

// commonLine picks the "unity" value most package.json files name (the newest
// on a tie: a package built for an older line still runs on this editor).
func commonLine(counts map[string]int) string {
	best, bestN := "", 0
	for line, n := range counts {
		if n > bestN || (n == bestN && manifest.CompareEditor(line, best) > 0) {
			best, bestN = line, n
		}
	}
	return best
}
