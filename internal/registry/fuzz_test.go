package registry

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzDecodePackument: DecodePackument never panics, and what it returns
// holds together: every version is present, keyed by its own version, and
// dependency names are unique.
func FuzzDecodePackument(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "packuments", "*.json"))
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		`{}`,
		`{"name":"a","versions":{"1.0.0":{"dependencies":{"b":"1.0.0","a":"2.0.0","b":"3.0.0"}}}}`,
		`{"versions":{"1.0.0":{"dependencies":{"b":{"x":1}}}}}`,
		`{"versions":{"1.0.0":{"deprecated":false,"dist":[]}},"time":{"modified":7}}`,
		`{"versions":{"":{"version":""}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePackument(data)
		if err != nil {
			if p != nil {
				t.Fatal("a packument and an error")
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		// The result is the same however the input changes afterwards: it
		// keeps no slice of data (the raw documents are decoded in place).
		scribbled := append([]byte(nil), data...)
		again, err := DecodePackument(scribbled)
		if err != nil {
			t.Fatalf("a second decode failed: %v", err)
		}
		for i := range scribbled {
			scribbled[i] = '#'
		}
		if !reflect.DeepEqual(again, p) {
			t.Fatalf("decoding %q again, then writing over the input: %+v, want %+v", data, again, p)
		}
		for key, v := range p.Versions {
			if v == nil {
				t.Fatalf("version %q is nil", key)
			}
			if v.Version != key && !(key == "" && v.Version == "") {
				t.Fatalf("version %q says %q", key, v.Version)
			}
			if _, bad := p.Invalid[key]; bad {
				t.Fatalf("version %q is both valid and invalid", key)
			}
			seen := map[string]bool{}
			for _, d := range v.Dependencies {
				if seen[d.Name] {
					t.Fatalf("version %q lists %q twice", key, d.Name)
				}
				seen[d.Name] = true
			}
		}
	})
}
