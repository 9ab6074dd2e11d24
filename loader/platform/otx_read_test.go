package platform

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// The OTX client end to end: the pages of the real samples read with the
// OTX reader (loader.FormatOTX), values and metadata.

// byValue returns the indicator of res whose String is s.
func byValue(t *testing.T, res loader.Result, s string) indicator.Indicator {
	t.Helper()
	i := slices.IndexFunc(res.Indicators, func(ind indicator.Indicator) bool { return ind.String() == s })
	require.GreaterOrEqual(t, i, 0, "no %s in %v", s, values(res))
	return res.Indicators[i]
}

func TestOTXReadPages(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	s := newOTXServer(t, a, b)
	c, _ := newTestOTX(t, s, OTXOptions{Limit: 1}, true)
	p := NewOTXPoller(c)
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	require.Len(t, s.reqs(), 2)
	assert.Empty(t, res.Problems)
	assert.Zero(t, res.SkippedTotal())
	got := values(res)
	require.Len(t, got, 18)
	assert.Equal(t, []string{
		"sha256:bd88aa59f50df195321e185fb5aa00e00a54fd79d94d2459191b7e5d709b8128",
		"domain:1woat.top", "ipv4:192.168.113.98", "url:https://dolcuevita.com/", "domain:m.cocktailreel.top",
		"url:https://fft.rouwhouysurvey.top/sweeps-survey.html",
	}, got[:6], "pulse A's, page 1")
	assert.Equal(t, "md5:90421f8531f963d81cf54245b72cde80", got[7], "then pulse B's, page 2")

	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	for _, tc := range []struct {
		value string
		want  indicator.Meta
	}{
		{"ipv4:192.168.113.98", indicator.Meta{
			Source: "OctoSeek", ID: "3450933144", Description: "172.67.177.165",
			Reference: "https://otx.alienvault.com/pulse/64d31e8a5133613a90976b3f",
			TLP:       indicator.TLPGreen, Tags: []string{}, Techniques: []string{},
			FirstSeen: utc(2023, 8, 9, 5, 5, 15, 0), LastSeen: utc(2023, 8, 9, 5, 5, 15, 0),
			ValidUntil: utc(2023, 9, 7, 0, 0, 0, 0), // the zone-less expiration
			File:       "otx:pulse/64d31e8a5133613a90976b3f",
		}},
		{"domain:1woat.top", indicator.Meta{
			Source: "OctoSeek", ID: "3735598370", Description: "172.67.177.165",
			Reference: "https://otx.alienvault.com/pulse/64d31e8a5133613a90976b3f",
			TLP:       indicator.TLPGreen, Tags: []string{}, Techniques: []string{},
			FirstSeen: utc(2023, 8, 9, 5, 5, 15, 0), LastSeen: utc(2023, 8, 9, 5, 5, 15, 0),
			File: "otx:pulse/64d31e8a5133613a90976b3f", // expiration null: valid without end
		}},
		{"md5:90421f8531f963d81cf54245b72cde80", indicator.Meta{
			Source: "iocmatch-tests", ID: "9751110",
			Description: "iocmatch test pulse: OTX export indicators; Win32:Hoblig-B; MD5 of a5725af4391d21a232dc6d4ad33d7d915bd190bdac9b1826b73f364dc5c1aa65",
			Reference:   "https://otx.alienvault.com/api/v1/indicators/export",
			TLP:         indicator.TLPAmber, Tags: []string{"botnet", "loader", "Hoblig"},
			ThreatActor: "Example Actor", MalwareFamily: "Hoblig", Techniques: []string{"T1071.001"},
			FirstSeen: utc(2024, 3, 1, 10, 0, 0, 0), LastSeen: utc(2024, 3, 2, 12, 30, 0, 123000000),
			File: "otx:pulse/6571f0c2e1a2b3c4d5e6f701",
		}},
	} {
		m := byValue(t, res, tc.value).Meta
		assert.Equal(t, indicator.ConfidenceUnknown, m.Confidence, "%s: OTX gives no confidence", tc.value)
		assert.Equal(t, indicator.SeverityUnknown, m.Severity, "%s: nor severity", tc.value)
		assert.Equal(t, tc.want.TLP, m.TLP, tc.value)
		assert.True(t, tc.want.ValidUntil.Equal(m.ValidUntil), "%s: valid until %v", tc.value, m.ValidUntil)
		assert.True(t, tc.want.FirstSeen.Equal(m.FirstSeen), "%s: first seen %v", tc.value, m.FirstSeen)
		assert.True(t, tc.want.LastSeen.Equal(m.LastSeen), "%s: last seen %v", tc.value, m.LastSeen)
		m.ValidUntil, m.FirstSeen, m.LastSeen = tc.want.ValidUntil, tc.want.FirstSeen, tc.want.LastSeen
		if len(m.Tags) == 0 {
			m.Tags = []string{}
		}
		if len(m.Techniques) == 0 {
			m.Techniques = []string{}
		}
		assert.Equal(t, tc.want, m, tc.value)
	}
	at := func(ts time.Time, s string) bool { m := byValue(t, res, s).Meta; return m.ValidAt(ts) }
	assert.True(t, at(utc(2023, 9, 6, 23, 59, 0, 0), "ipv4:192.168.113.98"))
	assert.False(t, at(utc(2023, 9, 7, 0, 0, 0, 0), "ipv4:192.168.113.98"), "expired at its expiration")
}

func TestOTXReadIncremental(t *testing.T) {
	a, b := otxPulse(t, "pulse-octoseek.json"), otxPulse(t, "pulse-export.json")
	s := newOTXServer(t, a, b)
	c, _ := newTestOTX(t, s, OTXOptions{Limit: 1}, true)
	p := NewOTXPoller(c)
	_, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)

	// pulse B changed on OTX: maper.info removed, fotmailz.com retired
	// (is_active 0), an expiration on ip.anysrc.net, TLP now red
	b2 := withoutIndicator(t, b, "maper.info", "2024-03-06T00:00:00.000000")
	b2["TLP"] = "red"
	for _, x := range b2["indicators"].([]any) {
		ind := x.(map[string]any)
		switch ind["indicator"] {
		case "fotmailz.com":
			ind["is_active"] = 0
		case "ip.anysrc.net":
			ind["expiration"] = "2024-04-01T00:00:00"
		}
	}
	s.set(a, b2)
	n := len(s.reqs())
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	require.Len(t, s.reqs()[n:], 1, "only pulse B read again")
	assert.Equal(t, "2024-03-02T12:30:00.123000", query(s.reqs()[n], "modified_since"))
	got := values(res)
	assert.Len(t, got, 18-2, "the whole set, B's indicators replaced")
	assert.NotContains(t, got, "domain:maper.info")
	assert.NotContains(t, got, "domain:fotmailz.com", "inactive: not matched")
	assert.Equal(t, 1, res.Unsupported["otx inactive"], "counted, of this poll")
	anysrc := byValue(t, res, "domain:ip.anysrc.net").Meta
	assert.True(t, time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC).Equal(anysrc.ValidUntil), "%v", anysrc.ValidUntil)
	assert.Equal(t, indicator.TLPRed, anysrc.TLP, "the new version's metadata")
	assert.Equal(t, indicator.TLPGreen, byValue(t, res, "domain:1woat.top").Meta.TLP, "pulse A as read before")
	assert.True(t, time.Date(2024, 3, 6, 0, 0, 0, 0, time.UTC).Equal(anysrc.LastSeen))
}

func TestOTXReadProblems(t *testing.T) {
	bad := newPulse("65cccccccccccccccccccccc", "2024-05-01T00:00:00", "good.example.net")
	bad["indicators"] = append(bad["indicators"].([]any), map[string]any{"id": 5, "indicator": "999.1.2.3", "type": "IPv4"})
	a := otxPulse(t, "pulse-octoseek.json")
	s := newOTXServer(t, a, bad)
	c, _ := newTestOTX(t, s, OTXOptions{Limit: 1}, true)
	p := NewOTXPoller(c)

	// a bad indicator is a problem of its pulse, not of the poll
	res, err := p.Poll(context.Background(), loader.Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 6+1)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, "otx:pulse/65cccccccccccccccccccccc", res.Problems[0].Path)
	assert.Contains(t, res.Problems[0].Error(), "999.1.2.3")
	assert.Equal(t, 1, res.PerFile[0].Skipped)

	// Strict: the problem is the error, nothing is applied
	p = NewOTXPoller(c)
	_, err = p.Poll(context.Background(), loader.Options{Strict: true})
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), "pulse 65cccccccccccccccccccccc")
	var prob *loader.Problem
	assert.ErrorAs(t, err, &prob)
	assert.Zero(t, p.Pulses())
	assert.True(t, p.Since().IsZero())
	assert.False(t, strings.Contains(err.Error(), testOTXKey))
}
