package builtin

import "testing"

// BenchmarkForEditor is what every install (not the no-op) pays before it
// resolves: decoding the embedded tables of the editor's line and of its two
// neighbours. encoding/json took 1.7 ms and 1.1 MB here; segmentio's
// decoder and jsonorder 0.5 ms and 0.4 MB (issue 14).
func BenchmarkForEditor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := forEditor(dataFS, "2022.3.20f1"); err != nil {
			b.Fatal(err)
		}
	}
}
