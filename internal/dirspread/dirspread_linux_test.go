package dirspread

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// flagsOf reads dir's attribute flags; ok is false where the file system
// has none.
func flagsOf(t *testing.T, dir string) (flags uint32, ok bool) {
	t.Helper()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	flags, err = fdFlags(fd).get()
	if errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL) {
		return 0, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return flags, true
}

func TestSubfoldersOnDisk(t *testing.T) {
	dir := t.TempDir()
	before, ok := flagsOf(t, dir)
	if !ok {
		t.Skipf("%s's file system has no attribute flags", dir)
	}
	if m, _ := Marked(dir); m {
		t.Fatalf("a new folder is marked already")
	}
	Subfolders(dir)
	after, _ := flagsOf(t, dir)
	if after&^topdirFlag != before&^topdirFlag {
		t.Errorf("flags %#x became %#x: only the top-directory flag may change", before, after)
	}
	switch marked, known := Marked(dir); {
	case known && (!marked || after&topdirFlag == 0):
		t.Errorf("on ext4, Marked = %v with flags %#x: the top-directory flag was not set", marked, after)
	case !known && marked:
		t.Errorf("Marked = true where the file system does not place by it")
	}
	// Others may refuse the flag, which Subfolders ignores: the folder
	// must be usable either way, and bad paths are ignored.
	if err := os.WriteFile(filepath.Join(dir, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	Subfolders(filepath.Join(dir, "missing"))
	Subfolders(filepath.Join(dir, "a"))
}
