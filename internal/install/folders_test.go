package install

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/upkg/upkg/internal/cache"
)

func TestFolderNames(t *testing.T) {
	dir := t.TempDir()
	tgz := []byte("not really a tarball")
	if err := os.WriteFile(filepath.Join(dir, "tarball.tgz"), tgz, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(tgz)
	computed := hex.EncodeToString(sum[:])
	withShasum := &cache.Entry{Dir: dir, Meta: cache.Meta{Name: "com.a", Version: "1.2.3", Shasum: "7F8B2FB101B6053CC7472330401E94FF0C17B204"}}
	without := &cache.Entry{Dir: dir, Meta: cache.Meta{Name: "com.a", Version: "1.2.3"}}
	const commit = "89abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		editor           string
		reg, regComputed string
		git              string
	}{
		{"", "com.a@1.2.3", "com.a@1.2.3", "com.a@89abcdef01"},
		{"2022.3.20f1", "com.a@1.2.3", "com.a@1.2.3", "com.a@89abcdef01"},
		{"2023.2.20f1", "com.a@1.2.3", "com.a@1.2.3", "com.a@89abcdef01"},
		{"6000.0.0b16", "com.a", "com.a", "com.a"},
		{"6000.0.21f1", "com.a", "com.a", "com.a"},
		{"6000.0.22f1", "com.a@7f8b2fb101b6", "com.a@" + computed[:12], "com.a@89abcdef0123"},
		{"6000.3.8f1", "com.a@7f8b2fb101b6", "com.a@" + computed[:12], "com.a@89abcdef0123"},
		{"not a version", "com.a@1.2.3", "com.a@1.2.3", "com.a@89abcdef01"},
	}
	for _, tt := range tests {
		l := layoutFor(tt.editor)
		if got, err := l.registryFolder("com.a", "1.2.3", withShasum); err != nil || got != tt.reg {
			t.Errorf("%q registry: %q, %v; want %q", tt.editor, got, err, tt.reg)
		}
		if got, err := l.registryFolder("com.a", "1.2.3", without); err != nil || got != tt.regComputed {
			t.Errorf("%q registry without shasum: %q, %v; want %q", tt.editor, got, err, tt.regComputed)
		}
		if got := l.gitFolder("com.a", commit); got != tt.git {
			t.Errorf("%q git: %q; want %q", tt.editor, got, tt.git)
		}
	}
}

func TestFolderPackage(t *testing.T) {
	tests := []struct {
		dir, name string
		ok        bool
	}{
		{"com.a@1.2.3", "com.a", true},
		{"com.a@7f8b2fb101b6", "com.a", true},
		{"com.unity.ugui", "com.unity.ugui", true},
		{".upkg-tmp", "", false},
		{".com.a@1.2.3.upkg-new-123", "", false},
		{"README", "", false},
		{"@x", "", false},
		{"Not A Package.d", "", false},
	}
	for _, tt := range tests {
		if name, ok := folderPackage(tt.dir); name != tt.name || ok != tt.ok {
			t.Errorf("folderPackage(%q) = %q, %v; want %q, %v", tt.dir, name, ok, tt.name, tt.ok)
		}
	}
}

func TestLockProject(t *testing.T) {
	root := t.TempDir()
	unlock, err := LockProject(context.Background(), root, func() { t.Error("waited for nobody") })
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		u2, err := LockProject(context.Background(), root, func() { close(waited) })
		if err != nil {
			t.Error(err)
			return
		}
		u2()
	}()
	<-waited
	unlock()
	<-done
	ctx, cancel := context.WithCancel(context.Background())
	unlock, _ = LockProject(context.Background(), root, nil)
	cancel()
	if _, err := LockProject(ctx, root, nil); err == nil {
		t.Error("a cancelled wait took the lock")
	}
	unlock()
}
