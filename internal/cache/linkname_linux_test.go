package cache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// nul is name as statName and linkName take it.
func nul(name string) []byte { return append([]byte(name), 0) }

func TestStatName(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.cs"), []byte("12345"), 0o444); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, "a.cs"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.cs", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	fd, err := openDirFD(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	defer noStatx.Store(false)
	for _, withStatx := range []bool{true, false} {
		noStatx.Store(!withStatx)
		regular, size, got, err := statName(fd, nul("a.cs"))
		if err != nil || !regular || size != 5 || !got.Equal(mtime) {
			t.Errorf("statx %v: a.cs: regular %v, size %d, time %v, %v", withStatx, regular, size, got, err)
		}
		if regular, _, _, err := statName(fd, nul("link")); err != nil || regular {
			t.Errorf("statx %v: the link (not followed): regular %v, %v", withStatx, regular, err)
		}
		if _, _, _, err := statName(fd, nul("gone")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("statx %v: a missing file: %v, want not exist", withStatx, err)
		}
	}
}

func TestLinkName(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "a.cs"), []byte("x"), 0o444); err != nil {
		t.Fatal(err)
	}
	sfd, err := openDirFD(src)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sfd)
	dfd, err := openDirFD(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dfd)
	if err := linkName(sfd, dfd, nul("a.cs")); err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(filepath.Join(src, "a.cs"))
	b, err := os.Stat(filepath.Join(dst, "a.cs"))
	if err != nil || !os.SameFile(a, b) {
		t.Fatalf("dst/a.cs is not a link to src/a.cs: %v", err)
	}
	err = linkName(sfd, dfd, nul("a.cs"))
	var le *os.LinkError
	if !errors.As(err, &le) || !errors.Is(err, fs.ErrExist) || le.Old != "a.cs" {
		t.Errorf("linking again: %#v, want a *os.LinkError for a.cs that exists", err)
	}
}
