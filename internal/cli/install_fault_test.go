package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/iostreams"
	"github.com/upkg/upkg/internal/testharness/fixture"
	"github.com/upkg/upkg/internal/testregistry"
)

const faultToken = "fault-token-0123456789"

// faultProject is a project whose one dependency comes from an in-process
// registry that requires a token; it runs upkg in-process.
type faultProject struct {
	t    *testing.T
	reg  *testregistry.Registry
	root string
	home string
}

func newFaultProject(t *testing.T) *faultProject {
	t.Helper()
	p := &faultProject{t: t, reg: testregistry.New(t, testregistry.Options{Token: faultToken}), root: t.TempDir(), home: t.TempDir()}
	cfg := "[npmAuth.\"" + p.reg.URL + "\"]\ntoken = \"" + faultToken + "\"\n"
	if err := os.WriteFile(filepath.Join(p.home, "u.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	manifest := `{"dependencies":{"com.example.a":"1.0.0"},"scopedRegistries":[{"name":"t","url":"` + p.reg.URL + `","scopes":["com.example"]}]}`
	if err := os.MkdirAll(filepath.Join(p.root, "Packages"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.root, "Packages", "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *faultProject) publish(tgz []byte) {
	p.t.Helper()
	p.reg.Publish("com.example.a", "1.0.0", fixture.UnityManifest("com.example.a", "1.0.0", "", nil), tgz)
}

func (p *faultProject) install() (int, string) {
	p.t.Helper()
	ios, _, errOut := iostreams.Test("")
	env := map[string]string{
		"UPM_USER_CONFIG_FILE":   filepath.Join(p.home, "u.toml"),
		"UPM_GLOBAL_CONFIG_FILE": filepath.Join(p.home, "g.toml"),
		"UPM_CACHE_ROOT":         filepath.Join(p.home, "cache"),
	}
	f := &cmdutil.Factory{
		IO: ios, Globals: &cmdutil.Globals{}, GOOS: "linux", Version: "test",
		Getenv: func(k string) string { return env[k] },
		Home:   func() (string, error) { return p.home, nil },
	}
	code := Run(context.Background(), f, []string{"install", "-C", p.root, "--editor-version", "2022.3.0f1"})
	if strings.Contains(errOut.String(), faultToken) {
		p.t.Errorf("the token appeared in the output")
	}
	return code, errOut.String()
}

// installed reports whether the package folder exists, and whether the cache
// holds any entry.
func (p *faultProject) state() (installed, cached, locked bool) {
	_, err := os.Stat(filepath.Join(p.root, "Library", "PackageCache", "com.example.a@1.0.0"))
	ents, _ := os.ReadDir(filepath.Join(p.home, "cache", "upkg", "v1", "entries"))
	_, lerr := os.Stat(filepath.Join(p.root, "Packages", "packages-lock.json"))
	return err == nil, len(ents) > 0, lerr == nil
}

func goodTarball(t *testing.T) []byte {
	t.Helper()
	tgz, err := fixture.Tarball(fixture.UnityManifest("com.example.a", "1.0.0", "", nil), fixture.UnityFiles("com.example.a", 40))
	if err != nil {
		t.Fatal(err)
	}
	return tgz
}

func TestInstallRecoversFromServerFaults(t *testing.T) {
	p := newFaultProject(t)
	p.publish(goodTarball(t))
	p.reg.FailNext(p.reg.PackumentPath("com.example.a"), 503, 503, 502)
	p.reg.RetryAfter(p.reg.TarballPath("com.example.a", "1.0.0"), 1)
	p.reg.ResetMidBody(p.reg.TarballPath("com.example.a", "1.0.0"), 300)
	if code, out := p.install(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if installed, cached, locked := p.state(); !installed || !cached || !locked {
		t.Errorf("installed=%v cached=%v locked=%v", installed, cached, locked)
	}
}

func TestInstallRefusesBadTarballs(t *testing.T) {
	evil := func(hdrs ...*tar.Header) []byte {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		pj := []byte(`{"name":"com.example.a","version":"1.0.0"}`)
		tw.WriteHeader(&tar.Header{Name: "package/package.json", Mode: 0o644, Size: int64(len(pj)), Typeflag: tar.TypeReg})
		tw.Write(pj)
		for _, h := range hdrs {
			tw.WriteHeader(h)
			if h.Size > 0 {
				tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
			}
		}
		tw.Close()
		gz.Close()
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name  string
		setup func(p *faultProject)
		want  string
	}{
		{"wrong checksum", func(p *faultProject) {
			p.publish(goodTarball(t))
			p.reg.CorruptTarball("com.example.a", "1.0.0")
		}, "integrity"},
		{"dot-dot path", func(p *faultProject) {
			p.publish(evil(&tar.Header{Name: "package/../../escape.txt", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg}))
		}, "escape.txt"},
		{"escaping symlink", func(p *faultProject) {
			p.publish(evil(&tar.Header{Name: "package/link", Linkname: "../../../etc/passwd", Typeflag: tar.TypeSymlink}))
		}, "link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newFaultProject(t)
			tc.setup(p)
			code, out := p.install()
			if code != cmdutil.ExitIntegrity {
				t.Fatalf("exit %d, want %d:\n%s", code, cmdutil.ExitIntegrity, out)
			}
			if !strings.Contains(strings.ToLower(out), tc.want) {
				t.Errorf("message does not mention %q:\n%s", tc.want, out)
			}
			if installed, cached, locked := p.state(); installed || cached || locked {
				t.Errorf("after a refused tarball: installed=%v cached=%v locked=%v", installed, cached, locked)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(p.root), "escape.txt")); err == nil {
				t.Errorf("a file escaped the package")
			}
		})
	}
}
