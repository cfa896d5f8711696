package cache

import (
	"io/fs"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/upkg/upkg/internal/extract"
)

// parseMeta decodes data, a meta.json, into m when it holds nothing
// unusual, and reports whether it did; m may be partly filled when it did
// not. A warm install reads every entry's meta.json before it can link or
// copy a file, and the file list is nearly all of it: the small profile's
// 100 entries hold 20 000 files. segmentio's decoder takes 110–140 µs and
// 218 allocations for a 200-file entry, this parser 35–55 µs and 3
// (BenchmarkMeta): it slices every string out of the text; in a fresh
// process, the garbage not made is also memory not first touched and
// collections not run. Anything it does not expect — an
// escape in a string, an unknown field, a number that is not a plain
// integer, malformed JSON — is left to segmentio's decoder (load), so the
// result is always that decoder's (FuzzParseMeta and FuzzFileList compare
// the two).
//
// The strings it sets are slices of data, which must not change afterwards
// (load's buffer from os.ReadFile is not written again): a copy of the
// text was 1.5 MB of the small profile's warm install.
func parseMeta(data []byte, m *Meta) bool {
	p := jsonParser{s: unsafe.String(unsafe.SliceData(data), len(data))}
	return p.object(func(key string) (ok bool) {
		switch key {
		case "name":
			m.Name, ok = p.str()
		case "version":
			m.Version, ok = p.str()
		case "key":
			m.Key, ok = p.str()
		case "integrity":
			m.Integrity, ok = p.str()
		case "shasum":
			m.Shasum, ok = p.str()
		case "tarballCRC32C":
			m.TarballCRC32C, ok = p.str()
		case "tarballSize":
			m.TarballSize, ok = p.int()
		case "unpackedSize":
			m.UnpackedSize, ok = p.int()
		case "fileCount":
			var n int64
			n, ok = p.int()
			m.FileCount = int(n)
		case "tarballOnly":
			m.TarballOnly, ok = p.bool()
		case "linkable":
			m.Linkable, ok = p.bool()
		case "added":
			var t string
			if t, ok = p.str(); ok {
				ok = m.Added.UnmarshalText([]byte(t)) == nil
			}
		case "files":
			m.Files, ok = p.files()
		case "dirs":
			m.Dirs, ok = p.strs()
		}
		return ok
	}) && p.atEnd()
}

// jsonParser reads the JSON text s from i on: the subset parseMeta takes.
type jsonParser struct {
	s string
	i int
}

// object reads an object, calling field with each key, its value next
// (field reads it, or returns false for a key it does not know).
func (p *jsonParser) object(field func(key string) bool) bool {
	p.space()
	if !p.eat('{') {
		return false
	}
	return p.items('}', func() bool {
		key, ok := p.str()
		if !ok {
			return false
		}
		p.space()
		if !p.eat(':') {
			return false
		}
		p.space()
		return field(key)
	})
}

// list reads an array, calling elem to read each element.
func (p *jsonParser) list(elem func() bool) bool {
	p.space()
	return p.eat('[') && p.items(']', elem)
}

// items reads the comma-separated items of an object or array up to its
// closing character, item reading each.
func (p *jsonParser) items(closing byte, item func() bool) bool {
	p.space()
	if p.eat(closing) {
		return true
	}
	for {
		if !item() {
			return false
		}
		p.space()
		switch {
		case p.eat(','):
			p.space()
		case p.eat(closing):
			return true
		default:
			return false
		}
	}
}

// files reads a list of files, each an object with any of the fields
// path, size, mode, link and offset.
func (p *jsonParser) files() ([]extract.File, bool) {
	// Room for the objects up to the list's first ']' (past all its
	// objects unless a path holds one).
	n := 0
	if end := strings.IndexByte(p.s[p.i:], ']'); end >= 0 {
		n = strings.Count(p.s[p.i:p.i+end], "{")
	}
	files := make([]extract.File, 0, n)
	ok := p.list(func() bool {
		var f extract.File
		if p.file(&f) {
			files = append(files, f)
			return true
		}
		f = extract.File{}
		ok := p.object(func(key string) (ok bool) {
			switch key {
			case "path":
				f.Path, ok = p.str()
			case "link":
				f.Link, ok = p.str()
			case "size":
				f.Size, ok = p.int()
			case "offset":
				f.Offset, ok = p.int()
			case "mode":
				f.Mode, ok = p.mode()
			}
			return ok
		})
		files = append(files, f)
		return ok
	})
	return files, ok
}

// file reads one element of files as encodeMeta writes it — compact, its
// fields in File's order: {"path":…,"size":…,"mode":…[,"link":…]
// [,"offset":…]} — into f, and reports whether it did. On anything else it
// leaves p where it was (f perhaps partly set) for files to read the
// element field by field: this path is a third of a file list's time
// (-bench Meta).
func (p *jsonParser) file(f *extract.File) bool {
	start := p.i
	if p.fileFields(f) {
		return true
	}
	p.i = start
	return false
}

// fileFields is file's reading, which may stop partway.
func (p *jsonParser) fileFields(f *extract.File) bool {
	var ok bool
	if !p.lit(`{"path":`) {
		return false
	}
	if f.Path, ok = p.str(); !ok || !p.lit(`,"size":`) {
		return false
	}
	if f.Size, ok = p.int(); !ok || !p.lit(`,"mode":`) {
		return false
	}
	if f.Mode, ok = p.mode(); !ok {
		return false
	}
	if p.lit(`,"link":`) {
		if f.Link, ok = p.str(); !ok {
			return false
		}
	}
	if p.lit(`,"offset":`) {
		if f.Offset, ok = p.int(); !ok {
			return false
		}
	}
	return p.eat('}')
}

// mode reads a file mode: an integer that fits 32 bits.
func (p *jsonParser) mode() (fs.FileMode, bool) {
	m, ok := p.int()
	return fs.FileMode(m), ok && m <= 1<<32-1
}

// lit consumes s if it comes next.
func (p *jsonParser) lit(s string) bool {
	if strings.HasPrefix(p.s[p.i:], s) {
		p.i += len(s)
		return true
	}
	return false
}

// strs reads a list of strings.
func (p *jsonParser) strs() ([]string, bool) {
	list := []string{}
	ok := p.list(func() bool {
		v, ok := p.str()
		list = append(list, v)
		return ok
	})
	return list, ok
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// eat consumes c if it comes next.
func (p *jsonParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// atEnd reports whether only white space is left.
func (p *jsonParser) atEnd() bool {
	p.space()
	return p.i == len(p.s)
}

// str reads a string without escapes, control characters or invalid
// UTF-8 (which the standard decoder would rewrite), as a slice of p.s.
func (p *jsonParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start, ascii := p.i, true
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			v := p.s[start:p.i]
			p.i++
			return v, ascii || utf8.ValidString(v)
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// int reads a non-negative integer of at most 18 digits, without a
// leading zero (JSON allows none), fraction or exponent.
func (p *jsonParser) int() (int64, bool) {
	start := p.i
	var n int64
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		n = n*10 + int64(p.s[p.i]-'0')
		p.i++
	}
	digits := p.i - start
	if digits == 0 || digits > 18 || digits > 1 && p.s[start] == '0' {
		return 0, false
	}
	if p.i < len(p.s) {
		switch p.s[p.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	return n, true
}

// bool reads true or false.
func (p *jsonParser) bool() (bool, bool) {
	switch {
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true, true
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false, true
	}
	return false, false
}
