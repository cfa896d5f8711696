package manifest

import (
	"regexp"
	"sync"

	"github.com/Masterminds/semver/v3"
	"github.com/upkg/upkg/internal/jsonpos"
)

// unityField and unityReleaseField are the forms of package.json's "unity"
// ("2021.3", "6000.0") and "unityRelease" ("0b4", "23f1").
var (
	unityField        = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d+\.\d+$`) })
	unityReleaseField = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d+(?:a|b|f|p|x|rc)\d+$`) })
)

// ParsePackageJSON parses a package's package.json (UPM-SPEC §8). name and
// version are required: name must be a valid package name, version exact
// SemVer 2.0. "unity" must look like "2021.3" and "unityRelease" like "0b4"
// (and only together with "unity"). Dependencies keep file order and must be
// exact versions. Problems are *ParseError values naming path, line and
// column; fields UPM does not read are ignored.
func ParsePackageJSON(path string, data []byte) (*PackageJSON, error) {
	d := &document{jsonpos.Doc{Path: path, Data: data}}
	root, err := d.Root("package.json")
	if err != nil {
		return nil, err
	}
	if err := d.Unique(root, "package.json"); err != nil {
		return nil, err
	}
	p := &PackageJSON{}
	var hasName, hasVersion bool
	var unityRelease *jsonpos.Value
	for _, mem := range root.Members {
		v := mem.Value
		switch mem.Key {
		case "name":
			if err := d.Want(v, jsonpos.String, "name"); err != nil {
				return nil, err
			}
			if err := ValidateName(v.Str); err != nil {
				return nil, d.Errorf(v.Offset, "name %q: %v", v.Str, err)
			}
			p.Name, hasName = v.Str, true
		case "version":
			if err := d.Want(v, jsonpos.String, "version"); err != nil {
				return nil, err
			}
			if _, err := semver.StrictNewVersion(v.Str); err != nil {
				return nil, d.Errorf(v.Offset, "version %q is not a valid SemVer 2.0 version such as \"1.0.0\"", v.Str)
			}
			p.Version, hasVersion = v.Str, true
		case "displayName":
			if err := d.Want(v, jsonpos.String, "displayName"); err != nil {
				return nil, err
			}
			p.DisplayName = v.Str
		case "unity":
			if err := d.Want(v, jsonpos.String, "unity"); err != nil {
				return nil, err
			}
			if !unityField().MatchString(v.Str) {
				return nil, d.Errorf(v.Offset, "unity %q is not an editor version such as \"2021.3\"", v.Str)
			}
			p.Unity = v.Str
		case "unityRelease":
			if err := d.Want(v, jsonpos.String, "unityRelease"); err != nil {
				return nil, err
			}
			if !unityReleaseField().MatchString(v.Str) {
				return nil, d.Errorf(v.Offset, "unityRelease %q is not a release such as \"0b4\" or \"23f1\"", v.Str)
			}
			p.UnityRelease, unityRelease = v.Str, v
		case "dependencies":
			if p.Dependencies, err = d.dependencies(v, "dependencies", false); err != nil {
				return nil, err
			}
		}
	}
	switch {
	case !hasName:
		return nil, d.Errorf(root.Offset, "package.json has no \"name\"")
	case !hasVersion:
		return nil, d.Errorf(root.Offset, "package.json has no \"version\"")
	case unityRelease != nil && p.Unity == "":
		return nil, d.Errorf(unityRelease.Offset, "unityRelease needs \"unity\" as well")
	}
	return p, nil
}
