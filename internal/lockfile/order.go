package lockfile

import (
	"slices"
	"strings"
)

// modulePrefix marks the editor's built-in modules, which Unity lists after
// every other package.
const modulePrefix = "com.unity.modules."

// Less is Unity's order of package names in the lock file and in manifest
// dependencies (UPM-SPEC §5): ordinal byte order, except that every
// "com.unity.modules.*" name comes after all other names (and in ordinal
// order among themselves).
func Less(a, b string) bool { return Compare(a, b) < 0 }

// Compare is Less as a three-way comparison for slices.SortFunc, and where
// the order is written. It looks at each name once: sorting a resolution of
// 10 000 packages compares names some 100 000 times.
func Compare(a, b string) int {
	am, bm := strings.HasPrefix(a, modulePrefix), strings.HasPrefix(b, modulePrefix)
	if am != bm {
		if bm {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// Sort puts the entries of l in lock-file order (Less by name).
func (l *Lock) Sort() {
	slices.SortStableFunc(l.Entries, func(x, y Entry) int { return Compare(x.Name, y.Name) })
}

// Find returns the entry named name, or nil.
func (l *Lock) Find(name string) *Entry {
	for i := range l.Entries {
		if l.Entries[i].Name == name {
			return &l.Entries[i]
		}
	}
	return nil
}
