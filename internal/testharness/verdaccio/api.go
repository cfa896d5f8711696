package verdaccio

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HTTPError is returned (possibly wrapped) when the registry answers a harness
// request with an unexpected status.
type HTTPError struct {
	Method     string
	URL        string
	StatusCode int
	Body       string // the start of the response body
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.URL, e.StatusCode, e.Body)
}

// AddUser creates a user over the couch API (PUT /-/user/org.couchdb.user:NAME)
// and returns the token Verdaccio issued for it. Adding a user that exists
// fails with an *HTTPError: StatusCode 409 when password is that user's
// password, 401 when it is not.
func (s *Server) AddUser(ctx context.Context, name, password string) (string, error) {
	body := map[string]any{
		"_id":      "org.couchdb.user:" + name,
		"name":     name,
		"password": password,
		"email":    name + "@example.com",
		"type":     "user",
		"roles":    []string{},
		"date":     time.Now().UTC().Format(time.RFC3339),
	}
	var out struct {
		Token string `json:"token"`
	}
	target := s.URL + "/-/user/org.couchdb.user:" + url.PathEscape(name)
	if err := s.doJSON(ctx, http.MethodPut, target, "", body, http.StatusCreated, &out); err != nil {
		return "", fmt.Errorf("add user %q: %w", name, err)
	}
	if out.Token == "" {
		return "", fmt.Errorf("add user %q: registry answered without a token", name)
	}
	return out.Token, nil
}

// Publish publishes one version the way `npm publish` does, without the npm
// client: PUT /<name> with a packument whose versions[v] is pkgJSON plus dist
// (tarball URL, sha1 shasum, sha512 integrity), dist-tags.latest = v and the
// tarball base64-encoded in _attachments, authenticated with token.
// pkgJSON must have string fields name and version; it is not modified.
func (s *Server) Publish(ctx context.Context, token string, pkgJSON map[string]any, tarball []byte) error {
	name, _ := pkgJSON["name"].(string)
	version, _ := pkgJSON["version"].(string)
	if name == "" || version == "" {
		return fmt.Errorf("publish: package.json needs string fields name and version (got %v, %v)", pkgJSON["name"], pkgJSON["version"])
	}
	sha1Sum := sha1.Sum(tarball)
	sha512Sum := sha512.Sum512(tarball)
	// The same names libnpmpublish uses: for a scoped package the attachment
	// key and the file name keep the scope.
	tarballName := name + "-" + version + ".tgz"
	tarballURL := s.URL + "/" + name + "/-/" + tarballName
	if i := strings.LastIndex(name, "/"); i >= 0 {
		tarballURL = s.URL + "/" + name + "/-/" + name[i+1:] + "-" + version + ".tgz"
	}

	manifest := make(map[string]any, len(pkgJSON)+2)
	for k, v := range pkgJSON {
		manifest[k] = v
	}
	manifest["_id"] = name + "@" + version
	manifest["dist"] = map[string]any{
		"tarball":   tarballURL,
		"shasum":    hex.EncodeToString(sha1Sum[:]),
		"integrity": "sha512-" + base64.StdEncoding.EncodeToString(sha512Sum[:]),
	}
	packument := map[string]any{
		"_id":         name,
		"name":        name,
		"description": pkgJSON["description"],
		"dist-tags":   map[string]string{"latest": version},
		"versions":    map[string]any{version: manifest},
		"readme":      "",
		"_attachments": map[string]any{
			tarballName: map[string]any{
				"content_type": "application/octet-stream",
				"data":         base64.StdEncoding.EncodeToString(tarball),
				"length":       len(tarball),
			},
		},
	}
	target := s.URL + "/" + escapeName(name)
	if err := s.doJSON(ctx, http.MethodPut, target, token, packument, http.StatusCreated, nil); err != nil {
		return fmt.Errorf("publish %s@%s: %w", name, version, err)
	}
	return nil
}

// escapeName encodes a package name for a registry path: "@scope/name" becomes
// "@scope%2fname" as npm sends it.
func escapeName(name string) string {
	return strings.Replace(url.PathEscape(name), "%40", "@", 1)
}

// doJSON sends body as JSON and decodes a response with status want into out
// (when out is not nil). token, when set, goes in a Bearer Authorization header.
func (s *Server) doJSON(ctx context.Context, method, target, token string, body any, want int, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode request body: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read response: %w", method, target, err)
	}
	if resp.StatusCode != want {
		snippet := string(respBody)
		if len(snippet) > 512 {
			snippet = snippet[:512] + "..."
		}
		return &HTTPError{Method: method, URL: target, StatusCode: resp.StatusCode, Body: snippet}
	}
	if out != nil {
		if err := json.Unmarshal(respBody, out); err != nil {
			return fmt.Errorf("%s %s: decode response: %w", method, target, err)
		}
	}
	return nil
}
