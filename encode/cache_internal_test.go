package encode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// TestCacheBound: the cache never holds more than CacheEntries entries, a
// negative bound keeps none, and the output is the same whatever the bound.
func TestCacheBound(t *testing.T) {
	var inds []indicator.Indicator
	line := []byte{}
	for _, v := range []string{"a.example", "b.example", "c.example"} {
		inds = append(inds, indicator.Indicator{Type: indicator.Domain, Value: v, Meta: indicator.Meta{Source: "s", Description: v}})
		line = append(line, v+" "...)
	}
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	xs := m.AppendMatches(nil, line)
	require.Len(t, xs, 3)
	ln := Line{File: "f", Number: 1, Text: line}
	want := func(x match.Match) string { return string(AppendJSON(nil, m, ln, x)) }
	for _, bound := range []int{0, 1, 2, -1} {
		e := NewEncoder(m, Options{CacheEntries: bound})
		for range 3 {
			for _, x := range xs {
				assert.Equal(t, want(x), string(e.AppendJSON(nil, ln, x)))
				e.AppendECS(nil, ln, xs)
			}
		}
		switch {
		case bound < 0:
			assert.Empty(t, e.json)
			assert.Empty(t, e.ecs)
		case bound == 0:
			assert.Len(t, e.json, 3)
			assert.Len(t, e.ecs, 3)
		default:
			assert.LessOrEqual(t, len(e.json), bound)
			assert.LessOrEqual(t, len(e.ecs), bound)
			assert.NotEmpty(t, e.json)
		}
	}
}
