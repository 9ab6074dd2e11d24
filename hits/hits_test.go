package hits_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// ind returns an indicator of source src with id and tags.
func ind(t *testing.T, typ indicator.Type, v, src, id string, tags ...string) indicator.Indicator {
	t.Helper()
	x, err := indicator.New(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	x.Source, x.ID, x.Tags = src, id, tags
	return x
}

func compile(t *testing.T, inds ...indicator.Indicator) *match.Matcher {
	t.Helper()
	m, err := match.Compile(inds, match.Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// scan records the matches of each line at the time given.
func scan(t *testing.T, st *hits.Stats, m *match.Matcher, when time.Time, lines ...string) int {
	t.Helper()
	n := 0
	for _, l := range lines {
		xs := m.AppendMatches(nil, []byte(l))
		n += len(xs)
		st.Record(m, xs, when)
	}
	return n
}

// byKey returns the entries of snap by "type:value".
func byKey(snap []hits.EntryStats) map[string]hits.EntryStats {
	out := map[string]hits.EntryStats{}
	for _, e := range snap {
		out[e.Key().String()] = e
	}
	return out
}

func TestRecordSnapshot(t *testing.T) {
	m := compile(t,
		ind(t, indicator.Domain, "evil.example", "feed-a", "indicator--11111111-1111-4111-8111-111111111111"),
		ind(t, indicator.Domain, "evil.example", "feed-b", "", indicator.WarninglistTag+"cloud"),
		ind(t, indicator.IPv4, "198.51.100.7", "feed-b", "5f0d2c2e-0000-4000-8000-000000000001"),
		ind(t, indicator.SHA256, "aa00000000000000000000000000000000000000000000000000000000000000", "feed-c", ""),
	)
	st := hits.New(hits.Options{})
	st.Rebind(m)
	scan(t, st, m, at(1), "GET http://a.evil.example/ from 198.51.100.7") // both
	scan(t, st, m, at(5), "evil.example evil.example EVIL.example")       // three matches, one line
	scan(t, st, m, at(3), "nothing here")                                 // no call with a match
	scan(t, st, m, at(2), "dns query b.evil.example")
	snap := st.Snapshot()
	if len(snap) != 2 {
		t.Fatalf("Snapshot has %d entries, want 2: %+v", len(snap), snap)
	}
	d := snap[0] // highest count first
	if d.Key().String() != "domain:evil.example" || d.Count != 3 {
		t.Errorf("first entry %s count %d, want domain:evil.example 3", d.Key(), d.Count)
	}
	if !d.FirstHit.Equal(at(1)) || !d.LastHit.Equal(at(5)) || !d.Since.Equal(at(1)) {
		t.Errorf("evil.example hits %v..%v since %v, want %v..%v", d.FirstHit, d.LastHit, d.Since, at(1), at(5))
	}
	if !slices.Equal(d.Sources, []string{"feed-a", "feed-b"}) || !slices.Equal(d.IDs, []string{"indicator--11111111-1111-4111-8111-111111111111"}) || !slices.Equal(d.Lists, []string{"cloud"}) || !d.Current {
		t.Errorf("evil.example described as %+v", d)
	}
	a := snap[1]
	if a.Key().String() != "ipv4:198.51.100.7" || a.Count != 1 || !a.FirstHit.Equal(at(1)) || !a.LastHit.Equal(at(1)) {
		t.Errorf("second entry %+v", a)
	}
	if len(a.Lists) != 0 || !slices.Equal(a.IDs, []string{"5f0d2c2e-0000-4000-8000-000000000001"}) {
		t.Errorf("198.51.100.7 described as %+v", a)
	}
}

// TestDedupeLongLine: a line with more matches than the linear dedupe
// covers counts each entry once too.
func TestDedupeLongLine(t *testing.T) {
	m := compile(t, ind(t, indicator.Domain, "evil.example", "f", ""), ind(t, indicator.IPv4, "192.0.2.1", "f", ""))
	st := hits.New(hits.Options{})
	st.Rebind(m)
	line := ""
	for range 40 {
		line += "evil.example 192.0.2.1 "
	}
	if n := scan(t, st, m, at(0), line, line); n != 160 {
		t.Fatalf("%d matches, want 160", n)
	}
	for _, e := range st.Snapshot() {
		if e.Count != 2 {
			t.Errorf("%s: count %d, want 2 (one per line)", e.Key(), e.Count)
		}
	}
	// the same through the slow path (a matcher not bound)
	st2 := hits.New(hits.Options{})
	scan(t, st2, m, at(0), line, line)
	for _, e := range st2.Snapshot() {
		if e.Count != 2 || e.Current {
			t.Errorf("unbound: %s: count %d current %v, want 2 false", e.Key(), e.Count, e.Current)
		}
	}
}

// TestRebind: counts follow the entries to their new IDs, gone entries
// are kept as history and come back with their entry.
func TestRebind(t *testing.T) {
	a := ind(t, indicator.Domain, "a.example", "f1", "")
	b := ind(t, indicator.Domain, "b.example", "f1", "")
	c := ind(t, indicator.IPv4, "203.0.113.9", "f2", "")
	d := ind(t, indicator.Domain, "d.example", "f2", "")
	m1 := compile(t, a, b, c)
	st := hits.New(hits.Options{})
	st.Rebind(m1)
	scan(t, st, m1, at(1), "a.example b.example", "b.example")

	m2 := compile(t, d, c, b) // a deleted; b at another ID
	if id1, id2 := m1.Lookup(indicator.Domain, "b.example")[0], m2.Lookup(indicator.Domain, "b.example")[0]; id1 == id2 {
		t.Fatalf("b.example has ID %d in both matchers: the test needs them to differ", id1)
	}
	st.Rebind(m2)
	if st.Bound() != m2 {
		t.Fatal("Bound is not m2")
	}
	scan(t, st, m2, at(2), "b.example d.example a.example")
	got := byKey(st.Snapshot())
	want := map[string]struct {
		n       int64
		current bool
	}{"domain:b.example": {3, true}, "domain:a.example": {1, false}, "domain:d.example": {1, true}}
	if len(got) != len(want) {
		t.Errorf("entries %v, want %v", got, want)
	}
	for k, w := range want {
		if e := got[k]; e.Count != w.n || e.Current != w.current {
			t.Errorf("%s: count %d current %v, want %d %v", k, e.Count, e.Current, w.n, w.current)
		}
	}
	if e := got["domain:a.example"]; !slices.Equal(e.Sources, []string{"f1"}) {
		t.Errorf("gone a.example keeps sources %v, want [f1]", e.Sources)
	}
	if e := got["domain:b.example"]; !e.FirstHit.Equal(at(1)) || !e.LastHit.Equal(at(2)) {
		t.Errorf("b.example %v..%v, want %v..%v", e.FirstHit, e.LastHit, at(1), at(2))
	}

	m3 := compile(t, a, d) // a is back, b gone
	st.Rebind(m3)
	scan(t, st, m3, at(3), "a.example")
	got = byKey(st.Snapshot())
	if e := got["domain:a.example"]; e.Count != 2 || !e.Current || !e.FirstHit.Equal(at(1)) || !e.LastHit.Equal(at(3)) {
		t.Errorf("a.example back: %+v, want count 2 current, %v..%v", e, at(1), at(3))
	}
	if e := got["domain:b.example"]; e.Count != 3 || e.Current {
		t.Errorf("b.example gone: %+v", e)
	}
}

// TestOldMatcher: hits recorded with a matcher that is no longer bound are
// counted by key, merged with the bound entry's.
func TestOldMatcher(t *testing.T) {
	a := ind(t, indicator.Domain, "a.example", "f1", "")
	b := ind(t, indicator.Domain, "b.example", "f1", "")
	m1 := compile(t, a, b)
	m2 := compile(t, b, a)
	st := hits.New(hits.Options{})
	st.Rebind(m1)
	st.Rebind(m2)
	scan(t, st, m1, at(1), "a.example", "b.example") // a goroutine still on m1
	scan(t, st, m2, at(2), "a.example")
	got := byKey(st.Snapshot())
	if e := got["domain:a.example"]; e.Count != 2 || !e.Current || !e.FirstHit.Equal(at(1)) || !e.LastHit.Equal(at(2)) {
		t.Errorf("a.example: %+v, want 2 current %v..%v", e, at(1), at(2))
	}
	if e := got["domain:b.example"]; e.Count != 1 || !e.Current {
		t.Errorf("b.example: %+v, want 1 current", e)
	}
	// and the next Rebind folds them into the slots
	m3 := compile(t, a)
	st.Rebind(m3)
	got = byKey(st.Snapshot())
	if e := got["domain:a.example"]; e.Count != 2 || !e.Current {
		t.Errorf("after Rebind(m3), a.example: %+v", e)
	}
	if e := got["domain:b.example"]; e.Count != 1 || e.Current {
		t.Errorf("after Rebind(m3), b.example: %+v", e)
	}
}

func TestCut(t *testing.T) {
	m := compile(t, ind(t, indicator.Domain, "a.example", "f", ""), ind(t, indicator.Domain, "b.example", "f", ""))
	st := hits.New(hits.Options{Start: at(0)})
	st.Rebind(m)
	scan(t, st, m, at(10), "a.example", "a.example b.example")
	scan(t, st, m, at(20), "a.example")
	p1 := st.Cut(at(30))
	scan(t, st, m, at(40), "b.example")
	scan(t, st, m, at(45), "b.example")
	p2 := st.Cut(at(60))
	p3 := st.Cut(at(90))
	if !p1.From.Equal(at(0)) || !p1.To.Equal(at(30)) || !p2.From.Equal(at(30)) || !p2.To.Equal(at(60)) {
		t.Errorf("periods %v-%v, %v-%v", p1.From, p1.To, p2.From, p2.To)
	}
	g1, g2 := byKey(p1.Entries), byKey(p2.Entries)
	if e := g1["domain:a.example"]; e.Count != 3 || !e.FirstHit.Equal(at(10)) || !e.LastHit.Equal(at(20)) {
		t.Errorf("period 1 a.example %+v", e)
	}
	if e := g1["domain:b.example"]; e.Count != 1 || !e.FirstHit.Equal(at(10)) || !e.LastHit.Equal(at(10)) {
		t.Errorf("period 1 b.example %+v", e)
	}
	if len(p2.Entries) != 1 {
		t.Errorf("period 2 has %d entries, want b.example only", len(p2.Entries))
	}
	if e := g2["domain:b.example"]; e.Count != 2 || !e.FirstHit.Equal(at(40)) || !e.LastHit.Equal(at(45)) || !e.Since.Equal(at(10)) {
		t.Errorf("period 2 b.example %+v", e)
	}
	if len(p3.Entries) != 0 {
		t.Errorf("empty period has %v", p3.Entries)
	}
	// the Snapshot still counts from the start
	if e := byKey(st.Snapshot())["domain:b.example"]; e.Count != 3 {
		t.Errorf("Snapshot b.example count %d, want 3", e.Count)
	}
	// a zero Start: the first period begins at the first hit
	st2 := hits.New(hits.Options{})
	st2.Rebind(m)
	scan(t, st2, m, at(7), "a.example")
	if p := st2.Cut(at(8)); !p.From.Equal(at(7)) {
		t.Errorf("first period from %v, want the first hit %v", p.From, at(7))
	}
}

func TestMaxGone(t *testing.T) {
	var inds []indicator.Indicator
	for i := range 5 {
		inds = append(inds, ind(t, indicator.Domain, fmt.Sprintf("d%d.example", i), "f", ""))
	}
	m1 := compile(t, inds...)
	st := hits.New(hits.Options{MaxGone: 2})
	st.Rebind(m1)
	for i := range 5 {
		scan(t, st, m1, at(i), fmt.Sprintf("d%d.example", i))
	}
	st.Rebind(compile(t, inds[4]))
	got := byKey(st.Snapshot())
	if len(got) != 3 || st.Dropped() != 2 {
		t.Fatalf("kept %d entries (dropped %d), want d4 and the 2 latest gone: %v", len(got), st.Dropped(), got)
	}
	for _, k := range []string{"domain:d2.example", "domain:d3.example", "domain:d4.example"} {
		if _, ok := got[k]; !ok {
			t.Errorf("%s dropped", k)
		}
	}
}

// TestRecordAllocs: Record on the bound matcher does not allocate once its
// block of counters exists.
func TestRecordAllocs(t *testing.T) {
	m := compile(t, ind(t, indicator.Domain, "evil.example", "f", ""), ind(t, indicator.IPv4, "192.0.2.1", "f", ""))
	st := hits.New(hits.Options{})
	st.Rebind(m)
	xs := m.AppendMatches(nil, []byte("evil.example 192.0.2.1"))
	st.Record(m, xs, at(0))
	if n := testing.AllocsPerRun(200, func() { st.Record(m, xs, at(1)) }); n != 0 {
		t.Errorf("Record allocates %v times per call", n)
	}
	var none []match.Match
	if n := testing.AllocsPerRun(200, func() { st.Record(m, none, at(1)) }); n != 0 {
		t.Errorf("Record of no match allocates %v times", n)
	}
	if e := st.Snapshot(); e[0].Count != 202 {
		t.Errorf("count %d, want 202 (1 + AllocsPerRun's 201 runs)", e[0].Count)
	}
	// the host's loop on a line without a match: nothing allocates
	var dst []match.Match
	line := []byte("GET /index.html 200 from 203.0.113.200 ref www.example.org")
	if n := testing.AllocsPerRun(200, func() {
		if dst = m.AppendMatches(dst[:0], line); len(dst) > 0 {
			st.Record(m, dst, at(2))
		}
	}); n != 0 || len(dst) != 0 {
		t.Errorf("a line without a match: %v allocations, %d matches", n, len(dst))
	}
}

// TestConcurrentReloads: goroutines record without pause while the Stats
// are rebound 100 times to new matchers (the entries at other IDs each
// time, some entries coming and going): every line is counted once, on
// its entry.
func TestConcurrentReloads(t *testing.T) {
	var inds []indicator.Indicator
	for i := range 50 {
		inds = append(inds, ind(t, indicator.Domain, fmt.Sprintf("d%d.example", i), "f", ""))
	}
	ms := make([]*match.Matcher, 8)
	for i := range ms {
		rot := append(slices.Clone(inds[i:]), inds[:i]...) // other IDs
		if i%2 == 1 {
			rot = rot[:40] // and 10 entries gone
		}
		ms[i] = compile(t, rot...)
	}
	st := hits.New(hits.Options{})
	st.Rebind(ms[0])
	var live atomic.Pointer[match.Matcher]
	live.Store(ms[0])
	var done atomic.Bool
	var progress atomic.Int64 // lines recorded by all workers
	var running atomic.Int32
	const workers = 4
	running.Store(workers)
	counts := make([]map[string]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		counts[w] = map[string]int64{}
		wg.Go(func() {
			defer running.Add(-1)
			var dst []match.Match
			var m *match.Matcher
			for i := 0; !done.Load() || i < 1000; i++ {
				if i%25 == 0 { // a host takes the live set per batch of lines
					m = live.Load()
				}
				name := fmt.Sprintf("d%d.example", (w*7+i)%50)
				dst = m.AppendMatches(dst[:0], []byte("x "+name+" y"))
				if len(dst) > 1 {
					t.Errorf("%s: %d matches", name, len(dst))
					return
				}
				if len(dst) == 1 {
					st.Record(m, dst, at(i))
					counts[w]["domain:"+name]++
				}
				progress.Add(1)
			}
		})
	}
	for i := range 100 {
		// let the workers record some lines (with the old set, some of
		// them) between two reloads
		for p := progress.Load(); progress.Load() < p+30 && running.Load() > 0; {
			runtime.Gosched()
		}
		m := ms[(i+1)%len(ms)]
		live.Store(m)
		st.Rebind(m)
	}
	done.Store(true)
	wg.Wait()
	want := map[string]int64{}
	var total int64
	for _, c := range counts {
		for k, n := range c {
			want[k] += n
			total += n
		}
	}
	got := byKey(st.Snapshot())
	if len(got) != len(want) {
		t.Errorf("%d entries, want %d", len(got), len(want))
	}
	var sum int64
	for k, n := range want {
		sum += got[k].Count
		if got[k].Count != n {
			t.Errorf("%s: count %d, want %d", k, got[k].Count, n)
		}
	}
	if sum != total || total < workers*1000 {
		t.Errorf("total %d, want %d (at least %d)", sum, total, workers*1000)
	}
}
