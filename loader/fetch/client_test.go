package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testClient is a Client whose waits are recorded, not waited.
func testClient(t *testing.T, opts Options) (*Client, *[]time.Duration) {
	t.Helper()
	var waits []time.Duration
	opts.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
	opts.Jitter = func() float64 { return 0.5 }
	c, err := New(opts)
	require.NoError(t, err)
	return c, &waits
}

func TestGet(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "text/csv", r.Header.Get("Accept"))
		assert.Equal(t, "iocmatch-test", r.Header.Get("User-Agent"))
		assert.Equal(t, "k1", r.Header.Get("X-Api-Key"))
		assert.Equal(t, "1", r.Header.Get("X-Page"))
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Write([]byte("Name,Risk\n"))
	}))
	defer s.Close()
	c, _ := testClient(t, Options{Name: "rf", UserAgent: "iocmatch-test", Header: http.Header{"X-Api-Key": {"k1"}}})
	resp, err := c.Get(context.Background(), Request{URL: s.URL + "/list", Accept: "text/csv", Types: []string{"text/csv"},
		Header: http.Header{"X-Page": {"1"}}})
	require.NoError(t, err)
	assert.Equal(t, "Name,Risk\n", string(resp.Body))
	assert.Equal(t, 200, resp.StatusCode)

	// Another type than the ones asked for is ErrContentType.
	_, err = c.Get(context.Background(), Request{URL: s.URL + "/list", Accept: "text/csv", Header: http.Header{"X-Page": {"1"}},
		Hint: "is it the risk list URL?"})
	assert.ErrorIs(t, err, ErrContentType)
	assert.ErrorContains(t, err, `rf: GET `+s.URL+`/list: response of type "text/csv; charset=utf-8", not application/json (is it the risk list URL?)`)
}

func TestRetry429(t *testing.T) {
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(429)
			w.Write([]byte(`{"errors":[{"detail":"Daily rate limit of 5 requests exceeded for this endpoint.","status":429}]}`))
		case 2:
			w.WriteHeader(503)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"data":[]}`))
		}
	}))
	defer s.Close()
	c, waits := testClient(t, Options{RetryWait: 100 * time.Millisecond})
	resp, err := c.Get(context.Background(), Request{URL: s.URL})
	require.NoError(t, err)
	assert.Equal(t, `{"data":[]}`, string(resp.Body))
	// Retry-After first, then the backoff (jitter 0.5: 3/4 of 200ms)
	assert.Equal(t, []time.Duration{7 * time.Second, 150 * time.Millisecond}, *waits)

	// A Retry-After longer than MaxRetryWait is not waited for.
	n.Store(0)
	c, waits = testClient(t, Options{Name: "abuseipdb", MaxRetryWait: time.Second})
	_, err = c.Get(context.Background(), Request{URL: s.URL})
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Empty(t, *waits)
	assert.Equal(t, "abuseipdb: GET "+s.URL+": 429 Too Many Requests: Daily rate limit of 5 requests exceeded for this endpoint. "+
		"(rate limited: the server's quota is used up; poll less often) (not retried: Retry-After 7s is longer than MaxRetryWait 1s)", err.Error())
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 7*time.Second, he.RetryAfter)
}

func TestGiveUpAndCancel(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) }))
	defer s.Close()
	c, waits := testClient(t, Options{MaxRetries: 2})
	_, err := c.Get(context.Background(), Request{URL: s.URL})
	assert.EqualError(t, err, "fetch: GET "+s.URL+": 502 Bad Gateway (gave up after 3 attempts)")
	assert.Len(t, *waits, 2)

	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("shutting down"))
	_, err = c.Get(ctx, Request{URL: s.URL})
	assert.EqualError(t, err, "fetch: GET "+s.URL+": shutting down")

	// 401 is not retried, and says what to check.
	s401 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) }))
	defer s401.Close()
	c, waits = testClient(t, Options{Header: http.Header{"Key": {"bad"}}, Hints: map[int]string{401: "check the API key (-abuseipdb-key)"}})
	_, err = c.Get(context.Background(), Request{URL: s401.URL})
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.ErrorContains(t, err, "401 Unauthorized (check the API key (-abuseipdb-key))")
	assert.Empty(t, *waits)
}

func TestTooLarge(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 2000)))
	}))
	defer s.Close()
	c, _ := testClient(t, Options{MaxResponseSize: 1000})
	_, err := c.Get(context.Background(), Request{URL: s.URL, Types: []string{"*/*"}})
	assert.ErrorIs(t, err, ErrTooLarge)
}

// TestSignOwnHostOnly: the headers and the signer apply to the Client's
// own host only, not to a host a redirect leads to.
func TestSignOwnHostOnly(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Get("Authorization"), "signature sent to another host")
		assert.Empty(t, r.Header.Get("X-Key"), "key sent to another host")
		w.WriteHeader(401)
	}))
	defer other.Close()
	var signed atomic.Int32
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "TC id:sig "+r.URL.Path, r.Header.Get("Authorization"))
		assert.Equal(t, "k", r.Header.Get("X-Key"))
		if r.URL.Path == "/away" {
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
			return
		}
		if r.URL.Path == "/here" {
			http.Redirect(w, r, "/there", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer own.Close()
	c, _ := testClient(t, Options{Header: http.Header{"X-Key": {"k"}}, Sign: func(r *http.Request) error {
		signed.Add(1)
		r.Header.Set("Authorization", "TC id:sig "+r.URL.Path) // per request: the redirect's own path
		return nil
	}})
	_, err := c.Get(context.Background(), Request{URL: own.URL + "/here"})
	require.NoError(t, err)
	assert.Equal(t, int32(2), signed.Load(), "the redirect is signed for its own path")
	_, err = c.Get(context.Background(), Request{URL: own.URL + "/away"})
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.ErrorContains(t, err, "the credentials were not sent to this host")

	// An error of the signer fails the request, not retried.
	c, waits := testClient(t, Options{Sign: func(*http.Request) error { return errors.New("no secret key") }})
	_, err = c.Get(context.Background(), Request{URL: own.URL + "/y"})
	assert.ErrorContains(t, err, "signing the request: no secret key")
	assert.Empty(t, *waits)
}

func TestPager(t *testing.T) {
	p := Pager{MaxPages: 3, MaxBytes: 100}
	require.NoError(t, p.Before("u1", "c1"))
	require.NoError(t, p.Page("u1", 40, 5, true))
	require.NoError(t, p.Before("u2", "c2"))
	err := p.Before("u2", "c1")
	assert.ErrorIs(t, err, ErrNoProgress)
	assert.ErrorContains(t, err, `the server gave the next page "c1" again`)
	require.NoError(t, p.Page("u2", 40, 0, true))
	err = p.Page("u3", 40, 1, true)
	assert.ErrorIs(t, err, ErrLoadTooLarge)
	require.NoError(t, p.Page("u3", 10, 1, true))
	assert.Equal(t, 3, p.Pages())
	assert.Equal(t, int64(90), p.Bytes())
	assert.ErrorIs(t, p.Before("u4", "c4"), ErrTooManyPages)

	var q Pager
	require.NoError(t, q.Page("a", 1, 0, true))
	assert.ErrorIs(t, q.Page("b", 1, 0, true), ErrNoProgress, "two empty pages that say there is more")
}
