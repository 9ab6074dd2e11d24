package age_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// benchInds are n address and domain indicators of 4 sources, last seen
// over the past 200 days.
func benchInds(n int) []indicator.Indicator {
	inds := make([]indicator.Indicator, n)
	for i := range inds {
		mt := indicator.Meta{Source: fmt.Sprintf("feed%d", i%4), LastSeen: t0.Add(-time.Duration(i%200) * day)}
		if i%2 == 0 {
			inds[i] = indicator.Indicator{Type: indicator.IPv4, Value: fmt.Sprintf("198.51.%d.%d", i>>8&255, i&255), Meta: mt}
		} else {
			inds[i] = indicator.Indicator{Type: indicator.Domain, Value: fmt.Sprintf("d%d.example", i), Meta: mt}
		}
	}
	return inds
}

func BenchmarkApply(b *testing.B) {
	m, _ := age.LookupModel("NIDS Simple")
	p, err := age.New(age.Options{MaxAge: age.DefaultMaxAge(), Model: &m, Now: func() time.Time { return t0 }})
	if err != nil {
		b.Fatal(err)
	}
	src := benchInds(10000)
	work := make([]indicator.Indicator, len(src))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		copy(work, src)
		p.Apply(work)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/indicator")
}

func BenchmarkScore(b *testing.B) {
	m, _ := age.LookupModel("NIDS Simple")
	p, _ := age.New(age.Options{Model: &m})
	mt := indicator.Meta{Source: "feed", LastSeen: t0.Add(-3 * day)}
	b.ReportAllocs()
	var sum float64
	for b.Loop() {
		s, _ := p.Score(indicator.Domain, &mt, t0)
		sum += s
	}
	_ = sum
}

func BenchmarkEntryScore(b *testing.B) {
	m, _ := age.LookupModel("NIDS Simple")
	p, _ := age.New(age.Options{Model: &m})
	inds := benchInds(64)
	for i := range inds {
		inds[i].Type, inds[i].Value = indicator.Domain, "evil.example" // one entry of 64 records
	}
	mt, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.EntryScore(mt, 0, t0)
	}
}
