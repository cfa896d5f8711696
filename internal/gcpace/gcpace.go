// Package gcpace paces Go's garbage collector for a command that runs for
// a fraction of a second: no collection at all while the heap is small,
// the runtime's usual pace (GOGC=100) once it is not.
//
// By default the runtime collects as soon as the heap reaches 4 MB and
// then whenever it doubles. A warm install in link mode reads a few MB of
// file lists and package documents and is done in under 100 ms: three
// collections there cost it 15 ms of CPU for memory the process was about
// to give back by exiting. Start turns the collector off under a memory
// limit (MinHeap): the first collection happens when the Go runtime holds
// that much memory. After each collection it looks at what survived; once
// twice the live heap reaches the heap goal the limit leaves (MinHeap less
// the runtime's own memory, about 10 MB), the limit goes and GOGC=100 takes
// over for good, so a large live heap never meets a limit it is close to
// (a memory limit near the live heap makes the runtime collect almost
// without pause). The effect is a heap goal of max(what the limit
// leaves, 2 × live).
//
// esbuild turns its collector off for one-shot builds for the same
// reason. GOGC or GOMEMLIMIT set in the environment are the user's choice
// and turn all of this off.
package gcpace

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
)

// MinHeap is the memory (heap, stacks and the runtime's own, as
// GOMEMLIMIT counts it) under which nothing is collected.
const MinHeap = 32 << 20

// Start paces the collector as the package comment says, unless getenv
// reports GOGC or GOMEMLIMIT set.
func Start(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(MinHeap)
	watch()
}

// watch calls collected after the next collection: the cleanup of an
// object nothing refers to runs once a collection has found it
// unreachable. The object is larger than the tiny allocator's 16 bytes,
// whose blocks are shared and may never be freed.
func watch() {
	watches.Add(1)
	runtime.AddCleanup(new([4]*byte), func(struct{}) {
		live, goal := heap()
		collected(live, goal, watch)
	}, struct{}{})
}

// watches counts watch's calls, for tests.
var watches atomic.Int64

// collected decides after a collection that left live bytes of heap
// with a goal of goal bytes for the next: the collector stays off while
// the limit allows the heap more than GOGC=100 would (twice the live
// heap), and GOGC=100 takes over from the first collection where it
// would not; rewatch is watch.
func collected(live, goal uint64, rewatch func()) {
	if 2*live < goal {
		rewatch()
		return
	}
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
}

// heap reads what the heap holds just after a collection (what it left
// live, and what was allocated since) and the goal it set for the next.
// runtime.ReadMemStats stops the world for microseconds, once a
// collection while the collector is paced; runtime/metrics would read
// the live heap exactly, but its initialisation costs every start of
// upkg 0.08 ms, 2 % of a no-op install.
func heap() (live, goal uint64) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.NextGC
}

// Default is Start with the process's environment.
func Default() { Start(os.Getenv) }
