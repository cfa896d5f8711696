package registry

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzLoginAnswers: what a registry answers to the login requests (the web
// login start, doneUrl, couch answers, Retry-After, www-authenticate) never
// panics the parsers, a parsed login start holds two absolute http(s) URLs, a
// token read is one non-blank line, and the password never survives into an
// error message.
func FuzzLoginAnswers(f *testing.F) {
	for _, s := range []struct{ body, header string }{
		{`{"loginUrl":"https://r.example.com/login/1","doneUrl":"https://r.example.com/done?s=1"}`, "OTP"},
		{`{"token":"npm_abc"}`, "5"},
		{`{"error":"you must provide a one-time pass"}`, "Bearer realm=x, otp"},
		{`{"reason":"bad pw hunter2-secret"}`, "Wed, 21 Oct 2015 07:28:00 GMT"},
		{`{"token":"a\nb"}`, ""},
		{`<html>`, "-1"},
	} {
		f.Add([]byte(s.body), s.header)
	}
	const pw = "hunter2-secret"
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		if lu, du, err := ParseWebLoginStart(body); err == nil {
			for _, u := range []string{lu, du} {
				p, err := url.Parse(u)
				if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
					t.Fatalf("accepted %q", u)
				}
			}
		}
		if tok, err := tokenOf("http://r.example.com", "step", body, []string{pw}); err == nil {
			if strings.TrimSpace(tok) == "" || strings.ContainsAny(tok, "\r\n") {
				t.Fatalf("token %q accepted", tok)
			}
		} else if strings.Contains(err.Error(), pw) {
			t.Fatalf("password in error: %v", err)
		}
		if r := reason(body, []string{pw}); strings.Contains(r, pw) {
			t.Fatalf("password in reason: %q", r)
		}
		h := http.Header{}
		h.Set("WWW-Authenticate", header)
		_ = IsOTPChallenge(h, body)
		if d := pollWait(header, time.Now()); d < minPoll || d > maxPoll {
			t.Fatalf("pollWait(%q) = %v", header, d)
		}
		for _, status := range []int{400, 401, 403, 404, 500} {
			err := couchError("http://r.example.com", "step", &answer{status: status, header: h, data: body}, Credentials{Username: "u", Password: pw}, []string{pw})
			if err == nil || strings.Contains(err.Error(), pw) {
				t.Fatalf("couchError(%d) = %v", status, err)
			}
		}
	})
}
