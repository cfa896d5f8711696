package suggest

import (
	"slices"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3}, {"physics", "phisics", 1}, {"uielement", "uielements", 1}, {"größe", "grösse", 2},
		{"com.example.core", "com.example.core", 0}, {"com.example.cor", "com.example.core", 1},
	} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Distance(tc.b, tc.a); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d; want %d", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"com.example.core", "com.example.ui", "com.example.cored", "com.example.bore", "org.unrelated.thing", "com.example.core", "com.example.crr"}
	for _, tc := range []struct {
		name string
		n    int
		want []string
	}{
		{"com.example.cor", 4, []string{"com.example.core", "com.example.crr", "com.example.bore", "com.example.cored"}},
		{"com.example.cor", 1, []string{"com.example.core"}},
		{"com.example.core", 2, []string{"com.example.bore", "com.example.cored"}},
		{"zzz", 3, []string{}},
		{"com.example.cor", 0, []string{}},
	} {
		if got := Closest(tc.name, cands, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("Closest(%q, %d) = %q; want %q", tc.name, tc.n, got, tc.want)
		}
	}
}
