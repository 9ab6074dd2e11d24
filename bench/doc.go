// Package bench holds the iocmatch benchmark harness; it has no code of
// its own besides these benchmarks (bench_test.go). It is a module of its
// own (github.com/iocmatch/iocmatch/bench) so that the baselines it
// compares with stay out of the main module's dependencies.
//
// Run from this directory:
//
//	go test -run '^$' -bench . -benchtime 1s            # sizes 10k and 100k
//	IOCBENCH_FULL=1 go test -run '^$' -bench . -timeout 2h  # and 1M
//	IOCBENCH_SIZES=10000,50000 go test -run '^$' -bench 'PeerAhoCorasick'
//
// Benchmark names are Benchmark<Op>/<kind>/<N>/<hit|miss>:
//
//	BenchmarkMatch/<format>/<N>/<hit|miss>          AppendMatches, mixed set, per log format
//	BenchmarkMatchDomains/<format>/<N>/<hit|miss>   AppendMatches, domain-only set (vs the literal peers)
//	BenchmarkMatchStrings/json/<N>/<hit|miss>       AppendMatches, string-kind-only set
//	BenchmarkMatchParallel/<format>/<N>/<hit|miss>  AppendMatches under b.RunParallel
//	BenchmarkLookup/<addr|domain|hash|url>/<N>/<hit|miss>
//	BenchmarkCompile/<mixed|strings>/<N>
//	BenchmarkPeerAhoCorasick/<format>/<N>/<hit|miss>  cloudflare/ahocorasick on domains (N <= 50k)
//	BenchmarkPeerNaive/<format>/<N>/<hit|miss>        regexp + maps on the mixed set
//	BenchmarkPeerCIDRRanger/addr/<N>/<hit|miss>       yl2chen/cidranger Contains
//
// A "hit" benchmark scans lines that each carry one indicator, a "miss"
// benchmark lines that carry none. One op is a batch of lines (SetBytes is
// the batch's bytes); ns/line and allocs/line are reported as metrics.
// The report with tables and plots is cmd/iocbench.
package bench
