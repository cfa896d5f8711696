package upmconfig

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/upkg/upkg/internal/atomicfile"
	"github.com/upkg/upkg/internal/regurl"
)

// The editor changes one npmAuth entry or one top-level key and keeps every
// other byte: comments, blank lines, key order and quoting, unknown keys, line
// endings, a missing final newline. It never parses TOML itself: go-toml's
// parser supplies the byte ranges of headers, keys and values (scan.go), and
// the editor splices bytes around them.
//
// Each function below checks its input first (a malformed file is a
// *ParseError, without File: callers know the path) and, before returning,
// re-parses its output and compares the decoded document with the decoded
// input plus the intended change. Any other difference is an error and no
// output is returned, so a bug here cannot lose or invent data.
//
// Line endings: the editor writes the line ending of the file's first line.
//
// Removal rule, for RemoveAuth and UnsetKey: a key/value goes with its whole
// lines (comments around it stay). A table owns the comment lines directly
// above its header (no blank line between) and everything up to the next
// header, except the comment lines directly above that next header, which
// belong to the next table. So removing [npmAuth."…"] removes its comment
// block, its header, its lines and the comment and blank lines after them, up
// to the next table's comment block or the end of the file. A comment block
// that starts on the first line of the file is taken for a file header and
// kept. Sub-tables ([npmAuth."…".x]) go with their entry. Blank lines where
// the text was cut are collapsed to at most one, and to none at the start or
// end of the file.

// AuthUpdate says what SetAuth changes in one npmAuth entry.
type AuthUpdate struct {
	// Token, when set, stores token and removes the entry's _auth.
	Token *string
	// Basic, when set, stores _auth and removes the entry's token.
	Basic *string
	// Email: nil leaves it as is, a pointer to "" removes it.
	Email *string
	// AlwaysAuth: nil leaves it as is. false is written only over an
	// existing alwaysAuth key (absent means false).
	AlwaysAuth *bool
}

// SetAuth adds or changes the npmAuth entry for registry and returns the new
// content. The entry changed is the one whose key is written exactly like
// registry, else the first whose key normalises equal to it (NormalizeURL); its
// key text is kept. A token replacing an _auth (or the reverse) takes its line.
// New keys go right after the entry's last key/value line. A new entry is
// appended at the end of the file as [npmAuth."<registry>"], after one blank
// line. Entries written as inline tables cannot be edited: that is an error.
func SetAuth(data []byte, registry string, u AuthUpdate) ([]byte, error) {
	if u.Token != nil && u.Basic != nil {
		return nil, errors.New("set either token or _auth, not both")
	}
	if _, err := regurl.NormalizeURL(registry); err != nil {
		return nil, fmt.Errorf("npmAuth key: %w", err)
	}
	// Say which field is bad, never its value.
	for _, v := range []struct {
		name string
		val  *string
	}{{"npmAuth key", &registry}, {fieldToken, u.Token}, {fieldBasic, u.Basic}, {fieldEmail, u.Email}} {
		if v.val != nil && !utf8.ValidString(*v.val) {
			return nil, fmt.Errorf("the %s is not valid UTF-8", v.name)
		}
	}
	d, err := parseDoc("", data, false)
	if err != nil {
		return nil, err
	}
	name, found := findEntry(d.file.NpmAuth, registry)
	var out []byte
	if found {
		out, err = updateEntry(data, name, u)
	} else {
		name = registry
		out, err = appendEntry(d, registry, u)
	}
	if err != nil {
		return nil, err
	}
	err = verifyEdit(d, out, func(m map[string]any) {
		na, _ := m[keyNpmAuth].(map[string]any)
		if na == nil {
			na = map[string]any{}
			m[keyNpmAuth] = na
		}
		e, _ := na[name].(map[string]any)
		if e == nil {
			e = map[string]any{}
			na[name] = e
		}
		if u.Token != nil {
			e[fieldToken] = *u.Token
			delete(e, fieldBasic)
		}
		if u.Basic != nil {
			e[fieldBasic] = *u.Basic
			delete(e, fieldToken)
		}
		if u.Email != nil {
			if *u.Email == "" {
				delete(e, fieldEmail)
			} else {
				e[fieldEmail] = *u.Email
			}
		}
		if u.AlwaysAuth != nil {
			if _, ok := e[fieldAlwaysAuth]; ok || *u.AlwaysAuth {
				e[fieldAlwaysAuth] = *u.AlwaysAuth
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("update the npmAuth entry for %s: %w", regurl.Redact(name), err)
	}
	return out, nil
}

// RemoveAuth removes the npmAuth entries for registry: the one written exactly
// like it and every one whose key normalises equal to it, so that no stale
// credential for that registry is left behind. It removes their tables,
// sub-tables and dotted keys (see the removal rule above). removed is false,
// and out is data, when there is no such entry.
func RemoveAuth(data []byte, registry string) (out []byte, removed bool, err error) {
	d, err := parseDoc("", data, false)
	if err != nil {
		return nil, false, err
	}
	names := map[string]bool{}
	reg, regErr := regurl.NormalizeURL(registry)
	for _, a := range d.file.NpmAuth {
		if a.Registry == registry {
			names[a.Registry] = true
		} else if n, err := regurl.NormalizeURL(a.Registry); err == nil && regErr == nil && n == reg {
			names[a.Registry] = true
		}
	}
	if len(names) == 0 {
		return data, false, nil
	}
	for n := range names {
		if inlineParent(d, n) {
			return nil, false, inlineError(n)
		}
	}
	var cuts []edit
	for _, r := range removalRegions(d, names) {
		cuts = append(cuts, d.cutLines(r[0], r[1])...)
	}
	out = d.splice(mergeCuts(cuts)...)
	err = verifyEdit(d, out, func(m map[string]any) {
		if na, ok := m[keyNpmAuth].(map[string]any); ok {
			for n := range names {
				delete(na, n)
			}
		}
	})
	if err != nil {
		return nil, false, fmt.Errorf("remove the npmAuth entry for %s: %w", regurl.Redact(registry), err)
	}
	return out, true, nil
}

// SetKey sets a top-level key to a string or an integer (int or int64). An
// existing key keeps its line and only its value changes. A new key goes after
// the last top-level key, or, when there is none, before the first table
// header (and the comment lines directly above it) followed by a blank line,
// or at the end of a file without tables.
func SetKey(data []byte, key string, value any) ([]byte, error) {
	if err := checkTopKey(key); err != nil {
		return nil, err
	}
	var text string
	var want any
	switch v := value.(type) {
	case string:
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("the value of %s is not valid UTF-8", formatKey([]string{key}))
		}
		text, want = quoteBasic(v), v
	case int64:
		text, want = strconv.FormatInt(v, 10), v
	case int:
		text, want = strconv.Itoa(v), int64(v)
	default:
		return nil, fmt.Errorf("the value of %s must be a string or an integer, not %T", formatKey([]string{key}), value)
	}
	d, err := parseDoc("", data, false)
	if err != nil {
		return nil, err
	}
	var out []byte
	if i := topKey(d, key); i >= 0 {
		e := &d.exprs[i]
		out = d.splice(edit{e.val.start, e.val.end, text})
	} else {
		if _, ok := d.tree[key]; ok {
			return nil, fmt.Errorf("%s is a table or a dotted key in this file; edit it by hand", formatKey([]string{key}))
		}
		out = d.insertTopLine(formatKey([]string{key}) + " = " + text)
	}
	if err := verifyEdit(d, out, func(m map[string]any) { m[key] = want }); err != nil {
		return nil, fmt.Errorf("set %s: %w", formatKey([]string{key}), err)
	}
	return out, nil
}

// UnsetKey removes a top-level key and its line(s). removed is false, and out
// is data, when the key is not there.
func UnsetKey(data []byte, key string) (out []byte, removed bool, err error) {
	if err := checkTopKey(key); err != nil {
		return nil, false, err
	}
	d, err := parseDoc("", data, false)
	if err != nil {
		return nil, false, err
	}
	i := topKey(d, key)
	if i < 0 {
		return data, false, nil
	}
	out = d.removeLines(d.exprs[i].lineStart, d.exprs[i].lineEnd)
	if err := verifyEdit(d, out, func(m map[string]any) { delete(m, key) }); err != nil {
		return nil, false, fmt.Errorf("unset %s: %w", formatKey([]string{key}), err)
	}
	return out, true, nil
}

// Save writes a configuration file atomically with mode 0600: it holds
// credentials (UPM-SPEC §1). Missing folders are created.
func Save(path string, data []byte) error {
	return atomicfile.WriteFile(path, data, 0o600)
}

func checkTopKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty key")
	case key == keyNpmAuth:
		return errors.New("npmAuth is a table of registries; use SetAuth/RemoveAuth")
	case !utf8.ValidString(key):
		return errors.New("the key is not valid UTF-8")
	}
	return nil
}

func inlineError(name string) error {
	return fmt.Errorf("the npmAuth entry for %s is an inline table; edit it by hand or convert it to a [npmAuth.\"…\"] table", regurl.Redact(name))
}

// findEntry picks the entry for registry: the key written exactly like it,
// else the first key that normalises equal.
func findEntry(auths []Auth, registry string) (string, bool) {
	for _, a := range auths {
		if a.Registry == registry {
			return a.Registry, true
		}
	}
	reg, err := regurl.NormalizeURL(registry)
	if err != nil {
		return "", false
	}
	for _, a := range auths {
		if n, err := regurl.NormalizeURL(a.Registry); err == nil && n == reg {
			return a.Registry, true
		}
	}
	return "", false
}

// updateEntry applies u to the existing entry name, one change at a time,
// re-scanning between changes so that every change sees current offsets.
func updateEntry(data []byte, name string, u AuthUpdate) ([]byte, error) {
	cur := data
	step := func(f func(d *doc, l entryLayout) []byte) error {
		d, err := parseDoc("", cur, false)
		if err != nil {
			return fmt.Errorf("internal error: %w", err)
		}
		l := layoutOf(d, name)
		if l.inline {
			return inlineError(name)
		}
		if out := f(d, l); out != nil {
			cur = out
		}
		return nil
	}
	set := func(field, text string) func(d *doc, l entryLayout) []byte {
		return func(d *doc, l entryLayout) []byte {
			if i, ok := l.fields[field]; ok {
				e := &d.exprs[i]
				return d.splice(edit{e.val.start, e.val.end, text})
			}
			return d.insertField(l, name, field, text)
		}
	}
	remove := func(field string) func(d *doc, l entryLayout) []byte {
		return func(d *doc, l entryLayout) []byte {
			if i, ok := l.fields[field]; ok {
				return d.removeLines(d.exprs[i].lineStart, d.exprs[i].lineEnd)
			}
			return nil
		}
	}
	// secret stores token or _auth; an existing key of the other kind is
	// renamed in place, so the credential keeps its line.
	secret := func(field, other, val string) error {
		err := step(func(d *doc, l entryLayout) []byte {
			_, has := l.fields[field]
			if i, ok := l.fields[other]; ok && !has {
				e := &d.exprs[i]
				k := e.keys[len(e.keys)-1]
				return d.splice(edit{k.start, k.end, field}, edit{e.val.start, e.val.end, quoteBasic(val)})
			}
			return set(field, quoteBasic(val))(d, l)
		})
		if err != nil {
			return err
		}
		return step(remove(other))
	}
	var steps []func() error
	if u.Token != nil {
		steps = append(steps, func() error { return secret(fieldToken, fieldBasic, *u.Token) })
	}
	if u.Basic != nil {
		steps = append(steps, func() error { return secret(fieldBasic, fieldToken, *u.Basic) })
	}
	if u.Email != nil {
		if *u.Email == "" {
			steps = append(steps, func() error { return step(remove(fieldEmail)) })
		} else {
			steps = append(steps, func() error { return step(set(fieldEmail, quoteBasic(*u.Email))) })
		}
	}
	if u.AlwaysAuth != nil {
		text := strconv.FormatBool(*u.AlwaysAuth)
		steps = append(steps, func() error {
			return step(func(d *doc, l entryLayout) []byte {
				if _, ok := l.fields[fieldAlwaysAuth]; !ok && !*u.AlwaysAuth {
					return nil // absent already means false
				}
				return set(fieldAlwaysAuth, text)(d, l)
			})
		})
	}
	if len(steps) == 0 {
		// Nothing to change, but an inline entry is refused all the same.
		steps = append(steps, func() error { return step(func(*doc, entryLayout) []byte { return nil }) })
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// appendEntry writes a new [npmAuth."registry"] table at the end.
func appendEntry(d *doc, registry string, u AuthUpdate) ([]byte, error) {
	for i := range d.exprs {
		e := &d.exprs[i]
		if e.kind == unstable.KeyValue && len(e.table) == 0 && len(e.keys) == 1 && e.keys[0].name == keyNpmAuth {
			// npmAuth = { … } cannot be extended by a table header.
			return nil, inlineError(registry)
		}
	}
	lines := []string{"[" + keyNpmAuth + "." + quoteBasic(registry) + "]"}
	if u.Token != nil {
		lines = append(lines, fieldToken+" = "+quoteBasic(*u.Token))
	}
	if u.Basic != nil {
		lines = append(lines, fieldBasic+" = "+quoteBasic(*u.Basic))
	}
	if u.Email != nil && *u.Email != "" {
		lines = append(lines, fieldEmail+" = "+quoteBasic(*u.Email))
	}
	if u.AlwaysAuth != nil && *u.AlwaysAuth {
		lines = append(lines, fieldAlwaysAuth+" = true")
	}
	return d.appendBlock(lines), nil
}

// entryLayout is where one npmAuth entry is written.
type entryLayout struct {
	header int            // the [npmAuth."name"] header, or -1
	lastKV int            // the entry's last own key/value line, or -1
	dotted bool           // lastKV is a dotted key ("name".token under [npmAuth] or at the top)
	fields map[string]int // own keys (token, email, …) → expression
	inline bool           // the entry is, or is inside, an inline table
}

func layoutOf(d *doc, name string) entryLayout {
	l := entryLayout{header: -1, lastKV: -1, fields: map[string]int{}}
	for i := range d.exprs {
		e := &d.exprs[i]
		p := e.path()
		if p[0] != keyNpmAuth {
			continue
		}
		if e.kind == unstable.KeyValue && len(p) == 1 {
			for _, f := range e.val.fields {
				if f.keys[0].name == name {
					l.inline = true
				}
			}
			continue
		}
		if len(p) < 2 || p[1] != name {
			continue
		}
		switch {
		case e.kind == unstable.Table && len(p) == 2:
			l.header = i
		case e.kind != unstable.KeyValue:
			// A sub-table: not the entry's own lines.
		case len(p) == 2:
			l.inline = true // npmAuth."name" = { … }
		case len(e.table) == 2:
			l.lastKV, l.dotted = i, false
		case len(e.table) < 2:
			l.lastKV, l.dotted = i, true
		}
		if e.kind == unstable.KeyValue && len(p) == 3 && len(e.table) <= 2 {
			l.fields[p[2]] = i
		}
	}
	return l
}

// inlineParent reports whether entry name sits inside npmAuth = { … }.
func inlineParent(d *doc, name string) bool {
	for i := range d.exprs {
		e := &d.exprs[i]
		if e.kind != unstable.KeyValue {
			continue
		}
		if p := e.path(); len(p) == 1 && p[0] == keyNpmAuth {
			for _, f := range e.val.fields {
				if f.keys[0].name == name {
					return true
				}
			}
		}
	}
	return false
}

// insertField adds "field = text" to an existing entry: after its last own
// key/value line (with the same indentation, and the same dotted prefix for
// the dotted shape), else right after its header, else, when the entry only
// exists through sub-tables, as a new table at the end.
func (d *doc) insertField(l entryLayout, name, field, text string) []byte {
	switch {
	case l.lastKV >= 0:
		e := &d.exprs[l.lastKV]
		key := field
		if l.dotted {
			// The entry's part sits at path index 1: keys[0] under [npmAuth],
			// keys[1] at the top level (npmAuth."name".token).
			xi := 1 - len(e.table)
			key = string(d.body[e.keys[0].start:e.keys[xi].end]) + "." + field
		}
		return d.insertLine(e.lineEnd, indentOf(d.body[e.lineStart:])+key+" = "+text)
	case l.header >= 0:
		return d.insertLine(d.exprs[l.header].lineEnd, field+" = "+text)
	}
	return d.appendBlock([]string{"[" + keyNpmAuth + "." + quoteBasic(name) + "]", field + " = " + text})
}

// removalRegions returns the regions of the file that belong to the named
// entries: each run of their table headers with everything under them (see
// the removal rule), and each of their key/value lines outside those tables.
// Every region starts and ends with a non-blank line.
func removalRegions(d *doc, names map[string]bool) [][2]int {
	isEntry := func(e *expr) bool {
		p := e.path()
		return len(p) >= 2 && p[0] == keyNpmAuth && names[p[1]]
	}
	var regions [][2]int
	var headers []int
	for i := range d.exprs {
		if d.exprs[i].kind != unstable.KeyValue {
			headers = append(headers, i)
		}
	}
	for h, i := range headers {
		if !isEntry(&d.exprs[i]) || (h > 0 && isEntry(&d.exprs[headers[h-1]])) {
			continue // not ours, or inside the run of the header before
		}
		j := h + 1
		for j < len(headers) && isEntry(&d.exprs[headers[j]]) {
			j++
		}
		// The run's text ends with its last expression; what follows up to
		// the next header is blank or comment lines.
		end, bound := len(d.body), d.exprs[len(d.exprs)-1].lineEnd
		if j < len(headers) {
			end = d.exprs[headers[j]].lineStart
			bound = d.exprs[headers[j]-1].lineEnd
			end = d.commentsAbove(end, bound)
		}
		end = d.blanksAbove(end, bound)
		start := d.exprs[i].lineStart
		prevEnd := 0
		if i > 0 {
			prevEnd = d.exprs[i-1].lineEnd
		}
		if own := d.commentsAbove(start, prevEnd); own > 0 {
			start = own // the table's own comment block (not a file header)
		}
		regions = append(regions, [2]int{start, end})
	}
	for i := range d.exprs {
		e := &d.exprs[i]
		if e.kind == unstable.KeyValue && len(e.table) < 2 && isEntry(e) {
			regions = append(regions, [2]int{e.lineStart, e.lineEnd})
		}
	}
	return regions
}

// topKey finds the top-level key/value "key = …".
func topKey(d *doc, key string) int {
	for i := range d.exprs {
		e := &d.exprs[i]
		if e.kind != unstable.KeyValue {
			break // top-level keys come before the first header
		}
		if len(e.keys) == 1 && e.keys[0].name == key {
			return i
		}
	}
	return -1
}

// insertTopLine adds a top-level key line: after the last top-level key,
// else above the first header (and the comment lines directly above it),
// else at the end.
func (d *doc) insertTopLine(line string) []byte {
	last := -1
	for i := range d.exprs {
		e := &d.exprs[i]
		if e.kind != unstable.KeyValue {
			pos := d.commentsAbove(e.lineStart, 0)
			if last >= 0 {
				break
			}
			return d.splice(edit{pos, pos, line + d.eol + d.eol})
		}
		last = i
	}
	if last >= 0 {
		e := &d.exprs[last]
		return d.insertLine(e.lineEnd, indentOf(d.body[e.lineStart:])+line)
	}
	return d.insertLine(len(d.body), line)
}

// edit replaces body[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// splice applies non-overlapping edits to the body and returns the whole new
// file, BOM included.
func (d *doc) splice(edits ...edit) []byte {
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	out := make([]byte, 0, len(d.bom)+len(d.body)+64)
	out = append(out, d.bom...)
	pos := 0
	for _, e := range edits {
		out = append(out, d.body[pos:e.start]...)
		out = append(out, e.text...)
		pos = e.end
	}
	return append(out, d.body[pos:]...)
}

// insertLine inserts one line at pos, a line start (or the end of the body).
// A last line without a line ending gets one first.
func (d *doc) insertLine(pos int, line string) []byte {
	text := line + d.eol
	if pos == len(d.body) && pos > 0 && d.body[pos-1] != '\n' {
		text = d.eol + text
	}
	return d.splice(edit{pos, pos, text})
}

// appendBlock appends lines at the end of the file, after one blank line
// unless the file is empty or already ends with a blank line.
func (d *doc) appendBlock(lines []string) []byte {
	b := d.body
	sep := ""
	switch {
	case len(b) == 0:
	case b[len(b)-1] != '\n':
		sep = d.eol + d.eol
	case !isBlank(b[lineStart(b, len(b)-1):]):
		sep = d.eol
	}
	return d.splice(edit{len(b), len(b), sep + strings.Join(lines, d.eol) + d.eol})
}

// removeLines removes body[s:e], whole lines starting and ending with a
// non-blank one, and collapses the blank lines around the cut (cutLines).
func (d *doc) removeLines(s, e int) []byte {
	return d.splice(d.cutLines(s, e)...)
}

// cutLines returns the edits that remove body[s:e] and collapse the blank
// lines around it to at most one (none at the start or end of the file). The
// first blank line is the one kept, so its bytes stay as they were. Cuts of
// several regions computed on the same body can be merged (mergeCuts): two
// regions with blank lines between them both see those lines and agree on
// the one to keep.
func (d *doc) cutLines(s, e int) []edit {
	b := d.body
	ps := s
	for ps > 0 {
		ls := lineStart(b, ps-1)
		if !isBlank(b[ls:ps]) {
			break
		}
		ps = ls
	}
	pe := e
	for pe < len(b) {
		le := lineEnd(b, pe)
		if !isBlank(b[pe:le]) {
			break
		}
		pe = le
	}
	switch {
	case ps == 0 || pe == len(b):
		return []edit{{ps, pe, ""}}
	case ps < s:
		return []edit{{lineEnd(b, ps), pe, ""}}
	case e < pe:
		return []edit{{s, e, ""}, {lineEnd(b, e), pe, ""}}
	}
	return []edit{{s, e, ""}}
}

// mergeCuts turns possibly overlapping removals into disjoint ones.
func mergeCuts(cuts []edit) []edit {
	slices.SortFunc(cuts, func(a, b edit) int { return a.start - b.start })
	var out []edit
	for _, c := range cuts {
		if n := len(out); n > 0 && c.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, c.end)
			continue
		}
		out = append(out, c)
	}
	return out
}

// commentsAbove moves pos, a line start, up over the comment lines directly
// above it, but not above bound (the end of the previous expression: a line of
// a multi-line string may start with '#').
func (d *doc) commentsAbove(pos, bound int) int {
	for pos > bound {
		ls := lineStart(d.body, pos-1)
		if ls < bound || !isComment(d.body[ls:pos]) {
			break
		}
		pos = ls
	}
	return pos
}

// blanksAbove moves pos, a line start, up over blank lines, not above bound.
func (d *doc) blanksAbove(pos, bound int) int {
	for pos > bound {
		ls := lineStart(d.body, pos-1)
		if ls < bound || !isBlank(d.body[ls:pos]) {
			break
		}
		pos = ls
	}
	return pos
}

func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func isComment(line []byte) bool {
	t := strings.TrimLeft(string(line), " \t")
	return strings.HasPrefix(t, "#")
}

func indentOf(line []byte) string {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return string(line[:i])
}

// quoteBasic writes s as a TOML basic string.
func quoteBasic(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// verifyEdit re-parses out and checks that it decodes to the original
// document with exactly the change expect makes, nothing else.
func verifyEdit(orig *doc, out []byte, expect func(map[string]any)) error {
	var want map[string]any
	if err := toml.Unmarshal(orig.body, &want); err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	if want == nil {
		want = map[string]any{}
	}
	expect(want)
	got, err := parseDoc("", out, false)
	if err != nil {
		return fmt.Errorf("internal error: the edited text does not parse (%w); the file was left unchanged", err)
	}
	if !treeEqual(dropEmptyNpmAuth(want), dropEmptyNpmAuth(got.tree)) {
		return errors.New("internal error: the edit would change other content; the file was left unchanged")
	}
	return nil
}

// dropEmptyNpmAuth treats an empty npmAuth table like a missing one: removing
// the last [npmAuth."…"] table also removes the implicit npmAuth table.
func dropEmptyNpmAuth(m map[string]any) map[string]any {
	if na, ok := m[keyNpmAuth].(map[string]any); ok && len(na) == 0 {
		delete(m, keyNpmAuth)
	}
	return m
}

// treeEqual is reflect.DeepEqual for decoded TOML, except that NaN equals NaN.
func treeEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !treeEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !treeEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (x != x && y != y))
	}
	return reflect.DeepEqual(a, b)
}
