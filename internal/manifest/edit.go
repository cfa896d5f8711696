package manifest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/upkg/upkg/internal/jsonpos"
	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/regurl"
)

// The editor changes manifest.json surgically: every byte outside the edited
// region stays as it was — key order, unknown keys, indentation, line endings
// (the file's first line ending is used for new lines), a byte order mark and
// a missing final newline. It splices bytes around the positions jsonpos
// gives; it never re-encodes the document.
//
// Each function plans its change as a list of primitive steps on the parsed
// tree (insert a member or element, replace a value, remove one), applies the
// steps to the bytes one at a time (re-parsing between steps, so each sees
// current offsets) and to a copy of the input's tree, then re-parses the
// output and requires it to equal that tree and to pass Parse. Any other
// difference is an internal error and no output is returned: a bug here
// cannot lose or invent data.
//
// Layout:
//   - A member or element goes on its own line, with the indentation of its
//     siblings, when its neighbour is on its own line; otherwise inline,
//     separated by ", " (or "," when the file writes ":" without a space).
//   - An empty object or array ({} or []) that gets its first member is
//     expanded over lines (indented one unit more than the line it is on)
//     when it ends its line, unless the whole file is written on one line
//     (minified), in which case everything new stays inline. A file that is
//     just "{}" has no style to follow and gets Unity's: two spaces, one
//     member a line.
//   - The indentation unit is detected from the first member written on its
//     own line (2 or 4 spaces, a tab, …); "  " when there is none.
//   - Removing a member or element on its own line removes its whole line;
//     removing the last one takes the comma before it; removing the only
//     one leaves {} or [].
//   - A new "dependencies" object becomes the root's first key (where Unity
//     writes it); new "scopedRegistries" and "testables" keys go last.

// SetDependency adds name with value to "dependencies", or replaces the value
// of an existing key in place (the key keeps its position; an equal value
// leaves data unchanged).
//
// A new key goes where Unity would put it: Unity keeps dependencies sorted in
// lock-file order (lockfile.Less: ordinal byte order with every
// "com.unity.modules.*" name after all others, UPM-SPEC §5), so the key is
// inserted before the first existing key that sorts after it — a sorted list
// stays sorted, and an unsorted one gets the key at a stable place. A missing
// "dependencies" object is created.
func SetDependency(path string, data []byte, name, value string) ([]byte, error) {
	var bad error
	if err := ValidateName(name); err != nil {
		bad = fmt.Errorf("set dependency %q: %w", name, err)
	} else if !utf8.ValidString(value) {
		bad = fmt.Errorf("set dependency %s: the value is not valid UTF-8", name)
	}
	return edit(path, data, "set dependency "+name, bad, func(root *tObj) []step {
		deps, ok := root.get(keyDependencies).(*tObj)
		if !ok {
			return []step{{kind: stepInsert, key: keyDependencies, idx: 0, val: &tObj{Members: []tMember{{name, value}}}}}
		}
		if i := deps.index(name); i >= 0 {
			if deps.Members[i].Val == value {
				return nil
			}
			return []step{{kind: stepReplace, at: path1(keyDependencies), idx: i, val: value}}
		}
		idx := len(deps.Members)
		for i, m := range deps.Members {
			if lockfile.Less(name, m.Key) {
				idx = i
				break
			}
		}
		return []step{{kind: stepInsert, at: path1(keyDependencies), key: name, idx: idx, val: value}}
	})
}

// RemoveDependency removes name from "dependencies"; removed is false, and
// out is data, when it was not there. An emptied "dependencies" stays as {}.
func RemoveDependency(path string, data []byte, name string) (out []byte, removed bool, err error) {
	out, err = edit(path, data, "remove dependency "+name, nil, func(root *tObj) []step {
		deps, ok := root.get(keyDependencies).(*tObj)
		if !ok {
			return nil
		}
		if i := deps.index(name); i >= 0 {
			removed = true
			return []step{{kind: stepRemove, at: path1(keyDependencies), idx: i}}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, removed, nil
}

// AddTestable adds name to the end of the "testables" array (created, as the
// root's last key, if missing); data is returned unchanged when name is
// there already.
func AddTestable(path string, data []byte, name string) ([]byte, error) {
	var bad error
	if err := ValidateName(name); err != nil {
		bad = fmt.Errorf("add testable %q: %w", name, err)
	}
	return edit(path, data, "add testable "+name, bad, func(root *tObj) []step {
		arr, ok := root.get(keyTestables).(*tArr)
		if !ok {
			return []step{{kind: stepInsert, key: keyTestables, idx: len(root.Members), val: &tArr{Elems: []any{name}}}}
		}
		if slices.Contains(arr.Elems, any(name)) {
			return nil
		}
		return []step{{kind: stepInsert, at: path1(keyTestables), idx: len(arr.Elems), val: name}}
	})
}

// RemoveTestable removes name (every occurrence) from "testables"; removed
// is false, and out is data, when it was not there. An emptied array is
// removed with its key.
func RemoveTestable(path string, data []byte, name string) (out []byte, removed bool, err error) {
	out, err = edit(path, data, "remove testable "+name, nil, func(root *tObj) []step {
		arr, ok := root.get(keyTestables).(*tArr)
		if !ok {
			return nil
		}
		var steps []step
		left := len(arr.Elems)
		for i := len(arr.Elems) - 1; i >= 0; i-- {
			if arr.Elems[i] == any(name) {
				steps = append(steps, step{kind: stepRemove, at: path1(keyTestables), idx: i})
				left--
			}
		}
		removed = len(steps) > 0
		if removed && left == 0 {
			return []step{{kind: stepRemove, idx: root.index(keyTestables)}}
		}
		return steps
	})
	if err != nil {
		return nil, false, err
	}
	return out, removed, nil
}

// AddScopes makes reg's scopes route to reg.URL. When "scopedRegistries" has
// an entry whose url equals reg.URL after regurl.NormalizeURL (the first such
// entry), the scopes it lacks are appended to its "scopes" array (created if
// the entry has none); otherwise a new entry {"name": reg.Name, "url":
// reg.URL, "scopes": [...]} is appended (the array is created, as the root's
// last key, if missing). Scopes another entry routes are not touched: the
// longest matching scope wins (UPM-SPEC §2), so com.example.tools on one
// registry and com.example on another is a valid split. Data is returned
// unchanged when the entry has every scope already.
func AddScopes(path string, data []byte, reg ScopedRegistry) ([]byte, error) {
	want, bad := regurl.NormalizeURL(reg.URL)
	if bad != nil {
		bad = fmt.Errorf("add scopes: %w", bad)
	} else if msg := checkRegistryURL(reg.URL); msg != "" {
		bad = fmt.Errorf("add scopes: %s", msg)
	} else if !utf8.ValidString(reg.Name) {
		bad = errors.New("add scopes: the registry name is not valid UTF-8")
	}
	var scopes []string
	for _, s := range reg.Scopes {
		if s == "" || strings.TrimSpace(s) != s || !utf8.ValidString(s) {
			bad = cmp.Or(bad, fmt.Errorf("add scopes: %q is not a valid scope (a package name or a prefix of one, such as \"com.example\")", s))
		}
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	return edit(path, data, "add scopes for "+regurl.Redact(reg.URL), bad, func(root *tObj) []step {
		regs, ok := root.get(keyScopedRegistries).(*tArr)
		if !ok {
			if len(scopes) == 0 {
				return nil
			}
			return []step{{kind: stepInsert, key: keyScopedRegistries, idx: len(root.Members), val: &tArr{Elems: []any{newEntry(reg, scopes)}}}}
		}
		i := matchRegistry(regs, want)
		if i < 0 {
			if len(scopes) == 0 {
				return nil
			}
			return []step{{kind: stepInsert, at: path1(keyScopedRegistries), idx: len(regs.Elems), val: newEntry(reg, scopes)}}
		}
		entry := regs.Elems[i].(*tObj)
		have, ok := entry.get(keyScopes).(*tArr)
		if !ok {
			if len(scopes) == 0 {
				return nil
			}
			return []step{{kind: stepInsert, at: []any{keyScopedRegistries, i}, key: keyScopes, idx: len(entry.Members), val: strArr(scopes)}}
		}
		var steps []step
		n := len(have.Elems)
		for _, s := range scopes {
			if !slices.Contains(have.Elems, any(s)) {
				steps = append(steps, step{kind: stepInsert, at: []any{keyScopedRegistries, i, keyScopes}, idx: n, val: s})
				n++
			}
		}
		return steps
	})
}

// RemoveScopes removes the given scopes from every entry of
// "scopedRegistries" whose url equals url (after regurl.NormalizeURL). An
// entry this leaves with no scopes is removed, and so is an emptied
// "scopedRegistries" array, with its key. Data is returned unchanged when
// there is nothing to remove.
func RemoveScopes(path string, data []byte, url string, scopes []string) ([]byte, error) {
	want, bad := regurl.NormalizeURL(url)
	if bad != nil {
		bad = fmt.Errorf("remove scopes: %w", bad)
	}
	return edit(path, data, "remove scopes for "+regurl.Redact(url), bad, func(root *tObj) []step {
		regs, ok := root.get(keyScopedRegistries).(*tArr)
		if !ok {
			return nil
		}
		var steps []step
		left := len(regs.Elems)
		for i := len(regs.Elems) - 1; i >= 0; i-- {
			if !registryIs(regs.Elems[i], want) {
				continue
			}
			entry := regs.Elems[i].(*tObj)
			have, ok := entry.get(keyScopes).(*tArr)
			if !ok {
				continue
			}
			var gone []step
			for j := len(have.Elems) - 1; j >= 0; j-- {
				if s, _ := have.Elems[j].(string); slices.Contains(scopes, s) {
					gone = append(gone, step{kind: stepRemove, at: []any{keyScopedRegistries, i, keyScopes}, idx: j})
				}
			}
			switch {
			case len(gone) == 0:
			case len(gone) == len(have.Elems):
				steps = append(steps, step{kind: stepRemove, at: path1(keyScopedRegistries), idx: i})
				left--
			default:
				steps = append(steps, gone...)
			}
		}
		if left == 0 && len(steps) > 0 {
			return []step{{kind: stepRemove, idx: root.index(keyScopedRegistries)}}
		}
		return steps
	})
}

const (
	keyDependencies     = "dependencies"
	keyTestables        = "testables"
	keyScopedRegistries = "scopedRegistries"
	keyScopes           = "scopes"
)

func path1(key string) []any { return []any{key} }

// newEntry is a new scopedRegistries entry; an empty name is written as the
// URL's host, since Unity's UI requires a name.
func newEntry(reg ScopedRegistry, scopes []string) *tObj {
	name := reg.Name
	if name == "" {
		name = reg.URL
		if n, err := regurl.NormalizeURL(reg.URL); err == nil {
			name, _ = regurl.SplitNormalized(n)
			name = name[strings.Index(name, "://")+3:]
		}
	}
	return &tObj{Members: []tMember{{"name", name}, {"url", reg.URL}, {keyScopes, strArr(scopes)}}}
}

func strArr(ss []string) *tArr {
	a := &tArr{}
	for _, s := range ss {
		a.Elems = append(a.Elems, s)
	}
	return a
}

// registryIs reports whether a scopedRegistries element is an entry whose
// url normalises to want.
func registryIs(el any, want string) bool {
	o, ok := el.(*tObj)
	if !ok {
		return false
	}
	u, _ := o.get("url").(string)
	n, err := regurl.NormalizeURL(u)
	return err == nil && n == want
}

func matchRegistry(regs *tArr, want string) int {
	for i, el := range regs.Elems {
		if registryIs(el, want) {
			return i
		}
	}
	return -1
}

// The tree: a JSON document with object members in file order, so that
// comparing trees also compares key order. Strings are string, numbers
// tNum (their literal text), booleans bool, null nil.
type (
	tObj    struct{ Members []tMember }
	tMember struct {
		Key string
		Val any
	}
	tArr struct{ Elems []any }
	tNum string
)

func (o *tObj) index(key string) int {
	for i, m := range o.Members {
		if m.Key == key {
			return i
		}
	}
	return -1
}

func (o *tObj) get(key string) any {
	if i := o.index(key); i >= 0 {
		return o.Members[i].Val
	}
	return nil
}

func toTree(v *jsonpos.Value) any {
	switch v.Kind {
	case jsonpos.Object:
		o := &tObj{Members: make([]tMember, 0, len(v.Members))}
		for _, m := range v.Members {
			o.Members = append(o.Members, tMember{m.Key, toTree(m.Value)})
		}
		return o
	case jsonpos.Array:
		a := &tArr{Elems: make([]any, 0, len(v.Elems))}
		for _, e := range v.Elems {
			a.Elems = append(a.Elems, toTree(e))
		}
		return a
	case jsonpos.String:
		return v.Str
	case jsonpos.Number:
		return tNum(v.Str)
	case jsonpos.Bool:
		return v.Bool
	}
	return nil
}

// stepKind is a primitive change.
type stepKind int

const (
	// stepInsert inserts val at index idx of the container at: a member
	// named key into an object, an element into an array.
	stepInsert stepKind = iota
	// stepReplace replaces the value at index idx of the container at.
	stepReplace
	// stepRemove removes the member or element at index idx of the
	// container at.
	stepRemove
)

// step is one primitive change. at is the path from the root to the
// container: object keys (string) and array indexes (int).
type step struct {
	kind stepKind
	at   []any
	key  string
	idx  int
	val  any
}

// edit parses data, then returns bad (the arguments' error) if it is not
// nil, else plans steps with plan (on the input's tree; nil steps means
// nothing to do, data is returned as is), applies them and verifies the
// result. what names the change in errors.
func edit(path string, data []byte, what string, bad error, plan func(root *tObj) []step) ([]byte, error) {
	if _, err := Parse(path, data); err != nil {
		return nil, err
	}
	if bad != nil {
		return nil, bad
	}
	v, err := jsonpos.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: internal error: %w", what, err)
	}
	steps := plan(toTree(v).(*tObj))
	if len(steps) == 0 {
		return data, nil
	}
	st := detectStyle(data, v)
	want := toTree(v).(*tObj)
	out := data
	for _, s := range steps {
		cur, err := jsonpos.Parse(out)
		if err != nil {
			return nil, fmt.Errorf("%s: internal error: an intermediate edit does not parse: %w", what, err)
		}
		out, err = st.apply(out, cur, s)
		if err != nil {
			return nil, fmt.Errorf("%s: internal error: %w", what, err)
		}
		if err := applyTree(want, s); err != nil {
			return nil, fmt.Errorf("%s: internal error: %w", what, err)
		}
	}
	if err := verifyEdit(path, data, out, want); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// verifyEdit checks that out parses as a manifest, decodes to want exactly,
// and keeps data's byte order mark, final newline and line ending style.
func verifyEdit(path string, data, out []byte, want *tObj) error {
	const unchanged = "; the file was left unchanged"
	if _, err := Parse(path, out); err != nil {
		return fmt.Errorf("internal error: the edited manifest does not parse (%w)%s", err, unchanged)
	}
	got, err := jsonpos.Parse(out)
	if err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	if !reflect.DeepEqual(toTree(got), any(want)) {
		return errors.New("internal error: the edit would change other content" + unchanged)
	}
	if bytes.HasPrefix(data, bom) != bytes.HasPrefix(out, bom) ||
		bytes.HasSuffix(data, []byte("\n")) != bytes.HasSuffix(out, []byte("\n")) {
		return errors.New("internal error: the edit would change the file's encoding or line endings" + unchanged)
	}
	if crlfOnly(data) && lineEndings(out)&endLF != 0 || lfOnly(data) && lineEndings(out)&endCRLF != 0 {
		return errors.New("internal error: the edit would mix line endings" + unchanged)
	}
	return nil
}

var bom = []byte("\xEF\xBB\xBF")

// Line ending kinds found in a file, as a bit set.
const (
	endLF   = 1 << iota // "\n" without "\r" before it
	endCRLF             // "\r\n"
)

func lineEndings(b []byte) int {
	k := 0
	for i, c := range b {
		if c == '\n' {
			if i > 0 && b[i-1] == '\r' {
				k |= endCRLF
			} else {
				k |= endLF
			}
		}
	}
	return k
}

func crlfOnly(b []byte) bool { return lineEndings(b) == endCRLF }
func lfOnly(b []byte) bool   { return lineEndings(b) == endLF }

// applyTree applies s to the tree.
func applyTree(root *tObj, s step) error {
	var c any = root
	for _, p := range s.at {
		switch k := p.(type) {
		case string:
			o, ok := c.(*tObj)
			if !ok || o.index(k) < 0 {
				return fmt.Errorf("no member %q on the path", k)
			}
			c = o.get(k)
		case int:
			a, ok := c.(*tArr)
			if !ok || k >= len(a.Elems) {
				return fmt.Errorf("no element %d on the path", k)
			}
			c = a.Elems[k]
		}
	}
	switch c := c.(type) {
	case *tObj:
		switch s.kind {
		case stepInsert:
			c.Members = slices.Insert(c.Members, s.idx, tMember{s.key, s.val})
		case stepReplace:
			c.Members[s.idx].Val = s.val
		case stepRemove:
			c.Members = slices.Delete(c.Members, s.idx, s.idx+1)
		}
	case *tArr:
		switch s.kind {
		case stepInsert:
			c.Elems = slices.Insert(c.Elems, s.idx, s.val)
		case stepReplace:
			c.Elems[s.idx] = s.val
		case stepRemove:
			c.Elems = slices.Delete(c.Elems, s.idx, s.idx+1)
		}
	default:
		return errors.New("the path does not lead to an object or array")
	}
	return nil
}

// style is how the file is written.
type style struct {
	eol     string // the first line ending, "\n" when there is none
	unit    string // one level of indentation
	oneLine bool   // the root object is written on one line (and is not empty)
	colon   string // between a key and its value: ": " or ":"
	comma   string // between inline items: ", " or ","
}

func detectStyle(data []byte, root *jsonpos.Value) style {
	st := style{eol: "\n", unit: "  ", colon: ": ", comma: ", "}
	if i := bytes.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' {
		st.eol = "\r\n"
	}
	st.oneLine = len(root.Members) > 0 && !bytes.Contains(data[root.Offset:root.End], []byte("\n"))
	if len(root.Members) > 0 {
		m := root.Members[0]
		if sep := data[stringEnd(data, m.KeyOffset):m.Value.Offset]; !bytes.ContainsAny(sep, "\r\n") {
			st.colon = string(sep)
			if !bytes.HasSuffix(sep, []byte(" ")) {
				st.comma = ","
			}
		}
	}
	if u := findUnit(data, root); u != "" {
		st.unit = u
	}
	return st
}

// findUnit returns the indentation unit: the extra indentation of the first
// item (in document order) written on its own line, over its container's
// line; "" when no item is.
func findUnit(data []byte, v *jsonpos.Value) string {
	starts := itemStarts(v)
	if len(starts) > 0 && ownLine(data, starts[0]) {
		outer, inner := lineIndent(data, v.Offset), lineIndent(data, starts[0])
		if u, ok := strings.CutPrefix(inner, outer); ok && u != "" {
			return u
		}
	}
	for _, c := range children(v) {
		if u := findUnit(data, c); u != "" {
			return u
		}
	}
	return ""
}

func children(v *jsonpos.Value) []*jsonpos.Value {
	if v.Kind == jsonpos.Array {
		return v.Elems
	}
	var out []*jsonpos.Value
	for _, m := range v.Members {
		out = append(out, m.Value)
	}
	return out
}

// itemStarts returns where each member (its key) or element starts.
func itemStarts(v *jsonpos.Value) []int {
	var out []int
	if v.Kind == jsonpos.Array {
		for _, e := range v.Elems {
			out = append(out, e.Offset)
		}
		return out
	}
	for _, m := range v.Members {
		out = append(out, m.KeyOffset)
	}
	return out
}

// itemEnds returns where each member or element ends.
func itemEnds(v *jsonpos.Value) []int {
	var out []int
	for _, c := range children(v) {
		out = append(out, c.End)
	}
	return out
}

// stringEnd returns the offset just past the JSON string starting at off.
func stringEnd(data []byte, off int) int {
	for i := off + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data)
}

func lineStart(data []byte, off int) int {
	return bytes.LastIndexByte(data[:off], '\n') + 1
}

// lineIndent is the leading white space of the line holding off.
func lineIndent(data []byte, off int) string {
	s := lineStart(data, off)
	e := s
	for e < len(data) && (data[e] == ' ' || data[e] == '\t') {
		e++
	}
	if bytes.HasPrefix(data[s:e], bom) {
		s += len(bom)
	}
	return string(data[s:e])
}

// ownLine reports whether only white space precedes off on its line.
func ownLine(data []byte, off int) bool {
	s := lineStart(data, off)
	if s == 0 && bytes.HasPrefix(data, bom) {
		s = len(bom)
	}
	return len(bytes.Trim(data[s:off], " \t")) == 0
}

// endsLine reports whether only white space and a comma follow off on its
// line (or in the file, on its last line).
func endsLine(data []byte, off int) bool {
	rest := data[off:]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	return len(bytes.Trim(rest, " \t\r,")) == 0
}

// apply applies one step to data, whose parsed tree is root.
func (st style) apply(data []byte, root *jsonpos.Value, s step) ([]byte, error) {
	c := root
	for _, p := range s.at {
		switch k := p.(type) {
		case string:
			var next *jsonpos.Value
			if c.Kind == jsonpos.Object {
				for _, m := range c.Members {
					if m.Key == k {
						next = m.Value
						break
					}
				}
			}
			if next == nil {
				return nil, fmt.Errorf("no member %q on the path", k)
			}
			c = next
		case int:
			if c.Kind != jsonpos.Array || k >= len(c.Elems) {
				return nil, fmt.Errorf("no element %d on the path", k)
			}
			c = c.Elems[k]
		}
	}
	if c.Kind != jsonpos.Object && c.Kind != jsonpos.Array {
		return nil, errors.New("the path does not lead to an object or array")
	}
	switch s.kind {
	case stepInsert:
		return st.insert(data, c, s.idx, s.key, s.val), nil
	case stepReplace:
		v := children(c)[s.idx]
		return splice(data, v.Offset, v.End, st.render(s.val, lineIndent(data, v.Offset), !st.multiLine(data, c))), nil
	case stepRemove:
		return remove(data, c, s.idx), nil
	}
	return nil, fmt.Errorf("unknown step %d", s.kind)
}

// multiLine reports whether the container c is written over lines. An empty
// one is expanded over lines when it ends its line (Unity's layout), unless
// the file is written on one line.
func (st style) multiLine(data []byte, c *jsonpos.Value) bool {
	if len(children(c)) == 0 {
		return !st.oneLine && endsLine(data, c.End)
	}
	return bytes.Contains(data[c.Offset:c.End], []byte("\n"))
}

// insert adds a member (key, val) or an element val at index idx of c.
func (st style) insert(data []byte, c *jsonpos.Value, idx int, key string, val any) []byte {
	starts, ends := itemStarts(c), itemEnds(c)
	n := len(starts)
	item := func(indent string, inline bool) string {
		text := st.render(val, indent, inline)
		if c.Kind == jsonpos.Object {
			text = quote(key) + st.colon + text
		}
		return text
	}
	switch {
	case n == 0 && st.multiLine(data, c):
		outer := lineIndent(data, c.Offset)
		inner := outer + st.unit
		return splice(data, c.Offset+1, c.End-1, st.eol+inner+item(inner, false)+st.eol+outer)
	case n == 0:
		return splice(data, c.Offset+1, c.End-1, item("", true))
	case idx < n && ownLine(data, starts[idx]):
		indent := lineIndent(data, starts[idx])
		ls := lineStart(data, starts[idx])
		return splice(data, ls, ls, indent+item(indent, false)+","+st.eol)
	case idx < n:
		return splice(data, starts[idx], starts[idx], item("", true)+st.comma)
	case ownLine(data, starts[n-1]):
		indent := lineIndent(data, starts[n-1])
		return splice(data, ends[n-1], ends[n-1], ","+st.eol+indent+item(indent, false))
	}
	return splice(data, ends[n-1], ends[n-1], st.comma+item("", true))
}

// remove removes the member or element at index idx of c.
func remove(data []byte, c *jsonpos.Value, idx int) []byte {
	starts, ends := itemStarts(c), itemEnds(c)
	n := len(starts)
	switch {
	case n == 1:
		return splice(data, c.Offset+1, c.End-1, "")
	case idx < n-1 && ownLine(data, starts[idx]) && ownLine(data, starts[idx+1]):
		return splice(data, lineStart(data, starts[idx]), lineStart(data, starts[idx+1]), "")
	case idx < n-1:
		return splice(data, starts[idx], starts[idx+1], "")
	}
	return splice(data, ends[idx-1], ends[idx], "")
}

func splice(data []byte, start, end int, text string) []byte {
	out := make([]byte, 0, len(data)-(end-start)+len(text))
	out = append(out, data[:start]...)
	out = append(out, text...)
	return append(out, data[end:]...)
}

// render writes a tree value at indentation indent (the indentation of the
// line it starts on): inline on one line, or over lines in the file's style.
func (st style) render(v any, indent string, inline bool) string {
	var items []string
	var open, close string
	switch v := v.(type) {
	case string:
		return quote(v)
	case tNum:
		return string(v)
	case bool:
		if v {
			return "true"
		}
		return "false"
	case nil:
		return "null"
	case *tObj:
		open, close = "{", "}"
		for _, m := range v.Members {
			items = append(items, quote(m.Key)+st.colon+st.render(m.Val, indent+st.unit, inline))
		}
	case *tArr:
		open, close = "[", "]"
		for _, e := range v.Elems {
			items = append(items, st.render(e, indent+st.unit, inline))
		}
	}
	switch {
	case len(items) == 0:
		return open + close
	case inline:
		return open + strings.Join(items, st.comma) + close
	}
	inner := indent + st.unit
	return open + st.eol + inner + strings.Join(items, ","+st.eol+inner) + st.eol + indent + close
}

// quote writes s as a JSON string. <, > and & stay as they are, unlike
// json.Marshal's default.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
