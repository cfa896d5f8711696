package project

import (
	"path/filepath"
	"testing"
)

func TestPaths(t *testing.T) {
	p := Paths{Root: filepath.Join("x", "proj")}
	for got, want := range map[string]string{
		p.Packages():       "x/proj/Packages",
		p.Manifest():       "x/proj/Packages/manifest.json",
		p.Lock():           "x/proj/Packages/packages-lock.json",
		p.ProjectVersion(): "x/proj/ProjectSettings/ProjectVersion.txt",
		p.PackageCache():   "x/proj/Library/PackageCache",
		p.Installed("a@1"): "x/proj/Library/PackageCache/a@1",
		p.State():          "x/proj/Library/upkg",
	} {
		if got != filepath.FromSlash(want) {
			t.Errorf("got %s; want %s", got, want)
		}
	}
}
