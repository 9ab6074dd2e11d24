package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/fetch"
)

// testAbuseIPDBKey is the API key the test server wants.
const testAbuseIPDBKey = "abuseipdb-test-key-77e2"

// abuseIPDBAuthError is AbuseIPDB's answer to a bad key.
const abuseIPDBAuthError = `{"errors":[{"detail":"Authentication failed. Your API key is either missing, incorrect, or revoked. Note: The APIv2 key differs from the APIv1 key.","status":401}]}`

// abuseServer is an httptest AbuseIPDB API serving its blacklist (a
// body) at /api/v2/blacklist to testAbuseIPDBKey.
type abuseServer struct {
	srv *httptest.Server

	mu       sync.Mutex
	body     []byte
	requests []*http.Request
	hook     func(w http.ResponseWriter, r *http.Request, n int) bool
}

func newAbuseServer(t *testing.T, body []byte) *abuseServer {
	t.Helper()
	s := &abuseServer{body: body}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Clone(context.Background()))
		n, hook, body := len(s.requests), s.hook, s.body
		s.mu.Unlock()
		if hook != nil && hook(w, r, n) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get(AbuseIPDBKeyHeader) != testAbuseIPDBKey {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(abuseIPDBAuthError))
			return
		}
		if r.URL.Path != AbuseIPDBBlacklistPath {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errors":[{"detail":"Not found","status":404}]}`))
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *abuseServer) setBody(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = b
}

func (s *abuseServer) setHook(h func(w http.ResponseWriter, r *http.Request, n int) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = h
}

func (s *abuseServer) reqs() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.requests...)
}

// abuseFixture reads testdata/abuseipdb/blacklist.json.
func abuseFixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "abuseipdb", "blacklist.json"))
	require.NoError(t, err)
	return b
}

// abuseWith returns the fixture with its data entries kept by keep and
// the entries add appended.
func abuseWith(t *testing.T, keep func(ip string) bool, add ...map[string]any) []byte {
	t.Helper()
	var bl struct {
		Meta map[string]any   `json:"meta"`
		Data []map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal(abuseFixture(t), &bl))
	bl.Data = slices.DeleteFunc(bl.Data, func(e map[string]any) bool { return !keep(e["ipAddress"].(string)) })
	bl.Data = append(bl.Data, add...)
	b, err := json.Marshal(bl)
	require.NoError(t, err)
	return b
}

// fakeAbuseIPDBRead is a stand-in for the AbuseIPDB reader, for the tests
// of the HTTP behaviour: the "ipAddress" of each "data" entry, read as a
// plain list.
func fakeAbuseIPDBRead(body []byte, name string, f loader.Format, opts loader.Options) (loader.Result, error) {
	if f != loader.FormatAbuseIPDB {
		return loader.Result{}, fmt.Errorf("fake reader: format %q", f)
	}
	var bl struct {
		Data []struct {
			IP string `json:"ipAddress"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &bl); err != nil {
		return loader.Result{}, err
	}
	var b bytes.Buffer
	for _, e := range bl.Data {
		b.WriteString(e.IP + "\n")
	}
	opts.Format = loader.FormatList
	return loader.Read(&b, name, opts)
}

func newTestAbuseIPDB(t *testing.T, s *abuseServer, opts AbuseIPDBOptions, real bool) (*AbuseIPDB, *sleeps, *testClock) {
	t.Helper()
	if opts.Key == "" {
		opts.Key = testAbuseIPDBKey
	}
	if opts.BaseURL == "" {
		opts.BaseURL = s.srv.URL
	}
	sl := &sleeps{}
	clock := &testClock{t: time.Date(2025, 5, 18, 20, 0, 0, 0, time.UTC)}
	if opts.HTTP.Sleep == nil {
		opts.HTTP.Sleep = sl.sleep
	}
	if opts.HTTP.Now == nil {
		opts.HTTP.Now = clock.Now
	}
	if opts.HTTP.Timeout == 0 {
		opts.HTTP.Timeout = 10 * time.Second
	}
	c, err := NewAbuseIPDB(opts)
	require.NoError(t, err)
	if !real {
		c.read = fakeAbuseIPDBRead
	}
	return c, sl, clock
}

func TestAbuseIPDBBlacklist(t *testing.T) {
	s := newAbuseServer(t, abuseFixture(t))
	c, _, _ := newTestAbuseIPDB(t, s, AbuseIPDBOptions{}, false)
	p := NewAbuseIPDBPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	reqs := s.reqs()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, AbuseIPDBBlacklistPath, r.URL.Path)
	assert.Equal(t, "100", query(r, "confidenceMinimum"), "the API's default, the free tier's only value")
	assert.Equal(t, "10000", query(r, "limit"), "the free tier's most")
	assert.Equal(t, testAbuseIPDBKey, r.Header.Get("Key"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"), "the JSON, which has the scores")
	got := values(res)
	require.Len(t, got, 16)
	assert.Equal(t, "ipv4:128.199.118.234", got[0])
	assert.Equal(t, "ipv6:2602:fb54:c7b::", got[14])
	assert.Equal(t, "abuseipdb:"+s.srv.URL+"/api/v2/blacklist?confidenceMinimum=100&limit=10000", p.Name())
	assert.Equal(t, 1, p.Requests())

	c, _, _ = newTestAbuseIPDB(t, s, AbuseIPDBOptions{ConfidenceMinimum: 90, Limit: 500}, false)
	_, err = c.Blacklist(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, "90", query(s.reqs()[1], "confidenceMinimum"))
	assert.Equal(t, "500", query(s.reqs()[1], "limit"))
}

func TestAbuseIPDBAuthFailure(t *testing.T) {
	s := newAbuseServer(t, abuseFixture(t))
	c, sl, _ := newTestAbuseIPDB(t, s, AbuseIPDBOptions{Key: "wrong-key-1234"}, false)
	p := NewAbuseIPDBPoller(c)
	_, err := p.Poll(context.Background(), loader.Options{})
	require.Error(t, err)
	t.Log(err)
	assert.ErrorIs(t, err, fetch.ErrUnauthorized)
	assert.Contains(t, err.Error(), "Authentication failed. Your API key is either missing, incorrect, or revoked", "AbuseIPDB's errors[0].detail")
	assert.Contains(t, err.Error(), "check the key (Key header)")
	assert.Contains(t, err.Error(), s.srv.URL+AbuseIPDBBlacklistPath)
	noSecret(t, err, "wrong-key-1234")
	assert.Empty(t, sl.waits())

	// a 403: a plan that does not allow the parameters
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"errors":[{"detail":"confidenceMinimum is a subscriber feature.","status":403}]}`))
		return true
	})
	_, err = p.Poll(context.Background(), loader.Options{})
	require.Error(t, err)
	assert.ErrorIs(t, err, fetch.ErrForbidden)
	assert.Contains(t, err.Error(), "confidenceMinimum is a subscriber feature.")
	assert.Contains(t, err.Error(), "check the key (Key header), and that its plan allows these parameters")
}

func TestAbuseIPDBRateLimited(t *testing.T) {
	s := newAbuseServer(t, abuseFixture(t))
	var retryAfter atomic.Value
	retryAfter.Store("7")
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n != 1 && retryAfter.Load() == "7" {
			return false
		}
		w.Header().Set("Retry-After", retryAfter.Load().(string))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"errors":[{"detail":"Daily rate limit of 5 requests exceeded for this endpoint. See response headers for additional details.","status":429}]}`))
		return true
	})
	c, sl, clock := newTestAbuseIPDB(t, s, AbuseIPDBOptions{}, false)
	p := NewAbuseIPDBPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 16)
	assert.Equal(t, []time.Duration{7 * time.Second}, sl.waits())
	assert.Len(t, s.reqs(), 2)

	// the daily quota: Retry-After until tomorrow; no wait, an error, and no request until then
	retryAfter.Store("14400")
	clock.Add(DefaultAbuseIPDBMinInterval)
	_, err = p.Poll(context.Background(), loader.Options{})
	require.Error(t, err)
	t.Log(err)
	assert.ErrorIs(t, err, fetch.ErrRateLimited)
	assert.Contains(t, err.Error(), "Daily rate limit of 5 requests exceeded")
	assert.Contains(t, err.Error(), "5 a day on a free account")
	assert.Len(t, sl.waits(), 1)
	assert.Len(t, s.reqs(), 3)
	clock.Add(3 * time.Hour)
	_, err = p.Poll(context.Background(), loader.Options{})
	require.Error(t, err)
	t.Log(err)
	assert.ErrorIs(t, err, fetch.ErrRateLimited)
	assert.Contains(t, err.Error(), "not asking again before 2025-05-19T06:00:00Z")
	assert.Len(t, s.reqs(), 3, "no request before the Retry-After")
	clock.Add(time.Hour)
	s.setHook(nil)
	res, err = p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 16)
	assert.Len(t, s.reqs(), 4)
}

func TestAbuseIPDBMinInterval(t *testing.T) {
	s := newAbuseServer(t, abuseFixture(t))
	c, _, clock := newTestAbuseIPDB(t, s, AbuseIPDBOptions{}, false)
	p := NewAbuseIPDBPoller(c)
	res1, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	fetched := p.Fetched()
	assert.Equal(t, clock.Now(), fetched)

	s.setBody(abuseWith(t, func(ip string) bool { return ip != "128.199.118.234" }))
	for range 5 { // a live reload every hour for 5 hours: no request
		clock.Add(time.Hour)
		res, err := p.Poll(context.Background(), loader.Options{})
		require.NoError(t, err)
		assert.Equal(t, values(res1), values(res), "the previous snapshot")
	}
	assert.Len(t, s.reqs(), 1, "one request in 5 hours")
	assert.Equal(t, fetched, p.Fetched())
	clock.Add(time.Hour) // 6 hours after the download
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Len(t, s.reqs(), 2)
	assert.Len(t, res.Indicators, 15)
	assert.NotContains(t, values(res), "ipv4:128.199.118.234", "a snapshot replaces the previous one")

	// MinInterval < 0: no snapshot kept between Polls
	c, _, clock = newTestAbuseIPDB(t, s, AbuseIPDBOptions{MinInterval: -1}, false)
	p = NewAbuseIPDBPoller(c)
	for range 3 {
		_, err := p.Poll(context.Background(), loader.Options{})
		require.NoError(t, err)
	}
	assert.Len(t, s.reqs(), 2+3, "MinInterval < 0: a request per Poll")
}

func TestAbuseIPDBMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, body, ctype string
		kind              error
		msg               string
	}{
		{"cut short", `{"meta":{"generatedAt":"2025-05-18T19:17:10+00:00"},"data":[{"ipAddress":"128.199.118.234","countryCode":"SG","abuse`, "application/json", fetch.ErrMalformed, "not valid JSON (cut short?)"},
		{"no data", `{"meta":{"generatedAt":"2025-05-18T19:17:10+00:00"}}`, "application/json", fetch.ErrMalformed, `no "data" array`},
		{"data not an array", `{"data":{"ipAddress":"1.2.3.4"}}`, "application/json", fetch.ErrMalformed, `no "data" array`},
		{"a string", `"maintenance"`, "application/json", fetch.ErrMalformed, "not a JSON object"},
		{"an HTML page", `<html>Cloudflare</html>`, "text/html; charset=UTF-8", fetch.ErrContentType, `"text/html; charset=UTF-8"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newAbuseServer(t, abuseFixture(t))
			c, _, clock := newTestAbuseIPDB(t, s, AbuseIPDBOptions{}, false)
			p := NewAbuseIPDBPoller(c)
			_, err := p.Poll(context.Background(), loader.Options{})
			require.NoError(t, err)
			s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Content-Type", tc.ctype)
				_, _ = w.Write([]byte(tc.body))
				return true
			})
			clock.Add(DefaultAbuseIPDBMinInterval)
			var res loader.Result
			require.NotPanics(t, func() { res, err = p.Poll(context.Background(), loader.Options{}) })
			require.Error(t, err)
			t.Log(err)
			assert.ErrorIs(t, err, tc.kind)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), s.srv.URL+"/api/v2/blacklist?confidenceMinimum=100&limit=10000")
			assert.Empty(t, res.Indicators)
			s.setHook(nil)
			res, err = p.Poll(context.Background(), loader.Options{})
			require.NoError(t, err, "the next poll asks again")
			assert.Len(t, res.Indicators, 16)
		})
	}
}

func TestAbuseIPDBTooLarge(t *testing.T) {
	// one request, no paging: the size cap stops a blacklist that never ends
	s := newAbuseServer(t, abuseFixture(t))
	c, _, _ := newTestAbuseIPDB(t, s, AbuseIPDBOptions{HTTP: fetch.Options{MaxResponseSize: 1000}}, false)
	_, err := NewAbuseIPDBPoller(c).Poll(context.Background(), loader.Options{})
	require.Error(t, err)
	assert.ErrorIs(t, err, fetch.ErrTooLarge)
}

func TestAbuseIPDBCancel(t *testing.T) {
	s := newAbuseServer(t, abuseFixture(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		cancel()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return true
	})
	c, _, _ := newTestAbuseIPDB(t, s, AbuseIPDBOptions{}, false)
	start := time.Now()
	_, err := NewAbuseIPDBPoller(c).Poll(ctx, loader.Options{})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 4*time.Second)
}

func TestAbuseIPDBRedirectElsewhere(t *testing.T) {
	// the key is not sent to another host a redirect points to
	var otherKey atomic.Value
	otherKey.Store("")
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherKey.Store(r.Header.Get(AbuseIPDBKeyHeader))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(abuseIPDBAuthError))
	}))
	defer other.Close()
	s := newAbuseServer(t, abuseFixture(t))
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
		return true
	})
	c, _, _ := newTestAbuseIPDB(t, s, AbuseIPDBOptions{}, false)
	_, err := NewAbuseIPDBPoller(c).Poll(context.Background(), loader.Options{})
	require.Error(t, err)
	t.Log(err)
	assert.Empty(t, otherKey.Load(), "no key to the other host")
	assert.Contains(t, err.Error(), "the credentials were not sent to this host")
	noSecret(t, err, testAbuseIPDBKey)
}

func TestAbuseIPDBLiveReload(t *testing.T) {
	s := newAbuseServer(t, abuseFixture(t))
	c, _, clock := newTestAbuseIPDB(t, s, AbuseIPDBOptions{HTTP: fetch.Options{MaxRetries: -1}}, false)
	p := NewAbuseIPDBPoller(c)
	m, err := live.New(context.Background(), live.Options{Feeds: []live.Feed{p}, KeepMemory: true, Now: clock.Now})
	require.NoError(t, err)
	defer m.Close()
	line := []byte("sshd: Failed password from 128.199.118.234; later from 203.0.113.77")
	matches := func() []string {
		set := m.Current()
		var out []string
		for _, x := range set.Matcher.AppendMatches(nil, line) {
			out = append(out, x.Type.String()+":"+set.Matcher.Entry(x.ID).Value)
		}
		slices.Sort(out)
		return out
	}
	assert.Equal(t, []string{"ipv4:128.199.118.234"}, matches())
	s.setBody(abuseWith(t, func(string) bool { return true },
		map[string]any{"ipAddress": "203.0.113.77", "countryCode": "ZZ", "abuseConfidenceScore": 100, "lastReportedAt": "2025-05-19T01:00:00+00:00"}))

	// within MinInterval: the snapshot stays, no request
	clock.Add(time.Hour)
	_, err = m.Reload(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"ipv4:128.199.118.234"}, matches())
	assert.Len(t, s.reqs(), 1)

	clock.Add(DefaultAbuseIPDBMinInterval)
	ev, err := m.Reload(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"ipv4:128.199.118.234", "ipv4:203.0.113.77"}, matches())
	assert.Equal(t, 1, ev.Diff.Added)
	gen := m.Current().Generation

	// the quota used up: the build fails, the set stays
	s.setHook(func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "40000")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	clock.Add(DefaultAbuseIPDBMinInterval)
	_, err = m.Reload(context.Background())
	require.Error(t, err)
	assert.ErrorIs(t, err, fetch.ErrRateLimited)
	assert.Equal(t, gen, m.Current().Generation)
	assert.Equal(t, []string{"ipv4:128.199.118.234", "ipv4:203.0.113.77"}, matches())
}

func TestNewAbuseIPDBErrors(t *testing.T) {
	for _, tc := range []struct {
		opts AbuseIPDBOptions
		msg  string
	}{
		{AbuseIPDBOptions{}, "no API key"},
		{AbuseIPDBOptions{Key: "k", BaseURL: "api.abuseipdb.com"}, "not an http or https URL"},
		{AbuseIPDBOptions{Key: "k", ConfidenceMinimum: 10}, "must be 25 to 100"},
		{AbuseIPDBOptions{Key: "k", ConfidenceMinimum: 101}, "must be 25 to 100"},
		{AbuseIPDBOptions{Key: "k", Limit: -5}, "negative Limit"},
	} {
		_, err := NewAbuseIPDB(tc.opts)
		if assert.Error(t, err, "%+v", tc.opts) {
			assert.Contains(t, err.Error(), tc.msg)
		}
	}
	c, err := NewAbuseIPDB(AbuseIPDBOptions{Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, "https://api.abuseipdb.com/api/v2/blacklist?confidenceMinimum=100&limit=10000", c.BlacklistURL())
	c, err = NewAbuseIPDB(AbuseIPDBOptions{Key: "k", BaseURL: "https://api.abuseipdb.com/api/v2"})
	require.NoError(t, err)
	assert.Equal(t, "https://api.abuseipdb.com/api/v2/blacklist?confidenceMinimum=100&limit=10000", c.BlacklistURL(), "a base URL given with /api/v2")
}
