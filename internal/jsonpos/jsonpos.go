// Package jsonpos parses JSON into a small tree that remembers where every
// value and key starts, so that the owners of Unity's JSON files (manifest.json,
// package.json, packages-lock.json) can report "file:line:column" for syntax
// errors and for values of the wrong type or form.
//
// encoding/json cannot do this: its errors carry offsets whose meaning changes
// with the decoding path, it keeps only the last of duplicated keys, and it
// forgets key order. The parser here is strict RFC 8259 JSON (UTF-8, no
// comments, no trailing commas) with a leading UTF-8 byte order mark allowed.
package jsonpos

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of arrays and objects. Unity's files nest a few
// levels deep; the bound keeps hostile input from exhausting the stack.
const MaxDepth = 256

// Kind is the JSON type of a Value.
type Kind int

// JSON types.
const (
	Null Kind = iota
	Bool
	Number
	String
	Object
	Array
)

// String names the kind the way error messages should ("a string").
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "a boolean"
	case Number:
		return "a number"
	case String:
		return "a string"
	case Object:
		return "an object"
	case Array:
		return "an array"
	}
	return "an unknown value"
}

// Value is one parsed JSON value.
type Value struct {
	Kind Kind
	// Offset is the byte offset of the value's first byte in the parsed data.
	Offset int
	// End is the byte offset just past the value's last byte, so that
	// data[Offset:End] is the value's text (editors splice around it).
	End int
	// Str is the decoded text of a String, or the literal text of a Number.
	Str string
	// Bool is the value of a Bool.
	Bool bool
	// Members are an Object's members in file order, duplicates included.
	Members []Member
	// Elems are an Array's elements.
	Elems []*Value
}

// Member is one key of an object with its value.
type Member struct {
	Key string
	// KeyOffset is the byte offset of the key's opening quote.
	KeyOffset int
	Value     *Value
}

// SyntaxError is malformed JSON at byte Offset of the data.
type SyntaxError struct {
	Offset int
	Msg    string
}

// Error reads "offset N: message"; callers turn the offset into a line and
// column with Position.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg)
}

var bom = []byte("\xEF\xBB\xBF")

// Parse parses data as exactly one JSON value surrounded by optional white
// space. Offsets in the result and in a *SyntaxError index data itself (a
// leading byte order mark included).
func Parse(data []byte) (*Value, error) {
	p := &parser{data: data}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, p.errorf(0, "the file is UTF-16 encoded; save it as UTF-8")
	}
	if bytes.HasPrefix(data, bom) {
		p.pos = len(bom)
	}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.data) {
		return nil, p.errorf(p.pos, "%s after the end of the top-level value", p.describe(p.pos))
	}
	return v, nil
}

// Position turns a byte offset of data into a 1-based line and column. The
// column counts characters (not bytes) from the start of the line; a leading
// byte order mark is not counted. Lines end at "\n" (so "\r\n" works too).
func Position(data []byte, offset int) (line, column int) {
	offset = max(0, min(offset, len(data)))
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	if start == 0 && bytes.HasPrefix(before, bom) {
		start = len(bom)
	}
	return line, utf8.RuneCount(before[start:]) + 1
}

// Cursor turns increasing offsets of one document into positions, as
// Position does, reading each byte once: the positions of every member of
// an object written on one line cost a scan of the line, not one each.
type Cursor struct {
	data      []byte
	off       int // the position below is that of data[off]
	line, col int
}

// NewCursor returns a Cursor over data, at its start.
func NewCursor(data []byte) *Cursor {
	c := &Cursor{data: data, line: 1, col: 1}
	if bytes.HasPrefix(data, bom) {
		c.off = len(bom)
	}
	return c
}

// Position is Position(data, offset): in a single pass over offsets that
// do not decrease, from the start again for one that goes back.
func (c *Cursor) Position(offset int) (line, column int) {
	offset = max(0, min(offset, len(c.data)))
	if offset < c.off {
		*c = *NewCursor(c.data)
		if offset < c.off { // inside the byte order mark
			return Position(c.data, offset)
		}
	}
	for c.off < offset {
		if c.data[c.off] == '\n' {
			c.line, c.col = c.line+1, 1
			c.off++
			continue
		}
		_, size := utf8.DecodeRune(c.data[c.off:])
		if c.off+size > offset {
			// offset is inside this character: Position counts its
			// bytes before offset as characters of their own.
			return c.line, c.col + utf8.RuneCount(c.data[c.off:offset])
		}
		c.off += size
		c.col++
	}
	return c.line, c.col
}

type parser struct {
	data []byte
	pos  int
}

func (p *parser) errorf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// describe names the byte at off for an error message.
func (p *parser) describe(off int) string {
	if off >= len(p.data) {
		return "unexpected end of file"
	}
	r, size := utf8.DecodeRune(p.data[off:])
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("invalid UTF-8 byte 0x%02x", p.data[off])
	}
	return "unexpected character " + strconv.QuoteRune(r)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*Value, error) {
	v, err := p.scanValue(depth)
	if err != nil {
		return nil, err
	}
	v.End = p.pos
	return v, nil
}

func (p *parser) scanValue(depth int) (*Value, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorf(p.pos, "unexpected end of file, expected a value")
	}
	start := p.pos
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &Value{Kind: String, Offset: start, Str: s}, nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true", &Value{Kind: Bool, Offset: start, Bool: true})
	case c == 'f':
		return p.literal("false", &Value{Kind: Bool, Offset: start})
	case c == 'n':
		return p.literal("null", &Value{Kind: Null, Offset: start})
	}
	return nil, p.errorf(start, "%s, expected a value", p.describe(start))
}

func (p *parser) literal(word string, v *Value) (*Value, error) {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		return nil, p.errorf(p.pos, "invalid literal, expected %s", word)
	}
	p.pos += len(word)
	return v, nil
}

func (p *parser) object(depth int) (*Value, error) {
	v := &Value{Kind: Object, Offset: p.pos}
	if depth > MaxDepth {
		return nil, p.errorf(p.pos, "nested more than %d levels deep", MaxDepth)
	}
	p.pos++ // '{'
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf(p.pos, "%s, expected a string key", p.describe(p.pos))
		}
		keyOff := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf(p.pos, "%s, expected ':' after key %s", p.describe(p.pos), strconv.Quote(key))
		}
		p.pos++
		p.skipSpace()
		val, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		v.Members = append(v.Members, Member{Key: key, KeyOffset: keyOff, Value: val})
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++
			p.skipSpace()
			continue
		}
		if p.pos < len(p.data) && p.data[p.pos] == '}' {
			p.pos++
			return v, nil
		}
		return nil, p.errorf(p.pos, "%s, expected ',' or '}' after the value of %s", p.describe(p.pos), strconv.Quote(key))
	}
}

func (p *parser) array(depth int) (*Value, error) {
	v := &Value{Kind: Array, Offset: p.pos}
	if depth > MaxDepth {
		return nil, p.errorf(p.pos, "nested more than %d levels deep", MaxDepth)
	}
	p.pos++ // '['
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		el, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		v.Elems = append(v.Elems, el)
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++
			p.skipSpace()
			continue
		}
		if p.pos < len(p.data) && p.data[p.pos] == ']' {
			p.pos++
			return v, nil
		}
		return nil, p.errorf(p.pos, "%s, expected ',' or ']' after an array element", p.describe(p.pos))
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() (*Value, error) {
	start := p.pos
	d := p.data
	if d[p.pos] == '-' {
		p.pos++
	}
	digits := func() error {
		if p.pos >= len(d) || !isDigit(d[p.pos]) {
			return p.errorf(p.pos, "%s in a number, expected a digit", p.describe(p.pos))
		}
		for p.pos < len(d) && isDigit(d[p.pos]) {
			p.pos++
		}
		return nil
	}
	if p.pos < len(d) && d[p.pos] == '0' {
		p.pos++
		if p.pos < len(d) && isDigit(d[p.pos]) {
			return nil, p.errorf(p.pos, "a number cannot have a leading zero")
		}
	} else if err := digits(); err != nil {
		return nil, err
	}
	if p.pos < len(d) && d[p.pos] == '.' {
		p.pos++
		if err := digits(); err != nil {
			return nil, err
		}
	}
	if p.pos < len(d) && (d[p.pos] == 'e' || d[p.pos] == 'E') {
		p.pos++
		if p.pos < len(d) && (d[p.pos] == '+' || d[p.pos] == '-') {
			p.pos++
		}
		if err := digits(); err != nil {
			return nil, err
		}
	}
	return &Value{Kind: Number, Offset: start, Str: string(d[start:p.pos])}, nil
}

// str scans and decodes the string starting at p.pos (its opening quote).
// Unpaired UTF-16 surrogates in \u escapes decode to U+FFFD, as in
// encoding/json; raw bytes must be valid UTF-8.
func (p *parser) str() (string, error) {
	d := p.data
	start := p.pos
	p.pos++ // opening quote
	var b strings.Builder
	plain := p.pos // start of the run of bytes not yet copied to b
	for {
		if p.pos >= len(d) {
			return "", p.errorf(start, "string not terminated")
		}
		c := d[p.pos]
		switch {
		case c == '"':
			s := b.String() + string(d[plain:p.pos])
			p.pos++
			return s, nil
		case c < 0x20:
			return "", p.errorf(p.pos, "control character %s in a string (escape it)", fmt.Sprintf("U+%04X", c))
		case c < utf8.RuneSelf && c != '\\':
			p.pos++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errorf(p.pos, "invalid UTF-8 byte 0x%02x in a string", c)
			}
			p.pos += size
		default: // backslash
			b.Write(d[plain:p.pos])
			r, err := p.escape()
			if err != nil {
				return "", err
			}
			b.WriteRune(r)
			plain = p.pos
		}
	}
}

// escape decodes the escape sequence at p.pos (its backslash).
func (p *parser) escape() (rune, error) {
	d := p.data
	at := p.pos
	if p.pos+1 >= len(d) {
		return 0, p.errorf(at, "string not terminated")
	}
	c := d[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		r, ok := p.hex4()
		if !ok {
			return 0, p.errorf(at, `invalid \u escape, expected four hex digits`)
		}
		if utf16.IsSurrogate(r) {
			save := p.pos
			if p.pos+1 < len(d) && d[p.pos] == '\\' && d[p.pos+1] == 'u' {
				p.pos += 2
				if r2, ok := p.hex4(); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						return dec, nil
					}
				}
			}
			p.pos = save
			return utf8.RuneError, nil
		}
		return r, nil
	}
	return 0, p.errorf(at, "invalid escape sequence %s in a string", strconv.Quote(`\`+string(rune(c))))
}

func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}
