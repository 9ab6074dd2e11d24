package live

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

const realFeeds = "../../shared/realdata/feeds"

// TestRealdata: on the real feeds (with their warninglists), the
// streamed build gives the set that LoadAll, allow and Compile give,
// entry for entry, and a reload of unchanged feeds changes nothing.
func TestRealdata(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("real data: not with -short or -race")
	}
	if _, err := os.Stat(realFeeds); err != nil {
		t.Skip("no real data")
	}
	now := func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	start := time.Now()
	lm, err := New(context.Background(), Options{Paths: []string{realFeeds}, Allow: &allow.Options{}, Now: now, WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	got := lm.Current()

	res, err := loader.Load(realFeeds, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := allow.New(allow.Options{Warninglists: res.Warninglists, Allowlist: res.Allowlist})
	if err != nil {
		t.Fatal(err)
	}
	kept, rep := p.Apply(res.Indicators)
	want, err := match.Compile(kept, match.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// The streamed allowlist report counts the repeats of identical
	// records too (the loader merges them only when it keeps them all).
	if got.Matcher.Len() != want.Len() || got.Allow.Suppressed < rep.Suppressed || got.Allow.Annotated < rep.Annotated ||
		got.Allow.Input != rep.Input+res.Duplicates || got.Allow.Suppressed+got.Allow.Annotated > rep.Suppressed+rep.Annotated+res.Duplicates {
		t.Fatalf("live: %d entries, allow %d/%d/%d; LoadAll: %d entries, allow %d/%d/%d (+%d duplicates)",
			got.Matcher.Len(), got.Allow.Input, got.Allow.Suppressed, got.Allow.Annotated,
			want.Len(), rep.Input, rep.Suppressed, rep.Annotated, res.Duplicates)
	}
	for id := range want.Len() {
		g, w := got.Matcher.Entry(match.ID(id)), want.Entry(match.ID(id))
		if g.Type != w.Type || g.Value != w.Value || g.Records != w.Records {
			t.Fatalf("entry %d: %v %s (%d records), LoadAll %v %s (%d)", id, g.Type, g.Value, g.Records, w.Type, w.Value, w.Records)
		}
	}
	srcs := 0
	for _, s := range got.Sources {
		srcs += len(s.Files)
	}
	t.Logf("real feeds: %d files, %d indicators given to Compile, %d entries, %d suppressed, %d annotated; first build %v",
		srcs, got.Indicators, got.Matcher.Len(), got.Allow.Suppressed, got.Allow.Annotated, took.Round(time.Millisecond))

	start = time.Now()
	ev, err := lm.Reload(context.Background())
	took = time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if d := ev.Diff; d.Added+d.Removed+d.Changed != 0 || ev.Set.Generation != 2 {
		t.Errorf("reload of unchanged feeds: %+v", d)
	}
	t.Logf("reload: %v", took.Round(time.Millisecond))
	if p, ok := lm.Changed(); ok {
		t.Errorf("unchanged feeds seen changed: %s", p)
	}
}
