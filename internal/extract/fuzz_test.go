package extract

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzLimits keeps each fuzz run small: the fuzzer should look for escapes
// and panics, not spend its time writing big trees.
func fuzzLimits() Limits { return Limits{MaxFiles: 64, MaxBytes: 1 << 20, MaxFileBytes: 1 << 20} }

// FuzzExtract feeds arbitrary bytes to Extract: gzip data as is, anything
// else gzip-compressed first so that mutations reach the tar headers. It
// must never panic, and never leave anything outside dest (checked by
// walking the temporary parent after every run).
func FuzzExtract(f *testing.F) {
	f.Add(seedTar(f, dir("package/"), file("package/package.json", "{}"), file("package/Runtime/A.cs", "class A {}")))
	f.Add(seedTar(f, file("package/a", "x"), symlink("package/l", "a"), symlink("package/d/up", "..")))
	f.Add(seedTar(f, file("package/../x", "x")))
	f.Add(seedTar(f, symlink("package/l", "../../etc"), file("package/l/passwd", "x")))
	f.Add(seedTar(f, symlink("package/d/l", ".."), symlink("package/x", "d/l/..")))
	f.Add(seedTar(f, file("package/a", "x"), hardlink("package/b", "package/a")))
	f.Add(seedTar(f, file("package/a", "x"), file("package/a/b", "y")))
	f.Add(tgz(f, file("package/x", "y")))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := data
		if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			in = gz(t, data)
		}
		parent := t.TempDir()
		dest := filepath.Join(parent, "a", "b", "dest")
		res, err := Extract(context.Background(), bytes.NewReader(in), dest, fuzzLimits())
		checkConfined(t, parent, dest, err == nil)
		if err == nil && res.FileCount != len(res.Files) {
			t.Errorf("FileCount %d, %d files listed", res.FileCount, len(res.Files))
		}
	})
}

// FuzzExtractHeaders mutates the fields of tar headers directly: a first
// entry of any type, name and link target, then a regular file under a
// second name that may try to pass through the first.
func FuzzExtractHeaders(f *testing.F) {
	f.Add("package/l", byte(tar.TypeSymlink), "..", int64(0o644), "package/l/x", []byte("x"))
	f.Add("package/l", byte(tar.TypeSymlink), "sub", int64(0o755), "package/l/x", []byte("x"))
	f.Add("package/d/", byte(tar.TypeDir), "", int64(0o755), "package/d/x", []byte("x"))
	f.Add("package/a", byte(tar.TypeReg), "", int64(0o777), "package/a", []byte("y"))
	f.Add("/abs", byte(tar.TypeReg), "", int64(0o644), "package/b", []byte(""))
	f.Add("package/h", byte(tar.TypeLink), "/etc/passwd", int64(0o644), "package/h", []byte("z"))
	f.Add("package/c", byte(tar.TypeChar), "", int64(0o644), "package\\..\\x", []byte("z"))
	f.Fuzz(func(t *testing.T, name string, typ byte, link string, mode int64, name2 string, body []byte) {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		h := &tar.Header{Name: name, Typeflag: typ, Linkname: link, Mode: mode, Format: tar.FormatPAX}
		if typ == tar.TypeReg {
			h.Size = int64(len(body))
		}
		if tw.WriteHeader(h) != nil {
			return // not representable in a tar: nothing to test
		}
		if h.Size > 0 {
			tw.Write(body)
		}
		if tw.WriteHeader(&tar.Header{Name: name2, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body)), Format: tar.FormatPAX}) != nil {
			return
		}
		tw.Write(body)
		if tw.Close() != nil {
			return
		}
		parent := t.TempDir()
		dest := filepath.Join(parent, "a", "b", "dest")
		_, err := Extract(context.Background(), bytes.NewReader(gz(t, buf.Bytes())), dest, fuzzLimits())
		checkConfined(t, parent, dest, err == nil)
		var ue *UnsafeError
		if errors.As(err, &ue) && ue.Reason == "" {
			t.Errorf("UnsafeError without a reason: %v", err)
		}
	})
}

// FuzzList checks List against Extract on arbitrary input (prepared as in
// FuzzExtract): the same Result, or the same error — the cache relies on
// List to refuse exactly what Extract would refuse.
func FuzzList(f *testing.F) {
	f.Add(seedTar(f, dir("package/"), file("package/package.json", "{}"), file("package/Runtime/A.cs", "class A {}")))
	f.Add(seedTar(f, file("package/a", "x"), symlink("package/l", "a"), symlink("package/d/up", "..")))
	f.Add(seedTar(f, symlink("package/l", "../../etc"), file("package/l/passwd", "x")))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := data
		if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			in = gz(t, data)
		}
		got, gerr := List(context.Background(), bytes.NewReader(in), fuzzLimits())
		parent := t.TempDir()
		dest := filepath.Join(parent, "dest")
		want, werr := Extract(context.Background(), bytes.NewReader(in), dest, fuzzLimits())
		checkConfined(t, parent, dest, werr == nil)
		if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
			t.Fatalf("List error %v, Extract error %v", gerr, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("List = %+v, Extract = %+v", got, want)
		}
	})
}
