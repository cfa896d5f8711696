package humanize

import "testing"

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 versions"}, {1, "1 version"}, {2, "2 versions"}} {
		if got := Count(tt.n, "version", "versions"); got != tt.want {
			t.Errorf("Count(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
	if got := Count(3, "entry", "entries"); got != "3 entries" {
		t.Errorf("Count(3, entry) = %q", got)
	}
}

func TestBytes(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {999, "999 B"}, {1000, "1.0 kB"}, {1024, "1.0 kB"}, {1500, "1.5 kB"},
		{999_999, "1.0 MB"}, {999_949, "999.9 kB"}, {1_000_000, "1.0 MB"}, {10_000_000_000, "10.0 GB"},
	} {
		if got := Bytes(tt.n); got != tt.want {
			t.Errorf("Bytes(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}
