package lockfile

import (
	"bytes"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Marshal writes l the way Unity writes Packages/packages-lock.json, byte for
// byte (UPM-SPEC §6): LF line endings, 2-space indentation, entries sorted by
// Less (l itself is not reordered), each entry's keys in the order version,
// depth, source, dependencies (in the package's own order; "{}" when empty),
// then url (registry entries) and hash (git entries), and a final newline.
// A url or hash that another source happens to carry is written too, so that
// Parse(Marshal(l)) gives back l. Strings are escaped minimally, as Unity's
// serializer does: '"', '\\' and control characters only; '/', '<', '>', '&'
// and non-ASCII text are written as they are.
func Marshal(l *Lock) []byte {
	entries := slices.Clone(l.Entries)
	slices.SortStableFunc(entries, func(x, y Entry) int { return Compare(x.Name, y.Name) })

	var b bytes.Buffer
	b.Grow(64 + 256*len(entries))
	b.WriteString("{\n  \"dependencies\": {")
	if len(entries) == 0 {
		b.WriteString("}\n}\n")
		return b.Bytes()
	}
	b.WriteByte('\n')
	for i, e := range entries {
		b.WriteString("    ")
		writeString(&b, e.Name)
		b.WriteString(": {\n      \"version\": ")
		writeString(&b, e.Version)
		b.WriteString(",\n      \"depth\": ")
		b.WriteString(strconv.Itoa(e.Depth))
		b.WriteString(",\n      \"source\": ")
		writeString(&b, e.Source)
		b.WriteString(",\n      \"dependencies\": {")
		for j, d := range e.Dependencies {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n        ")
			writeString(&b, d.Name)
			b.WriteString(": ")
			writeString(&b, d.Version)
		}
		if len(e.Dependencies) > 0 {
			b.WriteString("\n      ")
		}
		b.WriteByte('}')
		if e.Source == SourceRegistry || e.URL != "" {
			b.WriteString(",\n      \"url\": ")
			writeString(&b, e.URL)
		}
		if e.Source == SourceGit || e.Hash != "" {
			b.WriteString(",\n      \"hash\": ")
			writeString(&b, e.Hash)
		}
		b.WriteString("\n    }")
		if i < len(entries)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("  }\n}\n")
	return b.Bytes()
}

const hexDigits = "0123456789abcdef"

// writeString writes s as a JSON string. Invalid UTF-8 (which Parse never
// produces) is written as \ufffd so the output stays valid JSON.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteString(`\ufffd`)
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}

// MarshalLike is Marshal with the line endings of old, the lock file being
// replaced: CRLF when its first line ends with CRLF (a lock committed from
// Windows), else LF. A lock that nothing changed keeps its bytes.
func MarshalLike(l *Lock, old []byte) []byte {
	data := Marshal(l)
	if i := bytes.IndexByte(old, '\n'); i > 0 && old[i-1] == '\r' {
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	}
	return data
}
