// Package dirspread asks the file system to spread a folder's subfolders
// over the disk, for folders whose subfolders are unrelated trees:
// Library/PackageCache (one folder per package) and the cache's entries.
//
// On ext2/3/4 that is the "top directory" attribute (chattr +T,
// FS_TOPDIR_FL): the Orlov allocator places each new subfolder in a block
// group of its own choosing, and the subfolder's files beside it, instead
// of packing every new folder next to its parent. It matters after a large
// deletion: ext4 without a journal will not reuse an inode freed in the
// last minute or so, and finds the next free one by checking every such
// inode from the start of the group, on every file it creates. A package
// folder recreated where the last install's tree was just deleted (a user
// who deletes Library, a reinstall) then pays that scan on each of its
// thousands of files: on the 2-core benchmark machine, 16 000 files took
// 1.5–2.4 s of wall time (3–4.7 s of kernel time) under a plain parent
// and 0.32–0.34 s under a top directory, right after the same deletion.
// With a journal (which checks no freed inode's age) it matters too: on a
// loop ext4 with one, copying installs of the benchmark's profiles took
// 227 and 614 ms with the attribute against 380 and 976 ms without (wall
// well above CPU without it: writers of every package waiting on the same
// group's blocks), and linking ones the same time either way.
//
// The attribute changes where new folders go, nothing else; file systems
// that do not know it (and other systems than Linux) are left alone, and
// every failure is ignored: it is a hint.
package dirspread

// topdirFlag is FS_TOPDIR_FL of linux/fs.h (x/sys/unix does not name it).
const topdirFlag = 0x00020000

// flagOps reads and writes a folder's attribute flags (FS_IOC_GETFLAGS and
// FS_IOC_SETFLAGS), so that the decision is tested on any file system.
type flagOps interface {
	get() (uint32, error)
	set(uint32) error
}

// spread sets the top-directory flag through ops unless it is set, keeping
// the other flags. It reports whether it set it.
func spread(ops flagOps) bool {
	flags, err := ops.get()
	if err != nil || flags&topdirFlag != 0 {
		return false
	}
	return ops.set(flags|topdirFlag) == nil
}
