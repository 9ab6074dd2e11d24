package bench_test

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/iocmatch/iocmatch/bench/peers"
	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// sizes are the indicator counts: 10k and 100k, plus 1M with
// IOCBENCH_FULL=1, or the list in IOCBENCH_SIZES.
var sizes = func() []int {
	if s := os.Getenv("IOCBENCH_SIZES"); s != "" {
		var out []int
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				panic("IOCBENCH_SIZES: bad size " + f)
			}
			out = append(out, n)
		}
		return out
	}
	if os.Getenv("IOCBENCH_FULL") != "" {
		return []int{10_000, 100_000, 1_000_000}
	}
	return []int{10_000, 100_000}
}()

// acMax is the largest set cloudflare/ahocorasick is built for (~3 GB at
// 50k domains).
const acMax = 50_000

const (
	setSeed  = 1
	lineSeed = 2
	batch    = 512 // lines per op
)

// cache keeps generated sets and compiled matchers across benchmarks.
var cache sync.Map

func cached[T any](key string, mk func() T) T {
	if v, ok := cache.Load(key); ok {
		return v.(T)
	}
	v := mk()
	cache.Store(key, v)
	return v
}

func set(kind string, n int) []indicator.Indicator {
	return cached(fmt.Sprintf("set/%s/%d", kind, n), func() []indicator.Indicator {
		switch kind {
		case "domains":
			return workload.Domains(n, setSeed)
		case "strings":
			return workload.Strings(n, setSeed)
		}
		return workload.Indicators(n, setSeed)
	})
}

func matcher(b *testing.B, kind string, n int) *match.Matcher {
	m := cached(fmt.Sprintf("matcher/%s/%d", kind, n), func() *match.Matcher {
		m, err := match.Compile(set(kind, n), match.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return m
	})
	return m
}

// lines returns a batch of lines of format f: all hits or all misses.
func lines(kind string, n int, f workload.Format, hit bool) ([][]byte, int64) {
	type batchT struct {
		l [][]byte
		n int64
	}
	bt := cached(fmt.Sprintf("lines/%s/%d/%v/%v", kind, n, f, hit), func() batchT {
		rate := 0.0
		if hit {
			rate = 1
		}
		log := workload.Generate(f, batch, rate, set(kind, n), lineSeed)
		return batchT{log.Lines, int64(log.Bytes)}
	})
	return bt.l, bt.n
}

func hitMiss(hit bool) string {
	if hit {
		return "hit"
	}
	return "miss"
}

func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// perLine reports ns/line and allocs/line; m0 is mallocs() before the
// loop.
func perLine(b *testing.B, nlines int, m0 uint64) {
	lines := float64(b.N) * float64(nlines)
	b.ReportMetric(float64(mallocs()-m0)/lines, "allocs/line")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/lines, "ns/line")
}

// runScan runs scan over ls as one op, reporting MB/s (wall), allocations
// per line and, where the thread's CPU clock is available, MB/cpu-s: the
// bytes per second of CPU time of the scanning thread, which the other
// processes of a shared host do not lower.
func runScan(b *testing.B, ls [][]byte, nbytes int64, scan func([]byte)) {
	// The garbage of generating and compiling the set is collected
	// first: a collection of a heap of gigabytes running beside the scan
	// (on the other core) slows it by a third.
	runtime.GC()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.SetBytes(nbytes)
	b.ReportAllocs()
	m0 := mallocs()
	c0, ok := threadCPU()
	for b.Loop() {
		for _, l := range ls {
			scan(l)
		}
	}
	if c1, _ := threadCPU(); ok && c1 > c0 {
		b.ReportMetric(float64(nbytes)*float64(b.N)/1e6/(float64(c1-c0)/1e9), "MB/cpu-s")
	}
	perLine(b, len(ls), m0)
}

func formatsAll() []workload.Format { return append(workload.Formats(), workload.Mixed) }

func BenchmarkMatch(b *testing.B) {
	for _, f := range formatsAll() {
		for _, n := range sizes {
			for _, hit := range []bool{true, false} {
				b.Run(fmt.Sprintf("%v/%d/%s", f, n, hitMiss(hit)), func(b *testing.B) {
					m := matcher(b, "mixed", n)
					ls, nb := lines("mixed", n, f, hit)
					dst := make([]match.Match, 0, 16)
					runScan(b, ls, nb, func(l []byte) { dst = m.AppendMatches(dst[:0], l) })
				})
			}
		}
	}
}

func BenchmarkMatchDomains(b *testing.B) {
	for _, f := range []workload.Format{workload.DNS, workload.Web, workload.Proxy} {
		for _, n := range sizes {
			for _, hit := range []bool{true, false} {
				b.Run(fmt.Sprintf("%v/%d/%s", f, n, hitMiss(hit)), func(b *testing.B) {
					m := matcher(b, "domains", n)
					ls, nb := lines("domains", n, f, hit)
					dst := make([]match.Match, 0, 16)
					runScan(b, ls, nb, func(l []byte) { dst = m.AppendMatches(dst[:0], l) })
				})
			}
		}
	}
}

func BenchmarkMatchStrings(b *testing.B) {
	for _, n := range sizes {
		if n > 100_000 {
			continue
		}
		for _, hit := range []bool{true, false} {
			b.Run(fmt.Sprintf("json/%d/%s", n, hitMiss(hit)), func(b *testing.B) {
				m := matcher(b, "strings", n)
				ls, nb := lines("strings", n, workload.JSON, hit)
				dst := make([]match.Match, 0, 16)
				runScan(b, ls, nb, func(l []byte) { dst = m.AppendMatches(dst[:0], l) })
			})
		}
	}
}

func BenchmarkMatchParallel(b *testing.B) {
	for _, f := range []workload.Format{workload.Mixed, workload.JSON} {
		for _, n := range sizes {
			for _, hit := range []bool{true, false} {
				b.Run(fmt.Sprintf("%v/%d/%s", f, n, hitMiss(hit)), func(b *testing.B) {
					m := matcher(b, "mixed", n)
					ls, nb := lines("mixed", n, f, hit)
					b.SetBytes(nb)
					b.ReportAllocs()
					m0 := mallocs()
					b.RunParallel(func(pb *testing.PB) {
						dst := make([]match.Match, 0, 16)
						for pb.Next() {
							for _, l := range ls {
								dst = m.AppendMatches(dst[:0], l)
							}
						}
					})
					perLine(b, len(ls), m0)
				})
			}
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	for _, kind := range workload.LookupKinds {
		for _, n := range sizes {
			for _, hit := range []bool{true, false} {
				b.Run(fmt.Sprintf("%s/%d/%s", kind, n, hitMiss(hit)), func(b *testing.B) {
					m := matcher(b, "mixed", n)
					keys := workload.LookupKeys(kind, set("mixed", n), hit, 1024)
					addrs := make([]netip.Addr, len(keys))
					if kind == "addr" {
						for i, k := range keys {
							addrs[i] = netip.MustParseAddr(k)
						}
					}
					dst := make([]match.ID, 0, 8)
					found := 0
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						k := i & (len(keys) - 1)
						i++
						switch kind {
						case "addr":
							dst = m.AppendAddr(dst[:0], addrs[k])
						case "domain":
							dst = m.AppendDomain(dst[:0], keys[k])
						case "hash":
							dst = m.AppendHash(dst[:0], keys[k])
						case "url":
							dst = m.AppendURL(dst[:0], keys[k])
						}
						if len(dst) > 0 {
							found++
						}
					}
					if want := hit; (found == i) != want || (!hit && found != 0) {
						b.Fatalf("%d of %d lookups found something (hit=%v)", found, i, hit)
					}
				})
			}
		}
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func BenchmarkCompile(b *testing.B) {
	for _, kind := range []string{"mixed", "strings"} {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/%d", kind, n), func(b *testing.B) {
				inds := set(kind, n)
				before := heapAlloc()
				m, err := match.Compile(inds, match.Options{})
				if err != nil {
					b.Fatal(err)
				}
				live := int64(heapAlloc()) - int64(before)
				runtime.KeepAlive(m)
				m = nil
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					m, _ = match.Compile(inds, match.Options{})
				}
				runtime.KeepAlive(m)
				b.ReportMetric(float64(live)/float64(n), "heapB/ind")
			})
		}
	}
}

func BenchmarkPeerAhoCorasick(b *testing.B) {
	for _, f := range []workload.Format{workload.DNS, workload.Web, workload.Proxy} {
		for _, n := range sizes {
			if n > acMax {
				continue
			}
			for _, hit := range []bool{true, false} {
				b.Run(fmt.Sprintf("%v/%d/%s", f, n, hitMiss(hit)), func(b *testing.B) {
					ac := cached(fmt.Sprintf("ac/%d", n), func() *peers.AhoCorasick {
						return peers.NewAhoCorasick(workload.Values(set("domains", n)))
					})
					ls, nb := lines("domains", n, f, hit)
					runScan(b, ls, nb, func(l []byte) { ac.Count(l) })
				})
			}
		}
	}
}

func BenchmarkPeerNaive(b *testing.B) {
	for _, f := range formatsAll() {
		for _, n := range sizes {
			for _, hit := range []bool{true, false} {
				b.Run(fmt.Sprintf("%v/%d/%s", f, n, hitMiss(hit)), func(b *testing.B) {
					nv := cached(fmt.Sprintf("naive/%d", n), func() *peers.Naive { return peers.NewNaive(set("mixed", n)) })
					ls, nb := lines("mixed", n, f, hit)
					runScan(b, ls, nb, func(l []byte) { nv.Count(l) })
				})
			}
		}
	}
}

func BenchmarkPeerCIDRRanger(b *testing.B) {
	for _, n := range sizes {
		for _, hit := range []bool{true, false} {
			b.Run(fmt.Sprintf("addr/%d/%s", n, hitMiss(hit)), func(b *testing.B) {
				r := cached(fmt.Sprintf("ranger/%d", n), func() *peers.CIDRRanger {
					r, err := peers.NewCIDRRanger(set("mixed", n))
					if err != nil {
						b.Fatal(err)
					}
					return r
				})
				keys := workload.LookupKeys("addr", set("mixed", n), hit, 1024)
				ips := make([]net.IP, len(keys))
				for i, k := range keys {
					ips[i] = net.IP(netip.MustParseAddr(k).AsSlice())
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					r.Contains(ips[i&(len(ips)-1)])
					i++
				}
			})
		}
	}
}
