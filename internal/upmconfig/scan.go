package upmconfig

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// This file turns a document into a flat list of top-level expressions with
// byte ranges, using go-toml's unstable parser. Parse reads values from it and
// the editor splices bytes with it; neither parses TOML by hand.

// utf8BOM is skipped by the parser (go-toml rejects it) and kept by the editor.
const utf8BOM = "\xEF\xBB\xBF"

// keyPart is one part of a (dotted) key.
type keyPart struct {
	name       string // decoded
	start, end int    // raw bytes in the body, quotes included
}

// value is the value of a key/value expression.
type value struct {
	kind       unstable.Kind
	start, end int    // raw bytes of the whole value in the body
	data       string // decoded scalar (strings unescaped); "" for arrays and inline tables
	fields     []inlineField
}

// inlineField is one key/value inside an inline table.
type inlineField struct {
	keys []keyPart
	val  value
}

// expr is one top-level expression: a [table] or [[array table]] header, or
// a key/value line.
type expr struct {
	kind unstable.Kind // Table, ArrayTable or KeyValue
	// table is the header itself (Table, ArrayTable) or the header the
	// key/value sits under (empty at the top level).
	table []keyPart
	keys  []keyPart // KeyValue only
	val   value     // KeyValue only
	// lineStart..lineEnd covers the whole lines of the expression, including
	// its trailing comment and line ending (lineEnd is len(body) at EOF).
	lineStart, lineEnd int
}

// path is the full key path the expression defines.
func (e *expr) path() []string {
	p := make([]string, 0, len(e.table)+len(e.keys))
	for _, k := range e.table {
		p = append(p, k.name)
	}
	for _, k := range e.keys {
		p = append(p, k.name)
	}
	return p
}

// doc is a parsed document, ready for reading and editing.
type doc struct {
	bom   []byte // the UTF-8 BOM if the data starts with one
	body  []byte // the data after the BOM; all offsets refer to it
	eol   string
	exprs []expr
	tree  map[string]any // the decoded document, to verify edits
	file  *File
	nl    []int // offsets of the '\n' bytes of body, for positions
}

// parseDoc validates data as TOML (go-toml's decoder checks what its parser
// does not: duplicate keys and tables, integer ranges, dates), scans it, and
// checks the known keys (analyze).
func parseDoc(path string, data []byte, global bool) (*doc, error) {
	d := &doc{body: data}
	if bytes.HasPrefix(data, []byte(utf8BOM)) {
		d.bom, d.body = data[:len(utf8BOM)], data[len(utf8BOM):]
	}
	d.eol = detectEOL(d.body)
	for i, c := range d.body {
		if c == '\n' {
			d.nl = append(d.nl, i)
		}
	}
	if err := toml.Unmarshal(d.body, &d.tree); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, &ParseError{File: path, Line: line, Column: col, Msg: stripTOMLPrefix(de.Error())}
		}
		return nil, &ParseError{File: path, Line: 1, Column: 1, Msg: stripTOMLPrefix(err.Error())}
	}
	if d.tree == nil {
		d.tree = map[string]any{}
	}
	exprs, err := scanExprs(d.body)
	if err != nil {
		return nil, err
	}
	d.exprs = exprs
	f, err := analyze(path, data, d, global)
	if err != nil {
		return nil, err
	}
	d.file = f
	return d, nil
}

func stripTOMLPrefix(s string) string {
	if len(s) > 6 && s[:6] == "toml: " {
		return s[6:]
	}
	return s
}

// detectEOL returns the line ending of the first line ("\n" if there is none),
// which the editor uses for every line it writes.
func detectEOL(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i > 0 && b[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// scanExprs lists the top-level expressions of a document that go-toml has
// already accepted.
func scanExprs(body []byte) ([]expr, error) {
	var p unstable.Parser
	p.Reset(body)
	var out []expr
	var table []keyPart
	for p.NextExpression() {
		n := p.Expression()
		switch n.Kind {
		case unstable.Table, unstable.ArrayTable:
			keys := keyParts(n.Key())
			table = keys
			out = append(out, expr{
				kind:      n.Kind,
				table:     keys,
				lineStart: lineStart(body, keys[0].start),
				lineEnd:   lineEnd(body, keys[len(keys)-1].end),
			})
		case unstable.KeyValue:
			keys := keyParts(n.Key())
			start := int(n.Raw.Offset)
			end := start + int(n.Raw.Length)
			out = append(out, expr{
				kind:      unstable.KeyValue,
				table:     table,
				keys:      keys,
				val:       valueOf(body, n.Value(), keys[len(keys)-1].end, end),
				lineStart: lineStart(body, start),
				lineEnd:   lineEnd(body, end),
			})
		}
	}
	if err := p.Error(); err != nil {
		// Cannot happen after toml.Unmarshal accepted the body; kept so a
		// disagreement between the two shows up as an error, not a panic.
		return nil, fmt.Errorf("scan TOML: %w", err)
	}
	return out, nil
}

func keyParts(it unstable.Iterator) []keyPart {
	var parts []keyPart
	for it.Next() {
		n := it.Node()
		start := int(n.Raw.Offset)
		parts = append(parts, keyPart{name: string(n.Data), start: start, end: start + int(n.Raw.Length)})
	}
	return parts
}

// valueOf describes the value node n of a key/value whose key ends at keyEnd
// and whose raw bytes end at kvEnd. go-toml records no range for arrays and
// only the "{" for inline tables, so containers run from after "=" to kvEnd.
func valueOf(body []byte, n *unstable.Node, keyEnd, kvEnd int) value {
	v := value{kind: n.Kind, end: kvEnd}
	switch n.Kind {
	case unstable.Array, unstable.InlineTable:
		v.start = valueStart(body, keyEnd)
		if n.Kind == unstable.InlineTable {
			it := n.Children()
			for it.Next() {
				c := it.Node()
				if c.Kind != unstable.KeyValue {
					continue
				}
				keys := keyParts(c.Key())
				cs := int(c.Raw.Offset)
				v.fields = append(v.fields, inlineField{
					keys: keys,
					val:  valueOf(body, c.Value(), keys[len(keys)-1].end, cs+int(c.Raw.Length)),
				})
			}
		}
	default:
		v.start = int(n.Raw.Offset)
		v.end = v.start + int(n.Raw.Length)
		v.data = string(n.Data)
	}
	return v
}

// valueStart skips `ws = ws` after a key.
func valueStart(body []byte, i int) int {
	for i < len(body) && (body[i] == ' ' || body[i] == '\t') {
		i++
	}
	if i < len(body) && body[i] == '=' {
		i++
	}
	for i < len(body) && (body[i] == ' ' || body[i] == '\t') {
		i++
	}
	return i
}

// lineStart is the offset of the start of the line holding offset i.
func lineStart(b []byte, i int) int {
	return bytes.LastIndexByte(b[:i], '\n') + 1
}

// lineEnd is the offset just past the line ending of the line holding offset
// i, or len(b) on a last line without one.
func lineEnd(b []byte, i int) int {
	if j := bytes.IndexByte(b[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(b)
}

// position converts a body offset to a 1-based line and byte column.
func (d *doc) position(off int) (line, col int) {
	n := sort.SearchInts(d.nl, off) // newlines before off
	start := 0
	if n > 0 {
		start = d.nl[n-1] + 1
	}
	return n + 1, off - start + 1
}
