package gcpace

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// pace reads the collector's settings without changing them.
func pace() (percent int, limit int64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

// restore puts the settings the test started with back.
func restore(t *testing.T) {
	percent, limit := pace()
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

// waitFor polls cond until it holds; the deadline only keeps a broken
// cleanup from hanging the test, nothing is asserted about time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

func TestStartLeavesTheUsersChoice(t *testing.T) {
	restore(t)
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		Start(func(k string) string {
			if k == name {
				return "200"
			}
			return ""
		})
		if p, l := pace(); p != 100 || l != math.MaxInt64 {
			t.Errorf("%s set: GC percent %d, limit %d; want them untouched", name, p, l)
		}
	}
}

func TestStartPacesUntilTheHeapGrows(t *testing.T) {
	restore(t)
	before := watches.Load()
	Start(func(string) string { return "" })
	if p, l := pace(); p != -1 || l != MinHeap {
		t.Fatalf("after Start: GC percent %d, limit %d; want -1 and %d", p, l, MinHeap)
	}
	if watches.Load() != before+1 {
		t.Fatalf("Start armed %d watches, want 1", watches.Load()-before)
	}

	// A collection that leaves a small heap keeps the collector off and
	// watches the next one.
	runtime.GC()
	waitFor(t, "the watch after a small heap's collection", func() bool { return watches.Load() >= before+2 })
	if p, l := pace(); p != -1 || l != MinHeap {
		t.Fatalf("after a small heap's collection: GC percent %d, limit %d; want -1 and %d", p, l, MinHeap)
	}

	// One that leaves half of MinHeap or more live (more than half the
	// heap goal the limit leaves) hands back to GOGC=100.
	armed := watches.Load()
	live := make([]byte, MinHeap/2)
	runtime.GC()
	waitFor(t, "GOGC=100 after a large heap's collection", func() bool { p, _ := pace(); return p == 100 })
	runtime.KeepAlive(live)
	if _, l := pace(); l != math.MaxInt64 {
		t.Errorf("after a large heap's collection: limit %d, want none", l)
	}
	runtime.GC()
	if n := watches.Load(); n != armed {
		t.Errorf("watched %d more collections after handing back, want none", n-armed)
	}
}

func TestCollected(t *testing.T) {
	restore(t)
	const goal = 20 << 20
	for _, tc := range []struct {
		live, goal uint64
		wantOff    bool
		note       string
	}{
		{0, goal, true, "empty heap"},
		{goal/2 - 1, goal, true, "just under half the goal"},
		{goal / 2, goal, false, "half the goal"},
		{goal, goal, false, "all of the goal"},
	} {
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(MinHeap)
		watched := false
		collected(tc.live, tc.goal, func() { watched = true })
		p, l := pace()
		if off := p == -1 && l == MinHeap; off != tc.wantOff {
			t.Errorf("%s (%d live, %d goal): GC percent %d, limit %d; want still off: %v", tc.note, tc.live, tc.goal, p, l, tc.wantOff)
		}
		if watched != tc.wantOff {
			t.Errorf("%s: watched the next collection: %v, want %v", tc.note, watched, tc.wantOff)
		}
	}
}
