// Package humanize words numbers for people, one way everywhere: counts with
// their noun in the right number ("1 version", "2 versions") and sizes in
// decimal units (1 kB = 1000 B, 1 MB = 1000 kB), as npm and Unity show them
// and as maxCacheSize's "10 GB" (10000000000 bytes) means.
package humanize

import "fmt"

// Count is n followed by one (n == 1) or many: Count(1, "version",
// "versions") is "1 version".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Bytes is a size in decimal units with one decimal: "999 B", "1.5 kB",
// "10.0 GB".
func Bytes(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n) / 1000
	units := "kMGTPE"
	i := 0
	// 999.96 kB would print as 1000.0 kB: that is 1.0 MB.
	for v >= 999.95 && i < len(units)-1 {
		v /= 1000
		i++
	}
	return fmt.Sprintf("%.1f %cB", v, units[i])
}
