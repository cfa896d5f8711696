package install

import (
	"fmt"
	"sync"

	"github.com/upkg/upkg/internal/cli/cmdutil"
)

// reporter shows install progress: a live counter on a terminal, nothing but
// warnings otherwise (the summary line follows).
type reporter struct {
	f     *cmdutil.Factory
	live  bool
	mu    sync.Mutex
	total int
	done  int
}

func newReporter(f *cmdutil.Factory) *reporter {
	g := f.Globals
	live := f.IO.ErrTTY && !g.NoProgress && !g.Quiet && !g.JSON && f.Getenv("CI") == ""
	return &reporter{f: f, live: live}
}

func (r *reporter) Resolved(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total = n
	r.draw()
}

func (r *reporter) Fetched(name, version string, downloaded bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	r.draw()
}

func (r *reporter) Warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.live {
		fmt.Fprint(r.f.IO.ErrOut, "\r\033[K")
	}
	r.f.Warnf("%s", msg)
	r.draw()
}

func (r *reporter) draw() {
	if !r.live || r.total == 0 {
		return
	}
	fmt.Fprintf(r.f.IO.ErrOut, "\r\033[K%d/%d packages", r.done, r.total)
}

func (r *reporter) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.live && r.total > 0 {
		fmt.Fprint(r.f.IO.ErrOut, "\r\033[K")
	}
}
