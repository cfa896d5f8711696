package builtin

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/upkg/upkg/internal/manifest"
)

// dataFS holds one generated JSON file per editor line, data/<line>.json
// (see table.go). embed.FS is read-only, so this is no mutable state.
//
//go:embed data/*.json
var dataFS embed.FS

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
func knownLines(fsys fs.FS) ([]lineKey, error) {
	entries, err := fs.ReadDir(fsys, "data")
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
func loadLine(fsys fs.FS, k lineKey) (*lineFile, error) {
	name := path.Join("data", k.String()+".json")
	data, err := fs.ReadFile(fsys, name)
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

// request is a parsed ForEditor argument.
type request struct {
	raw      string // as given, trimmed
	ev       manifest.EditorVersion
	line     lineKey
	hasPatch bool
}

// tuanjie matches the releases of Unity China's Tuanjie engine ("2022.3.2t5"),
// which manifest.ParseEditorVersion rightly does not treat as Unity versions
// but whose projects use the line's built-in packages.
var tuanjie = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)t\d+$`) })

func parseRequest(editorVersion string) (request, error) {
	s := strings.TrimSpace(editorVersion)
	if ev, err := manifest.ParseEditorVersion(s); err == nil {
		return request{raw: s, ev: ev, line: lineKey{ev.Major, ev.Minor}, hasPatch: strings.Count(s, ".") >= 2}, nil
	}
	if m := tuanjie().FindStringSubmatch(s); m != nil {
		maj, _ := strconv.Atoi(m[1])
		minr, _ := strconv.Atoi(m[2])
		patch, _ := strconv.Atoi(m[3])
		return request{raw: s, ev: manifest.EditorVersion{Major: maj, Minor: minr, Patch: patch}, line: lineKey{maj, minr}, hasPatch: true}, nil
	}
	return request{}, fmt.Errorf("%q is not a Unity editor version such as \"2022.3.20f1\" or \"6000.0\"", editorVersion)
}

// sameRelease reports whether a table's editor is the requested release:
// the same version, the China build aside (2022.3.20f1c1 ships the
// packages of 2022.3.20f1).
func (q request) sameRelease(editor string) bool {
	if !q.hasPatch || q.ev.Stage == "" {
		return false
	}
	ev, err := manifest.ParseEditorVersion(editor)
	if err != nil {
		return false
	}
	ev.China = 0
	want := q.ev
	want.China = 0
	return ev.Compare(want) == 0
}

// ForEditor returns the built-in packages of an editor version as
// ProjectVersion.txt writes it ("2022.3.20f1", "6000.0.23f1") or of a line
// ("2021.3").
//
// Each package is read from the table of the line's editor version nearest
// to the one asked for (the older on a tie; the newest when no patch is
// given): a package the locks of that release show is exact (Exact), any
// other is the nearest evidence. A module that no lock of the line shows
// comes from the nearer of the two neighbouring lines that has it. A line
// without tables gets the nearest line's newest editor (the oldest line's
// oldest, when it is older than all), and Approximate reports true; so does
// "", which gets the newest line. Only a string that is not an editor
// version is an error.
func ForEditor(editorVersion string) (*Set, error) {
	return forEditor(dataFS, editorVersion)
}

func forEditor(fsys fs.FS, editorVersion string) (*Set, error) {
	lines, err := knownLines(fsys)
	if err != nil {
		return nil, err
	}
	s := &Set{pkgs: map[string]Package{}, exact: map[string]bool{}, locked: map[string]bool{}, alts: map[string][]Package{}}
	var (
		req    request
		k      lineKey
		oldest bool // take the line's oldest editor, not the nearest/newest
	)
	if strings.TrimSpace(editorVersion) == "" {
		k, s.approximate = lines[len(lines)-1], true
		s.note = fmt.Sprintf("no editor version given; using Unity %s, the newest line with built-in package data", k)
	} else {
		if req, err = parseRequest(editorVersion); err != nil {
			return nil, err
		}
		k = req.line
		i, found := slices.BinarySearchFunc(lines, req.line, lineKey.compare)
		switch {
		case found:
		case i == 0:
			k, s.approximate, oldest = lines[0], true, true
			s.note = fmt.Sprintf("no built-in package table for Unity %s; using Unity %s, the oldest line with a table", req.line, k)
		case i == len(lines):
			k, s.approximate = lines[i-1], true
			s.note = fmt.Sprintf("no built-in package table for Unity %s; using Unity %s, the newest line with a table", req.line, k)
		default:
			k, s.approximate = lines[i-1], true
			s.note = fmt.Sprintf("no built-in package table for Unity %s; using Unity %s, the nearest older line with a table", req.line, k)
		}
	}
	lf, err := loadLine(fsys, k)
	if err != nil {
		return nil, err
	}
	s.line, s.label = k.String(), "Unity "+k.String()
	if !s.approximate {
		s.label = "Unity " + req.raw
	}

	// Every package the line's tables know, read from the editor nearest to
	// the one asked for among those whose locks show it.
	order := editorOrder(lf, req, s.approximate, oldest)
	nearest := lf.Editors[order[0]]
	var exactTable bool
	for _, i := range order {
		ed := lf.Editors[i]
		exact := !s.approximate && req.sameRelease(ed.Editor)
		exactTable = exactTable || exact
		for name, p := range ed.Builtin {
			if !s.seen(name) {
				s.add(name, p, exact, ed)
			}
			s.addAlt(name, p)
		}
		for _, name := range ed.Registry {
			if !s.seen(name) {
				s.absent = append(s.absent, name)
				s.exact[name] = exact
			}
		}
	}
	if !s.approximate {
		switch {
		case exactTable:
			s.note = fmt.Sprintf("the built-in package table for Unity %s", nearest.Editor)
		case req.hasPatch:
			s.note = fmt.Sprintf("no built-in package table for Unity %s; using the nearest, Unity %s", req.raw, nearest.Editor)
		default:
			s.note = fmt.Sprintf("the built-in package table for Unity %s (the newest of line %s)", nearest.Editor, k)
		}
	}
	// Modules of the two nearest other lines (the older first on a tie): a
	// module no lock of this line shows is in one of its neighbours, and
	// reading every table would cost an install milliseconds for nothing.
	others := slices.DeleteFunc(slices.Clone(lines), func(o lineKey) bool { return o == k })
	slices.SortStableFunc(others, func(a, b lineKey) int {
		return cmp.Or(cmp.Compare(lineDistance(a, k), lineDistance(b, k)), a.compare(b))
	})
	if len(others) > 2 {
		others = others[:2]
	}
	for _, o := range others {
		olf, err := loadLine(fsys, o)
		if err != nil {
			return nil, err
		}
		for i := len(olf.Editors) - 1; i >= 0; i-- {
			ed := olf.Editors[i]
			for name, p := range ed.Builtin {
				if !s.seen(name) && IsModule(name) {
					s.add(name, p, false, ed)
				}
			}
		}
	}
	return s, nil
}

// editorOrder lists the indexes of lf.Editors nearest first: by distance
// of patch to the one asked for, the older on a tie; newest first when no
// patch is given or the line stands in for another; oldest first when the
// line is newer than the one asked for.
func editorOrder(lf *lineFile, req request, approx, oldest bool) []int {
	idx := make([]int, len(lf.Editors))
	for i := range idx {
		idx[i] = i
	}
	switch {
	case oldest:
		return idx
	case approx || !req.hasPatch:
		slices.Reverse(idx)
		return idx
	}
	versions := make([]manifest.EditorVersion, len(lf.Editors))
	for i, ed := range lf.Editors {
		versions[i], _ = manifest.ParseEditorVersion(ed.Editor) // decodeLine checked them
	}
	dist := func(i int) int {
		d := versions[i].Patch - req.ev.Patch
		if d < 0 {
			return -d
		}
		return d
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if req.sameRelease(lf.Editors[a].Editor) != req.sameRelease(lf.Editors[b].Editor) {
			if req.sameRelease(lf.Editors[a].Editor) {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(dist(a), dist(b)), versions[a].Compare(versions[b]))
	})
	return idx
}

// lineDistance orders lines by closeness: a year apart counts as many
// minor releases.
func lineDistance(a, b lineKey) int {
	d := (a.major-b.major)*100 + (a.minor - b.minor)
	if d < 0 {
		return -d
	}
	return d
}
