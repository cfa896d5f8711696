package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

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
}

func (e *SearchUnsupportedError) Error() string {
	if e.Status == http.StatusOK {
		return fmt.Sprintf("registry %s does not support search: /-/v1/search answered something that is not a search result", e.Registry)
	}
	return fmt.Sprintf("registry %s does not support search: /-/v1/search answered %d %s", e.Registry, e.Status, http.StatusText(e.Status))
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
		return nil, &SearchUnsupportedError{Registry: reg, URL: regurl.Redact(u), Status: resp.StatusCode}
	default:
		return nil, c.statusError(reg, u, resp, at)
	}
	var doc struct {
		Objects *[]struct {
			Package SearchResult `json:"package"`
		} `json:"objects"`
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSON))
	if err != nil {
		return nil, fmt.Errorf("read the search answer of %s: %w", regurl.Redact(u), err)
	}
	if json.Unmarshal(body, &doc) != nil || doc.Objects == nil {
		return nil, &SearchUnsupportedError{Registry: reg, URL: regurl.Redact(u), Status: resp.StatusCode}
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
