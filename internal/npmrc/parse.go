package npmrc

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// parse reads every line of data into p.
func (p *parser) parse(data []byte) error {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return p.errorf(1, 1, "the file is UTF-16 encoded; save it as UTF-8")
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	text := string(data)
	line := 0
	for len(text) > 0 {
		line++
		i := strings.IndexAny(text, "\r\n")
		cur, next := text, ""
		if i >= 0 {
			cur, next = text[:i], text[i+1:]
			if text[i] == '\r' && strings.HasPrefix(next, "\n") {
				next = next[1:]
			}
		}
		if err := p.line(line, cur); err != nil {
			return err
		}
		text = next
	}
	return nil
}

// column turns a byte offset in line into a 1-based rune column.
func column(line string, off int) int {
	return utf8.RuneCountInString(line[:off]) + 1
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

// line parses one line (without its line ending).
func (p *parser) line(n int, s string) error {
	start := len(s) - len(strings.TrimLeftFunc(s, isSpace))
	content := strings.TrimRightFunc(s[start:], isSpace)
	if content == "" || content[0] == '#' || content[0] == ';' {
		return nil
	}
	if name, ok := sectionHeader(content); ok {
		p.section, p.inSection = name, true
		p.warnf(n, "section [%s] ignored: npm does not read keys inside ini sections, so the keys after it are not imported", name)
		return nil
	}
	eq := strings.IndexByte(s, '=')
	if eq < 0 {
		return p.errorf(n, column(s, start), "expected key=value (no '=' on this line)")
	}
	key, keyStart, perr := unquote(s, 0, eq)
	if perr != nil {
		return p.errorf(n, column(s, perr.off), "key: %s", perr.msg)
	}
	if key == "" {
		return p.errorf(n, column(s, keyStart), "missing key before '='")
	}
	val, valStart, perr := unquote(s, eq+1, len(s))
	if perr != nil {
		return p.errorf(n, column(s, perr.off), "value of %s: %s", key, perr.msg)
	}

	if p.inSection {
		if authRelevant(key) {
			p.warnf(n, "%s ignored: it is inside section [%s], which npm does not read", key, p.section)
		}
		return nil
	}

	key, _, _ = p.expand(key, n, "a key")
	val, unset, literal := p.expand(val, n, "the value of "+key)
	p.apply(entry{key: key, val: val, line: n, col: column(s, valStart), unset: unset, literal: literal})
	return nil
}

// sectionHeader reports whether the trimmed line is "[name]", optionally
// followed by a comment.
func sectionHeader(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return "", false
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return "", false
	}
	rest := strings.TrimLeftFunc(s[end+1:], isSpace)
	if rest != "" && rest[0] != '#' && rest[0] != ';' {
		return "", false
	}
	return s[1:end], true
}

// authRelevant reports whether a key would matter to the import.
func authRelevant(key string) bool {
	return key == "registry" || strings.HasPrefix(key, "//") || isAuthField(key) ||
		(strings.HasPrefix(key, "@") && strings.HasSuffix(key, ":registry")) || tlsKey(key) != ""
}

// tlsKey returns a note for TLS settings that the import leaves out.
func tlsKey(key string) string {
	switch key {
	case "certfile", "keyfile":
		return "client certificates are not supported by UPM"
	case "ca", "cafile", "cert", "key", "strict-ssl":
		return "TLS settings are not imported"
	}
	return ""
}

// override records that key is set on e.line, warning when it was set before.
func (p *parser) override(id string, e entry) {
	if prev, ok := p.seen[id]; ok {
		p.warnf(e.line, "%s overrides the value set on line %d", e.key, prev)
	}
	p.seen[id] = e.line
}

// apply stores one key=value outside any section.
func (p *parser) apply(e entry) {
	key := e.key
	switch {
	case key == "registry":
		p.override(key, e)
		p.f.Registry = e.val
		p.checkURL(e)

	case strings.HasPrefix(key, "@") && strings.HasSuffix(key, ":registry"):
		scope := strings.TrimSuffix(key, ":registry")
		if scope == "@" {
			p.warnf(e.line, "%s ignored: no scope name", key)
			return
		}
		p.override(key, e)
		p.f.Scoped[scope] = e.val
		p.checkURL(e)

	case strings.HasPrefix(key, "//"):
		p.nerfKey(e)

	case isAuthField(key):
		p.override(key, e)
		p.setField(p.top, key, e)

	case tlsKey(key) != "":
		p.warnf(e.line, "%s ignored: %s", key, tlsKey(key))

	case caseFold(key) != "":
		p.warnf(e.line, "%s ignored: keys are case-sensitive (did you mean %s?)", key, caseFold(key))

	case strings.HasPrefix(key, "@"):
		if i := strings.LastIndexByte(key, ':'); i > 0 && authRelevant(key[i+1:]) {
			p.warnf(e.line, "%s ignored: npm reads only @scope:registry per scope; credentials belong to //host/path/:%s", key, key[i+1:])
		}
	}
}

// setField stores an auth field in g, warning about empty values (npm treats
// an empty value as unset).
func (p *parser) setField(g *group, field string, e entry) {
	if e.val == "" && !e.unset {
		p.warnf(e.line, "%s has an empty value; npm ignores it", e.key)
	}
	g.set(field, e)
}

// nerfKey handles "//host[:port]/path/:field".
func (p *parser) nerfKey(e entry) {
	i := strings.LastIndexByte(e.key, ':')
	if i < 0 {
		p.warnf(e.line, "%s ignored: expected //host/path/:field, such as :_authToken", e.key)
		return
	}
	dart, field := e.key[:i], e.key[i+1:]
	nd, ok := normNerf(dart)
	if !ok {
		p.warnf(e.line, "%s ignored: %s is not a valid //host/path/ registry prefix", e.key, dart)
		return
	}
	switch {
	case isAuthField(field):
		p.override(nd+":"+field, e)
		g := p.nerfs[nd]
		if g == nil {
			g = &group{fields: map[string]entry{}}
			p.nerfs[nd] = g
			p.order = append(p.order, nd)
		}
		p.setField(g, field, e)
	case field == "certfile" || field == "keyfile":
		p.warnf(e.line, "%s ignored: client certificates (:certfile, :keyfile) are not supported by UPM", e.key)
	case caseFold(field) != "":
		p.warnf(e.line, "%s ignored: keys are case-sensitive (did you mean :%s?)", e.key, caseFold(field))
	default:
		p.warnf(e.line, "%s ignored: unknown field :%s", e.key, field)
	}
}

// checkURL warns about a registry URL that cannot serve as a scheme source
// or that carries credentials (which are not imported).
func (p *parser) checkURL(e entry) {
	if e.val == "" {
		p.warnf(e.line, "%s has an empty value", e.key)
		return
	}
	if _, err := NerfDart(e.val); err != nil {
		p.warnf(e.line, "%s is not an absolute registry URL (like https://host/path/)", e.key)
		return
	}
	u, err := url.Parse(strings.TrimSpace(e.val))
	if err != nil {
		return
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		p.warnf(e.line, "%s is not an http or https URL", e.key)
	}
	if u.User != nil {
		p.warnf(e.line, "%s contains user info in the URL; it is not imported (use //host/path/:_auth)", e.key)
	}
}

// posErr is a syntax error at a byte offset of the line.
type posErr struct {
	off int
	msg string
}

// unquote decodes the key or value s[lo:hi] like npm's ini unsafe(): trimmed,
// then a JSON string if double-quoted, the inside if single-quoted, else with
// ';'/'#' comments cut and "\;", "\#", "\\" unescaped. start is the byte
// offset of the first non-blank character.
func unquote(s string, lo, hi int) (val string, start int, perr *posErr) {
	seg := s[lo:hi]
	trimmed := strings.TrimLeftFunc(seg, isSpace)
	start = lo + len(seg) - len(trimmed)
	t := strings.TrimRightFunc(trimmed, isSpace)
	if t == "" {
		return "", start, nil
	}
	switch t[0] {
	case '"':
		end, bad, msg := scanJSONString(t)
		if msg != "" {
			return "", start, &posErr{start + bad, msg}
		}
		if err := json.Unmarshal([]byte(t[:end]), &val); err != nil {
			return "", start, &posErr{start, "invalid double-quoted string"}
		}
		if off, ok := onlyComment(t, end); !ok {
			return "", start, &posErr{start + off, "unexpected text after the closing quote"}
		}
		return val, start, nil
	case '\'':
		if len(t) >= 2 && t[len(t)-1] == '\'' {
			return t[1 : len(t)-1], start, nil
		}
		k := strings.IndexByte(t[1:], '\'')
		if k < 0 {
			return "", start, &posErr{start, "unterminated single-quoted string"}
		}
		end := k + 2
		if off, ok := onlyComment(t, end); !ok {
			return "", start, &posErr{start + off, "unexpected text after the closing quote"}
		}
		return t[1 : end-1], start, nil
	}
	return iniUnescape(t), start, nil
}

// onlyComment reports whether t[end:] is blank or a ';'/'#' comment; if not,
// off is the offset of the first unexpected character.
func onlyComment(t string, end int) (off int, ok bool) {
	rest := strings.TrimLeftFunc(t[end:], isSpace)
	off = len(t) - len(rest)
	return off, rest == "" || rest[0] == ';' || rest[0] == '#'
}

// iniUnescape cuts an unquoted ini value at the first unescaped ';' or '#'
// and unescapes "\;", "\#" and "\\"; other backslashes stay.
func iniUnescape(t string) string {
	var b strings.Builder
	esc := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		if esc {
			if c != '\\' && c != ';' && c != '#' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
			esc = false
			continue
		}
		if c == ';' || c == '#' {
			break
		}
		if c == '\\' {
			esc = true
			continue
		}
		b.WriteByte(c)
	}
	if esc {
		b.WriteByte('\\')
	}
	return strings.TrimSpace(b.String())
}

// scanJSONString finds the end (one past the closing quote) of the JSON string
// at the start of t, which begins with '"'. On a syntax error msg is set and
// bad is the offending offset.
func scanJSONString(t string) (end, bad int, msg string) {
	for i := 1; i < len(t); {
		c := t[i]
		switch {
		case c == '"':
			return i + 1, 0, ""
		case c == '\\':
			if i+1 >= len(t) {
				return 0, 0, "unterminated double-quoted string"
			}
			switch t[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(t) || !isHex4(t[i+2:i+6]) {
					return 0, i, `invalid \u escape in double-quoted string (want \uXXXX)`
				}
				i += 6
			default:
				return 0, i, `invalid escape in double-quoted string (JSON escapes only; write \\ for a backslash)`
			}
		case c < 0x20:
			return 0, i, "control character in double-quoted string (use a JSON escape such as \\t)"
		default:
			i++
		}
	}
	return 0, 0, "unterminated double-quoted string"
}

func isHex4(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return len(s) == 4
}

// expand replaces ${VAR} and ${VAR?} like @npmcli/config's env-replace:
// a run of backslashes before the '$' is halved, and an odd run escapes the
// expression. Unlike npm, an unset ${VAR} is reported (it stays literal, as in
// npm). where names the key or value for the warning. unset reports whether
// any referenced variable was unset; literal names those left as literal
// text (${VAR}, not ${VAR?}).
func (p *parser) expand(s string, line int, where string) (out string, unset bool, literal []string) {
	if !strings.Contains(s, "${") {
		return s, false, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == '\\' {
			j++
		}
		name, optional, end, ok := matchVar(s, j)
		if !ok {
			if j > i {
				b.WriteString(s[i:j])
				i = j
				continue
			}
			b.WriteByte(s[i])
			i++
			continue
		}
		esc := j - i
		if esc%2 == 1 {
			b.WriteString(s[i+(esc+1)/2 : end])
			i = end
			continue
		}
		b.WriteString(s[i+esc/2 : j])
		v := ""
		if p.getenv != nil {
			v = p.getenv(name)
		}
		switch {
		case v != "":
			b.WriteString(v)
		case optional:
			unset = true
			p.warnf(line, "${%s?} in %s: %s is not set; replaced by an empty string", name, where, name)
		default:
			unset = true
			literal = append(literal, name)
			b.WriteString(s[j:end])
			p.warnf(line, "${%s} in %s: %s is not set; left as the literal text ${%s}", name, where, name, name)
		}
		i = end
	}
	return b.String(), unset, literal
}

// matchVar matches npm's `\$\{([^${}?]+)(\?)?\}` at s[i:].
func matchVar(s string, i int) (name string, optional bool, end int, ok bool) {
	if !strings.HasPrefix(s[i:], "${") {
		return "", false, 0, false
	}
	k := i + 2
	for k < len(s) && !strings.ContainsRune("${}?", rune(s[k])) {
		k++
	}
	if k == i+2 || k >= len(s) {
		return "", false, 0, false
	}
	name = s[i+2 : k]
	if s[k] == '?' {
		optional = true
		k++
	}
	if k >= len(s) || s[k] != '}' {
		return "", false, 0, false
	}
	return name, optional, k + 1, true
}
