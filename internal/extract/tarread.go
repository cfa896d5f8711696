package extract

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
)

// tarEntry is what Walk reads of a tar entry's header.
type tarEntry struct {
	name, link string
	typ        byte
	size, mode int64
}

// tarReader reads a tar stream as archive/tar's Reader does, reading the
// plain headers npm's packer writes itself: ustar or GNU headers of a
// file, folder or symbolic link whose numeric fields are octal and whose
// checksum holds. archive/tar builds a Header of a dozen strings for every
// entry and scans each 512-byte block rune by rune for its format guess,
// which Walk does not use: that was a fifth of a cold install's user CPU
// on packages of small files.
//
// An entry whose header is anything else — PAX records (npm writes them
// for a name that is not ASCII or too long for ustar), GNU long names,
// base-256 numbers, a bad checksum — is read by archive/tar, from its
// first block to where its contents start (fallback); a sparse file hands
// archive/tar the rest of the stream. So every case archive/tar handles is
// handled by it, and every error is its own. FuzzTarReader checks that
// both read everything alike (with GODEBUG's default tarinsecurepath,
// under which archive/tar does not refuse names; Walk checks names).
type tarReader struct {
	r      io.Reader
	blk    [blockSize]byte
	remain int64       // the current entry's contents not read yet
	pad    int64       // the padding after them
	err    error       // sticky, as archive/tar's
	std    *tar.Reader // after a sparse file, it reads everything
	// fallbacks counts the entries read by archive/tar (tests check it).
	fallbacks int
}

func newTarReader(r io.Reader) *tarReader { return &tarReader{r: r} }

// Next advances to the next entry, skipping what is left of the current
// one; at the end of the archive it returns io.EOF.
func (t *tarReader) Next() (tarEntry, error) {
	if t.std != nil {
		return fromHeader(t.std.Next())
	}
	if t.err != nil {
		return tarEntry{}, t.err
	}
	e, err := t.next()
	t.err = err
	return e, err
}

func (t *tarReader) next() (tarEntry, error) {
	// As archive/tar: skip the rest of the contents, then the padding
	// (a stream that ends inside it ends cleanly), then read a block.
	if t.remain > 0 {
		n, err := io.CopyN(io.Discard, t.r, t.remain)
		if err == io.EOF && n < t.remain {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return tarEntry{}, err
		}
		t.remain = 0
	}
	if t.pad > 0 {
		if err := tryReadFull(t.r, t.blk[:t.pad]); err != nil {
			return tarEntry{}, err
		}
		t.pad = 0
	}
	if _, err := io.ReadFull(t.r, t.blk[:]); err != nil {
		return tarEntry{}, err
	}
	if t.blk == [blockSize]byte{} {
		// The end: two zero blocks, as archive/tar reads them.
		if _, err := io.ReadFull(t.r, t.blk[:]); err != nil {
			return tarEntry{}, err
		}
		if t.blk != [blockSize]byte{} {
			return tarEntry{}, tar.ErrHeader
		}
		return tarEntry{}, io.EOF
	}
	e, ok := plainHeader(&t.blk)
	if !ok {
		return t.fallback()
	}
	if e.typ == tar.TypeReg {
		t.remain = e.size
	}
	t.pad = -t.remain & (blockSize - 1)
	return e, nil
}

// fallback reads the entry whose header is in t.blk with archive/tar, from
// that block on, then goes on alone: archive/tar takes exactly the blocks
// of the entry's headers (PAX records, GNU long names and the header
// itself) and leaves the stream where its contents start, as long as
// they are stored as they are — not for sparse files, after which the
// rest of the stream is archive/tar's. A PAX global header is returned
// with its records read, its padding not.
func (t *tarReader) fallback() (tarEntry, error) {
	t.fallbacks++
	taken := &countingReader{r: t.r}
	std := tar.NewReader(io.MultiReader(bytes.NewReader(t.blk[:]), taken))
	h, err := std.Next()
	if err != nil || sparse(h) {
		t.std = std
		return fromHeader(h, err)
	}
	switch h.Typeflag {
	case tar.TypeXGlobalHeader:
		t.remain, t.pad = 0, -(blockSize+taken.n)&(blockSize-1)
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		t.remain, t.pad = 0, 0 // archive/tar's header-only types
	default:
		t.remain, t.pad = h.Size, -h.Size&(blockSize-1)
	}
	return fromHeader(h, nil)
}

// sparse reports whether h is a sparse file, whose contents archive/tar
// reads through a map of holes, in either of GNU's ways.
func sparse(h *tar.Header) bool {
	if h.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// Read reads the current entry's contents.
func (t *tarReader) Read(p []byte) (int, error) {
	if t.std != nil {
		return t.std.Read(p)
	}
	if t.err != nil {
		return 0, t.err
	}
	if int64(len(p)) > t.remain {
		p = p[:t.remain]
	}
	var n int
	var err error
	if len(p) > 0 {
		n, err = t.r.Read(p)
		t.remain -= int64(n)
	}
	switch {
	case err == io.EOF && t.remain > 0:
		err = io.ErrUnexpectedEOF
	case err == nil && t.remain == 0:
		err = io.EOF
	}
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// tryReadFull is archive/tar's: io.ReadFull, except that a stream ending
// early is io.EOF.
func tryReadFull(r io.Reader, b []byte) error {
	n := 0
	var err error
	for len(b) > n && err == nil {
		var nn int
		nn, err = r.Read(b[n:])
		n += nn
	}
	if len(b) == n && err == io.EOF {
		err = nil
	}
	return err
}

func fromHeader(h *tar.Header, err error) (tarEntry, error) {
	if err != nil {
		return tarEntry{}, err
	}
	return tarEntry{name: h.Name, link: h.Linkname, typ: h.Typeflag, size: h.Size, mode: h.Mode}, nil
}

// plainHeader reads block as a header of the kind tarReader reads itself,
// reporting false for any other: it must accept only blocks archive/tar
// reads without error, and read them to the same values.
func plainHeader(b *[blockSize]byte) (tarEntry, bool) {
	// archive/tar's getFormat: the checksum, then the magic.
	unsigned, signed := checksums(b)
	if stored, ok := octal(b[148:156]); !ok || stored != unsigned && stored != signed {
		return tarEntry{}, false
	}
	ustar := false
	switch {
	case string(b[257:263]) == "ustar\x00" && string(b[508:512]) != "tar\x00": // USTAR or PAX, not star
		ustar = true
	case string(b[257:263]) == "ustar " && string(b[263:265]) == " \x00": // GNU
		if b[345] != 0 || b[357] != 0 { // access or change time set
			return tarEntry{}, false
		}
	default: // V7, star
		return tarEntry{}, false
	}
	e := tarEntry{typ: b[156]}
	switch e.typ {
	case tar.TypeReg, tar.TypeDir, tar.TypeSymlink:
	default:
		return tarEntry{}, false
	}
	// Every numeric field archive/tar parses must parse: mode, uid, gid,
	// size, mtime, devmajor, devminor.
	var ok [7]bool
	e.mode, ok[0] = octal(b[100:108])
	_, ok[1] = octal(b[108:116])
	_, ok[2] = octal(b[116:124])
	e.size, ok[3] = octal(b[124:136])
	_, ok[4] = octal(b[136:148])
	_, ok[5] = octal(b[329:337])
	_, ok[6] = octal(b[337:345])
	if ok != [7]bool{true, true, true, true, true, true, true} {
		return tarEntry{}, false
	}
	name := cstring(b[0:100])
	if prefix := cstring(b[345:500]); ustar && len(prefix) > 0 {
		e.name = string(prefix) + "/" + string(name)
	} else {
		e.name = string(name)
	}
	e.link = string(cstring(b[157:257]))
	return e, true
}

// cstring is b up to its first NUL.
func cstring(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}
