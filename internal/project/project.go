// Package project names the files and folders of a Unity project that upkg
// reads and writes, in one place.
package project

import "path/filepath"

// Paths are a Unity project's files and folders, below Root.
type Paths struct {
	// Root is the project folder (the one holding Packages/ and Library/).
	Root string
}

// Packages is the folder of the manifest, the lock and embedded packages.
func (p Paths) Packages() string { return filepath.Join(p.Root, "Packages") }

// Manifest is Packages/manifest.json.
func (p Paths) Manifest() string { return filepath.Join(p.Root, "Packages", "manifest.json") }

// Lock is Packages/packages-lock.json.
func (p Paths) Lock() string { return filepath.Join(p.Root, "Packages", "packages-lock.json") }

// ProjectVersion is ProjectSettings/ProjectVersion.txt, the editor's version.
func (p Paths) ProjectVersion() string {
	return filepath.Join(p.Root, "ProjectSettings", "ProjectVersion.txt")
}

// PackageCache is Library/PackageCache, where installed packages go.
func (p Paths) PackageCache() string { return filepath.Join(p.Root, "Library", "PackageCache") }

// Installed is the folder of one installed package in PackageCache.
func (p Paths) Installed(dir string) string { return filepath.Join(p.PackageCache(), dir) }

// State is Library/upkg, upkg's own folder in the project (the install
// state and lock).
func (p Paths) State() string { return filepath.Join(p.Root, "Library", "upkg") }
