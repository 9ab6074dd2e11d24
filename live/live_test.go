package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for the tests.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// values returns the sorted distinct matched values of line in s.
func values(s *Set, line string) []string {
	var out []string
	for _, x := range s.Matcher.AppendMatches(nil, []byte(line)) {
		out = append(out, x.Type.String()+":"+s.Matcher.Entry(x.ID).Value)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func newLive(t *testing.T, opts Options) *Matcher {
	t.Helper()
	if opts.Now == nil {
		opts.Now = newClock(t0).Now
	}
	opts.KeepMemory = true // the tests' sets are tiny; FreeOSMemory is measured elsewhere
	m, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRaceReloads: goroutines matching without pause through 100 reloads
// see every line matched by exactly one whole set: set k holds exactly
// the indicators g<k>-a/b/c.example, and every line names those of every
// generation.
func TestRaceReloads(t *testing.T) {
	const reloads = 100
	dir := t.TempDir()
	feed := filepath.Join(dir, "gen.txt")
	gen := func(k int) string {
		return fmt.Sprintf("g%d-a.example\ng%d-b.example\ng%d-c.example\n", k, k, k)
	}
	write(t, feed, gen(1))
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1})
	var line strings.Builder
	for k := 1; k <= reloads+1; k++ {
		fmt.Fprintf(&line, "GET http://g%d-a.example/ from g%d-b.example via g%d-c.example; ", k, k, k)
	}
	ln := []byte(line.String())

	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	var lines, gens [4]int
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []match.Match
			last := uint64(0)
			for !stop.Load() {
				s := m.Current()
				dst = s.Matcher.AppendMatches(dst[:0], ln)
				lines[r]++
				k := s.Generation
				if k < last {
					errs <- fmt.Errorf("generation went back from %d to %d", last, k)
					return
				}
				if k != last {
					gens[r]++
					last = k
				}
				want := map[string]bool{}
				for _, c := range "abc" {
					want[fmt.Sprintf("g%d-%c.example", k, c)] = true
				}
				got := map[string]bool{}
				for _, x := range dst {
					v := s.Matcher.Entry(x.ID).Value
					if !want[v] {
						errs <- fmt.Errorf("line matched with set %d gave %s: a mix of sets", k, v)
						return
					}
					got[v] = true
				}
				if len(got) != 3 {
					errs <- fmt.Errorf("set %d: %d of its 3 indicators matched (%v): a line lost", k, len(got), got)
					return
				}
			}
		}()
	}
	for k := 2; k <= reloads+1; k++ {
		write(t, feed, gen(k))
		ev, err := m.Reload(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ev.Set.Generation != uint64(k) || ev.Diff.Added != 3 || ev.Diff.Removed != 3 {
			t.Fatalf("reload %d: generation %d, diff %+v", k, ev.Set.Generation, ev.Diff)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for r := range lines {
		total += lines[r]
	}
	if total == 0 {
		t.Fatal("no line matched")
	}
	t.Logf("%d lines matched by 4 goroutines through %d reloads (generations seen: %v)", total, reloads, gens)
	if st := m.Status(); st.Generation != reloads+1 || st.Builds != reloads+1 || st.Failures != 0 {
		t.Errorf("status %+v", st)
	}
}

// zeek writes a Zeek intel file of rows "value type desc".
func zeek(rows ...string) string {
	var b strings.Builder
	b.WriteString("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\n")
	for _, r := range rows {
		f := strings.Fields(r)
		fmt.Fprintf(&b, "%s\tIntel::%s\tzfeed\t%s\n", f[0], f[1], f[2])
	}
	return b.String()
}

// TestFeedEdit: a feed edited between reloads (a record added, one
// changed, one deleted) gives exactly the new set's matches, and the diff
// says so.
func TestFeedEdit(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "intel.dat")
	write(t, feed, zeek("a.example DOMAIN first", "b.example DOMAIN first", "198.51.100.7 ADDR first"))
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1})
	line := "a.example b.example 198.51.100.7 c.example 203.0.113.9"
	if got, want := values(m.Current(), line), []string{"domain:a.example", "domain:b.example", "ipv4:198.51.100.7"}; !slices.Equal(got, want) {
		t.Fatalf("set 1: %v, want %v", got, want)
	}
	write(t, feed, zeek("b.example DOMAIN second", "198.51.100.7 ADDR first", "c.example DOMAIN new", "203.0.113.9 ADDR new"))
	ev, err := m.Reload(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := values(m.Current(), line), []string{"domain:b.example", "domain:c.example", "ipv4:198.51.100.7", "ipv4:203.0.113.9"}; !slices.Equal(got, want) {
		t.Fatalf("set 2: %v, want %v", got, want)
	}
	d := ev.Diff
	if d.Added != 2 || d.Removed != 1 || d.Changed != 1 {
		t.Errorf("diff %+v, want 2 added, 1 removed, 1 changed", d)
	}
	var added []string
	for _, ind := range ev.AddedIndicators() {
		added = append(added, ind.String()+" "+ind.Description)
	}
	slices.Sort(added)
	if want := []string{"domain:c.example new", "ipv4:203.0.113.9 new"}; !slices.Equal(added, want) {
		t.Errorf("added %v, want %v", added, want)
	}
	am, err := ev.CompileAdded(match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := values(&Set{Matcher: am}, line); !slices.Equal(got, []string{"domain:c.example", "ipv4:203.0.113.9"}) {
		t.Errorf("matcher of the added entries: %v", got)
	}
	e := m.Current().Matcher
	ids := e.LookupDomain("b.example")
	if len(ids) != 1 || e.Entry(ids[0]).Indicators[0].Description != "second" {
		t.Errorf("b.example's record not the new one: %v", ids)
	}
	if ev.Set.Generation != 2 || ev.Trigger != "reload" || len(ev.Set.Sources) != 1 || ev.Set.Sources[0].Indicators != 4 {
		t.Errorf("event %+v", ev)
	}
	// An unchanged feed: nothing added, removed or changed.
	ev, err = m.Reload(context.Background())
	if err != nil || ev.Diff.Added+ev.Diff.Removed+ev.Diff.Changed != 0 || ev.Set.Generation != 3 {
		t.Errorf("unchanged reload: %+v, %v", ev.Diff, err)
	}
}

// TestFailuresKeepSet: each way a build fails keeps the current set and
// says why; bad records alone do not fail it.
func TestFailuresKeepSet(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "c2.txt")
	const good = "a.example\nb.example\nc.example\nd.example\n"
	var transformErr error
	write(t, feed, good)
	m := newLive(t, Options{
		Paths: []string{feed}, WatchInterval: -1, MinRatio: 0.5,
		Transform: func(inds []indicator.Indicator, now time.Time) ([]indicator.Indicator, error) {
			return inds, transformErr
		},
	})
	check := func(name string, wantErr string, is error) {
		t.Helper()
		ev, err := m.Reload(context.Background())
		if err == nil {
			t.Fatalf("%s: reload succeeded", name)
		}
		if !strings.Contains(err.Error(), wantErr) || (is != nil && !errors.Is(err, is)) {
			t.Errorf("%s: error %q, want it to hold %q", name, err, wantErr)
		}
		if ev.Err != err || ev.Set != m.Current() || m.Current().Generation != 1 {
			t.Errorf("%s: event %+v, current generation %d", name, ev, m.Current().Generation)
		}
		if got := values(m.Current(), "a.example d.example"); len(got) != 2 {
			t.Errorf("%s: old set lost: %v", name, got)
		}
		if st := m.Status(); st.LastError != err {
			t.Errorf("%s: status error %v", name, st.LastError)
		}
		if am, err := ev.CompileAdded(match.Options{}); err != nil || am.Len() != 0 || ev.AddedIndicators() != nil {
			t.Errorf("%s: added after a failure: %v", name, err)
		}
	}
	os.Remove(feed)
	check("file gone", feed, nil)
	write(t, feed, "")
	check("file emptied", "c2.txt", ErrSourceEmpty)
	write(t, feed, "a.example\n")
	check("file cut to a quarter", "1 indicators, 4 in the current set", ErrSourceShrank)
	write(t, feed, good)
	transformErr = errors.New("ageing broke")
	check("transform", "ageing broke", nil)
	transformErr = nil
	if st := m.Status(); st.Failures != 4 || st.Builds != 5 {
		t.Errorf("status %+v", st)
	}

	// Bad records are reported, not a failure.
	write(t, feed, good+"not a value\ne.example\n")
	ev, err := m.Reload(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	src := ev.Set.Sources[0]
	if src.Skipped != 1 || len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Error(), "c2.txt:5") || src.Indicators != 5 {
		t.Errorf("bad record: source report %+v", src)
	}
	if st := m.Status(); st.LastError != nil || st.Generation != 2 {
		t.Errorf("status %+v", st)
	}
}

// TestAllowEmpty: with AllowEmpty, an emptied feed empties the set.
func TestAllowEmpty(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "a.example\n")
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1, AllowEmpty: true})
	write(t, feed, "# nothing left\n")
	ev, err := m.Reload(context.Background())
	if err != nil || m.Current().Matcher.Len() != 0 || ev.Diff.Removed != 1 {
		t.Fatalf("%v %+v", err, ev.Diff)
	}
}

// TestStrictProblem: with Loader.Strict a bad record fails the build,
// naming the file and line.
func TestStrictProblem(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "a.example\n")
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1})
	m.opts.Loader.Strict = true
	write(t, feed, "a.example\nb.example\nnot a value\n")
	_, err := m.Reload(context.Background())
	if err == nil || !strings.Contains(err.Error(), "c2.txt:3") || m.Current().Generation != 1 {
		t.Fatalf("%v", err)
	}
}

// TestEventString: the log line of a build and of a failure.
func TestEventString(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "c2.txt")
	write(t, feed, "a.example\nnot a value\n")
	m := newLive(t, Options{Paths: []string{feed}, WatchInterval: -1})
	write(t, feed, "b.example\nnot a value\n")
	ev, _ := m.Reload(context.Background())
	if got, want := ev.String(), "live: generation 2 (reload): 1 entries (+1 -1 ~0), 1 problems, took 0s"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	os.Remove(feed)
	ev, _ = m.Reload(context.Background())
	if got := ev.String(); !strings.HasPrefix(got, "live: build failed (reload), kept generation 2: loader: ") || !strings.Contains(got, "c2.txt") {
		t.Errorf("%q", got)
	}
}
