package npmrc

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_authToken=eyJhbGciOi.eyJuYW1l.sig\n",
		"//r.example.com/npm:_authToken=\"a\\\"b\\u00e9\" ; c\r\n",
		"//r.example.com/:username=u\n//r.example.com/:_password=cGFzcw==\n//r.example.com/:_auth=dTpw\n",
		"_authToken=${TOKEN}\n_auth=${UNSET?}\nemail='me@example.com'\nalways-auth=true\n",
		"@scope:registry=https://R.example.com:443/a/../b\n[section]\n//x/:_authToken=y\n",
		"\xEF\xBB\xBF# c\n; c\n  key = va\\;lue # c\n\\\\${TOKEN} = \\${TOKEN}\n",
		"//[::1]:4873/:_authToken=t\n//:_authToken=t\n//h:x=1\n=v\n",
		"k=\"\\u12\"\n",
		"k='a' b'\n",
	} {
		f.Add([]byte(seed))
	}
	getenv := envOf(map[string]string{"TOKEN": "tok", "HOST": "h.example.com"})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz/.npmrc", data, getenv)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			if pe.Line < 1 || pe.Column < 1 || pe.Msg == "" {
				t.Fatalf("bad ParseError position or message: %+v", pe)
			}
			return
		}
		again, err := Parse("fuzz/.npmrc", data, getenv)
		if err != nil || !reflect.DeepEqual(file, again) {
			t.Fatalf("Parse is not deterministic")
		}
		if file.Top.NerfDart != "" {
			t.Fatalf("Top.NerfDart = %q", file.Top.NerfDart)
		}
		seen := map[string]bool{}
		for _, c := range file.Creds {
			if !strings.HasPrefix(c.NerfDart, "//") || !strings.HasSuffix(c.NerfDart, "/") || len(c.NerfDart) < 4 {
				t.Fatalf("bad nerf dart %q", c.NerfDart)
			}
			if seen[c.NerfDart] {
				t.Fatalf("nerf dart %q listed twice", c.NerfDart)
			}
			seen[c.NerfDart] = true
			if c.Line < 1 {
				t.Fatalf("cred %q has line %d", c.NerfDart, c.Line)
			}
			u, how := file.RegistryURL(c.NerfDart, "http://h.example.com/")
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") || strings.HasSuffix(u, "/") || how == "" {
				t.Fatalf("RegistryURL(%q) = %q, %q", c.NerfDart, u, how)
			}
		}
		if file.Registry != "" {
			_, _ = NerfDart(file.Registry)
		}
	})
}
