package manifest

import (
	"fmt"
	"strings"
)

// MaxNameLength is the longest package name UPM accepts (cus-naming).
const MaxNameLength = 214

// ValidateName checks a package name against UPM's naming rules (UPM-SPEC §8,
// Unity Manual cus-naming): dot-separated parts, none empty (reverse-domain
// notation such as "com.example.tools" is the convention, not enforced by
// the Editor), only lowercase letters, digits,
// '-', '_' and '.', at most 214 characters, and no npm "@scope/" form. The
// error message names the problem but not the name: callers add it.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("the package name is empty")
	}
	if strings.HasPrefix(name, "@") || strings.Contains(name, "/") {
		return fmt.Errorf("npm scoped names are not Unity package names; use a reverse-domain name such as \"com.example.tools\"")
	}
	if len(name) > MaxNameLength {
		return fmt.Errorf("the name is %d characters long; UPM allows at most %d", len(name), MaxNameLength)
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		case r >= 'A' && r <= 'Z':
			return fmt.Errorf("package names must be lowercase (%q)", strings.ToLower(name))
		default:
			return fmt.Errorf("package names may only contain lowercase letters, digits, '-', '_' and '.', not %q", r)
		}
	}
	// Reverse-domain notation is the documented convention, but the Editor
	// accepts a name without a dot (a real project's embedded package is
	// named "nuget", and its Unity-written lock lists it), so upkg does too.
	for _, p := range strings.Split(name, ".") {
		if p == "" {
			return fmt.Errorf("package names cannot start or end with '.' or contain \"..\"")
		}
	}
	return nil
}
