package manifest

import (
	"errors"
	"testing"
)

func TestCompareEditor(t *testing.T) {
	// Each list is in ascending order; equal versions share a group.
	ascending := [][]string{
		{"2019.4.40f1"},
		{"2021.3", "2021.3.0"},
		{"2021.3.0x1"},
		{"2021.3.0a1"},
		{"2021.3.0a12"},
		{"2021.3.0b4"},
		{"2021.3.0rc1"},
		{"2021.3.0f1"},
		{"2021.3.0f1c1"},
		{"2021.3.0f2"},
		{"2021.3.0p1"},
		{"2021.3.5f1"},
		{"2021.3.10f1"},
		{"2021.4"},
		{"2022.1.0b4"},
		{"2022.3.20f1"},
		{"2023.2.0a12"},
		{"2023.2.5f1"},
		{"6000.0.23f1"},
		{"6000.1.0a1"},
	}
	for i, gi := range ascending {
		for j, gj := range ascending {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			for _, a := range gi {
				for _, b := range gj {
					if got := CompareEditor(a, b); got != want {
						t.Errorf("CompareEditor(%q, %q) = %d, want %d", a, b, got, want)
					}
				}
			}
		}
	}
	// Invalid strings sort first and stay a total order.
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"junk", "2021.3", -1}, {"2021.3", "junk", 1}, {"a", "b", -1}, {"b", "b", 0}, {"", "2021.3", -1},
		{"2021.3.0q1", "2021.3", -1}, {"2021", "2021.3", -1}, {"99999999999999999999.1", "2021.3", -1},
	} {
		if got := CompareEditor(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareEditor(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseEditorVersion(t *testing.T) {
	v, err := ParseEditorVersion("2022.3.10f1c1")
	if err != nil {
		t.Fatal(err)
	}
	if want := (EditorVersion{Major: 2022, Minor: 3, Patch: 10, Stage: "f", Build: 1, China: 1}); v != want {
		t.Errorf("got %+v, want %+v", v, want)
	}
	if v, err := ParseEditorVersion("2021.3.5"); err != nil || v != (EditorVersion{Major: 2021, Minor: 3, Patch: 5}) {
		t.Errorf("ParseEditorVersion(2021.3.5) = %+v, %v", v, err)
	}
	for _, bad := range []string{"", "2021", "2021.3.", "2021.3.5f", "2021.3.5z1", "2021.3.5f1 ", "v2021.3", "2021.3.0c1"} {
		if _, err := ParseEditorVersion(bad); err == nil {
			t.Errorf("ParseEditorVersion(%q) succeeded", bad)
		}
	}
}

func TestEditorCompatible(t *testing.T) {
	tests := []struct {
		unity, release, editor string
		want                   bool
	}{
		{"", "", "2021.3.5f1", true},
		{"2021.3", "", "", true},
		{"2021.3", "", "2021.3.0a1", true},
		{"2021.3", "", "2021.3.5f1", true},
		{"2021.3", "", "2021.2.19f1", false},
		{"2021.3", "0b4", "2021.3.0b4", true},
		{"2021.3", "0b4", "2021.3.0b3", false},
		{"2021.3", "0b4", "2021.3.0a12", false},
		{"2021.3", "0b4", "2021.3.0f1", true},
		{"2021.3", "5f1", "2021.3.4f1", false},
		{"2021.3", "5f1", "2021.3.5f1", true},
		{"2022.1", "", "6000.0.23f1", true},
		{"6000.0", "23f1", "6000.0.22f1", false},
		{"6000.0", "23f1", "6000.1.0a1", true},
		{"2019.4", "", "2019.3.15f1", false},
		{"junk", "", "2019.3.15f1", true},     // cannot judge: no filtering
		{"2021.3", "", "not-a-version", true}, // idem
	}
	for _, tt := range tests {
		if got := EditorCompatible(tt.unity, tt.release, tt.editor); got != tt.want {
			t.Errorf("EditorCompatible(%q, %q, %q) = %v, want %v", tt.unity, tt.release, tt.editor, got, tt.want)
		}
	}
}

func TestParseProjectVersion(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "m_EditorVersion: 2023.2.5f1\nm_EditorVersionWithRevision: 2023.2.5f1 (abc123def)\n", "2023.2.5f1"},
		{"crlf and bom", "\xEF\xBB\xBFm_EditorVersion: 2022.3.20f1\r\nm_EditorVersionWithRevision: 2022.3.20f1 (61c2feb0970d)\r\n", "2022.3.20f1"},
		{"revision only", "m_EditorVersionWithRevision: 6000.0.23f1 (1c4764c07fb4)\n", "6000.0.23f1"},
		{"revision line first", "m_EditorVersionWithRevision: 2021.3.1f1 (x)\nm_EditorVersion: 2021.3.1f1", "2021.3.1f1"},
		{"china", "m_EditorVersion: 2022.3.10f1c1\n", "2022.3.10f1c1"},
		{"custom build", "m_EditorVersion: 2020.3.19f1-dots\nm_EditorVersionWithRevision: 2020.3.19f1-dots (f7b9b9ec9bd3)\n", "2020.3.19f1"},
		{"another custom build", "m_EditorVersion: 2020.3.25f1-dstg\n", "2020.3.25f1"},
		{"tuanjie", "m_EditorVersion: 2022.3.2t5\n", "2022.3.2"},
	}
	for _, tt := range tests {
		got, err := ParseProjectVersion("ProjectSettings/ProjectVersion.txt", []byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	errTests := []struct {
		name, in, want string
	}{
		{"empty", "", "ProjectSettings/ProjectVersion.txt:1:1: no m_EditorVersion line"},
		{"other keys", "m_Other: 1\n", "ProjectSettings/ProjectVersion.txt:1:1: no m_EditorVersion line"},
		{"bad version", "x: y\r\nm_EditorVersion:  2023.x\r\n", `ProjectSettings/ProjectVersion.txt:2:19: "2023.x" is not a Unity editor version such as "2022.3.20f1"`},
		{"junk after the version", "m_EditorVersion: 2022.3.1f1 beta\n", `ProjectSettings/ProjectVersion.txt:1:18: "2022.3.1f1 beta" is not a Unity editor version such as "2022.3.20f1"`},
	}
	for _, tt := range errTests {
		_, err := ParseProjectVersion("ProjectSettings/ProjectVersion.txt", []byte(tt.in))
		var pe *ParseError
		if !errors.As(err, &pe) || err.Error() != tt.want {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
