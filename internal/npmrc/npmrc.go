// Package npmrc reads npm's .npmrc files (ini-like) for credential import.
//
// The syntax follows npm's "ini" package (v4/v5, as used by npm 9-11) and the
// value handling of @npmcli/config, with a few deliberate differences where
// npm would silently produce a credential that cannot work:
//
//   - Lines are "key = value"; blank lines and lines whose first non-blank
//     character is '#' or ';' are ignored. CRLF, CR and LF line endings and a
//     leading UTF-8 byte order mark are accepted.
//   - Unquoted keys and values lose everything from the first unescaped ';' or
//     '#' onwards (ini's inline comments, even without a space before them:
//     "a=b#c" is "b"); "\;", "\#" and "\\" are escapes for ';', '#' and '\',
//     any other backslash is kept literally. The result is trimmed.
//   - A value in double quotes is a JSON string ("\"", "\\", "\n", "\u00e9",
//     ...). A value in single quotes has its quotes removed and no escapes.
//     Unlike ini, a closing quote may be followed by an inline comment
//     (`"abc" # note` is abc, where ini would keep the quotes), and an
//     unterminated quote, a bad JSON escape or other text after the closing
//     quote is a [*ParseError] (ini would keep the raw text, quotes included).
//   - A line without '=' or with an empty key is a [*ParseError] (ini would
//     read "key" as key=true and drop "=value").
//   - "[section]" headers are accepted with a warning. As in npm, every key
//     after a section header belongs to that section and is not used by npm, so
//     it is not imported either (auth-related ones get a warning each).
//   - ${VAR} in keys and values is replaced by getenv(VAR), after the ini
//     unescaping, as npm does. An unset (or empty) variable is left as the
//     literal text ${VAR} and a warning names it, so the imported value is
//     visibly wrong rather than silently empty; ${VAR?} becomes "" when unset
//     (npm's behaviour), also with a warning. As in npm, "\${VAR}" (after the
//     ini unescaping above) is the literal text ${VAR}; set-but-empty counts
//     as unset, since getenv cannot tell them apart.
//   - When a key is set twice, the last value wins (as in npm), with a warning.
//
// A credential that holds such a literal ${VAR} lists the variable in
// [Cred.Unset], so that an importer can refuse it.
//
// Credentials follow npm's getCredentialsByURI: "//host/path/:_authToken",
// ":_auth", ":username" + ":_password" (the password base64-encoded), ":email"
// and ":always-auth", plus the same keys without the nerf dart at the top level.
//
// Errors and warnings name keys and line numbers, never values.
package npmrc

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/upkg/upkg/internal/fileerr"
)

// File is a parsed .npmrc.
type File struct {
	// Path is the path given to Parse, used in warnings and errors.
	Path string
	// Registry is the top-level `registry=` value ("" if none), ${VAR}-expanded.
	Registry string
	// Scoped maps "@scope" to the registry URL of `@scope:registry=`. It is
	// never nil after Parse.
	Scoped map[string]string
	// Creds are the per-registry credentials, in first-seen order. Only nerf
	// darts with at least one usable value (token, auth, email or always-auth)
	// are listed.
	Creds []Cred
	// Top holds the top-level (un-nerfed) _auth, _authToken, username,
	// _password, email and always-auth. Top.NerfDart is "", and Top.Line is 0
	// when there are none.
	Top Cred
	// Warnings are human-readable notes, each starting with "path:line: ":
	// ignored keys relevant to auth, unset ${VAR}, overridden keys, ignored
	// sections, incomplete username/_password pairs and the like. They never
	// contain credential values.
	Warnings []string
}

// Cred is the credential for one nerf dart (`//host[:port]/path/`).
type Cred struct {
	// NerfDart is the normalised nerf dart: "//host[:port]/path/" with a
	// trailing slash and the host lower-cased. It is "" for File.Top.
	NerfDart string
	// Token is the :_authToken value.
	Token string
	// Auth is base64("user:password"): the :_auth value, or built from
	// :username and :_password (whose value in .npmrc is the base64 of the
	// password) when both are set, which npm prefers over :_auth.
	Auth string
	// Email is the :email value (for File.Top, the top-level email).
	Email string
	// AlwaysAuth is true when :always-auth (for File.Top, the top-level
	// always-auth) is true.
	AlwaysAuth bool
	// Line is the first line that defined any of the credential's keys.
	Line int
	// Unset names the variables that the credential's values reference as
	// ${VAR} and that are not set: their values hold the literal text
	// ${VAR}, which is no credential.
	Unset []string
}

// ParseError is a problem at a position in the file: the one position
// error type of every format (fileerr.PositionError).
type ParseError = fileerr.PositionError

// The credential fields npm reads, with or without a nerf dart in front.
const (
	fieldToken      = "_authToken"
	fieldAuth       = "_auth"
	fieldUsername   = "username"
	fieldPassword   = "_password"
	fieldEmail      = "email"
	fieldAlwaysAuth = "always-auth"
)

var authFields = []string{fieldToken, fieldAuth, fieldUsername, fieldPassword, fieldEmail, fieldAlwaysAuth}

func isAuthField(s string) bool { return slices.Contains(authFields, s) }

// caseFold returns the auth field that s matches ignoring case, for a
// "did you mean" hint; "" if none.
func caseFold(s string) string {
	for _, f := range authFields {
		if strings.EqualFold(s, f) {
			return f
		}
	}
	return ""
}

// Parse parses data read from path. getenv expands ${VAR} in keys and values;
// a nil getenv treats every variable as unset. A *ParseError is returned for a
// malformed line or a :_password that is not base64.
func Parse(path string, data []byte, getenv func(string) string) (*File, error) {
	p := &parser{
		path:   path,
		getenv: getenv,
		f:      &File{Path: path, Scoped: map[string]string{}},
		nerfs:  map[string]*group{},
		top:    &group{fields: map[string]entry{}},
		seen:   map[string]int{},
	}
	if err := p.parse(data); err != nil {
		return nil, err
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.f, nil
}

// entry is one effective key=value.
type entry struct {
	key   string // as written (expanded), for messages
	val   string
	line  int
	col   int  // column of the value, for errors
	unset bool // the value referenced an unset ${VAR}
	// literal names the unset variables left as literal ${VAR} text.
	literal []string
}

// group collects the auth fields of one nerf dart (or the top level).
type group struct {
	fields map[string]entry
	first  int // first line of any field
}

func (g *group) set(field string, e entry) {
	if g.first == 0 {
		g.first = e.line
	}
	g.fields[field] = e
}

type warning struct {
	line int
	msg  string
}

type parser struct {
	path   string
	getenv func(string) string
	f      *File
	warns  []warning

	section   string // current [section], if inSection
	inSection bool
	seen      map[string]int // effective key -> line that last set it
	nerfs     map[string]*group
	order     []string // nerf darts in first-seen order
	top       *group
}

func (p *parser) warnf(line int, format string, args ...any) {
	p.warns = append(p.warns, warning{line, fmt.Sprintf(format, args...)})
}

func (p *parser) errorf(line, col int, format string, args ...any) *ParseError {
	return &ParseError{File: p.path, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// finish builds the credentials and the warnings once every line is read.
func (p *parser) finish() error {
	for _, nd := range p.order {
		c, err := p.build(p.nerfs[nd], nd+":")
		if err != nil {
			return err
		}
		if c.Token != "" || c.Auth != "" || c.Email != "" || c.AlwaysAuth {
			c.NerfDart = nd
			p.f.Creds = append(p.f.Creds, c)
		}
	}
	top, err := p.build(p.top, "")
	if err != nil {
		return err
	}
	p.f.Top = top

	slices.SortStableFunc(p.warns, func(a, b warning) int { return a.line - b.line })
	for _, w := range p.warns {
		p.f.Warnings = append(p.f.Warnings, p.loc(w.line)+": "+w.msg)
	}
	return nil
}

func (p *parser) loc(line int) string {
	if p.path == "" {
		return fmt.Sprintf("line %d", line)
	}
	return fmt.Sprintf("%s:%d", p.path, line)
}

// build turns a group's fields into a Cred the way npm's getCredentialsByURI
// reads them. prefix is "//host/path/:" or "" (top level), for messages.
func (p *parser) build(g *group, prefix string) (Cred, error) {
	c := Cred{Line: g.first}
	tok := g.fields[fieldToken]
	user := g.fields[fieldUsername]
	pass := g.fields[fieldPassword]
	auth := g.fields[fieldAuth]
	c.Token = tok.val
	c.Email = g.fields[fieldEmail].val
	for _, e := range []entry{tok, user, pass, auth, g.fields[fieldEmail]} {
		for _, v := range e.literal {
			if !slices.Contains(c.Unset, v) {
				c.Unset = append(c.Unset, v)
			}
		}
	}

	if e, ok := g.fields[fieldAlwaysAuth]; ok {
		switch e.val {
		case "true":
			c.AlwaysAuth = true
		case "false", "": // "" was warned about by setField
		default:
			p.warnf(e.line, "%salways-auth is not true or false; treated as false", prefix)
		}
	}

	// The password must be base64 wherever it is, as npm decodes it.
	var password string
	passOK := false
	if pass.val != "" && !pass.unset {
		pw, ok := decodeBase64(pass.val)
		if !ok {
			return Cred{}, p.errorf(pass.line, pass.col,
				"the value of %s%s is not valid base64 (npm stores the password base64-encoded)", prefix, fieldPassword)
		}
		password, passOK = string(pw), true
	}

	switch {
	case user.val != "" && pass.val != "":
		if !passOK {
			p.warnf(pass.line, "%s%s uses an unset variable; no _auth built from %s%s and %s%s",
				prefix, fieldPassword, prefix, fieldUsername, prefix, fieldPassword)
			break
		}
		// Raw bytes: npm would decode as UTF-8 first, which only matters for
		// passwords that are not UTF-8 and so could not work with npm anyway.
		c.Auth = base64.StdEncoding.EncodeToString([]byte(user.val + ":" + password))
		if auth.val != "" {
			p.warnf(auth.line, "%s%s ignored: %s%s and %s%s take precedence, as in npm",
				prefix, fieldAuth, prefix, fieldUsername, prefix, fieldPassword)
		}
	case user.val != "":
		p.warnf(user.line, "%s%s without %s%s; no _auth built from it", prefix, fieldUsername, prefix, fieldPassword)
	case pass.val != "":
		p.warnf(pass.line, "%s%s without %s%s; no _auth built from it", prefix, fieldPassword, prefix, fieldUsername)
	}
	if c.Auth == "" && auth.val != "" {
		c.Auth = auth.val
		if !auth.unset && !looksLikeBasic(auth.val) {
			p.warnf(auth.line, "%s%s is not the base64 of user:password", prefix, fieldAuth)
		}
	}
	if c.Token != "" && c.Auth != "" {
		p.warnf(tok.line, "%s%s and basic credentials (_auth or username/_password) are both set; npm uses the token",
			prefix, fieldToken)
	}
	return c, nil
}

// decodeBase64 decodes s in standard or URL-safe base64, padded or not (npm's
// Buffer.from(s, "base64") accepts all four).
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

func looksLikeBasic(s string) bool {
	b, ok := decodeBase64(s)
	return ok && strings.Contains(string(b), ":")
}
