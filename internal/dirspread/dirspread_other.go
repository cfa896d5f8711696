//go:build !linux

package dirspread

// Subfolders does nothing here: only Linux's ext file systems place
// folders by this hint (APFS and NTFS have no such attribute).
func Subfolders(dir string) {}

// Marked is false, and known false: no file system here is placed by the
// hint.
func Marked(dir string) (marked, known bool) { return false, false }
