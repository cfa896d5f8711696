package upmconfig

import (
	"strconv"
	"strings"
)

// Sources of an effective setting.
const (
	SourceEnv     = "env"
	SourceUser    = "user"
	SourceGlobal  = "global"
	SourceDefault = "default"
)

// Effective is the value a setting takes and where it comes from.
type Effective struct {
	Key    string
	Value  any // string or int64
	Source string
	// Where names the environment variable or the file; empty for defaults.
	Where string
}

// Effective resolves cacheRoot, maxCacheSize, caFile and linkMode with UPM's precedence
// (UPM-SPEC §3): environment, then the user file, then the OS default. caFile
// comes from the user file, else the global file (both are honoured for TLS;
// this reports the first). An unparsable UPM_MAX_CACHE_SIZE is ignored in
// favour of the files, the way a missing one would be.
func (c *Config) Effective(loc Locator) []Effective {
	getenv := loc.getenv
	var out []Effective

	root := Effective{Key: KeyCacheRoot, Value: DefaultCacheRoot(loc), Source: SourceDefault}
	if v := getenv("UPM_CACHE_ROOT"); v != "" {
		root = Effective{Key: KeyCacheRoot, Value: v, Source: SourceEnv, Where: "UPM_CACHE_ROOT"}
	} else if s, ok := c.Setting(KeyCacheRoot); ok {
		root = Effective{Key: KeyCacheRoot, Value: s.Value, Source: c.sourceOf(s), Where: s.File}
	}
	out = append(out, root)

	size := Effective{Key: KeyMaxCacheSize, Value: DefaultMaxCacheSize, Source: SourceDefault}
	if n, err := strconv.ParseInt(strings.TrimSpace(getenv("UPM_MAX_CACHE_SIZE")), 10, 64); err == nil && n >= 0 {
		size = Effective{Key: KeyMaxCacheSize, Value: n, Source: SourceEnv, Where: "UPM_MAX_CACHE_SIZE"}
	} else if s, ok := c.Setting(KeyMaxCacheSize); ok {
		size = Effective{Key: KeyMaxCacheSize, Value: s.Value, Source: c.sourceOf(s), Where: s.File}
	}
	out = append(out, size)

	ca := Effective{Key: KeyCAFile, Value: "", Source: SourceDefault}
	if s, ok := c.Setting(KeyCAFile); ok {
		ca = Effective{Key: KeyCAFile, Value: s.Value, Source: c.sourceOf(s), Where: s.File}
	}
	out = append(out, ca)

	link := Effective{Key: KeyLinkMode, Value: LinkModeCopy, Source: SourceDefault}
	if s, ok := c.Setting(KeyLinkMode); ok {
		link = Effective{Key: KeyLinkMode, Value: s.Value, Source: c.sourceOf(s), Where: s.File}
	}
	return append(out, link)
}

// LinkMode returns the user file's linkMode (LinkModeCopy when unset; a
// value that is neither is dropped with a warning on load).
func (c *Config) LinkMode() string {
	if s, ok := c.Setting(KeyLinkMode); ok {
		if v, ok := s.Value.(string); ok {
			return v
		}
	}
	return LinkModeCopy
}

func (c *Config) sourceOf(s Setting) string {
	if c.Global != nil && s.File == c.Global.Path && (c.User == nil || s.File != c.User.Path) {
		return SourceGlobal
	}
	return SourceUser
}

// DefaultCacheRoot is UPM's default global cache root for the locator's OS
// (UPM-SPEC §3, 2023.2 and Unity 6 layout).
func DefaultCacheRoot(loc Locator) string {
	getenv := loc.getenv
	switch loc.GOOS {
	case "windows":
		if loc.SystemUser {
			base := getenv("ALLUSERSPROFILE")
			if base == "" {
				base = `C:\ProgramData`
			}
			return joinPath("windows", base, "Unity", "cache", "upm")
		}
		base := getenv("LOCALAPPDATA")
		if base == "" {
			home := getenv("USERPROFILE")
			if home == "" {
				home = loc.Home
			}
			base = joinPath("windows", home, "AppData", "Local")
		}
		return joinPath("windows", base, "Unity", "cache", "upm")
	case "darwin":
		return joinPath("darwin", loc.Home, "Library", "Caches", "Unity", "upm")
	default:
		return joinPath(loc.GOOS, loc.Home, ".cache", "Unity", "upm")
	}
}

// IsAbs reports whether p is an absolute path on goos. On Windows that is a
// drive path (C:\ or C:/) or a UNC path; TOML files there may use either slash.
func IsAbs(goos, p string) bool {
	if goos != "windows" {
		return strings.HasPrefix(p, "/")
	}
	if strings.HasPrefix(p, `\\`) || strings.HasPrefix(p, "//") {
		return true
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'))
}
