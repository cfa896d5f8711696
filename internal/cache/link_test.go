package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/extract"
	"github.com/upkg/upkg/internal/testharness/fixture"
)

// ensureSpecial caches specialPackage (an executable, a symbolic link, an
// empty folder) in s.
func ensureSpecial(t testing.TB, s *Store) *Entry {
	t.Helper()
	data := specialPackage(t)
	fetch, _ := counting(data)
	e, err := s.Ensure(context.Background(), sriKey(data), "com.example.special", "1.0.0", fetch)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// checkLinked fails unless every regular file under dest is the entry's
// pkg/ file itself (one inode), read-only, with its execute bit kept.
func checkLinked(t testing.TB, e *Entry, dest string) {
	t.Helper()
	n := 0
	for _, f := range e.Meta.Files {
		if !f.Mode.IsRegular() {
			continue
		}
		n++
		dfi, err := os.Lstat(filepath.Join(dest, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		sfi, err := os.Lstat(filepath.Join(e.PkgDir(), filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if !os.SameFile(sfi, dfi) {
			t.Errorf("%s is not a hard link to the cache's file", f.Path)
		}
		if dfi.Mode().Perm()&0o222 != 0 {
			t.Errorf("%s: mode %v, want read-only", f.Path, dfi.Mode())
		}
		if runtime.GOOS != "windows" && (dfi.Mode().Perm()&0o100 != 0) != (f.Mode.Perm()&0o100 != 0) {
			t.Errorf("%s: mode %v, the tarball says %v", f.Path, dfi.Mode(), f.Mode)
		}
	}
	if n == 0 {
		t.Fatal("no regular files")
	}
}

// linkWalks are the ways MaterializeLinked can walk a tree: by open
// folders where the OS has them (linkTree), and by paths (linkFunc).
func linkWalks() []struct {
	name     string
	byFolder bool
} {
	walks := []struct {
		name     string
		byFolder bool
	}{{"by path", false}}
	if canLinkByFolder {
		walks = append(walks, struct {
			name     string
			byFolder bool
		}{"by folder", true})
	}
	return walks
}

// setLink makes every hard link of s (by path or by folder) call fn.
func setLink(s *Store, fn func(oldname, newname string) error) {
	s.link = fn
	s.linkAt = func(_, _ int, name []byte) error {
		base := string(name[:len(name)-1])
		return fn(base, base)
	}
}

func TestMaterializeLinked(t *testing.T) {
	for _, l := range layouts() {
		for _, w := range linkWalks() {
			t.Run(l.name+"/"+w.name, func(t *testing.T) {
				s := testStoreClone(t, l.clone)
				s.linkByFolder = w.byFolder
				for _, e := range []*Entry{ensureSpecial(t, s), ensure(t, s, "com.example.a", 5)} {
					dest := filepath.Join(t.TempDir(), e.Meta.Name+"@1.0.0")
					if err := s.MaterializeLinked(context.Background(), e, dest); err != nil {
						t.Fatal(err)
					}
					// The entry now says it is linkable, and a second project
					// links to the same files.
					e2, err := s.Lookup(Key{Integrity: e.Meta.Integrity})
					if err != nil {
						t.Fatal(err)
					}
					if !e2.Meta.Linkable || e2.Meta.TarballOnly {
						t.Fatalf("meta after linking: linkable %v, tarball only %v", e2.Meta.Linkable, e2.Meta.TarballOnly)
					}
					dest2 := filepath.Join(t.TempDir(), e.Meta.Name+"@1.0.0")
					if err := s.MaterializeLinked(context.Background(), e2, dest2); err != nil {
						t.Fatal(err)
					}
					for _, d := range []string{dest, dest2} {
						checkLinked(t, e2, d)
						if target, err := os.Readlink(filepath.Join(d, "Alias.cs")); e.Meta.Name == "com.example.special" && (err != nil || target != "Runtime/A.cs") {
							t.Errorf("Alias.cs: link to %q (%v)", target, err)
						}
					}
					// The default mode still gives a project its own files.
					dest3 := filepath.Join(t.TempDir(), e.Meta.Name+"@1.0.0")
					if err := s.Materialize(context.Background(), e2, dest3); err != nil {
						t.Fatal(err)
					}
					checkSameTree(t, e2, dest3)
				}
				checkVerify(t, s)
			})
		}
	}
}

// editLinked writes through a project's hard link, as an editor would.
func editLinked(t testing.TB, p, content string) {
	t.Helper()
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLinkedEditDetected(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(t *testing.T, p string)
		issue string
	}{
		{"size", func(t *testing.T, p string) { editLinked(t, p, "class A { int x; }\n") }, "size changed"},
		{"same size", func(t *testing.T, p string) { editLinked(t, p, "class B {}\n") }, "contents changed"},
		{"touched", func(t *testing.T, p string) {
			if err := os.Chtimes(p, sealedTime, sealedTime.Add(1e9)); err != nil {
				t.Fatal(err)
			}
		}, "was modified at 1985-10-26T08:15:01Z"},
	}
	for _, tt := range tests {
		for _, w := range linkWalks() {
			t.Run(tt.name+"/"+w.name, func(t *testing.T) {
				s := testStoreClone(t, false)
				s.linkByFolder = w.byFolder
				e := ensureSpecial(t, s)
				dest := filepath.Join(t.TempDir(), "com.example.special@1.0.0")
				if err := s.MaterializeLinked(context.Background(), e, dest); err != nil {
					t.Fatal(err)
				}
				tt.edit(t, filepath.Join(dest, "Runtime", "A.cs"))

				problems, err := s.Verify(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(problems) != 1 || problems[0].Path != "Runtime/A.cs" || !strings.Contains(problems[0].Issue, tt.issue) || !strings.Contains(problems[0].Issue, "hard-linked into projects") {
					t.Fatalf("Verify = %v, want one problem with Runtime/A.cs: %s", problems, tt.issue)
				}

				// The check before linking refuses the entry, naming the file,
				// and leaves the project's folder as it was.
				other := filepath.Join(t.TempDir(), "com.example.special@1.0.0")
				err = s.MaterializeLinked(context.Background(), e, other)
				var damaged *DamagedError
				if !errors.As(err, &damaged) || damaged.Key != e.Key || filepath.Base(damaged.Path) != "A.cs" {
					t.Fatalf("MaterializeLinked = %v, want a DamagedError naming A.cs", err)
				}
				if _, err := os.Lstat(other); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s exists after a refused install (%v)", other, err)
				}
				leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(other), ".*"))
				if len(leftovers) > 0 {
					t.Errorf("leftovers: %v", leftovers)
				}

				// Discarded and fetched again, the entry links cleanly.
				if err := s.Discard(context.Background(), e.Key); err != nil {
					t.Fatal(err)
				}
				e = ensureSpecial(t, s)
				if err := s.MaterializeLinked(context.Background(), e, other); err != nil {
					t.Fatal(err)
				}
				checkLinked(t, e, other)
				checkVerify(t, s)
			})
		}
	}
}

func TestMaterializeLinkedFallsBackToCopy(t *testing.T) {
	tests := []struct {
		name string
		err  error
		each bool // every file is tried: only that file is copied
	}{
		{"another file system", syscall.EXDEV, false},
		{"no hard links", syscall.EPERM, false},
		{"too many links", syscall.EMLINK, true},
	}
	for _, tt := range tests {
		for _, w := range linkWalks() {
			t.Run(tt.name+"/"+w.name, func(t *testing.T) {
				s := testStoreClone(t, false)
				s.linkByFolder = w.byFolder
				calls := 0
				setLink(s, func(oldname, newname string) error {
					calls++
					return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: tt.err}
				})
				s.writers = 1                      // count the calls in order
				s.linkers = make(chan struct{}, 1) // (by folder: one folder at a time)
				e := ensure(t, s, "com.example.a", 1)
				dest := filepath.Join(t.TempDir(), "com.example.a@1.0.0")
				if err := s.MaterializeLinked(context.Background(), e, dest); err != nil {
					t.Fatal(err)
				}
				e, _ = s.Lookup(Key{Integrity: e.Meta.Integrity})
				checkSameTree(t, e, dest)
				want := 1
				if tt.each {
					want = len(e.Meta.Files)
				}
				if calls != want {
					t.Errorf("%d links tried, want %d", calls, want)
				}
			})
		}
	}
	for _, w := range linkWalks() {
		t.Run("real failure/"+w.name, func(t *testing.T) {
			s := testStoreClone(t, false)
			s.linkByFolder = w.byFolder
			setLink(s, func(oldname, newname string) error {
				return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: syscall.ENOSPC}
			})
			e := ensure(t, s, "com.example.a", 1)
			dest := filepath.Join(t.TempDir(), "com.example.a@1.0.0")
			err := s.MaterializeLinked(context.Background(), e, dest)
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("MaterializeLinked = %v, want ENOSPC", err)
			}
			// The error names the cache's file and the project's.
			if msg := err.Error(); !strings.Contains(msg, e.PkgDir()) || !strings.Contains(msg, filepath.Dir(dest)) {
				t.Errorf("MaterializeLinked = %v, want both paths named", err)
			}
		})
	}
}

func TestLinkFallsBack(t *testing.T) {
	tests := []struct {
		goos string
		err  error
		want bool
	}{
		{"linux", syscall.EXDEV, true},
		{"linux", syscall.EMLINK, true},
		{"linux", syscall.EPERM, true},
		{"darwin", syscall.ENOTSUP, true},
		{"linux", syscall.ENOSPC, false},
		{"linux", syscall.ENOENT, false},
		{"linux", errors.New("not an errno"), false},
		{"windows", syscall.Errno(winErrorNotSameDevice), true},
		{"windows", syscall.Errno(winErrorInvalidFunction), true},
		{"windows", syscall.Errno(winErrorTooManyLinks), true},
		{"windows", syscall.Errno(112), false}, // ERROR_DISK_FULL
	}
	for _, tt := range tests {
		err := &os.LinkError{Op: "link", Old: "a", New: "b", Err: tt.err}
		if got := linkFallsBack(tt.goos, err); got != tt.want {
			t.Errorf("linkFallsBack(%s, %v) = %v, want %v", tt.goos, tt.err, got, tt.want)
		}
	}
}

// TestLinkedEntryCrashLeftovers: a pkg/ folder in an entry that meta.json
// still calls tarball-only (a crash between the two) is made again.
func TestLinkedEntryCrashLeftovers(t *testing.T) {
	s := testStoreClone(t, false)
	e := ensure(t, s, "com.example.a", 1)
	if err := os.MkdirAll(filepath.Join(e.PkgDir(), "junk"), 0o755); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "com.example.a@1.0.0")
	if err := s.MaterializeLinked(context.Background(), e, dest); err != nil {
		t.Fatal(err)
	}
	e, _ = s.Lookup(Key{Integrity: e.Meta.Integrity})
	checkLinked(t, e, dest)
	checkVerify(t, s)
}

// TestUnseal: a tree copied whole from a sealed pkg/ (macOS clonefile keeps
// modes) is made writable again, as the tarball says.
func TestUnseal(t *testing.T) {
	s := testStoreClone(t, true)
	e := ensureSpecial(t, s)
	e, err := s.ensureTree(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range e.Meta.Files {
		if !f.Mode.IsRegular() {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := unseal(dir, e.Meta.Files); err != nil {
		t.Fatal(err)
	}
	for _, f := range e.Meta.Files {
		if !f.Mode.IsRegular() {
			continue
		}
		fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && fi.Mode().Perm() != f.Mode.Perm() {
			t.Errorf("%s: mode %v, want %v", f.Path, fi.Mode().Perm(), f.Mode.Perm())
		}
	}
}

// manyFolders is the tarball of package name 1.0.0 with 40 folders of five
// files each, Runtime/PartNN/Sub/F0.cs to F4.cs.
func manyFolders(t *testing.T, name string) []byte {
	t.Helper()
	files := map[string][]byte{}
	for d := range 40 {
		for f := range 5 {
			files[fmt.Sprintf("Runtime/Part%02d/Sub/F%d.cs", d, f)] = []byte(fmt.Sprintf("class P%dF%d {}\n", d, f))
		}
	}
	data, err := fixture.Tarball(fixture.UnityManifest(name, "1.0.0", "2021.3", nil), files)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// linkFresh puts package name 1.0.0 (tarball data) into s and links it
// into a new folder, checking every file is linked; it returns the entry,
// as looked up after linking, and the folder.
func linkFresh(t *testing.T, s *Store, data []byte, name string) (*Entry, string) {
	t.Helper()
	fetch, _ := counting(data)
	e, err := s.Ensure(context.Background(), sriKey(data), name, "1.0.0", fetch)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), name+"@1.0.0")
	if err := s.MaterializeLinked(context.Background(), e, dest); err != nil {
		t.Fatal(err)
	}
	e, _ = s.Lookup(Key{Integrity: e.Meta.Integrity})
	checkLinked(t, e, dest)
	return e, dest
}

// TestLinkManyFolders links a package of many folders several folders at a
// time (linkTree), then refuses it whole once one file deep inside was
// edited, whichever folder's goroutine meets it.
func TestLinkManyFolders(t *testing.T) {
	data := manyFolders(t, "com.example.many")
	for _, w := range linkWalks() {
		t.Run(w.name, func(t *testing.T) {
			s := testStoreClone(t, false)
			s.linkByFolder = w.byFolder
			s.linkers = make(chan struct{}, 4)
			e, dest := linkFresh(t, s, data, "com.example.many")
			if len(s.linkers) != 0 {
				t.Errorf("%d linker slots still held", len(s.linkers))
			}

			editLinked(t, filepath.Join(dest, "Runtime", "Part37", "Sub", "F3.cs"), "class Edited {}\n")
			other := filepath.Join(t.TempDir(), "com.example.many@1.0.0")
			err := s.MaterializeLinked(context.Background(), e, other)
			var damaged *DamagedError
			if !errors.As(err, &damaged) || !strings.HasSuffix(filepath.ToSlash(damaged.Path), "Runtime/Part37/Sub/F3.cs") {
				t.Fatalf("MaterializeLinked = %v, want a DamagedError naming Part37/Sub/F3.cs", err)
			}
			if _, err := os.Lstat(other); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s exists after a refused install (%v)", other, err)
			}
			if len(s.linkers) != 0 {
				t.Errorf("%d linker slots still held after the failure", len(s.linkers))
			}
		})
	}
}

// TestLinkSpreadsOverFreeSlots: a package of many folders does not link
// alone on one worker while linker slots are free — the next folders go to
// more workers as the first one finds slots free (linkTree). One link call
// midway waits until another runs at the same time, which only a second
// worker can make happen; the deadline only keeps a broken linkTree from
// hanging the test.
func TestLinkSpreadsOverFreeSlots(t *testing.T) {
	if !canLinkByFolder {
		t.Skip("links by path here, not by folder workers")
	}
	data := manyFolders(t, "com.example.spread")
	s := testStoreClone(t, false)
	s.linkByFolder = true
	s.linkers = make(chan struct{}, 4)
	var calls, active, most atomic.Int64
	s.linkAt = func(olddirfd, newdirfd int, name []byte) error {
		n := active.Add(1)
		defer active.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if calls.Add(1) == 30 {
			deadline := time.Now().Add(30 * time.Second)
			for most.Load() < 2 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
		}
		return linkName(olddirfd, newdirfd, name)
	}
	linkFresh(t, s, data, "com.example.spread")
	if most.Load() < 2 {
		t.Errorf("at most %d link at a time with 4 slots free: one worker linked all 40 folders", most.Load())
	}
	if len(s.linkers) != 0 {
		t.Errorf("%d linker slots still held", len(s.linkers))
	}
}

func TestGroupByDir(t *testing.T) {
	type group struct {
		dir   string
		paths []string
	}
	for _, tc := range []struct {
		name  string
		files []string
		want  []group
		// inPlace: the groups are slices of the list itself.
		inPlace bool
	}{
		{
			name:  "folders interleaved",
			files: []string{"package.json", "Runtime/a.cs", "Runtime/b.cs", "Runtime/Sub/c.cs", "README.md", "Runtime/d.cs", "Runtime/Sub/e.cs"},
			want: []group{
				{"", []string{"package.json", "README.md"}},
				{"Runtime", []string{"Runtime/a.cs", "Runtime/b.cs", "Runtime/d.cs"}},
				{"Runtime/Sub", []string{"Runtime/Sub/c.cs", "Runtime/Sub/e.cs"}},
			},
		},
		{
			name:  "each folder in one run",
			files: []string{"package.json", "README.md", "Runtime/a.cs", "Runtime/b.cs", "Runtime/Sub/c.cs", "Editor/e.cs"},
			want: []group{
				{"", []string{"package.json", "README.md"}},
				{"Runtime", []string{"Runtime/a.cs", "Runtime/b.cs"}},
				{"Runtime/Sub", []string{"Runtime/Sub/c.cs"}},
				{"Editor", []string{"Editor/e.cs"}},
			},
			inPlace: true,
		},
		{
			name:  "a folder back after another",
			files: []string{"a/x", "b/y", "a/z"},
			want:  []group{{"a", []string{"a/x", "a/z"}}, {"b", []string{"b/y"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := make([]extract.File, len(tc.files))
			for i, p := range tc.files {
				files[i].Path = p
			}
			got := groupByDir(files)
			if len(got) != len(tc.want) {
				t.Fatalf("%d groups, want %d: %+v", len(got), len(tc.want), got)
			}
			at := 0
			for i, g := range got {
				var paths []string
				for _, f := range g.files {
					paths = append(paths, f.Path)
				}
				if g.dir != tc.want[i].dir || !slices.Equal(paths, tc.want[i].paths) {
					t.Errorf("group %d: %q %q, want %q %q", i, g.dir, paths, tc.want[i].dir, tc.want[i].paths)
				}
				if cap(g.files) != len(g.files) {
					t.Errorf("group %d: capacity %d beyond its %d files: an append would write over the next group", i, cap(g.files), len(g.files))
				}
				if inPlace := &g.files[0] == &files[at]; inPlace != tc.inPlace {
					t.Errorf("group %d is a slice of the list: %v, want %v", i, inPlace, tc.inPlace)
				}
				at += len(g.files)
			}
		})
	}
	if groupByDir(nil) != nil {
		t.Error("groups of no files")
	}
}

// TestBuildLinkable: a store told that installs link builds each entry
// with its pkg/ folder sealed, on file systems that clone or not, so that
// the first linked install links at once — it needs no tarball — and
// Verify finds the entry whole.
func TestBuildLinkable(t *testing.T) {
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			s := testStoreClone(t, l.clone)
			s.BuildLinkable()
			e := ensureSpecial(t, s)
			if !e.Meta.Linkable || e.Meta.TarballOnly {
				t.Fatalf("built Linkable %v, TarballOnly %v; want a sealed pkg/", e.Meta.Linkable, e.Meta.TarballOnly)
			}
			if loaded, err := s.load(e.Key); err != nil || !loaded.Meta.Linkable || loaded.Meta.TarballOnly {
				t.Fatalf("meta.json on disk: %+v, %v", loaded, err)
			}
			checkVerify(t, s)
			// Linking reads pkg/ only: without the tarball it still works.
			if err := os.Remove(e.TarballPath()); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(t.TempDir(), "com.example.special@1.0.0")
			if err := s.MaterializeLinked(context.Background(), e, dest); err != nil {
				t.Fatal(err)
			}
			checkLinked(t, e, dest)
		})
	}
}
