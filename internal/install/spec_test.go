package install

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// TestLocalsUseParsedSpec: install reads the manifest's values as the
// manifest parser parsed them (Spec, SpecErr) and never parses Version
// again; the dependencies built here disagree with their Version on purpose.
func TestLocalsUseParsedSpec(t *testing.T) {
	root := t.TempDir()
	pkgs := filepath.Join(root, "Packages")
	shared := filepath.Join(root, "shared", "a")
	for _, dir := range []string{pkgs, shared} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(shared, "package.json"), []byte(`{"name": "com.example.a", "version": "1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &manifest.Manifest{Path: "Packages/manifest.json", Dependencies: []manifest.Dependency{
		{Name: "com.example.a", Version: "file:../nowhere", Spec: manifest.Spec{Kind: manifest.SpecLocalFolder, Path: "../shared/a"}},
		{Name: "com.example.t", Version: "file:elsewhere.tgz", Spec: manifest.Spec{Kind: manifest.SpecLocalTarball, Path: "t.tgz"}},
	}}
	opts := Options{ProjectRoot: root, Manifest: m}
	tgz, err := localTarballPath(opts, "com.example.t", "file:elsewhere.tgz")
	if err != nil || tgz != filepath.Join(pkgs, "t.tgz") {
		t.Errorf("localTarballPath = %q, %v; want the Spec's path %q", tgz, err, filepath.Join(pkgs, "t.tgz"))
	}
	if _, err := localTarballPath(opts, "com.example.a", "file:../nowhere"); err == nil {
		t.Error("localTarballPath took a local folder for a tarball")
	}

	m.Dependencies = m.Dependencies[:1]
	locals, err := findLocals(root, m)
	if err != nil {
		t.Fatal(err)
	}
	if lp, ok := locals["com.example.a"]; !ok || lp.Source != lockfile.SourceLocal {
		t.Errorf("locals = %+v; want com.example.a from the Spec's folder", locals)
	}

	// A value the parser kept with its error: that error, at its position.
	m.Dependencies = append(m.Dependencies, manifest.Dependency{Name: "com.example.b", Version: "1.0.0", Line: 4, Column: 7, SpecErr: errors.New("the parser's message")})
	_, err = findLocals(root, m)
	var pe *manifest.ParseError
	if !errors.As(err, &pe) || err.Error() != "Packages/manifest.json:4:7: com.example.b: the parser's message" {
		t.Errorf("err = %v; want the parser's message at 4:7", err)
	}
}
