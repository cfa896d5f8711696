package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestDelayedPassesBodiesWhole: the latency proxy, pacing or not, hands on
// every byte of a response in order (its timing is not asserted).
func TestDelayedPassesBodiesWhole(t *testing.T) {
	body := bytes.Repeat([]byte("upkg-bench "), 30000) // 330 kB: many paced pieces
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(body)
	}))
	defer srv.Close()
	for _, rate := range []float64{0, 200e6} {
		u, err := delayed(srv.URL, 0, rate)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(u + "/com.example.a/-/com.example.a-1.0.0.tgz")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("rate %.0f: read %d of %d bytes, %v", rate, len(got), len(body), err)
		}
	}
}
