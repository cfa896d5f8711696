package builtin

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Host describes the machine an editor is looked for on. GOOS selects the
// paths, so tests on one OS cover every OS's layout.
type Host struct {
	GOOS   string
	Home   string
	Getenv func(string) string
	// ReadFile reads Unity Hub's settings; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
}

func (h Host) getenv(k string) string {
	if h.Getenv == nil {
		return ""
	}
	return h.Getenv(k)
}

func (h Host) readFile(p string) ([]byte, error) {
	if h.ReadFile == nil {
		return os.ReadFile(p)
	}
	return h.ReadFile(p)
}

// join builds a path for h.GOOS: backslashes on Windows.
func (h Host) join(elem ...string) string {
	if h.GOOS == "windows" {
		parts := make([]string, 0, len(elem))
		for _, e := range elem {
			if e = strings.Trim(strings.ReplaceAll(e, "/", `\`), `\`); e != "" {
				parts = append(parts, e)
			}
		}
		s := strings.Join(parts, `\`)
		if strings.HasPrefix(elem[0], `\\`) {
			s = `\\` + s // a UNC path keeps its leading pair
		}
		return s
	}
	return path.Join(elem...)
}

// HubConfigDir is Unity Hub's settings folder: %APPDATA%\UnityHub on
// Windows, ~/Library/Application Support/UnityHub on macOS and
// $XDG_CONFIG_HOME/UnityHub (~/.config/UnityHub) on Linux.
func (h Host) HubConfigDir() string {
	switch h.GOOS {
	case "windows":
		appData := h.getenv("APPDATA")
		if appData == "" {
			appData = h.join(h.Home, "AppData", "Roaming")
		}
		return h.join(appData, "UnityHub")
	case "darwin":
		return h.join(h.Home, "Library", "Application Support", "UnityHub")
	}
	cfg := h.getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		cfg = h.join(h.Home, ".config")
	}
	return h.join(cfg, "UnityHub")
}

// HubDefaultEditorsDir is where Unity Hub installs editors unless told
// otherwise: C:\Program Files\Unity\Hub\Editor, /Applications/Unity/Hub/Editor,
// ~/Unity/Hub/Editor.
func (h Host) HubDefaultEditorsDir() string {
	switch h.GOOS {
	case "windows":
		pf := h.getenv("ProgramFiles")
		if pf == "" {
			pf = `C:\Program Files`
		}
		return h.join(pf, "Unity", "Hub", "Editor")
	case "darwin":
		return "/Applications/Unity/Hub/Editor"
	}
	return h.join(h.Home, "Unity", "Hub", "Editor")
}

// Candidate is one place an editor may be installed, and why upkg looks
// there.
type Candidate struct {
	Dir string
	Why string
}

// EditorCandidates lists where an editor of the given version may be
// installed, in the order Unity Hub would find it: editors Hub was pointed
// at by hand (editors-v2.json, editors.json), Hub's install location setting
// (secondaryInstallPath.json), then Hub's default location.
func (h Host) EditorCandidates(version string) []Candidate {
	var out []Candidate
	cfg := h.HubConfigDir()
	for _, name := range []string{"editors-v2.json", "editors.json"} {
		file := h.join(cfg, name)
		data, err := h.readFile(file)
		if err != nil {
			continue
		}
		for _, loc := range hubEditorLocations(data, version) {
			out = append(out, Candidate{Dir: loc, Why: "listed in " + file})
		}
	}
	file := h.join(cfg, "secondaryInstallPath.json")
	if data, err := h.readFile(file); err == nil {
		var dir string
		if json.Unmarshal(data, &dir) == nil && strings.TrimSpace(dir) != "" {
			out = append(out, Candidate{Dir: h.join(strings.TrimSpace(dir), version), Why: "Unity Hub's install location (" + file + ")"})
		}
	}
	out = append(out, Candidate{Dir: h.join(h.HubDefaultEditorsDir(), version), Why: "Unity Hub's default install location"})
	return out
}

// hubEditorLocations reads Hub's list of editors located by hand, in either
// of its shapes ({"data": [{"version", "location": [..]}]} or {"<version>":
// {"version", "location"}}), and returns the locations of version. An
// unreadable file gives none: it only adds places to look.
func hubEditorLocations(data []byte, version string) []string {
	var doc any
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	var out []string
	var visit func(v any)
	visit = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if ver, _ := t["version"].(string); ver == version {
				switch loc := t["location"].(type) {
				case string:
					out = append(out, loc)
				case []any:
					for _, l := range loc {
						if s, ok := l.(string); ok {
							out = append(out, s)
						}
					}
				}
				return
			}
			for _, c := range t {
				visit(c)
			}
		case []any:
			for _, c := range t {
				visit(c)
			}
		}
	}
	visit(doc)
	return out
}

// EditorFound is an installed editor upkg read its built-in packages from.
type EditorFound struct {
	Set *Set
	// Dir is the folder given or found; Why says how it was chosen.
	Dir, Why string
}

// FindEditor looks for the installed editor of the project: the
// UNITY_EDITOR_PATH environment variable first (the Editor executable or
// its folder), then Unity Hub's locations for version. It returns nil and
// the places it tried when there is none; an error only when a folder that
// is there cannot be read as an editor (or UNITY_EDITOR_PATH names none).
func FindEditor(h Host, version string) (*EditorFound, []string, error) {
	if p := strings.TrimSpace(h.getenv("UNITY_EDITOR_PATH")); p != "" {
		s, err := FromEditorPath(p)
		if err != nil {
			return nil, nil, fmt.Errorf("UNITY_EDITOR_PATH: %w", err)
		}
		s.note += " (UNITY_EDITOR_PATH)"
		return &EditorFound{Set: s, Dir: p, Why: "UNITY_EDITOR_PATH"}, nil, nil
	}
	if strings.TrimSpace(version) == "" {
		return nil, nil, nil
	}
	var tried []string
	for _, c := range h.EditorCandidates(strings.TrimSpace(version)) {
		tried = append(tried, c.Dir)
		if _, err := os.Stat(c.Dir); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		s, err := FromEditorPath(c.Dir)
		if err != nil {
			return nil, tried, fmt.Errorf("the Unity %s editor at %s (%s): %w", version, c.Dir, c.Why, err)
		}
		s.note += " (" + c.Why + ")"
		return &EditorFound{Set: s, Dir: c.Dir, Why: c.Why}, tried, nil
	}
	return nil, tried, nil
}

// editorRoot turns a path to the Editor executable (Unity.exe, Unity,
// Unity.app/Contents/MacOS/Unity) into the folder FromEditorPath reads.
func editorRoot(p string) string {
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		return p
	}
	dir := filepath.Dir(p)
	if filepath.Base(dir) == "MacOS" && filepath.Base(filepath.Dir(dir)) == "Contents" {
		return filepath.Dir(dir) // Unity.app/Contents
	}
	return dir
}

// SourceKey identifies, without reading any package, where FindEditor and
// ForEditor would take the built-in packages of version from: the editor
// folder given (editorPath, from --editor-path), UNITY_EDITOR_PATH, the first
// Unity Hub location that exists, or the embedded tables. A no-op install
// compares it, so that installing an editor (or upgrading upkg's tables)
// makes the next install resolve again.
func SourceKey(h Host, editorPath, version string) string {
	if editorPath != "" {
		return "path:" + editorPath
	}
	if p := strings.TrimSpace(h.getenv("UNITY_EDITOR_PATH")); p != "" {
		return "env:" + p
	}
	if v := strings.TrimSpace(version); v != "" {
		for _, c := range h.EditorCandidates(v) {
			if _, err := os.Stat(c.Dir); err == nil {
				return "hub:" + c.Dir
			}
		}
	}
	return "tables:" + tablesDigest()
}

// tablesDigest is DigestTables of the embedded tables, which
// internal/builtin/gen writes beside them (digest.go) whenever it writes
// them, and TestTablesDigest recomputes: the no-op check runs it on every
// install, and reading the tables there was 3 % of a no-op.
func tablesDigest() string { return embeddedTablesDigest }

// DigestSource is digest.go's text for the digest d.
func DigestSource(d string) string {
	return "// Code generated by go run ./internal/builtin/gen; DO NOT EDIT.\n\n" +
		"package builtin\n\n" +
		"// embeddedTablesDigest is DigestTables of data/*.json.\n" +
		"const embeddedTablesDigest = \"" + d + "\"\n"
}

// DigestTables is a digest of the <line>.json tables in fsys (the data
// folder): the CRC-32 (IEEE) of their names, sizes and contents. It only
// tells one build's tables from another's, for the no-op check.
func DigestTables(fsys fs.FS) (string, error) {
	h := crc32.NewIEEE()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(data))
		h.Write(data)
	}
	return fmt.Sprintf("%08x", h.Sum32()), nil
}
