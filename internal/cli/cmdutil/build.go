package cmdutil

import "fmt"

// BuildInfo is what `upkg version` and `upkg --version` tell about the
// binary (docs/json/version.md).
type BuildInfo struct {
	Version string `json:"version"`
	// Commit is the VCS revision it was built from, Date when (RFC 3339);
	// "" when unknown.
	Commit string `json:"commit"`
	Date   string `json:"date"`
	// Modified is set when the working tree had uncommitted changes.
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
}

// String is the human form, one fact a line:
//
//	upkg v1.2.3
//	commit: abc1234 (modified)
//	built:  2026-01-02T03:04:05Z
//	go:     go1.26.0 linux/amd64
func (b BuildInfo) String() string {
	commit := b.Commit
	if commit == "" {
		commit = "unknown"
	} else if b.Modified {
		commit += " (modified)"
	}
	date := b.Date
	if date == "" {
		date = "unknown"
	}
	return fmt.Sprintf("upkg %s\ncommit: %s\nbuilt:  %s\ngo:     %s %s/%s\n", b.Version, commit, date, b.Go, b.OS, b.Arch)
}

// BuildInfo is f.Build, its Version defaulting to f.Version.
func (f *Factory) BuildInfo() BuildInfo {
	b := f.Build
	if b.Version == "" {
		b.Version = f.Version
	}
	return b
}
