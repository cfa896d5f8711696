package manifest

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"
)

// ParseSpec parses a dependency value of manifest.json (UPM-SPEC §5): an
// exact SemVer 2.0 version ("1.2.3", "1.0.0-pre.1+build"), "file:<folder>",
// "file:<x.tgz>" / "file:<x.tar.gz>", or a Git URL. Version ranges, dist-tags
// and anything else are errors; the message quotes the value and, for a range,
// suggests an exact version.
func ParseSpec(value string) (Spec, error) {
	if value == "" {
		return Spec{}, fmt.Errorf("the version is empty; Unity needs an exact version such as \"1.0.0\"")
	}
	if value != strings.TrimSpace(value) {
		return Spec{}, fmt.Errorf("%q has leading or trailing spaces", value)
	}
	if s, ok, err := parseGit(value); ok || err != nil {
		return s, err
	}
	if path, ok := strings.CutPrefix(value, "file:"); ok {
		if path == "" {
			return Spec{}, fmt.Errorf("%q names no path after \"file:\"", value)
		}
		lower := strings.ToLower(path)
		if strings.HasSuffix(lower, ".tgz") || strings.HasSuffix(lower, ".tar.gz") {
			return Spec{Kind: SpecLocalTarball, Path: path}, nil
		}
		return Spec{Kind: SpecLocalFolder, Path: path}, nil
	}
	_, err := semver.StrictNewVersion(value)
	switch {
	case err == nil:
		return Spec{Kind: SpecVersion, Version: value}, nil
	case isRange(value):
		return Spec{}, fmt.Errorf("%q is a version range; Unity needs an exact version such as %q", value, suggestVersion(value))
	case value[0] == 'v' || value[0] == 'V':
		if _, verr := semver.StrictNewVersion(value[1:]); verr == nil {
			return Spec{}, fmt.Errorf("%q is not an exact version; write it without the %q: %q", value, value[:1], value[1:])
		}
	case value[0] >= '0' && value[0] <= '9':
		return Spec{}, fmt.Errorf("%q is not a valid SemVer version (%v); Unity needs an exact version such as %q", value, err, suggestVersion(value))
	}
	return Spec{}, fmt.Errorf("%q is not an exact version, a file: path or a Git URL", value)
}

// NewDependency is name → value read from somewhere other than a manifest
// or package.json file (a packument's dependencies), its value parsed once,
// here: Spec and SpecErr are ParseSpec's answer.
func NewDependency(name, value string) Dependency {
	spec, err := ParseSpec(value)
	return Dependency{Name: name, Version: value, Spec: spec, SpecErr: err}
}

// ValueError is d's invalid value (SpecErr) as a *ParseError at its position
// in file, "file:line:column: name: message"; nil when the value is valid.
func (d Dependency) ValueError(file string) error {
	if d.SpecErr == nil {
		return nil
	}
	return &ParseError{File: file, Line: d.Line, Column: d.Column, Msg: d.Name + ": " + d.SpecErr.Error()}
}

// partialVersion is a version with missing or wildcard parts ("1", "1.x",
// "1.0.*", "v2"), which npm reads as a range.
var partialVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[vV]?(\d+|[xX*])(\.(\d+|[xX*]))?(\.(\d+|[xX*]))?$`) })

// isRange reports whether value is something npm would read as a range (or a
// dist-tag that stands for one): the common mistake of writing npm habits
// into manifest.json.
func isRange(value string) bool {
	if value == "latest" || strings.ContainsAny(value, "^~<>=*|") || strings.Contains(value, " - ") {
		return true
	}
	return partialVersion().MatchString(value) && (strings.Count(value, ".") < 2 || strings.ContainsAny(value, "xX"))
}

// versionish finds the first version-looking part of a range.
var versionish = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(-[0-9A-Za-z.-]+)?`)
})

// suggestVersion turns a range into the exact version it starts from
// ("^1.2" → "1.2.0"), or "1.0.0" when it has none.
func suggestVersion(value string) string {
	m := versionish().FindStringSubmatch(value)
	if m == nil {
		return "1.0.0"
	}
	part := func(s string) string {
		if s == "" || s == "x" || s == "X" || s == "*" {
			return "0"
		}
		return s
	}
	s := m[1] + "." + part(m[2]) + "." + part(m[3]) + m[4]
	if _, err := semver.StrictNewVersion(s); err != nil {
		return "1.0.0"
	}
	return s
}

// scpLike is Git's scp-like syntax, "user@host:path" (upm-git).
var scpLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[^@/:\s]+@[^@/:\s]+:\S+$`) })

// parseGit recognises a Git URL (upm-git, UPM-SPEC §5): a git+https, git+http,
// git+ssh or git+file URL, a git:// URL, or an http(s), ssh or file URL or
// scp-like "user@host:path" (with or without ".git"); then an optional
// "?path=<sub folder>" and an optional "#<revision>". ok is false when value
// is not a Git URL at all; err is set when it is one but malformed.
func parseGit(value string) (s Spec, ok bool, err error) {
	base, rev, hasRev := strings.Cut(value, "#")
	base, query, hasQuery := strings.Cut(base, "?")
	lower := strings.ToLower(base)
	scheme := ""
	if i := strings.Index(lower, "://"); i > 0 {
		scheme = lower[:i]
	}
	switch scheme {
	case "git+https", "git+http", "git+ssh", "git+file", "git":
	case "https", "http", "ssh", "file":
		if !strings.HasSuffix(lower, ".git") {
			return Spec{}, false, nil
		}
	case "":
		// Git's scp-like form, with or without ".git" (upm-git): nothing
		// else in a manifest has the shape user@host:path.
		if !scpLike().MatchString(base) {
			return Spec{}, false, nil
		}
	default:
		return Spec{}, false, nil
	}
	if strings.ContainsAny(value, " \t\r\n") {
		return Spec{}, true, fmt.Errorf("%q: a Git URL cannot contain spaces", value)
	}
	if scheme != "" {
		u, perr := url.Parse(base)
		if perr != nil {
			return Spec{}, true, fmt.Errorf("%q is not a valid Git URL", value)
		}
		if u.Host == "" && scheme != "file" && scheme != "git+file" {
			return Spec{}, true, fmt.Errorf("%q: the Git URL names no host", value)
		}
	}
	s = Spec{Kind: SpecGit, URL: value}
	if hasQuery {
		sub, isPath := strings.CutPrefix(query, "path=")
		if !isPath || sub == "" || strings.ContainsAny(sub, "&") {
			return Spec{}, true, fmt.Errorf("%q: the only query a Git URL may carry is ?path=<folder of the package>", value)
		}
		// "." and ".." segments are resolved within the repository
		// ("/Packages/./core", "/a/../core"): git itself takes them
		// relative to its working folder.
		clean := path.Clean("/" + sub)
		if !strings.HasPrefix(sub, "/") {
			clean = clean[1:]
		}
		s.SubPath = clean
	}
	if hasRev {
		if rev == "" {
			return Spec{}, true, fmt.Errorf("%q: empty revision after '#'", value)
		}
		if strings.Contains(rev, "?") {
			return Spec{}, true, fmt.Errorf("%q: put ?path= before #revision", value)
		}
		s.Rev = rev
	}
	return s, true, nil
}

// String names the kind: "version", "local", "local-tarball" or "git" (the
// lock file's words for the sources these values lead to).
func (k SpecKind) String() string {
	switch k {
	case SpecVersion:
		return "version"
	case SpecLocalFolder:
		return "local"
	case SpecLocalTarball:
		return "local-tarball"
	case SpecGit:
		return "git"
	}
	return fmt.Sprintf("SpecKind(%d)", int(k))
}
