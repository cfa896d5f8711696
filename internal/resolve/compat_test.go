package resolve

import (
	"reflect"
	"testing"
)

func vi(version, unity, release string) VersionInfo {
	return VersionInfo{Version: version, Unity: unity, UnityRelease: release}
}

var compatVersions = []VersionInfo{
	vi("1.0.0", "2021.3", ""),
	vi("1.0.1", "2021.3", ""),
	vi("1.1.0", "2022.3", ""),
	vi("1.2.0", "2022.3", "20f1"),
	vi("1.3.0-pre.1", "2021.3", ""),
	vi("2.0.0", "6000.0", ""),
	vi("not-semver", "", ""),
}

func TestLatestCompatible(t *testing.T) {
	for _, tc := range []struct {
		editor  string
		want    string
		ok      bool
		skipped []Skipped
	}{
		{"", "2.0.0", true, nil},
		{"6000.0.23f1", "2.0.0", true, nil},
		{"2022.3.20f1", "1.2.0", true, []Skipped{
			{"2.0.0", "needs Unity 6000.0 or later; the editor is 2022.3.20f1"},
			{"1.3.0-pre.1", "pre-release"},
		}},
		{"2022.3.19f1", "1.1.0", true, []Skipped{
			{"2.0.0", "needs Unity 6000.0 or later; the editor is 2022.3.19f1"},
			{"1.3.0-pre.1", "pre-release"},
			{"1.2.0", "needs Unity 2022.3.20f1 or later; the editor is 2022.3.19f1"},
		}},
		{"2020.3.1f1", "", false, []Skipped{
			{"2.0.0", "needs Unity 6000.0 or later; the editor is 2020.3.1f1"},
			{"1.3.0-pre.1", "pre-release"},
			{"1.2.0", "needs Unity 2022.3.20f1 or later; the editor is 2020.3.1f1"},
			{"1.1.0", "needs Unity 2022.3 or later; the editor is 2020.3.1f1"},
			{"1.0.1", "needs Unity 2021.3 or later; the editor is 2020.3.1f1"},
			{"1.0.0", "needs Unity 2021.3 or later; the editor is 2020.3.1f1"},
		}},
	} {
		best, skipped, ok := LatestCompatible(compatVersions, tc.editor)
		if best.Version != tc.want || ok != tc.ok || !reflect.DeepEqual(skipped, tc.skipped) {
			t.Errorf("editor %q: %q %v %#v; want %q %v %#v", tc.editor, best.Version, ok, skipped, tc.want, tc.ok, tc.skipped)
		}
	}
	if _, skipped, ok := LatestCompatible(nil, "2022.3.1f1"); ok || skipped != nil {
		t.Errorf("no versions: %v %v", skipped, ok)
	}
}

func TestInWindow(t *testing.T) {
	for _, tc := range []struct {
		from, strategy, editor string
		want                   string
		ok                     bool
	}{
		{"1.0.0", "", "", "1.0.0", true},
		{"1.0.0", StrategyLowest, "", "1.0.0", true},
		{"1.0.2", StrategyLowest, "", "", false},
		{"1.0.0", StrategyHighestPatch, "", "1.0.1", true},
		{"1.0.0", StrategyHighestMinor, "", "1.2.0", true},
		{"1.0.0", StrategyHighestMinor, "2022.3.1f1", "1.1.0", true},
		{"1.0.0", StrategyHighest, "", "2.0.0", true},
		{"1.0.0", StrategyHighest, "2022.3.20f1", "1.2.0", true},
		// Nothing in the window suits the editor: the lowest in it.
		{"1.1.0", StrategyHighest, "2021.3.1f1", "1.1.0", true},
		{"1.3.0-pre.1", StrategyHighestPatch, "", "1.3.0-pre.1", true},
		{"3.0.0", StrategyHighest, "", "", false},
		{"1.0.0", "fastest", "", "", false},
		{"x", StrategyHighest, "", "", false},
	} {
		got, ok := InWindow(compatVersions, tc.from, tc.strategy, tc.editor)
		if got.Version != tc.want || ok != tc.ok {
			t.Errorf("InWindow(%s, %s, %q) = %q, %v; want %q, %v", tc.from, tc.strategy, tc.editor, got.Version, ok, tc.want, tc.ok)
		}
	}
}
