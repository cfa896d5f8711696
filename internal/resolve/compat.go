package resolve

import (
	"fmt"
	"slices"

	"github.com/Masterminds/semver/v3"
	"github.com/upkg/upkg/internal/manifest"
)

// Skipped is a version LatestCompatible passed over, with why: "pre-release",
// or "needs Unity 2023.2 or later; the editor is 2022.3.20f1".
type Skipped struct {
	Version, Reason string
}

// LatestCompatible is the version an automatic choice (add without a
// version, "latest compatible" in outdated) takes from a package's versions
// for editor: the highest that is not a pre-release and whose unity and
// unityRelease accept the editor (manifest.EditorCompatible; editor "" accepts
// every version). skipped lists the versions above best that were passed
// over, highest first, with the reason; when ok is false (no version
// qualifies) it lists every version skipped. Versions that are not SemVer are
// ignored.
func LatestCompatible(versions []VersionInfo, editor string) (best VersionInfo, skipped []Skipped, ok bool) {
	cands := newCatalogEntry(versions, nil).cands
	for _, c := range slices.Backward(cands) {
		switch {
		case c.v.Prerelease() != "":
			skipped = append(skipped, Skipped{c.info.Version, "pre-release"})
		case !manifest.EditorCompatible(c.info.Unity, c.info.UnityRelease, editor):
			skipped = append(skipped, Skipped{c.info.Version, incompatibleReason(*c.info, editor)})
		default:
			return *c.info, skipped, true
		}
	}
	return VersionInfo{}, skipped, false
}

// incompatibleReason says why info does not run on editor.
func incompatibleReason(info VersionInfo, editor string) string {
	return fmt.Sprintf("needs Unity %s or later; the editor is %s", minEditor(info.Unity, info.UnityRelease), editor)
}

// InWindow is the version a request for from would get from the manifest's
// resolutionStrategy (UPM-SPEC §7 rule 4, the rule for indirect requests):
// with StrategyLowest ("" too) from itself; otherwise the highest version in
// the strategy's window above from that suits editor, else the lowest in the
// window. A window never moves from a stable release to a pre-release. ok is
// false when the window holds no version (from is not published, or not
// SemVer) or strategy is unknown.
func InWindow(versions []VersionInfo, from, strategy, editor string) (VersionInfo, bool) {
	high, err := semver.StrictNewVersion(from)
	if err != nil {
		return VersionInfo{}, false
	}
	entry := newCatalogEntry(versions, nil)
	switch strategy {
	case "", StrategyLowest:
		if c := entry.find(high); c != nil {
			return *c.info, true
		}
		return VersionInfo{}, false
	case StrategyHighestPatch, StrategyHighestMinor, StrategyHighest:
	default:
		return VersionInfo{}, false
	}
	c := windowPick(entry, high, strategy, func(c *candidate) bool {
		return manifest.EditorCompatible(c.info.Unity, c.info.UnityRelease, editor)
	})
	if c == nil {
		return VersionInfo{}, false
	}
	return *c.info, true
}
