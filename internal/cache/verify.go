package cache

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/upkg/upkg/internal/extract"
)

// Problem is one thing wrong with a cache entry.
type Problem struct {
	// Key is the entry's name; Name and Version are empty when its
	// meta.json cannot be read.
	Key     string `json:"key"`
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	// Path is the file concerned, relative to the entry's pkg/ folder, or
	// empty when the problem is the entry's.
	Path string `json:"path,omitempty"`
	// Issue says what is wrong.
	Issue string `json:"issue"`
}

// String formats the problem for a person: who, which file, what.
func (p Problem) String() string {
	who := p.Key
	if p.Name != "" {
		who = p.Name + "@" + p.Version + " (" + p.Key + ")"
	}
	if p.Path != "" {
		return who + ": " + p.Path + ": " + p.Issue
	}
	return who + ": " + p.Issue
}

// Verify checks every entry: its tarball.tgz is re-hashed against the key
// it is stored under and walked (with every check Ensure makes), and a
// meta.json that disagrees with it is reported. In an entry with a pkg/
// folder, every file there is also compared — type, size, contents, link
// target — with the tarball's entry, and files that the tarball does not
// have are reported; an entry marked tarball-only must have no pkg/. An
// entry that cannot be read at all (no meta.json, no tarball) is reported
// as incomplete. In an entry made for hard-linking (Meta.Linkable), a file
// whose size or modification time changed since it was made read-only is
// reported even if its contents are the same: install would refuse it.
// Verify changes nothing; Prune or Clean remove bad entries.
// The error is for failures to check, not for problems found.
func (s *Store) Verify(ctx context.Context) ([]Problem, error) {
	ids, err := s.entryIDs()
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var problems []Problem
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4) // reading and hashing: a few per core is plenty
	for _, id := range ids {
		g.Go(func() error {
			unlock, err := s.rlockEntry(gctx, id)
			if err != nil {
				return err
			}
			defer unlock()
			ps, err := s.verifyEntry(gctx, id)
			mu.Lock()
			problems = append(problems, ps...)
			mu.Unlock()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("verify cache: %w", err)
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].Key != problems[j].Key {
			return problems[i].Key < problems[j].Key
		}
		return problems[i].Path < problems[j].Path
	})
	return problems, nil
}

func (s *Store) verifyEntry(ctx context.Context, id string) ([]Problem, error) {
	e, err := s.load(id)
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(s.entryDir(id)); errors.Is(serr, fs.ErrNotExist) {
			return nil, nil // evicted meanwhile
		}
		return []Problem{{Key: id, Issue: "incomplete entry: no " + metaName}}, nil
	}
	if err != nil {
		return []Problem{{Key: id, Issue: "incomplete entry: " + err.Error()}}, nil
	}
	var problems []Problem
	report := func(path, format string, args ...any) {
		problems = append(problems, Problem{Key: id, Name: e.Meta.Name, Version: e.Meta.Version, Path: path, Issue: fmt.Sprintf(format, args...)})
	}
	d, err := parseID(id)
	if err != nil {
		report("", "%v", err)
		return problems, nil
	}

	f, err := os.Open(e.TarballPath())
	if err != nil {
		report("", "incomplete entry: %v", err)
		return problems, nil
	}
	defer f.Close()
	h, crc := d.newHash(), newCRC()
	tee := io.TeeReader(f, io.MultiWriter(h, crc))
	hasTree := !e.Meta.TarballOnly
	if !hasTree {
		if _, err := os.Lstat(e.PkgDir()); err == nil {
			report(pkgName, "%s says the entry holds only its tarball, but it has a %s folder", metaName, pkgName)
		}
	}
	// Compare pkg/ with the tarball in the same pass as the hash.
	var fileProblems []Problem
	inTarball := map[string]extract.File{}
	walkErr := extract.Walk(ctx, tee, extract.DefaultLimits(), func(tf extract.File, body io.Reader) error {
		inTarball[tf.Path] = tf
		if !hasTree {
			return nil
		}
		p := filepath.Join(e.PkgDir(), filepath.FromSlash(tf.Path))
		issue := comparePkgFile(p, tf, body)
		if e.Meta.Linkable && tf.Mode.IsRegular() {
			issue = linkedIssue(p, tf, issue)
		}
		if issue != "" {
			fileProblems = append(fileProblems, Problem{Key: id, Name: e.Meta.Name, Version: e.Meta.Version, Path: tf.Path, Issue: issue})
		}
		return nil
	})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	size, err := io.Copy(io.Discard, tee)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", e.TarballPath(), err)
	}
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	if sum := h.Sum(nil); !bytes.Equal(sum, d.sum) {
		// The tarball itself is bad: comparing files with it means
		// nothing, so check pkg/ against meta.json alone.
		report("", "%s does not match its checksum (got %s)", tarballName, d.show(sum))
		if hasTree {
			problems = append(problems, s.checkAgainstMeta(e)...)
		}
		return problems, nil
	}
	if walkErr != nil {
		report("", "%s cannot be unpacked: %v", tarballName, walkErr)
		return problems, nil
	}
	if got := hex.EncodeToString(crc.Sum(nil)); e.Meta.TarballCRC32C != "" && got != e.Meta.TarballCRC32C {
		// Installs check this instead of the hash: they would refuse it.
		report("", "%s says the tarball's CRC-32C is %s; it is %s", metaName, e.Meta.TarballCRC32C, got)
	}
	problems = append(problems, fileProblems...)

	// Files in pkg/ that the tarball does not have.
	if hasTree {
		filepath.WalkDir(e.PkgDir(), func(p string, de fs.DirEntry, err error) error {
			if err != nil || p == e.PkgDir() {
				return nil
			}
			rel, _ := filepath.Rel(e.PkgDir(), p)
			rel = filepath.ToSlash(rel)
			if _, ok := inTarball[rel]; !ok {
				report(rel, "not in the tarball")
				if de.IsDir() {
					return filepath.SkipDir
				}
			}
			return nil
		})
	}

	// meta.json must describe the same package.
	var files int
	var total int64
	for _, tf := range inTarball {
		if !tf.Mode.IsDir() {
			files++
			total += tf.Size
		}
	}
	if e.Meta.FileCount != files || len(e.Meta.Files) != files || e.Meta.UnpackedSize != total || e.Meta.TarballSize != size {
		report("", "%s disagrees with the tarball: %d files (%d listed), %d bytes, tarball %d bytes; the tarball has %d files, %d bytes, and is %d bytes",
			metaName, e.Meta.FileCount, len(e.Meta.Files), e.Meta.UnpackedSize, e.Meta.TarballSize, files, total, size)
	}
	for _, mf := range e.Meta.Files {
		tf, ok := inTarball[mf.Path]
		if mf.Offset == 0 {
			tf.Offset = 0 // listed before offsets were recorded
		}
		if !ok || tf != mf {
			report(mf.Path, "%s lists it as %+v; the tarball has %+v", metaName, mf, tf)
		}
	}
	var dirs []string
	for _, tf := range inTarball {
		if tf.Mode.IsDir() {
			dirs = append(dirs, tf.Path)
		}
	}
	sort.Strings(dirs)
	if !slices.Equal(dirs, e.Meta.Dirs) {
		report("", "%s lists the folders %q; the tarball has %q", metaName, e.Meta.Dirs, dirs)
	}
	return problems, nil
}

// linkedIssue adds to issue, about the file at p of a linkable entry (see
// MaterializeLinked), what install's check before linking sees: a time or
// size other than sealed, and that projects share the file.
func linkedIssue(p string, tf extract.File, issue string) string {
	if issue == "" {
		how, err := changedSinceSealed(p, tf)
		if err != nil || how == "" {
			return ""
		}
		issue = how
	}
	return issue + " (the file is hard-linked into projects: a Library/PackageCache file was edited)"
}

// comparePkgFile returns what differs between the file at p and the tarball
// entry tf with contents body, or "".
func comparePkgFile(p string, tf extract.File, body io.Reader) string {
	fi, err := os.Lstat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "missing"
		}
		return err.Error()
	}
	switch {
	case tf.Mode.IsDir():
		if !fi.IsDir() {
			return "should be a folder"
		}
		return ""
	case tf.Mode&fs.ModeSymlink != 0:
		if fi.Mode()&fs.ModeSymlink == 0 {
			return "should be a symbolic link"
		}
		if target, err := os.Readlink(p); err != nil || target != tf.Link {
			return fmt.Sprintf("link target changed to %q", target)
		}
		return ""
	case !fi.Mode().IsRegular():
		return "should be a regular file"
	case fi.Size() != tf.Size:
		return fmt.Sprintf("size changed from %d to %d bytes", tf.Size, fi.Size())
	}
	f, err := os.Open(p)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	same, err := sameContent(f, body)
	if err != nil {
		return err.Error()
	}
	if !same {
		return "contents changed"
	}
	return ""
}

func sameContent(a, b io.Reader) (bool, error) {
	bufA, bufB := make([]byte, 32<<10), make([]byte, 32<<10)
	for {
		na, errA := io.ReadFull(a, bufA)
		nb, errB := io.ReadFull(b, bufB)
		if !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		endA := errA == io.EOF || errA == io.ErrUnexpectedEOF
		endB := errB == io.EOF || errB == io.ErrUnexpectedEOF
		switch {
		case errA != nil && !endA:
			return false, errA
		case errB != nil && !endB:
			return false, errB
		case endA || endB:
			return endA == endB, nil
		}
	}
}

// checkAgainstMeta compares pkg/ with meta.json's file list (types and
// sizes only: meta.json has no contents to compare with).
func (s *Store) checkAgainstMeta(e *Entry) []Problem {
	var problems []Problem
	for _, mf := range e.Meta.Files {
		p := filepath.Join(e.PkgDir(), filepath.FromSlash(mf.Path))
		var issue string
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
			issue = "missing"
		case mf.Mode&fs.ModeSymlink != 0:
			if fi.Mode()&fs.ModeSymlink == 0 {
				issue = "should be a symbolic link"
			}
		case !fi.Mode().IsRegular():
			issue = "should be a regular file"
		case fi.Size() != mf.Size:
			issue = fmt.Sprintf("size changed from %d to %d bytes", mf.Size, fi.Size())
		}
		if issue != "" {
			problems = append(problems, Problem{Key: e.Key, Name: e.Meta.Name, Version: e.Meta.Version, Path: mf.Path, Issue: issue})
		}
	}
	return problems
}
