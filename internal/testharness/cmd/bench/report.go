package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// environment is what a report says about the run itself.
type environment struct {
	date string
	runs int
	took time.Duration
	// loadBefore and loadAfter are the machine's load averages (1, 5 and
	// 15 minutes) when the measuring began and ended: other work on the
	// machine makes every figure noisier.
	loadBefore, loadAfter string
}

func (e environment) String() string {
	return fmt.Sprintf("median of %d runs, %s, %s/%s, %d CPUs, took %s, load average %s before, %s after",
		e.runs, e.date, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), e.took, e.loadBefore, e.loadAfter)
}

// loadAverage is the 1, 5 and 15 minute load averages from /proc/loadavg, or
// "unknown" where there is none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// label is a tool's name with the major version (npm 11, bun 1.4), as
// README names them; upkg's own is left out.
func (t *tool) label() string {
	v := strings.TrimPrefix(t.version, "v")
	if strings.HasPrefix(t.name, "upkg") || v == "" {
		return t.name
	}
	parts := strings.SplitN(v, ".", 3)
	if parts[0] == "0" || t.name == "bun" {
		if len(parts) > 1 {
			return t.name + " " + parts[0] + "." + parts[1]
		}
	}
	return t.name + " " + parts[0]
}

// seconds shows a duration as README does: milliseconds under a second,
// else seconds with two decimals.
func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func megabytes(n int64) string { return fmt.Sprintf("%.0f", float64(n)/1e6) }

// summary is a profile's line above its table.
func (b *bench) summary() string {
	s := fmt.Sprintf("%s: %s, %d files, %.1f MB of tarballs", b.name, count(len(b.packages), "package"), b.files, float64(b.tgzBytes)/1e6)
	if b.latency > 0 {
		s += fmt.Sprintf(", %s away", b.latency)
	}
	if b.rate > 0 {
		s += fmt.Sprintf(", %.0f MB/s per response", b.rate/1e6)
	}
	return s
}

// printText prints each profile's medians as aligned columns.
func printText(w io.Writer, benches []*bench, env environment) {
	fmt.Fprintf(w, "\n%s\n", env)
	for _, b := range benches {
		fmt.Fprintf(w, "\n%s (%s)\n", b.summary(), b.title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "tool\tcold\twarm\tchurned\tno-op\tmax RSS MB (cold/warm/churned/no-op)\t")
		for _, t := range b.tools {
			fmt.Fprintf(tw, "%s\t", t.label())
			for k := range kinds {
				fmt.Fprintf(tw, "%s\t", seconds(median(t.times[k])))
			}
			fmt.Fprintf(tw, "%s\t\n", t.rssColumn())
		}
		tw.Flush()
		if len(b.baselines[0]) > 0 {
			fmt.Fprintf(w, "the same work done plainly, on %d goroutines, with no installer around it:\n", baseWorkers)
			for k := range baseKinds {
				fmt.Fprintf(w, "  %8s  %s\n", seconds(median(b.baselines[k])), b.baseWhat[k])
			}
		}
	}
}

func (t *tool) rssColumn() string {
	var mbs []string
	for k := range kinds {
		mbs = append(mbs, megabytes(median(t.rss[k])))
	}
	return strings.Join(mbs, " / ")
}

// printMarkdown prints a table per profile in the form README's Performance
// section uses, the fastest time of each column in bold.
func printMarkdown(w io.Writer, benches []*bench, env environment) {
	fmt.Fprintf(w, "\n<!-- %s -->\n", env)
	for _, b := range benches {
		var best [kinds]time.Duration
		for k := range kinds {
			for i, t := range b.tools {
				if m := median(t.times[k]); i == 0 || m < best[k] {
					best[k] = m
				}
			}
		}
		fmt.Fprintf(w, "\n| %s | cold | warm | warm, churned disk | no-op | peak RSS, MB (cold / warm / churned / no-op) |\n|---|---|---|---|---|---|\n", b.summary())
		for _, t := range b.tools {
			name := t.label()
			if t.name == "upkg" {
				name = "**upkg**"
			}
			fmt.Fprintf(w, "| %s |", name)
			for k := range kinds {
				m := median(t.times[k])
				if m == best[k] {
					fmt.Fprintf(w, " **%s** |", seconds(m))
				} else {
					fmt.Fprintf(w, " %s |", seconds(m))
				}
			}
			fmt.Fprintf(w, " %s |\n", t.rssColumn())
		}
		if len(b.baselines[0]) > 0 {
			fmt.Fprintf(w, "\n| %s: the same work done plainly, on %d goroutines, with no installer around it | median |\n|---|---|\n", b.name, baseWorkers)
			for k := range baseKinds {
				fmt.Fprintf(w, "| %s | %s |\n", b.baseWhat[k], seconds(median(b.baselines[k])))
			}
		}
	}
}

// count is n with noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
