package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/upkg/upkg/internal/dirspread"
)

// The baselines (-baselines): after the runs, the warm cases' work done
// plainly, on the trees the tools installed, with nothing of an installer
// around it (no resolving, no lock file, no process start). They are not
// lower bounds — a cleverer copy or link can beat a plain one, and upkg's
// link mode has beaten the link baseline — but what the work itself takes
// on this disk in the same minutes: a target far below a baseline asks for
// doing the work several times faster than doing it plainly. Each is timed from
// the first folder made to the last file closed, on baseWorkers
// goroutines taking a folder at a time, into a new tree whose package
// folders are spread as upkg's are (dirspread), then moved to the trash
// like every other.
const (
	// baseLink hard-links every file of upkg --link's cache entries.
	baseLink = iota
	// baseLinkCheck does so after statting each file first, as link mode's
	// edit check does.
	baseLinkCheck
	// baseCopy creates and writes every file of upkg's installed tree.
	baseCopy
	// baseWrite writes as many bytes to one file: the data alone.
	baseWrite
	baseKinds
)

// baseWorkers is how many goroutines a baseline runs on: creating a file
// waits on the file system more than it uses the CPU, so as many as upkg
// extracts with (extract.DefaultWriters); linking is CPU-bound, and took
// the same on 2 as on 8.
const baseWorkers = 16

var baseNames = [baseKinds]string{
	"hard-link every file of upkg --link's cache entries",
	"the same, each file statted first (the edit check)",
	"copy every file of upkg's installed Library/PackageCache",
	"write as many bytes to one file",
}

func fileCount(dirs []baseDir) int {
	n := 0
	for _, d := range dirs {
		n += len(d.files)
	}
	return n
}

// baseDir is one folder of a tree to link or copy: where its files are
// (src), where they go below the new tree's root (rel), and their names.
type baseDir struct {
	src, rel string
	files    []string
}

// isRoot reports whether d is one of the new tree's roots (r<i>), which
// baseRun makes before the others.
func (d baseDir) isRoot() bool { return !strings.ContainsRune(d.rel, filepath.Separator) }

// baseTree lists the folders below each of roots, a parent before its
// children, reading each folder once; root i goes to the new tree's
// folder r<i>. It also returns the files' total size.
func baseTree(roots []string) ([]baseDir, int64, error) {
	var dirs []baseDir
	var bytes int64
	var walk func(src, rel string) error
	walk = func(src, rel string) error {
		entries, err := os.ReadDir(src) // sorted by name
		if err != nil {
			return err
		}
		d := baseDir{src: src, rel: rel}
		var subs []string
		for _, e := range entries {
			switch {
			case e.Type().IsRegular():
				info, err := e.Info()
				if err != nil {
					return err
				}
				d.files = append(d.files, e.Name())
				bytes += info.Size()
			case e.IsDir():
				subs = append(subs, e.Name())
			}
		}
		dirs = append(dirs, d)
		for _, sub := range subs {
			if err := walk(filepath.Join(src, sub), filepath.Join(rel, sub)); err != nil {
				return err
			}
		}
		return nil
	}
	for i, root := range roots {
		if err := walk(root, fmt.Sprintf("r%d", i)); err != nil {
			return nil, 0, fmt.Errorf("list %s: %w", root, err)
		}
	}
	return dirs, bytes, nil
}

// baseRun runs each of dirs on one of baseWorkers goroutines, which
// makes the folder below dst first, and returns how long it all took.
func baseRun(dirs []baseDir, dst string, each func(d baseDir, to string) error) (time.Duration, error) {
	start := time.Now()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	// Spread as upkg spreads Library/PackageCache and its cache's entries
	// (see dirspread): each root's subfolders, a package each, and the
	// roots themselves, made here so that none gets a subfolder before
	// its hint. Without it, creating files right after a large deletion
	// is several times slower.
	dirspread.Subfolders(dst)
	for _, d := range dirs {
		if d.isRoot() {
			p := filepath.Join(dst, d.rel)
			if err := os.Mkdir(p, 0o755); err != nil {
				return 0, err
			}
			dirspread.Subfolders(p)
		}
	}
	work := make(chan baseDir)
	errs := make(chan error, baseWorkers)
	for range baseWorkers {
		go func() {
			var first error
			for d := range work {
				if first == nil {
					first = baseDo(d, filepath.Join(dst, d.rel), each)
				}
			}
			errs <- first
		}()
	}
	for _, d := range dirs {
		work <- d
	}
	close(work)
	var err error
	for range baseWorkers {
		if e := <-errs; err == nil {
			err = e
		}
	}
	return time.Since(start), err
}

// baseDo makes d's folder at to, unless it is a root (made already), then
// runs each. Folders are handed out parents first, but a parent taken by
// another goroutine may not be made yet: then the parents are made here.
func baseDo(d baseDir, to string, each func(d baseDir, to string) error) error {
	if !d.isRoot() {
		err := os.Mkdir(to, 0o755)
		if errors.Is(err, fs.ErrNotExist) {
			err = os.MkdirAll(to, 0o755)
		}
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return each(d, to)
}

// measureBaselines measures each baseline runs times on b's trees, taking
// turns.
func (b *bench) measureBaselines(work string, runs int) error {
	link, installed := b.tools[1], b.tools[0]
	pkgs, err := filepath.Glob(filepath.Join(link.cache, "upkg", "v1", "entries", "*", "pkg"))
	if err != nil || len(pkgs) == 0 {
		return fmt.Errorf("baselines: no unpacked entries in %s (%v)", link.cache, err)
	}
	linkDirs, linkBytes, err := baseTree(pkgs)
	if err != nil {
		return err
	}
	copyDirs, total, err := baseTree([]string{filepath.Join(installed.dir, "Library", "PackageCache")})
	if err != nil {
		return err
	}
	b.baseWhat[baseLink] = fmt.Sprintf("%s (%s, %.0f MB)", baseNames[baseLink], count(fileCount(linkDirs), "file"), float64(linkBytes)/1e6)
	b.baseWhat[baseLinkCheck] = baseNames[baseLinkCheck]
	b.baseWhat[baseCopy] = fmt.Sprintf("%s (%s, %.0f MB)", baseNames[baseCopy], count(fileCount(copyDirs), "file"), float64(total)/1e6)
	b.baseWhat[baseWrite] = fmt.Sprintf("write its %.0f MB to one file", float64(total)/1e6)
	for r := 0; r < runs; r++ {
		for k := range baseKinds {
			dst, err := os.MkdirTemp(work, "baseline-")
			if err != nil {
				return err
			}
			var d time.Duration
			switch k {
			case baseLink, baseLinkCheck:
				d, err = baseRun(linkDirs, dst, func(fd baseDir, to string) error { return linkFiles(fd, to, k == baseLinkCheck) })
			case baseCopy:
				d, err = baseRun(copyDirs, dst, copyFiles)
			case baseWrite:
				d, err = writeBytes(filepath.Join(dst, "data"), total)
			}
			if err != nil {
				return fmt.Errorf("baselines, %s: %w", baseNames[k], err)
			}
			b.baselines[k] = append(b.baselines[k], d)
			if err := discard(work, dst); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeBytes writes n bytes to a new file at path, 1 MB at a time.
func writeBytes(path string, n int64) (time.Duration, error) {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	start := time.Now()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	for n > 0 {
		k := min(n, int64(len(buf)))
		if _, err := f.Write(buf[:k]); err != nil {
			f.Close()
			return 0, err
		}
		n -= k
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
