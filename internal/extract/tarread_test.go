package extract

import (
	"archive/tar"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tarOf writes hdrs (each followed by its size's worth of body bytes) with
// archive/tar's Writer, in the format each header asks for.
func tarOf(t testing.TB, end bool, hdrs ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i, h := range hdrs {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("write header %q: %v", h.Name, err)
		}
		if h.Typeflag == tar.TypeReg && h.Size > 0 {
			tw.Write(bytes.Repeat([]byte{byte('a' + i%26)}, int(h.Size)))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if !end {
		return buf.Bytes()[:buf.Len()-1024]
	}
	return buf.Bytes()
}

func reg(name string, size int64, f tar.Format) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: size, Format: f, ModTime: time.Unix(1e9, 0)}
}

// readTar reads every entry of a tar stream, as Walk does, into one line
// each: the header's fields Walk uses, then all (up to 1 MB), three bytes
// or none of the contents (as how, cycled, says), and the error that ended
// it.
func readTar(next func() (tarEntry, error), body io.Reader, how []byte) string {
	var out strings.Builder
	for i := 0; ; i++ {
		e, err := next()
		if err != nil {
			fmt.Fprintf(&out, "end: %v\n", err)
			return out.String()
		}
		fmt.Fprintf(&out, "%q %q %q size %d mode %o", e.name, e.link, e.typ, e.size, e.mode)
		mode := byte(0)
		if len(how) > 0 {
			mode = how[i%len(how)] % 3
		}
		switch mode {
		case 0:
			// Up to 1 MB: a sparse file can say 512 MB with a few bytes.
			b := make([]byte, 1<<20)
			n, err := io.ReadFull(body, b)
			fmt.Fprintf(&out, " body %d bytes, CRC %08x, %.64q %v\n", n, crc32.ChecksumIEEE(b[:n]), b[:n], err)
		case 1:
			var b [3]byte
			n, err := io.ReadFull(body, b[:])
			fmt.Fprintf(&out, " first %q %v\n", b[:n], err)
		default:
			out.WriteString(" skipped\n")
		}
	}
}

// readBoth reads data with archive/tar and with tarReader.
func readBoth(data, how []byte) (std, own string, tr *tarReader) {
	sr := tar.NewReader(bytes.NewReader(data))
	std = readTar(func() (tarEntry, error) { return fromHeader(sr.Next()) }, sr, how)
	tr = newTarReader(bytes.NewReader(data))
	own = readTar(tr.Next, tr, how)
	return std, own, tr
}

func TestTarReader(t *testing.T) {
	long := strings.Repeat("d", 90) + "/" + strings.Repeat("f", 90) // a ustar prefix
	cases := []struct {
		name      string
		data      []byte
		fallbacks int // entries archive/tar reads
	}{
		{"ustar", tarOf(t, true,
			&tar.Header{Name: "package/", Typeflag: tar.TypeDir, Mode: 0o755, Format: tar.FormatUSTAR},
			reg("package/a.cs", 700, tar.FormatUSTAR), reg("package/empty", 0, tar.FormatUSTAR),
			&tar.Header{Name: "package/l", Typeflag: tar.TypeSymlink, Linkname: "a.cs", Format: tar.FormatUSTAR},
			reg("package/"+long, 5, tar.FormatUSTAR), reg("package/x", 512, tar.FormatUSTAR)), 0},
		{"ustar without end blocks", tarOf(t, false, reg("package/a", 3, tar.FormatUSTAR), reg("package/b", 1, tar.FormatUSTAR)), 0},
		{"gnu", tarOf(t, false, reg("package/a", 3, tar.FormatGNU), reg("package/b", 9, tar.FormatGNU)), 0},
		{"pax in the middle", tarOf(t, true, reg("package/a", 3, tar.FormatUSTAR),
			reg("package/é", 4, tar.FormatPAX), reg("package/b", 5, tar.FormatUSTAR)), 1},
		{"gnu long name", tarOf(t, true, reg("package/a", 3, tar.FormatGNU),
			reg("package/"+strings.Repeat("n", 120), 4, tar.FormatGNU), reg("package/b", 5, tar.FormatGNU)), 1},
		{"gnu access time", tarOf(t, true, &tar.Header{Name: "package/t", Typeflag: tar.TypeReg, Size: 1, Format: tar.FormatGNU,
			AccessTime: time.Unix(1e9, 0), ChangeTime: time.Unix(1e9, 0)}), 1},
		{"base-256 uid", tarOf(t, true, &tar.Header{Name: "package/u", Typeflag: tar.TypeReg, Size: 1, Uid: 1 << 30, Format: tar.FormatGNU}), 1},
		{"global pax header", tarOf(t, true, &tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "g", PAXRecords: map[string]string{"comment": "x"}},
			reg("package/a", 2, tar.FormatUSTAR)), 1},
	}
	// A folder's or link's size field says nothing about what follows it.
	sized := tarOf(t, true, &tar.Header{Name: "package/d/", Typeflag: tar.TypeDir, Mode: 0o755, Format: tar.FormatUSTAR},
		&tar.Header{Name: "package/l", Typeflag: tar.TypeSymlink, Linkname: "d", Format: tar.FormatUSTAR},
		reg("package/d/a", 3, tar.FormatUSTAR))
	setField(sized[0:512], 124, "00000001130\x00")
	setField(sized[512:1024], 124, "00000000007\x00")
	// The same for a folder archive/tar reads (an access time set).
	sizedGNU := tarOf(t, true, &tar.Header{Name: "package/d/", Typeflag: tar.TypeDir, Mode: 0o755, Format: tar.FormatGNU, AccessTime: time.Unix(1e9, 0)},
		reg("package/d/a", 3, tar.FormatUSTAR))
	setField(sizedGNU[0:512], 124, "00000001130\x00")
	cases = append(cases, struct {
		name      string
		data      []byte
		fallbacks int
	}{"folder and link with a size", sized, 0}, struct {
		name      string
		data      []byte
		fallbacks int
	}{"folder with a size, read by archive/tar", sizedGNU, 1})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, how := range [][]byte{nil, {1}, {2}, {0, 2, 1}} {
				for _, cut := range []int{len(c.data), len(c.data) - 1, 1000, 700, 512, 300} {
					if cut > len(c.data) {
						continue
					}
					std, own, _ := readBoth(c.data[:cut], how)
					if std != own {
						t.Errorf("cut at %d, reading %v:\narchive/tar:\n%s\ntarReader:\n%s", cut, how, std, own)
					}
				}
			}
			_, own, tr := readBoth(c.data, nil)
			if tr.fallbacks != c.fallbacks || tr.std != nil {
				t.Errorf("%d entries read by archive/tar, want %d; the rest handed to it: %v\n%s", tr.fallbacks, c.fallbacks, tr.std != nil, own)
			}
		})
	}
	// Damaged headers: a bad checksum, a size that is not octal, an
	// unknown magic; each must end as archive/tar ends.
	base := tarOf(t, true, reg("package/a", 3, tar.FormatUSTAR), reg("package/b", 600, tar.FormatUSTAR))
	for _, at := range []int{0, 124, 130, 148, 156, 257, 263, 345, 512 + 512 + 124, 1024 + 148, 1024 + 5, len(base) - 1, len(base) - 600} {
		for _, v := range []byte{0, ' ', '9', 0x80, 'x'} {
			data := bytes.Clone(base)
			data[at] = v
			if std, own, _ := readBoth(data, nil); std != own {
				t.Errorf("byte %d set to %q:\narchive/tar:\n%s\ntarReader:\n%s", at, v, std, own)
			}
		}
	}
}

// goArchives returns the tar files of Go's own archive/tar tests, copied
// into testdata/tar.
func goArchives(t testing.TB) map[string][]byte {
	names, err := filepath.Glob(filepath.Join("testdata", "tar", "*.tar"))
	if err != nil || len(names) < 30 {
		t.Fatalf("testdata/tar: %d archives, %v", len(names), err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(n)] = data
	}
	return out
}

// TestTarReaderGoArchives reads the archives archive/tar's tests were
// written for (every format, sparse files, damaged headers) both ways,
// whole and cut short.
func TestTarReaderGoArchives(t *testing.T) {
	for name, data := range goArchives(t) {
		for _, how := range [][]byte{nil, {1}, {2, 0}} {
			for _, cut := range []int{len(data), len(data) - 512, len(data) - 700, 1024, 600} {
				if cut < 0 || cut > len(data) {
					continue
				}
				if std, own, _ := readBoth(data[:cut], how); std != own {
					t.Errorf("%s cut at %d, reading %v:\narchive/tar:\n%s\ntarReader:\n%s", name, cut, how, std, own)
				}
			}
		}
	}
	// Sparse files are archive/tar's to the end; a plain archive is not.
	archives := goArchives(t)
	for name, sticky := range map[string]bool{"pax-nil-sparse-data.tar": true, "gnu-nil-sparse-hole.tar": true, "ustar.tar": false, "file-and-dir.tar": false} {
		if _, _, tr := readBoth(archives[name], nil); (tr.std != nil) != sticky {
			t.Errorf("%s: handed to archive/tar: %v, want %v", name, tr.std != nil, sticky)
		}
	}
}

// setField writes value into a header block at off and sets its checksum.
func setField(block []byte, off int, value string) {
	copy(block[off:], value)
	copy(block[148:156], "        ")
	sum := 0
	for _, c := range block[:blockSize] {
		sum += int(c)
	}
	copy(block[148:156], fmt.Sprintf("%06o\x00 ", sum))
}

// FuzzTarReader checks tarReader against archive/tar on any input: the
// same entries, the same contents read, the same error at the end.
func FuzzTarReader(f *testing.F) {
	f.Add(tarOf(f, false, reg("package/a.cs", 10, tar.FormatUSTAR), reg("package/b", 0, tar.FormatUSTAR)), []byte{0})
	f.Add(tarOf(f, false, reg("package/a", 3, tar.FormatGNU), reg("package/é", 4, tar.FormatPAX), reg("package/c", 5, tar.FormatUSTAR)), []byte{1, 2})
	f.Add(tarOf(f, false, reg("package/"+strings.Repeat("d", 90)+"/"+strings.Repeat("f", 90), 3, tar.FormatUSTAR)), []byte{2})
	f.Add(tarOf(f, true, &tar.Header{Name: "package/l", Typeflag: tar.TypeSymlink, Linkname: "../x", Format: tar.FormatUSTAR},
		&tar.Header{Name: "package/d/", Typeflag: tar.TypeDir, Size: 0, Format: tar.FormatGNU}), []byte{0})
	f.Add(rawTar(f, file("package/a", "x"), special("package/c", tar.TypeChar)), []byte{})
	for _, data := range goArchives(f) {
		f.Add(data, []byte{0})
	}
	f.Fuzz(func(t *testing.T, data, how []byte) {
		if std, own, _ := readBoth(data, how); std != own {
			t.Errorf("archive/tar:\n%s\ntarReader:\n%s", std, own)
		}
	})
}

func BenchmarkTarReader(b *testing.B) {
	var hdrs []*tar.Header
	for i := range 200 {
		hdrs = append(hdrs, reg(fmt.Sprintf("package/Runtime/Scripts/File%03d.cs", i), 300, tar.FormatUSTAR))
	}
	data := tarOf(b, true, hdrs...)
	read := func(b *testing.B, next func() error, body io.Reader) {
		buf := make([]byte, 300)
		for {
			if err := next(); err == io.EOF {
				return
			} else if err != nil {
				b.Fatal(err)
			}
			io.ReadFull(body, buf)
		}
	}
	b.Run("archive-tar", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tr := tar.NewReader(bytes.NewReader(data))
			read(b, func() error { _, err := tr.Next(); return err }, tr)
		}
	})
	b.Run("tarReader", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tr := newTarReader(bytes.NewReader(data))
			read(b, func() error { _, err := tr.Next(); return err }, tr)
		}
	})
}

// entryPathSplit is entryPath as it was first written, splitting the name
// and joining what is kept: FuzzEntryPath holds entryPath to it.
func entryPathSplit(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	unsafe := func(reason string) error { return &UnsafeError{Entry: name, Reason: reason} }
	parts := strings.Split(name, "/")
	if parts[0] == ".." {
		return "", unsafe("path leaves the package")
	}
	keep := make([]string, 0, len(parts))
	for _, p := range parts[1:] {
		switch p {
		case "", ".":
		case "..":
			return "", unsafe("path leaves the package")
		default:
			if len(p) > MaxNameBytes {
				return "", unsafe(fmt.Sprintf("a name longer than %d bytes", MaxNameBytes))
			}
			keep = append(keep, p)
		}
	}
	rel := strings.Join(keep, "/")
	if len(rel) > MaxPathBytes {
		return "", unsafe(fmt.Sprintf("a path longer than %d bytes", MaxPathBytes))
	}
	return rel, nil
}

func FuzzEntryPath(f *testing.F) {
	for _, s := range []string{"package/a/b.cs", "package/", "package", "package/dir/", "package//a/./b//", "./x", "package/../x",
		"package/a/..", "a/" + strings.Repeat("n", 256), "package/" + strings.Repeat("p/", 600), "..", "package/.", "p/a/../b", "/x", "p/a:b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, gerr := entryPath(name)
		want, werr := entryPathSplit(name)
		if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Errorf("entryPath(%q) = %q, %v; split and joined: %q, %v", name, got, gerr, want, werr)
		}
	})
}
