package iocmatchproc_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

const testdata = "../../../testdata"

// result is a message as the consumer saw it.
type result struct {
	body []byte
	meta map[string]any
	err  error
}

// doc is the body as JSON.
func (r result) doc(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(r.body, &v), "%s", r.body)
	return v
}

// stream builds a stream of a producer, the processor proc (YAML) and a
// consumer, with Benthos's StreamBuilder; send sends messages and waits
// for each to be processed; stop ends the stream and returns what the
// consumer got. The stream stops within 30 s whatever happens.
type stream struct {
	t    *testing.T
	prod service.MessageHandlerFunc
	s    *service.Stream
	ctx  context.Context
	errc chan error
	mu   sync.Mutex
	got  []result
}

func newStream(t *testing.T, proc string) *stream {
	t.Helper()
	b := service.NewStreamBuilder()
	require.NoError(t, b.SetLoggerYAML("level: OFF"))
	prod, err := b.AddProducerFunc()
	require.NoError(t, err)
	require.NoError(t, b.AddProcessorYAML(proc))
	st := &stream{t: t, prod: prod, errc: make(chan error, 1)}
	require.NoError(t, b.AddConsumerFunc(func(_ context.Context, m *service.Message) error {
		body, err := m.AsBytes()
		r := result{body: bytes.Clone(body), meta: map[string]any{}, err: m.GetError()}
		if err != nil {
			r.err = err
		}
		_ = m.MetaWalkMut(func(k string, v any) error { r.meta[k] = v; return nil })
		st.mu.Lock()
		st.got = append(st.got, r)
		st.mu.Unlock()
		return nil
	}))
	st.s, err = b.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	st.ctx = ctx
	go func() { st.errc <- st.s.Run(ctx) }()
	return st
}

func (st *stream) send(msgs ...string) {
	st.t.Helper()
	for _, m := range msgs {
		require.NoError(st.t, st.prod(st.ctx, service.NewMessage([]byte(m))))
	}
}

func (st *stream) results() []result {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]result(nil), st.got...)
}

func (st *stream) stop() []result {
	st.t.Helper()
	require.NoError(st.t, st.s.Stop(st.ctx))
	return st.results()
}

// enrichments is the threat.enrichments of a JSON document.
func enrichments(t *testing.T, d map[string]any) []map[string]any {
	t.Helper()
	th, ok := d["threat"].(map[string]any)
	require.True(t, ok, "no threat object in %v", d)
	arr, ok := th["enrichments"].([]any)
	require.True(t, ok, "no threat.enrichments in %v", d)
	out := make([]map[string]any, len(arr))
	for i, e := range arr {
		out[i] = e.(map[string]any)
	}
	return out
}

// get is the value at a dot path of v.
func get(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestEnrichRaw(t *testing.T) {
	st := newStream(t, fmt.Sprintf(`
iocmatch:
  feeds: [ %s/lists ]
`, testdata))
	line := "GET https://www.evil.example/x from 8.8.8.8"
	st.send(line, "nothing to see here")
	got := st.stop()
	require.Len(t, got, 2, "enrich keeps every message")

	d := got[0].doc(t)
	assert.Equal(t, line, d["message"], "a raw text message is wrapped as message")
	es := enrichments(t, d)
	require.NotEmpty(t, es)
	e := es[0]
	assert.Equal(t, "domain-name", get(e, "indicator.type"))
	assert.Equal(t, "evil.example", get(e, "indicator.name"))
	assert.Equal(t, "evil.example", get(e, "indicator.url.domain"))
	assert.Equal(t, "domains", get(e, "indicator.provider"))
	assert.Equal(t, "evil.example", get(e, "matched.atomic"))
	assert.Equal(t, "message", get(e, "matched.field"))
	assert.Equal(t, "indicator_match_rule", get(e, "matched.type"))
	assert.Equal(t, "domain", get(e, "iocmatch.type"))
	assert.Equal(t, "www.evil.example", get(e, "iocmatch.text"))
	assert.Equal(t, float64(strings.Index(line, "www.evil")), get(e, "iocmatch.start"))
	assert.Equal(t, int64(len(es)), toInt(got[0].meta["iocmatch_matches"]))
	assert.Contains(t, got[0].meta["iocmatch_types"], "domain")
	assert.Contains(t, got[0].meta["iocmatch_indicators"], "evil.example")
	assert.Equal(t, "message", got[0].meta["iocmatch_fields"])
	assert.NoError(t, got[0].err)

	assert.Equal(t, "nothing to see here", string(got[1].body), "no match: unchanged")
	assert.NotContains(t, got[1].meta, "iocmatch_matches")
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	}
	return -1
}

func TestEnrichFields(t *testing.T) {
	st := newStream(t, fmt.Sprintf(`
iocmatch:
  feeds: [ %s/lists ]
  fields: [ url.original, source.ip, dns.answers ]
`, testdata))
	st.send(
		// url.original nested, source.ip flat with a dot, an array of strings, an existing enrichment,
		// and an indicator in a field not listed (not matched)
		`{"url":{"original":"http://c2-update.example.net/gate"},"source.ip":"192.0.2.10","dns":{"answers":["x.example","evil.example"]},`+
			`"other":"198.51.100.23","threat":{"enrichments":[{"kept":true}]}}`,
		`{"url":{"original":"http://fine.example/"},"other":"evil.example"}`,
		`not json`,
	)
	got := st.stop()
	require.Len(t, got, 3)
	d := got[0].doc(t)
	es := enrichments(t, d)
	require.Len(t, es, 4, "the kept one and three matches: %v", es)
	assert.Equal(t, true, es[0]["kept"], "an existing threat.enrichments array is appended to")
	fields := map[string]string{}
	for _, e := range es[1:] {
		fields[get(e, "matched.atomic").(string)] = get(e, "matched.field").(string)
	}
	assert.Equal(t, map[string]string{"c2-update.example.net": "url.original", "192.0.2.10": "source.ip", "evil.example": "dns.answers"}, fields)
	assert.Equal(t, "198.51.100.23", d["other"], "the rest of the document is kept")
	assert.Equal(t, "url.original,source.ip,dns.answers", got[0].meta["iocmatch_fields"])

	assert.JSONEq(t, `{"url":{"original":"http://fine.example/"},"other":"evil.example"}`, string(got[1].body), "fields not listed are not matched")
	require.Error(t, got[2].err, "fields given and the message is not JSON: an error on the message")
	assert.Contains(t, got[2].err.Error(), "not JSON")
	assert.Equal(t, "not json", string(got[2].body))
}

// TestFilter runs the processor over every sample log with every sample
// feed and checks that exactly the lines with matches come out, each with
// its matches, against the library called directly.
func TestFilter(t *testing.T) {
	feeds := []string{testdata + "/lists", testdata + "/feeds"}
	st := newStream(t, fmt.Sprintf(`
iocmatch:
  feeds: [ %s ]
  max_age: "off"
  mode: filter
`, strings.Join(feeds, ", ")))

	// the expected lines, from the library directly: load, allowlists (with the feeds' warninglists), compile
	res, err := loader.LoadAll(feeds, loader.Options{})
	require.NoError(t, err)
	pol, err := allow.New(allow.Options{Warninglists: res.Warninglists, Allowlist: res.Allowlist})
	require.NoError(t, err)
	kept, _ := pol.Apply(res.Indicators)
	m, err := match.Compile(kept, match.Options{})
	require.NoError(t, err)

	logs, err := filepath.Glob(testdata + "/logs/*")
	require.NoError(t, err)
	var lines []string
	want := map[string]int{}
	for _, p := range logs {
		f, err := os.Open(p)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			l := sc.Text()
			lines = append(lines, l)
			if n := len(m.AppendMatches(nil, []byte(l))); n > 0 {
				want[l] = n
			}
		}
		f.Close()
	}
	require.Greater(t, len(want), 5)
	require.Less(t, len(want), len(lines), "some lines have no match")
	st.send(lines...)
	got := st.stop()
	have := map[string]int{}
	for _, r := range got {
		require.NoError(t, r.err)
		d := r.doc(t)
		msg, _ := d["message"].(string)
		if msg == "" { // a JSON line keeps its fields: find it by its content
			for _, l := range lines {
				if strings.HasPrefix(l, "{") && jsonSubset(t, l, d) {
					msg = l
				}
			}
		}
		require.NotEmpty(t, msg, "%s", r.body)
		have[msg] = len(enrichments(t, d))
		assert.Equal(t, int64(have[msg]), toInt(r.meta["iocmatch_matches"]))
	}
	assert.Equal(t, want, have)
}

// jsonSubset tells whether every field of the JSON object line is in d.
func jsonSubset(t *testing.T, line string, d map[string]any) bool {
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &v))
	for k, x := range v {
		if k == "threat" {
			continue
		}
		a, _ := json.Marshal(x)
		b, _ := json.Marshal(d[k])
		if !bytes.Equal(a, b) {
			return false
		}
	}
	return true
}

func TestAnnotate(t *testing.T) {
	st := newStream(t, fmt.Sprintf(`
iocmatch:
  feeds: [ %s/lists ]
  mode: annotate
  max_matches_per_message: 2
`, testdata))
	line := "evil.example 192.0.2.10 198.51.100.23 c2-update.example.net"
	st.send(line, "clean")
	got := st.stop()
	require.Len(t, got, 2)
	assert.Equal(t, line, string(got[0].body), "annotate leaves the content alone")
	assert.Equal(t, int64(2), toInt(got[0].meta["iocmatch_matches"]), "max_matches_per_message")
	assert.Equal(t, "evil.example,192.0.2.10", got[0].meta["iocmatch_indicators"])
	assert.Equal(t, "domain,ipv4", got[0].meta["iocmatch_types"])
	var es []map[string]any
	require.NoError(t, json.Unmarshal([]byte(got[0].meta["iocmatch_enrichments"].(string)), &es))
	require.Len(t, es, 2)
	assert.Equal(t, "192.0.2.10", get(es[1], "indicator.ip"))
	assert.Equal(t, "clean", string(got[1].body))
	assert.Empty(t, got[1].meta)
}

// TestConfigErrors checks that a bad config fails the stream with an
// error that names the field and the cause.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, conf, want string }{
		{"missing feed", `{feeds: [ ` + dir + `/nope.txt ]}`, "iocmatch: feeds: "},
		{"no feed", `{feeds: []}`, "iocmatch: feeds: no feed given"},
		{"bad max_age", `{feeds: [ ` + testdata + `/lists ], max_age: "ip=soon"}`, "iocmatch: max_age: "},
		{"bad type in max_age", `{feeds: [ ` + testdata + `/lists ], max_age: "cat=3d"}`, "iocmatch: max_age: "},
		{"bad max_age map", `{feeds: [ ` + testdata + `/lists ], max_age: {ip: soon}}`, "iocmatch: max_age: "},
		{"max_age not a string", `{feeds: [ ` + testdata + `/lists ], max_age: [ 3 ]}`, "iocmatch: max_age: [3]: neither a string"},
		{"bad decay", `{feeds: [ ` + testdata + `/lists ], decay: "no such model"}`, "iocmatch: decay: "},
		{"min_score without decay", `{feeds: [ ` + testdata + `/lists ], min_score: 30}`, "iocmatch: min_score: needs a decay model"},
		{"min_confidence", `{feeds: [ ` + testdata + `/lists ], min_confidence: 101}`, "iocmatch: min_confidence: 101"},
		{"bad field path", `{feeds: [ ` + testdata + `/lists ], fields: [ "a..b" ]}`, `iocmatch: fields: "a..b"`},
		{"max matches", `{feeds: [ ` + testdata + `/lists ], max_matches_per_message: 0}`, "iocmatch: max_matches_per_message: 0"},
		{"missing warninglist", `{feeds: [ ` + testdata + `/lists ], warninglists: [ ` + dir + `/wl ]}`, "iocmatch: warninglists: "},
		{"missing allowlist", `{feeds: [ ` + testdata + `/lists ], allowlists: [ ` + dir + `/allow.txt ]}`, "iocmatch: allowlists: stat " + dir + "/allow.txt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := service.NewStreamBuilder()
			require.NoError(t, b.SetLoggerYAML("level: OFF"))
			_, err := b.AddProducerFunc()
			require.NoError(t, err)
			require.NoError(t, b.AddProcessorYAML("iocmatch: "+c.conf))
			require.NoError(t, b.AddConsumerFunc(func(context.Context, *service.Message) error { return nil }))
			s, err := b.Build()
			if err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				err = s.Run(ctx)
			}
			require.Error(t, err)
			t.Log(err)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "context deadline", "fails at once")
		})
	}

	// a mode that is not one of the three is a lint error, before any run
	b := service.NewStreamBuilder()
	err := b.AddProcessorYAML(`iocmatch: {feeds: [ x ], mode: drop}`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "drop")
}

// TestReload edits a feed while the stream runs: the new indicator
// matches within a few reload periods, the removed one no longer does.
func TestReload(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "feed.txt")
	require.NoError(t, os.WriteFile(feed, []byte("old.example\n"), 0o644))
	st := newStream(t, fmt.Sprintf(`
iocmatch:
  feeds: [ %s ]
  reload_period: 50ms
  mode: annotate
`, feed))
	st.send("q old.example", "q new.example")
	got := st.results()
	require.Len(t, got, 2)
	assert.Equal(t, "old.example", got[0].meta["iocmatch_indicators"])
	assert.NotContains(t, got[1].meta, "iocmatch_matches", "new.example is not in the feed yet")

	time.Sleep(20 * time.Millisecond)
	require.NoError(t, os.WriteFile(feed+".tmp", []byte("new.example\n"), 0o644))
	require.NoError(t, os.Rename(feed+".tmp", feed))
	t0 := time.Now()
	reloaded := false
	for time.Since(t0) < 10*time.Second {
		st.send("q new.example")
		rs := st.results()
		if rs[len(rs)-1].meta["iocmatch_indicators"] == "new.example" {
			reloaded = true
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.True(t, reloaded, "the edited feed was not picked up in 10 s")
	t.Logf("reload picked up after %v", time.Since(t0).Round(time.Millisecond))
	st.send("q old.example")
	rs := st.stop()
	assert.NotContains(t, rs[len(rs)-1].meta, "iocmatch_matches", "old.example was removed from the feed")
}
