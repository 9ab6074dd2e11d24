package loader

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

func TestReadMISPSightings(t *testing.T) {
	res, err := Load(filepath.Join("testdata", "misp", "sightings-event.json"), Options{})
	require.NoError(t, err)
	by := map[string]int{}
	for i, ind := range res.Indicators {
		by[ind.Value] = i
	}
	require.Len(t, res.Indicators, 6, strs(res.Indicators))
	get := func(v string) int {
		i, ok := by[v]
		require.True(t, ok, v)
		return i
	}
	unix := func(s int64) time.Time { return time.Unix(s, 0).UTC() }

	// three sightings (one without a type): the latest is LastSeen, the
	// earliest FirstSeen (the attribute gives none)
	d := res.Indicators[get("c2.sighted.example")]
	assert.Equal(t, unix(1794000000), d.LastSeen)
	assert.Equal(t, unix(1790000000), d.FirstSeen)
	assert.True(t, d.ValidUntil.IsZero())
	assert.NotContains(t, d.Tags, FalsePositiveSightingTag)
	assert.Equal(t, "CIRCL", d.Source)

	// an expiration after the last sighting: not matched from then on
	ip := res.Indicators[get("198.51.100.77")]
	assert.Equal(t, unix(1789000000), ip.LastSeen)
	assert.Equal(t, unix(1791000000), ip.ValidUntil)

	// an expiration before a sighting: alive again; a later false
	// positive: tagged
	ip2 := res.Indicators[get("198.51.100.78")]
	assert.Equal(t, unix(1790000000), ip2.LastSeen)
	assert.True(t, ip2.ValidUntil.IsZero())
	assert.Contains(t, ip2.Tags, FalsePositiveSightingTag)
	assert.Equal(t, indicator.TLPAmber, ip2.TLP, "event metadata applied after")

	// the attribute's own last_seen is later than its sightings: kept;
	// malformed sightings ignored, the attribute read
	u := res.Indicators[get("http://c2.sighted.example/gate.php")]
	assert.Equal(t, mispUTC("2026-12-24T00:00:00Z"), u.LastSeen)
	assert.Equal(t, mispUTC("2026-08-20T00:00:00Z"), u.FirstSeen)

	// an object's attribute
	o := res.Indicators[get("stage2.sighted.example")]
	assert.Equal(t, unix(1793500000), o.LastSeen)

	// a Sighting that is not an array: the attribute is read, its
	// timestamp its LastSeen
	h := res.Indicators[get("0123456789abcdef0123456789abcdef")]
	assert.Equal(t, unix(1788000000), h.LastSeen)

	assert.Equal(t, 4, res.Unsupported["misp sighting: malformed"])
	assert.Equal(t, 1, res.Unsupported["misp sighting: type 7"])
	assert.Empty(t, res.Skipped)
	assert.Empty(t, res.Problems)
}

func TestReadMISPSightingsInline(t *testing.T) {
	doc := `{"Attribute": [{"type": "domain", "value": "a.example", "to_ids": true, "first_seen": "2024-01-01",
		"Sighting": [{"date_sighting": "2024-03-01 10:00:00"}, {"date_sighting": 1709000000.25, "type": 0}]}]}`
	res := readMISPString(t, doc, Options{})
	require.Len(t, res.Indicators, 1)
	assert.Equal(t, mispUTC("2024-03-01T10:00:00Z"), res.Indicators[0].LastSeen)
	assert.Equal(t, mispUTC("2024-01-01T00:00:00Z"), res.Indicators[0].FirstSeen, "the attribute's first_seen is kept")

	// only a false positive: tagged once, even with the tag present
	doc = `{"Attribute": [{"type": "domain", "value": "b.example", "to_ids": true, "timestamp": 1700000000,
		"Tag": [{"name": "` + FalsePositiveSightingTag + `"}],
		"Sighting": [{"date_sighting": "1700000100", "type": "1"}, {"date_sighting": "1700000200", "type": "1"}]}]}`
	res = readMISPString(t, doc, Options{})
	require.Len(t, res.Indicators, 1)
	n := 0
	for _, tag := range res.Indicators[0].Tags {
		if strings.EqualFold(tag, FalsePositiveSightingTag) {
			n++
		}
	}
	assert.Equal(t, 1, n)
	assert.Equal(t, time.Unix(1700000000, 0).UTC(), res.Indicators[0].LastSeen, "a false positive is no sighting")
}
