// Package suggest finds the names a mistyped name was probably meant to be:
// the "did you mean" of error messages.
package suggest

import (
	"cmp"
	"slices"
	"strings"
)

// Closest returns the candidate nearest to word by edit distance (the first
// on ties), or "" when none is within maxDist edits: further away it is no
// typo.
func Closest(word string, candidates []string, maxDist int) string {
	best, bestDist := "", maxDist+1
	for _, c := range candidates {
		if d := Distance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Near returns up to n candidates that word may stand for, nearest first:
// those within maxDist edits of word, and those whose last dot-separated
// part is word or contains it (a package named by its short name). Ties keep
// the candidates' order.
func Near(word string, candidates []string, maxDist, n int) []string {
	type hit struct {
		name string
		dist int
	}
	var hits []hit
	for _, c := range candidates {
		d := Distance(word, c)
		if d > maxDist {
			last := c[strings.LastIndex(c, ".")+1:]
			if word == "" || !strings.Contains(last, word) {
				continue
			}
		}
		hits = append(hits, hit{c, d})
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(a.dist, b.dist) })
	out := []string{}
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.name)
	}
	return out
}

// Distance is the Levenshtein distance of two short strings, counted in
// runes.
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
