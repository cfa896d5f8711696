package auth

import "testing"

func TestEncodeBasic(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"me@example.com:pat", "bWVAZXhhbXBsZS5jb206cGF0", true},
		{"user:pa:ss", "dXNlcjpwYTpzcw==", true},
		{"nocolon", "", false},
		{":secret", "", false},
		{"user:", "", false},
		{"a:b\nc", "", false},
		{"   ", "", false},
	} {
		got, err := EncodeBasic(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("EncodeBasic(%q) = %q, %v", tc.in, got, err)
		}
	}
}
