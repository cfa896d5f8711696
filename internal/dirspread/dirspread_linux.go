package dirspread

import "golang.org/x/sys/unix"

// Subfolders marks dir so that the file system spreads its new subfolders
// (see the package comment). Errors are ignored.
func Subfolders(dir string) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	spread(fdFlags(fd))
}

// fdFlags are an open folder's flags.
type fdFlags int

func (fd fdFlags) get() (uint32, error) { return unix.IoctlGetUint32(int(fd), unix.FS_IOC_GETFLAGS) }

func (fd fdFlags) set(flags uint32) error {
	return unix.IoctlSetPointerInt(int(fd), unix.FS_IOC_SETFLAGS, int(int32(flags)))
}

// Marked reports whether dir has the top-directory flag, and known whether
// dir's file system places folders by it (ext2/3/4): elsewhere marked is
// false, and known too.
func Marked(dir string) (marked, known bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil || st.Type != unix.EXT4_SUPER_MAGIC {
		return false, false
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, false
	}
	defer unix.Close(fd)
	flags, err := fdFlags(fd).get()
	return err == nil && flags&topdirFlag != 0, err == nil
}
