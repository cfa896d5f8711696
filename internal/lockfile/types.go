// Package lockfile owns Packages/packages-lock.json: its model, a parser, and
// the canonical writer that produces Unity's exact bytes (UPM-SPEC §6).
package lockfile

// Sources of a locked package.
const (
	SourceRegistry     = "registry"
	SourceBuiltin      = "builtin"
	SourceEmbedded     = "embedded"
	SourceLocal        = "local"
	SourceLocalTarball = "local-tarball"
	SourceGit          = "git"
)

// Dep is one entry of a package's "dependencies": what its package.json asks
// for, in package.json order.
type Dep struct {
	Name    string
	Version string
}

// Entry is one locked package.
type Entry struct {
	Name    string
	Version string
	Depth   int
	Source  string
	// Dependencies as the package declares them, in its package.json order.
	Dependencies []Dep
	// URL is the registry's URL without a trailing slash (registry source only).
	URL string
	// Hash is the full commit SHA (git source only).
	Hash string
}

// Lock is a whole lock file.
type Lock struct {
	Entries []Entry
}
