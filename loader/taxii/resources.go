package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Discovery is a TAXII 2.1 discovery resource (GET /taxii2/).
type Discovery struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Contact     string `json:"contact,omitempty"`
	// Default is the URL of the default API root, or "". Like APIRoots,
	// it is made absolute (resolved against the discovery URL) and ends
	// with "/".
	Default  string   `json:"default,omitempty"`
	APIRoots []string `json:"api_roots,omitempty"`
}

// APIRoot is a TAXII 2.1 API root resource.
type APIRoot struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// Collection is a TAXII 2.1 collection resource.
type Collection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types,omitempty"`

	// URL is the collection's URL, "<api root>collections/<id>/", set by
	// the Client (it is not part of the resource): the URL to give to
	// Objects, Load and NewPoller.
	URL string `json:"-"`
}

// getJSON GETs rawURL and decodes its body, which must be a JSON object,
// into v.
func (c *Client) getJSON(ctx context.Context, rawURL, what string, v any) error {
	resp, err := c.get(ctx, rawURL)
	if err != nil {
		return err
	}
	if err := decodeObject(resp.body, v); err != nil {
		return &urlError{Name: "taxii", URL: resp.url, Kind: ErrMalformed, Err: fmt.Errorf("malformed %s: %w", what, err)}
	}
	return nil
}

// decodeObject decodes body, a JSON object, into v.
func decodeObject(body []byte, v any) error {
	t := strings.TrimLeft(string(body[:min(len(body), 64)]), " \t\r\n")
	if t == "" || t[0] != '{' {
		return errors.New("not a JSON object")
	}
	if err := json.Unmarshal(body, v); err != nil {
		if d, at := nestingDepth(body, MaxJSONDepth); d > MaxJSONDepth {
			return fmt.Errorf("JSON nested deeper than %d levels (at byte %d)", MaxJSONDepth, at)
		}
		return err
	}
	return nil
}

// MaxJSONDepth is the deepest nesting of arrays and objects in a TAXII
// response: encoding/json's own limit. A response nested deeper is
// malformed (ErrMalformed), with a message that says so; the objects of
// an envelope are read by loader.ReadSTIX, whose own, lower limit
// (loader.Options.MaxJSONDepth) applies to each of them.
const MaxJSONDepth = 10000

// nestingDepth returns the depth of the nesting of arrays and objects in
// the JSON text b, up to max+1, and the offset where it passed max (or
// len(b)). Brackets in strings do not count.
func nestingDepth(b []byte, max int) (deepest, at int) {
	depth, inStr := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			if depth++; depth > deepest {
				deepest = depth
				if deepest > max {
					return deepest, i
				}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest, len(b)
}

// Discovery GETs the discovery resource at discoveryURL (usually
// "https://host/taxii2/").
func (c *Client) Discovery(ctx context.Context, discoveryURL string) (*Discovery, error) {
	var d Discovery
	if err := c.getJSON(ctx, discoveryURL, "discovery resource", &d); err != nil {
		return nil, err
	}
	base, err := url.Parse(discoveryURL)
	if err != nil {
		return nil, err
	}
	var bad []string
	fix := func(s string) string {
		u, err := base.Parse(strings.TrimSpace(s))
		if err != nil {
			bad = append(bad, s)
			return s
		}
		return dirURL(u)
	}
	if d.Default != "" {
		d.Default = fix(d.Default)
	}
	for i, r := range d.APIRoots {
		d.APIRoots[i] = fix(r)
	}
	if len(bad) > 0 {
		return nil, &urlError{Name: "taxii", URL: redact(discoveryURL), Kind: ErrMalformed,
			Err: fmt.Errorf("malformed discovery resource: bad API root URL %q", sanitize(bad[0], 200))}
	}
	return &d, nil
}

// APIRoot GETs the API root resource at apiRootURL.
func (c *Client) APIRoot(ctx context.Context, apiRootURL string) (*APIRoot, error) {
	var r APIRoot
	if err := c.getJSON(ctx, apiRootURL, "API root resource", &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Collections GETs the collections of the API root at apiRootURL
// ("<api root>collections/"), with their URLs set.
func (c *Client) Collections(ctx context.Context, apiRootURL string) ([]Collection, error) {
	root, err := url.Parse(apiRootURL)
	if err != nil {
		return nil, err
	}
	rootURL := dirURL(root)
	var r struct {
		Collections []Collection `json:"collections"`
	}
	if err := c.getJSON(ctx, rootURL+"collections/", "collections resource", &r); err != nil {
		return nil, err
	}
	for i := range r.Collections {
		r.Collections[i].URL = rootURL + "collections/" + url.PathEscape(r.Collections[i].ID) + "/"
	}
	return r.Collections, nil
}

// Collection GETs the collection resource at collectionURL
// ("<api root>collections/<id>/"; a URL ending in "objects/" names its
// collection too).
func (c *Client) Collection(ctx context.Context, collectionURL string) (*Collection, error) {
	u, err := url.Parse(collectionURL)
	if err != nil {
		return nil, err
	}
	colURL := collectionOf(u)
	var col Collection
	if err := c.getJSON(ctx, colURL, "collection resource", &col); err != nil {
		return nil, err
	}
	col.URL = colURL
	return &col, nil
}

// ResolveCollection finds a collection, for a command line's "-taxii URL
// -taxii-collection NAME":
//
//   - When rawURL is a collection's URL (its path has
//     "/collections/<id>/", possibly followed by "objects/"), its resource
//     is fetched; name, if not empty, must be its id, alias or title.
//   - Otherwise rawURL is a discovery URL (every API root it lists is
//     searched, the default first), an API root URL, or its
//     "collections/" URL; name is a collection's id, alias or title
//     (ignoring case). A name matching no collection, or more than one,
//     or no name, is an error listing the collections found.
func (c *Client) ResolveCollection(ctx context.Context, rawURL, name string) (*Collection, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("taxii: bad URL: %w", err)
	}
	if collectionPath(u.Path) {
		col, err := c.Collection(ctx, rawURL)
		if err != nil || name == "" || matches(col, name) {
			return col, err
		}
		return nil, fmt.Errorf("taxii: %s is the collection %s (%q), not %q", redact(rawURL), sanitize(col.ID, 80), sanitize(col.Title, 80), name)
	}
	roots := []string{dirURL(u)}
	if strings.HasSuffix(dirPath(u.Path), "/collections/") {
		v := *u
		v.Path = strings.TrimSuffix(dirPath(u.Path), "collections/")
		v.RawPath = ""
		roots = []string{v.String()}
	} else {
		// Discovery or API root? The discovery resource has api_roots.
		var probe map[string]json.RawMessage
		if err := c.getJSON(ctx, roots[0], "TAXII resource", &probe); err != nil {
			return nil, err
		}
		if _, ok := probe["api_roots"]; ok {
			d, err := c.Discovery(ctx, roots[0])
			if err != nil {
				return nil, err
			}
			roots = roots[:0]
			seen := map[string]bool{}
			for _, r := range append([]string{d.Default}, d.APIRoots...) {
				if r != "" && !seen[r] {
					seen[r] = true
					roots = append(roots, r)
				}
			}
			if len(roots) == 0 {
				return nil, fmt.Errorf("taxii: %s: the discovery resource lists no API root", redact(rawURL))
			}
		}
	}
	var all, found []Collection
	var errs []error
	for _, r := range roots {
		cols, err := c.Collections(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			errs = append(errs, err)
			continue
		}
		all = append(all, cols...)
		for _, col := range cols {
			if name != "" && matches(&col, name) {
				found = append(found, col)
			}
		}
	}
	switch {
	case len(found) == 1:
		return &found[0], nil
	case len(found) > 1:
		return nil, fmt.Errorf("taxii: %q names %d collections at %s, give its id: %s", name, len(found), redact(rawURL), list(found))
	case len(all) == 0 && len(errs) > 0:
		return nil, errors.Join(errs...)
	case name == "":
		return nil, fmt.Errorf("taxii: %s is not a collection URL: name a collection (id, alias or title); collections: %s", redact(rawURL), list(all))
	}
	err = fmt.Errorf("taxii: no collection %q at %s; collections: %s", name, redact(rawURL), list(all))
	if len(errs) > 0 {
		err = errors.Join(append([]error{err}, errs...)...)
	}
	return nil, err
}

// matches reports whether name is the id, alias or title of col,
// ignoring case.
func matches(col *Collection, name string) bool {
	return strings.EqualFold(col.ID, name) || col.Alias != "" && strings.EqualFold(col.Alias, name) ||
		strings.EqualFold(col.Title, name)
}

// list names the collections cols for an error message.
func list(cols []Collection) string {
	if len(cols) == 0 {
		return "none"
	}
	var b strings.Builder
	for i, col := range cols {
		if i == 20 {
			fmt.Fprintf(&b, ", and %d more", len(cols)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%q", sanitize(col.ID, 80), sanitize(col.Title, 80))
		if !col.CanRead {
			b.WriteString(", cannot read")
		}
		b.WriteString(")")
	}
	return b.String()
}

// collectionPath reports whether p is a collection's path or its objects'
// path: ".../collections/<id>/" or ".../collections/<id>/objects/".
func collectionPath(p string) bool {
	return isObjectsPath(p) || isCollectionPath(p)
}

// isCollectionPath reports whether p is ".../collections/<id>/".
func isCollectionPath(p string) bool {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	n := len(parts)
	return n >= 2 && parts[n-2] == "collections" && parts[n-1] != ""
}

// isObjectsPath reports whether p is ".../collections/<id>/objects/".
func isObjectsPath(p string) bool {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	n := len(parts)
	return n >= 3 && parts[n-1] == "objects" && parts[n-3] == "collections" && parts[n-2] != ""
}

// collectionOf returns the URL of the collection u names: u itself, or
// without its last element when it is the collection's objects URL; with
// no query, ending with "/".
func collectionOf(u *url.URL) string {
	if isObjectsPath(u.Path) {
		v := *u
		v.Path = strings.TrimSuffix(dirPath(u.Path), "objects/")
		v.RawPath = ""
		return dirURL(&v)
	}
	return dirURL(u)
}

// objectsOf returns the objects URL of the collection u names, keeping
// u's query: "<collection>/objects/".
func objectsOf(u *url.URL) *url.URL {
	v := *u
	v.Fragment, v.RawFragment = "", ""
	if v.RawPath != "" {
		v.RawPath = dirPath(v.RawPath)
	}
	v.Path = dirPath(v.Path)
	if !isObjectsPath(v.Path) {
		v.Path += "objects/"
		if v.RawPath != "" {
			v.RawPath += "objects/"
		}
	}
	return &v
}

// dirPath returns p ending with "/".
func dirPath(p string) string {
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// dirURL returns u without query and fragment, its path ending with "/".
func dirURL(u *url.URL) string {
	v := *u
	v.Path = dirPath(v.Path)
	if v.RawPath != "" {
		v.RawPath = dirPath(v.RawPath)
	}
	v.RawQuery, v.Fragment, v.RawFragment = "", "", ""
	return v.String()
}
