package match

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

// overlappingKind returns a Matcher of the indicators a, aa, …, a×n of
// type t (registry keys: "a" as a key has no hive).
func overlappingKind(t *testing.T, typ indicator.Type, n int) *Matcher {
	t.Helper()
	var inds []indicator.Indicator
	for i := 1; i <= n; i++ {
		inds = append(inds, indicator.MustNew(typ, strings.Repeat("a", i)))
	}
	m, err := Compile(inds, Options{MaxMatchesPerLine: -1})
	require.NoError(t, err)
	return m
}

// TestStringGate: 100 overlapping filename (or regkey) indicators on a
// line of 20000 'a' occur some 2M times, every one but those ending the
// line failing the end boundary (an 'a' follows). The automaton must not
// hand those over: the occurrences the scanner looks at are O(line), here
// those ending at the space and at the end of the line, not about 100 per
// byte.
func TestStringGate(t *testing.T) {
	for _, typ := range []indicator.Type{indicator.Filename, indicator.RegKey} {
		m := overlappingKind(t, typ, 100)
		line := append(bytes.Repeat([]byte("a"), 20000), " aaa"...)
		s := scanner{m: m, text: line, left: m.maxHit}
		s.scan(line)
		require.LessOrEqual(t, s.strOuts, 2*len(line), "%s: occurrences looked at on %d bytes", typ, len(line))
		require.Equal(t, 100+3, s.strOuts, "%s: only those ending before the space and at the end", typ)
		// The last word is the only match (the others start after an 'a').
		id := s.dst[0].ID
		require.Equal(t, []Match{{ID: id, Type: typ, Start: 20001, End: 20004}}, s.dst, "%s", typ)
		require.Equal(t, "aaa", m.Entry(id).Value)
	}

	// "a", "a.a", "a.a.a", … on "a.a.a.…a.": at every '.' followed by an
	// 'a' the filename end rule fails; only the 100 ending at the last 'a'
	// (followed by a '.' that ends the line) are looked at, and the byte
	// before each ('.') is a name byte.
	var inds []indicator.Indicator
	for i := range 100 {
		inds = append(inds, indicator.MustNew(indicator.Filename, strings.Repeat("a.", i)+"a"))
	}
	m, err := Compile(inds, Options{MaxMatchesPerLine: -1})
	require.NoError(t, err)
	line := bytes.Repeat([]byte("a."), 10000)
	s := scanner{m: m, text: line, left: m.maxHit}
	s.scan(line)
	require.Equal(t, 100, s.strOuts, "dots: occurrences looked at on %d bytes", len(line))
	require.Empty(t, s.dst)
}

// TestAppendStringWork: a value of 20000 'a' holds some 2M occurrences of
// 100 overlapping string indicators (a, aa, …: no boundary), of 100
// distinct IDs. AppendString appends each ID once, in order of first
// occurrence (a, aa, … as they first end), without comparing every
// occurrence with every ID found before it: the steps its removal of
// repeated IDs takes are O(occurrences), here at most 4 per occurrence,
// not about 50.
func TestAppendStringWork(t *testing.T) {
	m := overlappingKind(t, indicator.String, 100)
	value := strings.Repeat("a", 20000)
	work := 0
	got := m.appendString(nil, indicator.String, value, &work)
	require.Len(t, got, 100)
	for i, id := range got {
		require.Equal(t, strings.Repeat("a", i+1), m.Entry(id).Value, "order of first occurrence")
	}
	occurrences := 100*20000 - 100*99/2
	require.LessOrEqual(t, work, 4*occurrences, "dedupe steps for %d occurrences", occurrences)
	require.Equal(t, got, m.AppendString(nil, indicator.String, value))
}

// TestStrGateExact: strGate's level of an end position is at least a
// kind's level exactly where the end half of the kind's boundary rule
// (stringBoundary with nothing before the start) passes, for every byte
// after the end, every byte after that, and the end of the text: the gate
// drops no match and lets through no occurrence the end rule rejects.
func TestStrGateExact(t *testing.T) {
	require.Equal(t, uint8(0), stringLevel(indicator.String))
	m, err := Compile([]indicator.Indicator{indicator.MustNew(indicator.Filename, "x"), indicator.MustNew(indicator.RegKey, "x")}, Options{})
	require.NoError(t, err)
	for c := range 256 {
		for _, rest := range [][]byte{{byte(c)}, {byte(c), 'a'}, {byte(c), ' '}, {byte(c), '.'}, {byte(c), 0x80}, {byte(c), '/'}} {
			for k := 0; k <= len(rest); k++ {
				text := append([]byte{'x'}, rest[:k]...)
				var got []indicator.Type
				m.strs.ac.ScanGated(text, strGate, func(p, end int) bool {
					if end == 1 {
						got = append(got, m.strs.pats[p].t)
					}
					return true
				})
				var want []indicator.Type
				for _, typ := range []indicator.Type{indicator.Filename, indicator.RegKey} {
					if stringBoundary(text, typ, 0, 1) {
						want = append(want, typ)
					}
				}
				require.ElementsMatch(t, want, got, "text %q", text)
			}
		}
	}
}

// TestAppendStringAllocs: AppendString does not allocate when dst has
// room for up to 64 IDs found (its set of the IDs is on the stack), and
// allocates its set once past them.
func TestAppendStringAllocs(t *testing.T) {
	value := strings.Repeat("a", 2000)
	for _, c := range []struct{ n, allocs int }{{64, 0}, {100, 1}} {
		m := overlappingKind(t, indicator.String, c.n)
		ids := make([]ID, 0, 128)
		allocs := testing.AllocsPerRun(10, func() { ids = m.AppendString(ids[:0], indicator.String, value) })
		require.Len(t, ids, c.n)
		require.Equal(t, float64(c.allocs), allocs, "%d IDs", c.n)
	}
}
