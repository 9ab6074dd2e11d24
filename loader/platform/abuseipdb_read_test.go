package platform

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// The AbuseIPDB client end to end: the real blacklist read with the
// AbuseIPDB reader (loader.FormatAbuseIPDB), values and metadata.

func TestAbuseIPDBReadBlacklist(t *testing.T) {
	s := newAbuseServer(t, abuseFixture(t))
	c, _, clock := newTestAbuseIPDB(t, s, AbuseIPDBOptions{}, true)
	p := NewAbuseIPDBPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Problems)
	require.Len(t, res.Indicators, 16)
	name := "abuseipdb:" + s.srv.URL + "/api/v2/blacklist?confidenceMinimum=100&limit=10000"
	for _, tc := range []struct {
		value    string
		country  string
		lastSeen time.Time
	}{
		{"ipv4:128.199.118.234", "SG", time.Date(2025, 5, 18, 19, 17, 2, 0, time.UTC)},
		{"ipv6:2602:fb54:c7b::", "US", time.Date(2025, 5, 18, 19, 16, 49, 0, time.UTC)},
	} {
		m := byValue(t, res, tc.value).Meta
		assert.Equal(t, indicator.MustConfidence(100), m.Confidence, "abuseConfidenceScore")
		assert.Equal(t, indicator.SeverityUnknown, m.Severity)
		assert.Equal(t, indicator.TLPUnknown, m.TLP)
		assert.True(t, m.ValidUntil.IsZero(), "no validity: the list is a snapshot, replaced by the next")
		assert.True(t, tc.lastSeen.Equal(m.LastSeen), "%s: lastReportedAt %v", tc.value, m.LastSeen)
		assert.Equal(t, []string{"country:" + tc.country}, m.Tags)
		assert.Equal(t, "abuseipdb", m.Source)
		assert.Equal(t, "AbuseIPDB blacklist generated at 2025-05-18T19:17:10Z", m.Description, "meta.generatedAt kept")
		assert.Equal(t, name, m.File)
	}

	// the next download replaces the snapshot: an address gone, one new of a lower score
	s.setBody(abuseWith(t, func(ip string) bool { return ip != "128.199.118.234" },
		map[string]any{"ipAddress": "203.0.113.77", "countryCode": "nl", "abuseConfidenceScore": 92, "lastReportedAt": "2025-05-19T01:00:00+00:00"}))
	clock.Add(DefaultAbuseIPDBMinInterval)
	res, err = p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 16)
	assert.NotContains(t, values(res), "ipv4:128.199.118.234")
	m := byValue(t, res, "ipv4:203.0.113.77").Meta
	assert.Equal(t, indicator.MustConfidence(92), m.Confidence)
	assert.Equal(t, []string{"country:NL"}, m.Tags)
}
