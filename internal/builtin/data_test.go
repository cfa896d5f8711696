package builtin

import (
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	"github.com/upkg/upkg/internal/manifest"
)

// TestDataFiles checks every embedded line file for what the resolver relies
// on: valid names and exact versions, modules at 1.0.0 that depend only on
// modules of the same snapshot, and provenance for every snapshot.
func TestDataFiles(t *testing.T) {
	lines, err := knownLines()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range lines {
		lf, err := loadLine(k)
		if err != nil {
			t.Errorf("line %s: %v", k, err)
			continue
		}
		for _, sn := range lf.Snapshots {
			where := k.String() + "@" + sn.Editor
			if len(sn.Sources) == 0 {
				t.Errorf("%s: no sources", where)
			}
			for _, src := range sn.Sources {
				if !strings.Contains(src, "packages-lock.json @") {
					t.Errorf("%s: source %q does not name a lock file and commit", where, src)
				}
			}
			for name, p := range sn.Packages {
				if err := manifest.ValidateName(name); err != nil {
					t.Errorf("%s: %s: %v", where, name, err)
				}
				if _, err := semver.StrictNewVersion(p.Version); err != nil {
					t.Errorf("%s: %s version %q: %v", where, name, p.Version, err)
				}
				if IsModule(name) && p.Version != "1.0.0" {
					t.Errorf("%s: module %s at %s; modules are 1.0.0", where, name, p.Version)
				}
				for _, d := range p.Dependencies {
					if _, err := semver.StrictNewVersion(d.Version); err != nil {
						t.Errorf("%s: %s depends on %s %q: %v", where, name, d.Name, d.Version, err)
					}
					if IsModule(name) && !IsModule(d.Name) {
						t.Errorf("%s: module %s depends on %s, which is no module", where, name, d.Name)
					}
					if _, ok := sn.Packages[d.Name]; IsModule(d.Name) && !ok {
						t.Errorf("%s: %s depends on %s, which the snapshot lacks", where, name, d.Name)
					}
				}
			}
		}
	}
}

func TestDecodeLineErrors(t *testing.T) {
	pkg := `"packages": {"com.unity.modules.ai": {"version": "1.0.0", "dependencies": {}}}`
	tests := []struct{ name, data, want string }{
		{"not json", `{`, "unexpected EOF"},
		{"unknown field", `{"line": "2022.3", "extra": 1, "snapshots": [{` + pkg + `}]}`, "unknown field"},
		{"trailing data", `{"line": "2022.3", "snapshots": [{` + pkg + `}]} {}`, "trailing data"},
		{"bad line", `{"line": "2022", "snapshots": [{` + pkg + `}]}`, "not an editor line"},
		{"no snapshots", `{"line": "2022.3", "snapshots": []}`, "no snapshots"},
		{"dependency twice", `{"line": "2022.3", "snapshots": [{"packages": {"a.b": {"version": "1.0.0",
			"dependencies": {"c.d": "1.0.0", "c.d": "2.0.0"}}}}]}`, "listed twice"},
		{"dependency not a string", `{"line": "2022.3", "snapshots": [{"packages": {"a.b": {"version": "1.0.0",
			"dependencies": {"c.d": 1}}}}]}`, "want a version string"},
		{"dependencies not an object", `{"line": "2022.3", "snapshots": [{"packages": {"a.b": {"version": "1.0.0",
			"dependencies": ["c.d"]}}}]}`, "want an object"},
		{"editor on another line", `{"line": "2022.3", "snapshots": [{"editor": "2021.3.1f1", ` + pkg + `}]}`, "not on line 2022.3"},
		{"editor not a version", `{"line": "2022.3", "snapshots": [{"editor": "latest", ` + pkg + `}]}`, "not a Unity editor version"},
		{"several without editor", `{"line": "2022.3", "snapshots": [{` + pkg + `}, {"editor": "2022.3.5f1", ` + pkg + `}]}`,
			"need an editor version"},
		{"out of order", `{"line": "2022.3", "snapshots": [{"editor": "2022.3.9f1", ` + pkg + `}, {"editor": "2022.3.5f1", ` + pkg + `}]}`,
			"not newer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeLine([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decodeLine error = %v; want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDecodeLineKeepsDependencyOrder(t *testing.T) {
	lf, err := decodeLine([]byte(`{"line": "2022.3", "snapshots": [{"packages": {"a.b": {"version": "1.0.0",
		"dependencies": {"z.z": "1.0.0", "a.a": "2.0.0", "m.m": "3.0.0"}}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := depStrings(lf.Snapshots[0].Packages["a.b"].Dependencies)
	want := []string{"z.z@1.0.0", "a.a@2.0.0", "m.m@3.0.0"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("dependencies = %v; want %v", got, want)
	}
}
