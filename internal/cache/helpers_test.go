package cache

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/testharness/fixture"
)

// TestMain doubles as the helper process of the cross-process tests: with
// UPKG_CACHE_HELPER set, the test binary runs one Ensure and exits.
func TestMain(m *testing.M) {
	if os.Getenv("UPKG_CACHE_HELPER") != "" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain opens the store in UPKG_CACHE_DIR, creates the marker file
// UPKG_CACHE_MARKER (so the test knows it is about to call Ensure), and
// ensures the package whose integrity is UPKG_CACHE_INTEGRITY from
// UPKG_CACHE_URL.
func helperMain() int {
	s, err := Open(os.Getenv("UPKG_CACHE_DIR"), 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := os.WriteFile(os.Getenv("UPKG_CACHE_MARKER"), nil, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	e, err := s.Ensure(context.Background(), Key{Integrity: os.Getenv("UPKG_CACHE_INTEGRITY")}, "com.example.helper", "1.0.0", httpFetch(os.Getenv("UPKG_CACHE_URL")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(e.Key)
	return 0
}

func httpFetch(url string) func(ctx context.Context) (io.ReadCloser, error) {
	return func(ctx context.Context) (io.ReadCloser, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return resp.Body, nil
	}
}

// testStore opens a store in a fresh folder, with no pause between
// download attempts. Its clone probe is the real one.
func testStore(t testing.TB) *Store {
	t.Helper()
	return testStoreWith(t, probeClone)
}

// testStoreClone is testStore with the clone probe's answer forced: true
// makes Ensure keep pkg/ (where FICLONE then fails, Materialize copies from
// it), false makes tarball-only entries.
func testStoreClone(t testing.TB, clone bool) *Store {
	t.Helper()
	return testStoreWith(t, func(goos, dir string) bool { return clone })
}

func testStoreWith(t testing.TB, probe func(goos, dir string) bool) *Store {
	t.Helper()
	s, err := open(filepath.Join(t.TempDir(), "upkg", "v1"), 0, probe)
	if err != nil {
		t.Fatal(err)
	}
	s.backoff = 0
	s.lockPoll = 5 * time.Millisecond
	return s
}

// layout is one of the two kinds of entry: the probe's answer decides
// which one Ensure writes.
type layout struct {
	name  string
	clone bool
}

func layouts() []layout { return []layout{{"tarball only", false}, {"with pkg", true}} }

// unityPackage returns a realistic tarball of 2*scripts+6 files.
func unityPackage(t testing.TB, name string, scripts int) []byte {
	t.Helper()
	data, err := fixture.Tarball(fixture.UnityManifest(name, "1.0.0", "2021.3", nil), fixture.UnityFiles(name, scripts))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// specialPackage has what fixture.Tarball cannot make: an executable, a
// symbolic link and an empty folder.
func specialPackage(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(h *tar.Header, body string) {
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add(&tar.Header{Name: "package/package.json", Mode: 0o644, Typeflag: tar.TypeReg}, `{"name":"com.example.special","version":"1.0.0"}`)
	add(&tar.Header{Name: "package/Runtime/A.cs", Mode: 0o644, Typeflag: tar.TypeReg}, "class A {}\n")
	add(&tar.Header{Name: "package/Tools/run.sh", Mode: 0o755, Typeflag: tar.TypeReg}, "#!/bin/sh\necho run\n")
	add(&tar.Header{Name: "package/Alias.cs", Typeflag: tar.TypeSymlink, Linkname: "Runtime/A.cs"}, "")
	add(&tar.Header{Name: "package/Empty/", Mode: 0o755, Typeflag: tar.TypeDir}, "")
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// evilTarball holds an entry that climbs out of the package.
func evilTarball(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "package/../../evil", Mode: 0o644, Typeflag: tar.TypeReg, Size: 1}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("x"))
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func jsonIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }

func sriKey(data []byte) Key {
	sum := sha512.Sum512(data)
	return Key{Integrity: "sha512-" + base64.StdEncoding.EncodeToString(sum[:])}
}

func shasumKey(data []byte) Key {
	sum := sha1.Sum(data)
	return Key{Shasum: hex.EncodeToString(sum[:])}
}

// counting returns a fetch serving data and the number of calls made.
func counting(data []byte) (func(ctx context.Context) (io.ReadCloser, error), *atomic.Int32) {
	var n atomic.Int32
	return func(ctx context.Context) (io.ReadCloser, error) {
		n.Add(1)
		return io.NopCloser(bytes.NewReader(data)), nil
	}, &n
}

// brokenBody yields half of data, then fails like a reset connection.
type brokenBody struct {
	r   io.Reader
	err error
}

func (b *brokenBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		return n, b.err
	}
	return n, err
}

func (b *brokenBody) Close() error { return nil }

// dirNames lists a folder's entries ("" if it is empty or missing).
func dirNames(t testing.TB, dir string) string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return strings.Join(names, " ")
}

// checkEmpty fails unless the store holds no entry and nothing in tmp/.
func checkEmpty(t testing.TB, s *Store) {
	t.Helper()
	for _, sub := range []string{entriesDir, tmpDir} {
		if names := dirNames(t, filepath.Join(s.dir, sub)); names != "" {
			t.Errorf("%s/ holds %s, want nothing", sub, names)
		}
	}
}

// checkVerify fails unless Verify finds no problem.
func checkVerify(t testing.TB, s *Store) {
	t.Helper()
	problems, err := s.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("Verify: %s", p)
	}
}
