package match_test

import (
	"reflect"
	"strconv"
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
			assert.Equal(t, ent.Indicators[i].Meta, m.Record(id, i), "entry %d record %d", id, i)
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

// TestRecordsMany: an entry with many records, of several sources and
// events, gives back each record as it was added (times in UTC and in a
// fixed zone, nil and empty tags), Entry and AppendIndicators agree with
// Record, the validity windows of all the records decide a match, and
// Record does not allocate.
func TestRecordsMany(t *testing.T) {
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now := base.Add(5000 * time.Hour)
	zone := time.FixedZone("", 2*3600)
	var inds []indicator.Indicator
	for i := range 3000 {
		mt := indicator.Meta{
			Source: "org" + strconv.Itoa(i%3), ID: "indicator--" + strconv.Itoa(i),
			Description: "event " + strconv.Itoa(i/100), Tags: []string{"tlp:amber", "event:" + strconv.Itoa(i/100)},
			LastSeen: base.Add(time.Duration(i) * time.Second), FirstSeen: base.In(zone),
			// every record's window is over by now but the last one's
			ValidFrom: base, ValidUntil: base.Add(time.Duration(i) * time.Hour),
		}
		switch i % 7 {
		case 0:
			mt.Tags = nil
		case 1:
			mt.Tags = []string{}
		}
		inds = append(inds, indicator.Indicator{Type: indicator.Domain, Value: "evil.example", Meta: mt})
		inds = append(inds, indicator.Indicator{Type: indicator.IPv4, Value: "198.51.100." + strconv.Itoa(i%200), Meta: mt})
	}
	inds = append(inds, indicator.Indicator{Type: indicator.Domain, Value: "evil.example",
		Meta: indicator.Meta{Source: "late", ValidFrom: base.Add(4000 * time.Hour)}},
		indicator.Indicator{Type: indicator.IPv4, Value: "203.0.113.1", Meta: indicator.Meta{ID: "over", ValidUntil: base}},
		indicator.Indicator{Type: indicator.IPv4, Value: "203.0.113.2", Meta: indicator.Meta{ID: "on", ValidFrom: base, ValidUntil: now.Add(time.Second)}})
	m, err := match.Compile(inds, match.Options{Now: func() time.Time { return now }})
	require.NoError(t, err)
	id := m.Lookup(indicator.Domain, "evil.example")[0]
	require.Equal(t, 3001, m.Records(id))
	for i := range 3000 {
		got := m.Record(id, i)
		require.Truef(t, reflect.DeepEqual(inds[2*i].Meta, got), "record %d:\n got %#v\nwant %#v", i, got, inds[2*i].Meta)
	}
	ent := m.Entry(id)
	require.Len(t, ent.Indicators, match.MaxEntryIndicators)
	for i, ind := range ent.Indicators {
		assert.True(t, reflect.DeepEqual(ind.Meta, m.Record(id, i)), "Entry record %d", i)
	}
	page := m.AppendIndicators(nil, id, 2990, 100)
	require.Len(t, page, 11)
	assert.Equal(t, "indicator--2990", page[0].ID)
	assert.Equal(t, "late", page[10].Source)
	assert.Equal(t, []string{"late", "org0", "org1", "org2"}, ent.Sources())

	// matched through the one record valid now; an address whose
	// records' windows are all over is not, nor one of one record over
	hits := m.AppendMatches(nil, []byte("GET evil.example 198.51.100.7 203.0.113.1 203.0.113.2"))
	require.Len(t, hits, 2)
	assert.Equal(t, id, hits[0].ID)
	assert.Equal(t, "on", m.Record(hits[1].ID, 0).ID)

	allocs := testing.AllocsPerRun(10, func() {
		for i := range m.Records(id) {
			_ = m.Record(id, i)
		}
	})
	assert.Zero(t, allocs)
}
