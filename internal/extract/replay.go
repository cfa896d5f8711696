package extract

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// CanReplay reports whether files (a Result's, from Walk) record where
// every regular file's contents are, as Replay needs: lists written before
// File.Offset was recorded do not.
func CanReplay(files []File) bool {
	for _, f := range files {
		if f.Mode.IsRegular() && f.Offset <= 0 {
			return false
		}
	}
	return true
}

// Replay unpacks the gzip-compressed tarball r into dest (which must not
// exist yet) as Extract did when it returned files and dirs, without
// parsing the tar headers again: folders are made from dirs, symbolic links
// from files, and each regular file's contents are read at its Offset in
// the uncompressed stream. Reading and checking the tar headers is a sixth
// of unpacking a package of small files; this is for a tarball already
// unpacked once, whose bytes the caller checks against a checksum taken
// then (Replay cannot tell a different tarball from the one listed).
//
// Replay stops reading r after the last file's contents. Paths are checked
// again (relative, no "." or ".." components): files and dirs come from a
// cache on disk. On any error everything written, dest included, is
// removed.
func Replay(ctx context.Context, r io.Reader, dest string, files []File, dirs []string, opt Options) (err error) {
	dest = filepath.Clean(dest) // for under
	for _, d := range dirs {
		if err := checkRel(d); err != nil {
			return err
		}
	}
	regular := make([]File, 0, len(files))
	var links []File
	for _, f := range files {
		if err := checkRel(f.Path); err != nil {
			return err
		}
		switch {
		case f.Mode&fs.ModeSymlink != 0:
			links = append(links, f)
		case f.Mode.IsRegular() && f.Offset > 0 && f.Size >= 0:
			regular = append(regular, f)
		default:
			return fmt.Errorf("replay %s: neither a regular file with an offset nor a symbolic link", f.Path)
		}
	}
	slices.SortFunc(regular, func(a, b File) int { return cmp.Compare(a.Offset, b.Offset) })

	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(dest), err)
	}
	if err := os.Mkdir(dest, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dest, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dest)
		}
	}()
	// Folders first, parents before children (dirs is sorted, and a
	// folder's implied parents are listed too): every writer then finds
	// its folder made.
	for _, d := range dirs {
		if err := mkdir(under(dest, d)); err != nil {
			return err
		}
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("read tarball: %w", err)
	}
	w, gctx := newWriters(ctx, opt)
	readErr := func() error {
		var pos int64
		var hdr [blockSize]byte
		for _, f := range regular {
			if err := gctx.Err(); err != nil {
				return err
			}
			// Each file's own header block comes right before its
			// contents: a list that is off (a damaged cache) shows there.
			gap := f.Offset - pos
			if gap < blockSize {
				return fmt.Errorf("replay %s: %w (its contents overlap the previous file's)", f.Path, ErrListMismatch)
			}
			if _, err := io.CopyN(io.Discard, zr, gap-blockSize); err != nil {
				return fmt.Errorf("replay %s: %w (%v)", f.Path, ErrListMismatch, err)
			}
			if _, err := io.ReadFull(zr, hdr[:]); err != nil {
				return fmt.Errorf("replay %s: %w (%v)", f.Path, ErrListMismatch, err)
			}
			if !headerOf(&hdr, f.Size) {
				return fmt.Errorf("replay %s: %w (no header for %d bytes before offset %d)", f.Path, ErrListMismatch, f.Size, f.Offset)
			}
			pos = f.Offset + f.Size
			target := under(dest, f.Path)
			if f.Size > bufferMax {
				if err := streamFile(target, f.Path, io.LimitReader(zr, f.Size), f.Size, f.Mode.Perm()); err != nil {
					return err
				}
				continue
			}
			buf := make([]byte, f.Size)
			if _, err := io.ReadFull(zr, buf); err != nil {
				return entryReadError(f.Path, err)
			}
			w.queue(pending{dir: ParentOf(f.Path), job: func() error {
				return writeFile(target, buf, uint32(f.Mode.Perm()))
			}}, f.Size)
		}
		return nil
	}()
	if err := w.wait(ctx, readErr); err != nil {
		return err
	}
	// Links last: nothing is ever written through one, even if the list
	// said a file was inside a link (Walk refuses such a tarball).
	for _, f := range links {
		if err := os.Symlink(f.Link, under(dest, f.Path)); err != nil {
			return fmt.Errorf("create symbolic link: %w", err)
		}
	}
	return nil
}

// ErrListMismatch is the error of Replay for a file list that does not
// describe the tarball.
var ErrListMismatch = errors.New("the file list does not match the tarball")

// blockSize is a tar block's size; a header is one block.
const blockSize = 512

// headerOf reports whether block is a tar header (its checksum holds) for
// contents of size bytes: a ustar size field in octal, or base-256 for a
// large one; a PAX header's size record, when the field cannot hold it, is
// not looked for (MaxFileBytes is far below).
func headerOf(block *[blockSize]byte, size int64) bool {
	// The checksum of the bytes as unsigned or, as some old tar programs
	// wrote it, as signed (archive/tar takes either).
	unsigned, signed := checksums(block)
	stored, ok := octal(block[148:156])
	if !ok || stored != unsigned && stored != signed {
		return false
	}
	field := block[124:136]
	if field[0]&0x80 != 0 {
		var n int64
		for _, b := range field[1:] {
			n = n<<8 | int64(b)
		}
		return n == size
	}
	n, ok := octal(field)
	return ok && n == size
}

// checksums returns a header block's tar checksums: the sum of its bytes
// as unsigned and as signed values, the checksum field (148–155) counted
// as spaces. Eight bytes are added at a time (two per 16-bit lane, 64
// words at most 2·255 each: no lane overflows), and a byte's signed value
// is its unsigned one less 256 where its top bit is set (counted the same
// way, a byte lane each). Replay checks a header before every file it
// writes: a byte at a time, this was 7 % of a warm install's user CPU.
func checksums(block *[blockSize]byte) (unsigned, signed int64) {
	const low, top = 0x00FF00FF00FF00FF, 0x8080808080808080
	var lanes, tops uint64 // tops: each byte lane counts top bits, 64 at most
	for i := 0; i < blockSize; i += 8 {
		w := binary.LittleEndian.Uint64(block[i:])
		lanes += w&low + w>>8&low
		tops += w & top >> 7
	}
	tops = tops&low + tops>>8&low
	sum := int64(lanes&0xFFFF + lanes>>16&0xFFFF + lanes>>32&0xFFFF + lanes>>48)
	high := int(tops&0xFFFF + tops>>16&0xFFFF + tops>>32&0xFFFF + tops>>48)
	for _, b := range block[148:156] {
		sum -= int64(b)
		if b >= 0x80 {
			high--
		}
	}
	sum += 8 * ' '
	return sum, sum - 256*int64(high)
}

// octal parses a tar numeric field: octal digits, padded with spaces or
// NULs on either side.
func octal(b []byte) (int64, bool) {
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == 0) {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == 0) {
		j--
	}
	var n int64
	for _, c := range b[i:j] {
		if c < '0' || c > '7' || n > 1<<60 {
			return 0, false
		}
		n = n<<3 | int64(c-'0')
	}
	return n, true
}

// checkRel refuses a listed path that is not a clean relative one, with
// forward slashes, that stays inside the package.
func checkRel(p string) error {
	bad := p == "" || strings.ContainsAny(p, "\\:\x00") || strings.HasPrefix(p, "/")
	for part := range strings.SplitSeq(p, "/") {
		bad = bad || part == "" || part == "." || part == ".."
	}
	if bad {
		return &UnsafeError{Entry: p, Reason: "not a clean relative path in the package's file list"}
	}
	return nil
}
