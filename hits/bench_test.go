package hits_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// benchSet returns a matcher of 20k indicators (domains, addresses,
// hashes, URLs) and 20k web-server log lines of which 0.5% hold one of
// them.
func benchSet(b *testing.B) (*match.Matcher, [][]byte) {
	r := rand.New(rand.NewPCG(1, 2))
	var inds []indicator.Indicator
	var hot []string
	for i := range 20000 {
		var v string
		switch i % 4 {
		case 0:
			v = fmt.Sprintf("bad%d-%x.example", i, r.Uint32())
		case 1:
			v = fmt.Sprintf("%d.%d.%d.%d", 11+r.IntN(200), r.IntN(256), r.IntN(256), 1+r.IntN(254))
		case 2:
			v = fmt.Sprintf("%016x%016x%016x%016x", r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64())
		case 3:
			v = fmt.Sprintf("http://host%d.example/p/%x", i, r.Uint32())
		}
		ind, err := indicator.Parse(v)
		if err != nil {
			b.Fatal(err)
		}
		ind.Source = fmt.Sprintf("feed-%d", i%5)
		inds = append(inds, ind)
		hot = append(hot, v)
	}
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	lines := make([][]byte, 20000)
	for i := range lines {
		ref := fmt.Sprintf("https://www.site%d.example.org/page/%d", r.IntN(500), r.IntN(1e6))
		if r.IntN(200) == 0 { // 0.5%
			ref = hot[r.IntN(len(hot))]
		}
		lines[i] = fmt.Appendf(nil, `10.%d.%d.%d - - [25/Nov/2026:10:00:%02d +0000] "GET /static/app.%d.js HTTP/1.1" 200 %d "%s" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0"`,
			r.IntN(256), r.IntN(256), r.IntN(256), i%60, r.IntN(1000), r.IntN(100000), ref)
	}
	return m, lines
}

func scanAll(b *testing.B, m *match.Matcher, lines [][]byte, st *hits.Stats) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var dst []match.Match
	var n int64
	for _, l := range lines {
		n += int64(len(l))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		for _, l := range lines {
			dst = m.AppendMatches(dst[:0], l)
			if st != nil && len(dst) > 0 {
				st.Record(m, dst, now)
			}
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkScanRecord: AppendMatches on 20k log lines (0.5% with a hit),
// with hit statistics (Record on the lines with matches) and without.
func BenchmarkScanRecord(b *testing.B) {
	m, lines := benchSet(b)
	b.Run("scan", func(b *testing.B) { scanAll(b, m, lines, nil) })
	b.Run("scan+record", func(b *testing.B) {
		st := hits.New(hits.Options{})
		st.Rebind(m)
		scanAll(b, m, lines, st)
	})
}

// BenchmarkRecord: one Record of a line's two matches on the bound
// matcher, alone and from parallel goroutines.
func BenchmarkRecord(b *testing.B) {
	m, _ := benchSet(b)
	xs := []match.Match{{ID: 3}, {ID: 12345}}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b.Run("serial", func(b *testing.B) {
		st := hits.New(hits.Options{})
		st.Rebind(m)
		b.ReportAllocs()
		c0 := cpuTime()
		for b.Loop() {
			st.Record(m, xs, now)
		}
		b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("parallel", func(b *testing.B) {
		st := hits.New(hits.Options{})
		st.Rebind(m)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				st.Record(m, xs, now)
			}
		})
	})
	b.Run("unbound", func(b *testing.B) {
		st := hits.New(hits.Options{})
		b.ReportAllocs()
		for b.Loop() {
			st.Record(m, xs, now)
		}
	})
}

// BenchmarkRebind: Rebind to a new compile of the same 20k indicators
// after hits on 1% of them.
func BenchmarkRebind(b *testing.B) {
	m, _ := benchSet(b)
	st := hits.New(hits.Options{})
	st.Rebind(m)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for id := 0; id < m.Len(); id += 100 {
		st.Record(m, []match.Match{{ID: match.ID(id)}}, now)
	}
	m2, _ := benchSet(b)
	ms := []*match.Matcher{m2, m}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		st.Rebind(ms[i%2])
		i++
	}
}
