package extract

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestStreamDirect(t *testing.T) {
	testUmask()
	for _, size := range []int{directMin, directMin + 1, 3*streamChunk + directAlign - 1, 4 * streamChunk} {
		dir := t.TempDir()
		want := []byte(counterText(size))
		name := filepath.Join(dir, "plugin.so")
		done, err := streamDirect(name, "package/plugin.so", bytes.NewReader(want), int64(size), 0o755, aligned(streamChunk))
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		if !done {
			// The test folder's file system refuses O_DIRECT: what
			// streamFile then does is covered by TestStreamDirectRefused.
			t.Logf("%d bytes: O_DIRECT refused in %s", size, dir)
			continue
		}
		checkFile(t, name, want, 0o755)
	}
	if done, _ := streamDirect(filepath.Join(t.TempDir(), "small"), "small", strings.NewReader("x"), 1, 0o644, aligned(streamChunk)); done {
		t.Errorf("a file under directMin went direct")
	}
}

func TestStreamDirectRefused(t *testing.T) {
	testUmask()
	defer func(o func(string, uint32) (int, error)) { openDirect = o }(openDirect)
	openDirect = func(string, uint32) (int, error) { return -1, unix.EINVAL }
	want := []byte(counterText(directMin + 123))
	name := filepath.Join(t.TempDir(), "plugin.so")
	if err := streamFile(name, "package/plugin.so", bytes.NewReader(want), int64(len(want)), 0o644); err != nil {
		t.Fatal(err)
	}
	checkFile(t, name, want, 0o644)
}

// TestWriteAllDirectRefused: a direct write the file system refuses (on
// ext4, from memory that is not aligned) is retried through the page
// cache.
func TestWriteAllDirectRefused(t *testing.T) {
	testUmask()
	name := filepath.Join(t.TempDir(), "f")
	fd, err := openDirect(name, 0o644)
	if errors.Is(err, unix.EINVAL) {
		t.Skipf("%s refuses O_DIRECT", filepath.Dir(name))
	}
	if err != nil {
		t.Fatal(err)
	}
	buf := aligned(2 * directAlign)
	copy(buf, counterText(len(buf)))
	want := buf[1 : 1+directAlign]
	direct := true
	err = writeAll(fd, name, want, &direct)
	unix.Close(fd)
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(name, &st); err != nil {
		t.Fatal(err)
	}
	// ext4 holds direct writes to the block alignment; tmpfs takes any.
	if st.Type == unix.EXT4_SUPER_MAGIC && direct {
		t.Errorf("ext4 accepted an unaligned direct write")
	}
	checkFile(t, name, want, 0o644)
}

func TestStreamDirectShortBody(t *testing.T) {
	dir := t.TempDir()
	body := io.LimitReader(strings.NewReader(counterText(2*streamChunk)), streamChunk+5)
	done, err := streamDirect(filepath.Join(dir, "cut"), "package/cut", body, 2*streamChunk, 0o644, aligned(streamChunk))
	if done && (err == nil || !strings.Contains(err.Error(), "read tarball entry package/cut")) {
		t.Errorf("a body cut short: %v", err)
	}
}

func TestAligned(t *testing.T) {
	for range 10 {
		b := aligned(streamChunk)
		if len(b) != streamChunk || cap(b) != streamChunk {
			t.Fatalf("len %d cap %d", len(b), cap(b))
		}
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(b))); p%directAlign != 0 {
			t.Fatalf("address %#x is not aligned", p)
		}
	}
}

func checkFile(t *testing.T, name string, want []byte, perm os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes differ from the %d written", name, len(got), len(want))
	}
	if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != perm&^testUmask() {
		t.Errorf("%s: mode %v (%v), want %v", name, fi.Mode(), err, perm)
	}
}
