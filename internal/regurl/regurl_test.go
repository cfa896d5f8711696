package regurl

import (
	"strings"
	"testing"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"https://npm.example.com", "https://npm.example.com", false},
		{"https://npm.example.com/", "https://npm.example.com", false},
		{"https://npm.example.com///", "https://npm.example.com", false},
		{"HTTPS://NPM.Example.COM/Path/", "https://npm.example.com/Path", false},
		{"https://npm.example.com:443/npm/", "https://npm.example.com/npm", false},
		{"http://npm.example.com:80", "http://npm.example.com", false},
		{"http://npm.example.com:443", "http://npm.example.com:443", false},
		{"https://npm.example.com:80/", "https://npm.example.com:80", false},
		{"https://npm.example.com:8443/a/b/", "https://npm.example.com:8443/a/b", false},
		{"https://user:pw@npm.example.com/x?y=1#z", "https://npm.example.com/x", false},
		{"http://[::1]:80/x", "http://[::1]/x", false},
		{"http://[::1]:4873/x", "http://[::1]:4873/x", false},
		{"npm.example.com", "", true},
		{"ftp://npm.example.com", "", true},
		{"https://", "", true},
		{"https:opaque", "", true},
		{"/relative/path", "", true},
		{"", "", true},
		{"https://npm.example.com:x/", "", true},
	}
	for _, tc := range tests {
		got, err := NormalizeURL(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestNormalizeURLHidesPassword(t *testing.T) {
	_, err := NormalizeURL("ftp://user:hunter2@example.com")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v", err)
	}
	_, err = NormalizeURL("https://user:hunter2@exa mple.com")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v", err)
	}
}

func TestSameOrigin(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://h.example.com/a", "https://H.EXAMPLE.com:443/b", true},
		{"http://h.example.com", "http://h.example.com:80/x", true},
		{"https://h.example.com", "http://h.example.com", false},
		{"https://h.example.com", "https://h.example.com:8443", false},
		{"https://h.example.com", "https://sub.h.example.com", false},
		{"https://h.example.com", "nonsense", false},
	}
	for _, tc := range tests {
		if got := SameOrigin(tc.a, tc.b); got != tc.want {
			t.Errorf("SameOrigin(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestCleanPathAndDotSegments(t *testing.T) {
	for in, want := range map[string]string{
		"/a/../ab": "/ab", "/a/./b/": "/a/b/", "/npm": "/npm", "": "", "/a/..": "/", "/x/%2e%2e/y": "/x/%2e%2e/y", "/..": "/",
	} {
		if got := CleanPath(in); got != want {
			t.Errorf("CleanPath(%q) = %q; want %q", in, got, want)
		}
	}
	if n, err := NormalizeURL("https://host.example.com/a/../ab/"); err != nil || n != "https://host.example.com/ab" {
		t.Errorf("NormalizeURL = %q, %v", n, err)
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "registry.localhost": true, "127.0.0.1": true, "127.8.9.1": true, "::1": true,
		"example.com": false, "10.0.0.1": false, "localhost.example.com": false, "": false, "[::1]": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestSame(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"https://NPM.example.com:443/npm/", "https://npm.example.com/npm", true},
		{"https://npm.example.com/npm", "https://npm.example.com/other", false},
		{"not a url/", "not a url", true},
	} {
		if got := Same(tt.a, tt.b); got != tt.want {
			t.Errorf("Same(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}
