package platform

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
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

// Defaults of the ThreatConnectOptions, used when the corresponding field
// is zero.
const (
	// DefaultThreatConnectPageSize is the resultLimit of each page: the
	// API's own default is 100, its maximum 10000; 1000 indicators (with
	// their tags, labels and attributes) are about 2 MB.
	DefaultThreatConnectPageSize = 1000
	// DefaultThreatConnectFullEvery is how often a Poll reads the whole
	// set again instead of what changed: an incremental poll does not see
	// the indicators deleted from ThreatConnect (or that left the query).
	DefaultThreatConnectFullEvery = 24 * time.Hour
)

// ThreatConnectFields are the fields asked for with each page
// (fields=…), besides the indicator's own: its metadata.
var ThreatConnectFields = []string{"tags", "securityLabels", "attributes"}

// ThreatConnectOptions configure a ThreatConnect client.
type ThreatConnectOptions struct {
	// BaseURL is the instance's API URL: https://app.threatconnect.com
	// for the cloud (or https://COMPANY.threatconnect.com, an on-premises
	// host); a URL ending in /api is taken too. Required: there is no
	// default instance.
	BaseURL string

	// AccessID and SecretKey are the API user's credentials: each request
	// is signed with ThreatConnect's HMAC scheme (Timestamp and
	// Authorization "TC ACCESSID:SIGNATURE" headers). Token, instead, is
	// an API token, sent as "Authorization: TC-Token TOKEN". One of the
	// two is required; credentials go to the BaseURL's host only.
	AccessID, SecretKey string
	Token               string

	// TQL filters the indicators (the tql parameter): e.g. `ownerName EQ
	// "My Org" AND confidence GT 50`. Empty: all the indicators the API
	// user can see. An incremental Poll ANDs it with its lastModified
	// condition.
	TQL string

	// Owner, when set, is the owner (organisation, community or source)
	// whose indicators are read (the owner parameter); empty: the API
	// user's default owner.
	Owner string

	// PageSize is the resultLimit of each page; zero means
	// DefaultThreatConnectPageSize. At most 10000.
	PageSize int

	// FullEvery is how often a Poll reads the whole set again (see
	// ThreatConnect.Poll); zero means DefaultThreatConnectFullEvery, a
	// negative value every Poll.
	FullEvery time.Duration

	// MaxPages and MaxLoadSize bound one Poll: its pages (zero:
	// fetch.DefaultMaxPages) and their bytes (zero: fetch.DefaultMaxBytes,
	// 256 MiB). A Poll that passes them fails (fetch.ErrTooManyPages,
	// fetch.ErrLoadTooLarge).
	MaxPages    int
	MaxLoadSize int64

	// HTTP are the options of the HTTP layer (timeouts, size cap,
	// retries, TLS, test hooks); its Name, Header, Sign, Hints and
	// ErrorMessage are the client's own. Its Now is also the clock of the
	// HMAC timestamps.
	HTTP fetch.Options

	// CredentialHint names, in the error of a 401 response, where the
	// credentials came from ("-threatconnect-access-id and
	// $IOCSCAN_TC_SECRET_KEY"); empty: the Options' fields.
	CredentialHint string

	// Now is the clock of FullEvery and of the expiry of indicators; nil
	// means time.Now. For tests.
	Now func() time.Time
}

// ThreatConnect reads indicators from ThreatConnect's API v3
// (GET /api/v3/indicators), page by page, incrementally. It is a
// live.Feed. Its methods may be called from any goroutine; Polls run one
// at a time.
type ThreatConnect struct {
	fc        *fetch.Client
	base      string // without /api
	opts      ThreatConnectOptions
	now       func() time.Time
	fullEvery time.Duration

	mu       sync.Mutex // one Poll at a time; guards the state below
	lastFull time.Time  // of the last successful full Poll; zero: none
	cursor   time.Time  // the latest lastModified read
	current  map[string]*tcRecord
	order    []string              // the ids of current, in the order first read
	noID     []indicator.Indicator // of records without id, since the last full Poll
}

// tcRecord is the current state of one ThreatConnect indicator: the
// indicators read from its latest version.
type tcRecord struct {
	inds []indicator.Indicator
}

// NewThreatConnect returns a ThreatConnect client. It fails without a
// base URL or credentials, with both kinds of credentials, or with bad
// fetch options.
func NewThreatConnect(opts ThreatConnectOptions) (*ThreatConnect, error) {
	if opts.BaseURL == "" {
		return nil, errors.New("threatconnect: no base URL (the instance's API URL, e.g. https://app.threatconnect.com)")
	}
	bu, err := parseBase("threatconnect", opts.BaseURL, "")
	if err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(bu.String(), "/api")
	switch {
	case opts.Token != "" && (opts.AccessID != "" || opts.SecretKey != ""):
		return nil, errors.New("threatconnect: both an API token and an access id or secret key: use one")
	case opts.AccessID == "" && opts.SecretKey != "":
		return nil, errors.New("threatconnect: secret key without access id")
	case opts.Token == "" && opts.AccessID == "":
		return nil, errors.New("threatconnect: no credentials: an access id and secret key, or an API token")
	case opts.AccessID != "" && opts.SecretKey == "":
		return nil, errors.New("threatconnect: access id without secret key")
	case strings.ContainsAny(opts.AccessID, ": \r\n"):
		return nil, errors.New("threatconnect: bad access id (a colon, a space or a line break in it)")
	case opts.PageSize < 0 || opts.PageSize > 10000:
		return nil, fmt.Errorf("threatconnect: page size %d: 1 to 10000", opts.PageSize)
	}
	if opts.PageSize == 0 {
		opts.PageSize = DefaultThreatConnectPageSize
	}
	fo := opts.HTTP
	fo.Name = "threatconnect"
	fo.Header, fo.Sign = nil, nil
	clock := fo.Now
	if clock == nil {
		clock = time.Now
	}
	if opts.Token != "" {
		fo.Header = http.Header{"Authorization": {"TC-Token " + opts.Token}}
	} else {
		id, key := opts.AccessID, []byte(opts.SecretKey)
		fo.Sign = func(r *http.Request) error {
			ts := strconv.FormatInt(clock().Unix(), 10)
			r.Header.Set("Timestamp", ts)
			r.Header.Set("Authorization", "TC "+id+":"+ThreatConnectSignature(key, r.URL.RequestURI(), r.Method, ts))
			return nil
		}
	}
	which := "the API token"
	if opts.Token == "" {
		which = "the access id and secret key"
	}
	if opts.CredentialHint != "" {
		which += " (" + opts.CredentialHint + ")"
	} else if opts.Token == "" {
		which += " (ThreatConnectOptions.AccessID, SecretKey)"
	} else {
		which += " (ThreatConnectOptions.Token)"
	}
	if opts.Token == "" {
		which += ", and this machine's clock (the signature's timestamp must be within minutes of the server's)"
	}
	fo.Hints = withHints(fo.Hints, map[int]string{
		http.StatusUnauthorized: "missing or bad credentials: check " + which,
		http.StatusForbidden:    "the API user has no access to these indicators or this owner: check its role and the owner",
		http.StatusNotFound:     "no API v3 here: check the base URL (the instance's API URL, e.g. https://app.threatconnect.com)",
		http.StatusBadRequest:   "the request was refused: check the TQL and the owner",
	})
	fo.ErrorMessage = tcErrorMessage
	fc, err := fetch.New(fo)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	full := opts.FullEvery
	if full == 0 {
		full = DefaultThreatConnectFullEvery
	}
	opts.SecretKey, opts.Token = "", "" // kept in the signer and the header only
	return &ThreatConnect{fc: fc, base: base, opts: opts, now: now, fullEvery: full,
		current: map[string]*tcRecord{}}, nil
}

// ThreatConnectSignature returns the signature of ThreatConnect's HMAC
// scheme: base64(HMAC-SHA256(secretKey, "PATH?QUERY:METHOD:TIMESTAMP")),
// where pathQuery is the request URI as sent (escaped) and timestamp the
// Unix time in seconds of the Timestamp header.
func ThreatConnectSignature(secretKey []byte, pathQuery, method, timestamp string) string {
	m := hmac.New(sha256.New, secretKey)
	m.Write([]byte(pathQuery + ":" + method + ":" + timestamp))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// tcErrorMessage finds ThreatConnect's error message: {"status":
// "Failure", "message": "…"} (v2 and v3 alike), or the default shapes.
func tcErrorMessage(ct string, body []byte) string {
	var m struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	if m.Message != "" {
		return m.Message
	}
	return m.Error
}

// Name returns "threatconnect:" and the base URL's host (and the owner).
func (c *ThreatConnect) Name() string {
	name := "threatconnect:" + hostOf(c.base)
	if c.opts.Owner != "" {
		name += "/" + c.opts.Owner
	}
	return name
}

func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Host
}

// pageURL returns the URL of the page at start, for tql.
func (c *ThreatConnect) pageURL(tql string, start int) string {
	q := url.Values{}
	if tql != "" {
		q.Set("tql", tql)
	}
	if c.opts.Owner != "" {
		q.Set("owner", c.opts.Owner)
	}
	q.Set("sorting", "dateAdded ASC")
	q.Set("resultStart", strconv.Itoa(start))
	q.Set("resultLimit", strconv.Itoa(c.opts.PageSize))
	q["fields"] = ThreatConnectFields
	// spaces as %20, not +: as ThreatConnect's own clients send them (the
	// HMAC signature covers the query as sent); a + of the TQL is %2B
	return c.base + "/api/v3/indicators?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// tcPage is a v3 page: {"data": […], "count": N, "next": URL, "status":
// "Success"}.
type tcPage struct {
	Data    []json.RawMessage `json:"data"`
	Count   *int              `json:"count"`
	Next    string            `json:"next"`
	Status  string            `json:"status"`
	Message string            `json:"message"`
}

// tcHead is what the Poller reads of a record itself: its id (number or
// string; "xid" when it has none) and its lastModified.
type tcHead struct {
	ID           json.RawMessage `json:"id"`
	XID          json.RawMessage `json:"xid"`
	LastModified string          `json:"lastModified"`
}

// jsonID returns an id (a JSON number or string) as text.
func jsonID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// TQL returns the tql of a Poll: the Options' TQL, ANDed, for an
// incremental Poll (since, the latest lastModified read, not zero), with
// `lastModified > "SINCE − 1 s"`: ThreatConnect's times have whole
// seconds, so the indicators modified in the second of since are asked
// for again (harmlessly: they replace themselves), lest one modified in
// that second after the previous Poll be missed.
func (c *ThreatConnect) TQL(since time.Time) string {
	if since.IsZero() {
		return c.opts.TQL
	}
	cond := `lastModified > "` + since.Add(-time.Second).UTC().Format(time.RFC3339) + `"`
	if strings.TrimSpace(c.opts.TQL) == "" {
		return cond
	}
	return "(" + c.opts.TQL + ") AND " + cond
}

// Poll reads the indicators of ThreatConnect that match the TQL and
// returns all the current ones, read with opts (loader.FormatThreatConnect,
// one page at a time).
//
// The first Poll, and then a Poll every FullEvery, is full: it reads
// every page of the query, and its indicators are the new current set.
// The Polls in between are incremental: they ask only for the indicators
// modified since the latest lastModified read (see TQL), and merge them by ThreatConnect id into the
// current set: a re-read indicator replaces its indicators, one that
// became inactive ("active": false) or gives no indicator any more
// leaves it. An indicator whose externalDateExpires (Meta.ValidUntil) has
// passed leaves the set at each Poll. An indicator deleted from
// ThreatConnect, or that no longer matches the TQL, is not seen by an
// incremental Poll: it stays until the next full one. (The indicators of
// a record without "id" nor "xid", which the API does not send, cannot be
// merged: they are added at each Poll, until the next full one.)
//
// Pages are asked for by resultStart and resultLimit, sorted by
// dateAdded (so that an indicator added during a Poll comes last, not
// shifting the pages): there is another page while the response has a
// "next" link, or while the "count" of the first page (the API gives it
// there only) says there are more, or, without a count, while the pages
// are full. A "next" link is only a sign: the next page is always asked
// for at the base URL, with the credentials; a "next" link's own host is
// never requested. A Poll fails on any error: a status, a page
// that is not a v3 page (fetch.ErrMalformed, naming the URL), a paging
// guard (fetch.ErrTooManyPages, ErrNoProgress, ErrLoadTooLarge), ctx
// done; nothing of it is applied, the current set stays, and the next
// Poll asks for the same again.
//
// The Result's Indicators are the whole current set, in the order their
// ids were first read (the source of an indicator without ownerName is
// "threatconnect", unless opts.Source is set); its Problems, Skipped, Unsupported and PerFile
// (one per page) are of this Poll alone. The indicators share their
// strings and slices with the client: do not modify them.
func (c *ThreatConnect) Poll(ctx context.Context, opts loader.Options) (loader.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	full := c.lastFull.IsZero() || c.fullEvery < 0 || now.Sub(c.lastFull) >= c.fullEvery || now.Before(c.lastFull)
	var since time.Time
	if !full {
		since = c.cursor
	}
	tql := c.TQL(since)
	pager := fetch.Pager{Client: c.fc, MaxPages: c.opts.MaxPages, MaxBytes: c.opts.MaxLoadSize}
	var res loader.Result
	byID := map[string][]indicator.Indicator{}
	var ids []string // of the records read, in order, each once
	seen := map[string]bool{}
	var noID []indicator.Indicator
	bodies := map[[sha256.Size]byte]bool{} // of the pages with records
	count := -1                            // of the first page, when it has one
	cursor := c.cursor
	if full {
		cursor = time.Time{}
	}
	for start := 0; ; {
		if err := ctx.Err(); err != nil {
			return loader.Result{}, fmt.Errorf("threatconnect: %w", context.Cause(ctx))
		}
		u := c.pageURL(tql, start)
		if err := pager.Before(u, "resultStart="+strconv.Itoa(start)); err != nil {
			return loader.Result{}, err
		}
		resp, err := c.fc.Get(ctx, fetch.Request{URL: u, Expect: "application/json (an API v3 page)",
			Hint: "is it the instance's API URL?"})
		if err != nil {
			return loader.Result{}, err
		}
		var page tcPage
		if err := json.Unmarshal(resp.Body, &page); err != nil {
			return loader.Result{}, c.fc.Errorf(u, fetch.ErrMalformed, "not an API v3 indicators page: %v", err)
		}
		if page.Data == nil {
			msg := "no \"data\" array"
			if page.Status != "" {
				msg += fmt.Sprintf(" (status %q%s)", fetch.Sanitize(page.Status, 40), tcMsg(page.Message))
			}
			return loader.Result{}, c.fc.Errorf(u, fetch.ErrMalformed, "not an API v3 indicators page: %s", msg)
		}
		if len(page.Data) > 0 {
			h := sha256.Sum256(resp.Body)
			if bodies[h] {
				return loader.Result{}, c.fc.Errorf(u, fetch.ErrNoProgress, "%v: the server gave the same page again at resultStart %d (does it ignore resultStart?)", fetch.ErrNoProgress, start)
			}
			bodies[h] = true
		}
		if start == 0 && page.Count != nil {
			count = *page.Count
		}
		next := start + len(page.Data)
		more := page.Next != "" || (count >= 0 && next < count) || (count < 0 && len(page.Data) >= c.opts.PageSize)
		if err := pager.Page(u, len(resp.Body), len(page.Data), more); err != nil {
			return loader.Result{}, err
		}
		pageIDs := map[string]bool{}
		for _, raw := range page.Data {
			var h tcHead
			if json.Unmarshal(raw, &h) != nil {
				continue // not an object: the reader's problem
			}
			id := jsonID(h.ID)
			if id == "" {
				id = jsonID(h.XID)
			}
			if id != "" {
				pageIDs[id] = true
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
				byID[id] = nil // read again: its indicators are this page's
			}
			if t, err := time.Parse(time.RFC3339, h.LastModified); err == nil && t.After(cursor) {
				cursor = t
			}
		}
		pr, err := readBody(resp.Body, resp.URL, loader.FormatThreatConnect, opts)
		if err != nil {
			return loader.Result{}, err
		}
		if err := wholeBodyProblem(c.fc, u, pr); err != nil {
			return loader.Result{}, err
		}
		renameFallbackSource(&pr, resp.URL, opts, "threatconnect")
		for _, ind := range pr.Indicators {
			if ind.ID != "" && pageIDs[ind.ID] {
				byID[ind.ID] = append(byID[ind.ID], ind)
			} else {
				noID = append(noID, ind)
			}
		}
		pr.Indicators = nil
		res.Merge(pr)
		if !more {
			break
		}
		start = next
	}
	c.apply(full, ids, byID, noID, now)
	c.cursor = cursor
	if full {
		c.lastFull = now
	}
	res.Indicators = c.all()
	return res, nil
}

func tcMsg(m string) string {
	if m == "" {
		return ""
	}
	return ": " + fetch.Sanitize(m, 200)
}

// apply merges a Poll's records (ids, in order, and their indicators)
// into the current set, or makes them the current set (full), and drops
// the expired ones.
func (c *ThreatConnect) apply(full bool, ids []string, byID map[string][]indicator.Indicator, noID []indicator.Indicator, now time.Time) {
	if full {
		c.current, c.order, c.noID = map[string]*tcRecord{}, nil, nil
	}
	for _, id := range ids {
		inds := byID[id]
		if len(inds) == 0 {
			delete(c.current, id)
			continue
		}
		if _, ok := c.current[id]; !ok {
			c.order = append(c.order, id)
		}
		c.current[id] = &tcRecord{inds: inds}
	}
	c.noID = append(c.noID, noID...)
	for id, r := range c.current {
		if expired(r.inds, now) {
			delete(c.current, id)
		}
	}
	order := c.order[:0:0]
	for _, id := range c.order {
		if _, ok := c.current[id]; ok {
			order = append(order, id)
		}
	}
	c.order = order
	kept := c.noID[:0:0]
	for _, ind := range c.noID {
		if ind.ValidUntil.IsZero() || now.Before(ind.ValidUntil) {
			kept = append(kept, ind)
		}
	}
	c.noID = kept
}

// expired reports whether the indicators of a record are all past their
// ValidUntil (externalDateExpires).
func expired(inds []indicator.Indicator, now time.Time) bool {
	for _, ind := range inds {
		if ind.ValidUntil.IsZero() || now.Before(ind.ValidUntil) {
			return false
		}
	}
	return len(inds) > 0
}

// all returns the current indicators, in order, those without id last.
func (c *ThreatConnect) all() []indicator.Indicator {
	n := len(c.noID)
	for _, id := range c.order {
		n += len(c.current[id].inds)
	}
	all := make([]indicator.Indicator, 0, n)
	for _, id := range c.order {
		all = append(all, c.current[id].inds...)
	}
	return append(all, c.noID...)
}

// Cursor returns the latest lastModified read: an incremental Poll asks
// for the indicators modified since (the zero time before the first
// Poll).
func (c *ThreatConnect) Cursor() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cursor
}
