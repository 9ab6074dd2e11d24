package taxii

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A fake TAXII 2.1 server for the tests: discovery at /taxii2/, API roots
// /api1/ and /api2/, collections, and the objects of one collection,
// paged by next token or by X-TAXII-Date-Added-Last.

const (
	colID      = "91a7b528-80eb-42ed-a74d-c6fbd5a26116" // readable collection of /api1/
	colID2     = "52892447-4d7e-4f70-b94d-d7f22742ff63" // write-only collection of /api1/
	colID3     = "64993447-4d7e-4f70-b94d-d7f22742aa12" // collection of /api2/
	identityID = "identity--b2a4a5a4-0f3e-4a4e-9c2e-7c1a0c9d1e11"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

type fakeObject struct {
	added time.Time
	raw   string
	typ   string
}

type fakeServer struct {
	*httptest.Server
	t *testing.T

	user, pass, token string
	pageSize          int    // default page size (when no limit is asked for)
	paging            string // "next" (default) or "date": by X-TAXII-Date-Added-Last only

	mu       sync.Mutex
	objects  []fakeObject
	requests []*http.Request
	// hook, when set, may answer a request instead of the server (it
	// returns true then); n is the 1-based number of the request.
	hook func(w http.ResponseWriter, r *http.Request, n int) bool
}

func newFakeServer(t *testing.T) *fakeServer {
	s := &fakeServer{t: t, pageSize: 3, paging: "next"}
	s.objects = sampleObjects()
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// sampleObjects: an identity and a marking first, then indicators (one per
// minute after t0), the last of them created by the identity.
func sampleObjects() []fakeObject {
	objs := []fakeObject{
		{typ: "identity", raw: `{"type":"identity","spec_version":"2.1","id":"` + identityID + `","created":"2024-05-01T12:00:00.000Z","modified":"2024-05-01T12:00:00.000Z","name":"Example CERT","identity_class":"organization"}`},
		{typ: "marking-definition", raw: `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:GREEN","definition":{"tlp":"green"}}`},
	}
	pats := []string{
		`[ipv4-addr:value = '198.51.100.7']`,
		`[domain-name:value = 'c2.bad.example']`,
		`[url:value = 'https://cdn.bad.example/payload.bin']`,
		`[file:hashes.'SHA-256' = '3b1f2c5e0d7a9b4c6e8f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d']`,
		`[ipv4-addr:value = '203.0.113.9']`,
	}
	for i, p := range pats {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i+1)
		o := map[string]any{
			"type": "indicator", "spec_version": "2.1", "id": id,
			"created": "2024-05-01T12:00:00.000Z", "modified": "2024-05-01T12:00:00.000Z",
			"pattern": p, "pattern_type": "stix", "valid_from": "2024-05-01T12:00:00Z",
			"indicator_types": []string{"malicious-activity"},
		}
		if i == len(pats)-1 {
			o["created_by_ref"] = identityID
			o["object_marking_refs"] = []string{"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"}
		}
		b, _ := json.Marshal(o)
		objs = append(objs, fakeObject{typ: "indicator", raw: string(b)})
	}
	for i := range objs {
		objs[i].added = t0.Add(time.Duration(i) * time.Minute).Add(123 * time.Millisecond)
	}
	return objs
}

// add adds objects to the collection, added after the last one.
func (s *fakeServer) add(raws ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	last := s.objects[len(s.objects)-1].added
	for i, r := range raws {
		s.objects = append(s.objects, fakeObject{raw: r, typ: "indicator", added: last.Add(time.Duration(i+1) * time.Hour)})
	}
}

func (s *fakeServer) reqs() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// queries returns the query of every objects request.
func (s *fakeServer) queries() []url.Values {
	var qs []url.Values
	for _, r := range s.reqs() {
		if strings.HasSuffix(r.URL.Path, "/objects/") {
			qs = append(qs, r.URL.Query())
		}
	}
	return qs
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", MediaType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func taxiiError(w http.ResponseWriter, status int, title, desc string) {
	writeJSON(w, status, map[string]any{"title": title, "description": desc, "http_status": strconv.Itoa(status)})
}

func (s *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	n := len(s.requests)
	hook := s.hook
	s.mu.Unlock()
	if hook != nil && hook(w, r, n) {
		return
	}
	if r.Header.Get("Accept") != MediaType {
		taxiiError(w, http.StatusNotAcceptable, "Not Acceptable", "bad Accept header")
		return
	}
	switch {
	case s.token != "":
		if r.Header.Get("Authorization") != "Bearer "+s.token {
			taxiiError(w, http.StatusUnauthorized, "Unauthorized", "bad token")
			return
		}
	case s.user != "":
		u, p, ok := r.BasicAuth()
		if !ok || u != s.user || p != s.pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="taxii"`)
			taxiiError(w, http.StatusUnauthorized, "Authentication failed", "invalid user name or password")
			return
		}
	}
	base := "http://" + r.Host
	switch p := r.URL.Path; p {
	case "/taxii2/":
		writeJSON(w, 200, map[string]any{
			"title": "Example TAXII", "description": "test server", "contact": "cert@example.test",
			"default": "/api1/", "api_roots": []string{"/api1/", base + "/api2"},
		})
	case "/api1/", "/api2/":
		writeJSON(w, 200, map[string]any{"title": "Root " + p, "versions": []string{MediaType}, "max_content_length": 1 << 20})
	case "/api1/collections/":
		writeJSON(w, 200, map[string]any{"collections": []map[string]any{
			{"id": colID, "title": "Indicators", "description": "IOCs", "alias": "iocs", "can_read": true, "can_write": false, "media_types": []string{"application/stix+json;version=2.1"}},
			{"id": colID2, "title": "Submissions", "can_read": false, "can_write": true},
		}})
	case "/api2/collections/":
		writeJSON(w, 200, map[string]any{"collections": []map[string]any{
			{"id": colID3, "title": "Other", "can_read": true},
		}})
	case "/api1/collections/" + colID + "/":
		writeJSON(w, 200, map[string]any{"id": colID, "title": "Indicators", "can_read": true})
	case "/api1/collections/" + colID + "/objects/":
		s.serveObjects(w, r)
	default:
		taxiiError(w, http.StatusNotFound, "Not Found", "no such resource "+p)
	}
}

func (s *fakeServer) serveObjects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	all := slices.Clone(s.objects)
	s.mu.Unlock()
	var sel []fakeObject
	var after time.Time
	if a := q.Get("added_after"); a != "" {
		var err error
		if after, err = ParseTime(a); err != nil {
			taxiiError(w, 400, "Bad Request", "bad added_after")
			return
		}
	}
	types := q.Get("match[type]")
	for _, o := range all {
		if o.added.After(after) && (types == "" || slices.Contains(strings.Split(types, ","), o.typ)) {
			sel = append(sel, o)
		}
	}
	size := s.pageSize
	if l := q.Get("limit"); l != "" {
		size, _ = strconv.Atoi(l)
	}
	start := 0
	if nx := q.Get("next"); nx != "" {
		start, _ = strconv.Atoi(strings.TrimPrefix(nx, "tok"))
	}
	end := min(start+size, len(sel))
	page := sel[min(start, len(sel)):end]
	env := map[string]any{"more": end < len(sel)}
	if end < len(sel) && s.paging == "next" {
		env["next"] = "tok" + strconv.Itoa(end)
	}
	objs := []json.RawMessage{}
	for _, o := range page {
		objs = append(objs, json.RawMessage(o.raw))
	}
	if len(objs) > 0 {
		env["objects"] = objs
		w.Header().Set("X-TAXII-Date-Added-First", FormatTime(page[0].added))
		w.Header().Set("X-TAXII-Date-Added-Last", FormatTime(page[len(page)-1].added))
	}
	writeJSON(w, 200, env)
}

// testClient returns a client whose waits before retries are recorded,
// not slept.
func testClient(t *testing.T, opts Options) (*Client, *[]time.Duration) {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	waits := &[]time.Duration{}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*waits = append(*waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	c.jitter = func() float64 { return 0.5 }
	return c, waits
}
