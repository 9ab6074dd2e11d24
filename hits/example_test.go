package hits_test

import (
	"fmt"
	"time"

	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

func Example() {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	compile := func(vals ...string) *match.Matcher {
		var inds []indicator.Indicator
		for _, v := range vals {
			ind, _ := indicator.Parse(v)
			ind.Source = "feed"
			inds = append(inds, ind)
		}
		m, _ := match.Compile(inds, match.Options{})
		return m
	}
	m := compile("evil.example", "198.51.100.7")
	st := hits.New(hits.Options{Start: now})
	st.Rebind(m)
	var dst []match.Match
	for i, line := range []string{"GET http://a.evil.example/", "nothing", "from 198.51.100.7 to evil.example"} {
		if dst = m.AppendMatches(dst[:0], []byte(line)); len(dst) > 0 {
			st.Record(m, dst, now.Add(time.Duration(i)*time.Minute))
		}
	}
	// a reload: 198.51.100.7 is gone from the feed, a new indicator comes
	st.Rebind(compile("new.example", "evil.example"))
	for _, e := range st.Snapshot() {
		fmt.Printf("%s %s: %d hits, %s to %s, current %v\n", e.Type, e.Value, e.Count,
			e.FirstHit.Format("15:04"), e.LastHit.Format("15:04"), e.Current)
	}
	// Output:
	// domain evil.example: 2 hits, 09:00 to 09:02, current true
	// ipv4 198.51.100.7: 1 hits, 09:02 to 09:02, current false
}
