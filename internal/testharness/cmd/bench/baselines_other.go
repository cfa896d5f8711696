//go:build !unix

package main

import (
	"os"
	"path/filepath"
)

// linkFiles hard-links d's files into to, statting each first with check.
func linkFiles(d baseDir, to string, check bool) error {
	for _, name := range d.files {
		from := filepath.Join(d.src, name)
		if check {
			if _, err := os.Lstat(from); err != nil {
				return err
			}
		}
		if err := os.Link(from, filepath.Join(to, name)); err != nil {
			return err
		}
	}
	return nil
}

// copyFiles creates each of d's files in to and writes its bytes.
func copyFiles(d baseDir, to string) error {
	for _, name := range d.files {
		data, err := os.ReadFile(filepath.Join(d.src, name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
