package cache

import (
	"testing"

	"golang.org/x/sys/unix"
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
