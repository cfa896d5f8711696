package lockfile

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// allSources is a lock with one entry of every source, deliberately out of
// order, with dependencies out of alphabetical order (they must stay so).
func allSources() *Lock {
	return &Lock{Entries: []Entry{
		{Name: "com.unity.modules.ui", Version: "1.0.0", Depth: 2, Source: SourceBuiltin},
		{Name: "com.example.tools", Version: "1.2.0", Depth: 0, Source: SourceRegistry,
			Dependencies: []Dep{{"com.example.core", "1.0.0"}, {"com.example.alpha", "2.0.0-pre.1"}},
			URL:          "https://npm.example.com/team"},
		{Name: "com.example.core", Version: "1.1.0", Depth: 1, Source: SourceRegistry, URL: "https://npm.example.com/team"},
		{Name: "com.example.alpha", Version: "2.0.0-pre.1", Depth: 1, Source: SourceRegistry, URL: "http://127.0.0.1:4873"},
		{Name: "com.example.embedded", Version: "file:com.example.embedded", Depth: 0, Source: SourceEmbedded,
			Dependencies: []Dep{{"com.unity.ugui", "1.0.0"}}},
		{Name: "com.example.local", Version: "file:../../shared/com.example.local", Depth: 0, Source: SourceLocal},
		{Name: "com.example.tarball", Version: "file:tarballs/com.example.tarball-3.0.0.tgz", Depth: 0, Source: SourceLocalTarball},
		{Name: "com.example.git", Version: "https://git.example.com/team/repo.git?path=/Packages/git#v1.0.0", Depth: 0, Source: SourceGit,
			Dependencies: []Dep{{"com.example.core", "1.0.0"}}, Hash: "0123456789abcdef0123456789abcdef01234567"},
		{Name: "com.unity.ugui", Version: "1.0.0", Depth: 1, Source: SourceBuiltin,
			Dependencies: []Dep{{"com.unity.modules.ui", "1.0.0"}, {"com.unity.modules.imgui", "1.0.0"}}},
		{Name: "com.unity.modules.imgui", Version: "1.0.0", Depth: 2, Source: SourceBuiltin},
	}}
}

func sorted(l *Lock) *Lock {
	c := &Lock{Entries: slices.Clone(l.Entries)}
	c.Sort()
	return c
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func TestMarshalGolden(t *testing.T) {
	l := allSources()
	before := slices.Clone(l.Entries)
	out := Marshal(l)
	golden(t, "all-sources.json", out)
	if diff := cmp.Diff(before, l.Entries); diff != "" {
		t.Errorf("Marshal reordered or changed its input:\n%s", diff)
	}
	back, err := Parse("all-sources.json", out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sorted(l), back); diff != "" {
		t.Errorf("Parse(Marshal(x)) != x (-want +got):\n%s", diff)
	}
}

// TestRealLockFiles proves byte-identical output on lock files the Unity
// Editor wrote (testdata/real/README.md).
func TestRealLockFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/real/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d real lock files, want 3 or more", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Parse(path, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Entries) == 0 {
				t.Fatal("no entries parsed")
			}
			if diff := cmp.Diff(string(data), string(Marshal(l))); diff != "" {
				t.Errorf("Marshal(Parse(file)) differs from the file (-file +marshal):\n%s", diff)
			}
			// Unity's file is already in Less order: parsing keeps it.
			if diff := cmp.Diff(sorted(l), l); diff != "" {
				t.Errorf("the real file is not in Less order:\n%s", diff)
			}
		})
	}
}

func TestParseRealEntries(t *testing.T) {
	data, err := os.ReadFile("testdata/real/r3.json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := Parse("r3.json", data)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Entry{
		"com.cysharp.r3.internal": {Name: "com.cysharp.r3.internal", Version: "file:../../R3/bin/Debug/netstandard2.0", Source: SourceLocal},
		"com.cysharp.unitask": {Name: "com.cysharp.unitask", Version: "https://github.com/Cysharp/UniTask.git?path=src/UniTask/Assets/Plugins/UniTask",
			Source: SourceGit, Hash: "66de0d3a58b256b6e0194f285cc530fd0c08407b"},
		"com.unity.test-framework": {Name: "com.unity.test-framework", Version: "1.1.33", Depth: 1, Source: SourceRegistry,
			Dependencies: []Dep{{"com.unity.ext.nunit", "1.0.6"}, {"com.unity.modules.imgui", "1.0.0"}, {"com.unity.modules.jsonserialize", "1.0.0"}},
			URL:          "https://packages.unity.com"},
		"com.unity.ugui": {Name: "com.unity.ugui", Version: "1.0.0", Source: SourceBuiltin,
			Dependencies: []Dep{{"com.unity.modules.ui", "1.0.0"}, {"com.unity.modules.imgui", "1.0.0"}}},
	}
	for name, w := range want {
		got := l.Find(name)
		if got == nil {
			t.Errorf("%s missing", name)
			continue
		}
		if diff := cmp.Diff(w, *got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	if l.Find("com.example.none") != nil {
		t.Error("Find of an absent name is not nil")
	}
	if l.Entries[0].Name != "com.cysharp.r3.internal" || l.Entries[len(l.Entries)-1].Name != "com.unity.modules.ui" {
		t.Errorf("entries not in file order: first %s, last %s", l.Entries[0].Name, l.Entries[len(l.Entries)-1].Name)
	}
}

func TestMarshalEmpty(t *testing.T) {
	for _, l := range []*Lock{{}, {Entries: []Entry{}}} {
		if got, want := string(Marshal(l)), "{\n  \"dependencies\": {}\n}\n"; got != want {
			t.Errorf("Marshal(empty) = %q, want %q", got, want)
		}
	}
	l, err := Parse("p", []byte("{\n  \"dependencies\": {}\n}\n"))
	if err != nil || len(l.Entries) != 0 {
		t.Errorf("Parse(empty lock) = %+v, %v", l, err)
	}
}

func TestMarshalEntryShapes(t *testing.T) {
	tests := []struct {
		name  string
		entry Entry
		want  string
	}{
		{"registry without deps", Entry{Name: "a.b", Version: "1.0.0", Source: SourceRegistry, URL: "https://r.example.com"},
			`    "a.b": {
      "version": "1.0.0",
      "depth": 0,
      "source": "registry",
      "dependencies": {},
      "url": "https://r.example.com"
    }`},
		{"git with deps", Entry{Name: "a.b", Version: "https://h.example.com/r.git#v1", Depth: 3, Source: SourceGit,
			Dependencies: []Dep{{"z.z", "1.0.0"}, {"a.a", "2.0.0"}}, Hash: "abc"},
			`    "a.b": {
      "version": "https://h.example.com/r.git#v1",
      "depth": 3,
      "source": "git",
      "dependencies": {
        "z.z": "1.0.0",
        "a.a": "2.0.0"
      },
      "hash": "abc"
    }`},
		{"builtin writes neither url nor hash", Entry{Name: "a.b", Version: "1.0.0", Source: SourceBuiltin},
			`    "a.b": {
      "version": "1.0.0",
      "depth": 0,
      "source": "builtin",
      "dependencies": {}
    }`},
		{"escaping like Unity", Entry{Name: "a.b", Version: "file:C:\\pkgs/<x>&\"y\"\tü\x01\u2028", Source: SourceLocal},
			`    "a.b": {
      "version": "file:C:\\pkgs/<x>&\"y\"\tü\u0001` + "\u2028" + `",
      "depth": 0,
      "source": "local",
      "dependencies": {}
    }`},
		{"invalid UTF-8 becomes U+FFFD", Entry{Name: "a.b", Version: "file:\xff", Source: SourceLocal},
			`    "a.b": {
      "version": "file:\ufffd",
      "depth": 0,
      "source": "local",
      "dependencies": {}
    }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Marshal(&Lock{Entries: []Entry{tt.entry}}))
			want := "{\n  \"dependencies\": {\n" + tt.want + "\n  }\n}\n"
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLess(t *testing.T) {
	// Each list is in the order Unity writes it.
	orders := [][]string{
		{"com.unity.2d.sprite", "com.unity.addressables", "com.unity.ugui", "nuget.moq", "com.unity.modules.ai", "com.unity.modules.xr"},
		{"com.unity.render-pipelines.core", "com.unity.render-pipelines.universal", "com.unity.rendering.light-transport"},
		{"com.unity.sysroot", "com.unity.sysroot.linux-x86_64", "com.unity.test-framework", "com.unity.test-framework.performance"},
		{"Com.Upper", "com.lower", "com.unity.modulesx", "com.unity.modules.a"},
		{"com.unity.modules", "com.unity.modules.", "com.unity.modules.ai"},
		{"com.coffee.nano-monitor", "com.coffee.ui-particle"},
	}
	for _, order := range orders {
		for i := range order {
			for j := range order {
				if got, want := Less(order[i], order[j]), i < j; got != want {
					t.Errorf("Less(%q, %q) = %v, want %v", order[i], order[j], got, want)
				}
				if got, want := Compare(order[i], order[j]), cmpInt(i, j); got != want {
					t.Errorf("Compare(%q, %q) = %d, want %d", order[i], order[j], got, want)
				}
			}
		}
		shuffled := slices.Clone(order)
		slices.Reverse(shuffled)
		slices.SortFunc(shuffled, Compare)
		if !slices.Equal(shuffled, order) {
			t.Errorf("sorted = %q, want %q", shuffled, order)
		}
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestParseLineEndingsAndBOM(t *testing.T) {
	data, err := os.ReadFile("testdata/real/particleeffectforugui.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse("lf", data)
	if err != nil {
		t.Fatal(err)
	}
	crlf := append([]byte("\xEF\xBB\xBF"), bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))...)
	got, err := Parse("crlf", crlf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CRLF + BOM parse differs:\n%s", diff)
	}
	if !bytes.Equal(Marshal(got), data) {
		t.Error("Marshal of a CRLF file is not Unity's LF form")
	}
	_, err = Parse("Packages/packages-lock.json", []byte("\xEF\xBB\xBF{\r\n  \"dependencies\": {\r\n    \"a.b\": 1\r\n  }\r\n}\r\n"))
	if got, want := errString(err), "Packages/packages-lock.json:3:12: a.b must be an object, not a number"; got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestParseErrors(t *testing.T) {
	entry := func(body string) string {
		return "{\n  \"dependencies\": {\n    \"a.b\": {\n" + body + "\n    }\n  }\n}\n"
	}
	const ok = `      "version": "1.0.0",
      "depth": 0,
      "source": "builtin"`
	tests := []struct {
		name, in, want string
	}{
		{"empty file", "", "1:1: unexpected end of file, expected a value"},
		{"syntax: trailing comma", "{\n  \"dependencies\": {},\n}", `3:1: unexpected character '}', expected a string key`},
		{"syntax: missing colon", "{\n  \"dependencies\" {}}", `2:18: unexpected character '{', expected ':' after key "dependencies"`},
		{"syntax: garbage after", "{\"dependencies\": {}} x", `1:22: unexpected character 'x' after the end of the top-level value`},
		{"syntax: unterminated string", "{\"dependencies\": {\"a", `1:19: string not terminated`},
		{"top-level array", "[]", "1:1: the lock file must be a JSON object, not an array"},
		{"no dependencies", "{\"x\": 1}", `1:1: the lock file has no "dependencies"`},
		{"dependencies not object", "{\"dependencies\": []}", "1:18: dependencies must be an object, not an array"},
		{"duplicate top-level key", "{\"dependencies\": {}, \"dependencies\": {}}", `1:22: lock file: "dependencies" is listed twice`},
		{"duplicate package", "{\"dependencies\": {\"a.b\": {}, \"a.b\": {}}}", `1:30: dependencies: "a.b" is listed twice`},
		{"empty name", "{\"dependencies\": {\"\": {}}}", `1:19: empty package name`},
		{"entry not object", "{\"dependencies\": {\"a.b\": \"1.0.0\"}}", `1:26: a.b must be an object, not a string`},
		{"missing version", entry(`      "depth": 0, "source": "builtin"`), `3:12: a.b has no "version"`},
		{"missing depth", entry(`      "version": "1.0.0", "source": "builtin"`), `3:12: a.b has no "depth"`},
		{"missing source", entry(`      "version": "1.0.0", "depth": 0`), `3:12: a.b has no "source"`},
		{"version not string", entry(`      "version": 1, "depth": 0, "source": "builtin"`), `4:18: a.b.version must be a string, not a number`},
		{"version empty", entry(`      "version": "", "depth": 0, "source": "builtin"`), `4:18: a.b.version is empty`},
		{"depth fraction", entry(`      "version": "1.0.0", "depth": 1.5, "source": "builtin"`), `4:36: a.b.depth must be a whole number 0 or more, not 1.5`},
		{"depth negative", entry(`      "version": "1.0.0", "depth": -1, "source": "builtin"`), `4:36: a.b.depth must be a whole number 0 or more, not -1`},
		{"depth exponent", entry(`      "version": "1.0.0", "depth": 1e2, "source": "builtin"`), `4:36: a.b.depth must be a whole number 0 or more, not 1e2`},
		{"depth string", entry(`      "version": "1.0.0", "depth": "0", "source": "builtin"`), `4:36: a.b.depth must be a number, not a string`},
		{"unknown source", entry(`      "version": "1.0.0", "depth": 0, "source": "npm"`), `4:49: a.b.source "npm" is not one of registry, builtin, embedded, local, local-tarball, git`},
		{"dependencies not object", entry(ok + `, "dependencies": []`), `6:44: a.b.dependencies must be an object, not an array`},
		{"dependency not string", entry(ok + `, "dependencies": {"c.d": 1}`), `6:52: a.b.dependencies.c.d must be a string, not a number`},
		{"duplicate dependency", entry(ok + `, "dependencies": {"c.d": "1.0.0", "c.d": "1.0.0"}`), `6:61: a.b.dependencies: "c.d" is listed twice`},
		{"duplicate field", entry(ok + `, "depth": 1`), `6:28: a.b: "depth" is listed twice`},
		{"url not string", entry(ok + `, "url": null`), `6:35: a.b.url must be a string, not null`},
		{"hash not string", entry(ok + `, "hash": true`), `6:36: a.b.hash must be a string, not a boolean`},
		{"utf-16", "\xFF\xFE{\x00", `1:1: the file is UTF-16 encoded; save it as UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("Packages/packages-lock.json", []byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *ParseError", err, err)
			}
			if got, want := err.Error(), "Packages/packages-lock.json:"+tt.want; got != want {
				t.Errorf("err = %q\nwant  %q", got, want)
			}
		})
	}
}

func TestParseIgnoresUnknownKeys(t *testing.T) {
	in := `{"x": [1, {"y": null}], "dependencies": {"a.b": {"version": "1.0.0", "depth": 0, "source": "registry", "url": "https://r.example.com", "extra": {"k": "v"}}}}`
	l, err := Parse("p", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &Lock{Entries: []Entry{{Name: "a.b", Version: "1.0.0", Source: SourceRegistry, URL: "https://r.example.com"}}}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseEscapes(t *testing.T) {
	in := `{"dependencies": {"a.b": {"version": "file:\u00fc\/x\\y\"\ud83d\ude00\ud800", "depth": 0, "source": "local"}}}`
	l, err := Parse("p", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.Entries[0].Version, "file:ü/x\\y\"😀\uFFFD"; got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
	if !strings.Contains(string(Marshal(l)), `"file:ü/x\\y\"😀`+"\uFFFD"+`"`) {
		t.Errorf("Marshal escaped differently: %s", Marshal(l))
	}
}

func TestMarshalLike(t *testing.T) {
	l := &Lock{Entries: []Entry{{Name: "com.a", Version: "1.0.0", Source: SourceBuiltin}}}
	lf := Marshal(l)
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	for _, tt := range []struct {
		old, want []byte
	}{{nil, lf}, {lf, lf}, {crlf, crlf}, {[]byte("{\r\n}"), crlf}, {[]byte("{\n}\r\n"), lf}} {
		if got := MarshalLike(l, tt.old); !bytes.Equal(got, tt.want) {
			t.Errorf("MarshalLike(old %q) = %q; want %q", tt.old, got, tt.want)
		}
	}
	if p, err := Parse("crlf.json", crlf); err != nil || len(p.Entries) != 1 {
		t.Errorf("Parse of a CRLF lock: %v, %v", p, err)
	}
}
