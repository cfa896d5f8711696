package credentials

import (
	"context"
	"testing"

	"github.com/upkg/upkg/internal/upmconfig"
)

func TestFromEntries(t *testing.T) {
	auths := []upmconfig.Auth{
		{Registry: "https://npm.example.com/team/", Token: "tok-123456789", File: "/home/u/.upmconfig.toml"},
		{Registry: "https://cdn.example.com", Basic: "dXNlcjpwYXNzd29yZA==", AlwaysAuth: true},
		{Registry: "https://empty.example.com"},
	}
	creds := FromEntries(auths)
	for _, tt := range []struct {
		reg, url, header, entry string
	}{
		{"https://npm.example.com/team", "https://npm.example.com/team/com.example.a", "Bearer tok-123456789", "https://npm.example.com/team/"},
		// Another origin without alwaysAuth: the tarball's own entry.
		{"https://npm.example.com/team", "https://cdn.example.com/a.tgz", "Basic dXNlcjpwYXNzd29yZA==", "https://cdn.example.com"},
		{"https://other.example.com", "https://other.example.com/a", "", ""},
		// An entry with neither token nor _auth sends nothing.
		{"https://empty.example.com", "https://empty.example.com/a", "", ""},
	} {
		c, err := creds(context.Background(), tt.reg, tt.url)
		if err != nil || c.Header != tt.header || c.Entry != tt.entry {
			t.Errorf("%s for %s: %+v, %v; want %q from %q", tt.url, tt.reg, c, err, tt.header, tt.entry)
		}
	}
	if c := Of(auths[0]); c.Kind() != "token" || c.Masked() != "****6789" || c.File != "/home/u/.upmconfig.toml" || c.AlwaysAuth {
		t.Errorf("Of = %+v", c)
	}
}
