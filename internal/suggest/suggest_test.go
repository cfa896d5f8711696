package suggest

import (
	"slices"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"physics", "phisics", 1}, {"uielement", "uielements", 1}, {"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"physics", "physics2d", "ui"}
	if got := Closest("phisics", names, 2); got != "physics" {
		t.Errorf("Closest = %q", got)
	}
	if got := Closest("animation", names, 2); got != "" {
		t.Errorf("Closest of a far word = %q; want none", got)
	}
}

func TestNear(t *testing.T) {
	names := []string{"com.example.core", "com.example.ui", "com.example.cores", "com.other.lib"}
	tests := []struct {
		word string
		want []string
	}{
		{"com.example.cor", []string{"com.example.core", "com.example.cores"}},
		{"core", []string{"com.example.core", "com.example.cores"}},
		{"com.example.uii", []string{"com.example.ui"}},
		{"com.nothing.near", []string{}},
		{"", []string{}},
	}
	for _, tt := range tests {
		if got := Near(tt.word, names, 2, 3); !slices.Equal(got, tt.want) {
			t.Errorf("Near(%q) = %q; want %q", tt.word, got, tt.want)
		}
	}
	if got := Near("com.example.x", names, 5, 1); len(got) != 1 {
		t.Errorf("Near with n=1 = %q", got)
	}
}
