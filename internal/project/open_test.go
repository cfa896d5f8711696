package project

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/upkg/upkg/internal/fileerr"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpen(t *testing.T) {
	root := t.TempDir()
	p := Paths{Root: root}
	write(t, p.Manifest(), `{"dependencies": {"com.example.a": "1.0.0"}}`)

	got, err := Open(root, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Manifest == nil || len(got.Manifest.Dependencies) != 1 || got.LockBytes != nil || !got.EditorMissing || got.Editor != "" {
		t.Fatalf("without lock and ProjectVersion.txt: %+v", got)
	}

	write(t, p.Lock(), `{"dependencies": {}}`)
	write(t, p.ProjectVersion(), "m_EditorVersion: 2022.3.20f1\n")
	got, err = Open(root, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.LockBytes) != `{"dependencies": {}}` || got.EditorMissing || got.Editor != "2022.3.20f1" {
		t.Fatalf("with both: %+v", got)
	}
	// An editor given is used as it is, and ProjectVersion.txt not read.
	write(t, p.ProjectVersion(), "garbage")
	if got, err = Open(root, "6000.0.23f1"); err != nil || got.Editor != "6000.0.23f1" {
		t.Fatalf("given editor: %+v, %v", got, err)
	}
	var pe *fileerr.PositionError
	if _, err := Open(root, ""); !errors.As(err, &pe) {
		t.Fatalf("malformed ProjectVersion.txt: %v", err)
	}
	write(t, p.Manifest(), `{"dependencies": {`)
	if _, err := Open(root, "6000.0.23f1"); !errors.As(err, &pe) || pe.File != p.Manifest() {
		t.Fatalf("malformed manifest: %v", err)
	}
}
