package extract

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ent is one hand-made tar entry; the zero typ means a regular file.
type ent struct {
	name string
	typ  byte
	body string
	link string
	mode int64
}

func file(name, body string) ent        { return ent{name: name, body: body} }
func dir(name string) ent               { return ent{name: name, typ: tar.TypeDir} }
func symlink(name, target string) ent   { return ent{name: name, typ: tar.TypeSymlink, link: target} }
func hardlink(name, target string) ent  { return ent{name: name, typ: tar.TypeLink, link: target} }
func special(name string, typ byte) ent { return ent{name: name, typ: typ} }

// rawTar builds an uncompressed tar of ents; names are written as given,
// so tests can build the malformed archives fixture.Tarball refuses to.
func rawTar(t testing.TB, ents ...ent) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: e.mode}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("write header %q: %v", e.name, err)
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatalf("write body %q: %v", e.name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tgz(t testing.TB, ents ...ent) []byte { return gz(t, rawTar(t, ents...)) }

// seedTar is rawTar without the two zero blocks that end an archive (the
// reader takes a clean end of input as the end too): small seeds keep the
// fuzzer's minimisation of new inputs quick.
func seedTar(t testing.TB, ents ...ent) []byte {
	data := rawTar(t, ents...)
	return data[:len(data)-1024]
}

// checkConfined fails unless everything under parent lies inside dest, and
// every symbolic link under dest, read lexically and resolved on disk,
// stays inside dest. With wantDest false, parent must hold nothing at all
// below the folders leading to dest.
func checkConfined(t testing.TB, parent, dest string, wantDest bool) {
	t.Helper()
	sawDest := false
	err := filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dest {
			sawDest = true
		}
		inside := p == dest || strings.HasPrefix(p, dest+string(filepath.Separator))
		onTheWay := p == parent || strings.HasPrefix(dest, p+string(filepath.Separator))
		if !inside && !onTheWay {
			t.Errorf("written outside dest: %s", p)
			return nil
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		if filepath.IsAbs(target) {
			t.Errorf("absolute symbolic link %s -> %s", p, target)
			return nil
		}
		lexical := filepath.Join(filepath.Dir(p), target)
		if lexical != dest && !strings.HasPrefix(lexical, dest+string(filepath.Separator)) {
			t.Errorf("symbolic link %s -> %s leaves dest", p, target)
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			realDest, _ := filepath.EvalSymlinks(dest)
			if real != realDest && !strings.HasPrefix(real, realDest+string(filepath.Separator)) {
				t.Errorf("symbolic link %s resolves to %s, outside dest", p, real)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", parent, err)
	}
	if sawDest != wantDest {
		t.Errorf("dest exists = %v, want %v", sawDest, wantDest)
	}
}
