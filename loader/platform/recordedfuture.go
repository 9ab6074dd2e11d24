package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
)

// Defaults of the RecordedFutureOptions, used when the corresponding
// field is zero.
const (
	// DefaultRecordedFutureURL is the base URL of Recorded Future's API.
	DefaultRecordedFutureURL = "https://api.recordedfuture.com"
	// DefaultRecordedFutureList is the risk list downloaded when no list
	// is named: the default list of each entity type.
	DefaultRecordedFutureList = "default"
	// DefaultRecordedFutureMinInterval is the shortest time between two
	// downloads of the risk lists: Recorded Future recomputes them about
	// hourly (the IP list every 5 minutes at most, the others hourly or
	// daily), and a download is large (tens of MB for the default IP
	// list): a Poll within it returns the previous snapshot.
	DefaultRecordedFutureMinInterval = time.Hour
	// DefaultRecordedFutureTimeout is the longest one download may take.
	DefaultRecordedFutureTimeout = 5 * time.Minute
	// DefaultRecordedFutureMaxSize is the largest download read, in
	// bytes.
	DefaultRecordedFutureMaxSize = 512 << 20
)

// The entity types of Recorded Future's risk lists (RiskList.Entity).
var recordedFutureEntities = map[string]bool{"ip": true, "domain": true, "url": true, "hash": true}

// RiskList is one Recorded Future risk list: an entity type's list
// (GET /v2/{entity}/risklist?list=NAME&format=csv/splunk&gzip=true), or a
// Fusion file (GET /v2/fusion/files/?path=PATH) in the same CSV format.
type RiskList struct {
	// Entity is "ip", "domain", "url" or "hash"; empty for a Fusion file.
	Entity string
	// List is the name of the entity's risk list ("default" when empty,
	// or a risk rule's name: "large", "recentBotnetTraffic" …).
	List string
	// FusionPath, when set, is the path of a Fusion file instead
	// ("/public/risklists/default_ip_risklist.csv" …); Entity and List are then
	// empty.
	FusionPath string
}

// ParseRiskList parses a risk list as the -recordedfuture flag gives it:
// "ip", "domain", "url" or "hash" (the default list of the entity type),
// "ENTITY:LIST" (a named list: "ip:large"), or "fusion:PATH" (a Fusion
// file: "fusion:/public/risklists/default_ip_risklist.csv"; "fusion:ip"
// … is the entity's default Fusion risk list, that path).
func ParseRiskList(s string) (RiskList, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutPrefix(s, "fusion:"); ok {
		if e := strings.ToLower(p); recordedFutureEntities[e] {
			p = "/public/risklists/default_" + e + "_risklist.csv"
		}
		if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?#") {
			return RiskList{}, fmt.Errorf("recordedfuture: fusion file %q: a path such as /public/risklists/default_ip_risklist.csv, or ip, domain, url or hash", p)
		}
		return RiskList{FusionPath: p}, nil
	}
	entity, list, _ := strings.Cut(s, ":")
	entity = strings.ToLower(entity)
	if !recordedFutureEntities[entity] {
		return RiskList{}, fmt.Errorf("recordedfuture: risk list %q: not ip, domain, url or hash (optionally :LIST), nor fusion:PATH", s)
	}
	if strings.ContainsAny(list, "/?#&= ") {
		return RiskList{}, fmt.Errorf("recordedfuture: risk list %q: bad list name %q", s, list)
	}
	return RiskList{Entity: entity, List: list}, nil
}

// String returns the risk list as ParseRiskList reads it.
func (l RiskList) String() string {
	switch {
	case l.FusionPath != "":
		return "fusion:" + l.FusionPath
	case l.List == "" || l.List == DefaultRecordedFutureList:
		return l.Entity
	}
	return l.Entity + ":" + l.List
}

// path returns the URL path and query of the list's download.
func (l RiskList) path() string {
	if l.FusionPath != "" {
		return "/v2/fusion/files/?" + url.Values{"path": {l.FusionPath}}.Encode()
	}
	list := l.List
	if list == "" {
		list = DefaultRecordedFutureList
	}
	// format=csv/splunk is the documented spelling: the slash stays
	return "/v2/" + url.PathEscape(l.Entity) + "/risklist?format=csv/splunk&gzip=true&list=" + url.QueryEscape(list)
}

// RecordedFutureOptions configure a RecordedFuture client.
type RecordedFutureOptions struct {
	// Token is the API token, sent in the X-RFToken header to the base
	// URL's host only. Required.
	Token string

	// BaseURL is the API's base URL; empty means DefaultRecordedFutureURL.
	BaseURL string

	// Lists are the risk lists downloaded at each Poll, in this order;
	// empty means the default IP risk list.
	Lists []RiskList

	// MinInterval is the shortest time between two downloads: a Poll
	// within MinInterval of the previous successful one returns its
	// snapshot again without a request. Zero means
	// DefaultRecordedFutureMinInterval (1 hour); a negative value
	// downloads at every Poll.
	MinInterval time.Duration

	// HTTP are the options of the HTTP layer (timeouts, size cap,
	// retries, TLS, test hooks); its Name, Header, Hints and ErrorMessage
	// are the client's own. Two defaults differ from fetch's, as a risk
	// list is one large file (the default IP list is tens of MB): the
	// Timeout of a download is DefaultRecordedFutureTimeout (5 minutes)
	// and MaxResponseSize DefaultRecordedFutureMaxSize (512 MiB, after
	// decompression by the transport; a gzip body is decompressed by the
	// reader, as it is read).
	HTTP fetch.Options

	// CredentialHint names, in the error of a 401 response, where the
	// token came from ("-recordedfuture-token or $IOCSCAN_RF_TOKEN");
	// empty: "RecordedFutureOptions.Token".
	CredentialHint string

	// Now is the clock of MinInterval; nil means time.Now. For tests.
	Now func() time.Time
}

// RecordedFuture downloads Recorded Future risk lists. Its Poll (it is a
// live.Feed) returns the indicators of all its lists: each download is a
// whole snapshot. A Poll that fails on any list returns an error and the
// previous snapshot stays (a live.Matcher keeps its current set). Its
// methods may be called from any goroutine; Polls run one at a time.
type RecordedFuture struct {
	fc    *fetch.Client
	base  string
	lists []RiskList
	min   time.Duration
	now   func() time.Time

	mu     sync.Mutex // one Poll at a time; guards the state below
	last   time.Time  // of the last successful download
	snap   loader.Result
	have   bool
	states []rfListState // per list: the validators of its last download
}

// rfListState is what a list's last download left: its validators for a
// conditional request, and its result to reuse on a 304 Not Modified.
type rfListState struct {
	etag, lastModified string
	res                loader.Result
	have               bool
}

// NewRecordedFuture returns a RecordedFuture client. It fails without a
// token, with a bad base URL or bad fetch options.
func NewRecordedFuture(opts RecordedFutureOptions) (*RecordedFuture, error) {
	if opts.Token == "" {
		return nil, errors.New("recordedfuture: no API token (RecordedFutureOptions.Token)")
	}
	bu, err := parseBase("recordedfuture", opts.BaseURL, DefaultRecordedFutureURL)
	if err != nil {
		return nil, err
	}
	base := bu.String()
	lists := opts.Lists
	if len(lists) == 0 {
		lists = []RiskList{{Entity: "ip"}}
	}
	for _, l := range lists {
		if l.FusionPath == "" && !recordedFutureEntities[l.Entity] {
			return nil, fmt.Errorf("recordedfuture: risk list entity %q: not ip, domain, url or hash", l.Entity)
		}
	}
	fo := opts.HTTP
	fo.Name = "recordedfuture"
	fo.Header = http.Header{"X-Rftoken": {opts.Token}}
	if fo.MaxResponseSize == 0 {
		fo.MaxResponseSize = DefaultRecordedFutureMaxSize
	}
	if fo.Timeout == 0 {
		fo.Timeout = DefaultRecordedFutureTimeout
	}
	hint := opts.CredentialHint
	if hint == "" {
		hint = "RecordedFutureOptions.Token"
	}
	fo.Hints = withHints(fo.Hints, map[int]string{
		http.StatusUnauthorized: "missing or bad API token: check the token (" + hint + ")",
		http.StatusForbidden:    "the API token gives no access to this risk list: check the token's subscription (risk lists need the Connect API or Fusion)",
		http.StatusNotFound:     "no such risk list or Fusion file: check the list name",
	})
	fo.ErrorMessage = rfErrorMessage
	fc, err := fetch.New(fo)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	minInt := opts.MinInterval
	if minInt == 0 {
		minInt = DefaultRecordedFutureMinInterval
	}
	return &RecordedFuture{fc: fc, base: base, lists: append([]RiskList(nil), lists...), min: minInt, now: now,
		states: make([]rfListState, len(lists))}, nil
}

// rfErrorMessage finds Recorded Future's error message: {"error":
// {"status": 401, "message": "…"}}, or a plain "message" or "error"
// string.
func rfErrorMessage(ct string, body []byte) string {
	var m struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	var nested struct {
		Message string `json:"message"`
	}
	var plain string
	switch {
	case json.Unmarshal(m.Error, &nested) == nil && nested.Message != "":
		return nested.Message
	case json.Unmarshal(m.Error, &plain) == nil && plain != "":
		return plain
	}
	return m.Message
}

// Name returns "recordedfuture:" and the lists: "recordedfuture:ip,url".
func (c *RecordedFuture) Name() string {
	names := make([]string, len(c.lists))
	for i, l := range c.lists {
		names[i] = l.String()
	}
	return "recordedfuture:" + strings.Join(names, ",")
}

// URL returns the download URL of list.
func (c *RecordedFuture) URL(list RiskList) string { return c.base + list.path() }

// Poll downloads the risk lists and reads them (loader.FormatRecordedFuture,
// gzip or not) with opts: its Result holds all their indicators, the
// lists' results merged in the order of the lists (one PerFile entry per
// list, named by its URL; the indicators' source is "recordedfuture:" and
// the list, "recordedfuture:ip", unless opts.Source is set). A Poll within MinInterval of the previous
// successful one returns that Poll's Result again, without a request.
// Each download is conditional (If-None-Match, If-Modified-Since) when
// the previous one gave an ETag or Last-Modified: a list that has not
// changed (304 Not Modified) is not downloaded again, its previous
// indicators are kept.
//
// An error (of any list: a status, a body that is not CSV, a context
// done) fails the whole Poll: nothing of it is kept, the next Poll
// downloads again. The indicators returned share their strings and slices
// with the client: do not modify them.
func (c *RecordedFuture) Poll(ctx context.Context, opts loader.Options) (loader.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.have && c.min > 0 && now.Sub(c.last) < c.min && !now.Before(c.last) {
		return cloneResult(c.snap), nil
	}
	states := make([]rfListState, len(c.lists))
	var res loader.Result
	for i, l := range c.lists {
		st, err := c.download(ctx, l, c.states[i], opts)
		if err != nil {
			return loader.Result{}, err
		}
		states[i] = st
		res.Merge(st.res)
	}
	c.states, c.snap, c.last, c.have = states, res, now, true
	return cloneResult(res), nil
}

// download fetches and reads one list; prev is what its last download
// left.
func (c *RecordedFuture) download(ctx context.Context, l RiskList, prev rfListState, opts loader.Options) (rfListState, error) {
	u := c.URL(l)
	h := http.Header{}
	if prev.have {
		if prev.etag != "" {
			h.Set("If-None-Match", prev.etag)
		}
		if prev.lastModified != "" {
			h.Set("If-Modified-Since", prev.lastModified)
		}
	}
	resp, err := c.fc.Get(ctx, fetch.Request{
		URL:    u,
		Accept: "text/csv, application/gzip;q=0.9, application/octet-stream;q=0.8, text/plain;q=0.5",
		Header: h,
		Types:  []string{"text/csv", "text/plain", "application/csv", "application/octet-stream", "application/gzip", "application/x-gzip"},
		Expect: "a CSV risk list (text/csv, or gzip)",
		Hint:   "is it the URL of Recorded Future's API?",
	})
	if err != nil {
		return rfListState{}, err
	}
	if resp.StatusCode == http.StatusNotModified && prev.have {
		return prev, nil
	}
	if resp.StatusCode == http.StatusNoContent || len(resp.Body) == 0 {
		return rfListState{}, c.fc.Errorf(u, fetch.ErrMalformed, "an empty risk list: not even its CSV header")
	}
	res, err := readBody(resp.Body, resp.URL, loader.FormatRecordedFuture, opts)
	if err != nil {
		return rfListState{}, err
	}
	if err := wholeBodyProblem(c.fc, u, res); err != nil {
		return rfListState{}, err
	}
	renameFallbackSource(&res, resp.URL, opts, "recordedfuture:"+l.String())
	return rfListState{etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified"), res: res, have: true}, nil
}

// cloneResult returns r with its slices and maps copied (the indicators
// themselves shared): the caller may append to it or change its counts.
func cloneResult(r loader.Result) loader.Result {
	var out loader.Result
	out.Merge(r)
	return out
}

// renameFallbackSource sets the Source of the indicators read from a page
// at url that have the loader's fallback source (the base name of the
// path read, here a URL: "risklist?format=…") to name, unless
// Options.Source set it.
func renameFallbackSource(res *loader.Result, url string, opts loader.Options, name string) {
	if opts.Source != "" {
		return
	}
	fallback := loader.SourceName(url)
	for i := range res.Indicators {
		if res.Indicators[i].Source == fallback {
			res.Indicators[i].Source = name
		}
	}
}

// wholeBodyProblem returns an ErrMalformed error naming url when the
// body read into res was not read as a whole: a bad header, a format or
// binary problem, or a problem of no line and no record (a gzip stream
// cut short …). The problems of single records are not errors: they are
// the records'.
func wholeBodyProblem(fc *fetch.Client, url string, res loader.Result) error {
	for _, p := range res.Problems {
		switch {
		case p.Reason == loader.ReasonBadHeader, p.Reason == loader.ReasonFormat, p.Reason == loader.ReasonBinary,
			p.Line == 0 && p.Record == "" && p.Reason != loader.ReasonTooMany:
			return fc.Errorf(url, fetch.ErrMalformed, "%s", p.Msg)
		}
	}
	return nil
}
