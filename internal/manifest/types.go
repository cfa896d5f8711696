// Package manifest owns the JSON files a Unity project and its packages are
// described by: Packages/manifest.json, a package's package.json, and
// ProjectSettings/ProjectVersion.txt (UPM-SPEC §5, §8). It parses them with
// positions for errors and routes package names to registries.
package manifest

import (
	"strings"

	"github.com/upkg/upkg/internal/jsonpos"
)

// DefaultRegistry is Unity's own registry, used when nothing else is set.
const DefaultRegistry = "https://packages.unity.com"

// DefaultRegistryChina is the registry of Unity's China editor builds
// (versions such as 2022.3.49f1c1): every lock those editors wrote in the
// corpus (testdata/unity-projects) records it, with no "registry" key in the
// manifest.
const DefaultRegistryChina = "https://packages.unity.cn"

// DefaultRegistryFor is the registry an editor uses when the manifest names
// none: Unity China's for its China builds, else Unity's.
func DefaultRegistryFor(editor string) string {
	if ev, err := ParseEditorVersion(strings.TrimSpace(editor)); err == nil && ev.China > 0 {
		return DefaultRegistryChina
	}
	return DefaultRegistry
}

// Dependency is one name → requested version, as written, with its position
// and the value parsed.
//
// The value is parsed once, where it is read in: Parse and ParsePackageJSON
// fill Spec and SpecErr, and whoever reads dependencies from elsewhere (a
// registry's packument) makes them with NewDependency. Everyone else uses
// Spec and never parses Version again. A Dependency made without them has the
// zero Spec, an exact version (Version, as written).
type Dependency struct {
	Name    string
	Version string
	// Spec is Version parsed (ParseSpec); the zero Spec when it is invalid.
	// It is derived from Version, so JSON (tests' golden files) leaves it out.
	Spec Spec `json:"-"`
	// SpecErr is why Version is no valid value (ParseSpec's error), nil when
	// it is one. Only a manifest keeps such values (see CheckValues).
	SpecErr error `json:"-"`
	// Line and Column locate the value in its file (1-based), 0 when unknown.
	Line, Column int
}

// ScopedRegistry is one entry of scopedRegistries.
type ScopedRegistry struct {
	Name   string
	URL    string
	Scopes []string
}

// Manifest is Packages/manifest.json.
type Manifest struct {
	Path string
	// Dependencies in file order.
	Dependencies     []Dependency
	ScopedRegistries []ScopedRegistry
	Testables        []string
	// EnableLockFile defaults to true.
	EnableLockFile bool
	// ResolutionStrategy is "lowest" (the default), "highestPatch",
	// "highestMinor" or "highest".
	ResolutionStrategy string
	// Registry is the legacy override of the default registry ("" if absent).
	Registry string
}

// SpecKind says what a dependency value asks for.
type SpecKind int

// Kinds of dependency values.
const (
	SpecVersion      SpecKind = iota // exact SemVer
	SpecLocalFolder                  // file:<folder>
	SpecLocalTarball                 // file:<x.tgz>
	SpecGit                          // a Git URL
)

// Spec is a parsed dependency value.
type Spec struct {
	Kind SpecKind
	// Version is the exact version (SpecVersion).
	Version string
	// Path is the path after "file:", as written (local kinds).
	Path string
	// URL is the whole Git URL as written, Rev its #revision, SubPath its ?path=.
	URL, Rev, SubPath string
}

// PackageJSON is the part of a package's package.json UPM reads.
type PackageJSON struct {
	Name         string
	Version      string
	DisplayName  string
	Unity        string
	UnityRelease string
	// Dependencies in file order (exact versions only).
	Dependencies []Dependency
}

// ParseError is an invalid file or value. Error() reads
// "file:line:column: message".
type ParseError = jsonpos.ParseError
