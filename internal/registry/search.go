package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/upkg/upkg/internal/regurl"
)

// SearchResult is one package of a search answer (npm's
// objects[].package).
type SearchResult struct {
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	Description string   `json:"description,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
	// Date is when that version was published, as the registry wrote it.
	Date string `json:"date,omitempty"`
}

// SearchUnsupportedError says that a registry does not offer
// /-/v1/search: it answered 404, 405 or 501, or something that is not a
// search answer. It is a note about the registry, not a failure of the
// request.
type SearchUnsupportedError struct {
	Registry string
	// URL is the search request's URL (redacted).
	URL string
	// Status is the HTTP status of the answer (200 when its body was not a
	// search answer).
	Status int
	// All is set when the request was SearchAll's (/-/all).
	All bool
}

func (e *SearchUnsupportedError) Error() string {
	return fmt.Sprintf("registry %s does not support search: %s", e.Registry, e.Answer())
}

// Answer says what the registry answered: "/-/v1/search answered 404 Not
// Found".
func (e *SearchUnsupportedError) Answer() string {
	path := "/-/v1/search"
	if e.All {
		path = "/-/all"
	}
	if e.Status == http.StatusOK {
		return path + " answered something that is not a search result"
	}
	return fmt.Sprintf("%s answered %d %s", path, e.Status, http.StatusText(e.Status))
}

// Search asks registry reg for at most size packages matching text
// (GET <reg>/-/v1/search?text=TEXT&size=N) with reg's credential. A
// registry without the endpoint is a *SearchUnsupportedError; 401/403 an
// *AuthError; with Offline, an *OfflineError (search results are not
// cached).
func (c *Client) Search(ctx context.Context, reg, text string, size int) ([]SearchResult, error) {
	q := url.Values{"text": {text}}
	if size > 0 {
		q.Set("size", strconv.Itoa(size))
	}
	u := endpoint(reg, "-/v1/search?"+q.Encode())
	body, err := c.searchGet(ctx, reg, u, false)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Objects *[]struct {
			Package SearchResult `json:"package"`
		} `json:"objects"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Objects == nil {
		return nil, &SearchUnsupportedError{Registry: reg, URL: regurl.Redact(u), Status: http.StatusOK}
	}
	out := make([]SearchResult, 0, len(*doc.Objects))
	for _, o := range *doc.Objects {
		if o.Package.Name != "" {
			out = append(out, o.Package)
		}
	}
	return out, nil
}

// PackumentURL is the URL of name's packument on registry reg.
func PackumentURL(reg, name string) string { return packumentURL(reg, name) }

// CredentialFor is the credential a request to u on behalf of registry reg
// carries (the zero Credential for none): what messages report as "which
// credential answered". Show it only through its String or Masked.
func (c *Client) CredentialFor(ctx context.Context, reg, u string) (Credential, error) {
	return c.credential(ctx, reg, u)
}

// SearchAll is the fallback of registries without /-/v1/search: it reads
// the legacy full index (GET <reg>/-/all) and returns, by name, at most size
// (0: all) of the packages whose name, description or keywords contain every
// word of text, case-insensitively. A registry without that endpoint either
// is a *SearchUnsupportedError, as for Search.
func (c *Client) SearchAll(ctx context.Context, reg, text string, size int) ([]SearchResult, error) {
	u := endpoint(reg, "-/all")
	body, err := c.searchGet(ctx, reg, u, true)
	if err != nil {
		return nil, err
	}
	var index map[string]json.RawMessage
	if json.Unmarshal(body, &index) != nil {
		return nil, &SearchUnsupportedError{Registry: reg, URL: regurl.Redact(u), Status: http.StatusOK, All: true}
	}
	words := strings.Fields(strings.ToLower(text))
	var out []SearchResult
	for _, key := range slices.Sorted(maps.Keys(index)) {
		var e struct {
			Name        string            `json:"name"`
			Description string            `json:"description"`
			Keywords    []string          `json:"keywords"`
			DistTags    map[string]string `json:"dist-tags"`
			Time        map[string]string `json:"time"`
		}
		if strings.HasPrefix(key, "_") || json.Unmarshal(index[key], &e) != nil || e.Name == "" {
			continue // "_updated", and entries that are not packages
		}
		hay := strings.ToLower(e.Name + " " + e.Description + " " + strings.Join(e.Keywords, " "))
		if !containsAll(hay, words) {
			continue
		}
		out = append(out, SearchResult{Name: e.Name, Version: e.DistTags["latest"], Description: e.Description, Keywords: e.Keywords, Date: e.Time["modified"]})
		if size > 0 && len(out) == size {
			break
		}
	}
	return out, nil
}

// searchGet GETs a search endpoint u of reg (all: /-/all) and returns the
// body of a 200 answer. 404, 405 and 501 are a *SearchUnsupportedError.
func (c *Client) searchGet(ctx context.Context, reg, u string, all bool) ([]byte, error) {
	if c.Offline {
		return nil, &OfflineError{Registry: reg, URL: regurl.Redact(u)}
	}
	resp, at, err := c.get(ctx, reg, u, "application/json", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return nil, &SearchUnsupportedError{Registry: reg, URL: regurl.Redact(u), Status: resp.StatusCode, All: all}
	default:
		return nil, c.statusError(reg, u, resp, at)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSON))
	if err != nil {
		return nil, fmt.Errorf("read the search answer of %s: %w", regurl.Redact(u), err)
	}
	return body, nil
}

// containsAll reports whether s contains every word.
func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
