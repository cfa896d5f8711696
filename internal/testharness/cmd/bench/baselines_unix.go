//go:build unix

package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// openDirs opens the folders a baseline reads from and writes to: each file is
// then found by its name alone, the cheapest lookup there is.
func openDirs(from, to string) (src, dst int, err error) {
	if src, err = unix.Open(from, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
		return -1, -1, fmt.Errorf("open %s: %w", from, err)
	}
	if dst, err = unix.Open(to, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
		unix.Close(src)
		return -1, -1, fmt.Errorf("open %s: %w", to, err)
	}
	return src, dst, nil
}

// linkFiles hard-links d's files into to, statting each first with check.
func linkFiles(d baseDir, to string, check bool) error {
	src, dst, err := openDirs(d.src, to)
	if err != nil {
		return err
	}
	defer unix.Close(src)
	defer unix.Close(dst)
	for _, name := range d.files {
		if check {
			var st unix.Stat_t
			if err := unix.Fstatat(src, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return fmt.Errorf("stat %s: %w", filepath.Join(d.src, name), err)
			}
		}
		if err := unix.Linkat(src, name, dst, name, 0); err != nil {
			return fmt.Errorf("link %s: %w", filepath.Join(d.src, name), err)
		}
	}
	return nil
}

// copyFiles creates each of d's files in to and writes its bytes.
func copyFiles(d baseDir, to string) error {
	src, dst, err := openDirs(d.src, to)
	if err != nil {
		return err
	}
	defer unix.Close(src)
	defer unix.Close(dst)
	buf := make([]byte, 256<<10)
	for _, name := range d.files {
		if err := copyFile(src, dst, name, buf); err != nil {
			return fmt.Errorf("copy %s: %w", filepath.Join(d.src, name), err)
		}
	}
	return nil
}

func copyFile(src, dst int, name string, buf []byte) (err error) {
	in, err := unix.Openat(src, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(in)
	out, err := unix.Openat(dst, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, unix.Close(out)) }()
	for {
		n, err := unix.Read(in, buf)
		if err != nil || n == 0 {
			return err
		}
		for b := buf[:n]; len(b) > 0; {
			w, err := unix.Write(out, b)
			if err != nil {
				return err
			}
			b = b[w:]
		}
	}
}
