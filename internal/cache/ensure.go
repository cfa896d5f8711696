package cache

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	segjson "github.com/segmentio/encoding/json"

	"github.com/upkg/upkg/internal/extract"
)

// Entry is one committed cache entry.
type Entry struct {
	// Key is the entry's name, "<algo>-<hex>".
	Key string
	// Dir is the entry's folder, entries/<Key>.
	Dir string
	// Meta is its meta.json.
	Meta Meta
}

// PkgDir returns the folder holding the package's files, for an entry that
// has one (see Meta.TarballOnly).
func (e *Entry) PkgDir() string { return filepath.Join(e.Dir, pkgName) }

// TarballPath returns the path of the verified tarball.
func (e *Entry) TarballPath() string { return filepath.Join(e.Dir, tarballName) }

// Meta is the content of an entry's meta.json.
type Meta struct {
	// Name and Version are the package's, as the caller of Ensure gave them.
	Name    string `json:"name"`
	Version string `json:"version"`
	// Key is the entry's name, "<algo>-<hex>".
	Key string `json:"key"`
	// Integrity and Shasum are the Key fields Ensure was given.
	Integrity string `json:"integrity,omitempty"`
	Shasum    string `json:"shasum,omitempty"`
	// TarballSize is the size of tarball.tgz.
	TarballSize int64 `json:"tarballSize"`
	// TarballCRC32C is tarball.tgz's CRC-32C (Castagnoli, 8 hex digits),
	// taken as it was verified. Materialize checks it when it unpacks, in
	// place of the key's SHA-512 (which `cache verify` still checks): it
	// catches what happens to a file at rest — a flipped bit, a truncated
	// or swapped file — at a few per cent of the cost (hardware CRC against
	// SHA-512's 0.7 GB/s here, 0.3 s for the unity profile's 227 MB of
	// tarballs on every warm install). A hash keyed by the file name
	// protects against nobody who can write the cache: they can edit the
	// unpacked pkg/ files that cloning and linking trust by size. Entries
	// written without it are checked by the key's hash.
	TarballCRC32C string `json:"tarballCRC32C,omitempty"`
	// UnpackedSize is the total size of the package's regular files.
	UnpackedSize int64 `json:"unpackedSize"`
	// FileCount counts the package's regular files and symbolic links.
	FileCount int `json:"fileCount"`
	// TarballOnly is set for an entry without a pkg/ folder: Materialize
	// unpacks its tarball.tgz straight into each project. Entries written
	// by earlier versions lack the field and have pkg/.
	TarballOnly bool `json:"tarballOnly,omitempty"`
	// Linkable is set once pkg/ may be hard-linked into projects
	// (MaterializeLinked): its regular files are read-only and carry the
	// modification time sealedTime, so that one written through a
	// project's link is told apart by its size and time alone.
	Linkable bool `json:"linkable,omitempty"`
	// Added is when the entry was committed (UTC, whole seconds).
	Added time.Time `json:"added"`
	// Files and Dirs describe the package's files (from extract.Result),
	// so that Materialize needs no directory walk and Verify knows what
	// the tarball must hold.
	Files []extract.File `json:"files"`
	Dirs  []string       `json:"dirs,omitempty"`
}

// Size is what the entry counts for against the size cap: the tarball plus,
// when the entry has pkg/, the unpacked files (apparent sizes; block
// rounding is ignored).
func (m *Meta) Size() int64 {
	if m.TarballOnly {
		return m.TarballSize
	}
	return m.TarballSize + m.UnpackedSize
}

// IntegrityError reports a tarball whose checksum never matched what the
// registry's metadata promised, after every attempt. Nothing is cached.
type IntegrityError struct {
	Name, Version string
	// Want and Got are in the registry's notation: SRI ("sha512-<base64>")
	// for integrity, hex for shasum.
	Want, Got string
}

// Error names the package and both checksums.
func (e *IntegrityError) Error() string {
	return fmt.Sprintf("integrity check failed for %s@%s: the registry promised %s but sent %s", e.Name, e.Version, e.Want, e.Got)
}

// BrokenArchiveError is a tarball whose checksum matched but that is no
// valid archive (a gzip or tar stream that is cut or malformed): nothing is
// cached, and no number of attempts will change it.
type BrokenArchiveError struct {
	Name, Version string
	Err           error
}

func (e *BrokenArchiveError) Error() string {
	return fmt.Sprintf("the tarball of %s@%s matches its checksum but is no valid archive: %v", e.Name, e.Version, e.Err)
}

func (e *BrokenArchiveError) Unwrap() error { return e.Err }

// final reports whether err says that trying again cannot help: an error in
// its chain with a Final() bool method that answers true (the registry
// client's overall request deadline).
func final(err error) bool {
	var f interface{ Final() bool }
	return errors.As(err, &f) && f.Final()
}

// Lookup returns the committed entry for key, or an error matching
// fs.ErrNotExist when there is none (for --offline installs).
func (s *Store) Lookup(key Key) (*Entry, error) {
	d, err := key.digest()
	if err != nil {
		return nil, err
	}
	return s.load(d.ID())
}

// load reads a committed entry. An entry is complete once it exists, so the
// only failures are "not there" (wrapping fs.ErrNotExist) and damage.
func (s *Store) load(id string) (*Entry, error) {
	dir := s.entryDir(id)
	data, err := os.ReadFile(filepath.Join(dir, metaName))
	if err != nil {
		return nil, fmt.Errorf("cache entry %s: %w", id, err)
	}
	e := &Entry{Key: id, Dir: dir}
	// A warm install reads every entry's file list: parseMeta reads it as
	// encodeMeta wrote it, and segmentio's decoder, five
	// times faster than encoding/json's (17 → 3 ms of CPU for the unity
	// profile's 59 entries, 16 000 files), anything else.
	if !parseMeta(data, &e.Meta) {
		e.Meta = Meta{}
		err = segjson.Unmarshal(data, &e.Meta)
	}
	if err != nil {
		return nil, fmt.Errorf("cache entry %s: read %s: %w", id, metaName, err)
	}
	if e.Meta.Key != id {
		return nil, fmt.Errorf("cache entry %s: %s names entry %q", id, metaName, e.Meta.Key)
	}
	return e, nil
}

// Ensure returns the cache entry for key, downloading it with fetch if it
// is not cached yet. fetch returns the tarball's bytes; it is called at
// most once per attempt and its errors are returned as they are (wrapped),
// without retrying: the registry client has its own retry policy. A body
// that breaks off, or bytes that fail verification, are downloaded again,
// up to 3 attempts in all; then Ensure fails (with *IntegrityError for a
// checksum that never matched) and leaves nothing in the cache.
//
// Concurrent calls for one key, from goroutines or processes, download it
// once: the others wait on the entry's lock and find it committed.
func (s *Store) Ensure(ctx context.Context, key Key, name, version string, fetch func(ctx context.Context) (io.ReadCloser, error)) (*Entry, error) {
	e, _, err := s.EnsureInto(ctx, key, name, version, fetch, "")
	return e, err
}

// EnsureInto is Ensure, and when it downloads the package it also installs
// it at dest as Materialize does: into a store that keeps tarballs only
// (see build), in the same pass over the tarball that checks it before the
// commit, instead of a second pass later; into one that keeps pkg/ folders,
// by extracting the tarball a second time where writesColdCopies says that
// beats cloning the files just written. It reports whether it did. When it
// did not (the entry was cached, the store clones, or putting dest in place
// failed), the caller materializes as usual. With dest "" it is Ensure.
func (s *Store) EnsureInto(ctx context.Context, key Key, name, version string, fetch func(ctx context.Context) (io.ReadCloser, error), dest string) (*Entry, bool, error) {
	d, err := key.digest()
	if err != nil {
		return nil, false, fmt.Errorf("cache %s@%s: %w", name, version, err)
	}
	id := d.ID()
	if e, err := s.load(id); err == nil {
		s.markUsed(id)
		return e, false, nil
	}
	unlock, err := s.lockEntry(ctx, id)
	if err != nil {
		return nil, false, fmt.Errorf("cache %s@%s: %w", name, version, err)
	}
	defer unlock()
	// Another process may have committed it while we waited.
	if e, err := s.load(id); err == nil {
		s.markUsed(id)
		return e, false, nil
	}
	// Holding the lock, nobody else works on this entry: whatever is in
	// tmp/ for it was left by a crash, and an entry that exists but does
	// not load was damaged after its commit.
	if err := s.removeLeftovers(id); err != nil {
		return nil, false, fmt.Errorf("cache %s@%s: %w", name, version, err)
	}
	if _, err := os.Lstat(s.entryDir(id)); err == nil {
		if err := s.discardLocked(id); err != nil {
			return nil, false, fmt.Errorf("cache %s@%s: %w", name, version, err)
		}
	}
	e, placed, err := s.build(ctx, d, key, name, version, fetch, dest)
	if err != nil {
		return nil, false, err
	}
	s.markUsed(id)
	return e, placed, nil
}

// build downloads, verifies, checks and commits one entry. The caller holds
// the entry's lock. The tarball is always walked before the commit, so that
// an unsafe one is refused and never cached; it is extracted into pkg/ only
// where projects can clone from there (see probeClone).
//
// With dest (EnsureInto) on a store that keeps tarballs only, the check
// before the commit extracts the tarball into a hidden sibling of dest
// instead of only listing it, and that is renamed to dest once the entry
// is committed: a cold install reads each tarball once. On a store that
// keeps pkg/ where writesColdCopies holds, the tarball is extracted twice,
// into dest's sibling and into pkg/, rather than cloning pkg/'s new files.
func (s *Store) build(ctx context.Context, d digest, key Key, name, version string, fetch func(ctx context.Context) (io.ReadCloser, error), dest string) (_ *Entry, placed bool, err error) {
	id := d.ID()
	work := s.reserveTmp(id)
	if err := os.Mkdir(work, 0o755); err != nil {
		return nil, false, fmt.Errorf("cache %s@%s: %w", name, version, err)
	}
	var placing string // dest's hidden sibling, while it is filled
	defer func() {
		if err != nil {
			os.RemoveAll(work)
		}
		if placing != "" && !placed {
			os.RemoveAll(placing)
		}
	}()

	tgz := filepath.Join(work, tarballName)
	linkable := s.linkable.Load()
	keepTree := s.canClone() || linkable
	// The first pass over the tarball runs on the download itself, as its
	// body arrives (see streamed): into dest's sibling, or pkg/, or only a
	// listing. A second extraction, where there is one, reads the file.
	var x *streamed
	twice := false
	switch {
	case dest != "" && (!keepTree || writesColdCopies(currentOS)):
		if err := s.makeParent(dest); err != nil {
			return nil, false, fmt.Errorf("extract %s@%s: %w", name, version, err)
		}
		placing = newSibling(dest)
		x = s.extractStream(ctx, placing)
		twice = keepTree
	case keepTree:
		x = s.extractStream(ctx, filepath.Join(work, pkgName))
	default:
		x = &streamed{run: func(r io.Reader) (*extract.Result, error) {
			return extract.List(ctx, r, extract.DefaultLimits())
		}}
	}
	var size int64
	var crc string
	select {
	case s.streams <- struct{}{}:
		size, crc, err = s.download(ctx, d, tgz, name, version, fetch, x)
		<-s.streams
	default:
		// No slot: unpacked from the file once it is verified.
		if size, crc, err = s.download(ctx, d, tgz, name, version, fetch, nil); err == nil {
			x.runFile(tgz)
		}
	}
	if err != nil {
		return nil, false, err
	}
	res, err := x.res, x.err
	if err == nil && twice {
		y := s.extractStream(ctx, filepath.Join(work, pkgName))
		y.runFile(tgz)
		res, err = y.res, y.err
	}
	var unsafe *extract.UnsafeError
	if err != nil && ctx.Err() == nil && !errors.As(err, &unsafe) && extract.IsFormatError(err) {
		// The checksum matched, the archive does not read: what the
		// registry holds is broken, and nothing is cached.
		err = &BrokenArchiveError{Name: name, Version: version, Err: err}
	}
	if err == nil && linkable {
		err = seal(filepath.Join(work, pkgName), res.Files)
	}
	if err != nil {
		return nil, false, fmt.Errorf("extract %s@%s: %w", name, version, err)
	}

	meta := Meta{
		Name: name, Version: version, Key: id,
		Integrity: key.Integrity, Shasum: key.Shasum,
		TarballSize: size, TarballCRC32C: crc, UnpackedSize: res.Bytes, FileCount: res.FileCount, TarballOnly: !keepTree, Linkable: linkable,
		Added: time.Now().UTC().Truncate(time.Second),
		Files: res.Files, Dirs: res.Dirs,
	}
	data, err := encodeMeta(&meta)
	if err != nil {
		return nil, false, fmt.Errorf("cache %s@%s: %w", name, version, err)
	}
	if err := writeSynced(filepath.Join(work, metaName), data, tgz); err != nil {
		return nil, false, fmt.Errorf("cache %s@%s: %w", name, version, err)
	}

	// The commit.
	if err := os.Rename(work, s.entryDir(id)); err != nil {
		// Only possible if someone bypassed the lock (deleted lock files):
		// an entry that exists is complete, so theirs serves as well.
		if e, lerr := s.load(id); lerr == nil {
			os.RemoveAll(work)
			return e, false, nil
		}
		return nil, false, fmt.Errorf("cache %s@%s: commit: %w", name, version, err)
	}
	// entries/ itself is not synced: its files were, before the rename,
	// so an entry that survives a crash is whole, and one whose rename is
	// lost is fetched again. On ext4 with a journal that fsync cost a
	// cold install of 100 packages 80 of 780 ms (7 alternated runs).
	e := &Entry{Key: id, Dir: s.entryDir(id), Meta: meta}
	if placing != "" {
		// The entry is committed; dest is a bonus: if it cannot be put in
		// place, the caller materializes as usual.
		placed = replaceDir(placing, dest) == nil
	}
	return e, placed, nil
}

// encodeMeta is the content of a meta.json: one line (every install
// decodes one per package, and indentation made that a third slower).
func encodeMeta(m *Meta) ([]byte, error) {
	// segmentio's encoder writes what encoding/json's does (the same
	// bytes, HTML and invalid UTF-8 escaped alike), in 31 instead of 72 µs
	// for a 200-file entry.
	data, err := segjson.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", metaName, err)
	}
	return append(data, '\n'), nil
}

// download fetches the tarball into path, hashing it on the way, until it
// matches d or the attempts run out, and runs x (unless nil) on each
// attempt's body as it arrives (x's output of an attempt that failed is
// discarded). It
// returns the tarball's size and CRC-32C (Meta.TarballCRC32C).
func (s *Store) download(ctx context.Context, d digest, path, name, version string, fetch func(ctx context.Context) (io.ReadCloser, error), x *streamed) (int64, string, error) {
	var lastErr error
	for attempt := 1; attempt <= s.attempts; attempt++ {
		if attempt > 1 {
			t := time.NewTimer(time.Duration(attempt-1) * s.backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return 0, "", ctx.Err()
			case <-t.C:
			}
		}
		body, err := fetch(ctx)
		if err != nil {
			return 0, "", fmt.Errorf("download %s@%s: %w", name, version, err)
		}
		sum, crc, size, err := copyHashed(path, body, d, x)
		body.Close()
		if err != nil || !bytes.Equal(sum, d.sum) {
			x.discard()
		}
		var broken *readError
		switch {
		case ctx.Err() != nil:
			return 0, "", ctx.Err()
		case errors.As(err, &broken) && !final(broken.err):
			lastErr = fmt.Errorf("download %s@%s: %w", name, version, broken.err)
			continue
		case errors.As(err, &broken):
			// A failure that says another attempt cannot help (the
			// request's overall deadline): reported at once.
			return 0, "", fmt.Errorf("download %s@%s: %w", name, version, broken.err)
		case err != nil:
			return 0, "", fmt.Errorf("download %s@%s: %w", name, version, err)
		case !bytes.Equal(sum, d.sum):
			lastErr = &IntegrityError{Name: name, Version: version, Want: d.show(d.sum), Got: d.show(sum)}
			continue
		}
		// Verified. build makes it durable next to meta.json.
		return size, crc, nil
	}
	if errors.As(lastErr, new(*IntegrityError)) {
		return 0, "", lastErr
	}
	return 0, "", fmt.Errorf("%w (after %d attempts)", lastErr, s.attempts)
}

// readError marks a failure to read the download (retried), as opposed to
// a failure to write it (not retried).
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

type trackedReader struct {
	r   io.Reader
	err error
}

func (t *trackedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// streamed is a pass over a tarball that runs while it downloads: run
// reads the file copyHashed writes, up to where it is written, so that
// unpacking a large package overlaps its transfer instead of following it
// (the unity profile's cold install, 50 ms away: its largest tarballs took
// 1.1–1.3 s to arrive and 0.3–0.45 s more to unpack). It reads the file,
// not a pipe, so that the transfer never waits for the unpacking (a pipe
// held each chunk until the disk had taken the one before: downloads
// slowed by a third). What run makes is only trusted once the download
// matched its checksum: before that it sits in a hidden folder that
// nothing reads, and discard removes it when the attempt fails.
//
// Only a few downloads at a time are unpacked as they arrive (see
// Store.streams): each holds an inflater and a queue of small files while
// it waits for data, and 32 at once raised the unity profile's peak RSS
// from 41–44 to 57–59 MB. The others are unpacked from the file once
// verified, as all were before.
type streamed struct {
	run  func(r io.Reader) (*extract.Result, error)
	dest string // what run writes, removed by discard ("" for none)
	res  *extract.Result
	err  error
}

// runFile runs x on the downloaded file path.
func (x *streamed) runFile(path string) {
	f, err := os.Open(path)
	if err != nil {
		x.err = err
		return
	}
	defer f.Close()
	x.res, x.err = x.run(f)
}

// extractStream is a streamed extraction into dest.
func (s *Store) extractStream(ctx context.Context, dest string) *streamed {
	return &streamed{dest: dest, run: func(r io.Reader) (*extract.Result, error) {
		return extract.ExtractWith(ctx, r, dest, extract.DefaultLimits(), s.extractOptions())
	}}
}

// discard removes what an attempt's run wrote (nothing for a nil x).
func (x *streamed) discard() {
	if x == nil {
		return
	}
	x.res, x.err = nil, nil
	if x.dest != "" {
		os.RemoveAll(x.dest)
	}
}

// growing is a file being written: how much of it is, and whether (and
// why) the writing stopped.
type growing struct {
	f    *os.File
	mu   sync.Mutex
	more *sync.Cond
	n    int64
	done bool
	err  error
}

func newGrowing(f *os.File) *growing {
	g := &growing{f: f}
	g.more = sync.NewCond(&g.mu)
	return g
}

// Write writes p to the file and lets readers see it.
func (g *growing) Write(p []byte) (int, error) {
	n, err := g.f.Write(p)
	g.mu.Lock()
	g.n += int64(n)
	g.mu.Unlock()
	g.more.Broadcast()
	return n, err
}

// stop ends the file: readers get io.EOF at its end, or err if set.
func (g *growing) stop(err error) {
	g.mu.Lock()
	g.done, g.err = true, err
	g.mu.Unlock()
	g.more.Broadcast()
}

// reader returns a reader of the file from its start, which waits for
// what is not written yet.
func (g *growing) reader() io.Reader { return &growingReader{g: g} }

type growingReader struct {
	g   *growing
	off int64
}

func (r *growingReader) Read(p []byte) (int, error) {
	g := r.g
	g.mu.Lock()
	for r.off >= g.n && !g.done {
		g.more.Wait()
	}
	avail, err := g.n-r.off, g.err
	g.mu.Unlock()
	if avail <= 0 {
		if err == nil {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > avail {
		p = p[:avail]
	}
	n, err := g.f.ReadAt(p, r.off)
	r.off += int64(n)
	if err == io.EOF && n == len(p) {
		err = nil
	}
	return n, err
}

// copyHashed writes body to path (replacing it), returning its digest,
// CRC-32C and size, and runs x, unless nil, on the file as it is written
// (x.res and x.err hold its outcome when copyHashed returns). Downloads larger than
// the extraction limit are refused: they could not be unpacked anyway,
// and a broken server must not fill the disk.
func copyHashed(path string, body io.Reader, d digest, x *streamed) ([]byte, string, int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, "", 0, err
	}
	h := d.newHash()
	crc := newCRC()
	limit := int64(extract.DefaultMaxBytes)
	src := &trackedReader{r: io.LimitReader(body, limit+1)}
	var w io.Writer = f
	finish := func(error) {}
	if x != nil {
		file := newGrowing(f)
		done := make(chan struct{})
		go func() {
			defer close(done)
			x.res, x.err = x.run(file.reader())
		}()
		w = file
		// run sees the file's end, or the error that cut it short.
		finish = func(err error) {
			file.stop(err)
			<-done
		}
	}
	n, err := io.Copy(io.MultiWriter(w, h, crc), src)
	finish(err)
	if err == nil && src.err == nil {
		startWriteback(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case src.err != nil:
		return nil, "", n, &readError{err: src.err}
	case err != nil:
		return nil, "", n, fmt.Errorf("write %s: %w", path, err)
	case n > limit:
		return nil, "", n, fmt.Errorf("tarball larger than %d bytes", limit)
	}
	return h.Sum(nil), hex.EncodeToString(crc.Sum(nil)), n, nil
}

// castagnoli is the CRC-32C table (SSE 4.2 and ARMv8 compute it in
// hardware), made when first needed: making it takes a fraction of a
// millisecond that a no-op install should not pay at start-up.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// newCRC returns a CRC-32C hash (Meta.TarballCRC32C).
func newCRC() hash.Hash32 { return crc32.New(castagnoli()) }

// syncFile flushes the file name to disk.
func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err == nil {
		err = syncClose(f, nil)
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", name, err)
	}
	return nil
}

// syncClose flushes f to disk and closes it, unless err (an earlier
// failure, returned) says only to close it.
func syncClose(f *os.File, err error) error {
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeSynced creates name with data and flushes it to disk, after the
// file first (written already): synced one right after the other, rather
// than each when it was written, they share a journal commit where the
// file system keeps one.
func writeSynced(name string, data []byte, first string) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		startWriteback(f)
	}
	if err == nil {
		err = syncFile(first)
	}
	if err := syncClose(f, err); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
