package match_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

func TestRecords(t *testing.T) {
	seen := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	inds := []indicator.Indicator{
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "a", LastSeen: seen}},
		{Type: indicator.IPv4, Value: "198.51.100.7", Meta: indicator.Meta{Source: "only"}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "b", Confidence: indicator.MustConfidence(60)}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "a", LastSeen: seen}}, // a duplicate
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "c"}},
	}
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	for id := match.ID(0); int(id) < m.Len(); id++ {
		ent := m.Entry(id)
		assert.Equal(t, ent.Type, m.Type(id))
		require.Equal(t, ent.Records, m.Records(id))
		for i := range m.Records(id) {
			assert.Equal(t, ent.Indicators[i].Meta, *m.Record(id, i), "entry %d record %d", id, i)
		}
	}
	ids := m.Lookup(indicator.Domain, "evil.example")
	require.Len(t, ids, 1)
	assert.Equal(t, 3, m.Records(ids[0]))
	assert.Equal(t, "c", m.Record(ids[0], 2).Source)
	one := m.Lookup(indicator.IPv4, "198.51.100.7")[0]
	assert.Panics(t, func() { m.Record(one, 1) })
	assert.Panics(t, func() { m.Record(ids[0], 3) })

	allocs := testing.AllocsPerRun(100, func() {
		for i := range m.Records(ids[0]) {
			_ = m.Record(ids[0], i).Source
		}
		_ = m.Record(one, 0)
		_ = m.Type(one)
	})
	assert.Zero(t, allocs)
}
