package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/loader"
)

// testOTXKey is the API key the test servers want.
const testOTXKey = "otx-test-key-3f9a1c"

// otxServer is an httptest OTX API: /api/v1/pulses/subscribed serves its
// pulses (JSON objects, in order) page by page as the real API does
// (limit, page, modified_since; "next" an absolute URL, null on the last
// page), and /api/v1/pulses/{id}/indicators the extra indicators of
// pulses; only to testOTXKey.
type otxServer struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	pulses   []map[string]any
	extra    map[string][]any // pulse id → its indicators (more_indicators)
	requests []*http.Request  // every request received, in order
	// hook, when set, is called first with each request and its number
	// (1-based): it returns true when it answered it.
	hook func(w http.ResponseWriter, r *http.Request, n int) bool
}

func newOTXServer(t *testing.T, pulses ...map[string]any) *otxServer {
	t.Helper()
	s := &otxServer{t: t, pulses: pulses, extra: map[string][]any{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// otxPulse reads a pulse fixture of testdata/otx.
func otxPulse(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "otx", name))
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (s *otxServer) set(pulses ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pulses = pulses
}

func (s *otxServer) setHook(h func(w http.ResponseWriter, r *http.Request, n int) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = h
}

// reqs returns the requests received so far.
func (s *otxServer) reqs() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.requests...)
}

func (s *otxServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(context.Background()))
	n, hook := len(s.requests), s.hook
	s.mu.Unlock()
	if hook != nil && hook(w, r, n) {
		return
	}
	if r.Header.Get(OTXKeyHeader) != testOTXKey {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"detail": "Authentication required"}`))
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, _ := strconv.Atoi(q.Get("page"))
	if limit <= 0 || page <= 0 {
		http.Error(w, `{"detail": "bad limit or page"}`, http.StatusBadRequest)
		return
	}
	var results []any
	switch {
	case r.URL.Path == OTXSubscribedPath:
		var since time.Time
		if ms := q.Get("modified_since"); ms != "" {
			var err error
			if since, err = ParseOTXTime(ms); err != nil {
				http.Error(w, `{"detail": "bad modified_since"}`, http.StatusBadRequest)
				return
			}
		}
		s.mu.Lock()
		for _, p := range s.pulses {
			m, err := ParseOTXTime(p["modified"].(string))
			if err != nil {
				s.t.Errorf("fixture: %v", err)
			}
			if !m.Before(since) { // modified_since is inclusive
				results = append(results, p)
			}
		}
		s.mu.Unlock()
	case strings.HasPrefix(r.URL.Path, "/api/v1/pulses/") && strings.HasSuffix(r.URL.Path, "/indicators"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/v1/pulses/"), "/indicators")
		s.mu.Lock()
		results = s.extra[id]
		s.mu.Unlock()
	default:
		http.NotFound(w, r)
		return
	}
	from := min((page-1)*limit, len(results))
	to := min(from+limit, len(results))
	body := map[string]any{"count": len(results), "results": append([]any{}, results[from:to]...), "next": nil, "previous": nil}
	if to < len(results) {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("page", strconv.Itoa(page+1))
		body["next"] = s.srv.URL + r.URL.Path + "?" + nq.Encode()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// fakeOTXRead is a stand-in for the OTX reader, for the tests of the HTTP
// behaviour: it reads the "indicator" of each element of a pulse's
// "indicators" as a plain list does (so the values and their types are
// the loader's), nothing of the metadata.
func fakeOTXRead(body []byte, name string, f loader.Format, opts loader.Options) (loader.Result, error) {
	if f != loader.FormatOTX {
		return loader.Result{}, fmt.Errorf("fake reader: format %q", f)
	}
	var p struct {
		Indicators []struct {
			Indicator string `json:"indicator"`
		} `json:"indicators"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return loader.Result{}, err
	}
	var b bytes.Buffer
	for _, ind := range p.Indicators {
		b.WriteString(ind.Indicator + "\n")
	}
	opts.Format = loader.FormatList
	return loader.Read(&b, name, opts)
}

// sleeps records the waits of a client (fetch.Options.Sleep) without
// sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// testClock is a settable clock (fetch.Options.Now).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestOTX returns a client of s with opts (Key and BaseURL set when
// empty), reading with fakeOTXRead unless real, and its sleeps.
func newTestOTX(t *testing.T, s *otxServer, opts OTXOptions, real bool) (*OTX, *sleeps) {
	t.Helper()
	if opts.Key == "" {
		opts.Key = testOTXKey
	}
	if opts.BaseURL == "" {
		opts.BaseURL = s.srv.URL
	}
	sl := &sleeps{}
	if opts.HTTP.Sleep == nil {
		opts.HTTP.Sleep = sl.sleep
	}
	if opts.HTTP.Timeout == 0 {
		opts.HTTP.Timeout = 10 * time.Second
	}
	c, err := NewOTX(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !real {
		c.read = fakeOTXRead
	}
	return c, sl
}

// values returns "type:value" of each indicator of res.
func values(res loader.Result) []string {
	out := make([]string, len(res.Indicators))
	for i, ind := range res.Indicators {
		out[i] = ind.String()
	}
	return out
}

// noSecret fails t when err's text holds secret.
func noSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("the error shows the key: %v", err)
	}
}
