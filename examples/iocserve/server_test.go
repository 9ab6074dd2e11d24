package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/live"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testFeed is a small plain-list feed: a domain, an address, a CIDR, a
// hash, an e-mail address.
const testFeed = `evil.example
203.0.113.7
198.51.100.0/24
44d88612fea8a8f36de82e1278abb02f
billing@phish.example
`

func writeFeed(t testing.TB, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "feed.txt")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// instance is iocserve run by a test: run on a loopback port of its own.
type instance struct {
	url    string
	cancel context.CancelFunc
	done   chan int
	stderr *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// start runs iocserve with args (and -addr 127.0.0.1:0) and waits until
// it is ready; it is stopped at the end of the test.
func start(t testing.TB, args ...string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{cancel: cancel, done: make(chan int, 1), stderr: &syncBuffer{}}
	addr := make(chan string, 1)
	go func() {
		in.done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, in.stderr, func(a string) { addr <- a })
	}()
	select {
	case a := <-addr:
		in.url = "http://" + a
	case code := <-in.done:
		t.Fatalf("iocserve exited with %d: %s", code, in.stderr)
	case <-time.After(10 * time.Second):
		t.Fatal("iocserve did not listen in 10 s")
	}
	t.Cleanup(func() { in.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(in.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return in
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready in 30 s: %s", in.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop stops the instance (once) and returns its exit status.
func (in *instance) stop(t testing.TB) int {
	in.cancel()
	select {
	case code := <-in.done:
		in.done <- code
		return code
	case <-time.After(40 * time.Second):
		t.Fatal("iocserve did not stop in 40 s")
		return -1
	}
}

// do sends a request and returns the status and the decoded JSON body.
func do(t testing.TB, method, url, ctype, body string, hdr ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(b, &v), "%s", b)
	}
	return resp.StatusCode, v, resp.Header
}

// indicators are the "indicator" values of the matches of a /v1/match
// result or a /v1/lookup field.
func indicators(t testing.TB, matches any) []string {
	t.Helper()
	var out []string
	for _, m := range matches.([]any) {
		out = append(out, m.(map[string]any)["indicator"].(string))
	}
	return out
}

func TestMatchText(t *testing.T) {
	in := start(t, "-feed", writeFeed(t, testFeed))
	body := "GET /index.html from 192.0.2.1\r\nGET http://a.evil.example/x from 203.0.113.7\nnothing here\nmail from <Billing@Phish.example>\n"
	code, v, _ := do(t, "POST", in.url+"/v1/match?source=proxy.log", "text/plain", body)
	require.Equal(t, 200, code, v)
	assert.EqualValues(t, 4, v["lines"])
	assert.EqualValues(t, 2, v["matched"])
	assert.EqualValues(t, 3, v["matches"])
	assert.EqualValues(t, 1, v["generation"])
	res := v["results"].([]any)
	require.Len(t, res, 2)
	r0 := res[0].(map[string]any)
	assert.EqualValues(t, 2, r0["line"])
	assert.ElementsMatch(t, []string{"evil.example", "203.0.113.7"}, indicators(t, r0["matches"]))
	m0 := r0["matches"].([]any)[0].(map[string]any)
	assert.Equal(t, "proxy.log", m0["file"])
	assert.EqualValues(t, 2, m0["line"])
	assert.Equal(t, "a.evil.example", m0["matched"])
	assert.Equal(t, []any{"feed"}, m0["sources"])
	r1 := res[1].(map[string]any)
	assert.EqualValues(t, 4, r1["line"])
	assert.Equal(t, []string{"billing@phish.example"}, indicators(t, r1["matches"]))

	// curl's default content type is taken as text; no body: no lines
	code, v, _ = do(t, "POST", in.url+"/v1/match", "application/x-www-form-urlencoded", "to 203.0.113.7")
	require.Equal(t, 200, code)
	assert.EqualValues(t, 1, v["matched"])
	assert.Equal(t, "-", v["results"].([]any)[0].(map[string]any)["matches"].([]any)[0].(map[string]any)["file"])
	code, v, _ = do(t, "POST", in.url+"/v1/match", "", "")
	require.Equal(t, 200, code)
	assert.EqualValues(t, 0, v["lines"])
	assert.Empty(t, v["results"])
	for body, lines := range map[string]int{"\n": 0, "a": 1, "a\n": 1, "a\n\n": 2, "\n\n": 2, "\r\n": 1, "a\n\nevil.example": 3} {
		code, v, _ = do(t, "POST", in.url+"/v1/match", "text/plain", body)
		require.Equal(t, 200, code)
		assert.EqualValues(t, lines, v["lines"], "%q", body)
	}
	_, v, _ = do(t, "POST", in.url+"/v1/match", "text/plain", "a\n\nevil.example")
	assert.EqualValues(t, 3, v["results"].([]any)[0].(map[string]any)["line"])
}

func TestMatchJSON(t *testing.T) {
	in := start(t, "-feed", writeFeed(t, testFeed))
	code, v, _ := do(t, "POST", in.url+"/v1/match", "application/json; charset=utf-8",
		`{"lines":["clean","dst=198.51.100.99 host=evil.example"],"source":"fw"}`)
	require.Equal(t, 200, code, v)
	assert.EqualValues(t, 2, v["lines"])
	res := v["results"].([]any)
	require.Len(t, res, 1)
	assert.EqualValues(t, 2, res[0].(map[string]any)["line"])
	assert.ElementsMatch(t, []string{"198.51.100.0/24", "evil.example"}, indicators(t, res[0].(map[string]any)["matches"]))
	assert.Equal(t, "fw", res[0].(map[string]any)["matches"].([]any)[0].(map[string]any)["file"])

	// ECS: one event per line that matched
	code, v, _ = do(t, "POST", in.url+"/v1/match?format=ecs", "text/plain", "clean\nhost=evil.example dst=203.0.113.7\n")
	require.Equal(t, 200, code, v)
	res = v["results"].([]any)
	require.Len(t, res, 1)
	ev := res[0].(map[string]any)["event"].(map[string]any)
	assert.EqualValues(t, 2, res[0].(map[string]any)["line"])
	enr := ev["threat"].(map[string]any)["enrichments"].([]any)
	assert.Len(t, enr, 2)
	assert.Equal(t, "host=evil.example dst=203.0.113.7", ev["event"].(map[string]any)["original"])
	code, v, _ = do(t, "POST", in.url+"/v1/match", "application/json", `{"lines":["evil.example"],"format":"ecs"}`)
	require.Equal(t, 200, code, v)
	assert.NotNil(t, v["results"].([]any)[0].(map[string]any)["event"])

	for _, c := range []struct {
		ctype, body string
		code        int
		want        string
	}{
		{"application/json", `{"lines":["a"],"extra":1}`, 400, `unknown field "extra"`},
		{"application/json", `{"lines":[`, 400, "bad JSON body"},
		{"application/json", `{"lines":"a"}`, 400, "bad JSON body"},
		{"application/json", `{}`, 400, `no "lines"`},
		{"application/json", ``, 400, "empty body"},
		{"application/json", `{"lines":[]} {}`, 400, "more than one JSON value"},
		{"application/xml", `<lines/>`, 415, "text/plain"},
		{"application/json", `{"lines":["a"],"format":"xml"}`, 400, `format "xml"`},
	} {
		code, v, _ := do(t, "POST", in.url+"/v1/match", c.ctype, c.body)
		assert.Equal(t, c.code, code, c.body)
		assert.Contains(t, v["error"], c.want, c.body)
	}
}

func TestLookup(t *testing.T) {
	in := start(t, "-feed", writeFeed(t, testFeed))
	code, v, _ := do(t, "POST", in.url+"/v1/lookup", "application/json", `{"domain":"www.EVIL.example","ip":["203.0.113.7","192.0.2.1","198.51.100.5"],
		"hash":"44D88612FEA8A8F36DE82E1278ABB02F","email":"nobody@phish.example","url":"http://clean.example/"}`)
	require.Equal(t, 200, code, v)
	f := v["fields"].(map[string]any)
	assert.Equal(t, []string{"evil.example"}, indicators(t, f["domain"]))
	assert.Equal(t, []string{"203.0.113.7", "198.51.100.0/24"}, indicators(t, f["ip"]))
	assert.EqualValues(t, 3, f["ip"].([]any)[1].(map[string]any)["line"], "the index of the value in its list")
	assert.Equal(t, []string{"44d88612fea8a8f36de82e1278abb02f"}, indicators(t, f["hash"]))
	assert.Empty(t, f["email"])
	assert.Empty(t, f["url"])
	assert.EqualValues(t, 4, v["matches"])

	// type names work as fields
	code, v, _ = do(t, "POST", in.url+"/v1/lookup", "application/json", `{"md5":"44d88612fea8a8f36de82e1278abb02f","ipv4":"203.0.113.7"}`)
	require.Equal(t, 200, code, v)
	assert.EqualValues(t, 2, v["matches"])

	for _, c := range []struct{ body, want string }{
		{`{"hostname":"x"}`, `unknown field "hostname"`},
		{`{}`, "no field to look up"},
		{`{"ip":5}`, `field "ip": want a string or a list of strings`},
		{`["x"]`, "bad JSON body"},
	} {
		code, v, _ := do(t, "POST", in.url+"/v1/lookup", "application/json", c.body)
		assert.Equal(t, 400, code, c.body)
		assert.Contains(t, v["error"], c.want, c.body)
	}
}

func TestIndicator(t *testing.T) {
	in := start(t, "-feed", writeFeed(t, testFeed))
	do(t, "POST", in.url+"/v1/match", "text/plain", "evil.example\nx.evil.example\n")
	code, v, _ := do(t, "GET", in.url+"/v1/indicators/domain/EVIL.example", "", "")
	require.Equal(t, 200, code, v)
	assert.Equal(t, "domain", v["type"])
	assert.Equal(t, "evil.example", v["indicator"])
	assert.Equal(t, []any{"feed"}, v["sources"])
	assert.EqualValues(t, 1, v["record_count"])
	recs := v["records"].([]any)
	require.Len(t, recs, 1)
	assert.Equal(t, "feed", recs[0].(map[string]any)["source"])
	assert.EqualValues(t, 2, v["hits"].(map[string]any)["count"])

	code, v, _ = do(t, "GET", in.url+"/v1/indicators/cidr/198.51.100.0%2F24", "", "")
	require.Equal(t, 200, code, v)
	assert.Equal(t, "198.51.100.0/24", v["indicator"])
	assert.Nil(t, v["hits"])

	code, v, _ = do(t, "GET", in.url+"/v1/indicators/domain/good.example", "", "")
	assert.Equal(t, 404, code)
	assert.Contains(t, v["error"], "not in the indicator set")
	code, v, _ = do(t, "GET", in.url+"/v1/indicators/planet/mars", "", "")
	assert.Equal(t, 400, code)
	assert.Contains(t, v["error"], `unknown indicator type "planet"`)
	code, v, _ = do(t, "GET", in.url+"/v1/indicators/ipv4/not-an-address", "", "")
	assert.Equal(t, 400, code)
	assert.Contains(t, v["error"], "not-an-address")
}

func TestStats(t *testing.T) {
	in := start(t, "-feed", writeFeed(t, testFeed))
	for range 3 {
		do(t, "POST", in.url+"/v1/match", "text/plain", "to 203.0.113.7\nclean\n")
	}
	do(t, "POST", in.url+"/v1/match", "text/plain", "evil.example")
	code, v, _ := do(t, "GET", in.url+"/v1/stats", "", "")
	require.Equal(t, 200, code, v)
	assert.EqualValues(t, 5, v["entries"])
	assert.EqualValues(t, 2, v["indicators_hit"])
	top := v["top"].([]any)
	require.Len(t, top, 2)
	assert.Equal(t, "203.0.113.7", top[0].(map[string]any)["value"])
	assert.EqualValues(t, 3, top[0].(map[string]any)["count"])
	roi := v["roi"].(map[string]any)
	feeds := roi["feeds"].([]any)
	require.Len(t, feeds, 1)
	f := feeds[0].(map[string]any)
	assert.Equal(t, "feed", f["source"])
	assert.EqualValues(t, 5, f["loaded"])
	assert.EqualValues(t, 4, f["hits"])

	code, v, _ = do(t, "GET", in.url+"/v1/stats?top=1", "", "")
	require.Equal(t, 200, code)
	assert.Len(t, v["top"], 1)
	code, v, _ = do(t, "GET", in.url+"/v1/stats?top=lots", "", "")
	assert.Equal(t, 400, code)
	assert.Contains(t, v["error"], "top=")
}

// TestReload: a feed edit is served after POST /v1/reload; a build that
// fails (the feed emptied) is a 500 and the set stays.
func TestReload(t *testing.T) {
	feed := writeFeed(t, testFeed)
	in := start(t, "-feed", feed)
	_, v, _ := do(t, "POST", in.url+"/v1/match", "text/plain", "new.example")
	assert.EqualValues(t, 0, v["matched"])
	require.NoError(t, os.WriteFile(feed, []byte(testFeed+"new.example\n"), 0o644))
	code, v, _ := do(t, "POST", in.url+"/v1/reload", "", "")
	require.Equal(t, 200, code, v)
	assert.EqualValues(t, 2, v["generation"])
	assert.EqualValues(t, 1, v["added"])
	assert.EqualValues(t, 6, v["entries"])
	_, v, _ = do(t, "POST", in.url+"/v1/match", "text/plain", "new.example")
	assert.EqualValues(t, 1, v["matched"])
	assert.EqualValues(t, 2, v["generation"])

	require.NoError(t, os.WriteFile(feed, nil, 0o644))
	code, v, _ = do(t, "POST", in.url+"/v1/reload", "", "")
	assert.Equal(t, 500, code)
	assert.Contains(t, v["error"], "reload failed, generation 2 stays")
	_, v, _ = do(t, "POST", in.url+"/v1/match", "text/plain", "new.example")
	assert.EqualValues(t, 1, v["matched"], "the set of generation 2 stays")

	_, v, _ = do(t, "GET", in.url+"/v1/stats", "", "")
	assert.EqualValues(t, 1, v["reloads"])
	assert.EqualValues(t, 1, v["reloads_failed"])
	metrics := get(t, in.url+"/metrics")
	assert.Contains(t, metrics, `iocserve_reloads_total{result="failed"} 1`)
	assert.Contains(t, metrics, `iocserve_reloads_total{result="ok"} 2`)
	assert.Contains(t, metrics, "iocserve_set_generation 2")
	assert.Contains(t, metrics, "iocserve_set_entries 6")
}

// TestReloadWatch: with -reload, a feed edit is picked up without a
// request.
func TestReloadWatch(t *testing.T) {
	feed := writeFeed(t, testFeed)
	in := start(t, "-feed", feed, "-reload", "50ms")
	require.NoError(t, os.WriteFile(feed, []byte(testFeed+"watched.example\n"), 0o644))
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, v, _ := do(t, "POST", in.url+"/v1/match", "text/plain", "watched.example")
		if v["matched"] == 1.0 {
			assert.GreaterOrEqual(t, v["generation"], 2.0)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the edit was not picked up in 20 s: %s", in.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSIGHUP: SIGHUP reloads at once, without -reload.
func TestSIGHUP(t *testing.T) {
	feed := writeFeed(t, testFeed)
	in := start(t, "-feed", feed)
	require.NoError(t, os.WriteFile(feed, []byte(testFeed+"hup.example\n"), 0o644))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP)) // run has signal.Notify'd it
	waitFor(t, func() bool {
		_, v, _ := do(t, "POST", in.url+"/v1/match", "text/plain", "hup.example")
		return v["matched"] == 1.0
	})
}

func get(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestAuth(t *testing.T) {
	t.Setenv(envToken, "s3cret")
	in := start(t, "-feed", writeFeed(t, testFeed))
	code, v, h := do(t, "POST", in.url+"/v1/match", "text/plain", "evil.example")
	assert.Equal(t, 401, code)
	assert.Contains(t, v["error"], "bearer token")
	assert.Contains(t, h.Get("WWW-Authenticate"), "Bearer")
	code, _, _ = do(t, "POST", in.url+"/v1/match", "text/plain", "evil.example", "Authorization", "Bearer wrong")
	assert.Equal(t, 401, code)
	code, _, _ = do(t, "GET", in.url+"/v1/stats", "", "", "Authorization", "s3cret")
	assert.Equal(t, 401, code, "the scheme is required")
	code, v, _ = do(t, "POST", in.url+"/v1/match", "text/plain", "evil.example", "Authorization", "Bearer s3cret")
	assert.Equal(t, 200, code)
	assert.EqualValues(t, 1, v["matched"])
	code, _, _ = do(t, "GET", in.url+"/healthz", "", "")
	assert.Equal(t, 200, code, "health needs no token")
	assert.Contains(t, get(t, in.url+"/metrics"), `iocserve_requests_total{code="401",endpoint="match"} 2`)

	// -token wins over the environment
	in2 := start(t, "-feed", writeFeed(t, testFeed), "-token", "flag")
	code, _, _ = do(t, "GET", in2.url+"/v1/stats", "", "", "Authorization", "Bearer flag")
	assert.Equal(t, 200, code)
}

func TestMethodsAndPaths(t *testing.T) {
	in := start(t, "-feed", writeFeed(t, testFeed))
	code, v, h := do(t, "GET", in.url+"/v1/match", "", "")
	assert.Equal(t, 405, code)
	assert.Equal(t, "POST", h.Get("Allow"))
	assert.Contains(t, v["error"], "method GET not allowed on /v1/match")
	code, _, h = do(t, "POST", in.url+"/v1/stats", "", "")
	assert.Equal(t, 405, code)
	assert.Equal(t, "GET", h.Get("Allow"))
	code, v, _ = do(t, "GET", in.url+"/v2/match", "", "")
	assert.Equal(t, 404, code)
	assert.Contains(t, v["error"], "no endpoint GET /v2/match")
	code, v, _ = do(t, "GET", in.url+"/healthz", "", "")
	assert.Equal(t, 200, code)
	assert.Equal(t, "ok", v["status"])
}

// TestLimits: 413 past the body and line caps (with and without a
// Content-Length), 429 past the concurrency limit while a request is
// blocked, served again once it is done.
func TestLimits(t *testing.T) {
	in := start(t, "-feed", writeFeed(t, testFeed), "-max-body", "1000", "-max-line", "100", "-max-concurrent", "1")
	code, v, _ := do(t, "POST", in.url+"/v1/match", "text/plain", strings.Repeat("a", 1001))
	assert.Equal(t, 413, code)
	assert.Contains(t, v["error"], "more than 1000 (-max-body)")
	code, v, _ = do(t, "POST", in.url+"/v1/match", "text/plain", "ok\n"+strings.Repeat("b", 101)+"\n")
	assert.Equal(t, 413, code)
	assert.Contains(t, v["error"], "line 2: 101 bytes, more than 100 (-max-line)")
	code, v, _ = do(t, "POST", in.url+"/v1/match", "application/json", `{"lines":["`+strings.Repeat("c", 101)+`"]}`)
	assert.Equal(t, 413, code)
	assert.Contains(t, v["error"], "line 1")
	code, v, _ = do(t, "POST", in.url+"/v1/lookup", "application/json", `{"url":"`+strings.Repeat("d", 101)+`"}`)
	assert.Equal(t, 413, code)
	assert.Contains(t, v["error"], `field "url"`)

	// a chunked body (no Content-Length) past the cap
	pr, pw := io.Pipe()
	go func() {
		for range 11 {
			pw.Write([]byte(strings.Repeat("e", 99) + "\n"))
		}
		pw.Close()
	}()
	resp, err := http.Post(in.url+"/v1/match", "text/plain", pr)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 413, resp.StatusCode, "%s", b)
	assert.Contains(t, string(b), "larger than 1000 bytes")

	// 429: one request held in flight (its body not finished)
	pr, pw = io.Pipe()
	held := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post(in.url+"/v1/match", "text/plain", pr)
		if err != nil {
			held <- nil
			return
		}
		held <- resp
	}()
	pw.Write([]byte("evil.example\n"))
	waitFor(t, func() bool { return strings.Contains(get(t, in.url+"/metrics"), "iocserve_requests_in_flight 1") })
	code, v, h := do(t, "POST", in.url+"/v1/match", "text/plain", "evil.example")
	assert.Equal(t, 429, code)
	assert.Contains(t, v["error"], "overloaded")
	assert.Equal(t, "1", h.Get("Retry-After"))
	code, _, _ = do(t, "GET", in.url+"/healthz", "", "")
	assert.Equal(t, 200, code, "health is not limited")
	pw.Close()
	resp = <-held
	require.NotNil(t, resp)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(b), `"matched":1`)
	code, _, _ = do(t, "POST", in.url+"/v1/match", "text/plain", "evil.example")
	assert.Equal(t, 200, code, "served again")
	assert.Contains(t, get(t, in.url+"/metrics"), "iocserve_requests_rejected_total 1")
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestReadiness: before the first set, /readyz and the API are 503 and
// /healthz 200; once a set is installed, ready.
func TestReadiness(t *testing.T) {
	s := newServer(limits{maxBody: 1 << 20, maxLine: 1 << 10, maxConcurrent: 4}, "", time.Now, nil, t.Logf)
	ts := httptest.NewServer(s.handler())
	defer ts.Close()
	code, v, h := do(t, "GET", ts.URL+"/readyz", "", "")
	assert.Equal(t, 503, code)
	assert.Contains(t, v["error"], "not ready")
	assert.Equal(t, "1", h.Get("Retry-After"))
	for _, p := range []struct{ method, path string }{{"POST", "/v1/match"}, {"POST", "/v1/lookup"}, {"GET", "/v1/stats"}, {"POST", "/v1/reload"}, {"GET", "/v1/indicators/domain/x.example"}} {
		code, _, _ := do(t, p.method, ts.URL+p.path, "application/json", `{"domain":"x.example"}`)
		assert.Equal(t, 503, code, p.path)
	}
	code, _, _ = do(t, "GET", ts.URL+"/healthz", "", "")
	assert.Equal(t, 200, code)

	fs := setup.NewFlags("IOCSERVE")
	fs.Feeds = setup.Multi{writeFeed(t, testFeed)}
	fs.Allow.Reserved = true
	cfg, err := fs.Config()
	require.NoError(t, err)
	opts, err := cfg.LiveOptions(context.Background(), io.Discard)
	require.NoError(t, err)
	opts.OnReload = s.onReload
	lm, err := live.New(context.Background(), opts)
	require.NoError(t, err)
	defer lm.Close()
	s.setMatcher(lm)
	code, v, _ = do(t, "GET", ts.URL+"/readyz", "", "")
	assert.Equal(t, 200, code)
	assert.EqualValues(t, 5, v["entries"])
	code, v, _ = do(t, "POST", ts.URL+"/v1/match", "text/plain", "evil.example")
	assert.Equal(t, 200, code)
	assert.EqualValues(t, 1, v["matched"])
}

// TestNotReadyWhileLoading: run listens before the first build; while
// it waits (a TAXII server that does not answer yet) /readyz and the API
// are 503 and /healthz 200; a first build that fails ends run with 1.
func TestNotReadyWhileLoading(t *testing.T) {
	release := make(chan struct{})
	taxiiSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer taxiiSrv.Close()
	var stderr syncBuffer
	addr := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"-addr", "127.0.0.1:0", "-taxii", taxiiSrv.URL + "/api/collections/c1/"}, io.Discard, &stderr, func(a string) { addr <- a })
	}()
	url := "http://" + <-addr
	code, v, _ := do(t, "GET", url+"/readyz", "", "")
	assert.Equal(t, 503, code)
	assert.Contains(t, v["error"], "not ready")
	code, _, _ = do(t, "POST", url+"/v1/match", "text/plain", "evil.example")
	assert.Equal(t, 503, code)
	code, _, _ = do(t, "GET", url+"/healthz", "", "")
	assert.Equal(t, 200, code)
	close(release)
	select {
	case code := <-done:
		assert.Equal(t, 1, code)
	case <-time.After(20 * time.Second):
		t.Fatal("run did not end after the failed first build")
	}
	assert.Contains(t, stderr.String(), "loading the indicators")
	assert.Contains(t, stderr.String(), "401")
}

// TestShutdownWhileLoading: SIGINT or SIGTERM during a first build that
// blocks (a feed on a FIFO without a writer) ends run within
// -shutdown-timeout, with status 1.
func TestShutdownWhileLoading(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "feed.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	defer func() { // let the build's open go on, and end
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	addr := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-feed", fifo, "-shutdown-timeout", "200ms"}, io.Discard, &stderr, func(a string) { addr <- a })
	}()
	url := "http://" + <-addr
	code, _, _ := do(t, "GET", url+"/readyz", "", "")
	assert.Equal(t, 503, code)
	t0 := time.Now()
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 1, code)
		assert.Less(t, time.Since(t0), 5*time.Second)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not end 10 s after the signal")
	}
	assert.Contains(t, stderr.String(), "did not stop in 200ms")
}

// TestGracefulShutdown: a request in flight when the shutdown begins is
// answered in full; after it, the port is closed and run returns 0.
func TestGracefulShutdown(t *testing.T) {
	in := start(t, "-feed", writeFeed(t, testFeed))
	pr, pw := io.Pipe()
	held := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post(in.url+"/v1/match", "text/plain", pr)
		if err != nil {
			t.Log(err)
			held <- nil
			return
		}
		held <- resp
	}()
	pw.Write([]byte("evil.example\n"))
	waitFor(t, func() bool { return strings.Contains(get(t, in.url+"/metrics"), "iocserve_requests_in_flight 1") })
	in.cancel() // SIGINT or SIGTERM
	waitFor(t, func() bool { return strings.Contains(in.stderr.String(), "shutting down") })
	time.Sleep(50 * time.Millisecond)
	pw.Write([]byte("and 203.0.113.7\n"))
	pw.Close()
	resp := <-held
	require.NotNil(t, resp, "the request in flight was cut")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(b), `"matched":2`)
	assert.Equal(t, 0, in.stop(t))
	_, err := http.Get(in.url + "/healthz")
	assert.Error(t, err, "no longer listening")
	assert.Contains(t, in.stderr.String(), "iocserve: stopped")
}

func TestRunErrors(t *testing.T) {
	feed := writeFeed(t, testFeed)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "at least one -feed, -taxii, -otx, -abuseipdb, -recordedfuture or -threatconnect is required"},
		{[]string{"-feed", feed, "-max-body", "0"}, 2, "-max-body 0: must be more than 0"},
		{[]string{"-feed", feed, "-max-concurrent", "-1"}, 2, "-max-concurrent -1"},
		{[]string{"-feed", feed, "-idle-timeout", "0s"}, 2, "-idle-timeout 0s"},
		{[]string{"-feed", feed, "-no-such-flag"}, 2, "flag provided but not defined"},
		{[]string{"-feed", feed, "log.txt"}, 2, "unexpected arguments"},
		{[]string{"-feed", feed, "-now", "noon"}, 2, "-now"},
		{[]string{"-feed", feed, "-addr", "256.0.0.1:1"}, 1, "256.0.0.1"},
		{[]string{"-feed", filepath.Join(t.TempDir(), "missing.txt"), "-addr", "127.0.0.1:0"}, 1, "loading the indicators"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), c.args, io.Discard, &stderr, nil)
		assert.Equal(t, c.code, code, c.args)
		assert.Contains(t, stderr.String(), c.want, c.args)
	}
	var stdout bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, &stdout, io.Discard, nil))
	for _, f := range []string{"-feed", "-taxii", "-max-age", "-warninglist", "-reload", "-addr", "-token", "-max-concurrent"} {
		assert.Contains(t, stdout.String(), "  "+f+" ", f)
	}
}

// TestMetrics: the request, latency, line and match metrics move.
func TestMetrics(t *testing.T) {
	in := start(t, "-feed", writeFeed(t, testFeed))
	do(t, "POST", in.url+"/v1/match", "text/plain", "evil.example\n203.0.113.7 and x.evil.example\nclean\n")
	do(t, "POST", in.url+"/v1/lookup", "application/json", `{"domain":"evil.example"}`)
	m := get(t, in.url+"/metrics")
	for _, want := range []string{
		`iocserve_requests_total{code="200",endpoint="match"} 1`,
		`iocserve_requests_total{code="200",endpoint="lookup"} 1`,
		`iocserve_request_duration_seconds_count{endpoint="match"} 1`,
		"iocserve_lines_total 3",
		`iocserve_matches_total{type="domain"} 3`,
		`iocserve_matches_total{type="ipv4"} 1`,
		`iocserve_reloads_total{result="ok"} 1`,
		"iocserve_set_entries 5",
		"go_goroutines",
	} {
		assert.Contains(t, m, want)
	}
	fmt.Fprint(io.Discard, m)
}
