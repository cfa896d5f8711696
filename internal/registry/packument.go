package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	segjson "github.com/segmentio/encoding/json"
	"github.com/upkg/upkg/internal/humanize"
	"github.com/upkg/upkg/internal/jsonorder"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/regurl"
)

// Packument is the part of a full npm packument (the document served at
// <registry>/<name>) that UPM reads.
type Packument struct {
	Name     string
	DistTags map[string]string
	// Versions by version string.
	Versions map[string]*Version
	// Modified is time.modified as the registry wrote it ("" if absent).
	Modified string
	// Invalid lists the versions whose entries could not be read, with why.
	// One broken version does not make the package unusable.
	Invalid map[string]string
}

// Version is one entry of a packument's versions.
type Version struct {
	Name, Version, DisplayName, Description string
	Unity, UnityRelease                     string
	// Deprecated is the deprecation message ("" if not deprecated).
	Deprecated string
	// Dependencies in the order the registry wrote them.
	Dependencies []manifest.Dependency
	Dist         Dist
}

// Dist is where a version's tarball is and how to verify it.
type Dist struct {
	// Tarball is the absolute URL of the .tgz.
	Tarball string
	// Integrity is the SRI string, e.g. "sha512-…" ("" if none).
	Integrity string
	// Shasum is the hex SHA-1 ("" if none).
	Shasum string
}

// ErrInvalidName is wrapped by the error for a package name that cannot be
// requested safely.
var ErrInvalidName = errors.New("invalid package name")

// maxNameLen is npm's (and UPM's) bound on package names.
const maxNameLen = 214

// ValidateName checks that name is a package name that can go into a
// registry URL as one path segment: at most 214 characters of letters,
// digits, '-', '_' and '.', beginning with a letter or digit, without "..".
// npm's "@scope/name" names are not Unity package names and are refused.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrInvalidName)
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("%w %.40q…: longer than %d characters", ErrInvalidName, name, maxNameLen)
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case (b == '-' || b == '_' || b == '.') && i > 0:
		default:
			return fmt.Errorf("%w %q: character %q at offset %d", ErrInvalidName, name, b, i)
		}
	}
	if strings.Contains(name, "..") {
		return fmt.Errorf("%w %q: contains \"..\"", ErrInvalidName, name)
	}
	return nil
}

// packumentURL is the URL of name's packument on reg.
func packumentURL(reg, name string) string {
	// ValidateName leaves nothing to escape; PathEscape is the second lock.
	return endpoint(reg, url.PathEscape(name))
}

// Packument returns the full packument of name on registry reg
// (GET <reg>/<name>, Accept: application/json: the abbreviated document drops
// unity, unityRelease and displayName). With CacheDir set it revalidates the
// cached copy (304 → the cached one) and stores a new one; with Offline it
// reads the cache only and a missing entry is an *OfflineError.
func (c *Client) Packument(ctx context.Context, reg, name string) (*Packument, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	var cached *cacheEntry
	if c.CacheDir != "" {
		e, err := readCacheEntry(c.CacheDir, reg, name)
		if err != nil && !c.Offline {
			// A damaged entry is refetched; offline it is all there is.
			e = nil
		} else if err != nil {
			return nil, err
		}
		cached = e
	}
	if c.Offline {
		if cached == nil {
			return nil, &OfflineError{Registry: reg, Name: name}
		}
		return decodeFor(cached.body, name, "cached packument of "+name)
	}

	// A body that breaks off is fetched again, as a tarball's is, within
	// the retry policy's attempts.
	pol := c.Retry.withDefaults()
	for n := 1; ; n++ {
		p, err := c.fetchPackument(ctx, reg, name, cached)
		var ne *NetworkError
		var te *timeoutError
		if err == nil || !errors.As(err, &ne) || !ne.Body || n >= pol.MaxAttempts || ctx.Err() != nil ||
			errors.As(err, &te) && te.final {
			if ne != nil && cached != nil {
				ne.Cached = true
			}
			return p, err
		}
		if err := sleep(ctx, pol.backoff(n)); err != nil {
			return nil, err
		}
	}
}

// fetchPackument is one request of Packument: revalidate or fetch, decode,
// store.
func (c *Client) fetchPackument(ctx context.Context, reg, name string, cached *cacheEntry) (*Packument, error) {
	u := packumentURL(reg, name)
	h := http.Header{}
	if cached != nil {
		if cached.ETag != "" {
			h.Set("If-None-Match", cached.ETag)
		}
		if cached.LastModified != "" {
			h.Set("If-Modified-Since", cached.LastModified)
		}
	}
	resp, at, err := c.get(ctx, reg, u, "application/json", h)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && cached != nil:
		p, err := decodeFor(cached.body, name, "cached packument of "+name)
		if err != nil {
			// Cached packuments are written without an fsync
			// (writeCacheEntry): after a crash the body may be cut
			// short behind a whole first line. Ask for it whole.
			resp.Body.Close()
			return c.fetchPackument(ctx, reg, name, nil)
		}
		// Confirmed now: fresh again for its max-age (CachedPackument). A
		// cache that cannot record it costs only a later revalidation.
		_ = touchCacheEntry(c.CacheDir, reg, name, cached, maxAgeOf(resp.Header))
		return p, nil
	case resp.StatusCode != http.StatusOK:
		return nil, c.statusError(reg, u, resp, at)
	}
	// A document over the bound is refused by its Content-Length, before a
	// byte is read; without one, while streaming, holding at most the bound
	// (a buffer sized once, not grown by doubling).
	tooLarge := fmt.Errorf("the packument of %s at %s is larger than %s", name, regurl.Redact(u), humanize.Bytes(maxJSON))
	if resp.ContentLength > maxJSON {
		return nil, tooLarge
	}
	var buf bytes.Buffer
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength) + 1)
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, maxJSON+1)); err != nil {
		return nil, fmt.Errorf("read the packument of %s: %w", name, err) // a *NetworkError when it broke off
	}
	if buf.Len() > maxJSON {
		return nil, tooLarge
	}
	body := buf.Bytes()
	p, err := decodeFor(body, name, regurl.Redact(u))
	if err != nil {
		return nil, err
	}
	if c.CacheDir != "" {
		e := &cacheEntry{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), MaxAge: maxAgeOf(resp.Header), body: body}
		if err := writeCacheEntry(c.CacheDir, reg, name, e); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// CachedPackument is a packument as the client's cache holds it.
type CachedPackument struct {
	*Packument
	// Checked is when the registry last sent or confirmed it.
	Checked time.Time
	// MaxAge is how long the registry said it stays fresh after Checked
	// (Cache-Control: max-age; 0 for no-cache), -1 when it did not say.
	MaxAge time.Duration
}

// FreshFor reports whether the cached document is still fresh at now: within
// the registry's max-age, or, when the registry gave none, within def.
func (c *CachedPackument) FreshFor(now time.Time, def time.Duration) bool {
	age := c.MaxAge
	if age < 0 {
		age = def
	}
	return age > 0 && now.Before(c.Checked.Add(age)) && !now.Before(c.Checked.Add(-time.Minute))
}

// CachedPackument returns name's packument from reg as CacheDir holds it,
// without asking the registry: nil when there is none (or no CacheDir) or
// it cannot be read. For versions a lock pins, whose metadata cannot change,
// and for documents still fresh (CachedPackument.FreshFor).
func (c *Client) CachedPackument(reg, name string) *CachedPackument {
	if c.CacheDir == "" || ValidateName(name) != nil {
		return nil
	}
	e, err := readCacheEntry(c.CacheDir, reg, name)
	if err != nil || e == nil {
		return nil
	}
	p, err := decodeFor(e.body, name, "cached packument of "+name)
	if err != nil {
		return nil
	}
	return &CachedPackument{Packument: p, Checked: e.Checked, MaxAge: e.MaxAge}
}

// decodeFor decodes a packument that must be name's; what names the source
// in errors.
func decodeFor(data []byte, name, what string) (*Packument, error) {
	p, err := DecodePackument(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", what, err)
	}
	if p.Name == "" {
		p.Name = name
		for _, v := range p.Versions {
			if v.Name == "" {
				v.Name = name
			}
		}
	}
	if p.Name != name {
		return nil, fmt.Errorf("decode %s: it is the packument of %q, not of %q", what, p.Name, name)
	}
	return p, nil
}

// DecodePackument decodes a full packument. The document must be a JSON
// object; a version entry that cannot be read is listed in Invalid instead
// of failing the whole document, and fields UPM does not read are ignored.
// Dependencies keep the registry's order.
func DecodePackument(data []byte) (*Packument, error) {
	var raw struct {
		Name     json.RawMessage            `json:"name"`
		DistTags map[string]json.RawMessage `json:"dist-tags"`
		Versions map[string]json.RawMessage `json:"versions"`
		Time     map[string]json.RawMessage `json:"time"`
	}
	// Maps made here start small: segmentio's decoder makes a missing
	// map[string]RawMessage with room for 64 entries, three tables of
	// several kB per packument that nearly all of a warm install's page
	// faults in packuments were (400 of 3 300 for the small profile's).
	raw.DistTags = make(map[string]json.RawMessage)
	raw.Versions = make(map[string]json.RawMessage)
	raw.Time = make(map[string]json.RawMessage)
	// The raw messages are slices of data, not copies (1.6 of a warm
	// install's 11 MB of allocation): they are decoded before this returns
	// and nothing here writes to data. Unmarshal refuses what Parse does,
	// or leaves behind; its error is the one to give (encoding/json's
	// wording for trailing bytes).
	if rest, err := segjson.Parse(data, &raw, segjson.DontCopyRawMessage); err != nil || len(rest) != 0 {
		if err = segjson.Unmarshal(data, &raw); err == nil {
			err = errors.New("trailing data after the document")
		}
		return nil, fmt.Errorf("not a packument: %w", err)
	}
	var p Packument
	if err := decodeLoose(raw.Name, &p.Name); err != nil {
		return nil, fmt.Errorf("not a packument: name: %w", err)
	}
	p.DistTags = make(map[string]string, len(raw.DistTags))
	for tag, v := range raw.DistTags {
		var s string
		if decodeLoose(v, &s) == nil && s != "" {
			p.DistTags[tag] = s
		}
	}
	_ = decodeLoose(raw.Time["modified"], &p.Modified)
	p.Versions = make(map[string]*Version, len(raw.Versions))
	for key, v := range raw.Versions {
		ver, err := decodeVersion(v)
		if err == nil && ver.Version != key && ver.Version != "" {
			err = fmt.Errorf("its version field says %q", ver.Version)
		}
		if err != nil {
			if p.Invalid == nil {
				p.Invalid = map[string]string{}
			}
			p.Invalid[key] = err.Error()
			continue
		}
		if ver.Version == "" {
			ver.Version = key
		}
		if ver.Name == "" {
			ver.Name = p.Name
		}
		p.Versions[key] = ver
	}
	return &p, nil
}

// rawVersion is a version entry as decoded before its fields are checked.
type rawVersion struct {
	Name         json.RawMessage `json:"name"`
	Version      json.RawMessage `json:"version"`
	DisplayName  json.RawMessage `json:"displayName"`
	Description  json.RawMessage `json:"description"`
	Unity        json.RawMessage `json:"unity"`
	UnityRelease json.RawMessage `json:"unityRelease"`
	Deprecated   json.RawMessage `json:"deprecated"`
	Dependencies json.RawMessage `json:"dependencies"`
	Dist         struct {
		Tarball   json.RawMessage `json:"tarball"`
		Integrity json.RawMessage `json:"integrity"`
		Shasum    json.RawMessage `json:"shasum"`
	} `json:"dist"`
}

// decodeVersion decodes one entry of versions.
func decodeVersion(data json.RawMessage) (*Version, error) {
	var raw rawVersion
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, errors.New("not an object")
	}
	if err := segjson.Unmarshal(data, &raw); err != nil {
		// encoding/json decides, on this rare path only: its errors say
		// what is wrong (segmentio's quote raw bytes).
		raw = rawVersion{}
		if err := json.Unmarshal(data, &raw); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				return nil, fmt.Errorf("%s: unexpected %s", te.Field, te.Value)
			}
			return nil, errors.New("not a version object")
		}
	}
	var v Version
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *string
	}{
		{"name", raw.Name, &v.Name},
		{"version", raw.Version, &v.Version},
		{"unity", raw.Unity, &v.Unity},
		{"unityRelease", raw.UnityRelease, &v.UnityRelease},
		{"dist.tarball", raw.Dist.Tarball, &v.Dist.Tarball},
		{"dist.integrity", raw.Dist.Integrity, &v.Dist.Integrity},
		{"dist.shasum", raw.Dist.Shasum, &v.Dist.Shasum},
	} {
		if err := decodeLoose(f.raw, f.dst); err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	// Free text: a registry that wrote something odd here loses only the text.
	_ = decodeLoose(raw.DisplayName, &v.DisplayName)
	_ = decodeLoose(raw.Description, &v.Description)
	v.Deprecated = decodeDeprecated(raw.Deprecated)
	deps, err := decodeDeps(raw.Dependencies)
	if err != nil {
		return nil, fmt.Errorf("dependencies: %w", err)
	}
	v.Dependencies = deps
	return &v, nil
}

// decodeLoose decodes a JSON string into dst; absent and null leave it "".
func decodeLoose(raw json.RawMessage, dst *string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := segjson.Unmarshal(raw, dst); err != nil {
		return errors.New("not a string")
	}
	return nil
}

// decodeDeprecated reads deprecated: npm writes a message, some registries a
// boolean.
func decodeDeprecated(raw json.RawMessage) string {
	var s string
	if decodeLoose(raw, &s) == nil {
		return s
	}
	var b bool
	if segjson.Unmarshal(raw, &b) == nil && b {
		return "deprecated"
	}
	return ""
}

// decodeDeps reads a dependencies object keeping the registry's order (a
// map would lose it). A name given twice keeps its first place and its last
// value, as JavaScript objects do.
func decodeDeps(raw json.RawMessage) ([]manifest.Dependency, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var deps []manifest.Dependency
	at := map[string]int{}
	err := jsonorder.StringMembers(raw, func(name, ver string) error {
		if i, dup := at[name]; dup {
			deps[i].Version = ver
			return nil
		}
		at[name] = len(deps)
		deps = append(deps, manifest.NewDependency(name, ver)) // parsed once, here
		return nil
	})
	if err != nil {
		return nil, err
	}
	return deps, nil
}

// Sorted is the packument's versions in SemVer order, versions that
// are not SemVer last by text.
func (pk *Packument) Sorted() []*Version {
	out := make([]*Version, 0, len(pk.Versions))
	for _, v := range pk.Versions {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b *Version) int { return CompareVersions(a.Version, b.Version) })
	return out
}

// CompareVersions orders version strings by SemVer, those that are not
// SemVer after the others, by text.
func CompareVersions(a, b string) int {
	va, ea := semver.StrictNewVersion(a)
	vb, eb := semver.StrictNewVersion(b)
	switch {
	case ea == nil && eb == nil:
		if c := va.Compare(vb); c != 0 {
			return c
		}
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return strings.Compare(a, b)
}
