package ac

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// portable runs f with the SIMD start filters off.
func portable(f func()) {
	s2, s512 := useAVX2, useAVX512
	useAVX2, useAVX512 = false, false
	defer func() { useAVX2, useAVX512 = s2, s512 }()
	f()
}

// avx2 runs f with the AVX2 start filter (not the AVX-512 one).
func avx2(f func()) {
	s512 := useAVX512
	useAVX512 = false
	defer func() { useAVX512 = s512 }()
	f()
}

// nextStartBoth returns nextStart's answer with the SIMD loops the CPU
// has and with the portable loop; it fails t when the AVX2 and AVX-512
// loops disagree.
func nextStartBoth(t testing.TB, a *Automaton, text []byte, i int) (simd, scalar int) {
	simd = a.start.nextStart(text, i)
	var s2 int
	avx2(func() { s2 = a.start.nextStart(text, i) })
	if s2 != simd {
		t.Fatalf("text %q from %d: AVX-512 (%v) %d, AVX2 %d", text, i, useAVX512, simd, s2)
	}
	portable(func() { scalar = a.start.nextStart(text, i) })
	return simd, scalar
}

// randomFilter returns an automaton with only a start filter, whose
// parts (long, short or both, by parts' low bits) have about one bit in
// density set; k is the short part's start length, long2 the layout of
// long.
func randomFilter(r *rand.Rand, density, k, parts int, long2 bool) *Automaton {
	set := func() *[startWords]uint64 {
		s := new([startWords]uint64)
		for range startWords * 64 / density {
			h := r.Uint32N(startWords * 64)
			s[h>>6] |= 1 << (h & 63)
		}
		return s
	}
	f := &startFilter{long2: long2}
	if parts&1 != 0 {
		f.long = set()
	}
	if parts&2 != 0 {
		f.short, f.k, f.kMask = set(), k, uint32(1<<(8*k)-1)
	}
	return &Automaton{start: f}
}

// TestNextStartSIMD compares the SIMD start filter with the portable one
// at every position of random texts of every length up to 200, with
// filters from sparse to dense and start lengths 2 to 4. Where the CPU
// has no SIMD loop both are the portable one.
func TestNextStartSIMD(t *testing.T) {
	if !useAVX2 {
		t.Log("no SIMD start filter on this CPU: the portable one is compared with itself")
	}
	r := rand.New(rand.NewPCG(1, 2))
	text := make([]byte, 120)
	for round := range 96 {
		k := 2 + round%3
		a := randomFilter(r, []int{2, 4, 16, 128, 4096, 1 << 20}[round%6], k, 1+round%3, round%4 >= 2)
		alphabet := []byte("aAbB.:-_ /\\\x00\xff0123456789")
		for n := range len(text) + 1 {
			for j := range text[:n] {
				if round%2 == 0 {
					text[j] = byte(r.Uint32())
				} else {
					text[j] = alphabet[r.IntN(len(alphabet))]
				}
			}
			for i := 0; i <= n; i++ {
				if s, p := nextStartBoth(t, a, text[:n], i); s != p {
					t.Fatalf("round %d, k %d, text %q, from %d: SIMD %d, portable %d", round, k, text[:n], i, s, p)
				}
			}
		}
	}
}

// TestPortableScans runs the scan tests with the portable start filter
// (they run with the SIMD one, where the CPU has it, on their own).
func TestPortableScans(t *testing.T) {
	if !useAVX2 {
		t.Skip("the portable start filter is the only one here")
	}
	for name, run := range map[string]func(func()){"portable": portable, "avx2": avx2} {
		run(func() {
			t.Run(name+"/RandomAgainstNaive", TestRandomAgainstNaive)
			t.Run(name+"/StartFilter", TestStartFilter)
			t.Run(name+"/LongRepetitive", TestLongRepetitive)
			t.Run(name+"/ScanGatedTable", TestScanGatedTable)
		})
	}
}

// TestNextStartSIMDPatterns builds the filter from real patterns and
// checks that every position where one starts passes, with both loops.
func TestNextStartSIMDPatterns(t *testing.T) {
	pats := [][]byte{[]byte("mutex"), []byte("Global\\x"), []byte("EVIL.exe"), []byte("ab")}
	a, err := Build(pats)
	if err != nil {
		t.Fatal(err)
	}
	if a.start == nil {
		t.Fatal("no start filter")
	}
	text := []byte("0123456789 some text, then MUTEX and global\\x, evil.EXE, AB; more padding to go past the SIMD bound........")
	lower := bytes.ToLower(text)
	for _, run := range []func(func()){func(f func()) { f() }, avx2, portable} {
		run(func() {
			passed := map[int]bool{}
			for i := 0; ; {
				s, _ := nextStartBoth(t, a, text, i)
				if s >= len(text) {
					break
				}
				passed[s] = true
				i = s + 1
			}
			for _, p := range pats {
				at := bytes.Index(lower, bytes.ToLower(p))
				if at < 0 {
					t.Fatalf("%q is not in the text", p)
				}
				if !passed[at] {
					t.Errorf("AVX2 %v, AVX-512 %v: %q starts at %d, which did not pass the filter", useAVX2, useAVX512, p, at)
				}
			}
		})
	}
}

// TestNextStartSeven checks that a 7-byte pattern (whose window at offset
// 1 holds the byte after it, set for every value in the long2 layout)
// passes the filter wherever it starts, at odd and even positions, in the
// middle of a text and at its very end, with every loop.
func TestNextStartSeven(t *testing.T) {
	pats := [][]byte{[]byte("svchost"), []byte("Global\\evil")}
	a, err := Build(pats)
	if err != nil {
		t.Fatal(err)
	}
	if a.start == nil {
		t.Fatal("no start filter")
	}
	if useAVX512 && (a.start.short != nil || !a.start.long2) {
		t.Fatalf("the 7-byte pattern is not in the long2 part: %+v", a.start)
	}
	for _, run := range []func(func()){func(f func()) { f() }, avx2, portable} {
		run(func() {
			for at := 0; at < 70; at++ {
				for tail := range 4 {
					text := append(bytes.Repeat([]byte{'x'}, at), "SvcHost"...)
					text = append(text, "zzz"[:tail]...)
					passed := false
					for i := 0; i <= at; {
						s, _ := nextStartBoth(t, a, text, i)
						if s == at {
							passed = true
						}
						if s >= at {
							break
						}
						i = s + 1
					}
					if !passed {
						t.Fatalf("AVX2 %v, AVX-512 %v: svchost at %d of %d bytes did not pass", useAVX2, useAVX512, at, len(text))
					}
				}
			}
		})
	}
}

// TestManySeven checks that a set of many 7-byte patterns keeps them in
// the short part, where their bits do not fill the long one, and still
// finds each.
func TestManySeven(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var pats [][]byte
	for range 2 * max7 {
		p := make([]byte, 7)
		for j := range p {
			p[j] = 'a' + byte(r.IntN(26))
		}
		pats = append(pats, p)
	}
	pats = append(pats, []byte("Global\\evil"))
	a, err := Build(pats)
	if err != nil {
		t.Fatal(err)
	}
	if a.start == nil || useAVX2 && a.start.short == nil {
		t.Fatalf("many 7-byte patterns: want them in the short part, got %+v", a.start)
	}
	text := []byte("some text before " + string(pats[max7]) + " and after")
	found := false
	a.Scan(text, func(p, end int) bool {
		found = found || p == max7
		return true
	})
	if !found {
		t.Fatalf("%q not found in %q", pats[max7], text)
	}
}

// FuzzNextStart compares the SIMD start filter with the portable one on
// any text, with the filter of a few patterns taken from it.
func FuzzNextStart(f *testing.F) {
	f.Add([]byte("GET /index.html HTTP/1.1 mutex Global\\evil"), uint8(3), uint8(7))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), uint8(0), uint8(2))
	f.Fuzz(func(t *testing.T, text []byte, off, plen uint8) {
		var pats [][]byte
		for p := int(off); p+2 <= len(text) && len(pats) < 4; p += 1 + int(plen) {
			pats = append(pats, text[p:min(len(text), p+2+int(plen)%6)])
		}
		if len(pats) == 0 {
			return
		}
		a, err := Build(pats)
		if err != nil || a.start == nil {
			return
		}
		for i := 0; i <= len(text); i++ {
			if s, p := nextStartBoth(t, a, text, i); s != p {
				t.Fatalf("text %q, patterns %q, from %d: SIMD %d, portable %d", text, pats, i, s, p)
			}
		}
	})
}

// BenchmarkStartFilter skips random text with a start filter of each
// layout of its long part (l1: 8 bytes at every position; l2: 7-byte
// windows at even positions) with none, 2% and 4% of its bits set, by
// the loop the CPU gets (AVX-512, AVX2, portable).
func BenchmarkStartFilter(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	text := make([]byte, 4096)
	for i := range text {
		text[i] = 'a' + byte(r.IntN(26))
	}
	for _, l2 := range []bool{false, true} {
		for _, density := range []int{1 << 30, 50, 25} {
			f := &startFilter{long: new([startWords]uint64), long2: l2}
			for range startWords * 64 / density {
				h := r.Uint32N(startWords * 64)
				f.long[h>>6] |= 1 << (h & 63)
			}
			b.Run(map[bool]string{false: "l1", true: "l2"}[l2]+"/"+map[int]string{1 << 30: "empty", 50: "2pct", 25: "4pct"}[density], func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					for i := 0; i < len(text); {
						i = f.nextStart(text, i) + 1
					}
				}
			})
		}
	}
}
