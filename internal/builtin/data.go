package builtin

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/upkg/upkg/internal/manifest"
)

// dataFS holds one JSON file per editor line, data/<line>.json. Each file
// records, beside its tables, the public lock files the values were read
// from ("sources") and what was carried over from a neighbouring line
// ("notes"). embed.FS is read-only, so this is no mutable state.
//
//go:embed data/*.json
var dataFS embed.FS

// lineFile is the shape of data/<line>.json.
type lineFile struct {
	Line string `json:"line"`
	// Snapshots are the line's data at verified editor patches, oldest
	// first. A line with one snapshot of unknown patch leaves Editor empty.
	Snapshots []snapshot `json:"snapshots"`
}

type snapshot struct {
	Editor   string                 `json:"editor"`
	Sources  []string               `json:"sources"`
	Notes    []string               `json:"notes"`
	Packages map[string]snapshotPkg `json:"packages"`
}

type snapshotPkg struct {
	Version      string  `json:"version"`
	Dependencies depList `json:"dependencies"`
}

// depList decodes a lock-file style {"name": "version", ...} object keeping
// the order of its members, which encoding/json maps lose.
type depList []manifest.Dependency

// UnmarshalJSON implements json.Unmarshaler.
func (d *depList) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("dependencies: want an object, got %v", tok)
	}
	out := depList{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		tok, err = dec.Token()
		if err != nil {
			return err
		}
		version, ok := tok.(string)
		if !ok {
			return fmt.Errorf("dependencies: %q: want a version string, got %v", name, tok)
		}
		if seen[name] {
			return fmt.Errorf("dependencies: %q listed twice", name)
		}
		seen[name] = true
		out = append(out, manifest.Dependency{Name: name, Version: version})
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*d = out
	return nil
}

// lineKey is an editor line as numbers, for ordering.
type lineKey struct{ major, minor int }

func (k lineKey) String() string { return fmt.Sprintf("%d.%d", k.major, k.minor) }

func (k lineKey) compare(o lineKey) int {
	return cmp.Or(cmp.Compare(k.major, o.major), cmp.Compare(k.minor, o.minor))
}

func parseLine(s string) (lineKey, bool) {
	maj, minr, ok := strings.Cut(s, ".")
	if !ok {
		return lineKey{}, false
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(minr)
	if err1 != nil || err2 != nil || a < 0 || b < 0 {
		return lineKey{}, false
	}
	return lineKey{a, b}, true
}

// knownLines lists the lines with data, oldest first.
func knownLines() ([]lineKey, error) {
	entries, err := dataFS.ReadDir("data")
	if err != nil {
		return nil, fmt.Errorf("read embedded built-in package data: %w", err)
	}
	var lines []lineKey
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		k, ok := parseLine(name)
		if !ok {
			return nil, fmt.Errorf("embedded built-in package data: bad file name %q", e.Name())
		}
		lines = append(lines, k)
	}
	if len(lines) == 0 {
		return nil, errors.New("embedded built-in package data: no editor lines")
	}
	slices.SortFunc(lines, lineKey.compare)
	return lines, nil
}

// loadLine reads and checks data/<line>.json.
func loadLine(k lineKey) (*lineFile, error) {
	name := path.Join("data", k.String()+".json")
	data, err := dataFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read embedded %s: %w", name, err)
	}
	lf, err := decodeLine(data)
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w", name, err)
	}
	if lf.Line != k.String() {
		return nil, fmt.Errorf("embedded %s: says line %q", name, lf.Line)
	}
	return lf, nil
}

// decodeLine parses one line file strictly: unknown fields, trailing data,
// snapshots out of order or without an editor version (when there are
// several) are errors.
func decodeLine(data []byte) (*lineFile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var lf lineFile
	if err := dec.Decode(&lf); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	if _, ok := parseLine(lf.Line); !ok {
		return nil, fmt.Errorf("line %q is not an editor line such as \"2022.3\"", lf.Line)
	}
	if len(lf.Snapshots) == 0 {
		return nil, errors.New("no snapshots")
	}
	var prev *manifest.EditorVersion
	for i, sn := range lf.Snapshots {
		if sn.Editor == "" {
			if len(lf.Snapshots) > 1 {
				return nil, fmt.Errorf("snapshot %d: several snapshots need an editor version each", i)
			}
			continue
		}
		ev, err := manifest.ParseEditorVersion(sn.Editor)
		if err != nil {
			return nil, fmt.Errorf("snapshot %d: %w", i, err)
		}
		if got := (lineKey{ev.Major, ev.Minor}).String(); got != lf.Line {
			return nil, fmt.Errorf("snapshot %d: editor %s is not on line %s", i, sn.Editor, lf.Line)
		}
		if prev != nil && prev.Compare(ev) >= 0 {
			return nil, fmt.Errorf("snapshot %d: editor %s is not newer than the one before", i, sn.Editor)
		}
		prev = &ev
	}
	return &lf, nil
}

// request is a parsed ForEditor argument.
type request struct {
	line     lineKey
	hasPatch bool
	patch    int
}

// tuanjie matches the releases of Unity China's Tuanjie engine ("2022.3.2t5"),
// which manifest.ParseEditorVersion rightly does not treat as Unity versions
// but whose projects use the line's built-in packages.
var tuanjie = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)t\d+$`)

func parseRequest(editorVersion string) (request, error) {
	s := strings.TrimSpace(editorVersion)
	if ev, err := manifest.ParseEditorVersion(s); err == nil {
		return request{line: lineKey{ev.Major, ev.Minor}, hasPatch: strings.Count(s, ".") >= 2, patch: ev.Patch}, nil
	}
	if m := tuanjie.FindStringSubmatch(s); m != nil {
		maj, _ := strconv.Atoi(m[1])
		minr, _ := strconv.Atoi(m[2])
		patch, _ := strconv.Atoi(m[3])
		return request{line: lineKey{maj, minr}, hasPatch: true, patch: patch}, nil
	}
	return request{}, fmt.Errorf("%q is not a Unity editor version such as \"2022.3.20f1\" or \"6000.0\"", editorVersion)
}

// ForEditor returns the built-in packages of an editor version as
// ProjectVersion.txt writes it ("2022.3.20f1", "6000.0.23f1") or of a line
// ("2021.3"). The line's data is used; when the line has data recorded at
// several patches, the snapshot nearest to the given patch (the newest when
// no patch is given). A line without data gets the nearest line with data
// (the nearest older one, or the oldest when it is older than all) and a Set
// whose Approximate reports true; so does "", which gets the newest line. Only
// a string that is not an editor version is an error.
func ForEditor(editorVersion string) (*Set, error) {
	lines, err := knownLines()
	if err != nil {
		return nil, err
	}
	var (
		req    request
		k      lineKey
		approx bool
		note   string
		oldest bool // take the line's oldest snapshot, not the nearest/newest
	)
	if strings.TrimSpace(editorVersion) == "" {
		k, approx = lines[len(lines)-1], true
		note = fmt.Sprintf("no editor version given; using Unity %s, the newest line with built-in package data", k)
	} else {
		if req, err = parseRequest(editorVersion); err != nil {
			return nil, err
		}
		k = req.line
		i, found := slices.BinarySearchFunc(lines, req.line, lineKey.compare)
		switch {
		case found:
		case i == 0:
			k, approx, oldest = lines[0], true, true
			note = fmt.Sprintf("no built-in package data for Unity %s; using Unity %s, the oldest line with data", req.line, k)
		case i == len(lines):
			k, approx = lines[i-1], true
			note = fmt.Sprintf("no built-in package data for Unity %s; using Unity %s, the newest line with data", req.line, k)
		default:
			k, approx = lines[i-1], true
			note = fmt.Sprintf("no built-in package data for Unity %s; using Unity %s, the nearest older line with data", req.line, k)
		}
	}
	lf, err := loadLine(k)
	if err != nil {
		return nil, err
	}
	var sn snapshot
	switch {
	case oldest:
		sn = lf.Snapshots[0]
	case approx || !req.hasPatch:
		sn = lf.Snapshots[len(lf.Snapshots)-1]
	default:
		sn = nearestSnapshot(lf.Snapshots, req.patch)
	}
	if !approx {
		if sn.Editor != "" {
			note = fmt.Sprintf("Unity %s (built-in packages recorded at %s)", k, sn.Editor)
		} else {
			note = fmt.Sprintf("Unity %s (built-in packages recorded at an unknown %s patch)", k, k)
		}
	}
	s := &Set{
		line:        k.String(),
		label:       "Unity " + k.String(),
		approximate: approx,
		note:        note,
		sources:     slices.Clone(sn.Sources),
		pkgs:        make(map[string]Package, len(sn.Packages)),
	}
	for name, p := range sn.Packages {
		s.pkgs[name] = Package{Name: name, Version: p.Version, Dependencies: []manifest.Dependency(p.Dependencies)}
	}
	return s, nil
}

// nearestSnapshot returns the snapshot recorded at the patch nearest to
// patch; on a tie the older one, which never adds packages the editor may
// not have yet. decodeLine made sure every snapshot of a multi-snapshot line
// has an editor version.
func nearestSnapshot(snaps []snapshot, patch int) snapshot {
	best, bestDist := 0, -1
	for i, sn := range snaps {
		ev, err := manifest.ParseEditorVersion(sn.Editor)
		if err != nil {
			continue
		}
		d := ev.Patch - patch
		if d < 0 {
			d = -d
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = i, d
		}
	}
	return snaps[best]
}
