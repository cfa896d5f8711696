package cache

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ensure caches a generated package and returns its entry.
func ensure(t testing.TB, s *Store, name string, scripts int) *Entry {
	t.Helper()
	data := unityPackage(t, name, scripts)
	fetch, _ := counting(data)
	e, err := s.Ensure(context.Background(), sriKey(data), name, "1.0.0", fetch)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestVerifyFindsDamage(t *testing.T) {
	// Damage to pkg/ exists only in entries that have one.
	withPkg := []layout{{"with pkg", true}}
	tests := []struct {
		name    string
		layouts []layout // nil: both
		harm    func(t *testing.T, e *Entry)
		path    string // the Problem's Path
		issue   string // a substring of its Issue
	}{
		{"tampered tarball", nil, func(t *testing.T, e *Entry) {
			flipByte(t, e.TarballPath(), 200)
		}, "", "does not match its checksum"},
		{"truncated tarball", nil, func(t *testing.T, e *Entry) {
			if err := os.Truncate(e.TarballPath(), e.Meta.TarballSize/2); err != nil {
				t.Fatal(err)
			}
		}, "", "does not match its checksum"},
		{"modified file, same size", withPkg, func(t *testing.T, e *Entry) {
			flipByte(t, filepath.Join(e.PkgDir(), "README.md"), 2)
		}, "README.md", "contents changed"},
		{"truncated file", withPkg, func(t *testing.T, e *Entry) {
			if err := os.Truncate(filepath.Join(e.PkgDir(), "package.json"), 3); err != nil {
				t.Fatal(err)
			}
		}, "package.json", "size changed"},
		{"deleted file", withPkg, func(t *testing.T, e *Entry) {
			if err := os.Remove(filepath.Join(e.PkgDir(), "Runtime", "Component1.cs")); err != nil {
				t.Fatal(err)
			}
		}, "Runtime/Component1.cs", "missing"},
		{"added file", withPkg, func(t *testing.T, e *Entry) {
			mustWrite(t, filepath.Join(e.PkgDir(), "Runtime", "Extra.cs"), []byte("x"))
		}, "Runtime/Extra.cs", "not in the tarball"},
		{"file replaced by a folder", withPkg, func(t *testing.T, e *Entry) {
			p := filepath.Join(e.PkgDir(), "README.md")
			os.Remove(p)
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "README.md", "should be a regular file"},
		{"missing meta.json", nil, func(t *testing.T, e *Entry) {
			if err := os.Remove(filepath.Join(e.Dir, metaName)); err != nil {
				t.Fatal(err)
			}
		}, "", "incomplete entry"},
		{"missing tarball", nil, func(t *testing.T, e *Entry) {
			if err := os.Remove(e.TarballPath()); err != nil {
				t.Fatal(err)
			}
		}, "", "incomplete entry"},
		{"meta.json's CRC is wrong", nil, func(t *testing.T, e *Entry) {
			e.Meta.TarballCRC32C = "00000000"
			rewriteMeta(t, e)
		}, "", "CRC-32C is 00000000"},
		{"meta.json lies about the size", nil, func(t *testing.T, e *Entry) {
			e.Meta.UnpackedSize++
			rewriteMeta(t, e)
		}, "", "disagrees with the tarball"},
		{"meta.json lists another file", nil, func(t *testing.T, e *Entry) {
			e.Meta.Files[0].Path = "Other.cs"
			rewriteMeta(t, e)
		}, "Other.cs", "the tarball has"},
		{"meta.json lists another folder", nil, func(t *testing.T, e *Entry) {
			e.Meta.Dirs = append(e.Meta.Dirs, "Extra")
			rewriteMeta(t, e)
		}, "", "lists the folders"},
		{"pkg/ in a tarball-only entry", []layout{{"tarball only", false}}, func(t *testing.T, e *Entry) {
			mustWrite(t, filepath.Join(e.PkgDir(), "x.cs"), []byte("x"))
		}, pkgName, "holds only its tarball"},
	}
	for _, tt := range tests {
		ls := tt.layouts
		if ls == nil {
			ls = layouts()
		}
		for _, l := range ls {
			t.Run(l.name+" "+tt.name, func(t *testing.T) {
				testVerifyFindsDamage(t, l.clone, tt.harm, tt.path, tt.issue)
			})
		}
	}
}

func testVerifyFindsDamage(t *testing.T, clone bool, harm func(t *testing.T, e *Entry), path, issue string) {
	s := testStoreClone(t, clone)
	e := ensure(t, s, "com.example.verify", 3)
	ensure(t, s, "com.example.bystander", 2)
	checkVerify(t, s)
	harm(t, e)
	problems, err := s.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range problems {
		if p.Key != e.Key {
			t.Errorf("problem in an untouched entry: %s", p)
		}
		if p.Path == path && strings.Contains(p.Issue, issue) {
			found = true
		}
	}
	if !found {
		t.Errorf("Verify = %v; want a problem at %q about %q", problems, path, issue)
	}
}

func flipByte(t testing.TB, name string, at int64) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x20
	if _, err := f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

func rewriteMeta(t testing.TB, e *Entry) {
	t.Helper()
	data, err := jsonIndent(e.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.Dir, metaName), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPruneLRU(t *testing.T) {
	s := testStore(t)
	// Installed in the order b, c, a: LRU order is by last use, not by
	// name or by when the entry was added.
	a := ensure(t, s, "com.example.a", 3)
	b := ensure(t, s, "com.example.b", 3)
	c := ensure(t, s, "com.example.c", 3)
	base := time.Now().Add(-time.Hour)
	for i, e := range []*Entry{b, c, a} {
		at := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(s.usedPath(e.Key), at, at); err != nil {
			t.Fatal(err)
		}
	}
	total, err := s.Size()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Prune(context.Background(), total); err != nil || len(got) != 0 {
		t.Fatalf("Prune at the current size evicted %v, %v", got, err)
	}

	evicted, err := s.Prune(context.Background(), total-1)
	if err != nil || names(evicted) != "com.example.b" {
		t.Fatalf("Prune(total-1) evicted %s, %v; want the least recently installed", names(evicted), err)
	}
	if _, err := os.Stat(b.Dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("evicted entry still on disk: %v", err)
	}
	if _, err := os.Stat(s.usedPath(b.Key)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("evicted entry's marker still on disk: %v", err)
	}

	// Installing a makes c the oldest.
	if err := s.Materialize(context.Background(), a, filepath.Join(t.TempDir(), "a")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(s.usedPath(a.Key)); err != nil || !fi.ModTime().After(base.Add(2*time.Minute)) {
		t.Fatalf("Materialize did not mark a used: %v", err)
	}
	evicted, err = s.Prune(context.Background(), 1)
	if err != nil || names(evicted) != "com.example.c com.example.a" {
		t.Fatalf("Prune(1) evicted %s, %v; want c then a", names(evicted), err)
	}
	checkEmpty(t, s)
	if size, err := s.Size(); err != nil || size != 0 {
		t.Errorf("Size after pruning all = %d, %v", size, err)
	}
}

func TestPruneDefaultCapAndDamagedFirst(t *testing.T) {
	s := testStore(t)
	good := ensure(t, s, "com.example.good", 2)
	bad := ensure(t, s, "com.example.bad", 2)
	if err := os.Remove(filepath.Join(bad.Dir, metaName)); err != nil {
		t.Fatal(err)
	}
	// The damaged entry was used last, yet goes first.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(s.usedPath(good.Key), old, old)
	s.maxSize = good.Meta.Size()
	evicted, err := s.Prune(context.Background(), 0)
	if err != nil || len(evicted) != 1 || evicted[0].Key != bad.Key || evicted[0].Damaged == "" {
		t.Fatalf("Prune evicted %+v, %v; want only the damaged entry", evicted, err)
	}
	if _, err := s.Lookup(Key{Integrity: good.Meta.Integrity}); err != nil {
		t.Errorf("good entry gone: %v", err)
	}
}

func names(infos []Info) string {
	var n []string
	for _, in := range infos {
		n = append(n, in.Name)
	}
	return strings.Join(n, " ")
}

func TestClean(t *testing.T) {
	s := testStore(t)
	e := ensure(t, s, "com.example.clean", 2)
	mustWrite(t, filepath.Join(s.Dir(), tmpDir, e.Key+".999", tarballName), []byte("partial"))
	mustWrite(t, filepath.Join(s.Dir(), tmpDir, "stray"), []byte("x"))
	mustWrite(t, filepath.Join(s.PackumentsDir(), "com.example.clean.json"), []byte("{}"))
	if err := s.Clean(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkEmpty(t, s)
	for _, sub := range []string{usedDir, packumentsDir} {
		if names := dirNames(t, filepath.Join(s.Dir(), sub)); names != "" {
			t.Errorf("%s/ holds %s", sub, names)
		}
	}
	if infos, err := s.List(); err != nil || len(infos) != 0 {
		t.Errorf("List after Clean = %v, %v", infos, err)
	}
	// Still a working store.
	ensure(t, s, "com.example.clean", 2)
	checkVerify(t, s)
}

// Prune waits for an entry's lock: an entry being installed is not deleted
// under the installer.
func TestPruneWaitsForLock(t *testing.T) {
	s := testStore(t)
	e := ensure(t, s, "com.example.busy", 2)
	unlock, err := s.rlockEntry(context.Background(), e.Key)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.Prune(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Prune of a locked entry = %v, want it to wait until the deadline", err)
	}
	if _, err := os.Stat(e.Dir); err != nil {
		t.Errorf("locked entry deleted: %v", err)
	}
	unlock()
	if evicted, err := s.Prune(context.Background(), 1); err != nil || len(evicted) != 1 {
		t.Errorf("Prune after unlock = %v, %v", evicted, err)
	}
}
