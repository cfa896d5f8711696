package cache

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"reflect"
	"testing"
	"time"

	segjson "github.com/segmentio/encoding/json"

	"github.com/upkg/upkg/internal/extract"
)

// sampleFiles is a file list as a package's tarball gives it: nested
// folders, .meta files, an executable, a symbolic link, a non-ASCII name.
func sampleFiles(n int) []extract.File {
	files := []extract.File{
		{Path: "package.json", Size: 313, Mode: 0o644, Offset: 512},
		{Path: "Runtime", Mode: fs.ModeDir | 0o755},
		{Path: "Tools/build.sh", Size: 70, Mode: 0o755, Offset: 2048},
		{Path: "Tools/latest", Mode: fs.ModeSymlink | 0o777, Link: "build.sh"},
		{Path: "Documentation~/Übersicht.md", Size: 0, Mode: 0o644, Offset: 3072},
	}
	for i := range n {
		files = append(files, extract.File{Path: fmt.Sprintf("Runtime/Component%d.cs", i), Size: int64(100 + i), Mode: 0o644, Offset: int64(4096 + 1024*i)})
	}
	return files
}

// parseFileList decodes data, a JSON array of objects with the fields of
// extract.File, as parseMeta decodes a meta.json's file list; ok is false
// where parseMeta would leave it to segmentio's decoder.
func parseFileList(data []byte) (files []extract.File, ok bool) {
	p := jsonParser{s: string(data)}
	files, ok = p.files()
	return files, ok && p.atEnd()
}

// decodeBoth decodes data as load does (parseFileList, else segmentio's
// decoder) and with segmentio's decoder alone, and fails t unless both
// agree.
func decodeBoth(t testing.TB, data []byte) ([]extract.File, error) {
	t.Helper()
	got, fast := parseFileList(data)
	var gotErr error
	if !fast {
		got = nil
		gotErr = segjson.Unmarshal(data, &got)
	}
	var want []extract.File
	wantErr := segjson.Unmarshal(data, &want)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("%q: parseFileList error %v, segmentio's %v", data, gotErr, wantErr)
	}
	if gotErr == nil && !sameFiles(got, want) {
		t.Fatalf("%q:\nparseFileList %#v\nsegmentio     %#v", data, got, want)
	}
	return got, gotErr
}

// sameFiles compares two lists element by element (nil and empty alike).
func sameFiles(a, b []extract.File) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func TestFileList(t *testing.T) {
	encoded, err := json.Marshal(sampleFiles(3))
	if err != nil {
		t.Fatal(err)
	}
	indented, err := json.MarshalIndent(sampleFiles(3), " ", "\t")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		// fast: the list's own parser decodes it (no fallback).
		fast    bool
		wantErr bool
	}{
		{name: "as encodeMeta writes it", data: string(encoded), fast: true},
		{name: "with white space", data: string(indented), fast: true},
		{name: "empty", data: `[]`, fast: true},
		{name: "empty object", data: `[{}]`, fast: true},
		{name: "fields in another order", data: `[{"offset":9,"mode":420,"size":3,"path":"a"}]`, fast: true},
		{name: "a field twice", data: `[{"path":"a","path":"b"}]`, fast: true},
		{name: "escaped path", data: `[{"path":"a\"b\u00e9","size":1,"mode":420}]`},
		{name: "invalid UTF-8", data: "[{\"path\":\"a\xffb\",\"size\":1}]"},
		{name: "unknown field", data: `[{"path":"a","sha":"x"}]`},
		{name: "null", data: `null`},
		{name: "exponent", data: `[{"size":1e3}]`, wantErr: true},
		{name: "fraction", data: `[{"size":1.5}]`, wantErr: true},
		{name: "negative size", data: `[{"size":-1}]`},
		{name: "leading zero", data: `[{"size":012}]`, wantErr: true},
		{name: "mode too large", data: `[{"mode":4294967296}]`, wantErr: true},
		{name: "number as string", data: `[{"size":"12"}]`, wantErr: true},
		{name: "cut short", data: `[{"path":"a"`, wantErr: true},
		{name: "trailing comma", data: `[{"path":"a"},]`, wantErr: true},
		{name: "not a list", data: `{"path":"a"}`, wantErr: true},
		{name: "control character", data: "[{\"path\":\"a\tb\"}]", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fast := parseFileList([]byte(tt.data))
			if fast != tt.fast {
				t.Errorf("parsed by parseFileList: %v, want %v", fast, tt.fast)
			}
			_, err := decodeBoth(t, []byte(tt.data))
			if (err != nil) != tt.wantErr {
				t.Errorf("error %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

// TestMetaFilesRoundTrip: what encodeMeta writes, load's decoder reads back
// as it was, by the fast path.
func TestMetaFilesRoundTrip(t *testing.T) {
	m := Meta{Name: "com.example.a", Version: "1.0.0", Key: "sha512-00", Files: sampleFiles(50), Dirs: []string{"Runtime", "Tools"}}
	data, err := encodeMeta(&m)
	if err != nil {
		t.Fatal(err)
	}
	var got Meta
	if err := segjson.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("decoded %#v\nwant %#v", got, m)
	}
}

// decodeMetaBoth decodes data with parseMeta and with segmentio's
// decoder, and fails t if parseMeta decodes it otherwise.
func decodeMetaBoth(t testing.TB, data []byte) bool {
	t.Helper()
	var got, want Meta
	fast := parseMeta(data, &got)
	err := segjson.Unmarshal(data, &want)
	if fast && err != nil {
		t.Fatalf("%q: parseMeta decoded what segmentio refuses: %v", data, err)
	}
	if fast && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\nparseMeta %#v\nsegmentio %#v", data, got, want)
	}
	return fast
}

func TestParseMeta(t *testing.T) {
	m := Meta{
		Name: "com.example.a", Version: "1.0.0-pre.1", Key: "sha512-00", Integrity: "sha512-AA==", Shasum: "ab",
		TarballSize: 6157, TarballCRC32C: "6825a8f6", UnpackedSize: 26315, FileCount: 5, TarballOnly: true, Linkable: true,
		Added: time.Date(2026, 12, 4, 13, 38, 52, 0, time.UTC), Files: sampleFiles(0), Dirs: []string{"Runtime", "Tools"},
	}
	encoded, err := encodeMeta(&m)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		fast bool
	}{
		{name: "as encodeMeta writes it", data: string(encoded), fast: true},
		{name: "empty", data: `{}`, fast: true},
		{name: "no dirs", data: `{"key":"k","files":[],"dirs":[]}`, fast: true},
		{name: "unknown field", data: `{"key":"k","extra":1}`},
		{name: "escaped name", data: `{"name":"a\u0041"}`},
		{name: "bad time", data: `{"added":"yesterday"}`},
		{name: "null flag", data: `{"linkable":null}`},
		{name: "cut short", data: `{"key":"k"`},
		{name: "a list", data: `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if fast := decodeMetaBoth(t, []byte(tt.data)); fast != tt.fast {
				t.Errorf("parsed by parseMeta: %v, want %v", fast, tt.fast)
			}
		})
	}
	var got Meta
	if !parseMeta(encoded, &got) || !reflect.DeepEqual(got, m) {
		t.Errorf("parseMeta(encodeMeta(m)) = %#v\nwant %#v", got, m)
	}
}

func FuzzParseMeta(f *testing.F) {
	m := Meta{Name: "a", Version: "1.0.0", Key: "k", TarballSize: 1, Added: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Files: sampleFiles(1), Dirs: []string{"Runtime"}}
	encoded, err := encodeMeta(&m)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(encoded)
	f.Add([]byte(`{"tarballOnly":false,"linkable":true,"fileCount":0}`))
	f.Add([]byte(`{"added":"2026-01-02T03:04:05.5+01:00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeMetaBoth(t, data)
	})
}

func FuzzFileList(f *testing.F) {
	encoded, err := json.Marshal(sampleFiles(2))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(encoded)
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"path":"a\u0041","mode":2147484141}]`))
	f.Add([]byte(` [ { "size" : 0 , "link" : "x" } ] `))
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeBoth(t, data)
	})
}

// BenchmarkMeta decodes a meta.json of 200 files, as a warm install reads
// every entry's, with parseMeta and with segmentio's decoder alone.
func BenchmarkMeta(b *testing.B) {
	m := Meta{Name: "com.example.a", Version: "1.0.0", Key: "sha512-00", Added: time.Now().UTC().Truncate(time.Second), Files: sampleFiles(200), Dirs: []string{"Runtime"}}
	data, err := encodeMeta(&m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("parseMeta", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m Meta
			if !parseMeta(data, &m) {
				b.Fatal("not parsed")
			}
		}
	})
	b.Run("segmentio", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m Meta
			if err := segjson.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
