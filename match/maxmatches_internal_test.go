package match

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

// overlapping returns a Matcher of the string indicators a, aa, …, a×n and
// the given cap on matches per line.
func overlapping(t *testing.T, n, maxHit int) *Matcher {
	t.Helper()
	var inds []indicator.Indicator
	for i := 1; i <= n; i++ {
		inds = append(inds, indicator.MustNew(indicator.String, strings.Repeat("a", i)))
	}
	m, err := Compile(inds, Options{MaxMatchesPerLine: maxHit})
	require.NoError(t, err)
	return m
}

// TestMaxMatchesPerLine: 100 overlapping string indicators on a line of
// 20000 'a' hold some 2M matches; with a cap of 1000 the scan appends
// exactly 1000, says the line was truncated, and the string-kind automaton
// reported 1001 occurrences (the one past the cap ends the scan): the work
// is bounded by the cap, not by the matches the line holds.
func TestMaxMatchesPerLine(t *testing.T) {
	m := overlapping(t, 100, 1000)
	line := bytes.Repeat([]byte("a"), 20000)
	prefix := []Match{{ID: 7, Start: -1}}
	got, truncated := m.AppendMatchesTruncated(prefix, line)
	require.True(t, truncated)
	require.Equal(t, prefix[0], got[0])
	require.Len(t, got, 1+1000)
	for i := 2; i < len(got); i++ {
		require.Negative(t, compareMatch(got[i-1], got[i]), "not sorted or not distinct at %d", i)
	}
	for _, x := range got[1:] {
		require.Equal(t, strings.Repeat("a", x.End-x.Start), m.Entry(x.ID).Value, "%+v", x)
	}
	require.Equal(t, got, m.AppendMatches(prefix, line), "AppendMatches appends the same")

	s := scanner{m: m, text: line, left: m.maxHit}
	s.scan(line)
	require.True(t, s.truncated)
	require.Equal(t, 1001, s.strOuts, "occurrences looked at")

	// The default cap.
	m = overlapping(t, 100, 0)
	got, truncated = m.AppendMatchesTruncated(nil, line)
	require.True(t, truncated)
	require.Len(t, got, DefaultMaxMatchesPerLine)
}

// TestMaxMatchesExact: a line with exactly cap matches is not truncated;
// one more match is; a negative cap is no cap.
func TestMaxMatchesExact(t *testing.T) {
	line := bytes.Repeat([]byte("a"), 10) // 10+9+8 = 27 matches of a, aa, aaa
	for _, c := range []struct {
		cap, n    int
		truncated bool
	}{{27, 27, false}, {26, 26, true}, {1, 1, true}, {-1, 27, false}, {0, 27, false}} {
		m := overlapping(t, 3, c.cap)
		got, truncated := m.AppendMatchesTruncated(nil, line)
		require.Len(t, got, c.n, "cap %d", c.cap)
		require.Equal(t, c.truncated, truncated, "cap %d", c.cap)
		require.Equal(t, len(got) > 0, m.Contains(line))
	}
	m := overlapping(t, 100, -1)
	got, truncated := m.AppendMatchesTruncated(nil, bytes.Repeat([]byte("a"), 300))
	require.False(t, truncated)
	require.Len(t, got, 100*300-100*99/2)
}

// TestMaxMatchesOtherRules: the cap also stops the token, hash and email
// rules, and the offsets of a decoded JSON line are still mapped back.
func TestMaxMatchesOtherRules(t *testing.T) {
	inds := []indicator.Indicator{
		indicator.MustNew(indicator.Domain, "evil.com"),
		indicator.MustNew(indicator.IPv4, "1.2.3.4"),
		indicator.MustNew(indicator.Email, "a@evil.com"),
		indicator.MustNew(indicator.MD5, strings.Repeat("ab", 16)),
	}
	m, err := Compile(inds, Options{MaxMatchesPerLine: 50})
	require.NoError(t, err)
	for _, unit := range []string{"evil.com ", "1.2.3.4 ", "x a@evil.com ", strings.Repeat("ab", 16) + " ", `{"x":"\u0065vil.com"} `} {
		line := []byte(strings.Repeat(unit, 200))
		got, truncated := m.AppendMatchesTruncated(nil, line)
		require.True(t, truncated, "%q", unit)
		require.NotEmpty(t, got)
		require.LessOrEqual(t, len(got), 50, "%q", unit)
		all, err := Compile(inds, Options{MaxMatchesPerLine: -1})
		require.NoError(t, err)
		want := all.AppendMatches(nil, line)
		for _, x := range got {
			require.Contains(t, want, x, "%q", unit)
		}
		short := []byte(strings.Repeat(unit, 2))
		got, truncated = m.AppendMatchesTruncated(nil, short)
		require.False(t, truncated)
		require.Equal(t, all.AppendMatches(nil, short), got)
	}
}
