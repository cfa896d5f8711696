// Package suggest finds the names nearest to one that was not found, for
// "did you mean …" messages.
package suggest

import (
	"cmp"
	"slices"
)

// Closest returns at most n of candidates nearest to name by edit distance
// (Levenshtein, see Distance), nearest first, ties by name. name itself and
// duplicates are left out, and so are candidates so far from name that
// suggesting them would not help (a distance over half the longer name).
func Closest(name string, candidates []string, n int) []string {
	type scored struct {
		name string
		d    int
	}
	var all []scored
	seen := map[string]bool{name: true}
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		d := Distance(name, c)
		if 2*d > max(len(name), len(c)) {
			continue
		}
		all = append(all, scored{c, d})
	}
	slices.SortFunc(all, func(a, b scored) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.name, b.name)) })
	out := []string{}
	for _, s := range all[:min(n, len(all))] {
		out = append(out, s.name)
	}
	return out
}

// Distance is the Levenshtein distance between a and b: the fewest
// insertions, deletions and substitutions of characters (runes) turning one
// into the other.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
