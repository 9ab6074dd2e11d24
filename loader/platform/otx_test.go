package platform

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
)

// The tests of this file check the HTTP behaviour of the OTX client with a
// stand-in reader (fakeOTXRead: the values of each pulse's indicators);
// otx_read_test.go reads the same pages with the OTX reader and checks
// the metadata.

// cloneJSON returns a deep copy of a pulse.
func cloneJSON(t *testing.T, p map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(p)
	require.NoError(t, err)
	var c map[string]any
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

// withoutIndicator returns a copy of p without its indicator value v,
// modified at modified.
func withoutIndicator(t *testing.T, p map[string]any, v, modified string) map[string]any {
	t.Helper()
	c := cloneJSON(t, p)
	inds := c["indicators"].([]any)
	c["indicators"] = slices.DeleteFunc(inds, func(x any) bool { return x.(map[string]any)["indicator"] == v })
	require.Len(t, c["indicators"], len(inds)-1, "fixture has %s", v)
	c["modified"] = modified
	return c
}

// newPulse returns a pulse id modified at modified with the indicators
// values (domains or addresses).
func newPulse(id, modified string, values ...string) map[string]any {
	var inds []any
	for i, v := range values {
		typ := "domain"
		if strings.Count(v, ".") == 3 && strings.Trim(v, "0123456789.") == "" {
			typ = "IPv4"
		}
		inds = append(inds, map[string]any{"id": 9000 + i, "indicator": v, "type": typ, "created": modified, "is_active": 1})
	}
	return map[string]any{"id": id, "name": "pulse " + id, "author_name": "tester", "created": modified, "modified": modified, "TLP": "white", "indicators": inds}
}

// query returns the query parameter k of request r.
func query(r *http.Request, k string) string { return r.URL.Query().Get(k) }

func TestOTXPagesOneByOne(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	s := newOTXServer(t, a, b)
	c, _ := newTestOTX(t, s, OTXOptions{Limit: 1}, false)
	p := NewOTXPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)

	reqs := s.reqs()
	require.Len(t, reqs, 2, "one request per page")
	for i, r := range reqs {
		assert.Equal(t, OTXSubscribedPath, r.URL.Path)
		assert.Equal(t, "1", query(r, "limit"))
		assert.Equal(t, []string{"1", "2"}[i], query(r, "page"))
		assert.Empty(t, query(r, "modified_since"), "the first poll reads every pulse")
		assert.Equal(t, testOTXKey, r.Header.Get(OTXKeyHeader), "the key goes to the API's host")
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
	}
	got := values(res)
	require.Len(t, got, 6+12)
	assert.Equal(t, "sha256:bd88aa59f50df195321e185fb5aa00e00a54fd79d94d2459191b7e5d709b8128", got[0], "pulse A first, as served")
	assert.Contains(t, got, "domain:1woat.top")
	assert.Contains(t, got, "domain:maper.info")
	assert.Equal(t, "md5:90421f8531f963d81cf54245b72cde80", got[7], "then pulse B's")
	require.Len(t, res.PerFile, 1)
	assert.Equal(t, loader.FileStats{Path: p.Name(), Format: loader.FormatOTX, Indicators: 18}, res.PerFile[0])
	assert.Equal(t, "otx:"+s.srv.URL+OTXSubscribedPath, p.Name())
	st := p.Stats()
	assert.Equal(t, 2, st.Pages)
	assert.Equal(t, 2, st.Pulses)
	assert.True(t, st.Full)
	assert.Equal(t, time.Date(2024, 3, 2, 12, 30, 0, 123000000, time.UTC), st.Newest)
	assert.Equal(t, st.Newest, p.Since(), "the next poll asks from the newest pulse on")
	assert.Equal(t, 2, p.Pulses())
	assert.Equal(t, "otx:pulse/64d31e8a5133613a90976b3f", res.Indicators[0].File, "each pulse is read under its own name")
}

func TestOTXAuthFailure(t *testing.T) {
	s := newOTXServer(t, otxPulse(t, "pulse-octoseek.json"))
	for _, tc := range []struct {
		name   string
		key    string
		status int
		kind   error
	}{
		{"bad key: 403 as OTX answers", "wrong-key-0000", http.StatusForbidden, fetch.ErrForbidden},
		{"401", testOTXKey, http.StatusUnauthorized, fetch.ErrUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.status == http.StatusUnauthorized {
				s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = w.Write([]byte(`{"detail": "Invalid API key"}`))
					return true
				})
				defer s.setHook(nil)
			}
			c, sl := newTestOTX(t, s, OTXOptions{Key: tc.key}, false)
			p := NewOTXPoller(c)
			_, err := p.Poll(context.Background(), loader.Options{})
			require.Error(t, err)
			t.Log(err)
			assert.ErrorIs(t, err, tc.kind)
			assert.Contains(t, err.Error(), "check the key (X-OTX-API-KEY)", "says which credential to check")
			assert.Contains(t, err.Error(), s.srv.URL+OTXSubscribedPath)
			if tc.status == http.StatusForbidden {
				assert.Contains(t, err.Error(), "Authentication required", "the server's message")
			}
			noSecret(t, err, tc.key)
			assert.Empty(t, sl.waits(), "an auth failure is not retried")
			assert.Zero(t, p.Pulses())
		})
	}
}

func TestOTXRateLimited(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	s := newOTXServer(t, a, b)
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n != 2 { // the second page, the first time
			return false
		}
		w.Header().Set("Retry-After", "7")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"detail": "Request was throttled."}`))
		return true
	})
	c, sl := newTestOTX(t, s, OTXOptions{Limit: 1}, false)
	p := NewOTXPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err, "waited, then the page")
	assert.Len(t, res.Indicators, 18)
	assert.Equal(t, []time.Duration{7 * time.Second}, sl.waits(), "the wait of Retry-After, through the Sleep hook")
	require.Len(t, s.reqs(), 3)
	assert.Equal(t, "2", query(s.reqs()[2], "page"), "the page asked for again")

	// a Retry-After longer than MaxRetryWait: the poll fails at once, the set stays
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	since := p.Since()
	s.set(a, withoutIndicator(t, b, "maper.info", "2024-03-09T00:00:00"))
	_, err = p.Poll(context.Background(), loader.Options{})
	require.Error(t, err)
	t.Log(err)
	assert.ErrorIs(t, err, fetch.ErrRateLimited)
	assert.Contains(t, err.Error(), "not retried")
	assert.Len(t, sl.waits(), 1, "no wait of an hour")
	assert.Equal(t, since, p.Since(), "cursor kept")
	assert.Equal(t, 2, p.Pulses())
	noSecret(t, err, testOTXKey)

	s.setHook(nil)
	res, err = p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 17, "the change is read once the server answers")
	assert.NotContains(t, values(res), "domain:maper.info")
}

func TestOTXMalformedPage(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	for _, tc := range []struct {
		name, body, ctype string
		kind              error
		msg               string
	}{
		{"bad JSON", `{"count": 2, "results": [{"id": "x", "indicators": [`, "application/json", fetch.ErrMalformed, "not a page of subscribed pulses"},
		{"no results", `{"count": 2, "next": null}`, "application/json", fetch.ErrMalformed, `no "results" array`},
		{"results not an array", `{"results": {"id": "x"}}`, "application/json", fetch.ErrMalformed, "not a page of subscribed pulses"},
		{"a pulse not an object", `{"results": [5]}`, "application/json", fetch.ErrMalformed, "results[0] is not a pulse"},
		{"a pulse without id", `{"results": [{"name": "no id", "indicators": []}]}`, "application/json", fetch.ErrMalformed, `no "id"`},
		{"next not a URL", `{"results": [], "next": 5}`, "application/json", fetch.ErrMalformed, `"next" is not a URL or null`},
		{"an HTML page", `<html>maintenance</html>`, "text/html", fetch.ErrContentType, `"text/html"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newOTXServer(t, a, b)
			c, _ := newTestOTX(t, s, OTXOptions{Limit: 1, HTTP: fetch.Options{MaxRetries: -1}}, false)
			p := NewOTXPoller(c)
			res1, err := p.Poll(context.Background(), loader.Options{})
			require.NoError(t, err)
			since := p.Since()

			// both pulses changed; the first page is good, the second not
			a2 := withoutIndicator(t, a, "1woat.top", "2024-04-01T00:00:00")
			b2 := withoutIndicator(t, b, "maper.info", "2024-04-02T00:00:00")
			s.set(a2, b2)
			s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if query(r, "page") != "2" {
					return false
				}
				w.Header().Set("Content-Type", tc.ctype)
				_, _ = w.Write([]byte(tc.body))
				return true
			})
			var res loader.Result
			require.NotPanics(t, func() { res, err = p.Poll(context.Background(), loader.Options{}) })
			require.Error(t, err)
			t.Log(err)
			assert.ErrorIs(t, err, tc.kind)
			assert.Contains(t, err.Error(), tc.msg)
			last := s.reqs()[len(s.reqs())-1]
			assert.Equal(t, "2", query(last, "page"))
			assert.Contains(t, err.Error(), s.srv.URL+last.URL.RequestURI(), "names the page's URL")
			assert.Empty(t, res.Indicators)
			// nothing half-applied: pulse A's change on page 1 is not in the set
			assert.Equal(t, since, p.Since())
			s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				http.Error(w, "down", http.StatusInternalServerError)
				return true
			})
			_, err = p.Poll(context.Background(), loader.Options{})
			require.Error(t, err)
			s.setHook(nil)
			res3, err := p.Poll(context.Background(), loader.Options{})
			require.NoError(t, err)
			assert.Len(t, res3.Indicators, len(res1.Indicators)-2, "both changes read when the page is good")
			assert.NotContains(t, values(res3), "domain:1woat.top")
			assert.NotContains(t, values(res3), "domain:maper.info")
		})
	}
}

func TestOTXNeverEndingPaging(t *testing.T) {
	for _, tc := range []struct {
		name  string
		next  func(n int) string // the next page's number after request n
		pulse bool
		kind  error
		reqs  int
	}{
		{"always one more page", func(n int) string { return strconv.Itoa(n + 1) }, true, fetch.ErrTooManyPages, 5},
		{"the same next page again", func(n int) string { return "2" }, true, fetch.ErrNoProgress, 2},
		{"empty pages that say there is more", func(n int) string { return strconv.Itoa(n + 1) }, false, fetch.ErrNoProgress, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newOTXServer(t)
			s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				results := []any{}
				if tc.pulse {
					results = append(results, newPulse("p"+strconv.Itoa(n), "2024-01-01T00:00:00", "h"+strconv.Itoa(n)+".example.net"))
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"count": 1 << 20, "results": results,
					"next": s.srv.URL + OTXSubscribedPath + "?limit=1&page=" + tc.next(n)})
				return true
			})
			c, _ := newTestOTX(t, s, OTXOptions{Limit: 1, MaxPages: 5}, false)
			p := NewOTXPoller(c)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := p.Poll(ctx, loader.Options{})
			require.Error(t, err)
			t.Log(err)
			assert.ErrorIs(t, err, tc.kind)
			assert.Len(t, s.reqs(), tc.reqs)
			assert.Zero(t, p.Pulses(), "nothing applied")
		})
	}
}

func TestOTXCancel(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	s := newOTXServer(t, a, b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if query(r, "page") != "2" {
			return false
		}
		cancel() // the caller gives up while the server is slow
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return true
	})
	c, _ := newTestOTX(t, s, OTXOptions{Limit: 1}, false)
	p := NewOTXPoller(c)
	start := time.Now()
	_, err := p.Poll(ctx, loader.Options{})
	require.Error(t, err)
	t.Log(err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 4*time.Second, "returns at the cancel, not at the server's pace")
	assert.Zero(t, p.Pulses())

	// cancelled before: no request
	n := len(s.reqs())
	_, err = p.Poll(ctx, loader.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, s.reqs(), n)
}

func TestOTXNextOnAnotherHost(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		if r.Header.Get(OTXKeyHeader) != "" {
			t.Errorf("the key went to another host")
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"results": [], "next": null}`))
	}))
	defer other.Close()
	s := newOTXServer(t, a, b)
	for _, tc := range []struct{ name, next string }{
		{"another host", other.URL + OTXSubscribedPath + "?limit=1&page=2"},
		{"another name of the same address", strings.Replace(s.srv.URL, "127.0.0.1", "localhost", 1) + OTXSubscribedPath + "?page=2"},
		{"user info", strings.Replace(s.srv.URL, "http://", "http://u:p@", 1) + OTXSubscribedPath + "?page=2"},
		{"https to http", strings.Replace(s.srv.URL, "http://", "https://", 1) + OTXSubscribedPath + "?page=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"results": []any{a}, "next": tc.next})
				return true
			})
			c, _ := newTestOTX(t, s, OTXOptions{Limit: 1}, false)
			p := NewOTXPoller(c)
			_, err := p.Poll(context.Background(), loader.Options{})
			require.Error(t, err)
			t.Log(err)
			assert.ErrorIs(t, err, ErrNextOtherHost)
			assert.Contains(t, err.Error(), "not followed")
			assert.NotContains(t, err.Error(), "u:p@", "no password shown")
			noSecret(t, err, testOTXKey)
			assert.Zero(t, otherHits.Load(), "no request to the other host")
			assert.Zero(t, p.Pulses())
		})
	}

	// a relative next, on the same host, is followed
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if query(r, "page") == "2" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"results": []any{a}, "next": OTXSubscribedPath + "?limit=1&page=2"})
		return true
	})
	c, _ := newTestOTX(t, s, OTXOptions{Limit: 1}, false)
	p := NewOTXPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 6+12)
	assert.Equal(t, 2, p.Pulses())
}

func TestOTXIncremental(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	s := newOTXServer(t, a, b)
	clock := &testClock{t: time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)}
	c, _ := newTestOTX(t, s, OTXOptions{Limit: 1, HTTP: fetch.Options{Now: clock.Now}}, false)
	p := NewOTXPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	require.Len(t, res.Indicators, 18)

	// B loses an indicator and gains one; a new pulse C
	b2 := withoutIndicator(t, b, "maper.info", "2024-03-05T08:00:00.500000")
	b2["indicators"] = append(b2["indicators"].([]any), map[string]any{"id": 1, "indicator": "new-c2.example.net", "type": "domain"})
	pc := newPulse("65aaaaaaaaaaaaaaaaaaaaaa", "2024-03-04T00:00:00", "198.51.100.7", "c-pulse.example.org")
	s.set(a, b2, pc)
	clock.Add(time.Hour)
	n := len(s.reqs())
	res, err = p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	reqs := s.reqs()[n:]
	require.Len(t, reqs, 2, "B2 and C, one per page")
	assert.Equal(t, "2024-03-02T12:30:00.123000", query(reqs[0], "modified_since"), "only what changed since the newest pulse read")
	assert.Equal(t, "2", query(reqs[1], "page"))
	assert.Equal(t, "2024-03-02T12:30:00.123000", query(reqs[1], "modified_since"))
	got := values(res)
	assert.Len(t, got, 6+12-1+1+2, "the whole current set")
	assert.NotContains(t, got, "domain:maper.info", "removed from its pulse")
	assert.Contains(t, got, "domain:new-c2.example.net")
	assert.Contains(t, got, "ipv4:198.51.100.7")
	assert.Contains(t, got, "domain:1woat.top", "pulse A, not re-read, kept")
	assert.Equal(t, 20, res.PerFile[0].Indicators)
	st := p.Stats()
	assert.False(t, st.Full)
	assert.Equal(t, 2, st.Pulses)
	assert.Equal(t, 1, st.Replaced)
	assert.Equal(t, time.Date(2024, 3, 5, 8, 0, 0, 500000000, time.UTC), p.Since())

	// nothing changed: the newest pulse is read again (modified_since is inclusive), the set is the same
	n = len(s.reqs())
	res2, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, got, values(res2))
	assert.Equal(t, "2024-03-05T08:00:00.500000", query(s.reqs()[n], "modified_since"))

	// a day later the poll is full: pulse A, gone from the subscription, is dropped
	s.set(b2, pc)
	clock.Add(DefaultOTXFullInterval)
	n = len(s.reqs())
	res, err = p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Empty(t, query(s.reqs()[n], "modified_since"))
	assert.NotContains(t, values(res), "domain:1woat.top")
	assert.Len(t, res.Indicators, 12+2)
	st = p.Stats()
	assert.True(t, st.Full)
	assert.Equal(t, 1, st.Dropped)
	assert.Equal(t, 2, st.Replaced)

	// SetSince restores a cursor: the first poll of a new Poller is then incremental
	p2 := NewOTXPoller(c)
	p2.SetSince(time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC))
	n = len(s.reqs())
	res, err = p2.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, "2024-03-04T12:00:00.000000", query(s.reqs()[n], "modified_since"))
	assert.Len(t, res.Indicators, 12, "only B2")
}

func TestOTXSinceOption(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	s := newOTXServer(t, a, b)
	c, _ := newTestOTX(t, s, OTXOptions{Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, false)
	res, err := NewOTXPoller(c).Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, "2024-01-01T00:00:00.000000", query(s.reqs()[0], "modified_since"))
	assert.Equal(t, "50", query(s.reqs()[0], "limit"), "DefaultOTXLimit")
	assert.Len(t, res.Indicators, 12, "only pulse B is that recent")
}

func TestOTXMoreIndicators(t *testing.T) {
	pm := newPulse("65bbbbbbbbbbbbbbbbbbbbbb", "2024-02-01T00:00:00", "first.example.net")
	pm["more_indicators"] = true
	s := newOTXServer(t, pm)
	full := newPulse("x", "2024-02-01T00:00:00", "first.example.net", "second.example.net", "203.0.113.9")["indicators"].([]any)
	s.mu.Lock()
	s.extra["65bbbbbbbbbbbbbbbbbbbbbb"] = full
	s.mu.Unlock()
	c, _ := newTestOTX(t, s, OTXOptions{}, false)
	p := NewOTXPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:first.example.net", "domain:second.example.net", "ipv4:203.0.113.9"}, values(res))
	reqs := s.reqs()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/api/v1/pulses/65bbbbbbbbbbbbbbbbbbbbbb/indicators", reqs[1].URL.Path)
	assert.Equal(t, testOTXKey, reqs[1].Header.Get(OTXKeyHeader))
	assert.Equal(t, 2, p.Stats().Pages)
}

func TestOTXLiveReload(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	s := newOTXServer(t, a, b)
	c, _ := newTestOTX(t, s, OTXOptions{Limit: 1, HTTP: fetch.Options{MaxRetries: -1}}, false)
	p := NewOTXPoller(c)
	now := time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)
	m, err := live.New(context.Background(), live.Options{Feeds: []live.Feed{p}, KeepMemory: true, Now: func() time.Time { return now }})
	require.NoError(t, err)
	defer m.Close()
	line := []byte("GET http://maper.info/x from 89.160.20.156 to new-c2.example.net")
	matches := func() []string {
		set := m.Current()
		var out []string
		for _, x := range set.Matcher.AppendMatches(nil, line) {
			out = append(out, x.Type.String()+":"+set.Matcher.Entry(x.ID).Value)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	assert.Equal(t, []string{"domain:maper.info", "ipv4:89.160.20.156"}, matches())
	src := m.Current().Sources[0]
	assert.True(t, src.Feed)
	assert.Equal(t, p.Name(), src.Name)
	assert.Equal(t, 18, src.Indicators)

	b2 := withoutIndicator(t, b, "maper.info", "2024-03-05T00:00:00")
	b2["indicators"] = append(b2["indicators"].([]any), map[string]any{"id": 1, "indicator": "new-c2.example.net", "type": "domain"})
	s.set(a, b2)
	ev, err := m.Reload(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:new-c2.example.net", "ipv4:89.160.20.156"}, matches())
	assert.Equal(t, 1, ev.Diff.Added)
	assert.Equal(t, 1, ev.Diff.Removed)
	assert.Equal(t, uint64(2), m.Current().Generation)

	// rate limited for an hour: the build fails, the current set stays
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	_, err = m.Reload(context.Background())
	require.Error(t, err)
	t.Log(err)
	assert.ErrorIs(t, err, fetch.ErrRateLimited)
	assert.Equal(t, uint64(2), m.Current().Generation)
	assert.Equal(t, []string{"domain:new-c2.example.net", "ipv4:89.160.20.156"}, matches())
}

func TestNewOTXErrors(t *testing.T) {
	for _, tc := range []struct {
		opts OTXOptions
		msg  string
	}{
		{OTXOptions{}, "no API key"},
		{OTXOptions{Key: "k", BaseURL: "ftp://otx.example/"}, "not an http or https URL"},
		{OTXOptions{Key: "k", BaseURL: "otx.alienvault.com"}, "not an http or https URL"},
		{OTXOptions{Key: "k", BaseURL: "https://u:secret@otx.example/"}, "has user info"},
		{OTXOptions{Key: "k", Limit: -1}, "negative Limit"},
		{OTXOptions{Key: "k", HTTP: fetch.Options{MaxResponseSize: -1}}, "negative MaxResponseSize"},
	} {
		_, err := NewOTX(tc.opts)
		if assert.Error(t, err, "%+v", tc.opts) {
			assert.Contains(t, err.Error(), tc.msg)
			assert.NotContains(t, err.Error(), "secret")
		}
	}
	c, err := NewOTX(OTXOptions{Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, "https://otx.alienvault.com/api/v1/pulses/subscribed?limit=50&page=1", c.SubscribedURL(time.Time{}))
	c, err = NewOTX(OTXOptions{Key: "k", BaseURL: "https://proxy.example/otx/", Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, "https://proxy.example/otx/api/v1/pulses/subscribed?limit=10&modified_since=2024-01-02T03%3A04%3A05.000000&page=1",
		c.SubscribedURL(time.Date(2024, 1, 2, 4, 4, 5, 0, time.FixedZone("CET", 3600))))
	assert.Equal(t, "otx:https://proxy.example/otx/api/v1/pulses/subscribed", NewOTXPoller(c).Name())
	c, err = NewOTX(OTXOptions{Key: "k", BaseURL: "https://otx.alienvault.com/api/v1/"})
	require.NoError(t, err)
	assert.Equal(t, "otx:https://otx.alienvault.com/api/v1/pulses/subscribed", NewOTXPoller(c).Name(), "a base URL given with /api/v1")
}

func TestOTXTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2023-08-09T05:05:14.946000": time.Date(2023, 8, 9, 5, 5, 14, 946000000, time.UTC),
		"2023-09-07T00:00:00":        time.Date(2023, 9, 7, 0, 0, 0, 0, time.UTC),
		"2023-09-07T02:00:00+02:00":  time.Date(2023, 9, 7, 0, 0, 0, 0, time.UTC),
	} {
		got, err := ParseOTXTime(in)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), "%s: %v", in, got)
	}
	_, err := ParseOTXTime("yesterday")
	assert.Error(t, err)
	assert.Equal(t, "2023-08-09T05:05:14.946000", FormatOTXTime(time.Date(2023, 8, 9, 5, 5, 14, 946000000, time.UTC)))
}

func TestOTXMaxIndicators(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	s := newOTXServer(t, a)
	c, _ := newTestOTX(t, s, OTXOptions{}, false)
	p := NewOTXPoller(c)
	_, err := p.Poll(context.Background(), loader.Options{MaxIndicators: 15})
	require.NoError(t, err)
	s.set(a, b)
	_, err = p.Poll(context.Background(), loader.Options{MaxIndicators: 15})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the current set of the subscribed pulses would hold 18 indicators, more than Options.MaxIndicators (15)")
	assert.Equal(t, 1, p.Pulses(), "not applied")
}
