package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteFileAndWriteCache(t *testing.T) {
	for name, write := range map[string]func(string, []byte, os.FileMode) error{"WriteFile": WriteFile, "WriteCache": WriteCache} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "sub", "f.json")
			if err := write(path, []byte("one"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := write(path, []byte("two"), 0o644); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil || string(data) != "two" {
				t.Fatalf("read back %q, %v; want \"two\"", data, err)
			}
			if fi, err := os.Stat(path); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, %v; want 0644", fi.Mode(), err)
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("%d files in the folder, want 1 (no temp file left)", len(entries))
			}
			// A folder in the way: an error, and no temp file left.
			if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := write(filepath.Join(dir, "d"), []byte("x"), 0o644); err == nil {
				t.Error("replacing a folder succeeded")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".d.tmp-*")); len(left) != 0 {
				t.Errorf("temp files left: %v", left)
			}
		})
	}
}
