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

// reporter shows install progress on a terminal: while resolving, a
// spinner with how many packages' metadata is in ("Resolving… 12
// packages"); then a progress bar (packages done of all, bytes downloaded,
// time taken). Without a terminal, nothing but warnings (the summary line
// follows). Warnings print above a live line.
type reporter struct {
	p     cmdutil.Printer
	live  bool
	bytes atomic.Int64
	known atomic.Int64

	mu       sync.Mutex
	progress *mpb.Progress // nil until the first Resolving or Resolved, and when not live
	spinner  *mpb.Bar      // while resolving
	bar      *mpb.Bar      // while fetching
	resolved bool          // Resolved was called: late Resolving calls show nothing
}

// newReporter shows progress on p's stderr; getenv tells whether this is CI.
func newReporter(p cmdutil.Printer, getenv func(string) string) *reporter {
	g := p.Globals
	// A terminal that reports no width gets no bar: mpb would draw
	// nothing on it anyway.
	live := p.IO.ErrWidth() > 0 && !g.NoProgress && !g.Quiet && !g.JSON && getenv("CI") == ""
	return &reporter{p: p, live: live}
}

// start makes the live area, once; r.mu is held.
func (r *reporter) start() {
	if r.progress == nil {
		// ErrOut may be a wrapper, not the *os.File mpb checks for a
		// terminal: live already says it is one.
		r.progress = mpb.New(mpb.WithOutput(r.p.IO.ErrOut), mpb.WithAutoRefresh(), mpb.WithWidth(32))
	}
}

func (r *reporter) Resolving(known int) {
	if !r.live {
		return
	}
	r.known.Store(int64(known))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.spinner != nil || r.resolved {
		return
	}
	r.start()
	r.spinner = r.progress.New(0, mpb.SpinnerStyle(),
		mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
			n := r.known.Load()
			return fmt.Sprintf("Resolving… %d %s", n, plural(n, "package", "packages"))
		})),
	)
}

// stopResolving takes the spinner off; r.mu is held.
func (r *reporter) stopResolving() {
	if r.spinner != nil {
		r.spinner.Abort(true)
		r.spinner = nil
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (r *reporter) Resolved(n int) {
	if !r.live {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resolved = true
	r.stopResolving()
	if n == 0 {
		return
	}
	r.start()
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
	r.resolved = true
	if r.progress == nil {
		return
	}
	r.stopResolving()
	if r.bar != nil && !r.bar.Completed() {
		r.bar.Abort(true)
	}
	r.progress.Wait()
	r.progress, r.bar = nil, nil
}
