package match_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// TestDomainDeepParents checks the parent walk against a brute-force one
// on random nested sets of names of up to 24 labels, deeper than the
// table's markers go (below them every suffix is looked up), in
// LookupDomain and in free text.
func TestDomainDeepParents(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	name := randomName(r)
	for iter := range 150 {
		set := map[string]bool{}
		var inds []indicator.Indicator
		for range 1 + r.IntN(30) {
			v := name(1 + r.IntN(3+r.IntN(20)))
			for !set[v] {
				set[v] = true
				inds = append(inds, indicator.MustNew(indicator.Domain, v))
				v = v[strings.IndexByte(v, '.')+1:] // and often a parent too
				if r.IntN(3) != 0 || !strings.Contains(v, ".") {
					break
				}
			}
		}
		m, err := match.Compile(inds, match.Options{})
		require.NoError(t, err)
		for range 40 {
			// a name below a random entry, or a random name
			q := name(1 + r.IntN(4))
			if r.IntN(2) == 0 {
				q = name(r.IntN(3)) + "." + inds[r.IntN(len(inds))].Value
				q = strings.TrimPrefix(q, ".example.")
			}
			want := entriesOf(set, q)
			var got []string
			for _, id := range m.LookupDomain(strings.ToUpper(q)) {
				got = append(got, m.Entry(id).Value)
			}
			require.Equal(t, want, got, "iter %d: %s in %v", iter, q, inds)
			ms := m.AppendMatches(nil, []byte("q="+q+" "))
			require.Len(t, ms, len(want), "iter %d: free text %s", iter, q)
		}
	}
}

// TestAllocsHostileRandom: random lines of hostile tokens (many labels,
// long labels, empty labels, runs of the deep indicator's labels, any
// case) never allocate, with room in dst, in AppendMatches, Contains and
// AppendDomain.
func TestAllocsHostileRandom(t *testing.T) { onPaths(t, testAllocsHostileRandom) }

func testAllocsHostileRandom(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	m := hostileSet(t)
	r := rand.New(rand.NewPCG(23, 24))
	parts := []string{"l1", "l7", "l30", "l57", "l58", "deep", "example", "evil", "bad", "test", "c2", "a",
		"", "-", "_x", strings.Repeat("q", 63), strings.Repeat("z", 70), "EXAMPLE", "Deep"}
	dst := make([]match.Match, 0, 1024)
	ids := make([]match.ID, 0, 256)
	for range 200 {
		var b strings.Builder
		var toks []string
		for range 1 + r.IntN(6) {
			n := 1 + r.IntN(130)
			labs := make([]string, n)
			for i := range labs {
				labs[i] = parts[r.IntN(len(parts))]
			}
			if r.IntN(2) == 0 { // below the deep entry's parents
				labs = append(labs, deepName(1+r.IntN(58), 60))
			}
			tok := strings.Join(labs, ".")
			toks = append(toks, tok)
			b.WriteString(tok)
			b.WriteString([]string{" ", "/", "\t", ",", "://", "@"}[r.IntN(6)])
		}
		line := []byte(b.String())
		require.Zero(t, testing.AllocsPerRun(5, func() { dst = m.AppendMatches(dst[:0], line) }), "AppendMatches allocates on %q", line)
		require.Zero(t, testing.AllocsPerRun(5, func() { sinkBool = m.Contains(line) }), "Contains allocates on %q", line)
		for _, tok := range toks {
			require.Zero(t, testing.AllocsPerRun(5, func() { ids = m.AppendDomain(ids[:0], tok) }), "AppendDomain allocates on %q", tok)
		}
	}
}
