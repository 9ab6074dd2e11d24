package taxii

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Query selects the objects of a collection (the URL parameters of
// "GET <collection>/objects/"). The zero Query selects all of them.
type Query struct {
	// AddedAfter, when not zero, selects the objects added to the
	// collection after it (exclusive): added_after.
	AddedAfter time.Time

	// Limit, when positive, asks the server for at most this many objects
	// per page: limit. The server may return fewer (or ignore it).
	Limit int

	// Types selects objects of these STIX types ("indicator" …):
	// match[type].
	Types []string

	// IDs selects objects with these STIX ids: match[id].
	IDs []string

	// Versions selects versions: "last" (the server's default), "first",
	// "all", or timestamps: match[version].
	Versions []string

	// SpecVersions selects objects of these STIX versions ("2.1"):
	// match[spec_version].
	SpecVersions []string
}

// values sets the query's parameters in v.
func (q *Query) values(v url.Values) {
	if !q.AddedAfter.IsZero() {
		v.Set("added_after", FormatTime(q.AddedAfter))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	set := func(k string, vals []string) {
		if len(vals) > 0 {
			v.Set(k, strings.Join(vals, ","))
		}
	}
	set("match[type]", q.Types)
	set("match[id]", q.IDs)
	set("match[version]", q.Versions)
	set("match[spec_version]", q.SpecVersions)
}

// Page is one page of objects: the envelope of one response.
type Page struct {
	URL     string            // the URL requested, without password
	Objects []json.RawMessage // the objects, as sent
	More    bool              // the server has more objects
	Next    string            // the server's next token, or ""

	// DateAddedFirst and DateAddedLast are the times the first and the
	// last object of the page were added to the collection, from the
	// X-TAXII-Date-Added-First and X-TAXII-Date-Added-Last headers; zero
	// when the header is absent or not a timestamp.
	DateAddedFirst, DateAddedLast time.Time
}

// maxNext is the longest next token followed, in bytes.
const maxNext = 8 << 10

// envelope is a TAXII 2.1 envelope resource.
type envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

// parseEnvelope parses a response body as an envelope. An empty body is
// an empty envelope (204 No Content, or a lax server). A STIX bundle, as
// TAXII 2.0 servers send, is read as an envelope too: its objects.
func parseEnvelope(body []byte) (envelope, error) {
	var e envelope
	if len(bytes.TrimSpace(body)) == 0 {
		return e, nil
	}
	if err := decodeObject(body, &e); err != nil {
		return envelope{}, err
	}
	return e, nil
}

// Objects GETs the objects of the collection at collectionURL
// ("<api root>collections/<id>/", or its "objects/" URL, whose query
// parameters are kept under those of q) matching q, page by page, calling
// fn with each page in order. It stops at the first error, fn's
// included, and returns it.
//
// Paging follows the TAXII 2.1 rules: while a page says more=true, the
// next page is asked for with the same query and the page's next token;
// when the page has no next token, with added_after set to the page's
// X-TAXII-Date-Added-Last header (a page with more=true and neither is an
// error). Paging stops with an error (ErrNoProgress) when the server gives
// a next token it gave before, an X-TAXII-Date-Added-Last not after the
// previous added_after, or two empty pages in a row that say more=true;
// and after Options.MaxPages pages (ErrTooManyPages).
func (c *Client) Objects(ctx context.Context, collectionURL string, q Query, fn func(Page) error) error {
	u, err := url.Parse(collectionURL)
	if err != nil {
		return fmt.Errorf("taxii: bad collection URL: %w", err)
	}
	u = objectsOf(u)
	params := u.Query()
	q.values(params)
	red := redact(u.String())
	seen := map[[sha256.Size]byte]bool{} // next tokens given
	addedAfter := q.AddedAfter
	empty := 0
	for n := 1; ; n++ {
		if n > c.opts.MaxPages {
			return &urlError{Name: "taxii", URL: red, Kind: ErrTooManyPages,
				Err: fmt.Errorf("%w: the server still says more=true after %d pages (MaxPages)", ErrTooManyPages, c.opts.MaxPages)}
		}
		u.RawQuery = params.Encode()
		resp, err := c.get(ctx, u.String())
		if err != nil {
			return err
		}
		env, err := parseEnvelope(resp.body)
		if err != nil {
			return &urlError{Name: "taxii", URL: resp.url, Kind: ErrMalformed, Err: fmt.Errorf("malformed envelope: %w", err)}
		}
		p := Page{
			URL: resp.url, Objects: env.Objects, More: env.More, Next: env.Next,
			DateAddedFirst: headerTime(resp.header, "X-TAXII-Date-Added-First"),
			DateAddedLast:  headerTime(resp.header, "X-TAXII-Date-Added-Last"),
		}
		if err := fn(p); err != nil {
			return err
		}
		if !env.More {
			return nil
		}
		noProgress := func(format string, args ...any) error {
			return &urlError{Name: "taxii", URL: resp.url, Kind: ErrNoProgress,
				Err: fmt.Errorf("%w: "+format, append([]any{ErrNoProgress}, args...)...)}
		}
		if len(env.Objects) == 0 {
			if empty++; empty == 2 {
				return noProgress("two empty pages in a row say more=true")
			}
		} else {
			empty = 0
		}
		switch {
		case env.Next != "":
			if len(env.Next) > maxNext {
				return &urlError{Name: "taxii", URL: resp.url, Kind: ErrMalformed,
					Err: fmt.Errorf("malformed envelope: a next token of %d bytes (at most %d)", len(env.Next), maxNext)}
			}
			h := sha256.Sum256([]byte(env.Next))
			if seen[h] {
				return noProgress("the server gave the next token %q again", sanitize(env.Next, 100))
			}
			seen[h] = true
			params.Set("next", env.Next)
		case !p.DateAddedLast.IsZero():
			if !p.DateAddedLast.After(addedAfter) {
				return noProgress("X-TAXII-Date-Added-Last %s is not after added_after %s",
					FormatTime(p.DateAddedLast), FormatTime(addedAfter))
			}
			addedAfter = p.DateAddedLast
			params.Del("next")
			params.Set("added_after", FormatTime(addedAfter))
		default:
			return &urlError{Name: "taxii", URL: resp.url, Kind: ErrMalformed, Err: fmt.Errorf(
				"the envelope says more=true with no next token and no X-TAXII-Date-Added-Last header (%q): cannot ask for the next page",
				sanitize(resp.header.Get("X-TAXII-Date-Added-Last"), 60))}
		}
	}
}

// headerTime returns the timestamp in header h, or the zero time.
func headerTime(h http.Header, k string) time.Time {
	t, err := ParseTime(h.Get(k))
	if err != nil {
		return time.Time{}
	}
	return t
}

// ParseTime parses a TAXII timestamp ("2024-05-01T12:00:00.123Z", RFC
// 3339).
func ParseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
}

// FormatTime formats t as a TAXII timestamp, in UTC, with milliseconds,
// or microseconds or nanoseconds when t has them:
// "2024-05-01T12:00:00.123Z".
func FormatTime(t time.Time) string {
	t = t.UTC()
	switch ns := t.Nanosecond(); {
	case ns%1e6 == 0:
		return t.Format("2006-01-02T15:04:05.000Z")
	case ns%1e3 == 0:
		return t.Format("2006-01-02T15:04:05.000000Z")
	}
	return t.Format("2006-01-02T15:04:05.000000000Z")
}
