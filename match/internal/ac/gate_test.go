package ac

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// refLevel is the level of the end position end of text under g, written
// from Gate's doc.
func refLevel(g *Gate, text []byte, end int) uint8 {
	if end == len(text) {
		return g.End
	}
	next := g.End
	if end+1 < len(text) {
		next = g.At[text[end+1]]
	}
	return max(g.At[text[end]], min(g.Pair[text[end]], next))
}

// naiveGated is naive without the hits that ScanGated does not report: a
// pattern of level l > 0 ending where g's level is below l.
func naiveGated(patterns [][]byte, levels []uint8, g *Gate, text []byte) []hit {
	hs := naive(patterns, text)
	if g == nil || levels == nil {
		return hs
	}
	return slices.DeleteFunc(hs, func(h hit) bool { return levels[h.pattern] > refLevel(g, text, h.end) })
}

// scanGated is scanAll with ScanGated.
func scanGated(t testing.TB, a *Automaton, g *Gate, text []byte) []hit {
	t.Helper()
	var hs []hit
	last := 0
	a.ScanGated(text, g, func(p, end int) bool {
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

// nameGate is a gate like the one of match's filename and regkey rules:
// level 2 at the end of the text and before a space, 1 before any other
// byte that is not a letter, a digit or '.', and before a '.' followed by
// one of those or by the end; 0 elsewhere.
var nameGate = func() *Gate {
	g := &Gate{End: 2}
	for c := range 256 {
		switch {
		case c == ' ':
			g.At[c] = 2
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.':
		default:
			g.At[c] = 1
		}
	}
	g.Pair['.'] = 1
	return g
}()

func randGate(r *rand.Rand) *Gate {
	g := &Gate{End: uint8(r.IntN(MaxLevel + 1))}
	for c := range 256 {
		g.At[c] = uint8(r.IntN(MaxLevel + 1))
		g.Pair[c] = uint8(r.IntN(MaxLevel + 1))
	}
	return g
}

func randLevels(r *rand.Rand, n int) []uint8 {
	if r.IntN(5) == 0 {
		return nil
	}
	top := 1 + r.IntN(MaxLevel) // sets whose highest level is 1 or 2
	levels := make([]uint8, n)
	for i := range levels {
		levels[i] = uint8(r.IntN(top + 1))
	}
	return levels
}

// TestGateLevel checks Gate.level against its doc on every pair of bytes
// and at the end of a text.
func TestGateLevel(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, g := range []*Gate{nameGate, randGate(r), randGate(r)} {
		for c := range 256 {
			for _, text := range [][]byte{{'x', byte(c)}, {'x', byte(c), 'a'}, {'x', byte(c), ' '}, {'x', byte(c), '.'}} {
				for end := range len(text) + 1 {
					require.Equal(t, refLevel(g, text, end), g.level(text, end), "text %q end %d", text, end)
				}
			}
		}
	}
	require.Equal(t, uint8(1), nameGate.level([]byte("a.b. "), 3), "'.' then a space")
	require.Equal(t, uint8(0), nameGate.level([]byte("a.b. "), 1), "'.' then a letter")
	require.Equal(t, uint8(2), nameGate.level([]byte("a.b. "), 4), "a space")
	require.Equal(t, uint8(1), nameGate.level([]byte("a."), 1), "'.' at the end")
}

// TestSkipLinks: skip[L][o] is the first pattern of level at most L of
// the output chain from o on, for every pattern and level below the
// highest, chainMax[o] the highest level of that chain, and there are
// neither without a gated pattern.
func TestSkipLinks(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		pats := make([][]byte, 1+r.IntN(40))
		for i := range pats {
			pats[i] = randBytes(r, "abAB", r.IntN(7))
		}
		levels := randLevels(r, len(pats))
		a := mustBuildGated(t, pats, levels, denseBudget)
		top := uint8(0)
		for _, l := range levels {
			top = max(top, l)
		}
		require.Equal(t, top, a.maxLevel)
		for lv := range uint8(MaxLevel) {
			if lv >= top {
				require.Nil(t, a.skip[lv], "level %d", lv)
				continue
			}
			for o := range pats {
				want := none
				for p := uint32(o); p != none; p = a.next[p] {
					if levels[p] <= lv {
						want = p
						break
					}
				}
				require.Equal(t, want, a.skip[lv][o], "level %d pattern %d", lv, o)
			}
		}
		if top == 0 {
			require.Nil(t, a.chainMax)
			continue
		}
		for o := range pats {
			want := uint8(0)
			for p := uint32(o); p != none; p = a.next[p] {
				want = max(want, levels[p])
			}
			require.Equal(t, want, a.chainMax[o], "chain max of pattern %d", o)
		}
	}
}

// TestScanGatedTable: hand-made cases of the gate, with and without the
// start filter and the dense rows.
func TestScanGatedTable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		pats   []string
		levels []uint8
		text   string
		want   []hit
	}{
		{"level 0 everywhere", []string{"ab", "b"}, []uint8{0, 1}, "abx ab", []hit{{0, 2}, {0, 6}, {1, 6}}},
		{"dot then space", []string{"ab", "xab"}, []uint8{1, 2}, "xab. xab.c xab", []hit{{0, 3}, {0, 14}, {1, 14}}},
		{"shared chain", []string{"aaaa", "aaa", "aa", "a"}, []uint8{2, 0, 1, 0}, "aaaa aaaa-",
			[]hit{{3, 1}, {3, 2}, {1, 3}, {3, 3}, {0, 4}, {1, 4}, {2, 4}, {3, 4},
				{3, 6}, {3, 7}, {1, 8}, {3, 8}, {1, 9}, {2, 9}, {3, 9}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pats := bs(tc.pats...)
			require.Equal(t, sortHits(slices.Clone(tc.want)), naiveGated(pats, tc.levels, nameGate, []byte(tc.text)))
			for _, budget := range budgets {
				a := mustBuildGated(t, pats, tc.levels, budget)
				require.Equal(t, sortHits(slices.Clone(tc.want)), scanGated(t, a, nameGate, []byte(tc.text)), "budget %d", budget)
				require.Equal(t, naive(pats, []byte(tc.text)), scanAll(t, a, []byte(tc.text)), "Scan reports all")
			}
		})
	}
}

// TestScanGatedWork: 100 overlapping patterns a, aa, … of level 1 and 2
// on a text of 'a' with one space: ScanGated calls fn only for the
// occurrences ending before the space and at the end (the gate passes
// nowhere else), and does not walk the others: the skip link of the chain
// head goes to none at once.
func TestScanGatedWork(t *testing.T) {
	text := append(bytes.Repeat([]byte("a"), 5000), ' ')
	text = append(text, bytes.Repeat([]byte("a"), 5000)...)
	for _, minLen := range []int{1, 2} {
		var pats [][]byte
		var levels []uint8
		for n := minLen; n <= 100; n++ {
			pats = append(pats, bytes.Repeat([]byte("a"), n))
			levels = append(levels, uint8(1+n%2))
		}
		for _, budget := range budgets {
			a := mustBuildGated(t, pats, levels, budget)
			require.Equal(t, minLen == 2, a.start != nil, "start filter")
			calls := 0
			a.ScanGated(text, nameGate, func(p, end int) bool { calls++; return true })
			require.Equal(t, 2*len(pats), calls, "min length %d, budget %d", minLen, budget)
			for o := range pats {
				require.Equal(t, none, a.skip[0][o])
			}
			require.Equal(t, len(naive(pats, text)), len(scanAll(t, a, text)))
		}
	}
}

func TestBuildGatedErrors(t *testing.T) {
	_, err := BuildGated(bs("a", "b"), []uint8{1})
	require.ErrorContains(t, err, "1 gate levels for 2 patterns")
	_, err = BuildGated(bs("a", "b"), []uint8{0, 3})
	require.ErrorContains(t, err, "pattern 1 has gate level 3, more than ac.MaxLevel (2)")
	a, err := BuildGated(bs("a", "b"), nil)
	require.NoError(t, err)
	require.Zero(t, a.maxLevel)
	require.Equal(t, []hit{{0, 1}}, scanGated(t, a, &Gate{}, []byte("a")), "no gated pattern: the gate is ignored")
}

func TestScanGatedAllocs(t *testing.T) {
	pats := bs("he", "she", "his", "hers", "evil.exe", "HKLM\\Software")
	a, err := BuildGated(pats, []uint8{0, 0, 1, 2, 1, 2})
	require.NoError(t, err)
	text := []byte("ushers ran C:\\EVIL.exe from hklm\\software\\x; his. hers ")
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		a.ScanGated(text, nameGate, func(p, end int) bool { n += p + end; return true })
	})
	require.Zero(t, allocs)
	require.NotZero(t, n)
}
