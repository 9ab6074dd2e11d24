package match_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// genIndicators returns n deterministic indicators: 55% domains, 20%
// IPv4, 2% CIDRs, 10% URLs, 10% SHA256, 3% MD5.
func genIndicators(n int) []indicator.Indicator {
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		b := make([]byte, 5+r.IntN(8))
		for i := range b {
			b[i] = letters[r.IntN(len(letters))]
		}
		return string(b)
	}
	tlds := []string{"com", "net", "org", "ru", "xyz", "top", "info", "cn"}
	hexs := func(k int) string {
		const h = "0123456789abcdef"
		b := make([]byte, k)
		for i := range b {
			b[i] = h[r.IntN(16)]
		}
		return string(b)
	}
	inds := make([]indicator.Indicator, 0, n)
	for i := 0; i < n; i++ {
		var t indicator.Type
		var v string
		switch p := r.IntN(100); {
		case p < 55:
			t, v = indicator.Domain, word()+"."+word()+"."+tlds[r.IntN(len(tlds))]
		case p < 75:
			t, v = indicator.IPv4, fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(222), r.IntN(256), r.IntN(256), 1+r.IntN(254))
		case p < 77:
			t, v = indicator.CIDR, fmt.Sprintf("%d.%d.%d.0/24", 1+r.IntN(222), r.IntN(256), r.IntN(256))
		case p < 87:
			t, v = indicator.URL, "http://"+word()+"."+tlds[r.IntN(len(tlds))]+"/"+word()+"/"+word()+".php"
		case p < 97:
			t, v = indicator.SHA256, hexs(64)
		default:
			t, v = indicator.MD5, hexs(32)
		}
		ind, err := indicator.New(t, v)
		if err != nil {
			panic(err)
		}
		inds = append(inds, ind)
	}
	return inds
}

// benchLines are log lines in several formats that match nothing in a
// generated set (documentation addresses, .example names).
var benchLines = []string{
	`192.0.2.44 - - [25/Nov/2026:10:00:01 +0000] "GET /static/app.js?v=1234 HTTP/1.1" 200 5120 "https://www.example.com/index.html" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"`,
	`25-Nov-2026 10:01:00.001 queries: info: client @0x7f 192.0.2.45#53211 (cdn.static.example.net): query: cdn.static.example.net IN A +E(0)K (192.0.2.53)`,
	`Nov 25 10:02:00 fw01 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc SRC=198.51.100.44 DST=192.0.2.9 LEN=60 TOS=0x00 PROTO=TCP SPT=51234 DPT=22 WINDOW=64240`,
	`1764064920.001    120 192.0.2.44 TCP_MISS/200 4512 GET https://images.example.org/a/b/c.png - HIER_DIRECT/203.0.113.9 image/png`,
	`{"EventID":1,"Image":"C:\\Windows\\System32\\svchost.exe","CommandLine":"svchost.exe -k netsvcs -p","Hashes":"SHA256=0000000000000000000000000000000000000000000000000000000000000000","User":"NT AUTHORITY\\SYSTEM","ParentImage":"C:\\Windows\\System32\\services.exe"}`,
}

var sizes = []int{10_000, 100_000}

func BenchmarkAppendMatches(b *testing.B) {
	for _, n := range sizes {
		inds := genIndicators(n)
		m, err := match.Compile(inds, match.Options{})
		if err != nil {
			b.Fatal(err)
		}
		hits := make([]string, len(benchLines))
		for i, l := range benchLines {
			// put one indicator of the set into each line
			v := inds[(i*7919)%len(inds)].Value
			hits[i] = strings.Replace(l, "192.0.2.44", v, 1)
			if hits[i] == l {
				hits[i] = l + " " + v
			}
		}
		for _, c := range []struct {
			name  string
			lines []string
		}{{"miss", benchLines}, {"hit", hits}} {
			b.Run(fmt.Sprintf("mixed/%d/%s", n, c.name), func(b *testing.B) {
				lines := make([][]byte, len(c.lines))
				total := 0
				for i, l := range c.lines {
					lines[i] = []byte(l)
					total += len(l)
				}
				b.SetBytes(int64(total))
				b.ReportAllocs()
				dst := make([]match.Match, 0, 16)
				cpu := cpuTime()
				for b.Loop() {
					for _, l := range lines {
						dst = m.AppendMatches(dst[:0], l)
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkHostileLine: 100 overlapping string indicators (a, aa, …) on a
// 1 MB line of 'a', which holds some 100M matches: AppendMatches stops at
// the default cap (DefaultMaxMatchesPerLine); LineStream matches the same
// line in 64 KiB parts, with 64 KiB pieces; AppendString looks them up in
// a 20 KB value; and the same as filename and regkey indicators, whose
// occurrences all fail the end boundary.
func BenchmarkHostileLine(b *testing.B) {
	var inds []indicator.Indicator
	for i := 1; i <= 100; i++ {
		inds = append(inds, indicator.MustNew(indicator.String, strings.Repeat("a", i)))
	}
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	line := []byte(strings.Repeat("a", 1_000_000))
	dst := make([]match.Match, 0, match.DefaultMaxMatchesPerLine)
	b.Run("AppendMatches", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		for b.Loop() {
			dst = m.AppendMatches(dst[:0], line)
		}
	})
	b.Run("LineStream", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		ls := m.NewLineStream(64 << 10)
		for b.Loop() {
			dst = dst[:0]
			for off := 0; off < len(line); off += 64 << 10 {
				dst = ls.Append(dst, line[off:min(len(line), off+64<<10)])
			}
			dst, _ = ls.Finish(dst)
		}
	})
	// AppendString of a 20 KB value of 'a': 2M occurrences, 100 IDs.
	value := string(line[:20_000])
	var ids []match.ID
	b.Run("AppendString", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ids = m.AppendString(ids[:0], indicator.String, value)
		}
	})
	// The same as filename and regkey indicators: some 100M occurrences
	// and no match, every occurrence but those ending the line failing
	// the end boundary.
	for _, typ := range []indicator.Type{indicator.Filename, indicator.RegKey} {
		var inds []indicator.Indicator
		for i := 1; i <= 100; i++ {
			inds = append(inds, indicator.MustNew(typ, strings.Repeat("a", i)))
		}
		m, err := match.Compile(inds, match.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(typ.String()+"/AppendMatches", func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				dst = m.AppendMatches(dst[:0], line)
			}
		})
	}
}

func BenchmarkLookup(b *testing.B) {
	for _, n := range sizes {
		inds := genIndicators(n)
		m, _ := match.Compile(inds, match.Options{})
		var dom, ip string
		for _, ind := range inds {
			if ind.Type == indicator.Domain && dom == "" {
				dom = ind.Value
			}
			if ind.Type == indicator.IPv4 && ip == "" {
				ip = ind.Value
			}
		}
		dst := make([]match.ID, 0, 8)
		addr := netip.MustParseAddr(ip)
		b.Run(fmt.Sprintf("addr/%d/hit", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dst = m.AppendAddr(dst[:0], addr)
			}
		})
		b.Run(fmt.Sprintf("domain/%d/hit", n), func(b *testing.B) {
			name := "www.cdn." + dom
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				dst = m.AppendDomain(dst[:0], name)
			}
			reportCPU(b, cpu)
		})
		b.Run(fmt.Sprintf("domain/%d/miss", n), func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				dst = m.AppendDomain(dst[:0], "www.cdn.static.example.com")
			}
			reportCPU(b, cpu)
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, n := range sizes {
		inds := genIndicators(n)
		b.Run(fmt.Sprintf("mixed/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var m *match.Matcher
			for b.Loop() {
				m, _ = match.Compile(inds, match.Options{})
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapAlloc)/float64(n), "heapB/ind")
			runtime.KeepAlive(m)
		})
	}
}

// BenchmarkHostileDomains scans lines of tokens of many labels, long
// labels and runs of a deep indicator's parents, none matching, in the
// generated set with one domain of 60 labels and one of three 63-byte
// labels (so that such tokens are within the longest domain's length).
func BenchmarkHostileDomains(b *testing.B) {
	inds := genIndicators(100_000)
	var deep strings.Builder
	for i := range 58 {
		fmt.Fprintf(&deep, "l%d.", i)
	}
	long := strings.Repeat("q", 63)
	inds = append(inds,
		indicator.MustNew(indicator.Domain, deep.String()+"deep.com"),
		indicator.MustNew(indicator.Domain, long+"."+long+"."+long+".com"))
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	deepMiss := "x." + deep.String()[3:] + "deep.com"
	for _, c := range []struct{ name, line string }{
		{"labels", "query: " + strings.Repeat("ab.", 60) + "example.com IN A " + strings.Repeat("q1.", 30) + "z.net"},
		{"deep", "GET http://" + deepMiss + "/x " + deepMiss},
		{"longlabels", "host=" + strings.Repeat("x", 63) + "." + long + "." + long + ".com ok"},
	} {
		line := []byte(c.line)
		if len(m.AppendMatches(nil, line)) != 0 {
			b.Fatalf("%s matches", c.name)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			dst := make([]match.Match, 0, 16)
			cpu := cpuTime()
			for b.Loop() {
				dst = m.AppendMatches(dst[:0], line)
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkCompileLabels compiles 100k domains of about 126 bytes, of 5
// and of 60 labels: compile time and heap per indicator.
func BenchmarkCompileLabels(b *testing.B) {
	for _, labels := range []int{5, 60} {
		inds := make([]indicator.Indicator, 100_000)
		for i := range inds {
			parts := []string{fmt.Sprintf("%06d", i)}
			size := 1
			if labels == 5 {
				size = 30
			}
			for k := 1; k < labels-1; k++ {
				parts = append(parts, strings.Repeat(string(rune('a'+(i+k)%26)), size))
			}
			inds[i] = indicator.MustNew(indicator.Domain, strings.Join(append(parts, "com"), "."))
		}
		b.Run(fmt.Sprintf("domains/%d", labels), func(b *testing.B) {
			b.ReportAllocs()
			var m *match.Matcher
			for b.Loop() {
				m, _ = match.Compile(inds, match.Options{})
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapAlloc)/float64(len(inds)), "heapB/ind")
			runtime.KeepAlive(m)
		})
	}
}

// BenchmarkJSONEscapes: JSON lines of nothing but escapes, 1 MB and 10 MB,
// on the allKinds set (no match); MB/s and B/op should not depend on the
// size (linear time, bytes allocated a small multiple of the line).
func BenchmarkJSONEscapes(b *testing.B) {
	m := allKinds(b)
	for _, esc := range []string{`\n`, `\u00e9`, `\n\u0041`} {
		for _, mb := range []int{1, 10} {
			line := []byte(`{"a":"` + strings.Repeat(esc, mb<<20/len(esc)) + `"}`)
			b.Run(fmt.Sprintf("%s/%dMB", esc, mb), func(b *testing.B) {
				b.SetBytes(int64(len(line)))
				b.ReportAllocs()
				var dst []match.Match
				for b.Loop() {
					dst = m.AppendMatches(dst[:0], line)
				}
			})
		}
	}
}

// BenchmarkManyRecords: Entry and a match of an entry with 100k distinct
// records, each with a validity window that has ended.
func BenchmarkManyRecords(b *testing.B) {
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	inds := make([]indicator.Indicator, 100_000)
	for i := range inds {
		inds[i] = indicator.MustNew(indicator.Domain, "evil.com")
		inds[i].ID = strconv.Itoa(i)
		inds[i].ValidFrom = t0.Add(time.Duration(i) * time.Minute)
		inds[i].ValidUntil = inds[i].ValidFrom.Add(time.Second)
	}
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Entry", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = m.Entry(0).Sources()
		}
	})
	b.Run("AppendMatches", func(b *testing.B) {
		line := []byte("GET http://evil.com/x")
		var dst []match.Match
		b.ReportAllocs()
		for b.Loop() {
			dst = m.AppendMatches(dst[:0], line)
		}
	})
}

// BenchmarkRecord: Record, Entry and View of an entry with 16 records of
// a MISP event's metadata (uuid, description, tags, times), and Record
// of a one-record entry; Record reads one field of each record, as a
// score or a filter does.
func BenchmarkRecord(b *testing.B) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var inds []indicator.Indicator
	for i := range 17 {
		ind := indicator.MustNew(indicator.Domain, "evil.com")
		if i == 16 {
			ind = indicator.MustNew(indicator.IPv4, "198.51.100.1")
		}
		ind.Meta = indicator.Meta{Source: "CERT-1", ID: fmt.Sprintf("8de8cd75-798a-4b2c-ac56-%012d", i),
			Description: "Campaign 1: phishing; seen in stage 2", Tags: []string{"campaign:1", "type:OSINT"},
			TLP: indicator.TLPAmber, Severity: indicator.SeverityHigh, FirstSeen: t0, LastSeen: t0.Add(time.Duration(i) * time.Second)}
		inds = append(inds, ind)
	}
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	many, one := m.Lookup(indicator.Domain, "evil.com")[0], m.Lookup(indicator.IPv4, "198.51.100.1")[0]
	n := 0
	b.Run("Record/16", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range m.Records(many) {
				n += len(m.Record(many, i).ID)
			}
		}
	})
	b.Run("Record/1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n += len(m.Record(one, 0).ID)
		}
	})
	b.Run("Entry/16", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n += len(m.Entry(many).Indicators)
		}
	})
	b.Run("View/16", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n += len(m.View(many).Tags)
		}
	})
	if n == 0 {
		b.Fatal("no records read")
	}
}

// BenchmarkCompileDomains compiles 1M domain indicators (two random words
// and a TLD, as genIndicators makes them, and one in 1000 a public
// suffix) with the public-suffix check (psl, the default) and without it
// (nopsl, Options.SubdomainsOfPublicSuffixes): the difference is the
// check's cost, once per domain entry.
func BenchmarkCompileDomains(b *testing.B) {
	const n = 1_000_000
	r := rand.New(rand.NewPCG(3, 4))
	word := func() string {
		w := make([]byte, 5+r.IntN(8))
		for i := range w {
			w[i] = byte('a' + r.IntN(26))
		}
		return string(w)
	}
	tlds := []string{"com", "net", "org", "ru", "xyz", "top", "info", "cn"}
	suffixes := []string{"duckdns.org", "co.uk", "github.io", "amplifyapp.com"}
	inds := make([]indicator.Indicator, n)
	for i := range inds {
		v := word() + "." + word() + "." + tlds[r.IntN(len(tlds))]
		if i%1000 == 0 {
			v = word() + "." + suffixes[i/1000%len(suffixes)]
			if i%2000 == 0 {
				v = suffixes[i/1000%len(suffixes)]
			}
		}
		inds[i] = indicator.MustNew(indicator.Domain, v)
	}
	for _, c := range []struct {
		name string
		opts match.Options
	}{{"psl", match.Options{}}, {"nopsl", match.Options{SubdomainsOfPublicSuffixes: true}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var m *match.Matcher
			cpu := cpuTime()
			for b.Loop() {
				m, _ = match.Compile(inds, c.opts)
			}
			reportCPU(b, cpu)
			runtime.KeepAlive(m)
		})
	}
}

// BenchmarkDomainPublicSuffix looks up names in the generated set of 100k
// plus duckdns.org (a public suffix) and evil.duckdns.org: a name below a
// generated entry (normal), below the public suffix (found, then rejected:
// below-suffix), the suffix itself (exact), and below the entry under it
// (under-suffix); and a line of such names.
func BenchmarkDomainPublicSuffix(b *testing.B) {
	inds := genIndicators(100_000)
	var dom string
	for _, ind := range inds {
		if ind.Type == indicator.Domain {
			dom = ind.Value
			break
		}
	}
	inds = append(inds, indicator.MustNew(indicator.Domain, "duckdns.org"), indicator.MustNew(indicator.Domain, "evil.duckdns.org"))
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]match.ID, 0, 8)
	for _, c := range []struct {
		name, q string
		want    int
	}{
		{"normal", "www.cdn." + dom, 1},
		{"below-suffix", "home.duckdns.org", 0},
		{"exact", "duckdns.org", 1},
		{"under-suffix", "c2.evil.duckdns.org", 1},
	} {
		if got := len(m.AppendDomain(dst[:0], c.q)); got != c.want {
			b.Fatalf("%s: %d entries for %s, want %d", c.name, got, c.q, c.want)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dst = m.AppendDomain(dst[:0], c.q)
			}
		})
	}
	line := []byte("client 192.0.2.7 query home.duckdns.org, my.duckdns.org, cdn.static.example.net, www.cdn." + dom + " c2.evil.duckdns.org")
	b.Run("line", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		ms := make([]match.Match, 0, 8)
		for b.Loop() {
			ms = m.AppendMatches(ms[:0], line)
		}
	})
}

// reportCPU reports the process's CPU time per operation since cpu (a
// cpuTime reading), garbage collection included, as "cpu-ns/op": on a
// host shared with other work it varies less than the wall time.
func reportCPU(b *testing.B, cpu int64) {
	if now := cpuTime(); cpu > 0 && now > cpu {
		b.ReportMetric(float64(now-cpu)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkLookupBatch compares lookups one key at a time with the batch
// lookups on keys spread over a table larger than the caches (1M
// indicators; 64k keys drawn at random, hits and subdomains of hits), in
// batches of 256 keys: ns per key.
func BenchmarkLookupBatch(b *testing.B) {
	n, nkeys, batch := 1_000_000, 1<<16, 256
	if s := os.Getenv("IOCMATCH_BATCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	inds := genIndicators(n)
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var addrs []netip.Addr
	var hashes, names []string
	for _, ind := range inds {
		switch ind.Type {
		case indicator.IPv4:
			addrs = append(addrs, netip.MustParseAddr(ind.Value))
		case indicator.SHA256, indicator.MD5:
			hashes = append(hashes, ind.Value)
		case indicator.Domain:
			names = append(names, "www.cdn."+ind.Value)
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	pick := func(k int) []int {
		out := make([]int, nkeys)
		for i := range out {
			out[i] = r.IntN(k)
		}
		return out
	}
	ai, hi, ni := pick(len(addrs)), pick(len(hashes)), pick(len(names))
	// the keys as a request would hold them: one after the other
	ak, hk, nk := make([]netip.Addr, nkeys), make([]string, nkeys), make([]string, nkeys)
	var hbuf, nbuf strings.Builder
	for i := range nkeys {
		ak[i] = addrs[ai[i]]
		hbuf.WriteString(hashes[hi[i]] + "\n")
		nbuf.WriteString(names[ni[i]] + "\n")
	}
	copy(hk, strings.Split(hbuf.String(), "\n"))
	copy(nk, strings.Split(nbuf.String(), "\n"))
	ids := make([]match.ID, 0, 16)
	kids := make([]match.KeyID, 0, 4*batch)
	perKey := func(b *testing.B, f func(int)) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range nkeys {
				f(i)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(nkeys), "ns/key")
	}
	batched := func(b *testing.B, f func(lo, hi int)) {
		b.ReportAllocs()
		for b.Loop() {
			for lo := 0; lo < nkeys; lo += batch {
				f(lo, lo+batch)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(nkeys), "ns/key")
	}
	b.Run("addr/one", func(b *testing.B) { perKey(b, func(i int) { ids = m.AppendAddr(ids[:0], ak[i]) }) })
	b.Run("addr/batch", func(b *testing.B) { batched(b, func(lo, hi int) { kids = m.AppendAddrs(kids[:0], ak[lo:hi]) }) })
	b.Run("hash/one", func(b *testing.B) { perKey(b, func(i int) { ids = m.AppendHash(ids[:0], hk[i]) }) })
	b.Run("hash/batch", func(b *testing.B) { batched(b, func(lo, hi int) { kids = m.AppendHashes(kids[:0], hk[lo:hi]) }) })
	b.Run("domain/one", func(b *testing.B) { perKey(b, func(i int) { ids = m.AppendDomain(ids[:0], nk[i]) }) })
	b.Run("domain/batch", func(b *testing.B) { batched(b, func(lo, hi int) { kids = m.AppendDomains(kids[:0], nk[lo:hi]) }) })
}
