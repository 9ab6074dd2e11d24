package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/roi"
)

// limits are the request limits of a server.
type limits struct {
	maxBody       int64 // bytes of a request body; more: 413
	maxLine       int   // bytes of one line (or lookup value); more: 413
	maxConcurrent int   // requests to /v1/ served at once; more: 429
}

// server is the HTTP handler of iocserve: the endpoints over the current
// set of a live.Matcher (nil until the first set is compiled).
type server struct {
	lim    limits
	token  string // bearer token; "" no auth
	clock  func() time.Time
	scorer encode.Scorer
	met    *metrics
	st     *hits.Stats
	logf   func(string, ...any)

	lm  atomic.Pointer[live.Matcher]
	sem chan struct{} // the concurrency limit
	// inflight counts the /v1/ requests being served (tests wait on it).
	inflight atomic.Int64

	encoders sync.Pool // *reqState

	mu    sync.Mutex      // guards feeds and ages
	feeds []roi.FeedInput // what the ROI report says of the feeds before matching
	ages  *age.Report     // the ageing of the build under way, summed over its batches (nil: none yet)

	reloads, failures atomic.Int64
	started           time.Time // the start of the hit statistics
}

func newServer(lim limits, token string, clock func() time.Time, scorer encode.Scorer, logf func(string, ...any)) *server {
	s := &server{started: clock(), lim: lim, token: token, clock: clock, scorer: scorer, logf: logf,
		met: newMetrics(), st: hits.New(hits.Options{Start: clock()}), sem: make(chan struct{}, lim.maxConcurrent)}
	return s
}

// addAges is the live Transform's report: called once per batch.
func (s *server) addAges(r *age.Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ages == nil {
		s.ages = &age.Report{}
	}
	s.ages.Add(r, 0)
}

// setMatcher makes lm the server's matcher: from now on it is ready.
func (s *server) setMatcher(lm *live.Matcher) {
	s.lm.Store(lm)
	s.installed(lm.Current())
}

// onReload is the live OnReload: it counts the builds, and binds the hit
// statistics and the ROI inputs to a new set.
func (s *server) onReload(ev live.Event) {
	if ev.Err != nil {
		s.failures.Add(1)
		s.met.reloads.WithLabelValues("failed").Inc()
		s.mu.Lock()
		s.ages = nil
		s.mu.Unlock()
		s.logf("reload failed (%s), the current set stays: %v", ev.Trigger, ev.Err)
		return
	}
	s.met.reloads.WithLabelValues("ok").Inc()
	if ev.Trigger != "initial" {
		s.reloads.Add(1)
		s.logf("%v", ev)
	}
	s.installed(ev.Set)
}

// installed binds the statistics, metrics and ROI inputs to set (several
// calls for one set are harmless).
func (s *server) installed(set *live.Set) {
	if set == nil {
		return
	}
	if s.st.Bound() != set.Matcher {
		s.st.Rebind(set.Matcher) // the counts of the entries that stay carry over
	}
	feeds := roi.FeedsFrom(set.Allow, nil)
	s.mu.Lock()
	if s.ages != nil {
		roi.AddAges(feeds, s.ages)
		s.feeds = feeds
		s.ages = nil
	} else if s.feeds == nil {
		s.feeds = feeds
	}
	s.mu.Unlock()
	s.met.entries.Set(float64(set.Matcher.Len()))
	s.met.indicators.Set(float64(set.Indicators))
	s.met.generation.Set(float64(set.Generation))
}

// current is the current set, nil before the first.
func (s *server) current() *live.Set {
	lm := s.lm.Load()
	if lm == nil {
		return nil
	}
	return lm.Current()
}

// handler is the server's routes, wrapped with the metrics, the
// concurrency limit and the auth of each.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	api := func(pattern, endpoint string, h func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, s.instrument(endpoint, s.auth(s.limit(h))))
	}
	api("POST /v1/match", "match", s.match)
	api("POST /v1/lookup", "lookup", s.lookup)
	api("GET /v1/indicators/{type}/{value...}", "indicators", s.indicator)
	api("GET /v1/stats", "stats", s.stats)
	api("POST /v1/reload", "reload", s.reload)
	mux.Handle("GET /healthz", s.instrument("healthz", func(w http.ResponseWriter, r *http.Request) error {
		return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	mux.Handle("GET /readyz", s.instrument("readyz", func(w http.ResponseWriter, r *http.Request) error {
		set := s.current()
		if set == nil {
			return httpError(http.StatusServiceUnavailable, "not ready: the first indicator set is being compiled")
		}
		return writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "generation": set.Generation, "entries": set.Matcher.Len()})
	}))
	mux.Handle("GET /metrics", s.met.handler())
	mux.Handle("/", s.instrument("other", func(w http.ResponseWriter, r *http.Request) error {
		return httpError(http.StatusNotFound, fmt.Sprintf("no endpoint %s %s (see GET /healthz, POST /v1/match …)", r.Method, r.URL.Path))
	}))
	// A known path with another method: ServeMux answers 405 in plain
	// text; answer it in JSON.
	return jsonMethodErrors(mux)
}

// statusError is an error with its HTTP status.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

func httpError(code int, msg string) error { return &statusError{code, msg} }

// handlerFunc is an endpoint: an error is written as {"error": …} with
// its status (500 when it has none).
type handlerFunc func(http.ResponseWriter, *http.Request) error

// instrument counts the requests of endpoint by status and times them,
// and writes the error of h.
func (s *server) instrument(endpoint string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		rw := &statusWriter{ResponseWriter: w}
		if err := h(rw, r); err != nil {
			code := http.StatusInternalServerError
			var se *statusError
			var mb *http.MaxBytesError
			switch {
			case errors.As(err, &se):
				code = se.code
			case errors.As(err, &mb):
				code = http.StatusRequestEntityTooLarge
				err = fmt.Errorf("request body larger than %d bytes (-max-body)", mb.Limit)
			}
			if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
				rw.Header().Set("Retry-After", "1")
			}
			if code == http.StatusUnauthorized {
				rw.Header().Set("WWW-Authenticate", `Bearer realm="iocserve"`)
			}
			if !rw.wrote {
				writeJSON(rw, code, map[string]string{"error": err.Error()})
			}
		}
		s.met.requests.WithLabelValues(endpoint, strconv.Itoa(rw.status())).Inc()
		s.met.latency.WithLabelValues(endpoint).Observe(time.Since(t0).Seconds())
	})
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.code, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) status() int {
	if !w.wrote {
		return http.StatusOK
	}
	return w.code
}

// auth checks the bearer token, when there is one.
func (s *server) auth(h handlerFunc) handlerFunc {
	if s.token == "" {
		return h
	}
	want := []byte("Bearer " + s.token)
	return func(w http.ResponseWriter, r *http.Request) error {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			return httpError(http.StatusUnauthorized, "missing or wrong bearer token (Authorization: Bearer TOKEN)")
		}
		return h(w, r)
	}
}

// limit serves at most maxConcurrent requests at once: one more is
// answered 429 at once (a client backs off and retries), not queued.
func (s *server) limit(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		select {
		case s.sem <- struct{}{}:
		default:
			s.met.rejected.Inc()
			return httpError(http.StatusTooManyRequests, fmt.Sprintf("overloaded: %d requests in flight (-max-concurrent); retry later", cap(s.sem)))
		}
		s.inflight.Add(1)
		s.met.inflight.Inc()
		defer func() {
			s.met.inflight.Dec()
			s.inflight.Add(-1)
			<-s.sem
		}()
		if r.ContentLength > s.lim.maxBody {
			return httpError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body of %d bytes: more than %d (-max-body)", r.ContentLength, s.lim.maxBody))
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.lim.maxBody)
		return h(w, r)
	}
}

// jsonMethodErrors answers ServeMux's 405 (a known path, another method)
// as a JSON error.
func jsonMethodErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		if pattern == "" || pattern == "/" {
			// no route for this method: is there one for another?
			for _, m := range []string{http.MethodGet, http.MethodPost} {
				if m == r.Method {
					continue
				}
				r2 := r.Clone(r.Context())
				r2.Method = m
				if _, p := mux.Handler(r2); p != "" && p != "/" {
					w.Header().Set("Allow", m)
					writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": fmt.Sprintf("method %s not allowed on %s: use %s", r.Method, r.URL.Path, m)})
					return
				}
			}
		}
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, err = w.Write(append(b, '\n'))
	return err
}

// ready returns the current set, or a 503 before the first.
func (s *server) ready() (*live.Set, error) {
	set := s.current()
	if set == nil {
		return nil, httpError(http.StatusServiceUnavailable, "not ready: the first indicator set is being compiled")
	}
	return set, nil
}

// reqState is the per-request scratch of /v1/match and /v1/lookup,
// pooled: the encoder of a set (its cache of entry parts), the matches,
// the output.
type reqState struct {
	m     *match.Matcher
	enc   *encode.Encoder
	dst   []match.Match
	ids   []match.ID
	out   []byte
	body  []byte   // a text/plain body
	lines [][]byte // its lines
}

func (s *server) state(m *match.Matcher) *reqState {
	st, _ := s.encoders.Get().(*reqState)
	if st == nil {
		st = &reqState{}
	}
	if st.m != m {
		st.m = m
		st.enc = encode.NewEncoder(m, encode.Options{Now: s.clock, Scorer: s.scorer})
	}
	return st
}

func (s *server) release(st *reqState) {
	if cap(st.out) > 4<<20 {
		st.out = nil // do not keep a huge answer's buffer
	}
	if cap(st.body) > 4<<20 {
		st.body, st.lines = nil, nil
	}
	clear(st.lines[:cap(st.lines)]) // no hold on the body's bytes
	st.lines = st.lines[:0]
	s.encoders.Put(st)
}

// matchRequest is the JSON body of /v1/match.
type matchRequest struct {
	Lines []string `json:"lines"`
	// Source names the lines' origin in the answer ("file"); "-" when
	// not given.
	Source string `json:"source"`
	// Format is the matches' encoding: "json" (the default) or "ecs".
	Format string `json:"format"`
}

// match is POST /v1/match.
func (s *server) match(w http.ResponseWriter, r *http.Request) error {
	set, err := s.ready()
	if err != nil {
		return err
	}
	m := set.Matcher
	st := s.state(m)
	defer s.release(st)
	lines := st.lines[:0]
	source, format := r.URL.Query().Get("source"), r.URL.Query().Get("format")
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var req matchRequest
		if err := decodeJSON(r.Body, &req); err != nil {
			return err
		}
		if req.Lines == nil {
			return httpError(http.StatusBadRequest, `JSON body: no "lines" (want {"lines":["…","…"]})`)
		}
		for i, l := range req.Lines {
			if len(l) > s.lim.maxLine {
				return httpError(http.StatusRequestEntityTooLarge, fmt.Sprintf("line %d: %d bytes, more than %d (-max-line)", i+1, len(l), s.lim.maxLine))
			}
			lines = append(lines, []byte(l))
		}
		st.lines = lines
		if req.Source != "" {
			source = req.Source
		}
		if req.Format != "" {
			format = req.Format
		}
	case "", "text/plain", "application/octet-stream", "application/x-www-form-urlencoded": // the last: curl's default for -d and --data-binary
		buf := bytes.NewBuffer(st.body[:0])
		if r.ContentLength > 0 {
			buf.Grow(int(r.ContentLength) + 1) // +1: ReadFrom wants room for its EOF read
		}
		_, err := buf.ReadFrom(r.Body)
		st.body = buf.Bytes()
		if err != nil {
			return err
		}
		// the body without its last line ending; empty: no line
		rest := bytes.TrimSuffix(st.body, []byte("\n"))
		for len(st.body) > 1 || len(rest) > 0 { // "" and "\n": no line
			l, tail, more := bytes.Cut(rest, []byte("\n"))
			l = bytes.TrimSuffix(l, []byte("\r"))
			if len(l) > s.lim.maxLine {
				return httpError(http.StatusRequestEntityTooLarge, fmt.Sprintf("line %d: %d bytes, more than %d (-max-line)", len(lines)+1, len(l), s.lim.maxLine))
			}
			lines = append(lines, l)
			if !more {
				break
			}
			rest = tail
		}
		st.lines = lines
	default:
		return httpError(http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: send text/plain (one log line per line) or application/json ({\"lines\":[…]})", ct))
	}
	if source == "" {
		source = "-"
	}
	ecs := false
	switch format {
	case "", "json":
	case "ecs":
		ecs = true
	default:
		return httpError(http.StatusBadRequest, fmt.Sprintf("format %q: want json (the default) or ecs", format))
	}
	b := st.out[:0]
	b = append(b, `{"generation":`...)
	b = strconv.AppendUint(b, set.Generation, 10)
	b = append(b, `,"lines":`...)
	b = strconv.AppendInt(b, int64(len(lines)), 10)
	b = append(b, `,"results":[`...)
	matched, nmatch := 0, 0
	now := s.clock()
	for i, line := range lines {
		st.dst = m.AppendMatches(st.dst[:0], line)
		if len(st.dst) == 0 {
			continue
		}
		if matched > 0 {
			b = append(b, ',')
		}
		matched++
		nmatch += len(st.dst)
		s.st.Record(m, st.dst, now)
		b = append(b, `{"line":`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		ln := encode.Line{File: source, Number: i + 1, Offset: -1, Text: line}
		for _, x := range st.dst {
			s.met.matchesByType[x.Type].Inc()
		}
		if ecs {
			b = append(b, `,"event":`...)
			b = st.enc.AppendECS(b, ln, st.dst)
			b = append(b, '}')
			continue
		}
		b = append(b, `,"matches":[`...)
		for j, x := range st.dst {
			if j > 0 {
				b = append(b, ',')
			}
			b = st.enc.AppendJSON(b, ln, x)
		}
		b = append(b, "]}"...)
	}
	b = append(b, `],"matched":`...)
	b = strconv.AppendInt(b, int64(matched), 10)
	b = append(b, `,"matches":`...)
	b = strconv.AppendInt(b, int64(nmatch), 10)
	b = append(b, "}\n"...)
	st.out = b
	s.met.lines.Add(float64(len(lines)))
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(b)
	return err
}

// decodeJSON decodes one JSON value into v, unknown fields refused; its
// errors are 400s (413 past the body cap).
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return httpError(http.StatusBadRequest, "empty body: want a JSON object")
		}
		return httpError(http.StatusBadRequest, "bad JSON body: "+err.Error())
	}
	if dec.More() {
		return httpError(http.StatusBadRequest, "bad JSON body: more than one JSON value")
	}
	return nil
}

// lookupFields are the field names of /v1/lookup beyond the type names:
// ip (an IPv4 or IPv6 address) and hash (MD5, SHA-1, SHA-256 or SHA-512
// by its length).
var lookupFields = map[string]indicator.Type{"ip": indicator.IPv4, "hash": indicator.SHA256}

// lookupType is the type of a /v1/lookup field: ip, hash, or a type name
// as indicator names them (domain, url, email, ipv4, sha256, filename,
// useragent, email-subject …).
func lookupType(field string) (indicator.Type, bool) {
	if t, ok := lookupFields[field]; ok {
		return t, true
	}
	for _, t := range indicator.Types() {
		if t.String() == field {
			return t, true
		}
	}
	return indicator.Invalid, false
}

// stringOrList is a lookup field's value: a string or a list of strings.
type stringOrList []string

func (v *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*v = stringOrList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*v = many
	return nil
}

// lookup is POST /v1/lookup.
func (s *server) lookup(w http.ResponseWriter, r *http.Request) error {
	set, err := s.ready()
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := decodeJSON(r.Body, &raw); err != nil {
		return err
	}
	if len(raw) == 0 {
		return httpError(http.StatusBadRequest, `no field to look up: want {"ip":"…","domain":"…","url":"…","hash":"…","email":"…"} or type names`)
	}
	fields := make([]string, 0, len(raw))
	for f := range raw {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	vals := make(map[string]stringOrList, len(raw))
	for _, f := range fields {
		if _, ok := lookupType(f); !ok {
			return httpError(http.StatusBadRequest, fmt.Sprintf("unknown field %q: want ip, hash or a type name (%s)", f, typeNames()))
		}
		var v stringOrList
		if err := json.Unmarshal(raw[f], &v); err != nil {
			return httpError(http.StatusBadRequest, fmt.Sprintf("field %q: %v", f, err))
		}
		for _, x := range v {
			if len(x) > s.lim.maxLine {
				return httpError(http.StatusRequestEntityTooLarge, fmt.Sprintf("field %q: a value of %d bytes, more than %d (-max-line)", f, len(x), s.lim.maxLine))
			}
		}
		vals[f] = v
	}
	m := set.Matcher
	st := s.state(m)
	defer s.release(st)
	b := st.out[:0]
	b = append(b, `{"generation":`...)
	b = strconv.AppendUint(b, set.Generation, 10)
	b = append(b, `,"fields":{`...)
	now := s.clock()
	nmatch := 0
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, f)
		b = append(b, ":["...)
		t, _ := lookupType(f)
		n := 0
		for j, v := range vals[f] {
			st.ids = lookupIDs(m, st.ids[:0], f, t, v)
			st.dst = st.dst[:0]
			for _, id := range st.ids {
				st.dst = append(st.dst, match.Match{ID: id, Type: m.Entry(id).Type, Start: 0, End: len(v)})
			}
			if len(st.dst) == 0 {
				continue
			}
			s.st.Record(m, st.dst, now)
			ln := encode.Line{File: f, Number: j + 1, Offset: -1, Text: []byte(v)}
			for _, x := range st.dst {
				if n > 0 {
					b = append(b, ',')
				}
				n++
				b = st.enc.AppendJSON(b, ln, x)
				s.met.matchesByType[x.Type].Inc()
			}
		}
		nmatch += n
		b = append(b, ']')
	}
	b = append(b, `},"matches":`...)
	b = strconv.AppendInt(b, int64(nmatch), 10)
	b = append(b, "}\n"...)
	st.out = b
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(b)
	return err
}

// lookupIDs appends the entries that match value as field f of type t:
// ip is either address family, hash any hash length.
func lookupIDs(m *match.Matcher, dst []match.ID, f string, t indicator.Type, v string) []match.ID {
	v = strings.TrimSpace(v)
	switch f {
	case "hash":
		return m.AppendHash(dst, v)
	}
	return m.Append(dst, t, v)
}

func typeNames() string {
	var names []string
	for _, t := range indicator.Types() {
		names = append(names, t.String())
	}
	return strings.Join(names, ", ")
}

// entryView is the answer of GET /v1/indicators/{type}/{value}.
type entryView struct {
	Generation uint64       `json:"generation"`
	Type       string       `json:"type"`
	Value      string       `json:"indicator"`
	Sources    []string     `json:"sources"`
	Confidence string       `json:"confidence,omitempty"`
	Severity   string       `json:"severity,omitempty"`
	TLP        string       `json:"tlp,omitempty"`
	Score      *float64     `json:"score,omitempty"`
	Tags       []string     `json:"tags,omitempty"`
	Techniques []string     `json:"techniques,omitempty"`
	Actors     []string     `json:"threat_actors,omitempty"`
	Families   []string     `json:"malware_families,omitempty"`
	Lists      []string     `json:"lists,omitempty"`
	FirstSeen  *time.Time   `json:"first_seen,omitempty"`
	LastSeen   *time.Time   `json:"last_seen,omitempty"`
	Desc       string       `json:"description,omitempty"`
	Reference  string       `json:"reference,omitempty"`
	ExactOnly  bool         `json:"exact_only,omitempty"`
	NRecords   int          `json:"record_count"`
	Duplicates int          `json:"duplicates,omitempty"`
	Records    []recordView `json:"records"`
	Hits       *hitView     `json:"hits,omitempty"`
}

// recordView is one source record of an entry.
type recordView struct {
	Source        string     `json:"source,omitempty"`
	File          string     `json:"file,omitempty"`
	ID            string     `json:"id,omitempty"`
	Confidence    string     `json:"confidence,omitempty"`
	Severity      string     `json:"severity,omitempty"`
	TLP           string     `json:"tlp,omitempty"`
	Tags          []string   `json:"tags,omitempty"`
	ThreatActor   string     `json:"threat_actor,omitempty"`
	MalwareFamily string     `json:"malware_family,omitempty"`
	Techniques    []string   `json:"techniques,omitempty"`
	FirstSeen     *time.Time `json:"first_seen,omitempty"`
	LastSeen      *time.Time `json:"last_seen,omitempty"`
	ValidFrom     *time.Time `json:"valid_from,omitempty"`
	ValidUntil    *time.Time `json:"valid_until,omitempty"`
	Description   string     `json:"description,omitempty"`
	Reference     string     `json:"reference,omitempty"`
	FileName      string     `json:"file_name,omitempty"`
	Score         *float64   `json:"score,omitempty"`
}

// hitView are an entry's hits since the server started.
type hitView struct {
	Count    int64     `json:"count"`
	FirstHit time.Time `json:"first_hit,omitzero"`
	LastHit  time.Time `json:"last_hit,omitzero"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// maxRecords is how many records GET /v1/indicators lists.
const maxRecords = 1000

// indicator is GET /v1/indicators/{type}/{value}.
func (s *server) indicator(w http.ResponseWriter, r *http.Request) error {
	set, err := s.ready()
	if err != nil {
		return err
	}
	t, err := indicator.ParseType(r.PathValue("type"))
	if err != nil || !t.Valid() {
		return httpError(http.StatusBadRequest, fmt.Sprintf("unknown indicator type %q: want one of %s", r.PathValue("type"), typeNames()))
	}
	raw := r.PathValue("value")
	ct, value, err := indicator.Canonical(t, raw)
	if err != nil {
		return httpError(http.StatusBadRequest, fmt.Sprintf("%s %q: %v", t, raw, err))
	}
	m := set.Matcher
	var id match.ID
	found := false
	for _, x := range m.Lookup(ct, value) {
		if e := m.Entry(x); e.Type == ct && e.Value == value {
			id, found = x, true
			break
		}
	}
	if !found {
		return httpError(http.StatusNotFound, fmt.Sprintf("%s %s: not in the indicator set (generation %d)", ct, value, set.Generation))
	}
	e, v := m.Entry(id), m.View(id)
	now := s.clock()
	out := entryView{Generation: set.Generation, Type: e.Type.String(), Value: e.Value, Sources: v.Sources,
		Confidence: confidence(v.Confidence), Severity: severity(v.Severity), TLP: string(v.TLP),
		Tags: v.Tags, Techniques: v.Techniques, Actors: v.ThreatActors, Families: v.MalwareFamilies, Lists: v.Lists,
		FirstSeen: timePtr(v.FirstSeen), LastSeen: timePtr(v.LastSeen), Desc: v.Description, Reference: v.Reference,
		ExactOnly: e.ExactOnly, NRecords: e.Records, Duplicates: e.Duplicates}
	if out.Sources == nil {
		out.Sources = []string{}
	}
	if s.scorer != nil {
		if sc, ok := s.scorer.EntryScore(m, id, now); ok {
			out.Score = &sc
		}
	}
	for _, in := range m.AppendIndicators(nil, id, 0, maxRecords) {
		mt := &in.Meta
		rv := recordView{Source: mt.Source, File: mt.File, ID: mt.ID, Confidence: confidence(mt.Confidence),
			Severity: severity(mt.Severity), TLP: string(mt.TLP), Tags: mt.Tags, ThreatActor: mt.ThreatActor,
			MalwareFamily: mt.MalwareFamily, Techniques: mt.Techniques, FirstSeen: timePtr(mt.FirstSeen), LastSeen: timePtr(mt.LastSeen),
			ValidFrom: timePtr(mt.ValidFrom), ValidUntil: timePtr(mt.ValidUntil), Description: mt.Description, Reference: mt.Reference, FileName: mt.FileName}
		if s.scorer != nil {
			if sc, ok := s.scorer.Score(in.Type, mt, now); ok {
				rv.Score = &sc
			}
		}
		out.Records = append(out.Records, rv)
	}
	if h, ok := s.hitsOf(e.Type, e.Value); ok {
		out.Hits = &h
	}
	return writeJSON(w, http.StatusOK, out)
}

// hitsOf are the hits of one entry (a scan of the snapshot: statistics
// are not on the matching path).
func (s *server) hitsOf(t indicator.Type, v string) (hitView, bool) {
	for _, e := range s.st.Snapshot() {
		if e.Type == t && e.Value == v {
			return hitView{Count: e.Count, FirstHit: e.FirstHit, LastHit: e.LastHit}, true
		}
	}
	return hitView{}, false
}

// confidence is c's level in lower case as in the native JSON (high,
// medium, low, none), "" when unknown.
func confidence(c indicator.Confidence) string {
	if !c.Known() {
		return ""
	}
	return strings.ToLower(encode.ConfidenceLevel(c))
}

func severity(s indicator.Severity) string {
	if s == indicator.SeverityUnknown {
		return ""
	}
	return s.String()
}

// statsAnswer is the answer of GET /v1/stats.
type statsAnswer struct {
	Generation uint64            `json:"generation"`
	Built      time.Time         `json:"built"`
	Entries    int               `json:"entries"`
	Indicators int               `json:"indicators"`
	Reloads    int64             `json:"reloads"`
	Failed     int64             `json:"reloads_failed"`
	Since      time.Time         `json:"since"`
	HitEntries int               `json:"indicators_hit"`
	Top        []hits.EntryStats `json:"top"`
	ROI        roi.Report        `json:"roi"`
}

// defaultTop is how many of the most hit indicators /v1/stats lists
// (?top=N changes it, up to maxTop).
const (
	defaultTop = 100
	maxTop     = 100000
)

// stats is GET /v1/stats.
func (s *server) stats(w http.ResponseWriter, r *http.Request) error {
	set, err := s.ready()
	if err != nil {
		return err
	}
	top := defaultTop
	if v := r.URL.Query().Get("top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxTop {
			return httpError(http.StatusBadRequest, fmt.Sprintf("top=%q: want a count from 0 to %d", v, maxTop))
		}
		top = n
	}
	snap := s.st.Snapshot()
	s.mu.Lock()
	feeds := s.feeds
	s.mu.Unlock()
	rep := roi.Compute(feeds, snap)
	if rep.From.IsZero() {
		rep.From = s.started.UTC()
	}
	rep.To = s.clock().UTC()
	sorted := slices.Clone(snap)
	slices.SortStableFunc(sorted, func(a, b hits.EntryStats) int {
		if a.Count != b.Count {
			if a.Count > b.Count {
				return -1
			}
			return 1
		}
		return 0
	})
	if len(sorted) > top {
		sorted = sorted[:top]
	}
	if sorted == nil {
		sorted = []hits.EntryStats{}
	}
	return writeJSON(w, http.StatusOK, statsAnswer{Generation: set.Generation, Built: set.Built.UTC(), Entries: set.Matcher.Len(),
		Indicators: set.Indicators, Reloads: s.reloads.Load(), Failed: s.failures.Load(), Since: s.started.UTC(),
		HitEntries: len(snap), Top: sorted, ROI: rep})
}

// reload is POST /v1/reload: a build now; the answer once it is swapped
// in (or failed: 500, the current set stays).
func (s *server) reload(w http.ResponseWriter, r *http.Request) error {
	lm := s.lm.Load()
	if lm == nil {
		return httpError(http.StatusServiceUnavailable, "not ready: the first indicator set is being compiled")
	}
	ev, err := lm.Reload(r.Context())
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return httpError(http.StatusServiceUnavailable, "reload: "+err.Error())
		}
		return httpError(http.StatusInternalServerError, fmt.Sprintf("reload failed, generation %d stays: %v", lm.Current().Generation, err))
	}
	if ev.Err != nil {
		return httpError(http.StatusInternalServerError, fmt.Sprintf("reload failed, generation %d stays: %v", ev.Set.Generation, ev.Err))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"generation": ev.Set.Generation, "entries": ev.Set.Matcher.Len(),
		"added": ev.Diff.Added, "removed": ev.Diff.Removed, "changed": ev.Diff.Changed, "took_ms": ev.Took.Milliseconds()})
}
