package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/upkg/upkg/internal/extract"
)

// checkSameTree fails unless dest holds exactly the package of e — the
// files, folders, contents, executable bits and link targets of its
// tarball — as files of its own (never sharing an inode with pkg/).
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
	tgz, err := os.Open(e.TarballPath())
	if err != nil {
		t.Fatal(err)
	}
	defer tgz.Close()
	err = extract.Walk(context.Background(), tgz, extract.Limits{}, func(f extract.File, body io.Reader) error {
		dst := filepath.Join(dest, filepath.FromSlash(f.Path))
		dfi, err := os.Lstat(dst)
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			return nil
		}
		switch {
		case f.Mode.IsDir():
			if !dfi.IsDir() {
				t.Errorf("%s is not a folder", f.Path)
			}
		case f.Mode&fs.ModeSymlink != 0:
			if target, err := os.Readlink(dst); err != nil || target != f.Link {
				t.Errorf("%s: link to %q (%v), want %q", f.Path, target, err, f.Link)
			}
		default:
			if !dfi.Mode().IsRegular() {
				t.Errorf("%s: mode %v, want a regular file", f.Path, dfi.Mode())
			}
			if runtime.GOOS != "windows" && (dfi.Mode().Perm()&0o100 != 0) != (f.Mode.Perm()&0o100 != 0) {
				t.Errorf("%s: mode %v, the tarball says %v", f.Path, dfi.Mode(), f.Mode)
			}
			want, _ := io.ReadAll(body)
			if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: contents differ (%v)", f.Path, err)
			}
			if sfi, err := os.Lstat(filepath.Join(e.PkgDir(), filepath.FromSlash(f.Path))); err == nil && os.SameFile(sfi, dfi) {
				t.Errorf("%s shares its inode with the cache", f.Path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMaterialize(t *testing.T) {
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) { testMaterialize(t, testStoreClone(t, l.clone)) })
	}
}

func testMaterialize(t *testing.T, s *Store) {
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
		{"another package's leftover", func(t *testing.T, dest string) {
			mustWrite(t, filepath.Join(filepath.Dir(dest), ".com.example.gone@2.0.0.upkg-old-7", "x"), []byte("x"))
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

// A cache damaged after Ensure never reaches a project: a tarball that no
// longer matches its checksum, or a pkg/ file of the wrong size.
func TestMaterializeRefusesDamagedCache(t *testing.T) {
	tests := []struct {
		name       string
		clone      bool // the probe's answer when the entry is written
		cloneLater bool // and when it is materialized
		harm       func(t *testing.T, e *Entry)
	}{
		{"tarball only, tampered tarball", false, false, func(t *testing.T, e *Entry) { flipByte(t, e.TarballPath(), 200) }},
		{"tarball only, truncated tarball", false, false, func(t *testing.T, e *Entry) {
			if err := os.Truncate(e.TarballPath(), e.Meta.TarballSize/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"with pkg, truncated file", true, true, func(t *testing.T, e *Entry) {
			if err := os.Truncate(filepath.Join(e.PkgDir(), "README.md"), 1); err != nil {
				t.Fatal(err)
			}
		}},
		{"with pkg on a store that cannot clone, tampered tarball", true, false, func(t *testing.T, e *Entry) { flipByte(t, e.TarballPath(), 200) }},
		// Another package's valid tarball in its place: the CRC differs.
		{"tarball only, swapped tarball", false, false, func(t *testing.T, e *Entry) {
			other := ensure(t, testStoreClone(t, false), "com.example.other", 3)
			data, err := os.ReadFile(other.TarballPath())
			if err != nil {
				t.Fatal(err)
			}
			mustWrite(t, e.TarballPath(), data)
		}},
		// The file list says where each file is in the tarball; one that
		// is off is damage too (the tarball's checksum holds).
		{"tarball only, file list off by a byte", false, false, func(t *testing.T, e *Entry) {
			e.Meta.Files[len(e.Meta.Files)-1].Offset++
			rewriteMeta(t, e)
		}},
		// An entry an earlier upkg wrote has no CRC: the key's hash decides.
		{"tarball only, no CRC, tampered tarball", false, false, func(t *testing.T, e *Entry) {
			e.Meta.TarballCRC32C = ""
			rewriteMeta(t, e)
			flipByte(t, e.TarballPath(), 200)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testStoreClone(t, tt.clone)
			e := ensure(t, s, "com.example.damaged", 3)
			if len(e.Meta.TarballCRC32C) != 8 {
				t.Fatalf("tarballCRC32C %q", e.Meta.TarballCRC32C)
			}
			tt.harm(t, e)
			s2, err := open(s.Dir(), 0, func(goos, dir string) bool { return tt.cloneLater })
			if err != nil {
				t.Fatal(err)
			}
			parent := t.TempDir()
			dest := filepath.Join(parent, "com.example.damaged@1.0.0")
			err = s2.Materialize(context.Background(), e, dest)
			var de *DamagedError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), "the cache is damaged") {
				t.Fatalf("Materialize = %v, want the damage reported", err)
			}
			if names := dirNames(t, parent); names != "" {
				t.Errorf("a failed Materialize left %q", names)
			}
		})
	}
}

// Entries written with pkg/ — by earlier versions, or where the file
// system clones — still install on any store, also when pkg/ was lost.
// (Such an entry's meta.json is byte for byte what earlier versions wrote:
// tarballOnly is omitted when false.)
func TestMaterializeEntryWithPkg(t *testing.T) {
	tests := []struct {
		name       string
		cloneLater bool
		losePkg    bool
	}{
		{"store that cannot clone unpacks the tarball", false, false},
		{"store that clones copies pkg/", true, false},
		{"pkg/ lost", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := testStoreClone(t, true)
			e := ensure(t, old, "com.example.old", 4)
			if e.Meta.TarballOnly {
				t.Fatal("entry written as tarball only")
			}
			raw, err := os.ReadFile(filepath.Join(e.Dir, metaName))
			if err != nil || strings.Contains(string(raw), "tarballOnly") {
				t.Fatalf("meta.json mentions tarballOnly (%v):\n%s", err, raw)
			}
			if tt.losePkg {
				if err := os.RemoveAll(e.PkgDir()); err != nil {
					t.Fatal(err)
				}
			}
			s, err := open(old.Dir(), 0, func(goos, dir string) bool { return tt.cloneLater })
			if err != nil {
				t.Fatal(err)
			}
			e2, err := s.Lookup(Key{Integrity: e.Meta.Integrity})
			if err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(t.TempDir(), "com.example.old@1.0.0")
			if err := s.Materialize(context.Background(), e2, dest); err != nil {
				t.Fatal(err)
			}
			checkSameTree(t, e2, dest)
		})
	}
}

func TestMaterializeEvictedEntry(t *testing.T) {
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			s := testStoreClone(t, l.clone)
			e := ensure(t, s, "com.example.gone", 2)
			if _, err := s.Prune(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			parent := t.TempDir()
			err := s.Materialize(context.Background(), e, filepath.Join(parent, "x"))
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Materialize of an evicted entry = %v, want fs.ErrNotExist", err)
			}
			if names := dirNames(t, parent); names != "" {
				t.Errorf("a failed Materialize left %q", names)
			}
		})
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
// table, copying (the default: cloning where the file system can) and in
// link mode (MaterializeLinked; the entries are made linkable before the
// timing starts, as the first install in link mode does once).
func BenchmarkWarmInstall(b *testing.B) {
	s := testStore(b)
	var entries []*Entry
	for i := 0; i < 100; i++ {
		e := ensure(b, s, fmt.Sprintf("com.example.p%03d", i), 97)
		e, err := s.ensureTree(context.Background(), e)
		if err != nil {
			b.Fatal(err)
		}
		entries = append(entries, e)
	}
	modes := []struct {
		name        string
		materialize func(context.Context, *Entry, string) error
	}{{"copy", s.Materialize}, {"link", s.MaterializeLinked}}
	for _, mode := range modes {
		for _, jobs := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("%s/jobs=%d", mode.name, jobs), func(b *testing.B) {
				root := b.TempDir()
				for i := 0; i < b.N; i++ {
					sem := make(chan struct{}, jobs)
					errs := make(chan error, len(entries))
					for _, e := range entries {
						sem <- struct{}{}
						go func() {
							defer func() { <-sem }()
							errs <- mode.materialize(context.Background(), e, filepath.Join(root, fmt.Sprint(i), e.Meta.Name+"@1.0.0"))
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
}

// An entry whose file list has no offsets (written before they were
// recorded) is unpacked by reading the tar headers, and verifies clean;
// one with them is replayed, and verifies clean too.
func TestMaterializeWithAndWithoutOffsets(t *testing.T) {
	for _, offsets := range []bool{true, false} {
		t.Run(fmt.Sprintf("offsets=%v", offsets), func(t *testing.T) {
			s := testStoreClone(t, false)
			e := ensure(t, s, "com.example.offsets", 5)
			if !extract.CanReplay(e.Meta.Files) {
				t.Fatalf("a new entry's file list has no offsets: %+v", e.Meta.Files)
			}
			if !offsets {
				for i := range e.Meta.Files {
					e.Meta.Files[i].Offset = 0
				}
				rewriteMeta(t, e)
			}
			dest := filepath.Join(t.TempDir(), "com.example.offsets@1.0.0")
			if err := s.Materialize(context.Background(), e, dest); err != nil {
				t.Fatal(err)
			}
			checkSameTree(t, e, dest)
			checkVerify(t, s)
		})
	}
}
