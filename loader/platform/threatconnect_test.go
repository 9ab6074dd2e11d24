package platform

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
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

const (
	tcAccessID  = "12345678901234567890"
	tcSecretKey = "tc-secret-key-abcdef"
	tcToken     = "tc-api-token-0123"
)

// tcServer is a fake ThreatConnect API v3: it serves the indicators of
// testdata/threatconnect/indicators_v3.json page by page (resultStart,
// resultLimit), filtered by the `lastModified >= "…"` of the tql, and
// checks the credentials: the HMAC signature, computed here
// independently, or the API token.
type tcServer struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	records  []map[string]any
	requests []*http.Request
	sendNext func(start, limit int) string                     // the next link; nil: the server's own
	count0   bool                                              // the first page has the count
	fail     func(w http.ResponseWriter, r *http.Request) bool // answers instead, when it returns true
}

func tcRecords(t testing.TB) []map[string]any {
	var page struct {
		Data []map[string]any `json:"data"`
	}
	dec := json.NewDecoder(strings.NewReader(string(readTestdata(t, "threatconnect/indicators_v3.json"))))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&page))
	require.Len(t, page.Data, 6)
	return page.Data
}

func newTCServer(t *testing.T, records []map[string]any) *tcServer {
	s := &tcServer{t: t, records: records}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

var tqlSince = regexp.MustCompile(`lastModified > "([^"]+)"`)

func (s *tcServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(context.Background()))
	fail, sendNext, count0 := s.fail, s.sendNext, s.count0
	records := append([]map[string]any(nil), s.records...)
	s.mu.Unlock()
	if !s.authorized(r) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"status":"Failure","message":"Invalid Signature"}`))
		return
	}
	if fail != nil && fail(w, r) {
		return
	}
	if r.URL.Path != "/api/v3/indicators" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if m := tqlSince.FindStringSubmatch(q.Get("tql")); m != nil {
		since, err := time.Parse(time.RFC3339, m[1])
		require.NoError(s.t, err)
		var kept []map[string]any
		for _, rec := range records {
			lm, _ := time.Parse(time.RFC3339, rec["lastModified"].(string))
			if lm.After(since) {
				kept = append(kept, rec)
			}
		}
		records = kept
	}
	start, _ := strconv.Atoi(q.Get("resultStart"))
	limit, _ := strconv.Atoi(q.Get("resultLimit"))
	page := map[string]any{"status": "Success", "data": []any{}}
	if start == 0 && count0 {
		page["count"] = len(records) // as ThreatConnect: on the first page only
	}
	if start < len(records) {
		page["data"] = records[start:min(start+limit, len(records))]
	}
	if start+limit < len(records) {
		next := *r.URL
		nq := next.Query()
		nq.Set("resultStart", strconv.Itoa(start+limit))
		next.RawQuery = nq.Encode()
		page["next"] = "http://" + r.Host + next.String()
		if sendNext != nil {
			page["next"] = sendNext(start, limit)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(page)
}

// authorized checks the credentials as ThreatConnect does.
func (s *tcServer) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(auth, "TC-Token "); ok {
		return tok == tcToken
	}
	ts := r.Header.Get("Timestamp")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(tcSecretKey))
	fmt.Fprintf(m, "%s:%s:%s", r.URL.RequestURI(), r.Method, ts)
	return auth == "TC "+tcAccessID+":"+base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (s *tcServer) setFail(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

func (s *tcServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *tcServer) request(i int) *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[i]
}

// update changes the record of id with set (and a later lastModified).
func (s *tcServer) update(id any, lastModified string, set map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, rec := range s.records {
		if fmt.Sprint(rec["id"]) == fmt.Sprint(id) {
			c := map[string]any{}
			for k, v := range rec {
				c[k] = v
			}
			for k, v := range set {
				c[k] = v
			}
			c["lastModified"] = lastModified
			s.records[i] = c
			return
		}
	}
	s.t.Fatalf("no record %v", id)
}

// tcNow is the test's clock: before the elastic record's
// externalDateExpires (2023-10-04T12:34:56Z).
var tcNow = time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)

func newTC(t *testing.T, srv *tcServer, opts ThreatConnectOptions) (*ThreatConnect, *rftcClock, *rftcSleeps) {
	t.Helper()
	clock := &rftcClock{t: tcNow}
	sl := &rftcSleeps{}
	opts.BaseURL = srv.URL
	if opts.Token == "" && opts.AccessID == "" {
		opts.AccessID, opts.SecretKey = tcAccessID, tcSecretKey
	}
	if opts.PageSize == 0 {
		opts.PageSize = 2
	}
	opts.Now = clock.Now
	opts.HTTP = fetch.Options{Sleep: sl.Sleep, Jitter: func() float64 { return 0 }, MaxRetryWait: time.Minute, Timeout: 10 * time.Second}
	c, err := NewThreatConnect(opts)
	require.NoError(t, err)
	return c, clock, sl
}

func TestThreatConnectSignature(t *testing.T) {
	// computed with Python's hmac and base64
	assert.Equal(t, "KqmaokdwgXmYPR9r272okSmmexDA0oY4w13cZ948RUc=",
		ThreatConnectSignature([]byte("secret-key"), "/api/v3/indicators?resultLimit=2&resultStart=0", "GET", "1700000000"))
}

func TestNewThreatConnectOptions(t *testing.T) {
	for _, tc := range []struct {
		opts ThreatConnectOptions
		want string
	}{
		{ThreatConnectOptions{}, "no base URL"},
		{ThreatConnectOptions{BaseURL: "app.threatconnect.com", Token: "t"}, "not an http or https URL"},
		{ThreatConnectOptions{BaseURL: "https://x"}, "no credentials"},
		{ThreatConnectOptions{BaseURL: "https://x", Token: "t", AccessID: "a"}, "both an API token and an access id"},
		{ThreatConnectOptions{BaseURL: "https://x", AccessID: "a"}, "access id without secret key"},
		{ThreatConnectOptions{BaseURL: "https://x", SecretKey: "k"}, "secret key without access id"},
		{ThreatConnectOptions{BaseURL: "https://x", Token: "t", PageSize: 10001}, "page size 10001"},
	} {
		_, err := NewThreatConnect(tc.opts)
		assert.ErrorContains(t, err, tc.want)
		assert.NotContains(t, fmt.Sprint(err), "k\"")
	}
	c, err := NewThreatConnect(ThreatConnectOptions{BaseURL: "https://app.threatconnect.com/api/", Token: "t", Owner: "Acme", TQL: "confidence > 50"})
	require.NoError(t, err)
	assert.Equal(t, "threatconnect:app.threatconnect.com/Acme", c.Name())
	assert.Equal(t, "https://app.threatconnect.com/api/v3/indicators?fields=tags&fields=securityLabels&fields=attributes&owner=Acme&resultLimit=1000&resultStart=0&sorting=dateAdded%20ASC&tql=confidence%20%3E%2050", c.pageURL(c.TQL(time.Time{}), 0))
	u, err := url.Parse(c.pageURL(`summary CONTAINS "a+b c"`, 0))
	require.NoError(t, err)
	assert.Equal(t, `summary CONTAINS "a+b c"`, u.Query().Get("tql"))
	assert.Contains(t, u.RawQuery, "tql=summary%20CONTAINS%20%22a%2Bb%20c%22")
	assert.Equal(t, `(confidence > 50) AND lastModified > "2026-01-02T03:04:04Z"`, c.TQL(time.Date(2026, 1, 2, 4, 4, 5, 0, time.FixedZone("", 3600))))
}

// The pages are asked for one by one, each signed, and their indicators
// read with their metadata (rating → severity, confidence, TLP label,
// externalDateExpires → valid until, tags, owner → source; a File's
// three hashes).
func TestThreatConnectPages(t *testing.T) {
	srv := newTCServer(t, tcRecords(t))
	c, _, _ := newTC(t, srv, ThreatConnectOptions{TQL: "confidence > 10"})
	res, err := c.Poll(testCtx(t), loader.Options{})
	require.NoError(t, err)
	require.Equal(t, 4, srv.count()) // 2+2+2, then an empty page: the third was full
	for i := range 4 {
		q := srv.request(i).URL.Query()
		assert.Equal(t, strconv.Itoa(2*i), q.Get("resultStart"))
		assert.Equal(t, "2", q.Get("resultLimit"))
		assert.Equal(t, "confidence > 10", q.Get("tql"))
		assert.Equal(t, []string{"tags", "securityLabels", "attributes"}, q["fields"])
		assert.True(t, strings.HasPrefix(srv.request(i).Header.Get("Authorization"), "TC "+tcAccessID+":"))
	}
	assert.Equal(t, []string{
		"email:johnbae@poverts.com",
		"domain:pb.upinfo.biz",
		"domain:win7smartupdate.com",
		"url:http://win7smartupdate.com/windowsverify/msverify.exe",
		"md5:922464b77fc10791f155aa683a248738",
		"sha1:ec86990c7190a2216f55d09999250d5b41e1c046",
		"sha256:1ab4dacc068dbd89507b91e49b40d7711b4bd0e59592247fc42f66a2333ce5d8",
		"url:https://google.com/",
	}, indicatorStrings(res.Indicators))
	e := findIndicator(t, res.Indicators, "johnbae@poverts.com")
	assert.Equal(t, "891599", e.ID)
	assert.Equal(t, 61, e.Confidence.Value())
	assert.Equal(t, indicator.SeverityMedium, e.Severity) // rating 3
	assert.Equal(t, indicator.TLPAmber, e.TLP)
	assert.Equal(t, time.Date(2023, 10, 4, 12, 34, 56, 0, time.UTC), e.ValidUntil.UTC())
	assert.Equal(t, "Elastic", e.Source)
	assert.Contains(t, e.Techniques, "T1055.005")
	h := findIndicator(t, res.Indicators, "pb.upinfo.biz")
	assert.Equal(t, 100, h.Confidence.Value())
	assert.Equal(t, indicator.SeverityCritical, h.Severity) // rating 5
	assert.Equal(t, indicator.TLPUnknown, h.TLP)
	assert.Contains(t, h.Tags, "Advanced Persistent Threat")
	assert.Equal(t, "threatconnect", h.Source) // no ownerName
	assert.True(t, h.ValidUntil.IsZero())
	sha := findIndicator(t, res.Indicators, "1ab4dacc068dbd89507b91e49b40d7711b4bd0e59592247fc42f66a2333ce5d8")
	assert.Equal(t, "24348508", sha.ID)
	u := findIndicator(t, res.Indicators, "https://google.com/")
	assert.Equal(t, "xxxx", u.ID)
	assert.Equal(t, 75, u.Confidence.Value())
	assert.Equal(t, indicator.SeverityLow, u.Severity) // rating 2
	assert.Len(t, res.PerFile, 4)
	assert.Equal(t, time.Date(2023, 12, 1, 8, 26, 48, 0, time.UTC), c.Cursor())

	// with the count on the first page, as ThreatConnect sends it: no
	// empty page at the end
	srv.mu.Lock()
	srv.count0 = true
	srv.mu.Unlock()
	c, _, _ = newTC(t, srv, ThreatConnectOptions{})
	before := srv.count()
	res, err = c.Poll(testCtx(t), loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, before+3, srv.count())
	assert.Len(t, res.Indicators, 8)
	srv.mu.Lock()
	srv.count0 = false
	srv.mu.Unlock()

	// an API token instead; a page size the last page does not fill
	c, _, _ = newTC(t, srv, ThreatConnectOptions{Token: tcToken, PageSize: 4})
	before = srv.count()
	res, err = c.Poll(testCtx(t), loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, before+2, srv.count())
	assert.Equal(t, "TC-Token "+tcToken, srv.request(before).Header.Get("Authorization"))
	assert.Empty(t, srv.request(before).Header.Get("Timestamp"))
	assert.Len(t, res.Indicators, 8)
}

// A bad signature (a wrong secret key) or token is a 401 whose error
// says which credential to check, without the secret.
func TestThreatConnectAuth(t *testing.T) {
	srv := newTCServer(t, tcRecords(t))
	for _, opts := range []ThreatConnectOptions{
		{AccessID: tcAccessID, SecretKey: "wrong-secret", CredentialHint: "-threatconnect-access-id, and $X_TC_SECRET_KEY"},
		{Token: "wrong-token"},
	} {
		c, _, _ := newTC(t, srv, opts)
		_, err := c.Poll(testCtx(t), loader.Options{})
		require.Error(t, err)
		assert.ErrorIs(t, err, fetch.ErrUnauthorized)
		assert.ErrorContains(t, err, "401 Unauthorized: Invalid Signature")
		if opts.Token == "" {
			assert.ErrorContains(t, err, "check the access id and secret key (-threatconnect-access-id, and $X_TC_SECRET_KEY), and this machine's clock")
		} else {
			assert.ErrorContains(t, err, "check the API token (ThreatConnectOptions.Token)")
		}
		assert.NotContains(t, err.Error(), "wrong-")
	}
}

// A 429 with Retry-After on the second page is waited for, then the Poll
// goes on; a Retry-After too long fails the Poll at once.
func TestThreatConnectRateLimit(t *testing.T) {
	srv := newTCServer(t, tcRecords(t))
	n := 0
	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("resultStart") == "2" {
			if n++; n == 1 {
				w.Header().Set("Retry-After", "12")
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			}
		}
		return false
	})
	c, _, sl := newTC(t, srv, ThreatConnectOptions{})
	res, err := c.Poll(testCtx(t), loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 8)
	assert.Equal(t, []time.Duration{12 * time.Second}, sl.waits())
	assert.Equal(t, 5, srv.count())
	// the retry was signed anew: the server checked it
	assert.Equal(t, srv.request(1).URL.RequestURI(), srv.request(2).URL.RequestURI())

	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "600")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	c, _, sl = newTC(t, srv, ThreatConnectOptions{})
	_, err = c.Poll(testCtx(t), loader.Options{})
	assert.ErrorIs(t, err, fetch.ErrRateLimited)
	assert.ErrorContains(t, err, "Retry-After 10m0s is longer than MaxRetryWait")
	assert.Empty(t, sl.waits())
}

// A malformed page fails the Poll with an error naming its URL, and
// nothing of the Poll is applied: the set stays, the next Poll asks for
// the same again.
func TestThreatConnectMalformedPage(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"not json", `{"data":[{"id":1,`, "not an API v3 indicators page: unexpected end of JSON input"},
		{"failure", `{"status":"Failure","message":"Invalid TQL"}`, `no "data" array (status "Failure": Invalid TQL)`},
		{"data not an array", `{"data":{"indicator":[]}}`, "not an API v3 indicators page: json: cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTCServer(t, tcRecords(t))
			c, _, _ := newTC(t, srv, ThreatConnectOptions{})
			first, err := c.Poll(testCtx(t), loader.Options{})
			require.NoError(t, err)
			cursor := c.Cursor()

			srv.update(24348506, "2023-12-02T00:00:00Z", map[string]any{"confidence": 5})
			srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Get("resultStart") != "0" {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(tc.body))
				return true
			})
			_, err = c.Poll(testCtx(t), loader.Options{})
			require.Error(t, err)
			assert.ErrorIs(t, err, fetch.ErrMalformed)
			assert.ErrorContains(t, err, tc.want)
			assert.ErrorContains(t, err, "threatconnect: GET "+srv.URL+"/api/v3/indicators?")
			assert.Equal(t, cursor, c.Cursor())

			srv.setFail(nil)
			res, err := c.Poll(testCtx(t), loader.Options{})
			require.NoError(t, err)
			assert.Equal(t, indicatorStrings(first.Indicators), indicatorStrings(res.Indicators))
			assert.Equal(t, 5, findIndicator(t, res.Indicators, "win7smartupdate.com").Confidence.Value())
		})
	}
}

// A server that never stops paging is stopped by the Pager: MaxPages
// (ErrTooManyPages), the same page again (ErrNoProgress), empty pages
// that say there is more (ErrNoProgress).
func TestThreatConnectEndlessPaging(t *testing.T) {
	rec := tcRecords(t)[1]
	for _, tc := range []struct {
		name string
		page func(start int) map[string]any
		kind error
		want string
	}{
		{"always more", func(start int) map[string]any {
			var data []map[string]any
			for i := range 2 {
				r := map[string]any{}
				for k, v := range rec {
					r[k] = v
				}
				r["id"] = start + i
				data = append(data, r)
			}
			return map[string]any{"data": data, "next": "more"}
		}, fetch.ErrTooManyPages, "the server still says there is more after 5 pages (MaxPages)"},
		{"resultStart ignored", func(start int) map[string]any {
			return map[string]any{"data": []any{rec, rec}, "count": 100}
		}, fetch.ErrNoProgress, "the server gave the same page again at resultStart 2"},
		{"empty pages", func(start int) map[string]any {
			return map[string]any{"data": []any{}, "count": 100}
		}, fetch.ErrNoProgress, `the server gave the next page "resultStart=0" again`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTCServer(t, nil)
			srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
				start, _ := strconv.Atoi(r.URL.Query().Get("resultStart"))
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(tc.page(start))
				return true
			})
			c, _, _ := newTC(t, srv, ThreatConnectOptions{MaxPages: 5})
			_, err := c.Poll(testCtx(t), loader.Options{})
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.ErrorContains(t, err, tc.want)
			assert.LessOrEqual(t, srv.count(), 5)
		})
	}
}

// A "next" link to another host is never requested: the next page is
// asked for at the base URL, with the credentials.
func TestThreatConnectNextElsewhere(t *testing.T) {
	var other []string
	var mu sync.Mutex
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		other = append(other, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write([]byte(`{"data":[]}`))
	}))
	defer evil.Close()
	srv := newTCServer(t, tcRecords(t))
	srv.sendNext = func(start, limit int) string {
		return evil.URL + "/api/v3/indicators?resultStart=" + strconv.Itoa(start+limit)
	}
	c, _, _ := newTC(t, srv, ThreatConnectOptions{})
	res, err := c.Poll(testCtx(t), loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 8)
	assert.Equal(t, 4, srv.count())
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, other)
}

func TestThreatConnectCancel(t *testing.T) {
	srv := newTCServer(t, tcRecords(t))
	started := make(chan struct{}, 1)
	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("resultStart") == "0" {
			return false
		}
		started <- struct{}{}
		<-r.Context().Done()
		return true
	})
	c, _, _ := newTC(t, srv, ThreatConnectOptions{})
	ctx, cancel := context.WithCancel(testCtx(t))
	go func() { <-started; cancel() }()
	start := time.Now()
	_, err := c.Poll(ctx, loader.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.True(t, c.lastFull.IsZero())
	assert.Empty(t, c.current)
}

// An incremental Poll asks only for the indicators modified since the
// latest lastModified read (ANDed with the TQL) and returns the whole
// current set: a modified indicator replaced, an inactive one removed, a
// new one added; an expired one leaves; a deleted one stays until the
// next full Poll (FullEvery).
func TestThreatConnectIncremental(t *testing.T) {
	recs := tcRecords(t)
	srv := newTCServer(t, recs[:5]) // the xsoar URL indicator comes later
	c, clock, _ := newTC(t, srv, ThreatConnectOptions{TQL: "confidence > 10", FullEvery: 24 * time.Hour})
	ctx := testCtx(t)
	first, err := c.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	require.Len(t, first.Indicators, 7)
	n := srv.count()

	srv.update(24348506, "2023-12-05T10:00:00Z", map[string]any{"confidence": 20, "rating": 1})
	srv.update(24348507, "2023-12-05T10:00:01Z", map[string]any{"active": false})
	added := recs[5]
	added["lastModified"] = "2023-12-05T10:00:02Z"
	srv.mu.Lock()
	srv.records = append(srv.records, added)
	srv.mu.Unlock()

	clock.Add(time.Hour)
	res, err := c.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	q := srv.request(n).URL.Query()
	assert.Equal(t, `(confidence > 10) AND lastModified > "2023-12-01T08:26:47Z"`, q.Get("tql"))
	assert.Equal(t, "dateAdded ASC", q.Get("sorting"))
	// 4 records modified since: 891599 (the same second), 24348506,
	// 24348507, xxxx; 2 full pages, then an empty one
	assert.Equal(t, n+3, srv.count())
	assert.Equal(t, []string{
		"email:johnbae@poverts.com",
		"domain:pb.upinfo.biz",
		"domain:win7smartupdate.com",
		"md5:922464b77fc10791f155aa683a248738",
		"sha1:ec86990c7190a2216f55d09999250d5b41e1c046",
		"sha256:1ab4dacc068dbd89507b91e49b40d7711b4bd0e59592247fc42f66a2333ce5d8",
		"url:https://google.com/",
	}, indicatorStrings(res.Indicators))
	w := findIndicator(t, res.Indicators, "win7smartupdate.com")
	assert.Equal(t, 20, w.Confidence.Value())
	assert.Equal(t, indicator.SeverityInfo, w.Severity)
	assert.Equal(t, 1, res.Unsupported["threatconnect inactive"])
	assert.Equal(t, time.Date(2023, 12, 5, 10, 0, 2, 0, time.UTC), c.Cursor())

	// the elastic indicator expires (externalDateExpires 2023-10-04); the
	// pb.upinfo.biz one is deleted: an incremental Poll does not see it
	clock.Add(40 * 24 * time.Hour) // 2023-10-11: past FullEvery too
	c.fullEvery = 100 * 24 * time.Hour
	srv.mu.Lock()
	srv.records = srv.records[:0:0]
	for _, r := range recs[:6] {
		if fmt.Sprint(r["id"]) != "24348498" {
			srv.records = append(srv.records, r)
		}
	}
	srv.mu.Unlock()
	res, err = c.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	assert.NotContains(t, indicatorStrings(res.Indicators), "email:johnbae@poverts.com")
	assert.Contains(t, indicatorStrings(res.Indicators), "domain:pb.upinfo.biz")

	// the full Poll, FullEvery after the first: the deleted one leaves
	c.fullEvery = 24 * time.Hour
	n = srv.count()
	res, err = c.Poll(ctx, loader.Options{})
	require.NoError(t, err)
	assert.Equal(t, "confidence > 10", srv.request(n).URL.Query().Get("tql"))
	assert.NotContains(t, indicatorStrings(res.Indicators), "domain:pb.upinfo.biz")
	assert.NotContains(t, indicatorStrings(res.Indicators), "email:johnbae@poverts.com")
	assert.Contains(t, indicatorStrings(res.Indicators), "domain:win7smartupdate.com")
}

// A live.Matcher with the client in Options.Feeds picks up a change at a
// Reload, and keeps its set when a Poll fails.
func TestThreatConnectLive(t *testing.T) {
	recs := tcRecords(t)
	srv := newTCServer(t, recs[:5])
	c, _, _ := newTC(t, srv, ThreatConnectOptions{})
	ctx := testCtx(t)
	now := func() time.Time { return tcNow }
	lm, err := live.New(ctx, live.Options{Feeds: []live.Feed{c}, Now: now, WatchInterval: -1})
	require.NoError(t, err)
	defer lm.Close()
	assert.NotEmpty(t, lm.Current().Matcher.LookupDomain("win7smartupdate.com"))
	assert.Empty(t, lm.Current().Matcher.LookupURL("https://google.com/"))

	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		w.Write([]byte("<html>maintenance</html>"))
		return true
	})
	_, err = lm.Reload(ctx)
	require.ErrorIs(t, err, fetch.ErrContentType)
	assert.Equal(t, uint64(1), lm.Current().Generation)
	// a Retry-After too long: the set stays too
	srv.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	_, err = lm.Reload(ctx)
	require.ErrorIs(t, err, fetch.ErrRateLimited)
	assert.Equal(t, uint64(1), lm.Current().Generation)
	assert.NotEmpty(t, lm.Current().Matcher.LookupDomain("win7smartupdate.com"))

	srv.setFail(nil)
	added := recs[5]
	added["lastModified"] = "2023-12-05T10:00:02Z"
	srv.mu.Lock()
	srv.records = append(srv.records, added)
	srv.mu.Unlock()
	srv.update(24348506, "2023-12-05T10:00:00Z", map[string]any{"active": false})
	_, err = lm.Reload(ctx)
	require.NoError(t, err)
	m := lm.Current().Matcher
	assert.Equal(t, uint64(2), lm.Current().Generation)
	assert.NotEmpty(t, m.LookupURL("https://google.com/"))
	assert.Empty(t, m.LookupDomain("win7smartupdate.com"))
	assert.NotEmpty(t, m.LookupDomain("pb.upinfo.biz"))
}
