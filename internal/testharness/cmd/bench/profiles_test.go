package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/testharness/fixture"
)

// shape is what a generated package holds.
func shape(t *testing.T, s pkgSpec) (files int, bytes, metas int64, tgz int) {
	t.Helper()
	pj, fs := s.generate()
	for name, data := range fs {
		bytes += int64(len(data))
		if strings.HasSuffix(name, ".meta") {
			metas++
		}
	}
	b, err := fixture.Tarball(pj, fs)
	if err != nil {
		t.Fatal(err)
	}
	return len(fs) + 1, bytes, metas, len(b)
}

func TestUnityProfileShape(t *testing.T) {
	p := unityProfile(14)
	if n := len(p.packages); n < 55 || n > 65 {
		t.Errorf("unity profile has %d packages, want about 60", n)
	}
	seen := map[string]bool{}
	plugins := 0
	for _, s := range p.packages {
		for _, d := range s.deps {
			if !seen[d] {
				t.Errorf("%s depends on %s, which is published after it", s.name, d)
			}
		}
		seen[s.name] = true
		if s.kind == "plugin" {
			plugins++
			if b := s.binaries[0]; b < 20*mB || b > 60*mB {
				t.Errorf("plugin %s has a %d-byte binary, want 20–60 MB", s.name, b)
			}
		}
	}
	if plugins < 2 || plugins > 3 {
		t.Errorf("%d plugin packages, want 2–3", plugins)
	}
	if testing.Short() {
		return
	}
	// The one package of about 40 MB and 5 000 files.
	for _, s := range p.packages {
		if s.files != 5000 {
			continue
		}
		files, size, metas, _ := shape(t, s)
		if files < 4990 || files > 5000 || size < 35*mB || size > 45*mB {
			t.Errorf("%s: %d files, %d bytes; want about 5 000 files and 40 MB", s.name, files, size)
		}
		if metas < int64(files)/2-1 {
			t.Errorf("%s: %d .meta files of %d, want one per asset", s.name, metas, files)
		}
	}
}

func TestSmallPackagesKeepTheirFileCount(t *testing.T) {
	for _, s := range unityProfile(14).packages {
		if s.kind != "assets" || s.files > 150 {
			continue
		}
		files, _, _, _ := shape(t, s)
		if files < s.files-1 || files > s.files {
			t.Errorf("%s: %d files, planned %d", s.name, files, s.files)
		}
	}
}

func TestGenerationIsDeterministic(t *testing.T) {
	s := unityProfile(14).packages[10]
	_, a := s.generate()
	_, b := s.generate()
	if fmt.Sprint(len(a)) != fmt.Sprint(len(b)) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two generations", name)
		}
	}
}
