package manifest

import (
	"bytes"
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// EditorVersion is a parsed Unity editor version: "2021.3", "2021.3.5f1",
// "6000.0.23f1", "2022.1.0b4", "2023.2.0a12", "2022.3.10f1c1".
type EditorVersion struct {
	Major, Minor, Patch int
	// Stage is the release letter: "x" (experimental), "a" (alpha), "b"
	// (beta), "rc", "f" (final) or "p" (patch); "" when the version stops
	// before it ("2021.3", "2021.3.0").
	Stage string
	Build int
	// China is the build of a China-specific release ("c1" in "…f1c1"), 0 if
	// none.
	China int
}

// stageRank orders the release letters; a version without one ("2021.3")
// stands for the lowest release of its line.
func stageRank(stage string) int {
	switch stage {
	case "x":
		return 1
	case "a":
		return 2
	case "b":
		return 3
	case "rc":
		return 4
	case "f":
		return 5
	case "p":
		return 6
	}
	return 0
}

var editorVersion = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\d+)\.(\d+)(?:\.(\d+)(?:(x|a|b|rc|f|p)(\d+)(?:c(\d+))?)?)?$`)
})

// ParseEditorVersion parses a Unity editor version (see EditorVersion).
func ParseEditorVersion(s string) (EditorVersion, error) {
	m := editorVersion().FindStringSubmatch(s)
	if m == nil {
		return EditorVersion{}, fmt.Errorf("%q is not a Unity editor version such as \"2022.3.20f1\"", s)
	}
	var nums [5]int
	for i, part := range []string{m[1], m[2], m[3], m[5], m[6]} {
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			return EditorVersion{}, fmt.Errorf("%q is not a Unity editor version: %w", s, err)
		}
		nums[i] = n
	}
	return EditorVersion{Major: nums[0], Minor: nums[1], Patch: nums[2], Stage: m[4], Build: nums[3], China: nums[4]}, nil
}

// Compare orders editor versions: year, minor, patch (absent = 0), then
// release stage x < a < b < rc < f < p (absent = lowest), build, China build.
func (v EditorVersion) Compare(w EditorVersion) int {
	return cmp.Or(
		cmp.Compare(v.Major, w.Major),
		cmp.Compare(v.Minor, w.Minor),
		cmp.Compare(v.Patch, w.Patch),
		cmp.Compare(stageRank(v.Stage), stageRank(w.Stage)),
		cmp.Compare(v.Build, w.Build),
		cmp.Compare(v.China, w.China),
	)
}

// CompareEditor compares two editor version strings the way
// EditorVersion.Compare does and returns -1, 0 or +1. A string that is not an
// editor version sorts before every valid one; two invalid strings compare as
// strings, so the order stays total.
func CompareEditor(a, b string) int {
	va, erra := ParseEditorVersion(a)
	vb, errb := ParseEditorVersion(b)
	switch {
	case erra != nil && errb != nil:
		return strings.Compare(a, b)
	case erra != nil:
		return -1
	case errb != nil:
		return 1
	}
	return va.Compare(vb)
}

// EditorCompatible reports whether a package whose package.json says
// "unity": pkgUnity and "unityRelease": pkgUnityRelease runs on editor
// (UPM-SPEC §7.5): the two fields name the lowest compatible editor
// ("2021.3" + "0b4" → 2021.3.0b4). An empty pkgUnity or editor means nothing
// to check, and so does a value that is not an editor version: filtering on a
// guess would hide packages the user asked for.
func EditorCompatible(pkgUnity, pkgUnityRelease, editor string) bool {
	if pkgUnity == "" || editor == "" {
		return true
	}
	lowest := pkgUnity
	if pkgUnityRelease != "" {
		lowest += "." + pkgUnityRelease
	}
	least, err := ParseEditorVersion(lowest)
	if err != nil {
		return true
	}
	ed, err := ParseEditorVersion(editor)
	if err != nil {
		return true
	}
	return ed.Compare(least) >= 0
}

// ParseProjectVersion reads the editor version from
// ProjectSettings/ProjectVersion.txt: the "m_EditorVersion: 2023.2.5f1" line,
// else the first word of "m_EditorVersionWithRevision: 2023.2.5f1 (…)". A
// missing line or a malformed version is a *ParseError.
func ParseProjectVersion(path string, data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	type found struct {
		value     string
		line, col int
	}
	var plain, withRev *found
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSuffix(raw, "\r")
		key, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value := strings.TrimSpace(rest)
		col := utf8.RuneCountInString(line[:len(line)-len(strings.TrimLeft(rest, " \t"))]) + 1
		switch strings.TrimSpace(key) {
		case "m_EditorVersion":
			if plain == nil {
				plain = &found{value, i + 1, col}
			}
		case "m_EditorVersionWithRevision":
			if withRev == nil {
				first, _, _ := strings.Cut(value, " ")
				withRev = &found{first, i + 1, col}
			}
		}
	}
	f := plain
	if f == nil {
		f = withRev
	}
	if f == nil {
		return "", &ParseError{File: path, Line: 1, Column: 1, Msg: "no m_EditorVersion line"}
	}
	if _, err := ParseEditorVersion(f.value); err != nil {
		if m := editorBuild().FindStringSubmatch(f.value); m != nil {
			// A custom build of a Unity release ("2020.3.19f1-dots", seen
			// in Unity-Technologies/DOTS-training-samples) or a Tuanjie
			// release ("2022.3.2t5", Unity China's engine on the 2022.3
			// line): the Editor opens these projects, so upkg reads them as
			// the Unity release (or line) they are built on.
			if m[4] == "t" {
				return m[1], nil
			}
			return m[1] + m[2] + m[3], nil
		}
		return "", &ParseError{File: path, Line: f.line, Column: f.col, Msg: err.Error()}
	}
	return f.value, nil
}

// editorBuild matches a Unity release with a build suffix ("2020.3.19f1-dots")
// and Tuanjie releases ("2022.3.2t5"): version, stage, build.
var editorBuild = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\d+\.\d+\.\d+)(?:(x|a|b|rc|f|p)(\d+)(?:c\d+)?[-+._][0-9A-Za-z._-]+|(t)(\d+))$`)
})
