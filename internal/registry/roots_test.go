package registry

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCAFile(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadCAFile(junk)
	if !errors.Is(err, ErrNoCertificate) || !strings.Contains(err.Error(), junk) {
		t.Errorf("ReadCAFile(junk) = %v, want ErrNoCertificate naming the file", err)
	}
	missing := filepath.Join(dir, "missing.pem")
	var pe *fs.PathError
	if _, err := ReadCAFile(missing); !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadCAFile(missing) = %v, want the *fs.PathError", err)
	}
}

func TestParseProxyURL(t *testing.T) {
	for v, want := range map[string]string{
		"proxy.example.com:3128":              "http://proxy.example.com:3128",
		"https://proxy.example.com":           "https://proxy.example.com",
		"http://u:secret@proxy.example.com:1": "http://u:xxxxx@proxy.example.com:1",
	} {
		if u, err := ParseProxyURL(v); err != nil || u.Redacted() != want {
			t.Errorf("ParseProxyURL(%q) = %v, %v; want %s", v, u, err, want)
		}
	}
	for _, v := range []string{"://", "http://u:secret@[bad", "http://"} {
		if _, err := ParseProxyURL(v); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseProxyURL(%q) = %v, want an error without the value", v, err)
		}
	}
}
