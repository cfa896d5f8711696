package npmrc

import (
	"strings"
	"testing"
)

func TestNerfDart(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://registry.example.com", "//registry.example.com/"},
		{"https://registry.example.com/", "//registry.example.com/"},
		{"  https://registry.example.com/  ", "//registry.example.com/"},
		{"https://R.Example.COM:443/Npm?x=1#frag", "//r.example.com/Npm/"},
		{"HTTPS://r.example.com:443/", "//r.example.com/"},
		{"http://localhost:80/", "//localhost/"},
		{"http://localhost:4873", "//localhost:4873/"},
		{"https://r.example.com:80/", "//r.example.com:80/"},
		{"http://r.example.com:443/", "//r.example.com:443/"},
		{"http://user:pass@r.example.com/a/b/../c", "//r.example.com/a/c/"},
		{"https://r.example.com/a/./b/", "//r.example.com/a/b/"},
		{"https://r.example.com/../..", "//r.example.com/"},
		{"https://r.example.com/api/npm/npm-local/", "//r.example.com/api/npm/npm-local/"},
		{"https://r.example.com/@scope%2fname", "//r.example.com/@scope%2fname/"},
		{"https://r.example.com/a b", "//r.example.com/a%20b/"},
		{"https://[::1]:4873/", "//[::1]:4873/"},
		{"https://[::1]/", "//[::1]/"},
		{"http://127.0.0.1:4873/", "//127.0.0.1:4873/"},
		{"//r.example.com/path", "//r.example.com/path/"},
		{"https://npm.pkg.github.com/@owner", "//npm.pkg.github.com/@owner/"},
	}
	for _, tt := range tests {
		got, err := NerfDart(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NerfDart(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNerfDartError(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"localhost:4873",
		"registry.example.com",
		"registry.example.com/npm/",
		"/just/a/path",
		"https://",
		"https:///path",
		"https://user:hunter2@r.example.com:bad/",
		"https://user:hunter2@r.example.com/%zz",
		"http://[::1/",
	} {
		got, err := NerfDart(in)
		if err == nil {
			t.Errorf("NerfDart(%q) = %q, want error", in, got)
			continue
		}
		if !strings.HasPrefix(err.Error(), "npmrc: ") {
			t.Errorf("NerfDart(%q) error %q lacks context", in, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("NerfDart(%q) error leaks the password: %v", in, err)
		}
	}
}

func TestRegistryURL(t *testing.T) {
	file := &File{
		Registry: "http://r.example.com/npm/",
		Scoped: map[string]string{
			"@b":    "http://s.example.com",
			"@a":    "HTTP://S.Example.com:80/",
			"@ftp":  "ftp://f.example.com/",
			"@bad":  "not a url",
			"@user": "http://u:p@u.example.com/x",
		},
	}
	tests := []struct {
		name       string
		f          *File
		nerf, hint string
		url, how   string
	}{
		{"registry=", file, "//r.example.com/npm/", "", "http://r.example.com/npm", "scheme from registry= in the file"},
		{"registry= beats hint", file, "//r.example.com/npm/", "https://r.example.com/npm", "http://r.example.com/npm", "scheme from registry= in the file"},
		{"scoped, first scope by name", file, "//s.example.com/", "", "http://s.example.com", "scheme from @a:registry= in the file"},
		{"scoped with user info", file, "//u.example.com/x/", "", "http://u.example.com/x", "scheme from @user:registry= in the file"},
		{"ftp scheme is not used", file, "//f.example.com/", "", "https://f.example.com", "https by default"},
		{"path must match", file, "//r.example.com/", "", "https://r.example.com", "https by default"},
		{"hint", file, "//h.example.com/x/", "http://H.example.com/x", "http://h.example.com/x", "scheme from --registry"},
		{"hint that does not match", file, "//h.example.com/x/", "http://h.example.com/y", "https://h.example.com/x", "https by default"},
		{"invalid hint", file, "//h.example.com/", "h.example.com", "https://h.example.com", "https by default"},
		{"loopback localhost", file, "//localhost:4873/", "", "http://localhost:4873", "http for a loopback host"},
		{"loopback 127/8", nil, "//127.1.2.3/", "", "http://127.1.2.3", "http for a loopback host"},
		{"loopback ::1", nil, "//[::1]:4873/", "", "http://[::1]:4873", "http for a loopback host"},
		{"loopback ::1 no port", nil, "//[::1]/", "", "http://[::1]", "http for a loopback host"},
		{"file https beats loopback", &File{Registry: "https://localhost:4873/"}, "//localhost:4873/", "", "https://localhost:4873", "scheme from registry= in the file"},
		{"hint https beats loopback", nil, "//127.0.0.1:4873/", "https://127.0.0.1:4873/", "https://127.0.0.1:4873", "scheme from --registry"},
		{"not loopback: localhost subdomain", nil, "//localhost.example.com/", "", "https://localhost.example.com", "https by default"},
		{"not loopback: 128.0.0.1", nil, "//128.0.0.1/", "", "https://128.0.0.1", "https by default"},
		{"default https", nil, "//registry.example.com/", "", "https://registry.example.com", "https by default"},
		{"nerf dart is normalised", file, "//R.Example.com/npm", "", "http://r.example.com/npm", "scheme from registry= in the file"},
		{"default port of the file URL", &File{Registry: "https://r.example.com:443/"}, "//r.example.com/", "", "https://r.example.com", "scheme from registry= in the file"},
		{"empty last segment", nil, "//r.example.com//", "", "https://r.example.com", "https by default"},
		{"not a nerf dart", file, "r.example.com/", "", "", "not a nerf dart (//host/path/)"},
		{"no host", file, "///", "", "", "not a nerf dart (//host/path/)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, how := tt.f.RegistryURL(tt.nerf, tt.hint)
			if url != tt.url || how != tt.how {
				t.Errorf("RegistryURL(%q, %q) = %q, %q; want %q, %q", tt.nerf, tt.hint, url, how, tt.url, tt.how)
			}
		})
	}
}

// TestRegistryURLRoundTrip checks that the URL RegistryURL builds has the
// nerf dart it was built from, so the CLI can match it against --registry.
func TestRegistryURLRoundTrip(t *testing.T) {
	for _, nd := range []string{"//r.example.com/", "//r.example.com/a/b/", "//localhost:4873/", "//[::1]:4873/", "//r.example.com:8443/npm/"} {
		u, _ := (*File)(nil).RegistryURL(nd, "")
		got, err := NerfDart(u)
		if err != nil || got != nd {
			t.Errorf("NerfDart(RegistryURL(%q) = %q) = %q, %v", nd, u, got, err)
		}
	}
}
