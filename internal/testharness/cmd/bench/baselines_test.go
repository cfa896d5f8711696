package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestBaselinesLinkAndCopy runs the link and copy baselines on a small tree: every
// file arrives in the new tree, linked (one file, two names) or copied (same
// bytes, a file of its own), and folders without files are made too.
func TestBaselinesLinkAndCopy(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"package.json":          `{"name":"com.example.a"}`,
		"Runtime/A.cs":          "class A {}",
		"Runtime/A.cs.meta":     "guid: 1",
		"Runtime/Deep/B.cs":     "class B {}",
		"Editor/Empty/.keep":    "",
		"Textures/big.bin":      string(bytes.Repeat([]byte{7}, 600<<10)),
		"Textures/big.bin.meta": "guid: 2",
	}
	for name, body := range files {
		p := filepath.Join(root, "pkg", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "pkg", "Empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	dirs, size, err := baseTree([]string{filepath.Join(root, "pkg")})
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, body := range files {
		want += int64(len(body))
	}
	if size != want || fileCount(dirs) != len(files) {
		t.Fatalf("baseTree: %d files, %d bytes; want %d, %d", fileCount(dirs), size, len(files), want)
	}
	for _, check := range []bool{false, true} {
		dst := filepath.Join(t.TempDir(), "linked")
		if _, err := baseRun(dirs, dst, func(d baseDir, to string) error { return linkFiles(d, to, check) }); err != nil {
			t.Fatal(err)
		}
		checkBaseTree(t, root, dst, files, true)
	}
	dst := filepath.Join(t.TempDir(), "copied")
	if _, err := baseRun(dirs, dst, copyFiles); err != nil {
		t.Fatal(err)
	}
	checkBaseTree(t, root, dst, files, false)
	if _, err := os.Stat(filepath.Join(dst, "r0", "Empty")); err != nil {
		t.Errorf("the empty folder was not made: %v", err)
	}

	// A failure is reported, not skipped: running again into a tree
	// that is already there.
	if _, err := baseRun(dirs, dst, func(d baseDir, to string) error { return linkFiles(d, to, false) }); err == nil {
		t.Error("linking over existing files succeeded")
	}
}

func checkBaseTree(t *testing.T, root, dst string, files map[string]string, linked bool) {
	t.Helper()
	for name, body := range files {
		from := filepath.Join(root, "pkg", filepath.FromSlash(name))
		to := filepath.Join(dst, "r0", filepath.FromSlash(name))
		got, err := os.ReadFile(to)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if string(got) != body {
			t.Errorf("%s: %d bytes, want %d", name, len(got), len(body))
		}
		a, errA := os.Stat(from)
		b, errB := os.Stat(to)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if os.SameFile(a, b) != linked {
			t.Errorf("%s: same file as the source = %v, want %v", name, !linked, linked)
		}
	}
}

// TestWriteBytes writes exactly the bytes asked for.
func TestWriteBytes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "data")
	if _, err := writeBytes(p, 3<<20+5); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Size() != 3<<20+5 {
		t.Fatalf("size %v, %v; want %d", fi, err, 3<<20+5)
	}
}
