package resolve

import (
	"io/fs"
	"net/url"
	"strings"
)

// Step is one link of a chain of requesters. In a chain every step but the
// last is a package at its chosen version; the last is the package requested
// at the version asked for.
type Step struct {
	Name    string
	Version string
}

// FormatChain renders a chain as "com.a 1.0.0 → com.b 2.0.0 → com.c 3.1.0".
func FormatChain(chain []Step) string {
	var b strings.Builder
	for i, s := range chain {
		if i > 0 {
			b.WriteString(" → ")
		}
		b.WriteString(s.Name)
		if s.Version != "" {
			b.WriteByte(' ')
			b.WriteString(s.Version)
		}
	}
	return b.String()
}

// NotFoundError is a requested package, or version of a package, that its
// registry does not have. It matches errors.Is(err, fs.ErrNotExist), and
// when the whole package is missing it wraps the catalog's own error.
type NotFoundError struct {
	Name string
	// Version is the version that could not be found: the highest requested.
	Version string
	// Registry is the URL of the registry Name routes to, without any
	// user information.
	Registry string
	// PackageMissing is true when the registry has no package Name at all.
	PackageMissing bool
	// Chains are every chain of requesters that asks for the missing thing,
	// each starting at a manifest dependency (or an embedded package) and
	// ending with Name at the version that requester asked for. There are at
	// most maxChains of them.
	Chains [][]Step
	// Err is the catalog's error for a missing package (nil otherwise).
	Err error
}

// Lines renders one line per chain, e.g.
// "com.a 1.0.0 → com.b 2.0.0 → com.c 3.1.0, which the registry at
// https://x.example.com does not have".
func (e *NotFoundError) Lines() []string {
	suffix := ", which the registry at " + redact(e.Registry) + " does not have"
	if e.PackageMissing {
		suffix += " (it has no package " + e.Name + ")"
	}
	chains := e.Chains
	if len(chains) == 0 {
		chains = [][]Step{{{Name: e.Name, Version: e.Version}}}
	}
	lines := make([]string, len(chains))
	for i, c := range chains {
		lines[i] = FormatChain(c) + suffix
	}
	return lines
}

// Error renders Lines, one per line.
func (e *NotFoundError) Error() string { return strings.Join(e.Lines(), "\n") }

// Is makes errors.Is(err, fs.ErrNotExist) true, like every "not found" of
// this project.
func (e *NotFoundError) Is(target error) bool { return target == fs.ErrNotExist }

// Unwrap returns the catalog's error for a missing package.
func (e *NotFoundError) Unwrap() error { return e.Err }

// redact drops the user information of a URL: a registry URL written with
// credentials in it must not print them.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// SpecError is a dependency value in a package's package.json that is not
// an exact version: a range, a file: path, a Git URL (UPM-SPEC §8). A bad
// value in the manifest itself is a *manifest.ParseError instead.
type SpecError struct {
	// Name is the package asked for and Value what was written for it.
	Name, Value string
	// Msg says what is wrong with Value, e.g. `"~1.2.0" is a version range;
	// Unity needs an exact version such as "1.2.0"`.
	Msg string
	// Chains lead to the package whose package.json holds the value (each
	// ends with that package).
	Chains [][]Step
}

// Lines renders the error, one line per chain, e.g.
// `com.x 1.0.0 → com.a 1.0.0: dependency com.b: "~1.2.0" is a version range; …`.
func (e *SpecError) Lines() []string {
	what := "dependency " + e.Name + ": " + e.Msg
	if len(e.Chains) == 0 {
		return []string{what}
	}
	lines := make([]string, len(e.Chains))
	for i, c := range e.Chains {
		lines[i] = FormatChain(c) + ": " + what
	}
	return lines
}

// Error renders Lines, one per line.
func (e *SpecError) Error() string { return strings.Join(e.Lines(), "\n") }
