package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// checkSameTree fails unless dest holds exactly the files of e, with the
// same contents, modes and link targets, as separate files.
func checkSameTree(t testing.TB, e *Entry, dest string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dest {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(e.Meta.Files) + len(e.Meta.Dirs); n != want {
		t.Errorf("%d entries under %s, want %d", n, dest, want)
	}
	for _, f := range e.Meta.Files {
		src := filepath.Join(e.PkgDir(), filepath.FromSlash(f.Path))
		dst := filepath.Join(dest, filepath.FromSlash(f.Path))
		sfi, err1 := os.Lstat(src)
		dfi, err2 := os.Lstat(dst)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: %v, %v", f.Path, err1, err2)
			continue
		}
		if sfi.Mode() != dfi.Mode() {
			t.Errorf("%s: mode %v, cache has %v", f.Path, dfi.Mode(), sfi.Mode())
		}
		if f.Mode&fs.ModeSymlink != 0 {
			if target, err := os.Readlink(dst); err != nil || target != f.Link {
				t.Errorf("%s: link to %q (%v), want %q", f.Path, target, err, f.Link)
			}
			continue
		}
		if os.SameFile(sfi, dfi) {
			t.Errorf("%s shares its inode with the cache", f.Path)
		}
		a, _ := os.ReadFile(src)
		b, err := os.ReadFile(dst)
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: contents differ (%v)", f.Path, err)
		}
	}
	for _, d := range e.Meta.Dirs {
		if fi, err := os.Lstat(filepath.Join(dest, filepath.FromSlash(d))); err != nil || !fi.IsDir() {
			t.Errorf("folder %s: %v", d, err)
		}
	}
}

func TestMaterialize(t *testing.T) {
	s := testStore(t)
	data := specialPackage(t)
	if runtime.GOOS == "windows" {
		data = unityPackage(t, "com.example.special", 5) // no symbolic links there
	}
	fetch, _ := counting(data)
	e, err := s.Ensure(context.Background(), sriKey(data), "com.example.special", "1.0.0", fetch)
	if err != nil {
		t.Fatal(err)
	}
	project := t.TempDir()
	dest := filepath.Join(project, "Library", "PackageCache", "com.example.special@1.0.0")
	if err := s.Materialize(context.Background(), e, dest); err != nil {
		t.Fatal(err)
	}
	checkSameTree(t, e, dest)
	if names := dirNames(t, filepath.Dir(dest)); names != "com.example.special@1.0.0" {
		t.Errorf("PackageCache holds %q: temporary folders left behind", names)
	}

	// A user edits files in place (no rename, same inode): the cache must
	// not change.
	target := filepath.Join(dest, "package.json")
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("EDITED"), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.WriteFile(filepath.Join(dest, "Runtime", "A.cs"), []byte("rewritten"), 0o644); err != nil {
		t.Fatal(err)
	}
	checkVerify(t, s)

	// Materializing again replaces the edited copy as a whole.
	mustWrite(t, filepath.Join(dest, "Stray.cs"), []byte("user file"))
	if err := s.Materialize(context.Background(), e, dest); err != nil {
		t.Fatal(err)
	}
	checkSameTree(t, e, dest)
	if names := dirNames(t, filepath.Dir(dest)); names != "com.example.special@1.0.0" {
		t.Errorf("PackageCache holds %q after a replace", names)
	}
	checkVerify(t, s)
}

func TestMaterializeReplacesAnything(t *testing.T) {
	s := testStore(t)
	e := ensure(t, s, "com.example.replace", 3)
	tests := []struct {
		name  string
		setup func(t *testing.T, dest string)
	}{
		{"nothing there", func(t *testing.T, dest string) {}},
		{"empty folder", func(t *testing.T, dest string) { os.MkdirAll(dest, 0o755) }},
		{"a file", func(t *testing.T, dest string) { mustWrite(t, dest, []byte("x")) }},
		{"an older copy", func(t *testing.T, dest string) {
			mustWrite(t, filepath.Join(dest, "Old", "x.cs"), []byte("x"))
		}},
		{"leftover of a failed replace", func(t *testing.T, dest string) {
			mustWrite(t, filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".upkg-old-123", "x"), []byte("x"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "pc", "com.example.replace@1.0.0")
			tt.setup(t, dest)
			if err := s.Materialize(context.Background(), e, dest); err != nil {
				t.Fatal(err)
			}
			checkSameTree(t, e, dest)
			if names := dirNames(t, filepath.Dir(dest)); names != "com.example.replace@1.0.0" {
				t.Errorf("parent holds %q", names)
			}
		})
	}
}

func TestMaterializeRefusesDamagedCache(t *testing.T) {
	s := testStore(t)
	e := ensure(t, s, "com.example.damaged", 3)
	if err := os.Truncate(filepath.Join(e.PkgDir(), "README.md"), 1); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	dest := filepath.Join(parent, "com.example.damaged@1.0.0")
	err := s.Materialize(context.Background(), e, dest)
	if err == nil || !strings.Contains(err.Error(), "upkg cache verify") {
		t.Fatalf("Materialize = %v, want the damage reported", err)
	}
	if names := dirNames(t, parent); names != "" {
		t.Errorf("a failed Materialize left %q", names)
	}
}

func TestMaterializeEvictedEntry(t *testing.T) {
	s := testStore(t)
	e := ensure(t, s, "com.example.gone", 2)
	if _, err := s.Prune(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	err := s.Materialize(context.Background(), e, filepath.Join(t.TempDir(), "x"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Materialize of an evicted entry = %v, want fs.ErrNotExist", err)
	}
}

// Both copy paths — this OS's (raw system calls, with FICLONE on Linux)
// and the portable one — copy exactly and catch a size mismatch.
func TestCopyFileVariants(t *testing.T) {
	variants := map[string]func(src, dst string, perm uint32, size int64) error{
		"copyFile": func(src, dst string, perm uint32, size int64) error {
			var clone atomic.Bool
			clone.Store(true)
			return copyFile(src, dst, perm, size, &clone)
		},
		"copyFileOS": copyFileOS,
	}
	big := bytes.Repeat([]byte("0123456789"), smallFile/5) // over smallFile: streamed
	for name, copy := range variants {
		for _, tt := range []struct {
			name    string
			data    []byte
			size    int64
			wantErr bool
		}{
			{"empty", nil, 0, false},
			{"small", []byte("hello"), 5, false},
			{"big", big, int64(len(big)), false},
			{"shorter than expected", []byte("hell"), 5, true},
			{"longer than expected", []byte("hello!"), 5, true},
		} {
			t.Run(name+" "+tt.name, func(t *testing.T) {
				dir := t.TempDir()
				src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
				mustWrite(t, src, tt.data)
				err := copy(src, dst, 0o644, tt.size)
				if tt.wantErr {
					if err == nil || !strings.Contains(err.Error(), "damaged") {
						t.Errorf("copy = %v, want a damage report", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, tt.data) {
					t.Errorf("copy differs (%v)", err)
				}
				if err := copy(src, dst, 0o644, tt.size); !errors.Is(err, fs.ErrExist) {
					t.Errorf("copy over an existing file = %v, want fs.ErrExist", err)
				}
			})
		}
	}
}

func BenchmarkMaterialize(b *testing.B) {
	s := testStore(b)
	e := ensure(b, s, "com.example.bench", 97) // 200 files
	if e.Meta.FileCount != 200 {
		b.Fatalf("%d files", e.Meta.FileCount)
	}
	root := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Materialize(context.Background(), e, filepath.Join(root, fmt.Sprint(i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWarmInstall materializes 100 packages of 200 files each, jobs
// packages at a time: the warm-install case of DESIGN.md's performance
// table.
func BenchmarkWarmInstall(b *testing.B) {
	s := testStore(b)
	var entries []*Entry
	for i := 0; i < 100; i++ {
		entries = append(entries, ensure(b, s, fmt.Sprintf("com.example.p%03d", i), 97))
	}
	for _, jobs := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			root := b.TempDir()
			for i := 0; i < b.N; i++ {
				sem := make(chan struct{}, jobs)
				errs := make(chan error, len(entries))
				for _, e := range entries {
					sem <- struct{}{}
					go func() {
						defer func() { <-sem }()
						errs <- s.Materialize(context.Background(), e, filepath.Join(root, fmt.Sprint(i), e.Meta.Name+"@1.0.0"))
					}()
				}
				for range entries {
					if err := <-errs; err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
