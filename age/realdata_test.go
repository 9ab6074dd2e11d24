package age_test

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

const realFeeds = "../../shared/realdata/feeds"

// TestRealdata ages every real feed at 2026-12-01, with DefaultMaxAge
// alone and with NIDS Simple too: the counts add up per source, every
// kept dated indicator ends at its expiry or decay (or earlier), and no
// undated one is touched. The per-source table is logged (go test -v).
func TestRealdata(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("real data: not with -short or -race")
	}
	if _, err := os.Stat(realFeeds); err != nil {
		t.Skip("no real data")
	}
	res, err := loader.Load(realFeeds, loader.Options{})
	require.NoError(t, err)
	// the newest sighting in the data: a day after it, the freshest
	// indicators are kept, until their expiry or decay
	var newest time.Time
	for i := range res.Indicators {
		if l := age.LastSighting(&res.Indicators[i].Meta); l.After(newest) {
			newest = l
		}
	}
	require.False(t, newest.IsZero())
	nids, _ := age.LookupModel("NIDS Simple")
	work := make([]indicator.Indicator, len(res.Indicators)) // Apply filters in place
	for _, c := range []struct {
		name  string
		now   time.Time
		model *age.Model
	}{
		{"DefaultMaxAge, a day after the newest sighting", newest.Add(day), nil},
		{"DefaultMaxAge+NIDS Simple, a day after the newest sighting", newest.Add(day), &nids},
		{"DefaultMaxAge", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), nil},
		{"DefaultMaxAge+NIDS Simple", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), &nids},
	} {
		now := c.now
		o := age.Options{MaxAge: age.DefaultMaxAge(), Now: func() time.Time { return now }}
		if c.model != nil {
			require.NoError(t, o.SetModel(*c.model)) // as iocscan -decay: to addresses, domains and URLs
		}
		p, err := age.New(o)
		require.NoError(t, err)
		inds := work[:copy(work, res.Indicators)]
		total := len(inds)
		start := time.Now()
		out, rep := p.Apply(inds)
		took := time.Since(start)
		t.Logf("%s (%s): %d indicators: %d kept (%d undated, %d with ValidUntil moved), %d expired, %d decayed; Apply took %v",
			c.name, now.Format(time.DateOnly), rep.Input, rep.Kept, rep.Undated, rep.Limited, rep.Expired, rep.Decayed, took)
		sum := age.SourceReport{}
		undatedOnly := 0
		for _, s := range rep.Sources() {
			r := rep.PerSource[s]
			if r.Undated == r.Input {
				undatedOnly++
			} else {
				t.Logf("  %-40.40s %7d in %7d kept %7d expired %7d decayed %7d undated", s, r.Input, r.Kept, r.Expired, r.Decayed, r.Undated)
			}
			assert.Equal(t, r.Input, r.Kept+r.Expired+r.Decayed, s)
			sum.Input += r.Input
			sum.Kept += r.Kept
		}
		t.Logf("  and %d sources of undated indicators only, all kept", undatedOnly)
		assert.Equal(t, total, rep.Input)
		assert.Equal(t, rep.Input, sum.Input)
		assert.Equal(t, len(out), rep.Kept)
		assert.Equal(t, rep.Kept, sum.Kept)
		assert.Equal(t, rep.Input, rep.Kept+rep.Expired+rep.Decayed)
		if now.Equal(newest.Add(day)) {
			assert.Positive(t, rep.Limited, "the freshest indicators are kept with an end")
		}
		t.Logf("  examples: %q %q", rep.ExpiredExamples, rep.DecayedExamples)
		for _, ind := range out {
			end, _, ok := p.Ends(ind.Type, &ind.Meta)
			if !ok {
				continue
			}
			if !end.After(now) || ind.ValidUntil.IsZero() || ind.ValidUntil.After(end) {
				t.Fatalf("%v (%s): ends %v, ValidUntil %v", ind, ind.Source, end, ind.ValidUntil)
			}
		}
	}
}
