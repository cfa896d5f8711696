package npmrc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/upkg/upkg/internal/atomicfile"
)

// CredKey is the .npmrc key of a registry credential field, e.g.
// CredKey("http://127.0.0.1:4873", "_authToken") is
// "//127.0.0.1:4873/:_authToken".
func CredKey(registryURL, field string) (string, error) {
	nd, err := NerfDart(registryURL)
	if err != nil {
		return "", err
	}
	return nd + ":" + field, nil
}

// SetKey returns data with key set to value, touching nothing else: the first
// top-level line that sets key (compared after ini unquoting; a nerf-dart key
// also matches when its //host/path/ part normalises equal, e.g. without its
// trailing slash) gets the new line, and the later lines that set the same key
// are removed (npm would have used the last of them: a stale credential
// left behind would win over the new one). A new key goes before the first
// [section] header, whose keys npm ignores, or at the end. The line ending
// is the file's first one. A malformed file is a *ParseError (path empty) and
// nothing is returned.
func SetKey(data []byte, key, value string) ([]byte, error) {
	if key == "" || strings.ContainsAny(key+value, "\r\n") || !utf8.ValidString(key+value) {
		return nil, errors.New("npmrc: key and value must be one non-empty line of UTF-8")
	}
	// ini splits a line at its first '=', quoted or not, and npm expands
	// ${VAR} in every value: neither can be written so that it reads back.
	if strings.Contains(key, "=") || strings.Contains(key+value, "${") {
		return nil, errors.New("npmrc: a key with '=', or a key or value with '${', cannot be written")
	}
	if _, err := Parse("", data, nil); err != nil {
		return nil, err
	}
	text := string(data)
	eol := "\n"
	if i := strings.IndexAny(text, "\r\n"); i >= 0 && strings.HasPrefix(text[i:], "\r\n") {
		eol = "\r\n"
	}
	newLine := quoteIni(key, true) + "=" + quoteIni(value, false)

	var out strings.Builder
	done, inSection := false, false
	rest := text
	for len(rest) > 0 {
		line, next, end := cutLine(rest)
		rest = next
		trimmed := strings.TrimSpace(line)
		if _, ok := sectionHeader(trimmed); ok && !inSection {
			inSection = true
			if !done {
				out.WriteString(newLine + eol)
				done = true
			}
		}
		if !inSection && lineSetsKey(line, key) {
			if done {
				continue // a duplicate of the key: drop it with its line ending
			}
			out.WriteString(newLine + end)
			done = true
			continue
		}
		out.WriteString(line + end)
	}
	if !done {
		s := out.String()
		if s != "" && !strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, "\r") {
			out.WriteString(eol)
		}
		out.WriteString(newLine + eol)
	}
	return []byte(out.String()), nil
}

// WriteKey sets key to value in the .npmrc at path (created if missing) and
// writes it atomically with mode 0600: it holds credentials, as npm keeps it.
func WriteKey(path, key, value string) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	out, err := SetKey(data, key, value)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			e := *pe
			e.File = path
			return &e
		}
		return fmt.Errorf("edit %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, out, 0o600)
}

// cutLine splits off the first line of s: its text, the rest, and its line
// ending ("" for a last line without one).
func cutLine(s string) (line, rest, end string) {
	i := strings.IndexAny(s, "\r\n")
	if i < 0 {
		return s, "", ""
	}
	if s[i] == '\r' && strings.HasPrefix(s[i+1:], "\n") {
		return s[:i], s[i+2:], "\r\n"
	}
	return s[:i], s[i+1:], s[i : i+1]
}

// lineSetsKey reports whether a top-level line sets key.
func lineSetsKey(line, key string) bool {
	t := strings.TrimSpace(line)
	if t == "" || t[0] == '#' || t[0] == ';' {
		return false
	}
	eq := strings.IndexByte(line, '=')
	if eq < 0 {
		return false
	}
	k, _, perr := unquote(line, 0, eq)
	if perr != nil || k == "" {
		return false
	}
	return sameKey(k, key)
}

// sameKey compares two keys, nerf darts normalised.
func sameKey(a, b string) bool {
	if a == b {
		return true
	}
	if !strings.HasPrefix(a, "//") || !strings.HasPrefix(b, "//") {
		return false
	}
	i, j := strings.LastIndexByte(a, ':'), strings.LastIndexByte(b, ':')
	if i < 0 || j < 0 || a[i+1:] != b[j+1:] {
		return false
	}
	na, okA := normNerf(a[:i])
	nb, okB := normNerf(b[:j])
	return okA && okB && na == nb
}

// quoteIni writes s so that npm's ini reads it back unchanged: as it is when
// nothing in it is special, else as a JSON string.
func quoteIni(s string, key bool) string {
	special := ";#\"'\\"
	if key {
		special += "[]"
	}
	plain := s != "" && strings.TrimSpace(s) == s && !strings.ContainsAny(s, special) &&
		!strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
	if plain {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}
