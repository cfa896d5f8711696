package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Info summarises one cache entry.
type Info struct {
	// Key is the entry's name; the other fields come from its meta.json.
	Key       string    `json:"key"`
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Size      int64     `json:"size"`
	FileCount int       `json:"fileCount"`
	Added     time.Time `json:"added"`
	// LastUsed is the last install (Ensure or Materialize) of the entry.
	LastUsed time.Time `json:"lastUsed"`
	// Damaged is set, with the reason, for an entry whose meta.json cannot
	// be read; its Size is then measured on disk.
	Damaged string `json:"damaged,omitempty"`
}

// List describes every entry, sorted by name, version and key.
func (s *Store) List() ([]Info, error) {
	ids, err := s.entryIDs()
	if err != nil {
		return nil, err
	}
	infos := make([]Info, 0, len(ids))
	for _, id := range ids {
		infos = append(infos, s.info(id))
	}
	sort.Slice(infos, func(i, j int) bool {
		a, b := infos[i], infos[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Key < b.Key
	})
	return infos, nil
}

// Size returns the total size of all entries, as Prune counts it.
func (s *Store) Size() (int64, error) {
	infos, err := s.List()
	if err != nil {
		return 0, err
	}
	var total int64
	for _, in := range infos {
		total += in.Size
	}
	return total, nil
}

func (s *Store) entryIDs() ([]string, error) {
	dir := filepath.Join(s.dir, entriesDir)
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list cache: %w", err)
	}
	var ids []string
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		ids = append(ids, de.Name())
	}
	return ids, nil
}

func (s *Store) info(id string) Info {
	in := Info{Key: id}
	e, err := s.load(id)
	if err != nil {
		in.Damaged = err.Error()
		in.Size = diskUsage(s.entryDir(id))
		if fi, err := os.Stat(s.entryDir(id)); err == nil {
			in.Added = fi.ModTime()
		}
	} else {
		in.Name, in.Version = e.Meta.Name, e.Meta.Version
		in.Size, in.FileCount, in.Added = e.Meta.Size(), e.Meta.FileCount, e.Meta.Added
	}
	in.LastUsed = in.Added
	if fi, err := os.Stat(s.usedPath(id)); err == nil {
		in.LastUsed = fi.ModTime()
	}
	return in
}

// diskUsage adds up the apparent sizes of the files under dir.
func diskUsage(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// Prune evicts entries, least recently installed first (damaged ones
// before all others), until their total size is at most maxSize (<= 0
// means the store's MaxSize). Each eviction takes the entry's lock, so an
// entry being built or installed is waited for, not torn. It returns what
// it evicted, also when it stops on an error.
func (s *Store) Prune(ctx context.Context, maxSize int64) ([]Info, error) {
	if maxSize <= 0 {
		maxSize = s.maxSize
	}
	infos, err := s.List()
	if err != nil {
		return nil, err
	}
	var total int64
	for _, in := range infos {
		total += in.Size
	}
	sort.SliceStable(infos, func(i, j int) bool {
		a, b := infos[i], infos[j]
		if (a.Damaged != "") != (b.Damaged != "") {
			return a.Damaged != ""
		}
		if !a.LastUsed.Equal(b.LastUsed) {
			return a.LastUsed.Before(b.LastUsed)
		}
		return a.Key < b.Key
	})
	var evicted []Info
	for _, in := range infos {
		if total <= maxSize {
			break
		}
		if err := s.evict(ctx, in.Key); err != nil {
			return evicted, fmt.Errorf("prune cache: %w", err)
		}
		total -= in.Size
		evicted = append(evicted, in)
	}
	return evicted, nil
}

func (s *Store) evict(ctx context.Context, id string) error {
	unlock, err := s.lockEntry(ctx, id)
	if err != nil {
		return err
	}
	defer unlock()
	return s.discardLocked(id)
}

// Clean deletes every entry, every leftover in tmp/, the usage markers,
// the packument cache and the Git index — each entry under its lock. Lock files stay: a
// process may be waiting on one, and deleting it would let a second
// process lock a new file of the same name while the first holds the old.
func (s *Store) Clean(ctx context.Context) error {
	ids, err := s.entryIDs()
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.evict(ctx, id); err != nil {
			return fmt.Errorf("clean cache: %w", err)
		}
	}
	tmps, err := os.ReadDir(filepath.Join(s.dir, tmpDir))
	if err != nil {
		return fmt.Errorf("clean cache: %w", err)
	}
	for _, t := range tmps {
		if err := s.removeTmp(ctx, t.Name()); err != nil {
			return fmt.Errorf("clean cache: %w", err)
		}
	}
	for _, sub := range []string{usedDir, packumentsDir, gitDir} {
		dir := filepath.Join(s.dir, sub)
		des, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("clean cache: %w", err)
		}
		for _, de := range des {
			if err := os.RemoveAll(filepath.Join(dir, de.Name())); err != nil {
				return fmt.Errorf("clean cache: %w", err)
			}
		}
	}
	return nil
}

// removeTmp deletes one item of tmp/ under the lock of the entry it
// belongs to (its name starts with the entry's key), so that no build in
// progress loses its files.
func (s *Store) removeTmp(ctx context.Context, name string) error {
	p := filepath.Join(s.dir, tmpDir, name)
	id, _, _ := strings.Cut(name, ".")
	if _, err := parseID(id); err != nil {
		return os.RemoveAll(p) // not ours to coordinate: nobody builds it
	}
	unlock, err := s.lockEntry(ctx, id)
	if err != nil {
		return err
	}
	defer unlock()
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	return nil
}
