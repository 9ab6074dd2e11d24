package ac

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// hit is one reported occurrence.
type hit struct{ pattern, end int }

func (h hit) String() string { return fmt.Sprintf("%d@%d", h.pattern, h.end) }

func sortHits(hs []hit) []hit {
	slices.SortFunc(hs, func(x, y hit) int {
		if x.end != y.end {
			return x.end - y.end
		}
		return x.pattern - y.pattern
	})
	return hs
}

// scanAll collects the hits of a.Scan, checking that ends are nondecreasing
// and that every hit lies inside text.
func scanAll(t testing.TB, a *Automaton, text []byte) []hit {
	t.Helper()
	var hs []hit
	last := 0
	a.Scan(text, func(p, end int) bool {
		if end < last {
			t.Fatalf("end %d reported after %d", end, last)
		}
		last = end
		if end > len(text) || end-a.PatternLen(p) < 0 {
			t.Fatalf("hit %d@%d out of range", p, end)
		}
		hs = append(hs, hit{p, end})
		return true
	})
	return sortHits(hs)
}

func foldBytes(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = fold[c]
	}
	return out
}

// naive is the O(n*m) reference matcher: it folds both sides and looks for
// each pattern at every position.
func naive(patterns [][]byte, text []byte) []hit {
	ft := foldBytes(text)
	var hs []hit
	for i, p := range patterns {
		if len(p) == 0 {
			continue
		}
		fp := foldBytes(p)
		for start := 0; start+len(fp) <= len(ft); {
			k := bytes.Index(ft[start:], fp)
			if k < 0 {
				break
			}
			hs = append(hs, hit{i, start + k + len(fp)})
			start += k + 1
		}
	}
	return sortHits(hs)
}

func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestScanTable(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		text     string
		want     []hit
	}{
		{"single", []string{"evil.exe"}, `C:\tmp\evil.exe ran`, []hit{{0, 15}}},
		{"single miss", []string{"evil.exe"}, `C:\tmp\evil.ex ran`, nil},
		{"overlap", []string{"aa"}, "aaaa", []hit{{0, 2}, {0, 3}, {0, 4}}},
		{"classic", []string{"he", "she", "his", "hers"}, "ushers",
			[]hit{{0, 4}, {1, 4}, {3, 6}}},
		{"classic2", []string{"he", "she", "his", "hers"}, "ahishers",
			[]hit{{2, 4}, {0, 6}, {1, 6}, {3, 8}}},
		{"prefix chain", []string{"a", "ab", "abc", "abcd"}, "abcd",
			[]hit{{0, 1}, {1, 2}, {2, 3}, {3, 4}}},
		{"suffix chain", []string{"abcd", "bcd", "cd", "d"}, "xabcd",
			[]hit{{0, 5}, {1, 5}, {2, 5}, {3, 5}}},
		{"upper pattern", []string{"EVIL"}, "an evil thing", []hit{{0, 7}}},
		{"upper text", []string{"evil"}, "AN EVIL THING", []hit{{0, 7}}},
		{"mixed", []string{"HkLm\\Software"}, `hklm\SOFTWARE\x`, []hit{{0, 13}}},
		{"non-ascii exact", []string{"caf\xc3\xa9"}, "CAF\xc3\xa9 caf\xc3\x89", []hit{{0, 5}}},
		{"non-ascii no fold", []string{"\xc4"}, "\xe4\xc4", []hit{{0, 2}}},
		{"fold only letters", []string{"@["}, "`{@[", []hit{{0, 4}}},
		{"empty pattern ignored", []string{"", "x", ""}, "xx", []hit{{1, 1}, {1, 2}}},
		{"duplicates", []string{"ab", "AB", "ab", "b"}, "xab",
			[]hit{{0, 3}, {1, 3}, {2, 3}, {3, 3}}},
		{"no patterns", nil, "anything", nil},
		{"only empty patterns", []string{""}, "anything", nil},
		{"empty text", []string{"a"}, "", nil},
		{"nul and ff", []string{"\x00", "\xff\xff", "\x00\xff"}, "a\x00\xff\xff\x00",
			[]hit{{0, 2}, {2, 3}, {1, 4}, {0, 5}}},
		{"pattern longer than text", []string{"abcdef"}, "abc", nil},
		{"fail to deep state", []string{"abcabd", "cab"}, "abcabcabd",
			[]hit{{1, 5}, {1, 8}, {0, 9}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pats := bs(tt.patterns...)
			a := mustBuild(t, pats)
			require.Equal(t, len(pats), a.Len())
			for i, p := range pats {
				require.Equal(t, len(p), a.PatternLen(i))
			}
			got := scanAll(t, a, []byte(tt.text))
			require.Equal(t, sortHits(slices.Clone(tt.want)), got)
			require.Equal(t, naive(pats, []byte(tt.text)), got)
			require.Equal(t, got, scanAll(t, mustBuildBudget(t, pats, 1), []byte(tt.text)), "root-only dense")
		})
	}
}

func TestNilAutomaton(t *testing.T) {
	var a *Automaton
	require.Equal(t, 0, a.Len())
	require.Equal(t, 0, a.MemoryUsage())
	a.Scan([]byte("abc"), func(int, int) bool { t.Fatal("unexpected hit"); return false })

	e := mustBuild(t, nil)
	require.Equal(t, 0, e.Len())
	require.Positive(t, e.MemoryUsage())
	e.Scan([]byte("abc"), func(int, int) bool { t.Fatal("unexpected hit"); return false })
}

// TestBuildDoesNotRetainPatterns checks that mutating the input after Build
// has no effect.
func TestBuildDoesNotRetainPatterns(t *testing.T) {
	pats := bs("abc", "bcd")
	a := mustBuild(t, pats)
	pats[0][0], pats[1][0] = 'x', 'x'
	require.Equal(t, []hit{{0, 3}, {1, 4}}, scanAll(t, a, []byte("abcd")))
}

func randBytes(r *rand.Rand, alphabet string, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return b
}

// budgets are the dense row budgets the reference tests run with: the
// default, root-only (everything else sparse) and a handful of dense rows.
var budgets = []int{denseBudget, 1, 200}

func TestRandomAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 1500 {
		alphabet := "abAB\x00\xff"
		if iter%3 == 0 {
			alphabet = "aA"
		}
		// Every fourth set has no pattern shorter than two bytes, so that
		// Scan uses the start filter (see start.go).
		filtered := iter%4 == 1
		pats := make([][]byte, r.IntN(40))
		for i := range pats {
			if filtered {
				pats[i] = randBytes(r, alphabet, 2+r.IntN(6))
			} else {
				pats[i] = randBytes(r, alphabet, r.IntN(7))
			}
		}
		if iter%2 == 0 && len(pats) > 0 { // some long patterns now and then
			pats[0] = randBytes(r, alphabet, 10+r.IntN(20))
		}
		texts := make([][]byte, 3)
		for i := range texts {
			texts[i] = randBytes(r, alphabet, r.IntN(200))
		}
		wants := make([][]hit, len(texts))
		for i, text := range texts {
			wants[i] = naive(pats, text)
		}
		// Gate levels and a gate: random, or nameGate.
		levels, g := randLevels(r, len(pats)), randGate(r)
		if iter%5 == 0 {
			g = nameGate
		}
		for _, budget := range budgets {
			a := mustBuildBudget(t, pats, budget)
			if filtered && len(pats) > 0 {
				require.NotNil(t, a.start, "iter %d: no start filter", iter)
			}
			for i, text := range texts {
				want := wants[i]
				got := scanAll(t, a, text)
				if !slices.Equal(want, got) {
					t.Fatalf("iter %d budget %d: patterns %q text %q\nwant %v\ngot  %v", iter, budget, pats, text, want, got)
				}
			}
			ga := mustBuildGated(t, pats, levels, budget)
			for i, text := range texts {
				if got := scanAll(t, ga, text); !slices.Equal(wants[i], got) {
					t.Fatalf("iter %d budget %d, gated, Scan: patterns %q levels %v text %q\nwant %v\ngot  %v", iter, budget, pats, levels, text, wants[i], got)
				}
				want := naiveGated(pats, levels, g, text)
				if got := scanGated(t, ga, g, text); !slices.Equal(want, got) {
					t.Fatalf("iter %d budget %d: patterns %q levels %v gate %+v text %q\nwant %v\ngot  %v", iter, budget, pats, levels, g, text, want, got)
				}
			}
		}
	}
}

// TestManyStates exercises the sparse (non-dense) states, including the
// binary-searched wide ones.
func TestManyStates(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var pats [][]byte
	for range 3000 {
		pats = append(pats, randBytes(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 3+r.IntN(6)))
	}
	// A wide fan-out deep in the trie.
	for c := range 256 {
		pats = append(pats, []byte{'q', 'q', 'q', 'q', byte(c)})
	}
	a := mustBuild(t, pats)
	require.Greater(t, len(a.first), int(a.nDense)+1000)
	rootOnly := mustBuildBudget(t, pats, 1)
	require.Equal(t, uint32(1), rootOnly.nDense)
	for range 20 {
		text := randBytes(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789qQ\x00\xff", 2000)
		want := naive(pats, text)
		require.Equal(t, want, scanAll(t, a, text))
		require.Equal(t, want, scanAll(t, rootOnly, text))
	}
}

// TestStartFilter checks Scan with the start filter where it skips and
// where it drops a state whose suffix begins no pattern.
func TestStartFilter(t *testing.T) {
	for _, tc := range []struct {
		name string
		pats []string
		text string
	}{
		{"reset then match", []string{"abcd", "bcx"}, "abcbcx abcd"},
		{"suffix restarts inside", []string{"aaab", "aab"}, "aaaaab"},
		{"two bytes", []string{"ab", "ba"}, "xxabaxbab"},
		{"three bytes at the end", []string{"xyz", "yz!"}, "..xyz!..yz"},
		{"coarse fold", []string{"@ab", "\x01ab"}, "`AB \x21ab @AB \x01aB"},
		{"overlap after drop", []string{"abcabd", "cab"}, "abcabcabd"},
		{"long pattern", []string{strings.Repeat("ab", 300) + "c", "bc"}, strings.Repeat("ab", 400) + "c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pats := bs(tc.pats...)
			for _, budget := range budgets {
				a := mustBuildBudget(t, pats, budget)
				require.NotNil(t, a.start)
				require.Equal(t, naive(pats, []byte(tc.text)), scanAll(t, a, []byte(tc.text)))
			}
		})
	}
}

// TestStartFilterDense: with too many distinct starts the filter is left
// out (startMaxSet), and the plain scan finds the same.
func TestStartFilterDense(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	pats := make([][]byte, 60_000)
	for i := range pats {
		pats[i] = randBytes(r, "abcdefghijklmnopqrstuvwxyz", 6)
	}
	a := mustBuild(t, pats)
	require.Nil(t, a.start, "a filter with this many starts")
	var text []byte
	for range 40 { // patterns and noise
		text = append(text, pats[r.IntN(len(pats))]...)
		text = append(text, randBytes(r, "abcdefghijklmnopqrstuvwxyz ", 5)...)
	}
	want := naive(pats, text)
	require.GreaterOrEqual(t, len(want), 40)
	require.Equal(t, want, scanAll(t, a, text))
}

func TestLongRepetitive(t *testing.T) {
	// Patterns like "aaaa..." must neither blow up Build nor Scan.
	long := bytes.Repeat([]byte("a"), 20000)
	pats := [][]byte{long, long[:1], long[:7], []byte("aab"), long[:19999]}
	text := append(bytes.Repeat([]byte("A"), 30000), 'b')
	want := naive(pats, text)
	for _, budget := range budgets {
		require.Equal(t, want, scanAll(t, mustBuildBudget(t, pats, budget), text))
	}
}

func splitPatterns(b []byte) [][]byte {
	pats := bytes.Split(b, []byte("\n"))
	if len(pats) > 64 {
		pats = pats[:64]
	}
	return pats
}

func FuzzScan(f *testing.F) {
	f.Add([]byte("he\nshe\nhis\nhers"), []byte("ushers ahishers"))
	f.Add([]byte("aa\na\n\nAA"), []byte("aAaAa"))
	f.Add([]byte("\x00\xff\n\xff\nab\x00"), []byte("\x00\xff\xffAB\x00"))
	f.Fuzz(func(t *testing.T, patterns, text []byte) {
		if len(patterns) > 4096 || len(text) > 4096 {
			return
		}
		// The patterns as given, and without those shorter than two bytes
		// (which turn the start filter off).
		all := splitPatterns(patterns)
		long := slices.DeleteFunc(slices.Clone(all), func(p []byte) bool { return len(p) < 2 })
		for _, pats := range [][][]byte{all, long} {
			want := naive(pats, text)
			// Gate levels from the patterns' last bytes, and two gates:
			// nameGate and one derived from the text.
			levels := make([]uint8, len(pats))
			for i, p := range pats {
				if len(p) > 0 {
					levels[i] = p[len(p)-1] % (MaxLevel + 1)
				}
			}
			g := &Gate{End: uint8(len(text) % (MaxLevel + 1))}
			for c := range 256 {
				g.At[c] = uint8((c*7 + len(text)) % (MaxLevel + 1))
				g.Pair[c] = uint8((c*13 + len(pats)) % (MaxLevel + 1))
			}
			for _, budget := range budgets {
				a := mustBuildBudget(t, pats, budget)
				require.Equal(t, len(pats), a.Len())
				got := scanAll(t, a, text)
				if !slices.Equal(want, got) {
					t.Fatalf("budget %d: patterns %q text %q\nwant %v\ngot  %v", budget, pats, text, want, got)
				}
				checkStop(t, a, nil, text)
				ga := mustBuildGated(t, pats, levels, budget)
				require.Equal(t, want, scanAll(t, ga, text), "gated automaton, Scan")
				for _, g := range []*Gate{nameGate, g} {
					want := naiveGated(pats, levels, g, text)
					if got := scanGated(t, ga, g, text); !slices.Equal(want, got) {
						t.Fatalf("budget %d: patterns %q levels %v text %q\nwant %v\ngot  %v", budget, pats, levels, text, want, got)
					}
					checkStop(t, ga, g, text)
				}
			}
		}
	})
}

// checkStop checks that a ScanGated whose fn returns false after k hits
// makes exactly k calls, the first k of a full scan, for k = 1 and half
// the hits.
func checkStop(t testing.TB, a *Automaton, g *Gate, text []byte) {
	t.Helper()
	var all []hit
	a.ScanGated(text, g, func(p, end int) bool { all = append(all, hit{p, end}); return true })
	for _, k := range []int{1, (len(all) + 1) / 2} {
		if k == 0 || k > len(all) {
			continue
		}
		var got []hit
		a.ScanGated(text, g, func(p, end int) bool {
			got = append(got, hit{p, end})
			return len(got) < k
		})
		if !slices.Equal(all[:k], got) {
			t.Fatalf("stop after %d: got %v, want %v", k, got, all[:k])
		}
	}
}

// TestScanStop: with 100 patterns a, aa, … overlapping at every position
// of a long text of 'a', a Scan stopped after k hits calls fn exactly k
// times (the automaton does not walk the rest of the output chains nor of
// the text), with and without the start filter.
func TestScanStop(t *testing.T) {
	text := bytes.Repeat([]byte("a"), 1<<16)
	for _, minLen := range []int{1, 2} {
		var pats [][]byte
		for n := minLen; n <= 100; n++ {
			pats = append(pats, bytes.Repeat([]byte("a"), n))
		}
		for _, budget := range budgets {
			a := mustBuildBudget(t, pats, budget)
			require.Equal(t, minLen == 2, a.start != nil, "start filter")
			for _, k := range []int{1, 99, 1000, 12345} {
				calls := 0
				a.Scan(text, func(p, end int) bool {
					calls++
					return calls < k
				})
				require.Equal(t, k, calls, "min length %d, budget %d", minLen, budget)
			}
			checkStop(t, a, nil, text[:300])
		}
	}
}

func TestScanAllocs(t *testing.T) {
	pats := bs("he", "she", "his", "hers", "evil.exe", "HKLM\\Software")
	a := mustBuild(t, pats)
	text := []byte(strings.Repeat("ushers ran C:\\EVIL.exe from hklm\\software\\x; ", 50))
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		a.Scan(text, func(p, end int) bool { n += p + end; return true })
	})
	require.Zero(t, allocs)
	require.NotZero(t, n)
}

func TestMemory100k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100k patterns")
	}
	pats := randomPatterns(100_000, 30, 42)
	defer runtime.KeepAlive(pats)
	var before, mid, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a := mustBuild(t, pats)
	runtime.ReadMemStats(&mid)
	runtime.GC()
	runtime.ReadMemStats(&after)

	mu := a.MemoryUsage()
	retained := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	allocated := mid.TotalAlloc - before.TotalAlloc
	t.Logf("states=%d MemoryUsage=%.1f MB retained HeapAlloc=%.1f MB, allocated during Build=%.1f MB",
		len(a.label), float64(mu)/1e6, float64(retained)/1e6, float64(allocated)/1e6)
	require.Less(t, mu, 150<<20)
	require.Less(t, retained, int64(200<<20))
	require.Less(t, allocated, uint64(200<<20))
	runtime.KeepAlive(a)
}

// randomPatterns returns n pseudo-random patterns of size bytes each.
func randomPatterns(n, size int, seed uint64) [][]byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-\\/"
	r := rand.New(rand.NewPCG(seed, seed))
	pats := make([][]byte, n)
	for i := range pats {
		pats[i] = randBytes(r, alphabet, size)
	}
	return pats
}

// iocPatterns returns n IOC-like string indicators (file names, registry
// keys, mutexes, user agents) built around random tokens so that they do
// not occur in logLines' output by accident.
func iocPatterns(r *rand.Rand, n int) [][]byte {
	const tok = "abcdefghijklmnopqrstuvwxyz0123456789"
	pats := make([][]byte, n)
	for i := range pats {
		t := string(randBytes(r, tok, 6+r.IntN(6)))
		switch i % 5 {
		case 0:
			pats[i] = []byte(t + ".exe")
		case 1:
			pats[i] = []byte(`HKLM\Software\Microsoft\Windows\CurrentVersion\Run\` + t)
		case 2:
			pats[i] = []byte(`Global\` + t)
		case 3:
			pats[i] = []byte("Mozilla/5.0 (compatible; " + t + ")")
		default:
			pats[i] = []byte(`C:\Users\Public\` + t + ".dll")
		}
	}
	return pats
}

// logLines returns about size bytes of log-like text.
func logLines(r *rand.Rand, size int) []byte {
	users := []string{"alice", "bob", "svc_backup", "administrator", "jdoe"}
	procs := []string{`C:\Windows\System32\svchost.exe`, `C:\Program Files\Mozilla Firefox\firefox.exe`,
		`C:\Windows\explorer.exe`, "/usr/sbin/sshd", "/usr/bin/python3"}
	var b bytes.Buffer
	for b.Len() < size {
		switch r.IntN(4) {
		case 0:
			fmt.Fprintf(&b, "2024-05-%02dT%02d:%02d:%02dZ host-%d sshd[%d]: Accepted password for %s from 10.%d.%d.%d port %d ssh2\n",
				1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(100), r.IntN(65536),
				users[r.IntN(len(users))], r.IntN(256), r.IntN(256), r.IntN(256), 1024+r.IntN(60000))
		case 1:
			fmt.Fprintf(&b, `{"time":"2024-05-01T10:%02d:%02dZ","event":"process_start","image":%q,"user":"CORP\\%s","pid":%d}`+"\n",
				r.IntN(60), r.IntN(60), procs[r.IntN(len(procs))], users[r.IntN(len(users))], r.IntN(100000))
		case 2:
			fmt.Fprintf(&b, `10.0.%d.%d - - [01/May/2024:10:%02d:%02d +0000] "GET /api/v1/items/%d HTTP/1.1" 200 %d "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"`+"\n",
				r.IntN(256), r.IntN(256), r.IntN(60), r.IntN(60), r.IntN(100000), r.IntN(50000))
		default:
			fmt.Fprintf(&b, `RegSetValue HKLM\Software\Microsoft\Windows\CurrentVersion\Run\Updater%d = "C:\Users\%s\AppData\Local\Temp\setup%d.exe"`+"\n",
				r.IntN(100), users[r.IntN(len(users))], r.IntN(1000))
		}
	}
	return b.Bytes()
}

func BenchmarkScan(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 7))
	pats := iocPatterns(r, 10_000)
	a := mustBuild(b, pats)
	miss := logLines(r, 1<<20)
	// hit: the same kind of text with a pattern inserted into every ~10th line.
	var hitText []byte
	for i, line := range bytes.SplitAfter(logLines(r, 1<<20), []byte("\n")) {
		if i%10 == 0 && len(line) > 0 {
			line = slices.Concat(line[:len(line)-1], []byte(" "), pats[r.IntN(len(pats))], []byte("\n"))
		}
		hitText = append(hitText, line...)
	}
	// The same patterns with gate levels as match gives them (file names
	// 1, registry keys 2, mutexes and user agents 0), scanned with nameGate.
	levels := make([]uint8, len(pats))
	for i := range levels {
		levels[i] = []uint8{1, 2, 0, 0, 1}[i%5]
	}
	ga, err := BuildGated(pats, levels)
	require.NoError(b, err)
	for _, bc := range []struct {
		name string
		text []byte
	}{{"10k/miss", miss}, {"10k/hit", hitText}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.text)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				a.Scan(bc.text, func(p, end int) bool { n++; return true })
			}
			b.ReportMetric(float64(n)/float64(b.N), "matches/op")
		})
		b.Run("gated/"+bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.text)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				ga.ScanGated(bc.text, nameGate, func(p, end int) bool { n++; return true })
			}
			b.ReportMetric(float64(n)/float64(b.N), "matches/op")
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	pats := randomPatterns(100_000, 30, 42)
	b.Run("100k", func(b *testing.B) {
		b.ReportAllocs()
		var a *Automaton
		for b.Loop() {
			a = mustBuild(b, pats)
		}
		b.ReportMetric(float64(a.MemoryUsage())/1e6, "MB")
	})
}

func mustBuild(t testing.TB, pats [][]byte) *Automaton {
	t.Helper()
	return mustBuildBudget(t, pats, denseBudget)
}

func mustBuildBudget(t testing.TB, pats [][]byte, budget int) *Automaton {
	t.Helper()
	return mustBuildGated(t, pats, nil, budget)
}

func mustBuildGated(t testing.TB, pats [][]byte, levels []uint8, budget int) *Automaton {
	t.Helper()
	a, err := build(pats, levels, budget)
	require.NoError(t, err)
	return a
}

// TestCheckSize: the limits are errors naming them, at one past each
// limit (as sizes: a test cannot allocate 2 GiB of patterns; Build calls
// CheckSize before it allocates anything).
func TestCheckSize(t *testing.T) {
	require.NoError(t, CheckSize(MaxPatterns, MaxBytes))
	err := CheckSize(MaxPatterns+1, 0)
	require.ErrorContains(t, err, "ac.MaxPatterns")
	require.ErrorContains(t, err, "4294967295 patterns")
	err = CheckSize(1, MaxBytes+1)
	require.ErrorContains(t, err, "ac.MaxBytes")
	require.ErrorContains(t, err, "2147483648 bytes")
}
