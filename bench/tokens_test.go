package bench_test

import (
	"fmt"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// tokenSet is the mixed set without its string kinds: a matcher of it
// runs the token pass only (addresses, domains, URLs, hashes, emails), as
// the "where the time goes" breakdown of cmd/iocbench builds it.
func tokenSet(n int) []indicator.Indicator {
	return cached(fmt.Sprintf("set/tokens/%d", n), func() []indicator.Indicator {
		var out []indicator.Indicator
		for _, ind := range set("mixed", n) {
			if !ind.Type.IsString() {
				out = append(out, ind)
			}
		}
		return out
	})
}

// BenchmarkMatchTokens scans the mixed set's logs with a matcher of its
// token kinds only: the token pass alone, not mixed with the string-kind
// (Aho-Corasick) pass; like BenchmarkMatch (the whole set) it reports
// MB/cpu-s beside MB/s (see runScan).
func BenchmarkMatchTokens(b *testing.B) {
	for _, f := range formatsAll() {
		for _, n := range sizes {
			for _, hit := range []bool{true, false} {
				b.Run(fmt.Sprintf("%v/%d/%s", f, n, hitMiss(hit)), func(b *testing.B) {
					m := cached(fmt.Sprintf("matcher/tokens/%d", n), func() *match.Matcher {
						m, err := match.Compile(tokenSet(n), match.Options{})
						if err != nil {
							b.Fatal(err)
						}
						return m
					})
					ls, nb := lines("mixed", n, f, hit)
					dst := make([]match.Match, 0, 16)
					runScan(b, ls, nb, func(l []byte) { dst = m.AppendMatches(dst[:0], l) })
				})
			}
		}
	}
}
