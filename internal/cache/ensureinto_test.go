package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upkg/upkg/internal/extract"
)

// TestEnsureInto: a package downloaded installs at dest, exactly as
// Materialize would put it — into a store of tarballs in the same pass,
// into one that keeps unpacked trees (where writesColdCopies holds) as a
// second extraction whose files are the project's own; a cached entry
// leaves dest to the caller.
func TestEnsureInto(t *testing.T) {
	ctx := context.Background()
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			s := testStoreClone(t, l.clone)
			data := unityPackage(t, "com.example.a", 4)
			fetch, calls := counting(data)
			parent := t.TempDir()
			dest := filepath.Join(parent, "com.example.a@1.0.0")
			e, placed, err := s.EnsureInto(ctx, sriKey(data), "com.example.a", "1.0.0", fetch, dest)
			if err != nil {
				t.Fatal(err)
			}
			if want := !l.clone || writesColdCopies(currentOS); placed != want {
				t.Fatalf("placed = %v on a store that clones: %v", placed, l.clone)
			}
			if placed {
				checkSameTree(t, e, dest)
				if l.clone {
					checkOwnFiles(t, e, dest)
				}
				if names := dirNames(t, parent); names != "com.example.a@1.0.0" {
					t.Errorf("beside dest: %q", names)
				}
			}
			// Cached now: nothing placed, nothing fetched.
			other := filepath.Join(t.TempDir(), "com.example.a@1.0.0")
			if _, placed, err := s.EnsureInto(ctx, sriKey(data), "com.example.a", "1.0.0", fetch, other); err != nil || placed {
				t.Fatalf("cached: placed %v, %v", placed, err)
			}
			if calls.Load() != 1 {
				t.Errorf("%d downloads", calls.Load())
			}
			checkVerify(t, s)
		})
	}
}

// TestEnsureIntoRetries: the pass that unpacks into dest runs on each
// download as it arrives, so what an attempt that failed had unpacked —
// half a package, or all of a package the checksum then refused — is gone
// before the next attempt, and only the verified package reaches dest.
func TestEnsureIntoRetries(t *testing.T) {
	data := unityPackage(t, "com.example.retry", 3)
	other := unityPackage(t, "com.example.other", 5) // a whole package, the wrong one
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	good := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	wrong := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(other)), nil }
	broken := func() (io.ReadCloser, error) {
		return &brokenBody{r: bytes.NewReader(data[:len(data)/2]), err: reset}, nil
	}
	for _, l := range layouts() {
		for _, tt := range []struct {
			name     string
			attempts []func() (io.ReadCloser, error)
			wantErr  bool
		}{
			{"wrong package once", []func() (io.ReadCloser, error){wrong, good}, false},
			{"reset then wrong then good", []func() (io.ReadCloser, error){broken, wrong, good}, false},
			{"wrong every time", []func() (io.ReadCloser, error){wrong, wrong, wrong}, true},
		} {
			for _, live := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/live=%v", l.name, tt.name, live), func(t *testing.T) {
					s := testStoreClone(t, l.clone)
					if !live {
						s.streams = make(chan struct{}) // no slot: unpacked once verified
					}
					var calls atomic.Int32
					fetch := func(ctx context.Context) (io.ReadCloser, error) {
						return tt.attempts[calls.Add(1)-1]()
					}
					parent := t.TempDir()
					dest := filepath.Join(parent, "com.example.retry@1.0.0")
					e, placed, err := s.EnsureInto(context.Background(), sriKey(data), "com.example.retry", "1.0.0", fetch, dest)
					if int(calls.Load()) != len(tt.attempts) {
						t.Errorf("%d fetches, want %d", calls.Load(), len(tt.attempts))
					}
					if tt.wantErr {
						if !errors.As(err, new(*IntegrityError)) {
							t.Fatalf("EnsureInto = %v, want an *IntegrityError", err)
						}
						if names := dirNames(t, parent); names != "" {
							t.Errorf("beside dest: %q", names)
						}
						checkEmpty(t, s)
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					if placed {
						checkSameTree(t, e, dest)
						if names := dirNames(t, parent); names != "com.example.retry@1.0.0" {
							t.Errorf("beside dest: %q", names)
						}
					}
					checkVerify(t, s)
				})
			}
		}
	}
}

// TestEnsureIntoRefusesUnsafe: a tarball refused by the check leaves
// neither an entry nor anything beside dest.
func TestEnsureIntoRefusesUnsafe(t *testing.T) {
	s := testStoreClone(t, false)
	data := evilTarball(t)
	fetch, _ := counting(data)
	parent := t.TempDir()
	dest := filepath.Join(parent, "com.example.evil@1.0.0")
	if _, placed, err := s.EnsureInto(context.Background(), sriKey(data), "com.example.evil", "1.0.0", fetch, dest); err == nil || placed {
		t.Fatalf("EnsureInto = placed %v, %v; want an error", placed, err)
	}
	if names := dirNames(t, parent); names != "" {
		t.Errorf("left %q", names)
	}
	if _, err := s.Lookup(sriKey(data)); err == nil {
		t.Error("the refused tarball was cached")
	}
}

// checkOwnFiles fails if a regular file under dest is a hard link to the
// same file of e's pkg/ folder.
func checkOwnFiles(t *testing.T, e *Entry, dest string) {
	t.Helper()
	n := 0
	for _, f := range e.Meta.Files {
		if !f.Mode.IsRegular() {
			continue
		}
		a, err := os.Stat(filepath.Join(e.PkgDir(), filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.Stat(filepath.Join(dest, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if os.SameFile(a, b) {
			t.Errorf("%s is the cache's own file", f.Path)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no regular files to compare")
	}
}

func TestWritesColdCopiesByOS(t *testing.T) {
	for goos, want := range map[string]bool{"linux": true, "darwin": false, "windows": false} {
		if got := writesColdCopies(goos); got != want {
			t.Errorf("writesColdCopies(%q) = %v, want %v", goos, got, want)
		}
	}
}

// TestGrowingFile: a reader of a file being downloaded gets every byte in
// order, waiting for those not written yet — each piece is written only
// after the reader has caught up with the last one and had time to ask for
// more — then io.EOF, or the error that cut the download short; a reader
// that stops early never holds up the writer.
func TestGrowingFile(t *testing.T) {
	reset := errors.New("connection reset")
	for _, stop := range []error{nil, reset} {
		f, err := os.Create(filepath.Join(t.TempDir(), "tarball.tgz"))
		if err != nil {
			t.Fatal(err)
		}
		g := newGrowing(f)
		want := bytes.Repeat([]byte("0123456789abcdef"), 4000)
		type result struct {
			data []byte
			err  error
		}
		whole := make(chan result, 1)
		progress := make(chan int, len(want))
		go func() {
			r, buf := g.reader(), make([]byte, 5000)
			var data []byte
			for {
				n, err := r.Read(buf)
				data = append(data, buf[:n]...)
				if n > 0 {
					progress <- len(data)
				}
				if err != nil {
					whole <- result{data, err}
					return
				}
			}
		}()
		head := make(chan []byte, 1)
		go func() {
			p := make([]byte, 10)
			n, _ := io.ReadFull(g.reader(), p)
			head <- p[:n]
		}()
		written := 0
		for rest := want; len(rest) > 0; {
			k := min(len(rest), 7777) // pieces that do not line up with the reader's buffer
			if n, err := g.Write(rest[:k]); n != k || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
			rest, written = rest[k:], written+k
			for seen := 0; seen < written; {
				select {
				case seen = <-progress:
				case r := <-whole:
					t.Fatalf("stop(%v): the reader ended at %d of the %d bytes written so far: %v", stop, len(r.data), written, r.err)
				}
			}
			// Only the order matters, not the time: a reader that does
			// not wait for more would end here.
			time.Sleep(time.Millisecond)
		}
		g.stop(stop)
		got := <-whole
		if !bytes.Equal(got.data, want) {
			t.Errorf("stop(%v): read %d bytes, want the %d written", stop, len(got.data), len(want))
		}
		if stop == nil && got.err != io.EOF || stop != nil && !errors.Is(got.err, stop) {
			t.Errorf("stop(%v): the reader ended with %v", stop, got.err)
		}
		if h := <-head; string(h) != "0123456789" {
			t.Errorf("the early reader got %q", h)
		}
		f.Close()
	}
}

// FuzzStreamedMatchesFile: unpacking a tarball as it downloads gives what
// unpacking the verified file gives — the same files placed, or the same
// kind of refusal — for any bytes, and never hangs.
func FuzzStreamedMatchesFile(f *testing.F) {
	f.Add(unityPackage(f, "com.example.a", 2))
	f.Add(specialPackage(f))
	f.Add(evilTarball(f))
	data := unityPackage(f, "com.example.b", 1)
	f.Add(data[:len(data)/2])
	f.Add(append(append([]byte(nil), data...), 0, 0, 0, 0))
	f.Add([]byte("not a tarball"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got [2]string
		for i, live := range []bool{true, false} {
			s := testStoreClone(t, false)
			s.attempts = 1
			if !live {
				s.streams = make(chan struct{})
			}
			fetch := func(context.Context) (io.ReadCloser, error) {
				return io.NopCloser(&trickle{data: data}), nil
			}
			parent := t.TempDir()
			e, placed, err := s.EnsureInto(context.Background(), sriKey(data), "com.example.fuzz", "1.0.0", fetch, filepath.Join(parent, "com.example.fuzz@1.0.0"))
			got[i] = outcome(e, placed, err)
			if err != nil {
				if names := dirNames(t, parent); names != "" {
					t.Fatalf("live %v: %v, and left %q", live, err, names)
				}
			}
		}
		if got[0] != got[1] {
			t.Fatalf("unpacked as it arrived: %s\nunpacked once verified: %s", got[0], got[1])
		}
	})
}

// trickle yields data a few hundred bytes at a time, letting other
// goroutines run before each piece, so that a streamed pass often catches
// up with the download and waits.
type trickle struct{ data []byte }

func (r *trickle) Read(p []byte) (int, error) {
	runtime.Gosched()
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 700)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// outcome describes what EnsureInto did, without the paths that differ
// from one store to another.
func outcome(e *Entry, placed bool, err error) string {
	switch {
	case errors.As(err, new(*extract.UnsafeError)):
		return "refused as unsafe"
	case errors.As(err, new(*BrokenArchiveError)):
		return "broken archive"
	case err != nil:
		return "other error"
	}
	return fmt.Sprintf("placed %v, %d bytes, files %v, dirs %v", placed, e.Meta.UnpackedSize, e.Meta.Files, e.Meta.Dirs)
}
