package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
)

// tokenVisit is one call of token by the token pass.
type tokenVisit struct {
	i, j         int
	f            uint32
	colons, dots int
}

// scalarTokens is the token pass as it was before the masks: the token
// around every '.' and ':' found one byte at a time, its classes OR-ed
// over its bytes. The mask-driven pass must visit the same tokens, in the
// same order, with the same classes (and fColonPair) and counts.
func scalarTokens(text []byte) []tokenVisit {
	var out []tokenVisit
	n := len(text)
	next := func(i int) int {
		for ; i < n; i++ {
			if text[i] == '.' || text[i] == ':' {
				return i
			}
		}
		return n
	}
	for p := next(0); p < n; {
		var f uint32
		var seps uint64
		i, j := p, p
		for i > 0 && is(text[i-1], cTok) {
			i--
		}
		for j < n && is(text[j], cTok) {
			j++
		}
		for _, c := range text[i:j] {
			f |= class[c]
			seps += sepCount[c]
		}
		f &= tokenClasses
		if strings.Contains(string(text[i:j]), "::") {
			f |= fColonPair
		}
		out = append(out, tokenVisit{i, j, f, int(seps & 0xffffffff), int(seps >> 32)})
		p = next(j)
	}
	return out
}

// scalarHexFrom is the first 16-byte block at a multiple of 16 of hex
// digits only, or -1.
func scalarHexFrom(text []byte) int {
	for k := 0; k+16 <= len(text); k += 16 {
		all := true
		for _, c := range text[k : k+16] {
			all = all && is(c, cHex)
		}
		if all {
			return k
		}
	}
	return -1
}

var walkMatcher = func() *Matcher {
	m, err := Compile([]indicator.Indicator{
		indicator.MustNew(indicator.IPv4, "192.0.2.1"),
		indicator.MustNew(indicator.Domain, "evil.example"),
		indicator.MustNew(indicator.URL, "http://evil.example/x"),
		indicator.MustNew(indicator.MD5, strings.Repeat("0123456789abcdef", 2)),
	}, Options{MaxMatchesPerLine: -1})
	if err != nil {
		panic(err)
	}
	return m
}()

// checkWalk requires the token pass, on each classification path, to
// visit what scalarTokens visits and to start hexRuns where it must.
func checkWalk(t *testing.T, text []byte) {
	t.Helper()
	want := scalarTokens(text)
	wantHex := scalarHexFrom(text)
	paths := []bool{false}
	if simdAvailable() {
		paths = append(paths, true)
	}
	for _, simd := range paths {
		old := setSIMD(simd)
		var got []tokenVisit
		s := scanner{m: walkMatcher, text: text, left: -1, limit: -1}
		s.traceToken = func(i, j int, f uint32, colons, dots int) {
			got = append(got, tokenVisit{i, j, f, colons, dots})
		}
		s.termAt, s.urlEnd = -1, -1
		hexFrom := s.tokenPass(true)
		setSIMD(old)
		if !slices.Equal(got, want) {
			t.Fatalf("simd %v, %d bytes %.300q:\ngot  %v\nwant %v", simd, len(text), text, got, want)
		}
		if hexFrom != wantHex {
			t.Fatalf("simd %v, %.300q: hexFrom %d, want %d", simd, text, hexFrom, wantHex)
		}
	}
}

// TestTokenWalk: random lines of token bytes, separators and other bytes,
// of every length up to past three chunks, with long tokens across chunk
// and block boundaries, long runs without separators, and hex runs.
func TestTokenWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabets := []string{
		"a.:-_0Z ",
		"aaaaaaaaaaaaa.",
		"0123456789abcdef",
		"0123456789abcdef.:",
		"abc.def:9 /\"x\x80",
		"a",
		"a ",
		"...:::",
		"\xff\x00.a",
	}
	for n := 0; n <= 3*chunkLen+70; n += 1 + n/97 {
		for range 6 {
			text := make([]byte, n)
			alpha := alphabets[r.IntN(len(alphabets))]
			for i := range text {
				text[i] = alpha[r.IntN(len(alpha))]
			}
			// a separator or a stop at a chunk or block edge
			if n > 0 {
				for _, e := range []int{63, 64, 65, chunkLen - 1, chunkLen, chunkLen + 1, 2 * chunkLen} {
					if e < n && r.IntN(3) == 0 {
						text[e] = ".: x"[r.IntN(4)]
					}
				}
			}
			checkWalk(t, text)
		}
	}
	// one token across chunks, a long word then a separator, many tokens
	for _, text := range []string{
		strings.Repeat("a", 3*chunkLen) + ".b",
		"x." + strings.Repeat("a", 3*chunkLen),
		strings.Repeat("a", chunkLen-1) + " " + strings.Repeat("b", chunkLen) + ":c",
		strings.Repeat("a.b ", chunkLen),
		strings.Repeat("0123456789abcdef", 40) + ".",
		strings.Repeat(" ", chunkLen+3) + strings.Repeat("0123456789ABCDEF", 2),
		strings.Repeat(".", 2*chunkLen),
	} {
		checkWalk(t, []byte(text))
	}
	for e := chunkLen - 70; e <= chunkLen+70; e++ {
		for _, tok := range []string{"evil.example", "192.0.2.1", "2001:db8::1", "http://evil.example/x", strings.Repeat("0123456789abcdef", 2)} {
			checkWalk(t, []byte(fmt.Sprintf("%*s%s %s", e, "", tok, tok)))
			checkWalk(t, []byte(strings.Repeat("q", e)+" "+tok+"z"+tok))
		}
	}
}

// FuzzTokenWalk compares the token pass with scalarTokens on any text,
// repeated to cross chunk boundaries.
func FuzzTokenWalk(f *testing.F) {
	f.Add([]byte("GET http://evil.example/x 192.0.2.1:80 fe80::1%eth0 a.b.c"), uint16(9))
	f.Add([]byte("0123456789abcdef"), uint16(40))
	f.Fuzz(func(t *testing.T, unit []byte, reps uint16) {
		if len(unit) == 0 || len(unit)*int(reps) > 4*chunkLen {
			return
		}
		checkWalk(t, []byte(strings.Repeat(string(unit), int(reps))))
	})
}
