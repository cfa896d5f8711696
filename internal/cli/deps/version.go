package deps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/manifest"
	"github.com/upkg/upkg/internal/registry"
)

// pickVersion is the version add writes for value: the one given (it must
// exist), the registry's latest dist-tag for "latest", else ("" or "stable")
// the highest version that is no pre-release and whose unity/unityRelease
// accept the editor. note says why, naming newer versions skipped.
func pickVersion(p *registry.Packument, value, editor string) (version, note string, err error) {
	switch value {
	case "latest":
		v := p.DistTags["latest"]
		if v == "" || p.Versions[v] == nil {
			return "", "", cmdutil.WithCode(cmdutil.ExitNotFound, fmt.Errorf("%s has no latest dist-tag", p.Name), "name a version: "+p.Name+"@1.2.3")
		}
		return v, "dist-tag latest", nil
	case "", "stable":
		return highestCompatible(p, editor)
	}
	if p.Versions[value] == nil {
		return "", "", cmdutil.WithCode(cmdutil.ExitNotFound,
			fmt.Errorf("%s has no version %s (versions: %s)", p.Name, value, strings.Join(lastN(sortedVersions(p), 8), ", ")), "")
	}
	return value, "", nil
}

// highestCompatible is the highest stable version the editor accepts.
func highestCompatible(p *registry.Packument, editor string) (string, string, error) {
	var skipped []string
	for _, v := range slices.Backward(sortedVersions(p)) {
		sv, _ := semver.StrictNewVersion(v)
		if sv.Prerelease() != "" {
			continue
		}
		info := p.Versions[v]
		if editor != "" && !manifest.EditorCompatible(info.Unity, info.UnityRelease, editor) {
			skipped = append(skipped, fmt.Sprintf("%s needs Unity %s", v, strings.TrimSuffix(info.Unity+"."+info.UnityRelease, ".")))
			continue
		}
		note := "the highest stable version"
		if editor != "" {
			note = "the highest stable version Unity " + editor + " accepts"
		}
		if len(skipped) > 0 {
			note += "; skipped " + strings.Join(skipped, ", ")
		}
		return v, note, nil
	}
	why := "it has no stable version"
	if len(skipped) > 0 {
		why = fmt.Sprintf("no stable version accepts Unity %s (%s)", editor, strings.Join(skipped, ", "))
	}
	return "", "", cmdutil.WithCode(cmdutil.ExitNotFound, fmt.Errorf("%s: %s", p.Name, why), "name a version: "+p.Name+"@1.2.3")
}

// sortedVersions are the packument's SemVer versions, lowest first.
func sortedVersions(p *registry.Packument) []string {
	var vs []*semver.Version
	for v := range p.Versions {
		if sv, err := semver.StrictNewVersion(v); err == nil {
			vs = append(vs, sv)
		}
	}
	slices.SortFunc(vs, func(a, b *semver.Version) int { return a.Compare(b) })
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Original()
	}
	return out
}

func lastN(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
