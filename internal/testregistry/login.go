package testregistry

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// LoginOptions configure the login endpoints, which answer without a
// credential (as real registries do) even when the rest of the registry
// requires one.
type LoginOptions struct {
	// Users are the existing accounts, name to password. A couch login PUT
	// for another name creates that account (201 and a new token); for an
	// existing one with the right password it answers 409 (Verdaccio's
	// answer, which starts npm's GET ?write=true / PUT -rev flow), with a
	// wrong one 401. The Basic pair of every account is also accepted as a
	// credential by the rest of the registry.
	Users map[string]string
	// Web enables the web login: POST /-/v1/login gives loginUrl and doneUrl;
	// doneUrl answers 202 with Retry-After: WebRetryAfter, WebPending times,
	// then 200 {token} (a token for Options.User). Without Web, POST
	// /-/v1/login answers 404, as Verdaccio does.
	Web bool
	// WebPending is how many 202 answers doneUrl gives before the token; a
	// negative value never gives it.
	WebPending int
	// WebRetryAfter is the Retry-After of each 202 ("" sends none).
	WebRetryAfter string
	// WebLoginStatus, when not 0, is the status POST /-/v1/login answers
	// (e.g. 500), with Web or not.
	WebLoginStatus int
	// OTP, when set, is the one-time password every couch login request
	// needs: without a matching npm-otp header it answers 401 with
	// "WWW-Authenticate: OTP".
	OTP string
	// NoRevoke makes DELETE /-/user/token/<token> answer 404.
	NoRevoke bool
}

// userRev is the _rev of every user document: the -rev PUT must name it.
const userRev = "1-5ee7"

// loginState is the registry's login bookkeeping, guarded by Registry.mu.
type loginState struct {
	opts     LoginOptions
	users    map[string]string
	issued   map[string]string // token → user name
	revoked  []string
	sessions map[string]int // doneUrl session → 202 answers given
	next     int
}

func (l *loginState) init(opts LoginOptions) {
	l.opts = opts
	l.users = map[string]string{}
	for k, v := range opts.Users {
		l.users[k] = v
	}
	l.issued = map[string]string{}
	l.sessions = map[string]int{}
}

// issue makes a new token for user (mu held).
func (l *loginState) issue(user string) string {
	l.next++
	tok := fmt.Sprintf("npm_test%04d%s", l.next, strings.Repeat("x", 24))
	l.issued[tok] = user
	return tok
}

// Issued returns the tokens the login endpoints handed out and that are not
// revoked, with their user names.
func (r *Registry) Issued() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for k, v := range r.login.issued {
		out[k] = v
	}
	return out
}

// Revoked returns the tokens revoked with DELETE /-/user/token/<token>.
func (r *Registry) Revoked() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.login.revoked...)
}

// Users returns the accounts, name to password, including those created by
// a couch login.
func (r *Registry) Users() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for k, v := range r.login.users {
		out[k] = v
	}
	return out
}

// loginAuthorize accepts issued tokens and the Basic pair of an account.
func (r *Registry) loginAuthorize(h string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		if u, ok := r.login.issued[tok]; ok {
			return u, true
		}
	}
	if user, pw, ok := basicPair(h); ok {
		if want, ok := r.login.users[user]; ok && want == pw {
			return user, true
		}
	}
	return "", false
}

// basicPair decodes "Basic base64(user:password)".
func basicPair(h string) (string, string, bool) {
	b64, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}

// serveLogin answers the login endpoints; it reports whether path was one.
func (r *Registry) serveLogin(w http.ResponseWriter, req *http.Request, path string) bool {
	lo := r.login.opts
	switch {
	case path == "/-/v1/login" && req.Method == http.MethodPost:
		if lo.WebLoginStatus != 0 {
			writeJSON(w, lo.WebLoginStatus, map[string]string{"error": "web login: injected " + http.StatusText(lo.WebLoginStatus)})
			return true
		}
		if !lo.Web {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return true
		}
		r.mu.Lock()
		r.login.next++
		id := fmt.Sprintf("s%d", r.login.next)
		r.login.sessions[id] = 0
		r.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{
			"loginUrl": r.URL + "/-/web/login/" + id,
			"doneUrl":  r.URL + "/-/v1/done?sessionId=" + id,
		})
		return true

	case path == "/-/v1/done" && req.Method == http.MethodGet:
		id := req.URL.Query().Get("sessionId")
		r.mu.Lock()
		n, ok := r.login.sessions[id]
		if !ok {
			r.mu.Unlock()
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such login session"})
			return true
		}
		if lo.WebPending < 0 || n < lo.WebPending {
			r.login.sessions[id] = n + 1
			r.mu.Unlock()
			if lo.WebRetryAfter != "" {
				w.Header().Set("Retry-After", lo.WebRetryAfter)
			}
			writeJSON(w, http.StatusAccepted, map[string]any{})
			return true
		}
		delete(r.login.sessions, id)
		tok := r.login.issue(r.opts.User)
		r.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"token": tok})
		return true

	case strings.HasPrefix(path, "/-/user/org.couchdb.user:"):
		r.serveCouch(w, req, strings.TrimPrefix(path, "/-/user/org.couchdb.user:"))
		return true

	case strings.HasPrefix(path, "/-/user/token/") && req.Method == http.MethodDelete:
		if lo.NoRevoke {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return true
		}
		tok, err := url.PathUnescape(strings.TrimPrefix(path, "/-/user/token/"))
		if err != nil || req.Header.Get("Authorization") != Bearer(tok) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "revoke your own token"})
			return true
		}
		r.mu.Lock()
		_, known := r.login.issued[tok]
		if known {
			delete(r.login.issued, tok)
			r.login.revoked = append(r.login.revoked, tok)
		}
		r.mu.Unlock()
		if !known {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unknown token"})
			return true
		}
		writeJSON(w, http.StatusOK, map[string]string{"ok": "Logged out"})
		return true
	}
	return false
}

// serveCouch is the CouchDB user API: PUT to create or log in (409 for an
// existing user), GET ?write=true and PUT /-rev/<rev> with Basic auth.
func (r *Registry) serveCouch(w http.ResponseWriter, req *http.Request, rest string) {
	lo := r.login.opts
	if lo.OTP != "" && req.Header.Get("npm-otp") != lo.OTP {
		w.Header().Set("WWW-Authenticate", "OTP")
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "this operation requires a one-time password"})
		return
	}
	name, rev, hasRev := strings.Cut(rest, "/-rev/")
	var err error
	if name, err = url.PathUnescape(name); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad user name"})
		return
	}
	switch {
	case req.Method == http.MethodGet:
		user, pw, ok := basicPair(req.Header.Get("Authorization"))
		r.mu.Lock()
		want, exists := r.login.users[name]
		r.mu.Unlock()
		if !ok || user != name || !exists || want != pw {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "name or password is incorrect"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"_id": "org.couchdb.user:" + name, "_rev": userRev, "name": name,
			"type": "user", "roles": []string{"team"}, "email": name + "@example.com",
		})
	case req.Method == http.MethodPut:
		var body struct {
			ID       string `json:"_id"`
			Name     string `json:"name"`
			Password string `json:"password"`
			Type     string `json:"type"`
			Rev      string `json:"_rev"`
		}
		data, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err := json.Unmarshal(data, &body); err != nil || body.Name != name || body.ID != "org.couchdb.user:"+name || body.Type != "user" || body.Password == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad user document"})
			return
		}
		// Decide under the lock, answer after it: the status writer takes
		// the lock to record the status.
		status, answer := r.couchPut(name, rev, hasRev, body.Password, body.Rev, req.Header.Get("Authorization"))
		writeJSON(w, status, answer)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	}
}

// couchPut decides the answer to a couch PUT.
func (r *Registry) couchPut(name, rev string, hasRev bool, password, bodyRev, authz string) (int, map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	want, exists := r.login.users[name]
	switch {
	case hasRev:
		user, pw, ok := basicPair(authz)
		if !ok || user != name || !exists || want != pw || password != pw {
			return http.StatusUnauthorized, map[string]string{"error": "name or password is incorrect"}
		}
		if rev != userRev || bodyRev != userRev {
			return http.StatusConflict, map[string]string{"error": "document update conflict (rev " + strconv.Quote(rev) + ")"}
		}
		return http.StatusCreated, map[string]string{"ok": "you are authenticated as '" + name + "'", "token": r.login.issue(name)}
	case !exists:
		r.login.users[name] = password
		return http.StatusCreated, map[string]string{"ok": "user '" + name + "' created", "token": r.login.issue(name)}
	case want == password:
		return http.StatusConflict, map[string]string{"error": "username is already registered"}
	}
	return http.StatusUnauthorized, map[string]string{"error": "unauthorized access"}
}
