package roi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/roi"
)

var t0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

func warninglist(t *testing.T, name, category string, entries ...string) loader.Warninglist {
	t.Helper()
	doc, _ := json.Marshal(map[string]any{"name": name, "type": "hostname", "category": category, "list": entries})
	res, err := loader.ReadWarninglist(bytes.NewReader(doc), "lists/"+name+"/list.json", loader.Options{})
	if err != nil || len(res.Warninglists) != 1 {
		t.Fatalf("warninglist %s: %v %v", name, err, res.Problems)
	}
	return res.Warninglists[0]
}

// pipeline loads three feeds, applies an allowlist policy (reserved
// ranges, a false-positive list that suppresses, a "known" list that
// annotates), compiles, scans lines recording hits, and returns the
// report.
func pipeline(t *testing.T) roi.Report {
	t.Helper()
	var inds []indicator.Indicator
	add := func(src, file string, vals ...string) {
		for _, v := range vals {
			ind, err := indicator.Parse(v)
			if err != nil {
				t.Fatal(err)
			}
			ind.Source, ind.File = src, file
			inds = append(inds, ind)
		}
	}
	add("feed-a", "a/1.txt", "evil.example", "a-only.example", "10.0.0.1")
	add("feed-a", "a/2.txt", "fp.example", "cdn.example")
	add("feed-b", "b.txt", "evil.example", "b-only.example", "cdn.example")
	add("feed-c", "c.txt", "c-only.example")
	p, err := allow.New(allow.Options{Warninglists: []loader.Warninglist{
		warninglist(t, "fp-list", "false-positive", "fp.example"),
		warninglist(t, "known-cdn", "known", "cdn.example"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	loaded := append([]indicator.Indicator(nil), inds...)
	kept, rep := p.Apply(inds)
	m, err := match.Compile(kept, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := hits.New(hits.Options{Start: t0})
	st.Rebind(m)
	var dst []match.Match
	for i, line := range []string{
		"GET http://evil.example/",
		"a-only.example then evil.example",
		"cdn.example",
		"b-only.example",
		"x.b-only.example",
		"fp.example 10.0.0.1",
		"nothing",
	} {
		if dst = m.AppendMatches(dst[:0], []byte(line)); len(dst) > 0 {
			st.Record(m, dst, t0.Add(time.Duration(i)*time.Minute))
		}
	}
	feeds := roi.FeedsFrom(&rep, loaded)
	for i := range feeds {
		if feeds[i].Source == "feed-a" { // what package age would report
			feeds[i].Expired, feeds[i].Decayed = 3, 1
		}
	}
	r := roi.Compute(feeds, st.Snapshot())
	r.From, r.To = t0, t0.Add(time.Hour)
	return r
}

// TestCompute: the worked example, every number checked (by hand: evil
// is in a and b and hits 2 lines, a-only 1, cdn (a, b, annotated) 1,
// b-only 2; fp.example and 10.0.0.1 are suppressed).
func TestCompute(t *testing.T) {
	r := pipeline(t)
	want := []roi.Feed{
		{Source: "feed-b", Files: []string{"b.txt"}, Loaded: 3, Annotated: map[string]int{"known-cdn": 1},
			HitIndicators: 3, Hits: 5, UniqueIndicators: 1, UniqueHits: 2, AnnotatedHits: 1, AnnotatedShare: 0.2},
		{Source: "feed-a", Files: []string{"a/1.txt", "a/2.txt"}, Loaded: 5,
			Suppressed: map[string]int{"reserved": 1, "fp-list": 1}, SuppressedTotal: 2, Annotated: map[string]int{"known-cdn": 1},
			Expired: 3, Decayed: 1,
			HitIndicators: 3, Hits: 4, UniqueIndicators: 1, UniqueHits: 1, AnnotatedHits: 1, AnnotatedShare: 0.25},
		{Source: "feed-c", Files: []string{"c.txt"}, Loaded: 1},
	}
	if !reflect.DeepEqual(r.Feeds, want) {
		t.Errorf("feeds\n%+v\nwant\n%+v", r.Feeds, want)
	}
	if r.Entries != 4 || r.Hits != 6 {
		t.Errorf("totals %d indicators, %d hits; want 4, 6", r.Entries, r.Hits)
	}
}

func TestWriters(t *testing.T) {
	r := pipeline(t)
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"| feed-b | 3 | 0 | 0 | 0 | 3 | 5 | 1 | 2 | 1 (20.0%) | 0 |",
		"| feed-a | 5 | 2 | 3 | 1 | 3 | 4 | 1 | 1 | 1 (25.0%) | 0 |",
		"| feed-c | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | - | 0 |",
		"- feed-a: suppressed by fp-list 1, reserved 1",
		"- feed-a: from 2 files: a/1.txt, a/2.txt",
		"4 indicators hit, 6 hits (lines)",
		"Hits from 2026-12-01T08:00:00Z to 2026-12-01T09:00:00Z.",
	} {
		if !strings.Contains(md.String(), row) {
			t.Errorf("markdown lacks %q:\n%s", row, md.String())
		}
	}
	if i, j := strings.Index(md.String(), "| feed-b"), strings.Index(md.String(), "| feed-a"); i > j {
		t.Error("feed-b (2 unique hits) not before feed-a (1)")
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	// WriteFile: JSON for .json, markdown else
	dir := t.TempDir()
	for name, want := range map[string][]byte{"roi.JSON": js.Bytes(), "roi.md": md.Bytes()} {
		if err := r.WriteFile(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(got, want) {
			t.Errorf("%s differs from the writer's output", name)
		}
	}
	var back roi.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("JSON read back\n%+v\nwant\n%+v", back, r)
	}
	var raw map[string]any
	json.Unmarshal(js.Bytes(), &raw)
	f0 := raw["feeds"].([]any)[0].(map[string]any)
	for _, k := range []string{"source", "loaded", "suppressed", "expired", "decayed", "indicators_hit", "hits", "unique_indicators_hit", "unique_hits", "warninglisted_hits", "warninglisted_share"} {
		if _, ok := f0[k]; !ok {
			t.Errorf("JSON feed lacks %q: %v", k, f0)
		}
	}
}

// TestComputeUnknownSource: a source the inputs do not name, and entries
// without a source, are reported too; unique hits on warninglisted
// entries do not rank a feed.
func TestComputeUnknownSource(t *testing.T) {
	r := roi.Compute(nil, []hits.EntryStats{
		{Type: indicator.Domain, Value: "x.example", Sources: []string{"taxii"}, Count: 2},
		{Type: indicator.Domain, Value: "y.example", Count: 1},
		{Type: indicator.Domain, Value: "z.example", Sources: []string{"taxii"}, Count: 0},
		// more unique hits than taxii's, all on warninglisted entries: last
		{Type: indicator.Domain, Value: "cdn.example", Sources: []string{"noisy"}, Lists: []string{"cdn"}, Count: 5},
	})
	if len(r.Feeds) != 3 || r.Feeds[0].Source != "taxii" || r.Feeds[0].Hits != 2 || r.Feeds[0].UniqueHits != 2 ||
		r.Feeds[2].Source != "noisy" || r.Feeds[2].UniqueHits != 5 || r.Feeds[2].UniqueWarninglistedHits != 5 || r.Hits != 8 ||
		r.Feeds[1].Source != roi.NoSource || r.Feeds[1].Hits != 1 || r.Entries != 3 {
		t.Errorf("report %+v", r)
	}
}

// TestFeedsFromNoReport: without an allowlist report, the indicators give
// the counts loaded.
func TestFeedsFromNoReport(t *testing.T) {
	var inds []indicator.Indicator
	for i, src := range []string{"a", "b", "a", "a"} {
		ind := indicator.MustNew(indicator.Domain, "x"+string(rune('a'+i))+".example")
		ind.Source, ind.File = src, src+".txt"
		inds = append(inds, ind)
	}
	got := roi.FeedsFrom(nil, inds)
	want := []roi.FeedInput{{Source: "a", Loaded: 3, Files: []string{"a.txt"}}, {Source: "b", Loaded: 1, Files: []string{"b.txt"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FeedsFrom(nil) = %+v, want %+v", got, want)
	}
}
