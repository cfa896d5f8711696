package upmconfig

import (
	"strings"
	"testing"
)

func TestNearMisses(t *testing.T) {
	tests := []struct {
		name     string
		keys     []string
		registry string
		want     []string // "key: reason substring"
	}{
		{"trailing path", []string{"https://npm.example.com/npm/"}, "https://npm.example.com", []string{"https://npm.example.com/npm/: trailing path differs (/npm, not /)"}},
		{"other path", []string{"https://npm.example.com/team-a"}, "https://npm.example.com/team-b", []string{"https://npm.example.com/team-a: trailing path differs (/team-a, not /team-b)"}},
		{"scheme", []string{"http://npm.example.com"}, "https://npm.example.com", []string{"http://npm.example.com: scheme differs (http, not https)"}},
		{"port", []string{"https://npm.example.com:8443"}, "https://npm.example.com", []string{"https://npm.example.com:8443: port differs (8443, not 443)"}},
		{"nerf dart", []string{"//npm.example.com/npm/"}, "https://npm.example.com/npm", []string{"//npm.example.com/npm/: the key is not an absolute URL"}},
		{"bare host", []string{"npm.example.com"}, "https://npm.example.com", []string{"npm.example.com: the key is not an absolute URL"}},
		{"other host", []string{"https://other.example.com/npm/"}, "https://npm.example.com", nil},
		{"host letter case", []string{"https://NPM.example.com/x"}, "https://npm.example.com/y", []string{"https://NPM.example.com/x: trailing path differs (/x, not /y)"}},
		{"azure sibling feed", []string{"https://pkgs.example.com/org/_packaging/feedA/npm/registry/"}, "https://pkgs.example.com/org/_packaging/feedB/npm/registry", nil},
		{"artifactory sibling repository", []string{"https://h.example.com/artifactory/api/npm/npm-local"}, "https://h.example.com/artifactory/api/npm/npm-remote", nil},
		{"sibling beside a near miss", []string{"https://pkgs.example.com/org/_packaging/feedA/npm/registry", "https://pkgs.example.com/org/_packaging/feedB/npm/registry/v2"},
			"https://pkgs.example.com/org/_packaging/feedB/npm/registry", []string{"https://pkgs.example.com/org/_packaging/feedB/npm/registry/v2: trailing path differs"}},
		{"feed in another letter case", []string{"https://pkgs.example.com/org/_packaging/FeedB/npm/registry"}, "https://pkgs.example.com/org/_packaging/feedB/npm/registry",
			[]string{"https://pkgs.example.com/org/_packaging/FeedB/npm/registry: trailing path differs"}},
		{"a segment missing", []string{"https://h.example.com/api/npm/npm-local"}, "https://h.example.com/artifactory/api/npm/npm-local", []string{"https://h.example.com/api/npm/npm-local: trailing path differs"}},
		{"same origin beats other ports", []string{"https://npm.example.com:8443", "https://npm.example.com/npm"}, "https://npm.example.com/upm", []string{"https://npm.example.com/npm: trailing path differs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var auths []Auth
			for _, k := range tt.keys {
				auths = append(auths, Auth{Registry: k, Token: "t"})
			}
			if _, ok := MatchRegistry(auths, tt.registry); ok {
				t.Fatalf("test case matches: no near miss to look for")
			}
			got := NearMisses(auths, tt.registry)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d near misses %+v, want %d", len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				key, reason, _ := strings.Cut(w, ": ")
				if got[i].Entry.Registry != key || !strings.Contains(got[i].Reason, reason) {
					t.Errorf("near miss %d = %s: %s, want %s", i, got[i].Entry.Registry, got[i].Reason, w)
				}
			}
		})
	}
}

func TestMatchReason(t *testing.T) {
	tests := []struct{ key, registry, want string }{
		{"https://npm.example.com/npm", "https://npm.example.com/npm", "exactly"},
		{"https://NPM.example.com:443/npm/", "https://npm.example.com/npm", "after normalising"},
		{"https://npm.example.com/npm", "https://npm.example.com/npm/team", "path prefix"},
	}
	for _, tt := range tests {
		a := Auth{Registry: tt.key}
		if _, ok := MatchRegistry([]Auth{a}, tt.registry); !ok {
			t.Fatalf("%s does not match %s", tt.key, tt.registry)
		}
		if got := MatchReason(a, tt.registry); !strings.Contains(got, tt.want) {
			t.Errorf("MatchReason(%s, %s) = %q, want %q", tt.key, tt.registry, got, tt.want)
		}
	}
}
