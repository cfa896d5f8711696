package deps

import (
	"fmt"
	"strings"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/install"
	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/resolve"
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
			fmt.Errorf("%s has no version %s (versions: %s)", p.Name, value, strings.Join(lastN(versionsOf(p), 8), ", ")), "")
	}
	return value, "", nil
}

// highestCompatible is the highest stable version the editor accepts
// (resolve.LatestCompatible), with a note naming the newer versions skipped
// for the editor.
func highestCompatible(p *registry.Packument, editor string) (string, string, error) {
	best, skipped, ok := resolve.LatestCompatible(install.VersionInfos(p), editor)
	var why []string
	for _, s := range skipped {
		if s.Reason != "pre-release" {
			why = append(why, s.Version+" "+s.Reason)
		}
	}
	if !ok {
		msg := "it has no stable version"
		if len(why) > 0 {
			msg = "no stable version runs on the editor: " + strings.Join(why, ", ")
		}
		return "", "", cmdutil.WithCode(cmdutil.ExitNotFound, fmt.Errorf("%s: %s", p.Name, msg), "name a version: "+p.Name+"@1.2.3")
	}
	note := "the highest stable version"
	if editor != "" {
		note = "the highest stable version Unity " + editor + " accepts"
	}
	if len(why) > 0 {
		note += "; skipped " + strings.Join(why, ", ")
	}
	return best.Version, note, nil
}

func lastN(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// versionsOf are the packument's versions, lowest first.
func versionsOf(p *registry.Packument) []string {
	var out []string
	for _, v := range p.Sorted() {
		out = append(out, v.Version)
	}
	return out
}
