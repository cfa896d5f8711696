package install

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/upkg/upkg/internal/cli/cmdutil"
	"github.com/upkg/upkg/internal/humanize"
)

// reporter shows install progress: a progress bar (packages done of all,
// bytes downloaded, time taken) on a terminal, nothing but warnings
// otherwise (the summary line follows). Warnings print above a live bar.
type reporter struct {
	p     cmdutil.Printer
	live  bool
	bytes atomic.Int64

	mu       sync.Mutex
	progress *mpb.Progress // nil until Resolved, and when not live
	bar      *mpb.Bar
}

// newReporter shows progress on p's stderr; getenv tells whether this is CI.
func newReporter(p cmdutil.Printer, getenv func(string) string) *reporter {
	g := p.Globals
	// A terminal that reports no width gets no bar: mpb would draw
	// nothing on it anyway.
	live := p.IO.ErrWidth() > 0 && !g.NoProgress && !g.Quiet && !g.JSON && getenv("CI") == ""
	return &reporter{p: p, live: live}
}

func (r *reporter) Resolved(n int) {
	if !r.live || n == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// ErrOut may be a wrapper, not the *os.File mpb checks for a terminal:
	// live already says it is one.
	r.progress = mpb.New(mpb.WithOutput(r.p.IO.ErrOut), mpb.WithAutoRefresh(), mpb.WithWidth(32))
	r.bar = r.progress.AddBar(int64(n),
		mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name("Installing ")),
		mpb.AppendDecorators(
			decor.CountersNoUnit(" %d/%d packages"),
			decor.Any(func(decor.Statistics) string { return " · " + humanize.Bytes(r.bytes.Load()) }),
			decor.Elapsed(decor.ET_STYLE_GO, decor.WC{C: decor.DSyncSpace}),
		),
	)
}

func (r *reporter) Fetched(name, version string, downloaded bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		r.bar.Increment()
	}
}

func (r *reporter) Downloaded(n int) { r.bytes.Add(int64(n)) }

func (r *reporter) Warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.progress != nil && !r.p.Globals.Quiet {
		if _, err := fmt.Fprintf(r.progress, "warning: %s\n", msg); err == nil {
			return
		}
	}
	r.p.Warnf("%s", msg)
}

// finish takes the bar off the terminal, whether every package made it or
// the install failed part way.
func (r *reporter) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.progress == nil {
		return
	}
	if !r.bar.Completed() {
		r.bar.Abort(true)
	}
	r.progress.Wait()
	r.progress, r.bar = nil, nil
}
