// Package resolve picks one version of every package of a Unity project the way
// the Unity Package Manager does (UPM-SPEC §7). It is pure: everything it needs
// from outside (registries, built-in packages, local package.json files) comes
// in through Input; it does no I/O of its own.
package resolve

import (
	"context"

	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// Dist is where a registry version's tarball is and how to verify it.
type Dist struct {
	Tarball   string
	Integrity string // SRI, e.g. "sha512-…" ("" if the registry gave none)
	Shasum    string // hex SHA-1 ("" if none)
}

// VersionInfo is one version of a package on its registry.
type VersionInfo struct {
	Version      string
	Unity        string // lowest compatible editor, e.g. "2021.3" ("" = any)
	UnityRelease string // e.g. "0b4"
	// Dependencies with their values parsed where they were read in
	// (manifest.NewDependency): a value that is no version is reported
	// with its SpecErr.
	Dependencies []manifest.Dependency
	Deprecated   string
	Dist         Dist
}

// Catalog answers what versions a registry package has. The registry a name
// comes from is decided by the caller (scope routing); Registry reports it for
// lock files and messages.
type Catalog interface {
	// Versions lists every version of name. A package the registry does not
	// have is an error for which IsNotFound reports true.
	Versions(ctx context.Context, name string) ([]VersionInfo, error)
	// Registry is the URL of the registry name routes to, without a trailing
	// slash.
	Registry(name string) string
	// IsNotFound reports whether err means "the registry has no such package".
	IsNotFound(err error) bool
}

// Builtins answers which packages come with the editor.
type Builtins interface {
	// Lookup returns the built-in version of name and its dependencies.
	Lookup(name string) (version string, deps []manifest.Dependency, ok bool)
}

// LocalPackage is a package whose files are in or near the project: embedded
// (a folder in Packages/), local (file:<folder>) or local-tarball (file:<x.tgz>).
type LocalPackage struct {
	Source string // lockfile.SourceEmbedded, SourceLocal or SourceLocalTarball
	// Version is the lock's version field: "file:<path as written>" for local
	// kinds; for embedded packages "file:<folder name>".
	Version      string
	Dependencies []manifest.Dependency // from its package.json
	// Hash is the full commit SHA of a Git package ("" if unknown: the lock
	// then has no hash).
	Hash string
}

// Input is everything one resolution needs.
type Input struct {
	// Manifest is the project's, its dependencies as manifest.Parse made
	// them: what a value asks for is its Spec (or SpecErr), never parsed
	// again here.
	Manifest *manifest.Manifest
	// Lock is the previous lock file, nil if none.
	Lock *lockfile.Lock
	// EditorVersion is the project's editor, e.g. "2022.3.20f1" ("" = unknown:
	// no compatibility filtering).
	EditorVersion string
	// Locals are the embedded and file: packages, by name.
	Locals   map[string]LocalPackage
	Builtins Builtins
	Catalog  Catalog
}

// Package is one resolved package.
type Package struct {
	Name    string
	Version string
	Source  string
	Depth   int
	// Dependencies as the chosen version declares them.
	Dependencies []manifest.Dependency
	// Registry is the registry URL without trailing slash (registry source).
	Registry string
	Dist     Dist
	// Warnings about this choice (e.g. an explicit version incompatible with
	// the editor).
	Warnings []string
	// Hash is the commit SHA of a Git package, "" if unknown or not Git.
	Hash string
	// Deprecated is the registry's deprecation message of the chosen version.
	Deprecated string
	// Requests are every request for this package in the resolved graph, in
	// the order they were found (the manifest's first): what `upkg why` shows.
	Requests []Request
}

// Request is one request for a package in a resolved graph.
type Request struct {
	// From is the requesting package, "" for the project manifest.
	From string
	// FromVersion is the version of From that asks ("" for the manifest).
	FromVersion string
	// Version is the value asked for, as written.
	Version string
}

// Graph is a resolution: every package, sorted in lock-file order.
type Graph struct {
	Packages []Package
}
