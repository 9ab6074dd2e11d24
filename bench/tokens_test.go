package bench_test

import (
	"fmt"
	"runtime"
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
// (Aho-Corasick) pass. Beside MB/s (wall) it reports MB/cpu-s: the bytes
// per second of CPU time of the scanning thread, which the other
// processes of a shared host do not lower.
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
					runScanCPU(b, m, ls, nb)
				})
			}
		}
	}
}

// BenchmarkMatchCPU is BenchmarkMatch (the whole mixed set) with the
// MB/cpu-s figure of BenchmarkMatchTokens.
func BenchmarkMatchCPU(b *testing.B) {
	for _, f := range formatsAll() {
		for _, n := range sizes {
			for _, hit := range []bool{true, false} {
				b.Run(fmt.Sprintf("%v/%d/%s", f, n, hitMiss(hit)), func(b *testing.B) {
					m := matcher(b, "mixed", n)
					ls, nb := lines("mixed", n, f, hit)
					runScanCPU(b, m, ls, nb)
				})
			}
		}
	}
}

func runScanCPU(b *testing.B, m *match.Matcher, ls [][]byte, nbytes int64) {
	// The garbage of generating and compiling the set is collected
	// first: a collection of a heap of gigabytes running beside the scan
	// (on the other core) slows it by a third.
	runtime.GC()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	dst := make([]match.Match, 0, 16)
	b.SetBytes(nbytes)
	b.ReportAllocs()
	m0 := mallocs()
	c0, ok := threadCPU()
	for b.Loop() {
		for _, l := range ls {
			dst = m.AppendMatches(dst[:0], l)
		}
	}
	if c1, _ := threadCPU(); ok && c1 > c0 {
		b.ReportMetric(float64(nbytes)*float64(b.N)/1e6/(float64(c1-c0)/1e9), "MB/cpu-s")
	}
	perLine(b, len(ls), m0)
}
