package upmconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/upkg/upkg/internal/regurl"
)

// Entry fields of an npmAuth table.
const (
	fieldToken      = "token"
	fieldBasic      = "_auth"
	fieldEmail      = "email"
	fieldAlwaysAuth = "alwaysAuth"
	keyNpmAuth      = "npmAuth"
)

// File is one configuration file as read.
type File struct {
	Path   string
	Exists bool
	// Data is the raw content as read; nil if the file does not exist.
	Data []byte
	// Global marks the global upmconfig.toml.
	Global bool
	// NpmAuth lists the entries in file order. An entry is listed once
	// however it is written ([npmAuth."…"] table, dotted keys under [npmAuth],
	// inline tables); Line is where it first appears.
	NpmAuth []Auth
	// Settings holds the known top-level keys present (cacheRoot,
	// maxCacheSize, caFile), also cache keys of the global file, which
	// Config.Setting ignores.
	Settings map[string]Setting
	// Warnings are non-fatal findings, sorted by line.
	Warnings []Warning
}

// Parse reads a configuration file's content. Malformed TOML, and a known key
// with the wrong type (token = 5, maxCacheSize = "x", alwaysAuth = "yes"), is
// a *ParseError naming path, line and column. Unknown keys, cache keys in the
// global file and entries with both token and _auth are warnings. Error and
// warning messages name keys, never values.
func Parse(path string, data []byte, global bool) (*File, error) {
	d, err := parseDoc(path, data, global)
	if err != nil {
		return nil, err
	}
	return d.file, nil
}

// LoadFile reads and parses one file. A missing file is not an error: it
// yields a File with Exists false.
func LoadFile(path string, global bool) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{Path: path, Global: global, Settings: map[string]Setting{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return Parse(path, data, global)
}

// Config is the pair of configuration files.
type Config struct {
	User, Global *File
}

// Load reads the user and the global file; either may be missing. An empty
// path stands for a file that does not exist.
func Load(userPath, globalPath string) (*Config, error) {
	load := func(path string, global bool) (*File, error) {
		if path == "" {
			return &File{Global: global, Settings: map[string]Setting{}}, nil
		}
		return LoadFile(path, global)
	}
	user, err := load(userPath, false)
	if err != nil {
		return nil, err
	}
	global, err := load(globalPath, true)
	if err != nil {
		return nil, err
	}
	return &Config{User: user, Global: global}, nil
}

// authKey is what makes two entries "the same registry": the normalised URL,
// or the key text when it is no URL.
func authKey(registry string) string {
	if n, err := regurl.NormalizeURL(registry); err == nil {
		return n
	}
	return registry
}

// Auths returns the effective entries: every user entry in file order, then
// every global entry for a registry the user file has no entry for
// (UPM-SPEC §1: the user file overrides the global one per registry).
func (c *Config) Auths() []Auth {
	var out []Auth
	seen := map[string]bool{}
	if c.User != nil {
		for _, a := range c.User.NpmAuth {
			seen[authKey(a.Registry)] = true
			out = append(out, a)
		}
	}
	if c.Global != nil {
		for _, a := range c.Global.NpmAuth {
			if !seen[authKey(a.Registry)] {
				out = append(out, a)
			}
		}
	}
	return out
}

// Setting returns a known top-level setting. cacheRoot, maxCacheSize and
// linkMode come from the user file only (the global file may not hold cache
// keys); caFile comes from the user file, else from the global file.
func (c *Config) Setting(key string) (Setting, bool) {
	if c.User != nil {
		if s, ok := c.User.Settings[key]; ok {
			return s, true
		}
	}
	if key == KeyCAFile && c.Global != nil {
		s, ok := c.Global.Settings[key]
		return s, ok
	}
	return Setting{}, false
}

// Warnings returns the warnings of the user file, then of the global file.
func (c *Config) Warnings() []Warning {
	var out []Warning
	for _, f := range []*File{c.User, c.Global} {
		if f != nil {
			out = append(out, f.Warnings...)
		}
	}
	return out
}

// analyze reads the known keys out of a scanned document.
func analyze(path string, data []byte, d *doc, global bool) (*File, error) {
	a := &analyzer{
		d:       d,
		f:       &File{Path: path, Exists: true, Data: data, Global: global, Settings: map[string]Setting{}},
		entries: map[string]int{},
		warned:  map[string]bool{},
	}
	for i := range d.exprs {
		e := &d.exprs[i]
		var err error
		if e.kind == unstable.KeyValue {
			err = a.value(e.path(), offsets(e.table, e.keys), e.val)
		} else {
			last := e.table[len(e.table)-1]
			err = a.check(e.path(), offsets(e.table, nil), e.kind, last.start, "")
		}
		if err != nil {
			return nil, err
		}
	}
	for _, au := range a.f.NpmAuth {
		if au.Token != "" && au.Basic != "" {
			a.warn(au.Line, fmt.Sprintf("%s has both token and _auth; token wins", formatKey([]string{keyNpmAuth, au.Registry})))
		}
		if _, err := regurl.NormalizeURL(au.Registry); err != nil {
			a.warn(au.Line, fmt.Sprintf("%s: the key is not an absolute http(s) URL, so it matches no registry", formatKey([]string{keyNpmAuth, au.Registry})))
		}
	}
	sort.SliceStable(a.f.Warnings, func(i, j int) bool { return a.f.Warnings[i].Line < a.f.Warnings[j].Line })
	return a.f, nil
}

type analyzer struct {
	d       *doc
	f       *File
	entries map[string]int // entry name → index in f.NpmAuth
	warned  map[string]bool
}

func offsets(a, b []keyPart) []int {
	out := make([]int, 0, len(a)+len(b))
	for _, k := range a {
		out = append(out, k.start)
	}
	for _, k := range b {
		out = append(out, k.start)
	}
	return out
}

// value checks a key/value and, for inline tables, what matters inside:
// npmAuth entries and their keys. Below an unknown key or an entry's key
// nothing is read (check has already warned or failed), which also keeps
// deeply nested inline tables cheap.
func (a *analyzer) value(path []string, offs []int, v value) error {
	if err := a.check(path, offs, v.kind, v.start, v.data); err != nil {
		return err
	}
	if path[0] != keyNpmAuth || len(path) >= 3 {
		return nil
	}
	for _, f := range v.fields {
		p := append(append([]string(nil), path...), namesOf(f.keys)...)
		o := append(append([]int(nil), offs...), offsets(f.keys, nil)...)
		if err := a.value(p, o, f.val); err != nil {
			return err
		}
	}
	return nil
}

func namesOf(keys []keyPart) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.name
	}
	return out
}

func (a *analyzer) line(off int) int {
	l, _ := a.d.position(off)
	return l
}

func (a *analyzer) warn(line int, msg string) {
	a.f.Warnings = append(a.f.Warnings, Warning{File: a.f.Path, Line: line, Msg: msg})
}

func (a *analyzer) unknown(path []string, off int) {
	k := formatKey(path)
	if a.warned[k] {
		return
	}
	a.warned[k] = true
	a.warn(a.line(off), fmt.Sprintf("unknown key %s (kept, not used)", k))
}

func (a *analyzer) typeError(path []string, off int, want string, kind unstable.Kind) error {
	line, col := a.d.position(off)
	return &ParseError{File: a.f.Path, Line: line, Column: col,
		Msg: fmt.Sprintf("%s must be %s, not %s", formatKey(path), want, kindName(kind))}
}

// entry returns the entry for name, creating it at its first appearance.
func (a *analyzer) entry(name string, off int) *Auth {
	i, ok := a.entries[name]
	if !ok {
		i = len(a.f.NpmAuth)
		a.entries[name] = i
		a.f.NpmAuth = append(a.f.NpmAuth, Auth{Registry: name, File: a.f.Path, Line: a.line(off)})
	}
	return &a.f.NpmAuth[i]
}

// check handles one definition: a table header (kind Table/ArrayTable, off at
// its key) or a value (off at the value).
func (a *analyzer) check(path []string, offs []int, kind unstable.Kind, off int, data string) error {
	isTable := kind == unstable.Table || kind == unstable.InlineTable
	switch path[0] {
	case keyNpmAuth:
		if len(path) == 1 {
			if !isTable {
				return a.typeError(path, off, "a table", kind)
			}
			return nil
		}
		au := a.entry(path[1], offs[1])
		if len(path) == 2 {
			if !isTable {
				return a.typeError(path, off, "a table", kind)
			}
			return nil
		}
		want, ok := fieldKind(path[2])
		if !ok {
			a.unknown(path[:3], offs[2])
			return nil
		}
		if len(path) > 3 {
			// token.x = … makes token a table.
			return a.typeError(path[:3], offs[2], kindName(want), unstable.Table)
		}
		if kind != want {
			return a.typeError(path, off, kindName(want), kind)
		}
		switch path[2] {
		case fieldToken:
			au.Token = data
		case fieldBasic:
			au.Basic = data
		case fieldEmail:
			au.Email = data
		case fieldAlwaysAuth:
			au.AlwaysAuth = data == "true"
		}
		return nil
	case KeyCacheRoot, KeyCAFile, KeyMaxCacheSize, KeyLinkMode:
		key := path[0]
		want := unstable.String
		if key == KeyMaxCacheSize {
			want = unstable.Integer
		}
		if len(path) > 1 {
			return a.typeError(path[:1], offs[0], kindName(want), unstable.Table)
		}
		if kind != want {
			return a.typeError(path, off, kindName(want), kind)
		}
		s := Setting{Key: key, Value: data, File: a.f.Path, Line: a.line(offs[0])}
		if want == unstable.Integer {
			n, err := strconv.ParseInt(data, 0, 64)
			if err != nil {
				return a.typeError(path, off, "an integer of 64 bits", kind)
			}
			s.Value = n
		}
		if key == KeyLinkMode && !slices.Contains(LinkModes, data) {
			a.warn(s.Line, fmt.Sprintf("linkMode = %q is not one of %s; installs copy", data, strings.Join(LinkModes, ", ")))
			return nil
		}
		a.f.Settings[key] = s
		if a.f.Global && key != KeyCAFile {
			a.warn(s.Line, fmt.Sprintf("%s is ignored in the global config file; cache settings belong in the user .upmconfig.toml", key))
		}
		return nil
	}
	a.unknown(path[:1], offs[0])
	return nil
}

// fieldKind returns the type of a documented npmAuth entry key.
func fieldKind(name string) (unstable.Kind, bool) {
	switch name {
	case fieldToken, fieldBasic, fieldEmail:
		return unstable.String, true
	case fieldAlwaysAuth:
		return unstable.Bool, true
	}
	return unstable.Invalid, false
}

// kindName names a TOML type with its article, for messages.
func kindName(k unstable.Kind) string {
	switch k {
	case unstable.String:
		return "a string"
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a float"
	case unstable.Bool:
		return "a boolean"
	case unstable.Array:
		return "an array"
	case unstable.ArrayTable:
		return "an array of tables"
	case unstable.Table, unstable.InlineTable:
		return "a table"
	case unstable.LocalDate, unstable.LocalTime, unstable.LocalDateTime, unstable.DateTime:
		return "a date/time"
	}
	return "a " + strings.ToLower(k.String())
}

// formatKey writes a key path the way TOML would: bare parts where possible,
// quoted otherwise (npmAuth."https://x".token).
func formatKey(path []string) string {
	var b strings.Builder
	for i, p := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		if isBareKey(p) {
			b.WriteString(p)
		} else {
			b.WriteString(quoteBasic(p))
		}
	}
	return b.String()
}

func isBareKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
