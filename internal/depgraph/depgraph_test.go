package depgraph

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/lockfile"
	"github.com/upkg/upkg/internal/manifest"
)

// pkg is a lock entry in short: name@version, then name@asked dependencies.
type pkg struct {
	at   string
	deps []string
}

func graph(t *testing.T, direct []string, testables []string, pkgs ...pkg) *Graph {
	t.Helper()
	var deps []string
	for _, d := range direct {
		n, v, _ := strings.Cut(d, "@")
		deps = append(deps, fmt.Sprintf("%q: %q", n, v))
	}
	var tj []string
	for _, x := range testables {
		tj = append(tj, fmt.Sprintf("%q", x))
	}
	mtext := fmt.Sprintf(`{"dependencies": {%s}, "testables": [%s]}`, strings.Join(deps, ", "), strings.Join(tj, ", "))
	m, err := manifest.Parse("manifest.json", []byte(mtext))
	if err != nil {
		t.Fatal(err)
	}
	l := &lockfile.Lock{}
	for _, p := range pkgs {
		n, v, _ := strings.Cut(p.at, "@")
		e := lockfile.Entry{Name: n, Version: v, Source: lockfile.SourceRegistry, URL: "http://127.0.0.1:4873"}
		if strings.HasPrefix(n, "com.unity.modules.") {
			e.Source, e.URL = lockfile.SourceBuiltin, ""
		}
		for _, d := range p.deps {
			dn, dv, _ := strings.Cut(d, "@")
			e.Dependencies = append(e.Dependencies, lockfile.Dep{Name: dn, Version: dv})
		}
		l.Entries = append(l.Entries, e)
	}
	return New(m, l)
}

// chains renders chains as "a@1.0.0(asks 1.0.0) > b@…" lines.
func chains(w Why) []string {
	out := []string{}
	for _, c := range w.Chains {
		var parts []string
		for _, l := range c {
			parts = append(parts, fmt.Sprintf("%s@%s(%s)", l.Name, l.Version, l.Asks))
		}
		out = append(out, strings.Join(parts, " > "))
	}
	return out
}

func TestWhyDiamond(t *testing.T) {
	// app → ui → core, app → core; core is also direct, asked at 1.0.0,
	// while ui asks 1.1.0 (two requesters asking different versions).
	g := graph(t, []string{"com.a.app@1.0.0", "com.a.core@1.0.0"}, nil,
		pkg{"com.a.app@1.0.0", []string{"com.a.core@1.0.0", "com.a.ui@1.0.0"}},
		pkg{"com.a.ui@1.0.0", []string{"com.a.core@1.1.0", "com.unity.modules.ui@1.0.0"}},
		pkg{"com.a.core@1.1.0", nil},
		pkg{"com.unity.modules.ui@1.0.0", nil},
	)
	w := g.Why("com.a.core", 100)
	want := []string{
		"com.a.core@1.1.0(1.0.0)",
		"com.a.app@1.0.0(1.0.0) > com.a.core@1.1.0(1.0.0)",
		"com.a.app@1.0.0(1.0.0) > com.a.ui@1.0.0(1.0.0) > com.a.core@1.1.0(1.1.0)",
	}
	if got := chains(w); !slices.Equal(got, want) || w.Truncated {
		t.Errorf("Why(core) = %q (truncated %v); want %q", got, w.Truncated, want)
	}
	if got := chains(g.Why("com.unity.modules.ui", 0)); !slices.Equal(got, []string{"com.a.app@1.0.0(1.0.0) > com.a.ui@1.0.0(1.0.0) > com.unity.modules.ui@1.0.0(1.0.0)"}) {
		t.Errorf("Why(module) = %q", got)
	}
	// core is shown at the top, with what the manifest asks; below app and
	// ui it is deduped.
	tree := "com.a.app@1.0.0\n com.a.core@1.1.0 deduped\n com.a.ui@1.0.0\n  com.a.core@1.1.0 deduped\n  com.unity.modules.ui@1.0.0\ncom.a.core@1.1.0\n"
	if got := render(g.Tree(-1)); got != tree {
		t.Errorf("Tree:\n%s\nwant:\n%s", got, tree)
	}
	rq := g.Requesters("com.a.core")
	if len(rq) != 2 || rq[0] != (Requester{"com.a.app", "1.0.0", "1.0.0"}) || rq[1] != (Requester{"com.a.ui", "1.0.0", "1.1.0"}) {
		t.Errorf("Requesters(core) = %+v", rq)
	}
	if r, ok := g.Root("com.a.core"); !ok || r.Asks != "1.0.0" {
		t.Errorf("Root(core) = %+v, %v", r, ok)
	}
	if _, ok := g.Root("com.a.ui"); ok {
		t.Errorf("ui is no root")
	}
}

func TestWhyCycle(t *testing.T) {
	g := graph(t, []string{"com.a@1.0.0"}, nil,
		pkg{"com.a@1.0.0", []string{"com.b@1.0.0"}},
		pkg{"com.b@1.0.0", []string{"com.c@1.0.0"}},
		pkg{"com.c@1.0.0", []string{"com.a@1.0.0", "com.b@1.0.0"}},
	)
	want := []string{"com.a@1.0.0(1.0.0) > com.b@1.0.0(1.0.0) > com.c@1.0.0(1.0.0)"}
	if got := chains(g.Why("com.c", 100)); !slices.Equal(got, want) {
		t.Errorf("Why(c) = %q; want %q", got, want)
	}
	if got := chains(g.Why("com.a", 100)); !slices.Equal(got, []string{"com.a@1.0.0(1.0.0)"}) {
		t.Errorf("Why(a) = %q", got)
	}
	tree := render(g.Tree(-1))
	wantTree := "com.a@1.0.0\n com.b@1.0.0\n  com.c@1.0.0\n   com.a@1.0.0 deduped\n   com.b@1.0.0 deduped\n"
	if tree != wantTree {
		t.Errorf("Tree:\n%s\nwant:\n%s", tree, wantTree)
	}
}

func TestWhyTruncated(t *testing.T) {
	// A ladder: n levels of two packages each, every one asking for both
	// of the next level: 2^n chains to the bottom.
	const n = 12
	var pkgs []pkg
	for i := range n {
		next := []string{fmt.Sprintf("com.l%d.x@1.0.0", i+1), fmt.Sprintf("com.l%d.y@1.0.0", i+1)}
		if i == n-1 {
			next = []string{"com.bottom@1.0.0"}
		}
		pkgs = append(pkgs, pkg{fmt.Sprintf("com.l%d.x@1.0.0", i), next}, pkg{fmt.Sprintf("com.l%d.y@1.0.0", i), next})
	}
	pkgs = append(pkgs, pkg{"com.bottom@1.0.0", nil})
	g := graph(t, []string{"com.l0.x@1.0.0", "com.l0.y@1.0.0"}, nil, pkgs...)
	w := g.Why("com.bottom", 100)
	if len(w.Chains) != 100 || !w.Truncated {
		t.Fatalf("Why(bottom) gave %d chains, truncated %v; want 100, true", len(w.Chains), w.Truncated)
	}
	if w := g.Why("com.l2.x", 100); len(w.Chains) != 4 || w.Truncated {
		t.Errorf("Why(l2.x) gave %d chains, truncated %v; want 4", len(w.Chains), w.Truncated)
	}
}

func TestWhyNotThere(t *testing.T) {
	g := graph(t, []string{"com.a@1.0.0", "com.gone@2.0.0"}, nil,
		pkg{"com.a@1.0.0", nil},
		pkg{"com.orphan@1.0.0", []string{"com.a@1.0.0"}},
	)
	if w := g.Why("com.nope", 100); len(w.Chains) != 0 {
		t.Errorf("a name the lock lacks has chains: %q", chains(w))
	}
	if w := g.Why("com.orphan", 100); len(w.Chains) != 0 {
		t.Errorf("an orphan has chains: %q", chains(w))
	}
	if got := g.Missing(); !slices.Equal(got, []string{"com.gone"}) {
		t.Errorf("Missing = %q", got)
	}
	if got := render(g.Tree(-1)); got != "com.a@1.0.0\ncom.gone@ missing\n" {
		t.Errorf("Tree:\n%s", got)
	}
}

func TestTestables(t *testing.T) {
	g := graph(t, []string{"com.a@1.0.0"}, []string{"com.a", "com.t", "com.absent"},
		pkg{"com.a@1.0.0", nil},
		pkg{"com.t@1.0.0", []string{"com.u@2.0.0"}},
		pkg{"com.u@2.0.0", nil},
	)
	roots := g.Roots()
	if len(roots) != 2 || roots[0] != (Root{"com.a", "1.0.0", true, false}) || roots[1] != (Root{"com.t", "", true, false}) {
		t.Errorf("Roots = %+v", roots)
	}
	if got := chains(g.Why("com.u", 10)); !slices.Equal(got, []string{"com.t@1.0.0() > com.u@2.0.0(2.0.0)"}) {
		t.Errorf("Why(u) = %q", got)
	}
}

func TestTreeDepthAndDedupe(t *testing.T) {
	g := graph(t, []string{"com.z@1.0.0", "com.a@1.0.0"}, nil,
		pkg{"com.a@1.0.0", []string{"com.b@1.0.0"}},
		pkg{"com.b@1.0.0", []string{"com.c@1.0.0"}},
		pkg{"com.c@1.0.0", nil},
		pkg{"com.z@1.0.0", []string{"com.c@1.0.0", "com.b@1.0.0"}},
	)
	full := "com.a@1.0.0\n com.b@1.0.0\n  com.c@1.0.0\ncom.z@1.0.0\n com.b@1.0.0 deduped\n com.c@1.0.0 deduped\n"
	if got := render(g.Tree(-1)); got != full {
		t.Errorf("Tree(-1):\n%s\nwant:\n%s", got, full)
	}
	// Depth 1 cuts b's dependencies under a, so b is not deduped under z
	// either (its dependencies were never shown), and is cut there too.
	one := "com.a@1.0.0\n com.b@1.0.0\ncom.z@1.0.0\n com.b@1.0.0\n com.c@1.0.0\n"
	if got := render(g.Tree(1)); got != one {
		t.Errorf("Tree(1):\n%s\nwant:\n%s", got, one)
	}
	if got := render(g.Tree(0)); got != "com.a@1.0.0\ncom.z@1.0.0\n" {
		t.Errorf("Tree(0):\n%s", got)
	}
}

func render(nodes []*Node) string {
	var b strings.Builder
	var walk func(n *Node, indent int)
	walk = func(n *Node, indent int) {
		fmt.Fprintf(&b, "%s%s@%s", strings.Repeat(" ", indent), n.Name, n.Entry.Version)
		if n.Deduped {
			b.WriteString(" deduped")
		}
		if n.Missing {
			b.WriteString(" missing")
		}
		b.WriteString("\n")
		for _, c := range n.Dependencies {
			walk(c, indent+1)
		}
	}
	for _, n := range nodes {
		walk(n, 0)
	}
	return b.String()
}

func TestEmbedded(t *testing.T) {
	m, err := manifest.Parse("manifest.json", []byte(`{"dependencies": {"com.a": "1.0.0"}}`))
	if err != nil {
		t.Fatal(err)
	}
	l := &lockfile.Lock{Entries: []lockfile.Entry{
		{Name: "com.a", Version: "1.0.0", Source: lockfile.SourceRegistry},
		{Name: "com.e", Version: "file:com.e", Source: lockfile.SourceEmbedded, Dependencies: []lockfile.Dep{{Name: "com.a", Version: "1.0.0"}}},
	}}
	g := New(m, l)
	if r, ok := g.Root("com.e"); !ok || r != (Root{Name: "com.e", Embedded: true}) {
		t.Errorf("Root(embedded) = %+v, %v", r, ok)
	}
	want := []string{"com.a@1.0.0(1.0.0)", "com.e@file:com.e() > com.a@1.0.0(1.0.0)"}
	if got := chains(g.Why("com.a", 10)); !slices.Equal(got, want) {
		t.Errorf("Why(a) = %q; want %q", got, want)
	}
}
