package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"

	"github.com/upkg/upkg/internal/testharness/verdaccio"
)

type doctorCheck struct {
	Registry *string `json:"registry"`
	Check    string  `json:"check"`
	Status   string  `json:"status"`
	Detail   string  `json:"detail"`
	Fix      string  `json:"fix"`
}

func parseDoctor(t *testing.T, r result) []doctorCheck {
	t.Helper()
	var doc struct {
		Checks []doctorCheck `json:"checks"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, r)
	}
	return doc.Checks
}

// problems lists "registry check status" for every check that is not ok.
func problems(checks []doctorCheck, names map[string]string) []string {
	var out []string
	for _, c := range checks {
		if c.Status == "ok" {
			continue
		}
		reg := "-"
		if c.Registry != nil {
			reg = names[*c.Registry]
		}
		out = append(out, fmt.Sprintf("%s %s %s", reg, c.Check, c.Status))
	}
	sort.Strings(out)
	return out
}

// TestDoctorThreeRegistries: one registry is fine, one has a wrong token, one
// has an npmAuth key that differs only by a trailing path. doctor reports
// exactly those, with fixes, in text and JSON, and exits 1.
func TestDoctorThreeRegistries(t *testing.T) {
	srv := verdaccio.ForTest(t, verdaccio.Options{})
	token := newUser(t, srv, "dora", "dora-password-4321")
	publish(t, srv, token,
		pkg{"com.good.core", "1.0.0", "2021.3", nil},
		pkg{"com.wrong.core", "1.0.0", "2021.3", nil},
		pkg{"com.path.core", "2.0.0", "2021.3", nil},
	)
	good := newSpy(t, "127.0.0.1:0", srv.URL)
	wrong := newSpy(t, "127.0.0.1:0", srv.URL)
	path := newSpy(t, "127.0.0.1:0", srv.URL)
	names := map[string]string{good.URL: "good", wrong.URL: "wrong", path.URL: "path"}

	s := newSandbox(t)
	s.project(fmt.Sprintf(`{
  "dependencies": {"com.good.core": "1.0.0"},
  "scopedRegistries": [
    {"name": "Good", "url": %q, "scopes": ["com.good"]},
    {"name": "Wrong", "url": %q, "scopes": ["com.wrong"]},
    {"name": "Path", "url": %q, "scopes": ["com.path"]}
  ]
}
`, good.URL, wrong.URL, path.URL), "2022.3.20f1")
	s.login(good.URL, token)
	bad := "eyJ-not-a-valid-token-5555666677778888"
	secrets.add(bad)
	s.login(wrong.URL, bad)
	s.login(path.URL+"/npm/", token)

	// The default registry is the good one: the sandbox reaches nothing else.
	r := s.fails(1, "", "doctor", "--json", "--default-registry", good.URL)
	checks := parseDoctor(t, r)
	want := []string{
		"path auth fail",
		"path packument fail",
		"path whoami warn",
		"wrong packument fail",
		"wrong whoami fail",
	}
	if got := problems(checks, names); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), r.Stdout)
	}
	find := func(reg, check string) doctorCheck {
		for _, c := range checks {
			if c.Registry != nil && *c.Registry == reg && c.Check == check {
				return c
			}
		}
		t.Fatalf("no %s check for %s", check, reg)
		return doctorCheck{}
	}
	if c := find(good.URL, "whoami"); c.Detail != "logged in as dora" {
		t.Errorf("good whoami: %+v", c)
	}
	if c := find(good.URL, "packument"); !strings.Contains(c.Detail, "com.good.core") {
		t.Errorf("good packument: %+v", c)
	}
	if c := find(wrong.URL, "whoami"); !strings.Contains(c.Detail, "****8888") || !strings.Contains(c.Fix, "upkg login --registry "+wrong.URL) {
		t.Errorf("wrong whoami lacks the masked credential or the fix: %+v", c)
	}
	if c := find(path.URL, "auth"); !strings.Contains(c.Detail, "an entry exists for "+path.URL+"/npm/") ||
		!strings.Contains(c.Detail, "trailing path differs") || !strings.Contains(c.Fix, fmt.Sprintf("[npmAuth.%q]", path.URL)) {
		t.Errorf("path auth lacks the near miss or the fix: %+v", c)
	}

	// The text report says the same.
	r = s.fails(1, "", "doctor", "--default-registry", good.URL)
	for _, w := range []string{
		"Registry " + wrong.URL,
		"fail  whoami",
		"an entry exists for " + path.URL + "/npm/",
		"trailing path differs",
		"fix: rename the table to [npmAuth.",
		"logged in as dora",
		"4 failed, 1 warning.",
	} {
		if !strings.Contains(r.Stdout, w) {
			t.Errorf("text report lacks %q:\n%s", w, r.Stdout)
		}
	}

	// --registry checks only that one; the good one passes.
	r = s.ok("", "doctor", "--registry", good.URL, "--default-registry", good.URL)
	if strings.Contains(r.Stdout, wrong.URL) || !strings.Contains(r.Stdout, "No problems found.") {
		t.Errorf("doctor --registry good:\n%s", r.Stdout)
	}
}

// TestDoctorHangingRegistry: a registry that accepts connections and never
// answers is reported as a timeout, and doctor still finishes.
func TestDoctorHangingRegistry(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	reg := "http://" + l.Addr().String()
	s := newSandbox(t)
	r := s.fails(1, "", "doctor", "--json", "--registry", reg)
	var got []string
	for _, c := range parseDoctor(t, r) {
		if c.Status == "fail" {
			got = append(got, c.Check+": "+c.Detail)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "http: timed out") {
		t.Errorf("want one failed http check with a timeout, got %q\n%s", got, r)
	}
}
