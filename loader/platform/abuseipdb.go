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

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
)

// Defaults of the AbuseIPDBOptions, used when the corresponding field is
// zero.
const (
	// DefaultAbuseIPDBBaseURL is the AbuseIPDB API's base URL.
	DefaultAbuseIPDBBaseURL = "https://api.abuseipdb.com"
	// DefaultAbuseIPDBConfidenceMinimum is the blacklist's
	// confidenceMinimum: 100, the API's own default and the only value a
	// free account can use (lower values, down to 25, need a
	// subscription).
	DefaultAbuseIPDBConfidenceMinimum = 100
	// DefaultAbuseIPDBLimit is the blacklist's limit: 10,000 addresses,
	// the most a free account gets (Basic plans get 100,000, Premium
	// 500,000).
	DefaultAbuseIPDBLimit = 10000
	// DefaultAbuseIPDBMinInterval is the shortest time between two
	// blacklist requests of an AbuseIPDBPoller: a free account may
	// download the blacklist 5 times a day, so 6 hours (4 a day) leaves
	// one for a restart.
	DefaultAbuseIPDBMinInterval = 6 * time.Hour
)

// AbuseIPDBKeyHeader is the header of the AbuseIPDB API key.
const AbuseIPDBKeyHeader = "Key"

// AbuseIPDBBlacklistPath is the path, under the base URL, of the
// blacklist.
const AbuseIPDBBlacklistPath = "/api/v2/blacklist"

// AbuseIPDBOptions configure an AbuseIPDB client.
type AbuseIPDBOptions struct {
	// Key is the AbuseIPDB API key (the account's API page), sent in the
	// Key header to the base URL's host only. Required.
	Key string

	// BaseURL is the API's base URL, without /api/v2 (a trailing /api/v2
	// is dropped); empty means DefaultAbuseIPDBBaseURL. A path (a proxy's
	// prefix) is kept.
	BaseURL string

	// ConfidenceMinimum is the lowest abuseConfidenceScore listed (25 to
	// 100); zero means DefaultAbuseIPDBConfidenceMinimum.
	ConfidenceMinimum int

	// Limit is the most addresses of the blacklist; zero means
	// DefaultAbuseIPDBLimit.
	Limit int

	// MinInterval is the shortest time between two blacklist requests of
	// an AbuseIPDBPoller: a Poll within it returns the previous snapshot
	// without a request. Zero means DefaultAbuseIPDBMinInterval, a
	// negative value none (every Poll sends a request: for a paid plan's
	// quota).
	MinInterval time.Duration

	// HTTP are the options of the HTTP layer (timeouts, size cap,
	// retries, TLS, test hooks: its Now is the Poller's clock too). Its
	// Name defaults to "abuseipdb"; the key header is added to its Header;
	// Hints for 401, 403 and 429 default to advice about the key and the
	// quota. Its CredentialHosts should stay empty.
	HTTP fetch.Options
}

// AbuseIPDB is a client of the AbuseIPDB blacklist. It is safe for
// concurrent use.
type AbuseIPDB struct {
	fc   *fetch.Client
	opts AbuseIPDBOptions
	base *url.URL
	now  func() time.Time
	read func(body []byte, name string, f loader.Format, opts loader.Options) (loader.Result, error) // readBody; replaced by tests
}

// NewAbuseIPDB returns an AbuseIPDB client. It fails without a key, with
// a base URL that is not http or https, a ConfidenceMinimum out of 25 to
// 100, a negative Limit or bad HTTP options.
func NewAbuseIPDB(opts AbuseIPDBOptions) (*AbuseIPDB, error) {
	if strings.TrimSpace(opts.Key) == "" {
		return nil, errors.New("abuseipdb: no API key (AbuseIPDBOptions.Key)")
	}
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultAbuseIPDBBaseURL
	}
	base, err := parseBase("abuseipdb", opts.BaseURL, DefaultAbuseIPDBBaseURL)
	if err != nil {
		return nil, err
	}
	base.Path = strings.TrimSuffix(base.Path, "/api/v2") // given with it: the path is added
	if opts.ConfidenceMinimum == 0 {
		opts.ConfidenceMinimum = DefaultAbuseIPDBConfidenceMinimum
	}
	switch {
	case opts.ConfidenceMinimum < 25 || opts.ConfidenceMinimum > 100:
		return nil, fmt.Errorf("abuseipdb: ConfidenceMinimum %d: must be 25 to 100", opts.ConfidenceMinimum)
	case opts.Limit < 0:
		return nil, errors.New("abuseipdb: negative Limit")
	case opts.Limit == 0:
		opts.Limit = DefaultAbuseIPDBLimit
	}
	if opts.MinInterval == 0 {
		opts.MinInterval = DefaultAbuseIPDBMinInterval
	}
	fc, now, err := keyClient(opts.HTTP, "abuseipdb", AbuseIPDBKeyHeader, opts.Key, map[int]string{
		http.StatusUnauthorized:        "missing or bad AbuseIPDB API key: check the key (Key header)",
		http.StatusForbidden:           "the AbuseIPDB API key was refused: check the key (Key header), and that its plan allows these parameters",
		http.StatusTooManyRequests:     "the AbuseIPDB daily quota of blacklist requests is used up (5 a day on a free account): poll less often",
		http.StatusUnprocessableEntity: "AbuseIPDB refused a parameter: check the confidence minimum (25-100, below 100 needs a subscription) and the limit (at most 10,000 on a free account)",
	})
	if err != nil {
		return nil, err
	}
	return &AbuseIPDB{fc: fc, opts: opts, base: base, now: now, read: readBody}, nil
}

// BlacklistURL returns the URL of the blacklist the options ask for.
func (c *AbuseIPDB) BlacklistURL() string {
	u := *c.base
	u.Path += AbuseIPDBBlacklistPath
	q := url.Values{}
	q.Set("confidenceMinimum", strconv.Itoa(c.opts.ConfidenceMinimum))
	q.Set("limit", strconv.Itoa(c.opts.Limit))
	u.RawQuery = q.Encode()
	return u.String()
}

// Blacklist downloads the blacklist (one request, JSON: it has each
// address's score, country and last report, and the list's generatedAt)
// and reads it with loader's AbuseIPDB reader with lopts, under the path
// "abuseipdb:" and the URL. The error names the URL: an HTTP error (see
// fetch; AbuseIPDB's error JSON {"errors":[{"detail": …}]} gives its
// message), a response that is not JSON (fetch.ErrContentType) or not
// whole JSON with a "data" array (fetch.ErrMalformed: a blacklist cut
// short is not taken for a shorter one), the reader's error.
func (c *AbuseIPDB) Blacklist(ctx context.Context, lopts loader.Options) (loader.Result, error) {
	u := c.BlacklistURL()
	resp, err := c.fc.Get(ctx, fetch.Request{URL: u, Accept: "application/json", Hint: "is the base URL that of the AbuseIPDB API?"})
	if err != nil {
		return loader.Result{}, err
	}
	if err := checkBlacklist(resp.Body); err != nil {
		return loader.Result{}, c.fc.Errorf(u, fetch.ErrMalformed, "not an AbuseIPDB blacklist: %v", err)
	}
	res, err := c.read(resp.Body, "abuseipdb:"+fetch.Redact(u), loader.FormatAbuseIPDB, lopts)
	if err != nil {
		return loader.Result{}, fmt.Errorf("abuseipdb: GET %s: %w", fetch.Redact(u), err)
	}
	return res, nil
}

// AbuseIPDBPoller polls the blacklist: it implements live.Feed. The
// blacklist is a snapshot (the addresses reported lately above the
// confidence minimum), so each request reads it whole and replaces the
// previous one; but a Poll within AbuseIPDBOptions.MinInterval of the
// last download returns that download's snapshot without a request, so
// that a live.Matcher reloading every few minutes keeps within the free
// tier's 5 requests a day. After a rate-limit error whose Retry-After
// asks for a wait (AbuseIPDB says when the daily quota resets), Polls
// until then fail at once without a request. Its methods may be called
// from any goroutine; Polls run one at a time.
type AbuseIPDBPoller struct {
	c *AbuseIPDB

	mu        sync.Mutex
	have      bool
	last      loader.Result
	fetched   time.Time // of last
	notBefore time.Time // no request before (a Retry-After)
	requests  int
}

// NewAbuseIPDBPoller returns a Poller of c's blacklist.
func NewAbuseIPDBPoller(c *AbuseIPDB) *AbuseIPDBPoller {
	return &AbuseIPDBPoller{c: c}
}

// Name returns "abuseipdb:" and the blacklist's URL: the feed's name in
// reports.
func (p *AbuseIPDBPoller) Name() string {
	return "abuseipdb:" + fetch.Redact(p.c.BlacklistURL())
}

// Poll returns the blacklist: downloaded (see AbuseIPDB.Blacklist) when
// there is no snapshot yet or the last is MinInterval old, else the last
// snapshot (its Indicators shared with the Poller: do not modify them).
// A snapshot is read with the lopts of the Poll that downloaded it.
//
// The error is the download's (the previous snapshot is kept for the
// next Poll: a live.Matcher keeps its current set), or, before the time a
// 429's Retry-After asked for, an error wrapping fetch.ErrRateLimited
// without a request.
func (p *AbuseIPDBPoller) Poll(ctx context.Context, lopts loader.Options) (loader.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.c.now()
	if p.have && p.c.opts.MinInterval > 0 && now.Sub(p.fetched) < p.c.opts.MinInterval {
		return p.last, nil
	}
	if now.Before(p.notBefore) {
		return loader.Result{}, fmt.Errorf("abuseipdb: GET %s: %w: not asking again before %s (the Retry-After of the last answer)",
			fetch.Redact(p.c.BlacklistURL()), fetch.ErrRateLimited, p.notBefore.UTC().Format(time.RFC3339))
	}
	p.requests++
	res, err := p.c.Blacklist(ctx, lopts)
	if err != nil {
		var he *fetch.HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusTooManyRequests && he.RetryAfter > 0 {
			p.notBefore = now.Add(he.RetryAfter)
		}
		return loader.Result{}, err
	}
	p.have, p.last, p.fetched = true, res, now
	return res, nil
}

// Fetched returns when the snapshot Poll returns was downloaded (the
// Poller's clock; zero: none yet).
func (p *AbuseIPDBPoller) Fetched() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fetched
}

// Requests returns the number of blacklist downloads the Poller tried.
func (p *AbuseIPDBPoller) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

// checkBlacklist checks that body is whole JSON: an object with a "data"
// array, or an array (the data alone).
func checkBlacklist(body []byte) error {
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		return errors.New("not valid JSON (cut short?)")
	}
	if len(body) > 0 && body[0] == '[' {
		return nil
	}
	var m struct {
		Data *json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return errors.New("not a JSON object")
	}
	if m.Data == nil || !bytes.HasPrefix(bytes.TrimSpace(*m.Data), []byte("[")) {
		return errors.New(`no "data" array`)
	}
	return nil
}
