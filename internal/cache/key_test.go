package cache

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestKeyID(t *testing.T) {
	data := []byte("tarball bytes")
	s512 := sha512.Sum512(data)
	s384 := sha512.Sum384(data)
	s256 := sha256.Sum256(data)
	s1 := sha1.Sum(data)
	b64 := base64.StdEncoding.EncodeToString
	h := hex.EncodeToString
	tests := []struct {
		name string
		key  Key
		want string // "" means ErrNoChecksum
	}{
		{"sha512", Key{Integrity: "sha512-" + b64(s512[:])}, "sha512-" + h(s512[:])},
		{"strongest of several", Key{Integrity: "sha1-" + b64(s1[:]) + " sha512-" + b64(s512[:]) + " sha256-" + b64(s256[:])}, "sha512-" + h(s512[:])},
		{"sha384", Key{Integrity: "sha384-" + b64(s384[:])}, "sha384-" + h(s384[:])},
		{"sha256 beats shasum", Key{Integrity: "sha256-" + b64(s256[:]), Shasum: h(s1[:])}, "sha256-" + h(s256[:])},
		{"sri sha1", Key{Integrity: "sha1-" + b64(s1[:])}, "sha1-" + h(s1[:])},
		{"options ignored", Key{Integrity: "sha512-" + b64(s512[:]) + "?foo=bar"}, "sha512-" + h(s512[:])},
		{"unpadded base64", Key{Integrity: "sha512-" + strings.TrimRight(b64(s512[:]), "=")}, "sha512-" + h(s512[:])},
		{"upper-case algorithm", Key{Integrity: "SHA512-" + b64(s512[:])}, "sha512-" + h(s512[:])},
		{"shasum only", Key{Shasum: h(s1[:])}, "sha1-" + h(s1[:])},
		{"shasum upper-case", Key{Shasum: strings.ToUpper(h(s1[:]))}, "sha1-" + h(s1[:])},
		{"unknown algorithm falls back to shasum", Key{Integrity: "md5-abcd", Shasum: h(s1[:])}, "sha1-" + h(s1[:])},
		{"malformed integrity falls back to shasum", Key{Integrity: "sha512-!!!", Shasum: h(s1[:])}, "sha1-" + h(s1[:])},
		{"wrong digest length skipped", Key{Integrity: "sha512-" + b64(s256[:]) + " sha256-" + b64(s256[:])}, "sha256-" + h(s256[:])},
		{"neither", Key{}, ""},
		{"blank", Key{Integrity: "  ", Shasum: " "}, ""},
		{"shasum not hex", Key{Shasum: "zz"}, ""},
		{"shasum wrong length", Key{Shasum: h(s256[:])}, ""},
		{"integrity unusable, no shasum", Key{Integrity: "sha512-short"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.key.ID()
			if tt.want == "" {
				if !errors.Is(err, ErrNoChecksum) {
					t.Fatalf("ID() = %q, %v; want ErrNoChecksum", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ID() = %q, %v; want %q", got, err, tt.want)
			}
			d, err := parseID(got)
			if err != nil || d.ID() != got {
				t.Errorf("parseID(%q) = %v, %v", got, d.ID(), err)
			}
		})
	}
}

func TestParseIDRefuses(t *testing.T) {
	for _, id := range []string{"", "sha512", "sha512-", "md5-00", "sha1-" + strings.Repeat("0", 39), "sha1-" + strings.Repeat("A", 40), "sha1-" + strings.Repeat("0", 40) + ".x", "../sha1-00"} {
		if _, err := parseID(id); err == nil {
			t.Errorf("parseID(%q) accepted", id)
		}
	}
}

// FuzzKeyID: integrity and shasum come from a registry's packument, so
// they are untrusted. ID must never panic, and every ID it returns must be
// a canonical entry name (no path tricks) that parseID reads back.
func FuzzKeyID(f *testing.F) {
	f.Add("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==", "")
	f.Add("sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA= sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "da39a3ee5e6b4b0d3255bfef95601890afd80709")
	f.Add("", "../../etc/passwd")
	f.Add("sha512-/../x?y", "")
	f.Fuzz(func(t *testing.T, integrity, shasum string) {
		id, err := Key{Integrity: integrity, Shasum: shasum}.ID()
		if err != nil {
			if !errors.Is(err, ErrNoChecksum) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if strings.ContainsAny(id, `/\.: `) {
			t.Fatalf("ID %q is not a plain name", id)
		}
		d, err := parseID(id)
		if err != nil || d.ID() != id {
			t.Fatalf("parseID(%q) = %v, %v", id, d.ID(), err)
		}
	})
}
