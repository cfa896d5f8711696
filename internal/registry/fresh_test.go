package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"
)

func TestMaxAgeOf(t *testing.T) {
	tests := []struct {
		header []string
		want   time.Duration
	}{
		{nil, -1},
		{[]string{"public"}, -1},
		{[]string{"public, max-age=300"}, 300 * time.Second},
		{[]string{"Max-Age=60"}, time.Minute},
		{[]string{`max-age="120"`}, 2 * time.Minute},
		{[]string{"max-age=300, no-cache"}, 0},
		{[]string{"no-store"}, 0},
		{[]string{"private", "max-age=5"}, 5 * time.Second},
		{[]string{"max-age=-1"}, 0},
		{[]string{"max-age=soon"}, 0},
		{[]string{"max-age=99999999999999"}, 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.header {
			h.Add("Cache-Control", v)
		}
		if got := maxAgeOf(h); got != tt.want {
			t.Errorf("maxAgeOf(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestCachedPackumentFreshness(t *testing.T) {
	var mu sync.Mutex
	cacheControl := "max-age=300"
	status := []int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			status = append(status, 304)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		status = append(status, 200)
		w.Write([]byte(`{"name": "com.example.a", "versions": {"1.0.0": {"name": "com.example.a", "version": "1.0.0", "dist": {"tarball": "http://127.0.0.1/a.tgz"}}}}`))
	}))
	defer srv.Close()
	c := &Client{CacheDir: t.TempDir()}
	ctx := context.Background()

	if c.CachedPackument(srv.URL, "com.example.a") != nil {
		t.Fatal("a cached packument before any request")
	}
	before := time.Now().Add(-time.Second)
	if _, err := c.Packument(ctx, srv.URL, "com.example.a"); err != nil {
		t.Fatal(err)
	}
	cp := c.CachedPackument(srv.URL, "com.example.a")
	if cp == nil || cp.Versions["1.0.0"] == nil {
		t.Fatalf("cached = %+v", cp)
	}
	if cp.MaxAge != 300*time.Second || cp.Checked.Before(before) {
		t.Fatalf("max-age %v, checked %v, want 5m0s and now", cp.MaxAge, cp.Checked)
	}
	if !cp.FreshFor(time.Now(), time.Minute) || cp.FreshFor(time.Now().Add(301*time.Second), time.Hour) {
		t.Error("the registry's max-age does not decide freshness")
	}

	// Long ago: stale. A 304 makes it fresh again, with the max-age the
	// registry now gives (none: the default decides).
	path := cachePath(c.CacheDir, srv.URL, "com.example.a")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if cp := c.CachedPackument(srv.URL, "com.example.a"); cp.FreshFor(time.Now(), 5*time.Minute) {
		t.Fatalf("checked %v: still fresh", cp.Checked)
	}
	mu.Lock()
	cacheControl = ""
	mu.Unlock()
	if _, err := c.Packument(ctx, srv.URL, "com.example.a"); err != nil {
		t.Fatal(err)
	}
	cp = c.CachedPackument(srv.URL, "com.example.a")
	if cp.MaxAge != -1 || !cp.FreshFor(time.Now(), 5*time.Minute) || cp.FreshFor(time.Now(), 0) {
		t.Fatalf("after a 304: max-age %v, checked %v", cp.MaxAge, cp.Checked)
	}
	// Packument itself always asks.
	mu.Lock()
	defer mu.Unlock()
	if len(status) != 2 || status[0] != 200 || status[1] != 304 {
		t.Errorf("statuses %v, want [200 304]", status)
	}
}

// FuzzMaxAgeOf: any Cache-Control header reads as "nothing said" (-1) or a
// duration from zero to a year.
func FuzzMaxAgeOf(f *testing.F) {
	for _, s := range []string{"", "max-age=300", "public, max-age=0", "no-cache", `max-age="5"`, "max-age=1e9", "MAX-AGE=-3, no-store", "max-age", "max-age==4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Cache-Control", v)
		got := maxAgeOf(h)
		if got != -1 && (got < 0 || got > 365*24*time.Hour) {
			t.Fatalf("maxAgeOf(%q) = %v", v, got)
		}
	})
}
