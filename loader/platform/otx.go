package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
)

// Defaults of the OTXOptions, used when the corresponding field is zero.
const (
	// DefaultOTXBaseURL is the OTX API's base URL (AlienVault OTX, now
	// LevelBlue).
	DefaultOTXBaseURL = "https://otx.alienvault.com"
	// DefaultOTXLimit is the number of pulses asked for per page of
	// /api/v1/pulses/subscribed (the API's limit parameter): 50 pulses,
	// each with all its indicators, make pages of a few hundred KiB to a
	// few MiB, well under fetch's 64 MiB MaxResponseSize.
	DefaultOTXLimit = 50
	// DefaultOTXIndicatorsLimit is the page size of the
	// /api/v1/pulses/{id}/indicators pages read for a pulse whose
	// indicators the subscribed page does not hold whole
	// ("more_indicators": true).
	DefaultOTXIndicatorsLimit = 500
	// DefaultOTXFullInterval is how often an OTXPoller reads all the
	// subscribed pulses again (see OTXOptions.FullInterval).
	DefaultOTXFullInterval = 24 * time.Hour
	// DefaultOTXMaxPages is the most pages of one poll (pulses and extra
	// indicator pages together): 2000 pages of 50 pulses is 100,000
	// pulses.
	DefaultOTXMaxPages = 2000
	// DefaultOTXMaxBytes is the most bytes of pages of one poll: 512 MiB.
	DefaultOTXMaxBytes = 512 << 20
)

// OTXKeyHeader is the header of the OTX API key.
const OTXKeyHeader = "X-OTX-API-KEY"

// OTXSubscribedPath is the path, under the base URL, of the pulses the
// key's account subscribes to (its own, and those of the users and
// groups it follows).
const OTXSubscribedPath = "/api/v1/pulses/subscribed"

// ErrNextOtherHost is the error kind (errors.Is) of a page whose "next"
// link leaves the API's scheme and host: it is not followed, as the API
// key would go with it or the load would silently be cut.
var ErrNextOtherHost = errors.New("next page on another host")

// OTXOptions configure an OTX client.
//
// OTX's rate limits are not published as a fixed quota: the API answers
// 429 Too Many Requests to a key that sends too many requests (reported
// figures are of the order of 10,000 requests an hour, far above what a
// poll every few minutes needs). fetch retries a 429, honouring its
// Retry-After (see fetch.Options.MaxRetryWait); a poll's requests are
// sent one after the other, never in parallel.
type OTXOptions struct {
	// Key is the OTX API key (the "OTX Key" of the account's API
	// settings page), sent in the X-OTX-API-KEY header to the base URL's
	// host only. Required.
	Key string

	// BaseURL is the API's base URL, without /api/v1 (a trailing /api/v1
	// is dropped); empty means DefaultOTXBaseURL. A path (a proxy's
	// prefix) is kept.
	BaseURL string

	// Limit is the number of pulses per page; zero means DefaultOTXLimit.
	Limit int

	// Since, when not zero, is the modified_since of an OTXPoller's first
	// poll, and of its full polls: only the pulses modified since then are
	// read. Zero: every subscribed pulse.
	Since time.Time

	// FullInterval is how often an OTXPoller reads the whole subscribed
	// set again instead of only the pulses modified since its previous
	// poll: a pulse deleted on OTX or of a user unsubscribed from is not
	// in the incremental answers, and the pulses of a newly followed user
	// are, by their modified time, older than the cursor. Zero means
	// DefaultOTXFullInterval, a negative value never (only the first poll
	// is full).
	FullInterval time.Duration

	// MaxPages and MaxBytes bound one poll (fetch.Pager): more pages, or
	// more bytes of pages, fail the poll (ErrTooManyPages,
	// ErrLoadTooLarge). Zero means DefaultOTXMaxPages, DefaultOTXMaxBytes.
	MaxPages int
	MaxBytes int64

	// HTTP are the options of the HTTP layer (timeouts, size cap,
	// retries, TLS, test hooks). Its Name defaults to "otx"; the key
	// header is added to its Header; Hints for 401 and 403 default to
	// advice about the key. Its CredentialHosts should stay empty: the key
	// goes to the base URL's host only.
	HTTP fetch.Options
}

// OTX is a client of the OTX API's subscribed pulses. It is safe for
// concurrent use.
type OTX struct {
	fc   *fetch.Client
	opts OTXOptions
	base *url.URL
	now  func() time.Time
	read func(body []byte, name string, f loader.Format, opts loader.Options) (loader.Result, error) // readBody; replaced by tests
}

// NewOTX returns an OTX client. It fails without a key, with a base URL
// that is not http or https, or with bad HTTP options.
func NewOTX(opts OTXOptions) (*OTX, error) {
	if strings.TrimSpace(opts.Key) == "" {
		return nil, errors.New("otx: no API key (OTXOptions.Key)")
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultOTXBaseURL
	}
	base, err := parseBase("otx", opts.BaseURL, DefaultOTXBaseURL)
	if err != nil {
		return nil, err
	}
	base.Path = strings.TrimSuffix(base.Path, "/api/v1") // given with it: the path is added
	switch {
	case opts.Limit < 0:
		return nil, errors.New("otx: negative Limit")
	case opts.Limit == 0:
		opts.Limit = DefaultOTXLimit
	}
	if opts.FullInterval == 0 {
		opts.FullInterval = DefaultOTXFullInterval
	}
	if opts.MaxPages <= 0 {
		opts.MaxPages = DefaultOTXMaxPages
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultOTXMaxBytes
	}
	fc, now, err := keyClient(opts.HTTP, "otx", OTXKeyHeader, opts.Key, map[int]string{
		http.StatusUnauthorized: "missing or bad OTX API key: check the key (X-OTX-API-KEY)",
		http.StatusForbidden:    "the OTX API key was refused: check the key (X-OTX-API-KEY)",
		http.StatusNotFound:     "no such OTX API path: is the base URL that of OTX (" + DefaultOTXBaseURL + ")?",
	})
	if err != nil {
		return nil, err
	}
	return &OTX{fc: fc, opts: opts, base: base, now: now, read: readBody}, nil
}

// SubscribedURL returns the URL of the first page of the subscribed
// pulses modified since since (zero: all).
func (c *OTX) SubscribedURL(since time.Time) string {
	u := *c.base
	u.Path += OTXSubscribedPath
	q := url.Values{}
	q.Set("limit", strconv.Itoa(c.opts.Limit))
	q.Set("page", "1")
	if !since.IsZero() {
		q.Set("modified_since", FormatOTXTime(since))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// FormatOTXTime formats t as OTX writes its times and reads
// modified_since: ISO 8601 in UTC without a zone, to the microsecond
// ("2023-08-09T05:05:14.946000").
func FormatOTXTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000")
}

// ParseOTXTime parses a time as OTX writes them: ISO 8601 without a zone
// (UTC), with or without fractional seconds, or RFC 3339.
func ParseOTXTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not an OTX time (2006-01-02T15:04:05[.ffffff], or RFC 3339): %q", fetch.Sanitize(s, 60))
	}
	return t, nil
}

// OTXPulse is one pulse read from the API.
type OTXPulse struct {
	ID       string    // the pulse's id
	Modified time.Time // its "modified" (zero when absent or not a time)
	URL      string    // the URL of the page it was read from
	// Result is the pulse read with the OTX reader (loader.FormatOTX),
	// under the path "otx:pulse/ID".
	Result loader.Result
}

// OTXStats are the counts of one load of the subscribed pulses.
type OTXStats struct {
	// Pages are the pages read (those of /api/v1/pulses/subscribed and
	// those of the indicators of the pulses that did not hold them all),
	// Bytes their size.
	Pages int
	Bytes int64
	// Pulses is the number of pulses read.
	Pulses int
	// Newest is the latest "modified" of the pulses read (zero: none).
	Newest time.Time
	// Full is true for a load of the whole subscribed set (since zero or
	// OTXOptions.Since), false for an incremental one.
	Full bool
	// Replaced, counted by OTXPoller.Poll, is the number of pulses read
	// before that this poll read again (their indicators replaced);
	// Dropped the pulses of the previous set that a full poll no longer
	// found.
	Replaced, Dropped int
}

// Subscribed reads the subscribed pulses modified since since (zero:
// all), page after page, following each page's "next" until it is null,
// and calls fn with each pulse in the order served. Each pulse is read
// with loader's OTX reader with lopts; a pulse whose "more_indicators" is
// true has its indicators read from /api/v1/pulses/{id}/indicators
// (paged the same way) first.
//
// The error, which names the URL, is the first of: an HTTP error (see
// fetch), a page that is not JSON with a "results" array, or with a
// result that is not a pulse (a JSON object with an "id": a pulse without
// one could not be replaced by its later versions) (fetch.ErrMalformed),
// a next link to another scheme or host (ErrNextOtherHost: not
// followed), a paging guard (fetch.ErrTooManyPages, ErrLoadTooLarge,
// ErrNoProgress: OTXOptions.MaxPages, MaxBytes, a next page given twice
// or empty pages that say there is more), the reader's error (with
// lopts.Strict, its first problem) and fn's.
func (c *OTX) Subscribed(ctx context.Context, since time.Time, lopts loader.Options, fn func(OTXPulse) error) (OTXStats, error) {
	pager := &fetch.Pager{Client: c.fc, MaxPages: c.opts.MaxPages, MaxBytes: c.opts.MaxBytes}
	st := OTXStats{}
	err := c.pages(ctx, pager, c.SubscribedURL(since), "subscribed pulses", func(pageURL string, results []json.RawMessage) error {
		for i, raw := range results {
			p, err := c.pulse(ctx, pager, pageURL, i, raw, lopts)
			if err != nil {
				return err
			}
			st.Pulses++
			if p.Modified.After(st.Newest) {
				st.Newest = p.Modified
			}
			if err := fn(p); err != nil {
				return err
			}
		}
		return nil
	})
	st.Pages, st.Bytes = pager.Pages(), pager.Bytes()
	return st, err
}

// otxPage is a page of the OTX API: /api/v1/pulses/subscribed or
// /api/v1/pulses/{id}/indicators.
type otxPage struct {
	Results *[]json.RawMessage `json:"results"`
	Next    json.RawMessage    `json:"next"`
}

// pages GETs the pages from first on, following "next", and calls fn with
// each page's results. what names the resource in errors.
func (c *OTX) pages(ctx context.Context, pager *fetch.Pager, first, what string, fn func(pageURL string, results []json.RawMessage) error) error {
	next := first
	for next != "" {
		pageURL := next
		if err := pager.Before(pageURL, pageURL); err != nil {
			return err
		}
		resp, err := c.fc.Get(ctx, fetch.Request{URL: pageURL, Hint: "is the base URL that of the OTX API?"})
		if err != nil {
			return err
		}
		var page otxPage
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return c.fc.Errorf(pageURL, fetch.ErrMalformed, "not a page of %s: %v", what, fetch.Sanitize(err.Error(), 200))
		}
		if page.Results == nil {
			return c.fc.Errorf(pageURL, fetch.ErrMalformed, "not a page of %s: no \"results\" array", what)
		}
		next, err = c.nextURL(pageURL, page.Next)
		if err != nil {
			return err
		}
		if err := pager.Page(pageURL, len(resp.Body), len(*page.Results), next != ""); err != nil {
			return err
		}
		if err := fn(pageURL, *page.Results); err != nil {
			return err
		}
	}
	return nil
}

// nextURL checks a page's "next" (null, "" or a URL, absolute or relative
// to the page's) and returns it absolute, or "" at the last page.
func (c *OTX) nextURL(pageURL string, raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", c.fc.Errorf(pageURL, fetch.ErrMalformed, "the page's \"next\" is not a URL or null: %s", fetch.Sanitize(string(raw), 100))
	}
	if s == "" {
		return "", nil
	}
	cur, err := url.Parse(pageURL)
	if err != nil {
		return "", c.fc.Errorf(pageURL, fetch.ErrMalformed, "%v", err)
	}
	n, err := cur.Parse(s)
	if err != nil {
		return "", c.fc.Errorf(pageURL, fetch.ErrMalformed, "the page's \"next\" is not a URL: %q", fetch.Sanitize(s, 100))
	}
	if !strings.EqualFold(n.Scheme, c.base.Scheme) || !strings.EqualFold(n.Host, c.base.Host) || n.User != nil {
		return "", c.fc.Errorf(pageURL, ErrNextOtherHost,
			"%v: the page's next link %q is not on %s://%s: not followed (the API key goes to the base URL's host only)",
			ErrNextOtherHost, fetch.Sanitize(fetch.Redact(n.String()), 200), c.base.Scheme, c.base.Host)
	}
	return n.String(), nil
}

// otxPulseHead are the fields of a pulse the client reads itself.
type otxPulseHead struct {
	ID             json.RawMessage `json:"id"`
	Modified       json.RawMessage `json:"modified"`
	MoreIndicators json.RawMessage `json:"more_indicators"`
}

// pulse reads the i-th pulse of a page. A pulse that is not a JSON object
// with an id cannot be tracked: it makes the page malformed.
func (c *OTX) pulse(ctx context.Context, pager *fetch.Pager, pageURL string, i int, raw json.RawMessage, lopts loader.Options) (OTXPulse, error) {
	var h otxPulseHead
	if err := json.Unmarshal(raw, &h); err != nil {
		return OTXPulse{}, c.fc.Errorf(pageURL, fetch.ErrMalformed, "results[%d] is not a pulse (a JSON object): %s", i, fetch.Sanitize(string(raw), 60))
	}
	id := jsonScalar(h.ID)
	if id == "" {
		return OTXPulse{}, c.fc.Errorf(pageURL, fetch.ErrMalformed, "results[%d] is not a pulse: no \"id\"", i)
	}
	p := OTXPulse{ID: id, URL: fetch.Redact(pageURL)}
	if m := jsonScalar(h.Modified); m != "" {
		if t, err := ParseOTXTime(m); err == nil {
			p.Modified = t.UTC()
		}
	}
	if jsonScalar(h.MoreIndicators) == "true" {
		full, err := c.moreIndicators(ctx, pager, id, raw)
		if err != nil {
			return OTXPulse{}, err
		}
		raw = full
	}
	name := "otx:pulse/" + id
	res, err := c.read(raw, name, loader.FormatOTX, lopts)
	if err != nil {
		return OTXPulse{}, fmt.Errorf("otx: pulse %s of %s: %w", id, fetch.Redact(pageURL), err)
	}
	p.Result = res
	return p, nil
}

// moreIndicators reads the indicators of pulse id from
// /api/v1/pulses/{id}/indicators and returns the pulse raw with them as
// its "indicators".
func (c *OTX) moreIndicators(ctx context.Context, pager *fetch.Pager, id string, raw json.RawMessage) (json.RawMessage, error) {
	u := *c.base
	u.Path += "/api/v1/pulses/" + url.PathEscape(id) + "/indicators"
	q := url.Values{}
	q.Set("limit", strconv.Itoa(DefaultOTXIndicatorsLimit))
	q.Set("page", "1")
	u.RawQuery = q.Encode()
	var inds []json.RawMessage
	err := c.pages(ctx, pager, u.String(), "pulse indicators", func(_ string, results []json.RawMessage) error {
		inds = append(inds, results...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err // cannot be: checked by the caller
	}
	if inds == nil {
		inds = []json.RawMessage{}
	}
	b, err := json.Marshal(inds)
	if err != nil {
		return nil, err
	}
	m["indicators"] = b
	delete(m, "more_indicators")
	return json.Marshal(m)
}

// jsonScalar returns a JSON string's value, or a number's or boolean's
// text; "" for anything else.
func jsonScalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return strings.TrimSpace(s)
		}
	case 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw)
	}
	return ""
}

// OTXPoller polls the subscribed pulses incrementally: it implements
// live.Feed. Each Poll asks only for the pulses modified since the newest
// "modified" of the pulses read before (the API's modified_since), and
// returns the whole current set: the indicators of every pulse read by
// this Poll and the earlier ones, by pulse id, a pulse read again
// replacing its indicators (an indicator removed from a pulse, or made
// inactive, disappears). Every OTXOptions.FullInterval it reads the whole
// subscribed set again, which drops the pulses no longer in it. Its
// methods may be called from any goroutine; Polls run one at a time.
type OTXPoller struct {
	c *OTX

	mu       sync.Mutex // one Poll at a time; guards the state below
	since    time.Time  // modified_since of the next incremental poll
	polled   bool       // a poll succeeded
	lastFull time.Time  // when the last full poll started
	pulses   map[string]otxEntry
	order    []string // pulse ids, in the order first read
	stats    OTXStats
}

// otxEntry is a pulse of the current set.
type otxEntry struct {
	modified time.Time
	inds     []indicator.Indicator
}

// NewOTXPoller returns a Poller of c's subscribed pulses. Its first Poll
// reads every pulse modified since OTXOptions.Since (zero: all).
func NewOTXPoller(c *OTX) *OTXPoller {
	return &OTXPoller{c: c, since: c.opts.Since, pulses: map[string]otxEntry{}}
}

// Name returns "otx:" and the subscribed pulses' URL (without query):
// the feed's name in reports.
func (p *OTXPoller) Name() string {
	u := *p.c.base
	u.Path += OTXSubscribedPath
	return "otx:" + u.String()
}

// Poll reads the pulses modified since the previous successful Poll (the
// first Poll, and a full one every OTXOptions.FullInterval, those since
// OTXOptions.Since) and returns the current set.
//
// On success, the Result's Indicators are those of every pulse of the
// current set, pulse by pulse, in the order the pulses were first read
// (they share their strings and slices with the Poller: do not modify
// them); its Problems, Skipped, Unsupported and Duplicates are of this
// Poll's pulses alone, and its PerFile has one entry, named Name(), whose
// Indicators count the current set. The cursor then moves to the newest
// "modified" read (modified_since is sent as OTX writes times: UTC
// without zone, to the microsecond; the newest pulse may be read again
// by the next Poll, which is harmless).
//
// Each pulse is read by itself, so lopts' per-file limits apply to each
// pulse; lopts.MaxIndicators (or its default) caps the current set: a
// Poll that would make it larger fails.
//
// The API pages by number: a pulse that moves to another page while a
// Poll reads them (a pulse added or modified meanwhile) may be read twice
// (the later read counts) or not at all; being modified, it is newer
// than the cursor, so the next Poll reads it.
//
// After an error (see OTX.Subscribed) nothing of this Poll is applied:
// the current set and the cursor stay as they were, and the next Poll
// asks for the same pulses again. The Result then is empty.
func (p *OTXPoller) Poll(ctx context.Context, lopts loader.Options) (loader.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := p.c.now()
	full := !p.polled || (p.c.opts.FullInterval > 0 && start.Sub(p.lastFull) >= p.c.opts.FullInterval)
	since := p.since
	if full {
		since = p.c.opts.Since
	}
	var res loader.Result
	got := map[string]otxEntry{}
	var gotOrder []string
	st, err := p.c.Subscribed(ctx, since, lopts, func(op OTXPulse) error {
		r := op.Result
		inds := r.Indicators
		r.Indicators, r.PerFile, r.Files = nil, nil, 0
		res.Merge(r)
		if _, ok := got[op.ID]; !ok {
			gotOrder = append(gotOrder, op.ID)
		}
		got[op.ID] = otxEntry{modified: op.Modified, inds: inds}
		return nil
	})
	if err != nil {
		return loader.Result{}, err
	}
	st.Full = full
	if n, limit := p.sizeAfter(full, got), maxIndicators(lopts); n > limit {
		return loader.Result{}, fmt.Errorf("otx: the current set of the subscribed pulses would hold %d indicators, more than Options.MaxIndicators (%d): poll not applied",
			n, limit)
	}
	// apply: nothing before this point changed the Poller
	if full {
		for id := range p.pulses {
			if _, ok := got[id]; !ok {
				st.Dropped++
			}
		}
	}
	for id := range got {
		if _, ok := p.pulses[id]; ok {
			st.Replaced++
		}
	}
	if full {
		order := make([]string, 0, len(gotOrder))
		for _, id := range p.order { // keep the order of the pulses known
			if _, ok := got[id]; ok {
				order = append(order, id)
			}
		}
		for _, id := range gotOrder {
			if _, ok := p.pulses[id]; !ok {
				order = append(order, id)
			}
		}
		p.pulses, p.order = got, order
		p.lastFull = start
	} else {
		for _, id := range gotOrder {
			if _, ok := p.pulses[id]; !ok {
				p.order = append(p.order, id)
			}
			p.pulses[id] = got[id]
		}
	}
	newest := p.since
	if full {
		newest = since
	}
	for _, e := range p.pulses {
		if e.modified.After(newest) {
			newest = e.modified
		}
	}
	p.since = newest
	p.polled = true
	p.stats = st

	n := 0
	for _, id := range p.order {
		n += len(p.pulses[id].inds)
	}
	all := make([]indicator.Indicator, 0, n)
	for _, id := range p.order {
		all = append(all, p.pulses[id].inds...)
	}
	res.Indicators = all
	res.Files = 1
	res.PerFile = []loader.FileStats{{
		Path: p.Name(), Format: loader.FormatOTX, Indicators: len(all),
		Duplicates: res.Duplicates, Skipped: res.SkippedTotal(), Unsupported: res.UnsupportedTotal(),
	}}
	return res, nil
}

// sizeAfter returns the number of indicators of the current set once got
// is applied.
func (p *OTXPoller) sizeAfter(full bool, got map[string]otxEntry) int {
	n := 0
	for _, e := range got {
		n += len(e.inds)
	}
	if !full {
		for id, e := range p.pulses {
			if _, ok := got[id]; !ok {
				n += len(e.inds)
			}
		}
	}
	return n
}

// maxIndicators is lopts.MaxIndicators or its default.
func maxIndicators(lopts loader.Options) int {
	if lopts.MaxIndicators > 0 {
		return lopts.MaxIndicators
	}
	return loader.DefaultMaxIndicators
}

// Since returns the modified_since of the next incremental Poll (zero:
// all pulses), to be persisted with SetSince across runs.
func (p *OTXPoller) Since() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.since
}

// SetSince sets the modified_since of the next incremental Poll; it waits
// for a running Poll to end. A Poller that has not polled yet makes its
// first Poll incremental from t (it knows only the pulses it reads from
// then on).
func (p *OTXPoller) SetSince(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.since = t
	if !p.polled {
		p.polled = true
		p.lastFull = p.c.now()
	}
}

// Stats returns the counts of the last successful Poll.
func (p *OTXPoller) Stats() OTXStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Pulses returns the number of pulses of the current set.
func (p *OTXPoller) Pulses() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pulses)
}
