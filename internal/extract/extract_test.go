package extract

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/testharness/fixture"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestExtractRefusesUnsafe(t *testing.T) {
	tests := []struct {
		name   string
		ents   []ent
		lim    Limits
		entry  string // the UnsafeError's Entry
		reason string // a substring of its Reason
	}{
		{"parent first component", []ent{file("../x", "x")}, Limits{}, "../x", "leaves the package"},
		{"parent after strip", []ent{file("package/../x", "x")}, Limits{}, "package/../x", "leaves the package"},
		{"parent deep", []ent{file("package/a/../../x", "x")}, Limits{}, "package/a/../../x", "leaves the package"},
		{"parent cancelled by cleaning", []ent{file("package/a/../b", "x")}, Limits{}, "package/a/../b", "leaves the package"},
		{"absolute", []ent{file("/abs", "x")}, Limits{}, "/abs", "absolute"},
		{"absolute deep", []ent{file("/etc/package/x", "x")}, Limits{}, "/etc/package/x", "absolute"},
		{"backslash", []ent{file(`package\..\..\x`, "x")}, Limits{}, `package\..\..\x`, "backslash"},
		{"drive letter", []ent{file("package/C:/Windows/x", "x")}, Limits{}, "package/C:/Windows/x", "colon"},
		{"drive letter first", []ent{file(`C:x`, "x")}, Limits{}, "C:x", "colon"},
		{"alternate stream", []ent{file("package/a.cs:evil", "x")}, Limits{}, "package/a.cs:evil", "colon"},
		{"escaping symlink", []ent{symlink("package/l", "../../etc")}, Limits{}, "package/l", "leaves the package"},
		{"escaping symlink one up", []ent{symlink("package/l", "..")}, Limits{}, "package/l", "leaves the package"},
		{"escaping symlink from subfolder", []ent{symlink("package/a/l", "../../x")}, Limits{}, "package/a/l", "leaves the package"},
		{"absolute symlink", []ent{symlink("package/l", "/etc/passwd")}, Limits{}, "package/l", "absolute"},
		{"symlink chain", []ent{symlink("package/d/l", ".."), symlink("package/x", "d/l/..")}, Limits{}, "package/x", `".." after a name`},
		{"write through symlink", []ent{dir("package/sub/"), symlink("package/l", "sub"), file("package/l/x", "x")}, Limits{}, "package/l/x", "symbolic link"},
		{"empty symlink", []ent{symlink("package/l", "")}, Limits{}, "package/l", "empty target"},
		{"hard link", []ent{file("package/a", "x"), hardlink("package/b", "package/a")}, Limits{}, "package/b", "hard link"},
		{"char device", []ent{special("package/tty", tar.TypeChar)}, Limits{}, "package/tty", "device"},
		{"block device", []ent{special("package/sda", tar.TypeBlock)}, Limits{}, "package/sda", "device"},
		{"fifo", []ent{special("package/p", tar.TypeFifo)}, Limits{}, "package/p", "fifo"},
		{"unknown type", []ent{special("package/z", 'Z')}, Limits{}, "package/z", "unsupported"},
		{"too many files", []ent{file("package/a", "1"), file("package/b", "2"), file("package/c", "3"), file("package/d", "4")}, Limits{MaxFiles: 3}, "package/d", "more than 3 files"},
		{"folders count as files", []ent{file("package/a/b/c", "1")}, Limits{MaxFiles: 2}, "package/a/b/c", "more than 2 files"},
		{"too many bytes", []ent{file("package/a", "12345"), file("package/b", "67890")}, Limits{MaxBytes: 8}, "package/b", "more than 8 bytes"},
		{"file too large", []ent{file("package/a", "123456789")}, Limits{MaxFileBytes: 8}, "package/a", "larger than 8 bytes"},
		{"file then folder", []ent{file("package/a", "x"), file("package/a/b", "y")}, Limits{}, "package/a/b", "is a file"},
		{"file then folder entry", []ent{file("package/a", "x"), dir("package/a/")}, Limits{}, "package/a/", "turn a file into a folder"},
		{"folder then file", []ent{dir("package/a/"), file("package/a", "x")}, Limits{}, "package/a", "replace a folder"},
		{"implied folder then file", []ent{file("package/a/b", "x"), file("package/a", "x")}, Limits{}, "package/a", "replace a folder"},
		{"duplicate file", []ent{file("package/a", "x"), file("package/a", "y")}, Limits{}, "package/a", "duplicate"},
		{"duplicate through cleaning", []ent{file("package/a", "x"), file("package/./a", "y")}, Limits{}, "package/./a", "duplicate"},
		{"symlink then file", []ent{symlink("package/a", "b"), file("package/a", "y")}, Limits{}, "package/a", "duplicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dest := filepath.Join(parent, "a", "b", "dest")
			res, err := Extract(context.Background(), bytes.NewReader(tgz(t, tt.ents...)), dest, tt.lim)
			var ue *UnsafeError
			if !errors.As(err, &ue) {
				t.Fatalf("Extract = %+v, %v; want *UnsafeError", res, err)
			}
			if ue.Entry != tt.entry || !strings.Contains(ue.Reason, tt.reason) {
				t.Errorf("UnsafeError{%q, %q}, want entry %q and a reason containing %q", ue.Entry, ue.Reason, tt.entry, tt.reason)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("message %q lacks the reason", err)
			}
			checkConfined(t, parent, dest, false)
		})
	}
}

func TestExtractBrokenArchives(t *testing.T) {
	good := tgz(t, file("package/a", strings.Repeat("x", 4096)), file("package/b", "y"))
	big := tgz(t, file("package/big", counterText(3*streamChunk)), file("package/b", "y"))
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not gzip", []byte("this is not a tarball")},
		{"plain tar", rawTar(t, file("package/a", "x"))},
		{"truncated", good[:len(good)/2]},
		{"truncated in a streamed file", big[:len(big)/2]},
		{"gzip of garbage", gz(t, bytes.Repeat([]byte{0xff}, 1024))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dest := filepath.Join(parent, "dest")
			_, err := Extract(context.Background(), bytes.NewReader(tt.data), dest, Limits{})
			if err == nil {
				t.Fatal("Extract succeeded")
			}
			var ue *UnsafeError
			if errors.As(err, &ue) {
				t.Errorf("a broken archive is not unsafe: %v", err)
			}
			checkConfined(t, parent, dest, false)
		})
	}
}

// counterText is n bytes of numbered lines: no two chunks of a streamed
// file alike, so that one written out of place shows.
func counterText(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%07d\n", i)
	}
	return b.String()[:n]
}

func TestExtractLayouts(t *testing.T) {
	big := counterText(2*streamChunk + 1000) // streamed in chunks, not buffered
	long := "package/" + strings.Repeat("deep/", 30) + "name-longer-than-a-ustar-header-allows.cs"
	tests := []struct {
		name  string
		ents  []ent
		files map[string]string // path → content, or "-> target" for a link
		dirs  []string
		exec  []string
	}{
		{
			name:  "npm layout",
			ents:  []ent{dir("package/"), file("package/package.json", "{}"), file("package/Runtime/A.cs", "class A {}")},
			files: map[string]string{"package.json": "{}", "Runtime/A.cs": "class A {}"},
			dirs:  []string{"Runtime"},
		},
		{
			name:  "other top folder",
			ents:  []ent{file("node/package.json", "{}"), file("node/lib/x.js", "1")},
			files: map[string]string{"package.json": "{}", "lib/x.js": "1"},
			dirs:  []string{"lib"},
		},
		{
			name:  "dot slash prefix",
			ents:  []ent{file("./package.json", "{}"), file("./lib/x", "1")},
			files: map[string]string{"package.json": "{}", "lib/x": "1"},
			dirs:  []string{"lib"},
		},
		{
			name:  "top-level file dropped like npm",
			ents:  []ent{file("README", "dropped"), file("package/a", "kept")},
			files: map[string]string{"a": "kept"},
		},
		{
			name: "empty folders and duplicate folder entries",
			ents: []ent{dir("package/Empty/"), dir("package/Empty/"), dir("package/x/y/"), file("package/x/f", "f")},
			files: map[string]string{
				"x/f": "f",
			},
			dirs: []string{"Empty", "x", "x/y"},
		},
		{
			name:  "exec bit",
			ents:  []ent{{name: "package/bin/tool", body: "#!/bin/sh\n", mode: 0o700}, {name: "package/data", body: "d", mode: 0o600}},
			files: map[string]string{"bin/tool": "#!/bin/sh\n", "data": "d"},
			dirs:  []string{"bin"},
			exec:  []string{"bin/tool"},
		},
		{
			name:  "symlinks inside",
			ents:  []ent{file("package/Runtime/A.cs", "a"), symlink("package/Alias.cs", "Runtime/A.cs"), symlink("package/Runtime/up", "../Runtime"), symlink("package/self", ".")},
			files: map[string]string{"Runtime/A.cs": "a", "Alias.cs": "-> Runtime/A.cs", "Runtime/up": "-> ../Runtime", "self": "-> ."},
			dirs:  []string{"Runtime"},
		},
		{
			name:  "large file streamed",
			ents:  []ent{file("package/big.bin", big), file("package/small", "s")},
			files: map[string]string{"big.bin": big, "small": "s"},
		},
		{
			name:  "long PAX name",
			ents:  []ent{file(long, "x")},
			files: map[string]string{strings.TrimPrefix(long, "package/"): "x"},
			dirs: func() []string {
				var d []string
				p := ""
				for i := 0; i < 30; i++ {
					p += "deep"
					d = append(d, p)
					p += "/"
				}
				return d
			}(),
		},
		{
			name:  "empty package",
			ents:  []ent{dir("package/")},
			files: map[string]string{},
		},
	}
	testUmask() // before anything is written
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && strings.Contains(tt.name, "symlink") {
				t.Skip("creating symbolic links needs a privilege on Windows")
			}
			parent := t.TempDir()
			dest := filepath.Join(parent, "dest")
			res, err := Extract(context.Background(), bytes.NewReader(tgz(t, tt.ents...)), dest, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			checkConfined(t, parent, dest, true)
			checkTree(t, dest, res, tt.files, tt.dirs, tt.exec)
		})
	}
}

// checkTree compares dest and res with the expected files and folders.
func checkTree(t *testing.T, dest string, res *Result, files map[string]string, dirs, exec []string) {
	t.Helper()
	var wantPaths []string
	var wantBytes int64
	for p, c := range files {
		wantPaths = append(wantPaths, p)
		if !strings.HasPrefix(c, "-> ") {
			wantBytes += int64(len(c))
		}
	}
	sort.Strings(wantPaths)
	var gotPaths []string
	for _, f := range res.Files {
		gotPaths = append(gotPaths, f.Path)
	}
	if fmt.Sprint(gotPaths) != fmt.Sprint(wantPaths) {
		t.Errorf("Result.Files = %v, want %v", gotPaths, wantPaths)
	}
	if fmt.Sprint(res.Dirs) != fmt.Sprint(dirs) && !(len(res.Dirs) == 0 && len(dirs) == 0) {
		t.Errorf("Result.Dirs = %v, want %v", res.Dirs, dirs)
	}
	if res.FileCount != len(files) || res.Bytes != wantBytes {
		t.Errorf("Result counts %d files, %d bytes; want %d, %d", res.FileCount, res.Bytes, len(files), wantBytes)
	}
	umask := testUmask()
	for _, f := range res.Files {
		want := files[f.Path]
		p := filepath.Join(dest, filepath.FromSlash(f.Path))
		fi, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		if target, ok := strings.CutPrefix(want, "-> "); ok {
			got, err := os.Readlink(p)
			if err != nil || got != target || f.Link != target || f.Mode != fs.ModeSymlink|0o777 {
				t.Errorf("%s: link %q (%v), Result %+v; want -> %q", f.Path, got, err, f, target)
			}
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil || string(data) != want {
			t.Errorf("%s: content %.40q (%v), want %.40q", f.Path, data, err, want)
		}
		wantMode := fs.FileMode(0o644)
		for _, e := range exec {
			if e == f.Path {
				wantMode = 0o755
			}
		}
		if f.Mode != wantMode || f.Size != int64(len(want)) {
			t.Errorf("%s: Result %+v, want mode %v size %d", f.Path, f, wantMode, len(want))
		}
		if runtime.GOOS != "windows" && fi.Mode() != wantMode&^umask {
			t.Errorf("%s: mode on disk %v, want %v", f.Path, fi.Mode(), wantMode&^umask)
		}
	}
	for _, d := range dirs {
		fi, err := os.Lstat(filepath.Join(dest, filepath.FromSlash(d)))
		if err != nil || !fi.IsDir() {
			t.Errorf("folder %s: %v", d, err)
		} else if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o755&^umask {
			t.Errorf("folder %s: mode %v", d, fi.Mode())
		}
	}
	// Nothing on disk that the Result does not list.
	n := 0
	filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != dest {
			n++
		}
		return err
	})
	if want := len(res.Files) + len(res.Dirs); n != want {
		t.Errorf("%d entries on disk, Result lists %d", n, want)
	}
}

func TestExtractDestExists(t *testing.T) {
	dest := t.TempDir()
	marker := filepath.Join(dest, "keep")
	if err := os.WriteFile(marker, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Extract(context.Background(), bytes.NewReader(tgz(t, file("package/a", "x"))), dest, Limits{})
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Extract into an existing folder = %v, want fs.ErrExist", err)
	}
	if data, err := os.ReadFile(marker); err != nil || string(data) != "mine" {
		t.Errorf("existing folder was touched: %q, %v", data, err)
	}
}

func TestExtractCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	parent := t.TempDir()
	dest := filepath.Join(parent, "dest")
	_, err := Extract(ctx, bytes.NewReader(tgz(t, file("package/a", "x"))), dest, Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Extract = %v, want context.Canceled", err)
	}
	checkConfined(t, parent, dest, false)
}

// A failing writer (here: a file name the file system refuses) stops the
// walk, and its error is the one reported.
func TestExtractWriteError(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses other names")
	}
	parent := t.TempDir()
	dest := filepath.Join(parent, "dest")
	long := strings.Repeat("n", 300) // longer than NAME_MAX
	var ents []ent
	for i := 0; i < 500; i++ {
		ents = append(ents, file(fmt.Sprintf("package/f%03d", i), "x"))
	}
	ents = append(ents[:10], append([]ent{file("package/"+long, "x")}, ents[10:]...)...)
	_, err := Extract(context.Background(), bytes.NewReader(tgz(t, ents...)), dest, Limits{})
	if err == nil || errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), long) {
		t.Fatalf("Extract = %v, want the write error naming the file", err)
	}
	checkConfined(t, parent, dest, false)
}

func TestWriteFileVariants(t *testing.T) {
	for name, write := range map[string]func(string, []byte, uint32) error{"writeFile": writeFile, "writeFileOS": writeFileOS} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			if err := write(p, []byte("hello"), 0o644); err != nil {
				t.Fatal(err)
			}
			if data, err := os.ReadFile(p); err != nil || string(data) != "hello" {
				t.Fatalf("read back %q, %v", data, err)
			}
			if err := write(p, []byte("again"), 0o644); !errors.Is(err, fs.ErrExist) {
				t.Errorf("second write = %v, want fs.ErrExist", err)
			}
			if err := write(filepath.Join(dir, "missing", "f"), nil, 0o644); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("write into a missing folder = %v, want fs.ErrNotExist", err)
			}
		})
	}
}

// TestWalkMatchesExtract checks that Walk reports what Extract writes, with
// the contents, for a realistic package.
func TestWalkMatchesExtract(t *testing.T) {
	data := unityTarball(t, 99)
	dest := filepath.Join(t.TempDir(), "dest")
	res, err := Extract(context.Background(), bytes.NewReader(data), dest, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var files, dirs int
	err = Walk(context.Background(), bytes.NewReader(data), Limits{}, func(f File, body io.Reader) error {
		if f.Mode.IsDir() {
			dirs++
			return nil
		}
		files++
		got, err := io.ReadAll(body)
		if err != nil {
			return err
		}
		disk, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(f.Path)))
		if err != nil {
			return err
		}
		if !bytes.Equal(got, disk) {
			return fmt.Errorf("%s differs", f.Path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != res.FileCount || dirs != len(res.Dirs) || files < 200 {
		t.Errorf("Walk saw %d files, %d folders; Extract wrote %d, %d", files, dirs, res.FileCount, len(res.Dirs))
	}
}

// TestExtractGolden pins the Result and the tree of a realistic package.
func TestExtractGolden(t *testing.T) {
	files := fixture.UnityFiles("com.example.golden", 3)
	files["Editor/Tool.sh"] = []byte("#!/bin/sh\necho hi\n")
	data, err := fixture.Tarball(fixture.UnityManifest("com.example.golden", "1.2.3", "2021.3", nil), files)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "dest")
	res, err := Extract(context.Background(), bytes.NewReader(data), dest, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "golden", "unity-package.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Result differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

// unityTarball builds a realistic package of 2*scripts+6 files.
func unityTarball(t testing.TB, scripts int) []byte {
	t.Helper()
	data, err := fixture.Tarball(fixture.UnityManifest("com.example.bench", "1.0.0", "2021.3", nil), fixture.UnityFiles("com.example.bench", scripts))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func BenchmarkExtract(b *testing.B) {
	data := unityTarball(b, 97) // 200 files
	root := b.TempDir()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dest := filepath.Join(root, fmt.Sprint(i))
		res, err := Extract(context.Background(), bytes.NewReader(data), dest, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if res.FileCount != 200 {
			b.Fatalf("%d files", res.FileCount)
		}
	}
}

// bigTarball is a gzipped tarball of a render-pipeline-sized package: 2 000
// small text assets with .meta files and a 24 MB native plugin whose bytes
// compress about as well as machine code does (half), deterministic.
func bigTarball(b *testing.B) []byte {
	b.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(name string, body []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			b.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 1000 {
		text := bytes.Repeat([]byte(fmt.Sprintf("// shader %d: float4 frag(v2f i) : SV_Target { return tex2D(_MainTex, i.uv); }\n", i)), 40)
		add(fmt.Sprintf("Shaders/S%04d.shader", i), text)
		add(fmt.Sprintf("Shaders/S%04d.shader.meta", i), []byte(fmt.Sprintf("fileFormatVersion: 2\nguid: %032x\n", i)))
	}
	plugin := make([]byte, 24<<20)
	for i := range plugin {
		plugin[i] = byte(rng.Uint32() & 0x0f) // 4 bits of entropy a byte
	}
	add("Plugins/x86_64/native.so", plugin)
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkWalkLarge reads a large tarball without writing it: the cost of
// decompressing and parsing, which a cold install pays for every byte.
func BenchmarkWalkLarge(b *testing.B) {
	data := bigTarball(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		err := Walk(context.Background(), bytes.NewReader(data), Limits{}, func(f File, body io.Reader) error {
			_, err := io.Copy(io.Discard, body)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractLargeFiles extracts a tarball of four 16 MB incompressible
// files that is generated as it is read, never held in memory: with
// -benchmem, B/op is what extraction itself allocates, which must stay a
// few MB however large the files (issue 14: peak RSS under 64 MB while
// installing a 200 MB tarball; `make bench PROFILES=bigtarball` measures
// the whole install).
func BenchmarkExtractLargeFiles(b *testing.B) {
	const files, size = 4, 16 << 20
	root := b.TempDir()
	b.SetBytes(files * size)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeLargeTarball(pw, files, size)) }()
		b.StartTimer()
		res, err := Extract(context.Background(), pr, filepath.Join(root, fmt.Sprint(i)), Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Bytes != files*size {
			b.Fatalf("%d bytes extracted, want %d", res.Bytes, files*size)
		}
	}
}

// writeLargeTarball writes a gzipped tar of n files of size pseudo-random
// bytes (which gzip cannot shrink) to w, a buffer at a time.
func writeLargeTarball(w io.Writer, n int, size int64) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	rng := rand.NewChaCha8([32]byte{14})
	buf := make([]byte, 256<<10)
	for i := 0; i < n; i++ {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("package/Plugins/lib%d.so", i), Mode: 0o644, Size: size}); err != nil {
			return err
		}
		for left := size; left > 0; left -= int64(len(buf)) {
			chunk := buf[:min(left, int64(len(buf)))]
			rng.Read(chunk)
			if _, err := tw.Write(chunk); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// under and ParentOf agree with filepath.Join and path.Dir on the paths
// they are given: clean, relative, inside.
func TestUnderAndParentOf(t *testing.T) {
	sep := string(filepath.Separator)
	for _, dest := range []string{filepath.Join(t.TempDir(), "pkg"), sep, "rel"} {
		for _, rel := range []string{"package.json", "Runtime/a.cs", "a/b/c/d.meta", "Documentation~/Ü.md"} {
			if got, want := under(dest, rel), filepath.Join(dest, filepath.FromSlash(rel)); got != want {
				t.Errorf("under(%q, %q) = %q, want %q", dest, rel, got, want)
			}
			want := path.Dir(rel)
			if want == "." {
				want = ""
			}
			if got := ParentOf(rel); got != want {
				t.Errorf("ParentOf(%q) = %q, want %q", rel, got, want)
			}
		}
	}
}
