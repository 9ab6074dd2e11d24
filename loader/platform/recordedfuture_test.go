package platform

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
)

const rfToken = "rf-secret-token-0123"

// rfServer is a fake Recorded Future API serving the risk lists of
// testdata/recordedfuture, checking the token.
type rfServer struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	lists    map[string][]byte // "/v2/url/risklist" → body
	gzipped  map[string]bool   // served gzip-compressed (application/gzip)
	etag     map[string]string // sent as ETag; a matching If-None-Match gets 304
	requests []*http.Request
	fail     func(w http.ResponseWriter, r *http.Request) bool // answers instead, when it returns true
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

func newRFServer(t *testing.T) *rfServer {
	s := &rfServer{t: t, lists: map[string][]byte{
		"/v2/url/risklist":  readTestdata(t, "recordedfuture/url_risklist.csv"),
		"/v2/hash/risklist": readTestdata(t, "recordedfuture/hash_risklist.csv"),
		"/v2/ip/risklist":   readTestdata(t, "recordedfuture/ip_risklist.csv"),
	}, gzipped: map[string]bool{}, etag: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *rfServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(context.Background()))
	fail := s.fail
	body, ok := s.lists[r.URL.Path]
	gz, etag := s.gzipped[r.URL.Path], s.etag[r.URL.Path]
	s.mu.Unlock()
	if fail != nil && fail(w, r) {
		return
	}
	if r.Header.Get("X-RFToken") != rfToken {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"status":401,"message":"Unauthorized (invalid or missing token)"}}`))
		return
	}
	q := r.URL.Query()
	if r.URL.Path == "/v2/fusion/files/" {
		s.mu.Lock()
		body, ok = s.lists["fusion:"+q.Get("path")]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(body)
		return
	}
	if !ok || q.Get("format") != "csv/splunk" || q.Get("list") == "" {
		http.NotFound(w, r)
		return
	}
	if etag != "" {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if gz && q.Get("gzip") == "true" {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(b.Bytes())
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Write(body)
}

func (s *rfServer) set(path string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists[path] = body
}

func (s *rfServer) setFail(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

func (s *rfServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *rfServer) last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[len(s.requests)-1]
}

// rftcClock is a settable clock.
type rftcClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *rftcClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *rftcClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rftcSleeps records the waits of the fetch layer instead of sleeping.
type rftcSleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *rftcSleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *rftcSleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func newRF(t *testing.T, srv *rfServer, lists ...string) (*RecordedFuture, *rftcClock, *rftcSleeps) {
	t.Helper()
	clock := &rftcClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	sl := &rftcSleeps{}
	opts := RecordedFutureOptions{Token: rfToken, BaseURL: srv.URL, Now: clock.Now,
		HTTP: fetch.Options{Sleep: sl.Sleep, Jitter: func() float64 { return 0 }, MaxRetryWait: time.Minute, Timeout: 10 * time.Second}}
	for _, s := range lists {
		l, err := ParseRiskList(s)
		require.NoError(t, err)
		opts.Lists = append(opts.Lists, l)
	}
	c, err := NewRecordedFuture(opts)
	require.NoError(t, err)
	return c, clock, sl
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func indicatorStrings(inds []indicator.Indicator) []string {
	var out []string
	for _, ind := range inds {
		out = append(out, ind.String())
	}
	return out
}

func findIndicator(t *testing.T, inds []indicator.Indicator, value string) indicator.Indicator {
	t.Helper()
	for _, ind := range inds {
		if ind.Value == value {
			return ind
		}
	}
	t.Fatalf("no indicator %q in %v", value, indicatorStrings(inds))
	return indicator.Indicator{}
}

func TestParseRiskList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want RiskList
		path string
		err  string
	}{
		{"ip", RiskList{Entity: "ip"}, "/v2/ip/risklist?format=csv/splunk&gzip=true&list=default", ""},
		{"Domain", RiskList{Entity: "domain"}, "/v2/domain/risklist?format=csv/splunk&gzip=true&list=default", ""},
		{"ip:large", RiskList{Entity: "ip", List: "large"}, "/v2/ip/risklist?format=csv/splunk&gzip=true&list=large", ""},
		{"hash:recentPositiveMalwareVerdict", RiskList{Entity: "hash", List: "recentPositiveMalwareVerdict"}, "/v2/hash/risklist?format=csv/splunk&gzip=true&list=recentPositiveMalwareVerdict", ""},
		{"fusion:/public/risklists/default_ip_risklist.csv", RiskList{FusionPath: "/public/risklists/default_ip_risklist.csv"}, "/v2/fusion/files/?path=%2Fpublic%2Frisklists%2Fdefault_ip_risklist.csv", ""},
		{"fusion:Domain", RiskList{FusionPath: "/public/risklists/default_domain_risklist.csv"}, "/v2/fusion/files/?path=%2Fpublic%2Frisklists%2Fdefault_domain_risklist.csv", ""},
		{"vulnerability", RiskList{}, "", "not ip, domain, url or hash"},
		{"ip:a&b", RiskList{}, "", "bad list name"},
		{"fusion:public.csv", RiskList{}, "", "a path such as"},
	} {
		l, err := ParseRiskList(tc.in)
		if tc.err != "" {
			assert.ErrorContains(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, l, tc.in)
		assert.Equal(t, tc.path, l.path(), tc.in)
		back, err := ParseRiskList(l.String())
		require.NoError(t, err)
		assert.Equal(t, l, back, "String round trip of %q", tc.in)
	}
}

func TestNewRecordedFutureOptions(t *testing.T) {
	_, err := NewRecordedFuture(RecordedFutureOptions{})
	assert.ErrorContains(t, err, "no API token")
	_, err = NewRecordedFuture(RecordedFutureOptions{Token: "t", BaseURL: "ftp://x"})
	assert.ErrorContains(t, err, "not an http or https URL")
	_, err = NewRecordedFuture(RecordedFutureOptions{Token: "t", Lists: []RiskList{{Entity: "cve"}}})
	assert.ErrorContains(t, err, `"cve"`)
	c, err := NewRecordedFuture(RecordedFutureOptions{Token: "t"})
	require.NoError(t, err)
	assert.Equal(t, "recordedfuture:ip", c.Name())
	assert.Equal(t, "https://api.recordedfuture.com/v2/ip/risklist?format=csv/splunk&gzip=true&list=default", c.URL(RiskList{Entity: "ip"}))
}

// The lists are downloaded one by one with the token and read with their
// metadata (the readers of package loader: risk → confidence, the
// highest criticality → severity, rules and labels → tags, evidence
// time → last seen); a gzipped download is read too.
func TestRecordedFuturePoll(t *testing.T) {
	srv := newRFServer(t)
	srv.gzipped["/v2/hash/risklist"] = true
	c, _, _ := newRF(t, srv, "url", "hash")
	assert.Equal(t, "recordedfuture:url,hash", c.Name())
	res, err := c.Poll(testCtx(t), loader.Options{})
	require.NoError(t, err)
	require.Equal(t, 2, srv.count())
	for i, path := range []string{"/v2/url/risklist", "/v2/hash/risklist"} {
		r := srv.requests[i]
		assert.Equal(t, path, r.URL.Path)
		assert.Equal(t, "format=csv/splunk&gzip=true&list=default", r.URL.RawQuery)
		assert.Equal(t, rfToken, r.Header.Get("X-RFToken"))
	}
	assert.Equal(t, []string{
		"url:http://144.34.179.162/a",
		"url:http://adminsys.serveftp.com/nensa/fabio/ex/478632215/zer7855/nuns566623",
		"url:http://3.145.115.94/zambo/groenhuyzen.exe",
		"sha256:63212aa8c94098a844945ed1611389b2e1c9dc3906a5ba9d7d0d320344213f4f",
		"sha256:ea0e23a30aa252e4c8a7a8cb92ac2bba1ffcb4e94027bca555798b2920f9bfab",
	}, indicatorStrings(res.Indicators))
	u := findIndicator(t, res.Indicators, "http://144.34.179.162/a")
	assert.Equal(t, 87, u.Confidence.Value())
	assert.Equal(t, indicator.SeverityHigh, u.Severity) // a Malicious rule: criticality 3
	assert.Contains(t, u.Tags, "Recently Reported by Insikt Group")
	assert.Contains(t, u.Tags, "Malicious")
	assert.Equal(t, time.Date(2021, 7, 20, 0, 0, 0, 0, time.UTC), u.LastSeen.UTC())
	assert.Equal(t, indicator.TLPUnknown, u.TLP) // risk lists carry no TLP
	assert.True(t, u.ValidUntil.IsZero())        // nor a validity: each download is the whole list
	assert.Equal(t, "recordedfuture:url", u.Source)
	h := findIndicator(t, res.Indicators, "ea0e23a30aa252e4c8a7a8cb92ac2bba1ffcb4e94027bca555798b2920f9bfab") // the ragged row
	assert.Equal(t, 75, h.Confidence.Value())
	assert.Equal(t, "recordedfuture:hash", h.Source)
	require.Len(t, res.PerFile, 2)
	assert.Equal(t, srv.URL+"/v2/url/risklist?format=csv/splunk&gzip=true&list=default", res.PerFile[0].Path)

	// a Fusion file
	srv.set("fusion:/public/risklists/default_ip_risklist.csv", readTestdata(t, "recordedfuture/ip_risklist.csv"))
	c2, _, _ := newRF(t, srv, "fusion:ip")
	res, err = c2.Poll(testCtx(t), loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, "/v2/fusion/files/", srv.last().URL.Path)
	assert.Equal(t, "path=%2Fpublic%2Frisklists%2Fdefault_ip_risklist.csv", srv.last().URL.RawQuery)
	assert.Equal(t, []string{"ipv4:192.168.0.1"}, indicatorStrings(res.Indicators))
	assert.Equal(t, "recordedfuture:fusion:/public/risklists/default_ip_risklist.csv", res.Indicators[0].Source)

	// Options.Source wins
	c2, _, _ = newRF(t, srv, "ip")
	res, err = c2.Poll(testCtx(t), loader.Options{Source: "RF"})
	require.NoError(t, err)
	require.Len(t, res.Indicators, 1)
	assert.Equal(t, "RF", res.Indicators[0].Source)
	assert.Equal(t, 65, res.Indicators[0].Confidence.Value())
}

// Within MinInterval a Poll returns the previous snapshot without a
// request; after it, a list with the same ETag is not downloaded again
// (304) and keeps its indicators, a changed one is read anew.
func TestRecordedFutureMinIntervalAndNotModified(t *testing.T) {
	srv := newRFServer(t)
	srv.etag["/v2/url/risklist"] = `"url-v1"`
	srv.etag["/v2/ip/risklist"] = `"ip-v1"`
	c, clock, _ := newRF(t, srv, "url", "ip")
	ctx := testCtx(t)
	first, err := c.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	require.Equal(t, 2, srv.count())
	require.Len(t, first.Indicators, 4)

	clock.Add(59 * time.Minute)
	again, err := c.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, 2, srv.count(), "no request within MinInterval")
	assert.Equal(t, indicatorStrings(first.Indicators), indicatorStrings(again.Indicators))

	// the URL list changes (a new ETag); the IP list does not
	srv.set("/v2/url/risklist", readTestdata(t, "recordedfuture/url_risklist_next.csv"))
	srv.mu.Lock()
	srv.etag["/v2/url/risklist"] = `"url-v2"`
	srv.mu.Unlock()
	clock.Add(2 * time.Minute)
	next, err := c.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	require.Equal(t, 4, srv.count())
	assert.Equal(t, `"url-v1"`, srv.requests[2].Header.Get("If-None-Match"))
	assert.Equal(t, `"ip-v1"`, srv.requests[3].Header.Get("If-None-Match"))
	assert.Equal(t, []string{
		"url:http://adminsys.serveftp.com/nensa/fabio/ex/478632215/zer7855/nuns566623",
		"url:http://3.145.115.94/zambo/groenhuyzen.exe",
		"url:http://gxbrowser.net/",
		"ipv4:192.168.0.1", // 304: kept
	}, indicatorStrings(next.Indicators))
	assert.Equal(t, 65, findIndicator(t, next.Indicators, "192.168.0.1").Confidence.Value())

	// a negative MinInterval downloads every time
	c2, err := NewRecordedFuture(RecordedFutureOptions{Token: rfToken, BaseURL: srv.URL, MinInterval: -1, Lists: []RiskList{{Entity: "ip"}}})
	require.NoError(t, err)
	for range 2 {
		_, err = c2.Poll(ctx, loader.Options{})
		require.NoError(t, err)
	}
	assert.Equal(t, 6, srv.count())
}

// A 401 or 403 says which credential to check, without the token; the
// snapshot does not change.
func TestRecordedFutureAuth(t *testing.T) {
	srv := newRFServer(t)
	for _, tc := range []struct {
		status int
		kind   error
		want   string
	}{
		{401, fetch.ErrUnauthorized, "401 Unauthorized: Unauthorized (invalid or missing token) (missing or bad API token: check the token (-recordedfuture-token or $X_RF_TOKEN))"},
		{403, fetch.ErrForbidden, "403 Forbidden"},
	} {
		c, err := NewRecordedFuture(RecordedFutureOptions{Token: "wrong-token", BaseURL: srv.URL, CredentialHint: "-recordedfuture-token or $X_RF_TOKEN"})
		require.NoError(t, err)
		if tc.status == 403 {
			srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
				w.WriteHeader(http.StatusForbidden)
				return true
			})
		}
		_, err = c.Poll(testCtx(t), loader.Options{})
		require.Error(t, err)
		assert.ErrorIs(t, err, tc.kind)
		assert.Contains(t, err.Error(), tc.want)
		assert.Contains(t, err.Error(), srv.URL+"/v2/ip/risklist")
		assert.NotContains(t, err.Error(), "wrong-token")
		if tc.status == 403 {
			assert.Contains(t, err.Error(), "no access to this risk list")
		}
	}
}

// A 429 with Retry-After is waited for (the fetch layer's Sleep), then
// the download succeeds; a Retry-After longer than MaxRetryWait is an
// error at once.
func TestRecordedFutureRateLimit(t *testing.T) {
	srv := newRFServer(t)
	n := 0
	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		if n++; n == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	})
	c, _, sl := newRF(t, srv, "ip")
	res, err := c.Poll(testCtx(t), loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{7 * time.Second}, sl.waits())
	assert.Equal(t, []string{"ipv4:192.168.0.1"}, indicatorStrings(res.Indicators))
	assert.Equal(t, 2, srv.count())

	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	c, _, sl = newRF(t, srv, "ip")
	_, err = c.Poll(testCtx(t), loader.Options{})
	assert.ErrorIs(t, err, fetch.ErrRateLimited)
	assert.ErrorContains(t, err, "not retried: Retry-After 1h0m0s is longer than MaxRetryWait 1m0s")
	assert.Empty(t, sl.waits())
	assert.Equal(t, 3, srv.count())
}

// A download that is not a risk list (another type, a bad header, a
// gzip stream cut short) fails the Poll with an error naming the URL;
// when one of two lists fails, nothing of the Poll is kept: the next Poll
// downloads both again.
func TestRecordedFutureMalformed(t *testing.T) {
	srv := newRFServer(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(readTestdata(t, "recordedfuture/url_risklist.csv"))
	zw.Close()
	for _, tc := range []struct {
		name, ct string
		body     []byte
		kind     error
		want     string
	}{
		{"html", "text/html", []byte("<html>login</html>"), fetch.ErrContentType, `response of type "text/html", not a CSV risk list`},
		{"bad header", "text/csv", []byte("<html>login</html>\n"), fetch.ErrMalformed, "not a Recorded Future risk list header"},
		{"cut gzip", "application/gzip", gz.Bytes()[:gz.Len()/2], fetch.ErrMalformed, "unexpected EOF"},
		{"empty", "text/csv", nil, fetch.ErrMalformed, "an empty risk list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, clock, _ := newRF(t, srv, "ip", "url")
			srv.setFail(nil)
			good, err := c.Poll(testCtx(t), loader.Options{})
			require.NoError(t, err)
			require.Len(t, good.Indicators, 4)
			srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasPrefix(r.URL.Path, "/v2/url/") {
					return false
				}
				w.Header().Set("Content-Type", tc.ct)
				w.Write(tc.body)
				return true
			})
			clock.Add(2 * time.Hour)
			before := srv.count()
			_, err = c.Poll(testCtx(t), loader.Options{})
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.ErrorContains(t, err, tc.want)
			assert.ErrorContains(t, err, "recordedfuture: GET "+srv.URL+"/v2/url/risklist?")
			assert.Equal(t, before+2, srv.count())
			// nothing was kept: the next Poll (not within MinInterval of a
			// success) downloads both lists again
			srv.setFail(nil)
			res, err := c.Poll(testCtx(t), loader.Options{})
			require.NoError(t, err)
			assert.Equal(t, before+4, srv.count())
			assert.Equal(t, indicatorStrings(good.Indicators), indicatorStrings(res.Indicators))
		})
	}
}

// A redirect to another host is followed without the token.
func TestRecordedFutureRedirectOtherHost(t *testing.T) {
	var gotToken []string
	var mu sync.Mutex
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotToken = append(gotToken, r.Header.Get("X-RFToken"))
		mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer other.Close()
	srv := newRFServer(t)
	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		http.Redirect(w, r, other.URL+"/files/ip.csv", http.StatusFound)
		return true
	})
	c, _, _ := newRF(t, srv, "ip")
	_, err := c.Poll(testCtx(t), loader.Options{})
	require.Error(t, err)
	assert.ErrorContains(t, err, "the credentials were not sent to this host")
	assert.Equal(t, rfToken, srv.last().Header.Get("X-RFToken"))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{""}, gotToken)
}

// A Poll whose context is cancelled while the server holds the response
// returns the context's error at once; nothing is kept.
func TestRecordedFutureCancel(t *testing.T) {
	srv := newRFServer(t)
	started := make(chan struct{}, 1)
	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		started <- struct{}{}
		<-r.Context().Done()
		return true
	})
	c, _, _ := newRF(t, srv, "ip")
	ctx, cancel := context.WithCancel(testCtx(t))
	go func() { <-started; cancel() }()
	start := time.Now()
	_, err := c.Poll(ctx, loader.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.False(t, c.have)
}

// A live.Matcher with the client in Options.Feeds picks up the next
// snapshot at a Reload, and keeps its set when a download fails.
func TestRecordedFutureLive(t *testing.T) {
	srv := newRFServer(t)
	c, clock, _ := newRF(t, srv, "url")
	ctx := testCtx(t)
	now := func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	lm, err := live.New(ctx, live.Options{Feeds: []live.Feed{c}, Now: now, WatchInterval: -1})
	require.NoError(t, err)
	defer lm.Close()
	m := lm.Current().Matcher
	assert.NotEmpty(t, m.LookupURL("http://144.34.179.162/a"))
	assert.Empty(t, m.LookupURL("http://gxbrowser.net/"))

	// a Retry-After too long: the reload fails, the set stays
	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "86400")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	clock.Add(2 * time.Hour)
	_, err = lm.Reload(ctx)
	require.ErrorIs(t, err, fetch.ErrRateLimited)
	assert.Equal(t, uint64(1), lm.Current().Generation)
	assert.NotEmpty(t, lm.Current().Matcher.LookupURL("http://144.34.179.162/a"))

	srv.setFail(nil)
	srv.set("/v2/url/risklist", readTestdata(t, "recordedfuture/url_risklist_next.csv"))
	_, err = lm.Reload(ctx)
	require.NoError(t, err)
	m = lm.Current().Matcher
	assert.Equal(t, uint64(2), lm.Current().Generation)
	assert.Empty(t, m.LookupURL("http://144.34.179.162/a"))
	assert.NotEmpty(t, m.LookupURL("http://gxbrowser.net/"))
}
