// Package upmconfig owns the Unity Package Manager's two TOML files: the user
// .upmconfig.toml and the global upmconfig.toml (UPM-SPEC §1). It locates them,
// loads and merges them while remembering where every value came from, edits
// them surgically (every byte outside the edited entry is kept) and decides which
// npmAuth credential belongs to which request (UPM-SPEC §2).
package upmconfig

import (
	"fmt"

	"github.com/upkg/upkg/internal/fileerr"
)

// Known top-level keys.
const (
	KeyCacheRoot    = "cacheRoot"
	KeyMaxCacheSize = "maxCacheSize"
	KeyCAFile       = "caFile"
	// KeyLinkMode is upkg's own: how installs put a cached package's files
	// into Library/PackageCache (LinkModeCopy or LinkModeHardlink).
	KeyLinkMode = "linkMode"
)

// Values of linkMode.
const (
	// LinkModeCopy, the default: every project gets its own files (copies,
	// or clones where the file system can), so editing them never reaches
	// the cache.
	LinkModeCopy = "copy"
	// LinkModeHardlink hard-links read-only files out of the cache.
	LinkModeHardlink = "hardlink"
)

// LinkModes are the values linkMode may take.
var LinkModes = []string{LinkModeCopy, LinkModeHardlink}

// DefaultMaxCacheSize is UPM's default cap of the registry-data cache (10 GB).
const DefaultMaxCacheSize int64 = 10_000_000_000

// Auth is one [npmAuth."<registry>"] entry.
type Auth struct {
	// Registry is the table key exactly as written in the file.
	Registry string
	// Token is sent as "Authorization: Bearer <token>".
	Token string
	// Basic is the _auth value, sent verbatim as "Authorization: Basic <_auth>".
	Basic string
	// Email is informational only.
	Email string
	// AlwaysAuth sends the credential to tarballs on other origins too.
	AlwaysAuth bool
	// File is the path of the file the entry came from; Line its 1-based line.
	File string
	Line int
}

// Kind is "token", "basic" or "none". A token wins over _auth (UPM-SPEC §1).
func (a Auth) Kind() string {
	switch {
	case a.Token != "":
		return "token"
	case a.Basic != "":
		return "basic"
	}
	return "none"
}

// Secret returns the value that is sent: the token if set, else _auth.
func (a Auth) Secret() string {
	if a.Token != "" {
		return a.Token
	}
	return a.Basic
}

// Header returns the Authorization header value for this entry, or "".
func (a Auth) Header() string {
	switch a.Kind() {
	case "token":
		return "Bearer " + a.Token
	case "basic":
		return "Basic " + a.Basic
	}
	return ""
}

// Setting is one known top-level value and where it came from.
type Setting struct {
	Key string
	// Value is a string (cacheRoot, caFile) or an int64 (maxCacheSize).
	Value any
	File  string
	Line  int
}

// Warning is a non-fatal finding about a file: an unknown key, a cache key in the
// global file, both token and _auth in one entry.
type Warning struct {
	File string
	Line int
	Msg  string
}

// String formats the warning as "file:line: message" (without the line when
// it is unknown).
func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
	}
	return fmt.Sprintf("%s: %s", w.File, w.Msg)
}

// ParseError is a problem at a position in the file: the one position
// error type of every format (fileerr.PositionError).
type ParseError = fileerr.PositionError
