package match_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// TestEntryDuplicates: identical records of one entry, as hand-built
// slices can hold them, are one record and a count.
func TestEntryDuplicates(t *testing.T) {
	const n = 100_000
	rec := ri(indicator.Domain, "evil.example")
	rec.Source, rec.ID, rec.Tags = "feed", "indicator--1", []string{"c2"}
	rec.ValidUntil = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	inds := make([]indicator.Indicator, 0, n+2)
	for range n {
		r := rec
		r.Tags = []string{"c2"} // equal, not the same slice
		inds = append(inds, r)
	}
	other := rec
	other.Tags = []string{"spam"}
	inds = append(inds, other, rec)
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	require.Equal(t, 1, m.Len())
	e := m.Entry(0)
	require.Equal(t, 2, e.Records)
	require.Equal(t, n, e.Duplicates)
	require.Equal(t, []indicator.Indicator{rec, other}, e.Indicators)
	require.Equal(t, []string{"feed"}, e.Sources())

	// the same source only, on a one-record entry
	m, err = match.Compile([]indicator.Indicator{withSource(ri(indicator.IPv4, "192.0.2.1"), "f"), withSource(ri(indicator.IPv4, "192.0.2.1"), "f")}, match.Options{})
	require.NoError(t, err)
	e = m.Entry(0)
	require.Equal(t, [2]int{1, 1}, [2]int{e.Records, e.Duplicates})
	require.Equal(t, []string{"f"}, e.Sources())
}

func withSource(ind indicator.Indicator, src string) indicator.Indicator {
	ind.Source = src
	return ind
}

// TestEntryManyRecords: Entry costs one bounded allocation whatever the
// number of distinct records; Sources covers them all without allocating;
// AppendIndicators pages through them.
func TestEntryManyRecords(t *testing.T) {
	const n = 100_000
	inds := make([]indicator.Indicator, n)
	for i := range inds {
		inds[i] = ri(indicator.Domain, "evil.example")
		inds[i].Source = fmt.Sprintf("feed-%03d", i%1000)
		inds[i].ID = fmt.Sprintf("indicator--%d", i)
	}
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	e := m.Entry(0)
	require.Equal(t, n, e.Records)
	require.Zero(t, e.Duplicates)
	require.Equal(t, inds[:match.MaxEntryIndicators], e.Indicators)
	require.Len(t, e.Sources(), 1000)
	require.Equal(t, "feed-000", e.Sources()[0])
	require.Equal(t, "feed-999", e.Sources()[999])

	if !raceEnabled {
		allocs := testing.AllocsPerRun(10, func() {
			e := m.Entry(0)
			_ = e.Sources()
		})
		require.Equal(t, 1.0, allocs, "Entry allocates Indicators only")
	}

	// paging, without allocating when dst has room
	page := make([]indicator.Indicator, 0, 1000)
	var ids []string
	for from := 0; from < e.Records; from += cap(page) {
		page = m.AppendIndicators(page[:0], e.ID, from, cap(page))
		for _, ind := range page {
			ids = append(ids, ind.ID)
		}
	}
	require.Len(t, ids, n)
	for i, id := range ids {
		if id != inds[i].ID {
			t.Fatalf("record %d is %s, not %s", i, id, inds[i].ID)
		}
	}
	if !raceEnabled {
		require.Zero(t, testing.AllocsPerRun(10, func() { page = m.AppendIndicators(page[:0], e.ID, 500, 1000) }))
	}
	require.Empty(t, m.AppendIndicators(nil, e.ID, n, 10))
	require.Empty(t, m.AppendIndicators(nil, e.ID, 0, 0))
	require.Len(t, m.AppendIndicators(nil, e.ID, -5, 3), 3)

	// an Entry built by hand: Sources from its Indicators
	hand := match.Entry{Indicators: []indicator.Indicator{withSource(ri(indicator.IPv4, "192.0.2.1"), "b"), withSource(ri(indicator.IPv4, "192.0.2.1"), "a"), ri(indicator.IPv4, "192.0.2.1")}}
	require.Equal(t, []string{"a", "b"}, hand.Sources())
}

// TestValidityManyRecords: an entry with many records matches at t when
// one of them is valid at t, however their windows overlap, touch, nest,
// are open or empty.
func TestValidityManyRecords(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }
	for round := range 50 {
		var inds []indicator.Indicator
		for i := range 1 + r.IntN(40) {
			ind := ri(indicator.Domain, "evil.example")
			ind.ID = fmt.Sprint(i)
			switch r.IntN(8) {
			case 0: // open start
				ind.ValidUntil = at(r.IntN(100))
			case 1: // open end
				ind.ValidFrom = at(r.IntN(100))
			case 2: // empty or reversed
				ind.ValidFrom, ind.ValidUntil = at(50), at(50-r.IntN(3))
			case 3: // no window (in some rounds only)
				if round%5 != 0 {
					ind.ValidFrom = at(200)
				}
			default:
				a := r.IntN(100)
				ind.ValidFrom, ind.ValidUntil = at(a), at(a+r.IntN(10))
			}
			inds = append(inds, ind)
		}
		var now time.Time
		m, err := match.Compile(inds, match.Options{Now: func() time.Time { return now }})
		require.NoError(t, err)
		for n := -2; n < 205; n++ {
			now = at(n).Add(time.Duration(r.IntN(3)-1) * time.Nanosecond)
			want := false
			for i := range inds {
				want = want || inds[i].ValidAt(now)
			}
			if got := m.Contains([]byte("evil.example")); got != want {
				t.Fatalf("round %d, at %v: matches %v, want %v; records %v", round, now, got, want, inds)
			}
		}
	}
}
