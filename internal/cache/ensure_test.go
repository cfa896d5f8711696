package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/extract"
)

func TestOpenLayout(t *testing.T) {
	s := testStore(t)
	for _, sub := range []string{entriesDir, locksDir, tmpDir, usedDir, packumentsDir} {
		if fi, err := os.Stat(filepath.Join(s.Dir(), sub)); err != nil || !fi.IsDir() {
			t.Errorf("%s/: %v", sub, err)
		}
	}
	tag, err := os.ReadFile(filepath.Join(s.Dir(), "CACHEDIR.TAG"))
	if err != nil || !strings.HasPrefix(string(tag), "Signature: 8a477f597d28d172789f06886806bc55") {
		t.Errorf("CACHEDIR.TAG = %q, %v", tag, err)
	}
	if v, err := os.ReadFile(filepath.Join(s.Dir(), "VERSION")); err != nil || string(v) != "1\n" {
		t.Errorf("VERSION = %q, %v", v, err)
	}
	if s.MaxSize() != DefaultMaxSize {
		t.Errorf("MaxSize = %d", s.MaxSize())
	}
	// Opening again is fine; another layout version is refused.
	if _, err := Open(s.Dir(), 5); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), "VERSION"), []byte("2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(s.Dir(), 0); err == nil || !strings.Contains(err.Error(), `layout version "2"`) {
		t.Errorf("Open of a version 2 store = %v", err)
	}
	if _, err := Open("", 0); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

func TestEnsureHappyPath(t *testing.T) {
	data := unityPackage(t, "com.example.happy", 10)
	type keyCase struct {
		name string
		key  Key
	}
	for _, l := range layouts() {
		for _, tt := range []keyCase{{"integrity", sriKey(data)}, {"shasum only", shasumKey(data)}} {
			t.Run(l.name+" "+tt.name, func(t *testing.T) { testEnsureHappyPath(t, data, tt.key, l.clone) })
		}
	}
}

func testEnsureHappyPath(t *testing.T, data []byte, key Key, clone bool) {
	s := testStoreClone(t, clone)
	fetch, calls := counting(data)
	e, err := s.Ensure(context.Background(), key, "com.example.happy", "1.0.0", fetch)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := key.ID()
	if e.Key != id || e.Dir != filepath.Join(s.Dir(), "entries", id) {
		t.Errorf("Entry %s in %s", e.Key, e.Dir)
	}
	m := e.Meta
	if m.Name != "com.example.happy" || m.Version != "1.0.0" || m.Key != id || m.FileCount != 26 || len(m.Files) != 26 ||
		m.TarballSize != int64(len(data)) || m.Added.IsZero() || m.Integrity != key.Integrity || m.Shasum != key.Shasum {
		t.Errorf("Meta = %+v", m)
	}
	if got, err := os.ReadFile(e.TarballPath()); err != nil || !bytes.Equal(got, data) {
		t.Errorf("tarball.tgz differs from the download (%v)", err)
	}
	var onDisk Meta
	if raw, err := os.ReadFile(filepath.Join(e.Dir, "meta.json")); err != nil || json.Unmarshal(raw, &onDisk) != nil || onDisk.FileCount != m.FileCount {
		t.Errorf("meta.json: %v", err)
	}
	if m.TarballOnly == clone {
		t.Errorf("TarballOnly = %v with a probe saying %v", m.TarballOnly, clone)
	}
	if clone {
		for _, f := range m.Files {
			fi, err := os.Lstat(filepath.Join(e.PkgDir(), filepath.FromSlash(f.Path)))
			if err != nil || fi.Size() != f.Size {
				t.Errorf("%s: %v", f.Path, err)
			}
		}
	} else {
		if _, err := os.Lstat(e.PkgDir()); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("tarball-only entry has pkg/: %v", err)
		}
		if m.Size() != m.TarballSize || m.UnpackedSize == 0 {
			t.Errorf("Size = %d, UnpackedSize %d; want the tarball's size only", m.Size(), m.UnpackedSize)
		}
	}
	if _, err := os.Stat(s.usedPath(id)); err != nil {
		t.Errorf("used marker: %v", err)
	}

	again, err := s.Ensure(context.Background(), key, "com.example.happy", "1.0.0", fetch)
	if err != nil || again.Key != e.Key || calls.Load() != 1 {
		t.Errorf("second Ensure: %v, %d fetches; want no new fetch", err, calls.Load())
	}
	if got, err := s.Lookup(key); err != nil || got.Key != e.Key {
		t.Errorf("Lookup = %v", err)
	}
	infos, err := s.List()
	if err != nil || len(infos) != 1 || infos[0].Name != "com.example.happy" || infos[0].Size != m.Size() || infos[0].FileCount != 26 {
		t.Errorf("List = %+v, %v", infos, err)
	}
	if size, err := s.Size(); err != nil || size != m.Size() {
		t.Errorf("Size = %d, %v", size, err)
	}
	if names := dirNames(t, filepath.Join(s.Dir(), tmpDir)); names != "" {
		t.Errorf("tmp/ holds %s", names)
	}
	checkVerify(t, s)
}

func TestEnsureRefusesUnverifiable(t *testing.T) {
	s := testStore(t)
	fetch, calls := counting([]byte("x"))
	_, err := s.Ensure(context.Background(), Key{}, "com.example.none", "1.0.0", fetch)
	if !errors.Is(err, ErrNoChecksum) || calls.Load() != 0 {
		t.Fatalf("Ensure = %v after %d fetches; want ErrNoChecksum and no fetch", err, calls.Load())
	}
	if _, err := s.Lookup(Key{}); !errors.Is(err, ErrNoChecksum) {
		t.Errorf("Lookup = %v", err)
	}
	if _, err := s.Lookup(sriKey([]byte("x"))); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lookup of a missing entry = %v, want fs.ErrNotExist", err)
	}
	checkEmpty(t, s)
}

func TestEnsureIntegrityMismatch(t *testing.T) {
	data := unityPackage(t, "com.example.bad", 2)
	served := append([]byte(nil), data...)
	served[len(served)/2] ^= 0xff
	for _, tt := range []struct {
		name     string
		key      Key
		wantForm string // prefix of Want and Got
	}{
		{"integrity", sriKey(data), "sha512-"},
		{"shasum", shasumKey(data), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := testStore(t)
			fetch, calls := counting(served)
			_, err := s.Ensure(context.Background(), tt.key, "com.example.bad", "1.2.3", fetch)
			var ie *IntegrityError
			if !errors.As(err, &ie) {
				t.Fatalf("Ensure = %v, want *IntegrityError", err)
			}
			if ie.Name != "com.example.bad" || ie.Version != "1.2.3" || ie.Want == ie.Got || !strings.HasPrefix(ie.Want, tt.wantForm) || !strings.HasPrefix(ie.Got, tt.wantForm) {
				t.Errorf("IntegrityError = %+v", ie)
			}
			if tt.key.Integrity != "" && ie.Want != tt.key.Integrity {
				t.Errorf("Want = %s, the packument said %s", ie.Want, tt.key.Integrity)
			}
			if tt.key.Shasum != "" && ie.Want != tt.key.Shasum {
				t.Errorf("Want = %s, the packument said %s", ie.Want, tt.key.Shasum)
			}
			if calls.Load() != 3 {
				t.Errorf("%d fetches, want 3 attempts", calls.Load())
			}
			if !strings.Contains(err.Error(), "com.example.bad@1.2.3") {
				t.Errorf("message %q lacks the package", err)
			}
			checkEmpty(t, s)
		})
	}
}

func TestEnsureRetries(t *testing.T) {
	data := unityPackage(t, "com.example.retry", 3)
	corrupt := append([]byte(nil), data...)
	corrupt[100] ^= 1
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	errRefused := errors.New("401 from the registry")
	good := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	bad := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(corrupt)), nil }
	broken := func() (io.ReadCloser, error) {
		return &brokenBody{r: bytes.NewReader(data[:len(data)/2]), err: reset}, nil
	}
	refused := func() (io.ReadCloser, error) { return nil, errRefused }
	tests := []struct {
		name      string
		attempts  []func() (io.ReadCloser, error)
		wantCalls int
		wantErr   error // nil: success
	}{
		{"bad checksum once", []func() (io.ReadCloser, error){bad, good}, 2, nil},
		{"bad checksum twice", []func() (io.ReadCloser, error){bad, bad, good}, 3, nil},
		{"connection reset once", []func() (io.ReadCloser, error){broken, good}, 2, nil},
		{"reset then bad then good", []func() (io.ReadCloser, error){broken, bad, good}, 3, nil},
		{"reset every time", []func() (io.ReadCloser, error){broken, broken, broken, good}, 3, syscall.ECONNRESET},
		{"fetch error is not retried", []func() (io.ReadCloser, error){refused, good}, 1, errRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testStore(t)
			var calls atomic.Int32
			fetch := func(ctx context.Context) (io.ReadCloser, error) {
				i := calls.Add(1) - 1
				return tt.attempts[i]()
			}
			e, err := s.Ensure(context.Background(), sriKey(data), "com.example.retry", "1.0.0", fetch)
			if int(calls.Load()) != tt.wantCalls {
				t.Errorf("%d fetches, want %d", calls.Load(), tt.wantCalls)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Ensure = %v, want %v", err, tt.wantErr)
				}
				checkEmpty(t, s)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Meta.TarballSize != int64(len(data)) {
				t.Errorf("TarballSize %d", e.Meta.TarballSize)
			}
			if names := dirNames(t, filepath.Join(s.Dir(), tmpDir)); names != "" {
				t.Errorf("tmp/ holds %s", names)
			}
			checkVerify(t, s)
		})
	}
}

// A real HTTP connection that breaks off mid-body (the server closes it
// after half the promised Content-Length) is retried.
func TestEnsureRetriesBrokenHTTPBody(t *testing.T) {
	data := unityPackage(t, "com.example.http", 20)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		if requests.Add(1) == 1 {
			w.Write(data[:len(data)/2])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				if tcp, ok := conn.(*net.TCPConn); ok {
					tcp.SetLinger(0) // a reset, not a clean close
				}
				conn.Close()
			}
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	s := testStore(t)
	if _, err := s.Ensure(context.Background(), sriKey(data), "com.example.http", "1.0.0", httpFetch(srv.URL)); err != nil {
		t.Fatal(err)
	}
	if requests.Load() != 2 {
		t.Errorf("%d requests, want 2", requests.Load())
	}
	checkVerify(t, s)
}

func TestEnsureUnsafeTarball(t *testing.T) {
	evil := evilTarball(t)
	s := testStore(t)
	fetch, calls := counting(evil)
	_, err := s.Ensure(context.Background(), sriKey(evil), "com.example.evil", "1.0.0", fetch)
	var ue *extract.UnsafeError
	if !errors.As(err, &ue) || calls.Load() != 1 {
		t.Fatalf("Ensure = %v after %d fetches; want one fetch and *extract.UnsafeError", err, calls.Load())
	}
	checkEmpty(t, s)
}

func TestEnsureCancelled(t *testing.T) {
	data := unityPackage(t, "com.example.cancel", 2)
	s := testStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	fetch := func(ctx context.Context) (io.ReadCloser, error) {
		cancel()
		return &brokenBody{r: bytes.NewReader(data[:10]), err: ctx.Err()}, nil
	}
	if _, err := s.Ensure(ctx, sriKey(data), "com.example.cancel", "1.0.0", fetch); !errors.Is(err, context.Canceled) {
		t.Fatalf("Ensure = %v, want context.Canceled", err)
	}
	checkEmpty(t, s)
}

func TestEnsureConcurrentGoroutines(t *testing.T) {
	data := unityPackage(t, "com.example.many", 30)
	s := testStore(t)
	const n = 8
	var entered, calls atomic.Int32
	fetch := func(ctx context.Context) (io.ReadCloser, error) {
		calls.Add(1)
		// Hold the download until every caller is inside Ensure, so they
		// really overlap (bounded: the count is checked either way).
		deadline := time.Now().Add(10 * time.Second)
		for entered.Load() < n && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	var wg sync.WaitGroup
	keys := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			entered.Add(1)
			e, err := s.Ensure(context.Background(), sriKey(data), "com.example.many", "1.0.0", fetch)
			errs[i] = err
			if err == nil {
				keys[i] = e.Key
			}
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil || keys[i] != keys[0] {
			t.Errorf("caller %d: %q, %v", i, keys[i], errs[i])
		}
	}
	if calls.Load() != 1 {
		t.Errorf("%d fetches, want exactly 1", calls.Load())
	}
	checkVerify(t, s)
}

func TestEnsureConcurrentProcesses(t *testing.T) {
	data := unityPackage(t, "com.example.procs", 30)
	s := testStore(t)
	markers := t.TempDir()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		// Answer only once both processes are about to call Ensure, so
		// that the second one meets the first one's lock (bounded wait).
		deadline := time.Now().Add(20 * time.Second)
		for dirNames(t, markers) != "a b" && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		w.Write(data)
	}))
	defer srv.Close()

	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for _, name := range []string{"a", "b"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(),
			"UPKG_CACHE_HELPER=1",
			"UPKG_CACHE_DIR="+s.Dir(),
			"UPKG_CACHE_MARKER="+filepath.Join(markers, name),
			"UPKG_CACHE_INTEGRITY="+sriKey(data).Integrity,
			"UPKG_CACHE_URL="+srv.URL,
		)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	id, _ := sriKey(data).ID()
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v\n%s", i, err, outs[i])
		} else if got := strings.TrimSpace(outs[i].String()); got != id {
			t.Errorf("helper %d printed %q, want %q", i, got, id)
		}
	}
	if requests.Load() != 1 {
		t.Errorf("%d downloads, want exactly 1", requests.Load())
	}
	checkVerify(t, s)
}

// A process killed mid-download leaves a partial tmp/ folder (and its lock
// file); the next Ensure cleans it and succeeds.
func TestEnsureAfterKilledProcess(t *testing.T) {
	data := unityPackage(t, "com.example.crash", 30)
	s := testStore(t)
	release := make(chan struct{})
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			w.Header().Set("Content-Length", fmt.Sprint(len(data)))
			w.Write(data[:len(data)/2])
			w.(http.Flusher).Flush()
			select { // hang until the test is over
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	defer close(release)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"UPKG_CACHE_HELPER=1",
		"UPKG_CACHE_DIR="+s.Dir(),
		"UPKG_CACHE_MARKER="+filepath.Join(t.TempDir(), "m"),
		"UPKG_CACHE_INTEGRITY="+sriKey(data).Integrity,
		"UPKG_CACHE_URL="+srv.URL,
	)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait (bounded) until the helper has written part of the tarball.
	id, _ := sriKey(data).ID()
	partial := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !partial; time.Sleep(5 * time.Millisecond) {
		matches, _ := filepath.Glob(filepath.Join(s.Dir(), tmpDir, id+".*", tarballName))
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.Size() > 0 {
				partial = true
			}
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if !partial {
		t.Fatal("the helper never wrote a partial download")
	}
	if _, err := s.Lookup(sriKey(data)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a killed download left an entry: %v", err)
	}

	if _, err := s.Ensure(context.Background(), sriKey(data), "com.example.crash", "1.0.0", httpFetch(srv.URL)); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, filepath.Join(s.Dir(), tmpDir)); names != "" {
		t.Errorf("tmp/ still holds %s", names)
	}
	checkVerify(t, s)
}

// Leftovers of a crash at any later step — a half-extracted tmp folder, a
// stale lock file, an entry whose meta.json was lost — do not stop Ensure.
func TestEnsureAfterCrashLeftovers(t *testing.T) {
	data := unityPackage(t, "com.example.leftover", 5)
	key := sriKey(data)
	id, _ := key.ID()
	tests := []struct {
		name  string
		setup func(t *testing.T, s *Store)
	}{
		{"half-written tmp folder and stale lock", func(t *testing.T, s *Store) {
			work := filepath.Join(s.Dir(), tmpDir, id+".123456")
			mustWrite(t, filepath.Join(work, tarballName), data[:len(data)/3])
			mustWrite(t, filepath.Join(work, pkgName, "Runtime", "Half.cs"), []byte("class Ha"))
			mustWrite(t, s.lockPath(id), nil)
		}},
		{"entry without meta.json", func(t *testing.T, s *Store) {
			mustWrite(t, filepath.Join(s.entryDir(id), tarballName), data)
			mustWrite(t, filepath.Join(s.entryDir(id), pkgName, "package.json"), []byte("{}"))
		}},
		{"entry with a broken meta.json", func(t *testing.T, s *Store) {
			mustWrite(t, filepath.Join(s.entryDir(id), metaName), []byte("{"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testStore(t)
			tt.setup(t, s)
			fetch, calls := counting(data)
			if _, err := s.Ensure(context.Background(), key, "com.example.leftover", "1.0.0", fetch); err != nil {
				t.Fatal(err)
			}
			if calls.Load() != 1 {
				t.Errorf("%d fetches", calls.Load())
			}
			if names := dirNames(t, filepath.Join(s.Dir(), tmpDir)); names != "" {
				t.Errorf("tmp/ still holds %s", names)
			}
			checkVerify(t, s)
		})
	}
}

func mustWrite(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
