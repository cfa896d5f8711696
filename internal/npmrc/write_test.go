package npmrc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSetKey(t *testing.T) {
	const key = "//127.0.0.1:4873/:_authToken"
	for _, tc := range []struct {
		name, in, key, value, want string
	}{
		{"empty file", "", key, "tok1", key + "=tok1\n"},
		{"append, keep the rest", "# mine\nregistry=http://127.0.0.1:4873/\n@a:registry=https://a.example.com/\n", key, "tok1",
			"# mine\nregistry=http://127.0.0.1:4873/\n@a:registry=https://a.example.com/\n" + key + "=tok1\n"},
		{"no final newline", "a=b", key, "tok1", "a=b\n" + key + "=tok1\n"},
		{"replace in place", "a=b\n" + key + " = old ; note\nc=d\n", key, "new", "a=b\n" + key + "=new\nc=d\n"},
		{"replace a key without its trailing slash", "//127.0.0.1:4873:_authToken=old\n", key, "new", key + "=new\n"},
		{"quoted key replaced", "\"" + key + "\"=old\n", key, "new", key + "=new\n"},
		{"duplicates dropped", key + "=a\nx=y\n" + key + "=b\n", key, "new", key + "=new\nx=y\n"},
		{"other field untouched", "//127.0.0.1:4873/:_auth=dTpw\n", key, "new", "//127.0.0.1:4873/:_auth=dTpw\n" + key + "=new\n"},
		{"other registry untouched", "//127.0.0.1:4874/:_authToken=other\n", key, "new", "//127.0.0.1:4874/:_authToken=other\n" + key + "=new\n"},
		{"before a section", "a=b\n[section]\n" + key + "=in-section\n", key, "new", "a=b\n" + key + "=new\n[section]\n" + key + "=in-section\n"},
		{"CRLF kept", "a=b\r\nc=d\r\n", key, "new", "a=b\r\nc=d\r\n" + key + "=new\r\n"},
		{"special value quoted", "", key, "a;b #c", key + "=\"a;b #c\"\n"},
		{"base64 value plain", "", "//h/:_auth", "dTpw==", "//h/:_auth=dTpw==\n"},
		{"comments kept", "; c1\n  # c2\n\n" + key + "=old # trailing\n", key, "new", "; c1\n  # c2\n\n" + key + "=new\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := SetKey([]byte(tc.in), tc.key, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got:\n%q\nwant:\n%q", out, tc.want)
			}
			checkReadsBack(t, out, tc.key, tc.value)
		})
	}
}

// checkReadsBack parses out and checks that key has value.
func checkReadsBack(t *testing.T, out []byte, key, value string) {
	t.Helper()
	f, err := Parse("out", out, nil)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, out)
	}
	field := key[strings.LastIndexByte(key, ':')+1:]
	nd, _ := normNerf(key[:strings.LastIndexByte(key, ':')])
	for _, c := range f.Creds {
		if c.NerfDart != nd {
			continue
		}
		got := map[string]string{"_authToken": c.Token, "_auth": c.Auth}[field]
		if got != value {
			t.Errorf("%s reads back as %q, want %q", key, got, value)
		}
		return
	}
	t.Errorf("%s not found in the output", key)
}

func TestSetKeyErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, key, value string }{
		{"malformed file", "no equals sign\n", "//h/:_authToken", "t"},
		{"multi-line value", "", "//h/:_authToken", "a\nb"},
		{"empty key", "", "", "t"},
		{"variable", "", "//h/:_authToken", "${X}"},
		{"= in key", "", "//h/=:_authToken", "t"},
	} {
		if _, err := SetKey([]byte(tc.in), tc.key, tc.value); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	var pe *ParseError
	if _, err := SetKey([]byte("x\n"), "//h/:_authToken", "t"); !errors.As(err, &pe) || pe.Line != 1 {
		t.Errorf("malformed file: err = %v, want a *ParseError at line 1", err)
	}
}

func TestWriteKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", ".npmrc")
	if err := WriteKey(path, "//h.example.com/:_authToken", "t1"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("# keep\n//h.example.com/:_authToken=t1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteKey(path, "//h.example.com/:_authToken", "t2"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != "# keep\n//h.example.com/:_authToken=t2\n" {
		t.Errorf("file = %q", data)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 && filepath.Separator == '/' {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	bad := filepath.Join(dir, "bad.npmrc")
	os.WriteFile(bad, []byte("ok=1\nbroken\n"), 0o600)
	var pe *ParseError
	if err := WriteKey(bad, "//h/:_authToken", "t"); !errors.As(err, &pe) || pe.File != bad || pe.Line != 2 {
		t.Errorf("err = %v, want a *ParseError naming %s:2", err, bad)
	}
	if data, _ := os.ReadFile(bad); string(data) != "ok=1\nbroken\n" {
		t.Errorf("a malformed file was changed")
	}
}

func TestCredKey(t *testing.T) {
	got, err := CredKey("HTTP://Example.com:80/npm", "_authToken")
	if err != nil || got != "//example.com/npm/:_authToken" {
		t.Errorf("CredKey = %q, %v", got, err)
	}
}

// FuzzSetKey: on any file that parses, SetKey's output parses, gives the key
// the value, and keeps every other credential as it was.
func FuzzSetKey(f *testing.F) {
	for _, s := range []string{
		"",
		"registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_authToken=old\n",
		"//127.0.0.1:4873:_authToken=a\r\n//127.0.0.1:4873/:_authToken=b\r\n[s]\nx=y\n",
		"\"//127.0.0.1:4873/:_authToken\" = \"q\" ; c\n//other.example.com/:_auth=dTpw\nno-final=newline",
	} {
		f.Add([]byte(s), "tok-abc")
	}
	const key = "//127.0.0.1:4873/:_authToken"
	f.Fuzz(func(t *testing.T, data []byte, value string) {
		before, err := Parse("in", data, nil)
		if err != nil {
			return
		}
		out, err := SetKey(data, key, value)
		if err != nil {
			if value == "" || strings.ContainsAny(value, "\r\n") || strings.Contains(value, "${") || !utf8.ValidString(value) {
				return
			}
			t.Fatalf("SetKey refused a parsable file: %v", err)
		}
		after, err := Parse("out", out, nil)
		if err != nil {
			t.Fatalf("output does not parse: %v", err)
		}
		for _, c := range after.Creds {
			if c.NerfDart == "//127.0.0.1:4873/" && c.Token != value {
				t.Fatalf("token reads back as %q, want %q", c.Token, value)
			}
		}
		for _, c := range before.Creds {
			if c.NerfDart == "//127.0.0.1:4873/" {
				continue
			}
			found := false
			for _, d := range after.Creds {
				if d.NerfDart == c.NerfDart {
					found = d.Token == c.Token && d.Auth == c.Auth && d.Email == c.Email
				}
			}
			if !found {
				t.Fatalf("credential of %s changed", c.NerfDart)
			}
		}
		if before.Registry != after.Registry {
			t.Fatalf("registry= changed")
		}
	})
}
