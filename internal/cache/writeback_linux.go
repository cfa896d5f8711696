package cache

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing f's dirty pages to disk
// now (sync_file_range, SYNC_FILE_RANGE_WRITE), without waiting for them.
// The fsync that makes the file durable later then finds its blocks
// allocated in a journal transaction that another entry's fsync, or the
// journal's own timer, has often committed already: on a journaled ext4
// the small profile's cold install made 73–95 journal commits instead of
// 133–163 (100 entries, two synced files each). A hint: errors are
// ignored, and durability still comes from the fsync.
func startWriteback(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			unix.SyncFileRange(int(fd), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
		})
	}
}
