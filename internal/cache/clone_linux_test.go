package cache

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/upkg/upkg/internal/testharness/fixture"
)

// The real FICLONE probe: it cleans up after itself, and it says no on the
// file systems known not to clone (ext4, tmpfs), which is what the test
// folder is on this project's machines.
func TestProbeCloneLinux(t *testing.T) {
	dir := t.TempDir()
	got := probeClone("linux", dir)
	if names := dirNames(t, dir); names != "" {
		t.Errorf("the probe left %s", names)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	const ext4, tmpfs = 0xEF53, 0x01021994
	switch st.Type {
	case ext4, tmpfs:
		if got {
			t.Errorf("probeClone = true on file system %#x, which cannot clone", st.Type)
		}
	default:
		t.Logf("file system %#x: probeClone = %v (not checked)", st.Type, got)
	}
}

// TestMaterializeClonesOnCloningFS runs where the test folder's file system
// clones (scripts/clone-check.sh runs it with TMPDIR on loop XFS and Btrfs
// file systems; elsewhere it skips): the default Materialize gives the
// project its own inode whose blocks are the cache's, so installing an
// 8 MB file takes next to no space.
func TestMaterializeClonesOnCloningFS(t *testing.T) {
	s := testStore(t)
	if !s.canClone() {
		t.Skip("the test folder's file system cannot clone (run scripts/clone-check.sh as root)")
	}
	files := fixture.UnityFiles("com.example.big", 2)
	files["Plugins/big.bin"] = bytes.Repeat([]byte("0123456789abcdef"), 8<<20/16)
	data, err := fixture.Tarball(fixture.UnityManifest("com.example.big", "1.0.0", "2021.3", nil), files)
	if err != nil {
		t.Fatal(err)
	}
	fetch, _ := counting(data)
	e, err := s.Ensure(context.Background(), sriKey(data), "com.example.big", "1.0.0", fetch)
	if err != nil {
		t.Fatal(err)
	}
	if e.Meta.TarballOnly {
		t.Fatal("an entry on a cloning file system was kept as its tarball only")
	}
	free := func() int64 {
		unix.Sync()
		var st unix.Statfs_t
		if err := unix.Statfs(s.Dir(), &st); err != nil {
			t.Fatal(err)
		}
		return int64(st.Bavail) * int64(st.Bsize)
	}
	dest := filepath.Join(filepath.Dir(s.Dir()), "project", "com.example.big@1.0.0")
	before := free()
	if err := s.Materialize(context.Background(), e, dest); err != nil {
		t.Fatal(err)
	}
	used := before - free()
	checkSameTree(t, e, dest) // its own inodes, same contents
	if used > 4<<20 {
		t.Errorf("materializing 8 MB took %d bytes: not cloned", used)
	}
	t.Logf("materializing 8 MB took %d bytes of disk", used)
}
