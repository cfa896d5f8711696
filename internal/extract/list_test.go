package extract

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// List reports exactly what Extract writes, and refuses what it refuses.
func TestListMatchesExtract(t *testing.T) {
	tests := []struct {
		name string
		data func(t *testing.T) []byte
	}{
		{"unity package", func(t *testing.T) []byte { return unityTarball(t, 20) }},
		{"links, folders, executables", func(t *testing.T) []byte {
			return tgz(t, dir("package/Empty/"), file("package/a/b/c.cs", "c"), symlink("package/a/l", "b/c.cs"),
				ent{name: "package/run.sh", body: "#!/bin/sh\n", mode: 0o755})
		}},
		{"large file, streamed", func(t *testing.T) []byte {
			return tgz(t, file("package/big.bin", strings.Repeat("x", bufferMax+1)), file("package/small", "s"))
		}},
		{"unsafe", func(t *testing.T) []byte { return tgz(t, file("package/a", "x"), file("package/../x", "x")) }},
		{"not gzip", func(t *testing.T) []byte { return []byte("plain text") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			want, werr := Extract(context.Background(), bytes.NewReader(data), filepath.Join(t.TempDir(), "dest"), Limits{})
			got, gerr := List(context.Background(), bytes.NewReader(data), Limits{})
			if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
				t.Fatalf("List error %v, Extract error %v", gerr, werr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("List = %+v\nExtract = %+v", got, want)
			}
		})
	}
}

func TestInterleave(t *testing.T) {
	tests := []struct {
		name string
		dirs []string // the folder of each job, in archive order
		want []int    // the order the jobs are handed out
	}{
		{"empty", nil, nil},
		{"one folder keeps its order", []string{"a", "a", "a"}, []int{0, 1, 2}},
		{"two folders alternate", []string{"a", "a", "a", "b", "b"}, []int{0, 3, 1, 4, 2}},
		{"first seen first", []string{"b", "", "b", "a", ""}, []int{0, 1, 3, 2, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var jobs []pending
			var ran []int
			for i, d := range tt.dirs {
				jobs = append(jobs, pending{dir: d, job: func() error { ran = append(ran, i); return nil }})
			}
			for _, p := range interleave(jobs) {
				p.job()
			}
			if !reflect.DeepEqual(ran, tt.want) {
				t.Errorf("order %v, want %v", ran, tt.want)
			}
		})
	}
}

// A shared gate bounds the writers and is left empty; a cancelled context
// stops writers waiting for it, and nothing is left behind.
func TestExtractWithGate(t *testing.T) {
	data := unityTarball(t, 30)
	gate := make(chan struct{}, 1)
	dest := filepath.Join(t.TempDir(), "dest")
	res, err := ExtractWith(context.Background(), bytes.NewReader(data), dest, Limits{}, Options{Writers: 8, Gate: gate})
	if err != nil {
		t.Fatal(err)
	}
	if res.FileCount != 66 || len(gate) != 0 {
		t.Errorf("%d files, %d gate slots still held", res.FileCount, len(gate))
	}

	gate <- struct{}{} // full: no writer can start
	ctx, cancel := context.WithCancel(context.Background())
	parent := t.TempDir()
	done := make(chan error, 1)
	go func() {
		_, err := ExtractWith(ctx, bytes.NewReader(data), filepath.Join(parent, "dest"), Limits{}, Options{Writers: 4, Gate: gate})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("ExtractWith with a full gate, cancelled = %v, want context.Canceled", err)
	}
	checkConfined(t, parent, filepath.Join(parent, "dest"), false)
}
