package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// snapshot describes the tree at root: each entry's type, permissions and
// contents (a link's target).
func snapshot(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "link " + target
		case d.IsDir():
			out[rel] = fmt.Sprintf("dir %v", info.Mode().Perm())
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = fmt.Sprintf("file %v %q", info.Mode().Perm(), data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkReplay unpacks in with Extract, then again with Replay from the
// Result, and compares the two trees.
func checkReplay(t *testing.T, in []byte, lim Limits) {
	t.Helper()
	parent := t.TempDir()
	want := filepath.Join(parent, "extracted")
	res, err := Extract(context.Background(), bytes.NewReader(in), want, lim)
	if err != nil {
		return
	}
	if !CanReplay(res.Files) {
		t.Fatalf("Extract's list cannot be replayed: %+v", res.Files)
	}
	got := filepath.Join(parent, "a", "replayed")
	if err := Replay(context.Background(), bytes.NewReader(in), got, res.Files, res.Dirs, Options{Writers: 3}); err != nil {
		t.Fatalf("Replay: %v", err)
	}
	checkConfined(t, filepath.Join(parent, "a"), got, true)
	w, g := snapshot(t, want), snapshot(t, got)
	if len(w) != len(g) {
		t.Errorf("Extract wrote %d entries, Replay %d:\n%v\n%v", len(w), len(g), w, g)
	}
	for p, desc := range w {
		if g[p] != desc {
			t.Errorf("%s: Extract %s, Replay %s", p, desc, g[p])
		}
	}
}

func TestReplayMatchesExtract(t *testing.T) {
	checkReplay(t, unityTarball(t, 40), Limits{})
	checkReplay(t, tgz(t, dir("package/"), file("package/a", "x"), symlink("package/l", "a"),
		file("package/d/e/big", counterText(2*streamChunk+10)), file("package/d/empty", ""),
		ent{name: "package/bin/run", body: "#!/bin/sh\n", mode: 0o755}), Limits{})
}

// A list that does not describe the tarball, or that a damaged cache could
// hold, is refused or fails; nothing is left behind.
func TestReplayRefuses(t *testing.T) {
	in := tgz(t, file("package/a", "hello"), file("package/b", "world"))
	res, err := List(context.Background(), bytes.NewReader(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	with := func(edit func(files []File) ([]File, []string)) error {
		files := append([]File(nil), res.Files...)
		list, dirs := edit(files)
		parent := t.TempDir()
		dest := filepath.Join(parent, "dest")
		err := Replay(context.Background(), bytes.NewReader(in), dest, list, dirs, Options{})
		checkConfined(t, parent, dest, err == nil)
		return err
	}
	var ue *UnsafeError
	for _, bad := range []string{"../x", "/abs", "a/../../x", `a\b`, "c:x", "", "a//b", "./a"} {
		err := with(func(files []File) ([]File, []string) { files[0].Path = bad; return files, nil })
		if !errors.As(err, &ue) {
			t.Errorf("path %q: %v, want an *UnsafeError", bad, err)
		}
		err = with(func(files []File) ([]File, []string) { return files, []string{bad} })
		if !errors.As(err, &ue) {
			t.Errorf("folder %q: %v, want an *UnsafeError", bad, err)
		}
	}
	for name, edit := range map[string]func(files []File){
		"overlapping offsets":             func(files []File) { files[1].Offset = files[0].Offset },
		"an offset past the end":          func(files []File) { files[1].Offset = 1 << 30 },
		"an offset one byte off":          func(files []File) { files[1].Offset++ },
		"a size that is not the header's": func(files []File) { files[0].Size-- },
	} {
		err := with(func(files []File) ([]File, []string) { edit(files); return files, nil })
		if !errors.Is(err, ErrListMismatch) {
			t.Errorf("%s: %v, want ErrListMismatch", name, err)
		}
	}
	if err := with(func(files []File) ([]File, []string) { files[0].Offset = 0; return files, nil }); err == nil {
		t.Error("a file without an offset: no error")
	}
	// A file listed inside a link is not written through it.
	err = with(func(files []File) ([]File, []string) {
		files[0] = File{Path: "l", Mode: fs.ModeSymlink | 0o777, Link: ".."}
		files[1].Path = "l/b"
		return files, nil
	})
	if err == nil {
		t.Error("a file inside a link was written")
	}
	if CanReplay([]File{{Path: "a", Mode: 0o644, Size: 1}}) {
		t.Error("CanReplay: true for a file without an offset")
	}
}

// FuzzReplay checks Replay against Extract on arbitrary input (prepared as
// in FuzzExtract): whatever Extract unpacks, Replay unpacks identically
// from its list.
func FuzzReplay(f *testing.F) {
	f.Add(seedTar(f, dir("package/"), file("package/package.json", "{}"), file("package/Runtime/A.cs", "class A {}")))
	f.Add(seedTar(f, file("package/a", "x"), symlink("package/l", "a"), symlink("package/d/up", "..")))
	f.Add(seedTar(f, file("package/e", ""), file("package/d/e/f", "y")))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := data
		if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			in = gz(t, data)
		}
		checkReplay(t, in, fuzzLimits())
	})
}

func BenchmarkReplay(b *testing.B) {
	data := unityTarball(b, 97) // 200 files
	res, err := List(context.Background(), bytes.NewReader(data), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	root := b.TempDir()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := Replay(context.Background(), bytes.NewReader(data), filepath.Join(root, fmt.Sprint(i)), res.Files, res.Dirs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// A header whose checksum was taken over signed bytes (old tar programs;
// it differs from the unsigned one when the name is not ASCII) is a header.
func TestHeaderOfSignedChecksum(t *testing.T) {
	var block [blockSize]byte
	copy(block[:], "package/é.txt")
	copy(block[124:], fmt.Sprintf("%011o\x00", 42))
	block[156] = '0'
	copy(block[257:], "ustar\x0000")
	_, signed := checksumsByByte(block[:])
	copy(block[148:], fmt.Sprintf("%06o\x00 ", signed))
	if !headerOf(&block, 42) {
		t.Error("a header with a signed checksum was refused")
	}
	if headerOf(&block, 43) {
		t.Error("a header was taken for another size")
	}
	block[0] = 'q'
	if headerOf(&block, 42) {
		t.Error("a header with a wrong checksum was taken")
	}
}

// checksumsByByte is checksums a byte at a time, as the tar format
// defines it.
func checksumsByByte(block []byte) (unsigned, signed int64) {
	for i, b := range block {
		if i >= 148 && i < 156 {
			b = ' '
		}
		unsigned += int64(b)
		signed += int64(int8(b))
	}
	return unsigned, signed
}

func FuzzChecksums(f *testing.F) {
	f.Add([]byte("package/README.md"), byte(0))
	f.Add([]byte("package/é.txt\xff\xfe"), byte(0xff))
	f.Fuzz(func(t *testing.T, head []byte, fill byte) {
		var block [blockSize]byte
		for i := range block {
			block[i] = fill
		}
		copy(block[:], head)
		u, s := checksums(&block)
		wu, ws := checksumsByByte(block[:])
		if u != wu || s != ws {
			t.Fatalf("checksums = %d, %d; byte by byte %d, %d", u, s, wu, ws)
		}
	})
}

func BenchmarkChecksums(b *testing.B) {
	var block [blockSize]byte
	copy(block[:], "package/Runtime/Component1.cs")
	b.Run("words", func(b *testing.B) {
		for b.Loop() {
			checksums(&block)
		}
	})
	b.Run("bytes", func(b *testing.B) {
		for b.Loop() {
			checksumsByByte(block[:])
		}
	})
}
