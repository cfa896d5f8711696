package secret

import "testing"

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
