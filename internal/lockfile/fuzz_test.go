package lockfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzLockRoundTrip: whatever Parse accepts, Marshal writes so that Parse
// reads back the same lock (in Less order), and Marshal is a fixed point.
// Rejections are *ParseError values with a position.
func FuzzLockRoundTrip(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	unityFiles, _ := filepath.Glob("testdata/real/*.json")
	for _, path := range append(files, unityFiles...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"dependencies": {}}`))
	f.Add([]byte("\xEF\xBB\xBF{\r\n\"dependencies\":{\"b.b\":{\"version\":\"\\u0001\\ud800\",\"depth\":0,\"source\":\"git\"},\"a\":{\"version\":\"x\",\"depth\":1,\"source\":\"builtin\",\"url\":\"u\",\"dependencies\":{\"z\":\"1\",\"y\":\"\"}}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("fuzz.json", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Column < 1 || pe.Msg == "" {
				t.Fatalf("bad error %T %v", err, err)
			}
			return
		}
		out := Marshal(l)
		back, err := Parse("marshalled.json", out)
		if err != nil {
			t.Fatalf("Parse(Marshal(l)): %v\n%s", err, out)
		}
		if diff := cmp.Diff(sorted(l), back); diff != "" {
			t.Fatalf("Parse(Marshal(l)) != l (-want +got):\n%s", diff)
		}
		if again := Marshal(back); !bytes.Equal(out, again) {
			t.Fatalf("Marshal is not a fixed point:\n%s\n---\n%s", out, again)
		}
	})
}
