package taxii

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/loader/fetch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"user and token", Options{Username: "u", Token: "t"}, "both set"},
		{"password alone", Options{Password: "p"}, "Password set without Username"},
		{"client and tls", Options{HTTPClient: http.DefaultClient, TLSConfig: &tls.Config{}}, "HTTPClient and TLSConfig"},
		{"negative size", Options{MaxResponseSize: -1}, "negative MaxResponseSize"},
		{"negative pages", Options{MaxPages: -1}, "negative MaxPages"},
		{"negative load size", Options{MaxLoadSize: -1}, "negative MaxLoadSize"},
		{"accept header", Options{Header: http.Header{"accept": {"x"}}}, "cannot set accept"},
		{"auth header", Options{Header: http.Header{"Authorization": {"x"}}}, "cannot set Authorization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	c, err := New(Options{})
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, c.opts.Timeout)
	assert.Equal(t, int64(DefaultMaxResponseSize), c.opts.MaxResponseSize)
	assert.Equal(t, DefaultMaxRetries, c.opts.MaxRetries)
	assert.Equal(t, DefaultMaxPages, c.opts.MaxPages)
	assert.Equal(t, int64(DefaultMaxLoadSize), c.opts.MaxLoadSize)
	assert.Equal(t, DefaultLoadTimeout, c.opts.LoadTimeout)
	assert.Equal(t, DefaultUserAgent, c.opts.UserAgent)
	c, err = New(Options{LoadTimeout: -1})
	require.NoError(t, err)
	assert.Negative(t, c.opts.LoadTimeout, "no limit")
}

func TestDiscoveryAPIRootCollections(t *testing.T) {
	s := newFakeServer(t)
	c, _ := testClient(t, Options{UserAgent: "test-agent", Header: http.Header{"X-Api-Key": {"k1"}}})
	ctx := context.Background()

	d, err := c.Discovery(ctx, s.URL+"/taxii2/")
	require.NoError(t, err)
	assert.Equal(t, "Example TAXII", d.Title)
	assert.Equal(t, "test server", d.Description)
	assert.Equal(t, "cert@example.test", d.Contact)
	assert.Equal(t, s.URL+"/api1/", d.Default, "relative URL resolved")
	assert.Equal(t, []string{s.URL + "/api1/", s.URL + "/api2/"}, d.APIRoots, "absolute, with a final slash")

	r, err := c.APIRoot(ctx, d.Default)
	require.NoError(t, err)
	assert.Equal(t, "Root /api1/", r.Title)
	assert.Equal(t, []string{MediaType}, r.Versions)
	assert.Equal(t, int64(1<<20), r.MaxContentLength)

	cols, err := c.Collections(ctx, s.URL+"/api1") // no final slash
	require.NoError(t, err)
	require.Len(t, cols, 2)
	assert.Equal(t, Collection{ID: colID, Title: "Indicators", Description: "IOCs", Alias: "iocs", CanRead: true,
		MediaTypes: []string{"application/stix+json;version=2.1"}, URL: s.URL + "/api1/collections/" + colID + "/"}, cols[0])
	assert.Equal(t, Collection{ID: colID2, Title: "Submissions", CanWrite: true, URL: s.URL + "/api1/collections/" + colID2 + "/"}, cols[1])

	col, err := c.Collection(ctx, s.URL+"/api1/collections/"+colID+"/objects/")
	require.NoError(t, err)
	assert.Equal(t, colID, col.ID)
	assert.Equal(t, s.URL+"/api1/collections/"+colID+"/", col.URL)

	for _, r := range s.reqs() {
		assert.Equal(t, MediaType, r.Header.Get("Accept"))
		assert.Equal(t, "test-agent", r.Header.Get("User-Agent"))
		assert.Equal(t, "k1", r.Header.Get("X-Api-Key"))
		assert.Empty(t, r.Header.Get("Authorization"))
	}
}

// collect reads all pages of the collection.
func collect(t *testing.T, c *Client, u string, q Query) ([]Page, error) {
	t.Helper()
	var pages []Page
	err := c.Objects(context.Background(), u, q, func(p Page) error {
		pages = append(pages, p)
		return nil
	})
	return pages, err
}

// ids returns the ids of the objects of pages.
func ids(t *testing.T, pages []Page) []string {
	var out []string
	for _, p := range pages {
		for _, o := range p.Objects {
			var v struct{ ID string }
			require.NoError(t, json.Unmarshal(o, &v))
			out = append(out, v.ID)
		}
	}
	return out
}

func allIDs() []string {
	var out []string
	for _, o := range sampleObjects() {
		var v struct{ ID string }
		json.Unmarshal([]byte(o.raw), &v)
		out = append(out, v.ID)
	}
	return out
}

func TestObjectsPagingNext(t *testing.T) {
	s := newFakeServer(t)
	c, _ := testClient(t, Options{})
	colURL := s.URL + "/api1/collections/" + colID + "/"
	pages, err := collect(t, c, colURL, Query{})
	require.NoError(t, err)
	require.Len(t, pages, 3)
	assert.Equal(t, allIDs(), ids(t, pages), "every object once, in order")
	objs := sampleObjects()
	for i, p := range pages {
		assert.Len(t, p.Objects, []int{3, 3, 1}[i])
		assert.Equal(t, i < 2, p.More)
		assert.Equal(t, objs[3*i].added, p.DateAddedFirst)
		assert.Equal(t, objs[3*i+len(p.Objects)-1].added, p.DateAddedLast)
		assert.True(t, strings.HasPrefix(p.URL, s.URL+"/api1/collections/"+colID+"/objects/"), p.URL)
	}
	assert.Equal(t, "tok3", pages[0].Next)
	assert.Equal(t, "tok6", pages[1].Next)
	qs := s.queries()
	require.Len(t, qs, 3)
	assert.Equal(t, "", qs[0].Get("next"))
	assert.Equal(t, "tok3", qs[1].Get("next"))
	assert.Equal(t, "tok6", qs[2].Get("next"))
	for _, q := range qs {
		assert.Empty(t, q.Get("added_after"), "paging by next does not set added_after")
	}
}

func TestObjectsQuery(t *testing.T) {
	s := newFakeServer(t)
	c, _ := testClient(t, Options{})
	objs := sampleObjects()
	// An objects URL with a query of its own: kept, under the Query's.
	u := s.URL + "/api1/collections/" + colID + "/objects/?match[version]=all&limit=100"
	pages, err := collect(t, c, u, Query{
		AddedAfter: objs[2].added, Limit: 2, Types: []string{"indicator", "malware"},
		IDs: []string{"indicator--a", "indicator--b"}, SpecVersions: []string{"2.1"},
	})
	require.NoError(t, err)
	assert.Equal(t, allIDs()[3:], ids(t, pages))
	assert.Len(t, pages, 2)
	qs := s.queries()
	require.Len(t, qs, 2)
	for _, q := range qs {
		assert.Equal(t, "2024-05-01T12:02:00.123Z", q.Get("added_after"))
		assert.Equal(t, "2", q.Get("limit"))
		assert.Equal(t, "indicator,malware", q.Get("match[type]"))
		assert.Equal(t, "indicator--a,indicator--b", q.Get("match[id]"))
		assert.Equal(t, "2.1", q.Get("match[spec_version]"))
		assert.Equal(t, "all", q.Get("match[version]"))
	}
}

func TestObjectsPagingByDate(t *testing.T) {
	s := newFakeServer(t)
	s.paging = "date"
	c, _ := testClient(t, Options{})
	pages, err := collect(t, c, s.URL+"/api1/collections/"+colID+"/", Query{})
	require.NoError(t, err)
	require.Len(t, pages, 3)
	assert.Equal(t, allIDs(), ids(t, pages))
	qs := s.queries()
	require.Len(t, qs, 3)
	assert.Empty(t, qs[0].Get("added_after"))
	assert.Equal(t, FormatTime(pages[0].DateAddedLast), qs[1].Get("added_after"))
	assert.Equal(t, FormatTime(pages[1].DateAddedLast), qs[2].Get("added_after"))
	assert.Equal(t, "2024-05-01T12:05:00.123Z", qs[2].Get("added_after"))
}

func TestObjectsFnError(t *testing.T) {
	s := newFakeServer(t)
	c, _ := testClient(t, Options{})
	stop := errors.New("stop")
	n := 0
	err := c.Objects(context.Background(), s.URL+"/api1/collections/"+colID+"/", Query{}, func(Page) error {
		n++
		return stop
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
	assert.Len(t, s.queries(), 1, "no page asked for after the error")
}

func TestAuth(t *testing.T) {
	s := newFakeServer(t)
	s.user, s.pass = "alice", "s3cret"
	colURL := s.URL + "/api1/collections/" + colID + "/"

	c, _ := testClient(t, Options{Username: "alice", Password: "s3cret"})
	pages, err := collect(t, c, colURL, Query{})
	require.NoError(t, err)
	assert.Len(t, pages, 3)

	c, waits := testClient(t, Options{Username: "alice", Password: "wrong"})
	_, err = collect(t, c, colURL, Query{})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.NotErrorIs(t, err, ErrForbidden)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 401, he.StatusCode)
	assert.Equal(t, "Authentication failed", he.TAXII.Title)
	assert.Equal(t, "taxii: GET "+colURL+"objects/: 401 Unauthorized: Authentication failed: invalid user name or password"+
		" (missing or bad credentials: check the user name and password, or the token)", err.Error())
	assert.NotContains(t, err.Error(), "wrong")
	assert.Empty(t, *waits, "401 is not retried")

	// No credentials at all.
	c, _ = testClient(t, Options{})
	_, err = c.Discovery(context.Background(), s.URL+"/taxii2/")
	assert.ErrorIs(t, err, ErrUnauthorized)

	// Credentials in the URL are sent by net/http, and redacted in errors.
	c, _ = testClient(t, Options{})
	u := strings.Replace(s.URL, "http://", "http://alice:s3cret@", 1)
	_, err = c.Discovery(context.Background(), u+"/taxii2/")
	require.NoError(t, err)
	u = strings.Replace(s.URL, "http://", "http://alice:oops@", 1)
	_, err = c.Discovery(context.Background(), u+"/taxii2/")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "oops")
	assert.Contains(t, err.Error(), "alice:xxxxx@")
}

func TestBearer(t *testing.T) {
	s := newFakeServer(t)
	s.token = "tok-123"
	c, _ := testClient(t, Options{Token: "tok-123"})
	_, err := c.Discovery(context.Background(), s.URL+"/taxii2/")
	require.NoError(t, err)
	assert.Equal(t, "Bearer tok-123", s.reqs()[0].Header.Get("Authorization"))

	c, _ = testClient(t, Options{Token: "tok-999"})
	_, err = c.Discovery(context.Background(), s.URL+"/taxii2/")
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.NotContains(t, err.Error(), "tok-999")
}

func TestHTTPErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		is     error
		hint   string
	}{
		{403, ErrForbidden, "no access to this resource"},
		{404, ErrNotFound, "no such API root or collection"},
		{406, nil, "is it a TAXII 2.1 server?"},
		{416, nil, "TAXII 2.0 server?"},
		{400, nil, "400 Bad Request: Oops: something"},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			s := newFakeServer(t)
			s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
				taxiiError(w, tc.status, "Oops", "something")
				return true
			}
			c, waits := testClient(t, Options{})
			_, err := c.APIRoot(context.Background(), s.URL+"/api1/")
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.NotErrorIs(t, err, ErrUnauthorized)
			assert.Contains(t, err.Error(), "taxii: GET "+s.URL+"/api1/: "+fmt.Sprint(tc.status))
			assert.Contains(t, err.Error(), tc.hint)
			assert.Empty(t, *waits, "not retried")
			assert.Len(t, s.reqs(), 1)
		})
	}
}

func TestErrorMessageSanitised(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		writeJSON(w, 400, map[string]any{"title": "Bad\x1b[31m\nthing", "description": strings.Repeat("é", 2000), "error_code": 42})
		return true
	}
	c, _ := testClient(t, Options{})
	_, err := c.APIRoot(context.Background(), s.URL+"/api1/")
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, "Bad [31m thing", he.TAXII.Title)
	assert.Equal(t, strings.Repeat("é", 500)+"…", he.TAXII.Description)
	assert.Equal(t, "42", he.TAXII.ErrorCode)
	assert.NotContains(t, err.Error(), "\x1b")

	// A body that is not a TAXII error message: no TAXII part.
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(400)
		fmt.Fprint(w, `<html>{"title":"x"}</html>`)
		return true
	}
	_, err = c.APIRoot(context.Background(), s.URL+"/api1/")
	require.ErrorAs(t, err, &he)
	assert.Nil(t, he.TAXII)
	assert.Equal(t, "taxii: GET "+s.URL+"/api1/: 400 Bad Request", err.Error())
}

func TestRetry429RetryAfter(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		switch n {
		case 1:
			w.Header().Set("Retry-After", "7")
		case 2:
			w.Header().Set("Retry-After", time.Now().Add(90*time.Second).UTC().Format(http.TimeFormat))
		default:
			return false
		}
		taxiiError(w, http.StatusTooManyRequests, "Too Many Requests", "slow down")
		return true
	}
	c, waits := testClient(t, Options{})
	pages, err := collect(t, c, s.URL+"/api1/collections/"+colID+"/", Query{})
	require.NoError(t, err)
	assert.Equal(t, allIDs(), ids(t, pages))
	require.Len(t, *waits, 2)
	assert.Equal(t, 7*time.Second, (*waits)[0])
	assert.InDelta(t, float64(90*time.Second), float64((*waits)[1]), float64(5*time.Second), "HTTP date")
	assert.Len(t, s.reqs(), 5)
}

func TestRetry5xxBackoff(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n > 3 {
			return false
		}
		w.WriteHeader([]int{503, 500, 502}[n-1])
		return true
	}
	c, waits := testClient(t, Options{RetryWait: 100 * time.Millisecond})
	d, err := c.Discovery(context.Background(), s.URL+"/taxii2/")
	require.NoError(t, err)
	assert.Equal(t, "Example TAXII", d.Title)
	// jitter 0.5: each wait is 3/4 of 100ms, 200ms, 400ms
	assert.Equal(t, []time.Duration{75 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond}, *waits)
}

func TestRetryGiveUp(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		taxiiError(w, 503, "Unavailable", fmt.Sprint("try ", n))
		return true
	}
	c, waits := testClient(t, Options{MaxRetries: 2})
	_, err := c.Discovery(context.Background(), s.URL+"/taxii2/")
	require.Error(t, err)
	assert.Equal(t, "taxii: GET "+s.URL+"/taxii2/: 503 Service Unavailable: Unavailable: try 3 (gave up after 3 attempts)", err.Error())
	var he *HTTPError
	assert.ErrorAs(t, err, &he)
	assert.Len(t, *waits, 2)
	assert.Len(t, s.reqs(), 3)

	// No retries at all.
	c, waits = testClient(t, Options{MaxRetries: -1})
	_, err = c.Discovery(context.Background(), s.URL+"/taxii2/")
	require.Error(t, err)
	assert.Equal(t, "taxii: GET "+s.URL+"/taxii2/: 503 Service Unavailable: Unavailable: try 4", err.Error())
	assert.Empty(t, *waits)
	assert.Len(t, s.reqs(), 4)
}

func TestRetryAfterTooLong(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
		return true
	}
	c, waits := testClient(t, Options{MaxRetryWait: time.Minute})
	_, err := c.Discovery(context.Background(), s.URL+"/taxii2/")
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, time.Hour, he.RetryAfter)
	assert.Equal(t, "taxii: GET "+s.URL+"/taxii2/: 429 Too Many Requests (rate limited: the server's quota is used up; poll less often) (not retried: Retry-After 1h0m0s is longer than MaxRetryWait 1m0s)", err.Error())
	assert.Empty(t, *waits)
	assert.Len(t, s.reqs(), 1)
}

func TestRetryTransientNetworkError(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n > 1 {
			return false
		}
		// Close the connection without a response.
		conn, _, err := w.(http.Hijacker).Hijack()
		require.NoError(t, err)
		conn.Close()
		return true
	}
	c, waits := testClient(t, Options{})
	_, err := c.Discovery(context.Background(), s.URL+"/taxii2/")
	require.NoError(t, err)
	assert.Len(t, *waits, 1)

	// A body cut short is retried too.
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n > 3 {
			return false
		}
		w.Header().Set("Content-Type", MediaType)
		w.Header().Set("Content-Length", "1000")
		fmt.Fprint(w, `{"title":`)
		w.(http.Flusher).Flush()
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return true
	}
	*waits = nil
	_, err = c.Discovery(context.Background(), s.URL+"/taxii2/")
	require.NoError(t, err)
	assert.Len(t, *waits, 1)
}

func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, ct, body, want string
		kind                 error
	}{
		{"not json", MediaType, `hello`, "malformed envelope: not a JSON object", ErrMalformed},
		{"array", MediaType, `[{"type":"indicator"}]`, "malformed envelope: not a JSON object", ErrMalformed},
		{"more not bool", MediaType, `{"more":"yes","objects":[]}`, "malformed envelope: json: cannot unmarshal", ErrMalformed},
		{"objects not array", MediaType, `{"objects":{"type":"indicator"}}`, "malformed envelope: json: cannot unmarshal", ErrMalformed},
		{"truncated", MediaType, `{"more":false,"objects":[{"type":"indicator"`, "malformed envelope: unexpected end of JSON input", ErrMalformed},
		{"html", "text/html; charset=utf-8", `<html>login</html>`, `response of type "text/html; charset=utf-8", not application/taxii+json;version=2.1`, ErrContentType},
		{"bad content type", "application/json; =x", `{}`, "response of type", ErrContentType},
		{"more without next or date", MediaType, `{"more":true,"objects":[{"type":"x"}]}`, "more=true with no next token and no X-TAXII-Date-Added-Last", ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeServer(t)
			s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Content-Type", tc.ct)
				fmt.Fprint(w, tc.body)
				return true
			}
			c, waits := testClient(t, Options{})
			_, err := collect(t, c, s.URL+"/api1/collections/"+colID+"/", Query{})
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.Contains(t, err.Error(), "taxii: GET "+s.URL+"/api1/collections/"+colID+"/objects/")
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, *waits)
		})
	}
}

func TestTolerantEnvelopes(t *testing.T) {
	for _, tc := range []struct {
		name, ct, body string
		status, n      int
	}{
		{"empty body", MediaType, "", 200, 0},
		{"no content", "", "", 204, 0},
		{"empty envelope", MediaType, "{}", 200, 0},
		{"plain json", "application/json", `{"objects":[{"type":"x"}]}`, 200, 1},
		{"stix bundle", "application/stix+json;version=2.1", `{"type":"bundle","id":"bundle--1","objects":[{"type":"x"},{"type":"y"}]}`, 200, 2},
		{"no content type", "", `{"objects":[{"type":"x"}]}`, 200, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeServer(t)
			s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if tc.ct == "" {
					w.Header()["Content-Type"] = nil
				} else {
					w.Header().Set("Content-Type", tc.ct)
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
				return true
			}
			c, _ := testClient(t, Options{})
			pages, err := collect(t, c, s.URL+"/api1/collections/"+colID+"/", Query{})
			require.NoError(t, err)
			require.Len(t, pages, 1)
			assert.Len(t, pages[0].Objects, tc.n)
			assert.False(t, pages[0].More)
		})
	}
}

func TestNeverEndingServer(t *testing.T) {
	obj := `{"type":"indicator","id":"indicator--1"}`
	for _, tc := range []struct {
		name     string
		page     func(n int) (body, last string)
		maxPages int
		kind     error
		want     string
		requests int
	}{
		{"same next", func(n int) (string, string) {
			return `{"more":true,"next":"abc","objects":[` + obj + `]}`, ""
		}, 0, ErrNoProgress, `the server gave the next token "abc" again`, 2},
		{"cycling next", func(n int) (string, string) {
			return fmt.Sprintf(`{"more":true,"next":"t%d","objects":[%s]}`, n%3, obj), ""
		}, 0, ErrNoProgress, `the server gave the next token "t1" again`, 4},
		{"new next forever", func(n int) (string, string) {
			return fmt.Sprintf(`{"more":true,"next":"t%d","objects":[%s]}`, n, obj), ""
		}, 5, ErrTooManyPages, "still says more=true after 5 pages", 5},
		{"empty pages", func(n int) (string, string) {
			return fmt.Sprintf(`{"more":true,"next":"t%d"}`, n), ""
		}, 0, ErrNoProgress, "two empty pages in a row", 2},
		{"date not moving", func(n int) (string, string) {
			return `{"more":true,"objects":[` + obj + `]}`, "2024-05-01T12:00:00.000Z"
		}, 0, ErrNoProgress, "X-TAXII-Date-Added-Last 2024-05-01T12:00:00.000Z is not after added_after 2024-05-01T12:00:00.000Z", 2},
		{"date going back", func(n int) (string, string) {
			return `{"more":true,"objects":[` + obj + `]}`, []string{"", "2024-05-02T00:00:00Z", "2024-05-01T00:00:00Z"}[min(n, 2)]
		}, 0, ErrNoProgress, "is not after added_after 2024-05-02T00:00:00.000Z", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeServer(t)
			s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
				body, last := tc.page(n)
				if last != "" {
					w.Header().Set("X-TAXII-Date-Added-Last", last)
				}
				w.Header().Set("Content-Type", MediaType)
				fmt.Fprint(w, body)
				return true
			}
			c, _ := testClient(t, Options{MaxPages: tc.maxPages})
			_, err := collect(t, c, s.URL+"/api1/collections/"+colID+"/", Query{})
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "taxii: GET "+s.URL)
			assert.Len(t, s.reqs(), tc.requests)
		})
	}
}

func TestResponseTooLarge(t *testing.T) {
	big := `{"objects":[` + strings.Repeat(`{"type":"x"},`, 10000) + `{"type":"x"}]}`
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprint("chunked=", chunked), func(t *testing.T) {
			s := newFakeServer(t)
			var written atomic.Int64
			s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Content-Type", MediaType)
				if chunked {
					for i := 0; i < len(big); i += 1000 {
						k, err := fmt.Fprint(w, big[i:min(i+1000, len(big))])
						written.Add(int64(k))
						if err != nil {
							return true
						}
						w.(http.Flusher).Flush()
					}
				} else {
					w.Header().Set("Content-Length", fmt.Sprint(len(big)))
					fmt.Fprint(w, big)
				}
				return true
			}
			c, waits := testClient(t, Options{MaxResponseSize: 4096})
			_, err := collect(t, c, s.URL+"/api1/collections/"+colID+"/", Query{})
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrTooLarge)
			assert.Contains(t, err.Error(), "taxii: GET "+s.URL)
			assert.Contains(t, err.Error(), "larger than MaxResponseSize (4096 bytes)")
			assert.Empty(t, *waits, "not retried")
		})
	}
	// Exactly at the cap is fine.
	s := newFakeServer(t)
	body := `{"objects":[{"type":"x"}]}`
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Type", MediaType)
		fmt.Fprint(w, body)
		return true
	}
	c, _ := testClient(t, Options{MaxResponseSize: int64(len(body))})
	_, err := collect(t, c, s.URL+"/api1/collections/"+colID+"/", Query{})
	assert.NoError(t, err)
}

func TestCancelDuringRetryAfter(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
		return true
	}
	c, err := New(Options{MaxRetryWait: 2 * time.Hour})
	require.NoError(t, err)
	waiting := make(chan time.Duration, 1)
	c.sleep = func(ctx context.Context, d time.Duration) error {
		waiting <- d
		return fetch.Sleep(ctx, d) // really waits, for an hour, unless cancelled
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-waiting
		cancel()
	}()
	_, err = c.Discovery(ctx, s.URL+"/taxii2/")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "while waiting 1h0m0s to retry")
	assert.Len(t, s.reqs(), 1)
}

func TestCancelDuringRequest(t *testing.T) {
	s := newFakeServer(t)
	arrived := make(chan struct{})
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		close(arrived)
		<-r.Context().Done() // never answers
		return true
	}
	c, waits := testClient(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	_, err := c.Discovery(ctx, s.URL+"/taxii2/")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, *waits)
}

func TestRequestTimeout(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		<-r.Context().Done() // never answers
		return true
	}
	c, waits := testClient(t, Options{Timeout: 20 * time.Millisecond, MaxRetries: 1})
	_, err := c.Discovery(context.Background(), s.URL+"/taxii2/")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no complete response within 20ms (gave up after 2 attempts)")
	assert.Len(t, *waits, 1, "a timeout is retried")
}

func TestTLS(t *testing.T) {
	fs := &fakeServer{t: t, pageSize: 3, paging: "next", objects: sampleObjects()}
	srv := httptest.NewTLSServer(http.HandlerFunc(fs.serve))
	t.Cleanup(srv.Close)

	// The test server's certificate is not trusted by default.
	c, waits := testClient(t, Options{})
	_, err := c.Discovery(context.Background(), srv.URL+"/taxii2/")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	assert.Contains(t, err.Error(), "taxii: GET "+srv.URL+"/taxii2/")
	assert.Empty(t, *waits, "certificate errors are not retried")

	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, _ = testClient(t, Options{TLSConfig: &tls.Config{RootCAs: pool}})
	d, err := c.Discovery(context.Background(), srv.URL+"/taxii2/")
	require.NoError(t, err)
	assert.Equal(t, "Example TAXII", d.Title)
	pages, err := collect(t, c, srv.URL+"/api1/collections/"+colID+"/", Query{})
	require.NoError(t, err)
	assert.Equal(t, allIDs(), ids(t, pages))

	// Or an HTTPClient of one's own.
	c, _ = testClient(t, Options{HTTPClient: srv.Client()})
	_, err = c.Discovery(context.Background(), srv.URL+"/taxii2/")
	require.NoError(t, err)
}

func TestNextTooLong(t *testing.T) {
	s := newFakeServer(t)
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		writeJSON(w, 200, map[string]any{"more": true, "next": strings.Repeat("n", maxNext+1), "objects": []any{map[string]any{"type": "x"}}})
		return true
	}
	c, _ := testClient(t, Options{})
	_, err := collect(t, c, s.URL+"/api1/collections/"+colID+"/", Query{})
	assert.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), "a next token of 8193 bytes")
	assert.Len(t, s.reqs(), 1)
}

func TestBadURL(t *testing.T) {
	c, waits := testClient(t, Options{})
	for _, u := range []string{"ftp://example.test/taxii2/", "://bad", "file:///etc/passwd"} {
		_, err := c.Discovery(context.Background(), u)
		assert.Error(t, err, u)
	}
	assert.Empty(t, *waits)
}

func TestResolveCollection(t *testing.T) {
	s := newFakeServer(t)
	c, _ := testClient(t, Options{})
	ctx := context.Background()
	colURL := s.URL + "/api1/collections/" + colID + "/"
	for _, tc := range []struct{ url, name, wantURL string }{
		{s.URL + "/taxii2/", "Indicators", colURL},
		{s.URL + "/taxii2/", "indicators", colURL},
		{s.URL + "/taxii2/", "iocs", colURL},
		{s.URL + "/taxii2/", colID, colURL},
		{s.URL + "/taxii2/", "Other", s.URL + "/api2/collections/" + colID3 + "/"},
		{s.URL + "/api1/", "Indicators", colURL},
		{s.URL + "/api1", strings.ToUpper(colID), colURL},
		{s.URL + "/api1/collections/", "Indicators", colURL},
		{colURL, "", colURL},
		{colURL + "objects/", "", colURL},
		{colURL + "objects/", "INDICATORS", colURL},
	} {
		col, err := c.ResolveCollection(ctx, tc.url, tc.name)
		if assert.NoError(t, err, "%s %s", tc.url, tc.name) {
			assert.Equal(t, tc.wantURL, col.URL, "%s %s", tc.url, tc.name)
			assert.NotEmpty(t, col.Title)
		}
	}
	_, err := c.ResolveCollection(ctx, s.URL+"/taxii2/", "nope")
	require.Error(t, err)
	assert.Equal(t, `taxii: no collection "nope" at `+s.URL+`/taxii2/; collections: `+
		colID+` ("Indicators"), `+colID2+` ("Submissions", cannot read), `+colID3+` ("Other")`, err.Error())
	_, err = c.ResolveCollection(ctx, s.URL+"/api1/", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a collection URL: name a collection (id, alias or title); collections: "+colID+` ("Indicators")`)
	_, err = c.ResolveCollection(ctx, colURL, "Other")
	require.Error(t, err)
	assert.Equal(t, "taxii: "+colURL+` is the collection `+colID+` ("Indicators"), not "Other"`, err.Error())
	_, err = c.ResolveCollection(ctx, s.URL+"/nowhere/", "x")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = c.ResolveCollection(ctx, s.URL+"/api1/collections/no-such-id/", "")
	assert.ErrorIs(t, err, ErrNotFound)

	// Two collections of one title.
	s.hook = func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path != "/api2/collections/" {
			return false
		}
		writeJSON(w, 200, map[string]any{"collections": []map[string]any{{"id": "x1", "title": "Indicators", "can_read": true}}})
		return true
	}
	_, err = c.ResolveCollection(ctx, s.URL+"/taxii2/", "Indicators")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"Indicators" names 2 collections`)
}

func TestTimes(t *testing.T) {
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{t0, "2024-05-01T12:00:00.000Z"},
		{t0.Add(123 * time.Millisecond), "2024-05-01T12:00:00.123Z"},
		{t0.Add(123456 * time.Microsecond), "2024-05-01T12:00:00.123456Z"},
		{t0.Add(1), "2024-05-01T12:00:00.000000001Z"},
		{t0.In(time.FixedZone("x", 3600)), "2024-05-01T12:00:00.000Z"},
	} {
		assert.Equal(t, tc.want, FormatTime(tc.in))
		back, err := ParseTime(tc.want)
		require.NoError(t, err)
		assert.True(t, back.Equal(tc.in))
	}
	_, err := ParseTime("yesterday")
	assert.Error(t, err)
	p, err := ParseTime(" 2024-05-01T14:00:00+02:00 ")
	require.NoError(t, err)
	assert.True(t, p.Equal(t0))
}

// TestEnvelopeTooDeep: a response nested deeper than encoding/json's limit
// is malformed with a message that says why (it was encoding/json's
// "exceeded max depth"), and brackets inside strings do not count.
func TestEnvelopeTooDeep(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, n := range []int{MaxJSONDepth, MaxJSONDepth + 1, 1_000_000} {
		body := `{"more":false,"objects":[{"type":"x","a":` + deep(n) + `}]}`
		_, err := parseEnvelope([]byte(body))
		if n+3 <= MaxJSONDepth {
			require.NoError(t, err)
			continue
		}
		require.ErrorContains(t, err, "JSON nested deeper than 10000 levels (at byte 10038)", "depth %d", n)
	}
	env, err := parseEnvelope([]byte(`{"objects":[{"type":"x","s":"` + strings.Repeat("[", 20000) + `\"{"}]}`))
	require.NoError(t, err)
	require.Len(t, env.Objects, 1)
	d, _ := nestingDepth([]byte(`{"a":[{"b":"]]]\"[[["}],[[]]]}`), 10)
	require.Equal(t, 3, d)
}
