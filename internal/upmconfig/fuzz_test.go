package upmconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/regurl"
)

// entrySet is what a file says about its entries, without positions.
func entrySet(auths []Auth) map[string]Auth {
	m := map[string]Auth{}
	for _, a := range auths {
		a.File, a.Line = "", 0
		m[a.Registry] = a
	}
	return m
}

// expectSetAuth is the entry set after SetAuth(registry, u), derived from the
// documented rules rather than from the editor.
func expectSetAuth(before []Auth, registry string, u AuthUpdate) map[string]Auth {
	m := entrySet(before)
	name, ok := findEntry(before, registry)
	if !ok {
		name = registry
	}
	a := m[name]
	a.Registry = name
	if u.Token != nil {
		a.Token, a.Basic = *u.Token, ""
	}
	if u.Basic != nil {
		a.Basic, a.Token = *u.Basic, ""
	}
	if u.Email != nil {
		a.Email = *u.Email
	}
	if u.AlwaysAuth != nil {
		a.AlwaysAuth = *u.AlwaysAuth
	}
	m[name] = a
	return m
}

func expectRemoveAuth(before []Auth, registry string) map[string]Auth {
	m := entrySet(before)
	reg, err := regurl.NormalizeURL(registry)
	for _, a := range before {
		if a.Registry == registry {
			delete(m, a.Registry)
		} else if n, e := regurl.NormalizeURL(a.Registry); e == nil && err == nil && n == reg {
			delete(m, a.Registry)
		}
	}
	return m
}

func settingValues(f *File) map[string]any {
	m := map[string]any{}
	for k, s := range f.Settings {
		m[k] = s.Value
	}
	return m
}

func FuzzEditRoundTrip(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "edit", "*"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "tok", uint8(0))
			f.Add(toCRLF(b), "a\"b\\c\n", uint8(1))
		}
	}
	for _, s := range []string{
		"",
		"\n\n",
		"a = 1",
		"# only a comment",
		"npmAuth = { \"https://a.example.com\" = { token = \"t\" } }\n",
		"[npmAuth]\n\"https://a.example.com\" = { token = \"t\" }\n\"https://b.example.com\".token = \"b\"\n",
		"npmAuth.\"https://a.example.com\".token = \"t\"\n[x]\n",
		"[npmAuth.\"https://a.example.com\".sub]\nx = 1\n",
		"[npmAuth.\"https://a.example.com\"]\ntoken = \"\"\"\n# x\n\n\"\"\"\n\n# c\n[npmAuth.\"https://A.example.com/\"]\n_auth = 'x'\ntoken = 'y'\n",
		"\xEF\xBB\xBF[npmAuth.'https://a.example.com']\ntoken = 'a'",
		"cacheRoot = '/x'\n\n\n[npmAuth.\"https://fuzz.example.com/new\"]\nalwaysAuth = true\n",
		"linkMode = \"hardlink\"\n[npmAuth.\"https://a.example.com\"]\ntoken = \"t\"\n",
		"linkMode = 'symlink'\nmaxCacheSize = 5\n",
	} {
		f.Add([]byte(s), "secret", uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, secret string, pick uint8) {
		before, err := Parse("f", data, false)
		if err != nil {
			return
		}
		check := func(op string, out []byte, err error, want map[string]Auth, wantSettings map[string]any) {
			t.Helper()
			if err != nil {
				// Refusing an edit (an inline table, a secret that is not
				// UTF-8) is allowed. An internal error is not: it means the
				// editor's own check caught a splice that would have changed
				// other content.
				if strings.Contains(err.Error(), "internal error") {
					t.Fatalf("%s: %v\ninput %q", op, err, data)
				}
				return
			}
			after, err := Parse("f", out, false)
			if err != nil {
				t.Fatalf("%s: the output does not parse: %v\ninput %q\noutput %q", op, err, data, out)
			}
			if got := entrySet(after.NpmAuth); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: entries\n got %#v\nwant %#v\ninput %q\noutput %q", op, got, want, data, out)
			}
			if got := settingValues(after); !reflect.DeepEqual(got, wantSettings) {
				t.Fatalf("%s: settings\n got %#v\nwant %#v\ninput %q\noutput %q", op, got, wantSettings, data, out)
			}
		}
		settings := settingValues(before)

		// A new entry (or, when the input has one for it, a change).
		reg := "https://fuzz.example.com/new"
		u := AuthUpdate{Token: &secret, Email: ptr("f@example.com"), AlwaysAuth: ptr(pick&1 == 1)}
		out, err := SetAuth(data, reg, u)
		check("SetAuth new", out, err, expectSetAuth(before.NpmAuth, reg, u), settings)

		if n := len(before.NpmAuth); n > 0 {
			a := before.NpmAuth[int(pick)%n]
			if _, err := regurl.NormalizeURL(a.Registry); err == nil {
				u := AuthUpdate{Basic: &secret, Email: ptr(""), AlwaysAuth: ptr(pick&2 == 2)}
				if pick&4 == 4 {
					u = AuthUpdate{Token: &secret, Email: &secret}
				}
				out, err := SetAuth(data, a.Registry, u)
				check("SetAuth existing", out, err, expectSetAuth(before.NpmAuth, a.Registry, u), settings)
			}
			out, removed, err := RemoveAuth(data, a.Registry)
			if err == nil && !removed {
				t.Fatalf("RemoveAuth(%q) removed nothing\ninput %q", a.Registry, data)
			}
			check("RemoveAuth", out, err, expectRemoveAuth(before.NpmAuth, a.Registry), settings)
		}

		out, err = SetKey(data, KeyCacheRoot, secret)
		ws := settingValues(before)
		ws[KeyCacheRoot] = secret
		check("SetKey", out, err, entrySet(before.NpmAuth), ws)

		out, _, err = UnsetKey(data, KeyMaxCacheSize)
		ws = settingValues(before)
		delete(ws, KeyMaxCacheSize)
		check("UnsetKey", out, err, entrySet(before.NpmAuth), ws)
	})
}
