package secret

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"short":              "****",
		"12345678":           "****",
		"123456789":          "****6789",
		"npm_abcdefghijklmn": "****klmn",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpiry(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jwt := func(payload string) string { return enc(`{"alg":"HS256"}`) + "." + enc(payload) + ".c2ln" }
	for _, tc := range []struct {
		token string
		want  int64 // 0: no expiry
	}{
		{jwt(`{"sub":"alice","exp":1893456000}`), 1893456000},
		{jwt(`{"exp":1.8934560e9}`), 1893456000},
		{jwt(`{"sub":"alice"}`), 0},
		{jwt(`{"exp":"soon"}`), 0},
		{jwt(`not json`), 0},
		{"npm_abcdefghijklmn", 0},
		{"a.!!!.c", 0},
		{"", 0},
	} {
		got, ok := Expiry(tc.token)
		if tc.want == 0 {
			if ok {
				t.Errorf("Expiry(%s) = %v; want none", Mask(tc.token), got)
			}
			continue
		}
		if !ok || got.Unix() != tc.want || got.Location() != time.UTC {
			t.Errorf("Expiry(%s) = %v, %v; want %d", Mask(tc.token), got, ok, tc.want)
		}
	}
}
