package match_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// TestMaxMatchesDistinct: the cap counts distinct matches. In a JSON line,
// two occurrences in the decoded text inside one escape (\ud000 decodes to
// ED 80 80: the byte 80 twice) are one match of the line, which must not
// use two of the cap (FuzzMatch found a cap of 1 reported as truncated on
// a line of one match).
func TestMaxMatchesDistinct(t *testing.T) {
	mtx, err := indicator.New(indicator.Mutex, "\x80")
	require.NoError(t, err)
	for _, c := range []struct {
		line      string
		cap, n    int
		truncated bool
	}{
		{`{00\ud000`, 1, 1, false},
		{`{00\ud000\ud000`, 1, 1, true},
		{`{00\ud000\ud000`, 2, 2, false},
		{`{00\ud000 \ud000 \ud000`, 2, 2, true},
		{`{00\ud000 \ud000 \ud000`, 3, 3, false},
	} {
		m, err := match.Compile([]indicator.Indicator{mtx}, match.Options{MaxMatchesPerLine: c.cap})
		require.NoError(t, err)
		got, truncated := m.AppendMatchesTruncated(nil, []byte(c.line))
		require.Len(t, got, c.n, "%q cap %d: %v", c.line, c.cap, got)
		require.Equal(t, c.truncated, truncated, "%q cap %d", c.line, c.cap)
		all := match.Options{MaxMatchesPerLine: -1}
		m2, _ := match.Compile([]indicator.Indicator{mtx}, all)
		want := m2.AppendMatches(nil, []byte(c.line))
		require.Subset(t, want, got)
	}
}
