package manifest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in   string
		want Spec
	}{
		{"1.0.0", Spec{Kind: SpecVersion, Version: "1.0.0"}},
		{"0.0.0", Spec{Kind: SpecVersion, Version: "0.0.0"}},
		{"2.0.0-pre.1", Spec{Kind: SpecVersion, Version: "2.0.0-pre.1"}},
		{"1.0.0-preview.17+build.5", Spec{Kind: SpecVersion, Version: "1.0.0-preview.17+build.5"}},
		{"10.20.30-alpha-b.0", Spec{Kind: SpecVersion, Version: "10.20.30-alpha-b.0"}},

		{"file:../pkgs/com.example.a", Spec{Kind: SpecLocalFolder, Path: "../pkgs/com.example.a"}},
		{"file:C:/pkgs/a", Spec{Kind: SpecLocalFolder, Path: "C:/pkgs/a"}},
		{"file:/abs/a", Spec{Kind: SpecLocalFolder, Path: "/abs/a"}},
		{"file:com.example.a-1.0.0.tgz", Spec{Kind: SpecLocalTarball, Path: "com.example.a-1.0.0.tgz"}},
		{"file:../t/a-1.0.0.TAR.GZ", Spec{Kind: SpecLocalTarball, Path: "../t/a-1.0.0.TAR.GZ"}},
		{"file:folder.git", Spec{Kind: SpecLocalFolder, Path: "folder.git"}},

		{"https://git.example.com/team/repo.git", Spec{Kind: SpecGit, URL: "https://git.example.com/team/repo.git"}},
		{"https://git.example.com/team/repo.git#v1.2.0", Spec{Kind: SpecGit, URL: "https://git.example.com/team/repo.git#v1.2.0", Rev: "v1.2.0"}},
		{"https://git.example.com/team/repo.git?path=/Packages/a#main",
			Spec{Kind: SpecGit, URL: "https://git.example.com/team/repo.git?path=/Packages/a#main", SubPath: "/Packages/a", Rev: "main"}},
		{"https://github.com/Cysharp/UniTask.git?path=src/UniTask/Assets/Plugins/UniTask#2.5.0",
			Spec{Kind: SpecGit, URL: "https://github.com/Cysharp/UniTask.git?path=src/UniTask/Assets/Plugins/UniTask#2.5.0",
				SubPath: "src/UniTask/Assets/Plugins/UniTask", Rev: "2.5.0"}},
		{"HTTPS://Git.Example.com/Repo.GIT", Spec{Kind: SpecGit, URL: "HTTPS://Git.Example.com/Repo.GIT"}},
		{"http://127.0.0.1:8080/repo.git", Spec{Kind: SpecGit, URL: "http://127.0.0.1:8080/repo.git"}},
		{"ssh://git@git.example.com/team/repo.git#0123456789abcdef0123456789abcdef01234567",
			Spec{Kind: SpecGit, URL: "ssh://git@git.example.com/team/repo.git#0123456789abcdef0123456789abcdef01234567", Rev: "0123456789abcdef0123456789abcdef01234567"}},
		{"git@git.example.com:team/repo.git", Spec{Kind: SpecGit, URL: "git@git.example.com:team/repo.git"}},
		{"git@git.example.com:team/repo#v2", Spec{Kind: SpecGit, URL: "git@git.example.com:team/repo#v2", Rev: "v2"}},
		{"https://git.example.com/r.git?path=/Packages/./core/../core#v1", Spec{Kind: SpecGit, URL: "https://git.example.com/r.git?path=/Packages/./core/../core#v1", SubPath: "/Packages/core", Rev: "v1"}},
		{"https://git.example.com/r.git?path=a/b/..", Spec{Kind: SpecGit, URL: "https://git.example.com/r.git?path=a/b/..", SubPath: "a"}},
		{"git@git.example.com:team/repo.git?path=/a#b", Spec{Kind: SpecGit, URL: "git@git.example.com:team/repo.git?path=/a#b", SubPath: "/a", Rev: "b"}},
		{"git+https://git.example.com/team/repo", Spec{Kind: SpecGit, URL: "git+https://git.example.com/team/repo"}},
		{"git+ssh://git@git.example.com/team/repo.git#v1", Spec{Kind: SpecGit, URL: "git+ssh://git@git.example.com/team/repo.git#v1", Rev: "v1"}},
		{"git+file:///home/me/repo", Spec{Kind: SpecGit, URL: "git+file:///home/me/repo"}},
		{"file:///home/me/repo.git#dev", Spec{Kind: SpecGit, URL: "file:///home/me/repo.git#dev", Rev: "dev"}},
		{"git://git.example.com/repo", Spec{Kind: SpecGit, URL: "git://git.example.com/repo"}},
	}
	for _, tt := range tests {
		got, err := ParseSpec(tt.in)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseSpec(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseSpecErrors(t *testing.T) {
	rangeMsg := func(v, suggest string) string {
		return `"` + v + `" is a version range; Unity needs an exact version such as "` + suggest + `"`
	}
	tests := []struct{ in, want string }{
		{"^1.0.0", rangeMsg("^1.0.0", "1.0.0")},
		{"~1.0", rangeMsg("~1.0", "1.0.0")},
		{">=1", rangeMsg(">=1", "1.0.0")},
		{"1.x", rangeMsg("1.x", "1.0.0")},
		{"1.2.x", rangeMsg("1.2.x", "1.2.0")},
		{"*", rangeMsg("*", "1.0.0")},
		{"x", rangeMsg("x", "1.0.0")},
		{"1.0.0 - 2.0.0", rangeMsg("1.0.0 - 2.0.0", "1.0.0")},
		{"latest", rangeMsg("latest", "1.0.0")},
		{"1", rangeMsg("1", "1.0.0")},
		{"2.3", rangeMsg("2.3", "2.3.0")},
		{"^3.1.0-preview.2", rangeMsg("^3.1.0-preview.2", "3.1.0-preview.2")},
		{">1.0.0 <2.0.0", rangeMsg(">1.0.0 <2.0.0", "1.0.0")},
		{"1.0.0 || 2.0.0", rangeMsg("1.0.0 || 2.0.0", "1.0.0")},
		{"=1.0.0", rangeMsg("=1.0.0", "1.0.0")},
		{"v1.0.0", `"v1.0.0" is not an exact version; write it without the "v": "1.0.0"`},
		{"v1.x", rangeMsg("v1.x", "1.0.0")},
		{"1.0.0, 2.0.0", `"1.0.0, 2.0.0" is not a valid SemVer version (invalid characters in version); Unity needs an exact version such as "1.0.0"`},
		{"01.0.0", `"01.0.0" is not a valid SemVer version (version segment starts with 0); Unity needs an exact version such as "1.0.0"`},
		{"1.0.0-", `"1.0.0-" is not a valid SemVer version (invalid prerelease string); Unity needs an exact version such as "1.0.0"`},
		{"1.0.0.0", `"1.0.0.0" is not a valid SemVer version (invalid characters in version); Unity needs an exact version such as "1.0.0"`},
		{"", `the version is empty; Unity needs an exact version such as "1.0.0"`},
		{" 1.0.0", `" 1.0.0" has leading or trailing spaces`},
		{"stable", `"stable" is not an exact version, a file: path or a Git URL`},
		{"https://example.com/pkg.tgz", `"https://example.com/pkg.tgz" is not an exact version, a file: path or a Git URL`},
		{"github:user/repo", `"github:user/repo" is not an exact version, a file: path or a Git URL`},
		{"file:", `"file:" names no path after "file:"`},
		{"https://git.example.com/repo.git#", `"https://git.example.com/repo.git#": empty revision after '#'`},
		{"https://git.example.com/repo.git#v1?path=/a", `"https://git.example.com/repo.git#v1?path=/a": put ?path= before #revision`},
		{"https://git.example.com/repo.git?ref=v1", `"https://git.example.com/repo.git?ref=v1": the only query a Git URL may carry is ?path=<folder of the package>`},
		{"https://git.example.com/repo.git?path=", `"https://git.example.com/repo.git?path=": the only query a Git URL may carry is ?path=<folder of the package>`},
		{"https:///repo.git", `"https:///repo.git": the Git URL names no host`},
		{"git+https://git.example.com/my repo", `"git+https://git.example.com/my repo": a Git URL cannot contain spaces`},
	}
	for _, tt := range tests {
		got, err := ParseSpec(tt.in)
		if err == nil {
			t.Errorf("ParseSpec(%q) = %+v, want error %q", tt.in, got, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseSpec(%q) error\n got %q\nwant %q", tt.in, err.Error(), tt.want)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"com.unity.2d.sprite", "nuget.moq", "com.github-glitchenzo.nugetforunity", "jp.keijiro.klak_hap", "a.b", "com.example." + strings.Repeat("a", MaxNameLength-12)} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("ValidateName(%q): %v", ok, err)
		}
	}
	tests := []struct{ in, want string }{
		{"", "the package name is empty"},
		{"@scope/pkg", `npm scoped names are not Unity package names; use a reverse-domain name such as "com.example.tools"`},
		{"com.example/pkg", `npm scoped names are not Unity package names; use a reverse-domain name such as "com.example.tools"`},
		{"Com.Example.A", `package names must be lowercase ("com.example.a")`},
		{"com.example a", `package names may only contain lowercase letters, digits, '-', '_' and '.', not ' '`},
		{"com.exämple", `package names may only contain lowercase letters, digits, '-', '_' and '.', not 'ä'`},
		{"example.", `package names cannot start or end with '.' or contain ".."`},
		{".com.example", `package names cannot start or end with '.' or contain ".."`},
		{"com.example.", `package names cannot start or end with '.' or contain ".."`},
		{"com..example", `package names cannot start or end with '.' or contain ".."`},
		{"com.example." + strings.Repeat("a", MaxNameLength-11), "the name is 215 characters long; UPM allows at most 214"},
	}
	for _, tt := range tests {
		err := ValidateName(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ValidateName(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// TestDependencySpecParsedOnce: Parse keeps an invalid manifest value with
// ParseSpec's error (ValueError puts it at its position), and NewDependency
// parses a value read in from elsewhere the same way.
func TestDependencySpecParsedOnce(t *testing.T) {
	m, err := Parse("Packages/manifest.json", []byte("{\"dependencies\": {\n  \"com.example.a\": \"^1.0.0\",\n  \"com.example.g\": \"git@example.com:team/g.git#v1\"\n}}"))
	if err != nil {
		t.Fatal(err)
	}
	a, g := m.Dependencies[0], m.Dependencies[1]
	_, want := ParseSpec("^1.0.0")
	if a.SpecErr == nil || a.SpecErr.Error() != want.Error() || a.Spec != (Spec{}) {
		t.Errorf("com.example.a: Spec %+v, SpecErr %v; want the zero Spec and %v", a.Spec, a.SpecErr, want)
	}
	if got := a.ValueError(m.Path); got == nil || got.Error() != "Packages/manifest.json:2:20: com.example.a: "+want.Error() {
		t.Errorf("ValueError = %v", got)
	}
	if g.SpecErr != nil || g.Spec != (Spec{Kind: SpecGit, URL: "git@example.com:team/g.git#v1", Rev: "v1"}) {
		t.Errorf("com.example.g: Spec %+v, SpecErr %v", g.Spec, g.SpecErr)
	}
	if err := g.ValueError(m.Path); err != nil {
		t.Errorf("ValueError of a valid value = %v", err)
	}
	if d := NewDependency("com.example.a", "^1.0.0"); d.Name != "com.example.a" || d.Version != "^1.0.0" || d.SpecErr == nil || d.SpecErr.Error() != want.Error() {
		t.Errorf("NewDependency = %+v", d)
	}
	if d := NewDependency("com.example.l", "file:../l"); d.SpecErr != nil || d.Spec != (Spec{Kind: SpecLocalFolder, Path: "../l"}) {
		t.Errorf("NewDependency = %+v", d)
	}
}
