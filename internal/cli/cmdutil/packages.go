package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/upkg/upkg/internal/registry"
	"github.com/upkg/upkg/internal/suggest"
)

// unknownPackage is the error for a package reg does not have (exit 4),
// with the closest names reg's search finds for the name's last dot-segment
// as the hint, or why there are none.
func unknownPackage(ctx context.Context, client *registry.Client, reg, name string, notFound error) error {
	err := fmt.Errorf("unknown package %s: %w", name, notFound)
	seg := name[strings.LastIndex(name, ".")+1:]
	res, note, serr := SearchWithFallback(ctx, client, reg, seg, 100)
	hint := ""
	switch {
	case serr != nil:
		hint = "check the name and the scopes in Packages/manifest.json"
	case res == nil:
		hint = note + ", so upkg cannot suggest similar names; check the name and the scopes in Packages/manifest.json"
	default:
		names := make([]string, 0, len(res))
		for _, r := range res {
			names = append(names, r.Name)
		}
		if close := suggest.Near(name, names, 3, 3); len(close) > 0 {
			hint = "did you mean " + strings.Join(close, ", ") + "?"
		} else {
			hint = fmt.Sprintf("registry %s has no package with a similar name; check the name and the scopes in Packages/manifest.json", reg)
		}
	}
	return WithCode(ExitNotFound, err, hint)
}

// SearchWithFallback asks reg's /-/v1/search, falling back to /-/all (CLI.md). A
// registry with neither is no error: results are nil and note says so. A
// registry that has only /-/all gives its results and a note saying that.
func SearchWithFallback(ctx context.Context, client *registry.Client, reg, text string, size int) (results []registry.SearchResult, note string, err error) {
	res, err := client.Search(ctx, reg, text, size)
	var su *registry.SearchUnsupportedError
	if !errors.As(err, &su) {
		return res, "", err
	}
	res, err = client.SearchAll(ctx, reg, text, size)
	var su2 *registry.SearchUnsupportedError
	switch {
	case errors.As(err, &su2):
		return nil, fmt.Sprintf("%v, %s", su, su2.Answer()), nil
	case err != nil:
		return nil, "", err
	}
	if res == nil {
		res = []registry.SearchResult{}
	}
	return res, fmt.Sprintf("%s; results from the fallback /-/all", su.Answer()), nil
}

// FetchPackument is client.Packument, with an unknown package reported by
// unknownPackage.
func FetchPackument(ctx context.Context, client *registry.Client, reg, name string) (*registry.Packument, error) {
	pk, err := client.Packument(ctx, reg, name)
	var nf *registry.NotFoundError
	if errors.As(err, &nf) {
		return nil, unknownPackage(ctx, client, reg, name, err)
	}
	return pk, err
}
