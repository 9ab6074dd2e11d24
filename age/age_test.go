package age_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

var (
	t0  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	day = age.Day
)

func nids(t *testing.T) age.Model {
	t.Helper()
	m, ok := age.LookupModel("NIDS Simple")
	require.True(t, ok)
	return m
}

// TestNIDSSimpleKnownValues checks the score against the values MISP's
// formula gives: base 80, τ 120 days, δ 2.
func TestNIDSSimpleKnownValues(t *testing.T) {
	m := nids(t)
	for _, c := range []struct {
		after time.Duration
		want  float64
	}{
		{0, 80},
		{-3 * day, 80}, // sighted after now: base
		{day, 72.697},  // 80 × (1 − √(1/120))
		{30 * day, 40}, // 80 × (1 − √¼)
		{time.Duration(46.875 * float64(day)), 30},
		{120 * day, 0},
		{400 * day, 0},
	} {
		assert.InDelta(t, c.want, m.Score(80, c.after), 0.001, "after %v", c.after)
	}
	d, ok := m.DecayAfter(80)
	require.True(t, ok)
	assert.InDelta(t, 46.875, d.Hours()/24, 1e-9)
	assert.Less(t, m.Score(80, d+time.Minute), 30.0)
	assert.GreaterOrEqual(t, m.Score(80, d-time.Minute), 30.0)
	// base 100: 120 × 0.7² = 58.8 days
	d, _ = m.DecayAfter(100)
	assert.InDelta(t, 58.8, d.Hours()/24, 1e-9)
	// a base at or below the threshold is decayed at once
	d, ok = m.DecayAfter(25)
	assert.True(t, ok)
	assert.Zero(t, d)
	// no threshold: never decayed
	m.Threshold = 0
	_, ok = m.DecayAfter(80)
	assert.False(t, ok)
}

func TestShippedModels(t *testing.T) {
	for _, c := range []struct {
		name     string
		full     string
		lifetime time.Duration
		speed    float64
	}{
		{"NIDS Simple", "NIDS Simple Decaying Model", 120 * day, 2},
		{"nids-simple-model", "NIDS Simple Decaying Model", 120 * day, 2},
		{"  nids_simple  decaying model", "NIDS Simple Decaying Model", 120 * day, 2},
		{"PHISHING", "Phishing model", 3 * day, 2.3},
		{"phishing-model", "Phishing model", 3 * day, 2.3},
		{"Vishing model", "Vishing model", 10 * day, 2.3},
	} {
		m, ok := age.LookupModel(c.name)
		require.True(t, ok, c.name)
		assert.Equal(t, c.full, m.Name)
		assert.Equal(t, c.lifetime, m.Lifetime)
		assert.Equal(t, c.speed, m.DecaySpeed)
		assert.Equal(t, 30.0, m.Threshold)
		assert.Equal(t, 80.0, m.DefaultBase)
		assert.NoError(t, m.Validate())
	}
	_, ok := age.LookupModel("fast")
	assert.False(t, ok)
	assert.Len(t, age.Models(), 3)
	// phishing falls below 30 after 3 × (3/8)^2.3 days ≈ 10.7 hours
	p, _ := age.LookupModel("phishing")
	d, _ := p.DecayAfter(80)
	assert.InDelta(t, 3*24*math.Pow(0.625, 2.3), d.Hours(), 1e-6)
	// the models' types, from MISP's attribute types
	assert.Equal(t, []indicator.Type{indicator.IPv4, indicator.IPv6, indicator.CIDR, indicator.Domain, indicator.URL}, ptr(nids(t)).Types())
	v, _ := age.LookupModel("vishing")
	assert.Empty(t, v.Types())
}

func TestReadModelFile(t *testing.T) {
	m, err := age.ReadModelFile("testdata/nids-simple-model.json")
	require.NoError(t, err)
	want := nids(t)
	assert.Equal(t, want.Name, m.Name)
	assert.Equal(t, want.Lifetime, m.Lifetime)
	assert.Equal(t, want.DecaySpeed, m.DecaySpeed)
	assert.Equal(t, want.Threshold, m.Threshold)
	assert.Equal(t, want.DefaultBase, m.DefaultBase)
	assert.Equal(t, want.AttributeTypes, m.AttributeTypes)
	assert.InDelta(t, 0.1667, m.BaseScoreConfig["retention"], 1e-9)
	assert.InDelta(t, 72.697, m.Score(80, day), 0.001)

	m, err = age.ReadModelFile("testdata/api-wrapped-model.json")
	require.NoError(t, err)
	assert.Equal(t, "SOC fast", m.Name)
	assert.Equal(t, time.Duration(7.5*float64(day)), m.Lifetime)
	assert.Equal(t, 1.0, m.DecaySpeed)
	assert.Equal(t, 20.0, m.Threshold)
	assert.Equal(t, 60.0, m.DefaultBase)
	assert.InDelta(t, 30, m.Score(60, time.Duration(3.75*float64(day))), 1e-9) // linear

	_, err = age.ReadModelFile("testdata/bad-threshold.json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "testdata/bad-threshold.json")
	assert.Contains(t, err.Error(), "parameters.threshold 130")

	_, err = age.ReadModelFile("testdata/nope.json")
	assert.ErrorContains(t, err, "nope.json")

	// a file without a name is named after the file
	p := filepath.Join(t.TempDir(), "ours.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"parameters":{"lifetime":1,"decay_speed":1,"threshold":0,"default_base_score":50}}`), 0o644))
	m, err = age.ReadModelFile(p)
	require.NoError(t, err)
	assert.Equal(t, "ours", m.Name)
}

func TestParseModelErrors(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`[]`, "not a MISP decaying model"},
		{`{"name":"x"}`, "no parameters"},
		{`{"formula":"Exponential","parameters":{}}`, `formula "Exponential"`},
		{`{"parameters":{"decay_speed":2,"threshold":30,"default_base_score":80}}`, "parameters.lifetime: missing"},
		{`{"parameters":{"lifetime":0,"decay_speed":2,"threshold":30,"default_base_score":80}}`, "parameters.lifetime 0: must be > 0"},
		{`{"parameters":{"lifetime":"ten","decay_speed":2,"threshold":30,"default_base_score":80}}`, `parameters.lifetime "ten": not a number`},
		{`{"parameters":{"lifetime":10,"decay_speed":-1,"threshold":30,"default_base_score":80}}`, "parameters.decay_speed -1"},
		{`{"parameters":{"lifetime":10,"decay_speed":1,"threshold":30}}`, "parameters.default_base_score: missing"},
		{`{"parameters":{"lifetime":10,"decay_speed":1,"threshold":30,"default_base_score":101}}`, "parameters.default_base_score 101"},
		{`{"parameters":{"lifetime":10,"decay_speed":1,"threshold":30,"default_base_score":80,"base_score_config":{"a":"x"}}}`, "parameters.base_score_config.a"},
		{`{"attribute_types":"ip-dst","parameters":{"lifetime":10,"decay_speed":1,"threshold":30,"default_base_score":80}}`, "attribute_types"},
	} {
		_, err := age.ParseModel([]byte(c.doc))
		if assert.Error(t, err, c.doc) {
			assert.Contains(t, err.Error(), c.want, c.doc)
		}
	}
}

func ind(typ indicator.Type, v, src string, mt indicator.Meta) indicator.Indicator {
	mt.Source = src
	return indicator.Indicator{Type: typ, Value: v, Meta: mt}
}

func TestEndsMaxAge(t *testing.T) {
	now := t0
	p, err := age.New(age.Options{
		MaxAge:       age.DefaultMaxAge(),
		SourceMaxAge: map[string]time.Duration{"fast-feed": 2 * day, "forever": 0},
		Now:          func() time.Time { return now },
	})
	require.NoError(t, err)
	seen := t0.Add(-10 * day)
	for _, c := range []struct {
		name string
		in   indicator.Indicator
		end  time.Time // zero: none
	}{
		{"ipv4 by LastSeen", ind(indicator.IPv4, "198.51.100.7", "a", indicator.Meta{LastSeen: seen, FirstSeen: seen.Add(-100 * day)}), seen.Add(30 * day)},
		{"ipv6 by FirstSeen", ind(indicator.IPv6, "2001:db8::1", "a", indicator.Meta{FirstSeen: seen}), seen.Add(30 * day)},
		{"cidr by ValidFrom", ind(indicator.CIDR, "203.0.113.0/24", "a", indicator.Meta{ValidFrom: seen}), seen.Add(30 * day)},
		{"domain", ind(indicator.Domain, "evil.example", "a", indicator.Meta{LastSeen: seen}), seen.Add(180 * day)},
		{"url", ind(indicator.URL, "http://evil.example/x", "a", indicator.Meta{LastSeen: seen}), seen.Add(180 * day)},
		{"sha256", ind(indicator.SHA256, strings.Repeat("ab", 32), "a", indicator.Meta{LastSeen: seen}), seen.Add(365 * day)},
		{"email-subject", ind(indicator.EmailSubject, "Invoice", "a", indicator.Meta{LastSeen: seen}), seen.Add(90 * day)},
		{"no date", ind(indicator.IPv4, "198.51.100.8", "a", indicator.Meta{ValidUntil: seen}), time.Time{}},
		{"source wins", ind(indicator.Domain, "evil.example", "fast-feed", indicator.Meta{LastSeen: seen}), seen.Add(2 * day)},
		{"source without max age", ind(indicator.IPv4, "198.51.100.7", "forever", indicator.Meta{LastSeen: seen}), time.Time{}},
	} {
		end, why, ok := p.Ends(c.in.Type, &c.in.Meta)
		if c.end.IsZero() {
			assert.False(t, ok, c.name)
			continue
		}
		assert.True(t, ok, c.name)
		assert.Equal(t, c.end, end, c.name)
		assert.Equal(t, age.Expired, why, c.name)
	}
}

func TestApply(t *testing.T) {
	now := t0
	m := nids(t)
	p, err := age.New(age.Options{
		MaxAge: map[indicator.Type]time.Duration{indicator.IPv4: 30 * day, indicator.Domain: 180 * day},
		Model:  &m,
		Now:    func() time.Time { return now },
	})
	require.NoError(t, err)
	early := t0.Add(5 * day)
	inds := []indicator.Indicator{
		// 0: address seen 40 days ago: expired (30 days) before it decayed (46.9)
		ind(indicator.IPv4, "198.51.100.1", "a", indicator.Meta{LastSeen: t0.Add(-40 * day)}),
		// 1: address seen 10 days ago: kept, until the expiry at +20 days
		ind(indicator.IPv4, "198.51.100.2", "a", indicator.Meta{LastSeen: t0.Add(-10 * day)}),
		// 2: domain seen 50 days ago: decayed (46.875 days at base 80)
		ind(indicator.Domain, "old.example", "b", indicator.Meta{LastSeen: t0.Add(-50 * day)}),
		// 3: domain seen 50 days ago, confidence 100: decays at 58.8 days: kept
		ind(indicator.Domain, "sure.example", "b", indicator.Meta{LastSeen: t0.Add(-50 * day), Confidence: indicator.MustConfidence(100)}),
		// 4: no date: kept as it is
		ind(indicator.Domain, "undated.example", "b", indicator.Meta{}),
		// 5: its own ValidUntil earlier than the decay: kept, ValidUntil unchanged
		ind(indicator.Domain, "short.example", "b", indicator.Meta{LastSeen: t0.Add(-day), ValidUntil: early}),
		// 6: confidence 20, below the threshold: decayed at once
		ind(indicator.Domain, "weak.example", "a", indicator.Meta{LastSeen: t0, Confidence: indicator.MustConfidence(20)}),
	}
	out, rep := p.Apply(inds)
	var vals []string
	for _, i := range out {
		vals = append(vals, i.Value)
	}
	assert.Equal(t, []string{"198.51.100.2", "sure.example", "undated.example", "short.example"}, vals)
	assert.Equal(t, t0.Add(20*day), out[0].ValidUntil)
	assert.Equal(t, t0.Add(-50*day).Add(time.Duration(58.8*float64(day))).Round(time.Second), out[1].ValidUntil.Round(time.Second))
	assert.True(t, out[2].ValidUntil.IsZero())
	assert.Equal(t, early, out[3].ValidUntil)
	assert.Equal(t, age.Report{
		Now: t0, Input: 7, Kept: 4, Expired: 1, Decayed: 2, Undated: 1, Limited: 2,
		PerSource: map[string]age.SourceReport{
			"a": {Input: 3, Kept: 1, Expired: 1, Decayed: 1, Limited: 1},
			"b": {Input: 4, Kept: 3, Decayed: 1, Undated: 1, Limited: 1},
		},
		ExpiredExamples: []string{"ipv4:198.51.100.1 (a): last seen 2026-09-22, expired 2026-10-22"},
		DecayedExamples: []string{"domain:old.example (b): last seen 2026-09-12, decayed 2026-10-28", "domain:weak.example (a): last seen 2026-11-01, decayed 2026-11-01"},
	}, rep)
	assert.Equal(t, []string{"a", "b"}, rep.Sources())
	for _, i := range inds[len(out):] {
		assert.Zero(t, i, "the tail is zeroed")
	}
}

// TestApplyMatchesUntil compiles what Apply keeps and moves the matcher's
// clock: the indicator stops matching at its expiry, without a reload.
func TestApplyMatchesUntil(t *testing.T) {
	now := t0
	clock := func() time.Time { return now }
	p, err := age.New(age.Options{MaxAge: age.DefaultMaxAge(), Now: clock})
	require.NoError(t, err)
	inds := []indicator.Indicator{
		ind(indicator.IPv4, "198.51.100.2", "a", indicator.Meta{LastSeen: t0.Add(-10 * day)}), // expires at +20d
		ind(indicator.IPv4, "198.51.100.2", "b", indicator.Meta{LastSeen: t0.Add(-1 * day)}),  // expires at +29d
		ind(indicator.IPv4, "198.51.100.3", "a", indicator.Meta{}),                            // never
	}
	kept, _ := p.Apply(inds)
	m, err := match.Compile(kept, match.Options{Now: clock})
	require.NoError(t, err)
	line := []byte("198.51.100.2 198.51.100.3")
	count := func() int { return len(m.AppendMatches(nil, line)) }
	assert.Equal(t, 2, count())
	now = t0.Add(20 * day) // a's record expired, b's still valid
	assert.Equal(t, 2, count())
	now = t0.Add(29*day - time.Second)
	assert.Equal(t, 2, count())
	now = t0.Add(29 * day)
	assert.Equal(t, 1, count())
	now = t0.Add(3000 * day)
	assert.Equal(t, 1, count())
}

func TestZeroOptions(t *testing.T) {
	p, err := age.New(age.Options{Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	inds := []indicator.Indicator{ind(indicator.IPv4, "198.51.100.2", "a", indicator.Meta{LastSeen: t0.Add(-1000 * day)})}
	out, rep := p.Apply(inds)
	assert.Len(t, out, 1)
	assert.True(t, out[0].ValidUntil.IsZero())
	assert.Equal(t, 1, rep.Kept)
	assert.False(t, p.Scoring())
	_, ok := p.Score(indicator.IPv4, &out[0].Meta, t0)
	assert.False(t, ok)
}

func TestNewErrors(t *testing.T) {
	_, err := age.New(age.Options{MaxAge: map[indicator.Type]time.Duration{indicator.Invalid: day}})
	assert.Error(t, err)
	bad := age.Model{Name: "x", Lifetime: day, DecaySpeed: 0, Threshold: 30, DefaultBase: 80}
	_, err = age.New(age.Options{Model: &bad})
	assert.ErrorContains(t, err, `model "x": decay speed`)
	_, err = age.New(age.Options{SourceModels: map[string]age.Model{"feed": bad}})
	assert.ErrorContains(t, err, `source "feed"`)
}

func TestScoreModels(t *testing.T) {
	n := nids(t)
	ph, _ := age.LookupModel("phishing")
	p, err := age.New(age.Options{
		Model:        &n,
		TypeModels:   map[indicator.Type]age.Model{indicator.URL: ph},
		SourceModels: map[string]age.Model{"openphish": ph},
	})
	require.NoError(t, err)
	seen := indicator.Meta{LastSeen: t0}
	s, ok := p.Score(indicator.Domain, &seen, t0.Add(day))
	assert.True(t, ok)
	assert.InDelta(t, 72.697, s, 0.001)
	s, _ = p.Score(indicator.URL, &seen, t0.Add(day)) // phishing: 80 × (1 − (1/3)^(1/2.3))
	assert.InDelta(t, 80*(1-math.Pow(1.0/3, 1/2.3)), s, 1e-9)
	src := indicator.Meta{LastSeen: t0, Source: "openphish"}
	s, _ = p.Score(indicator.Domain, &src, t0.Add(day))
	assert.InDelta(t, 80*(1-math.Pow(1.0/3, 1/2.3)), s, 1e-9)
	conf := indicator.Meta{LastSeen: t0, Confidence: indicator.MustConfidence(100)}
	s, _ = p.Score(indicator.Domain, &conf, t0.Add(30*day))
	assert.InDelta(t, 50, s, 1e-9)
	none := indicator.Meta{}
	s, _ = p.Score(indicator.Domain, &none, t0.Add(300*day))
	assert.Equal(t, 80.0, s, "no date: the base score")
}

func TestEntryScore(t *testing.T) {
	n := nids(t)
	p, err := age.New(age.Options{Model: &n})
	require.NoError(t, err)
	inds := []indicator.Indicator{
		ind(indicator.Domain, "evil.example", "a", indicator.Meta{LastSeen: t0.Add(-30 * day)}),                                                            // 40
		ind(indicator.Domain, "evil.example", "b", indicator.Meta{LastSeen: t0.Add(-day)}),                                                                 // 72.7
		ind(indicator.Domain, "evil.example", "c", indicator.Meta{LastSeen: t0, Confidence: indicator.MustConfidence(95), ValidUntil: t0.Add(-time.Hour)}), // 95 but not valid
		ind(indicator.IPv4, "198.51.100.9", "a", indicator.Meta{LastSeen: t0.Add(-30 * day)}),
	}
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	dom := m.Lookup(indicator.Domain, "evil.example")[0]
	s, ok := p.EntryScore(m, dom, t0)
	assert.True(t, ok)
	assert.InDelta(t, 72.697, s, 0.001, "the best valid record")
	s, _ = p.EntryScore(m, dom, t0.Add(-2*time.Hour)) // c valid then
	assert.InDelta(t, 95, s, 0.001)
	ip := m.Lookup(indicator.IPv4, "198.51.100.9")[0]
	s, _ = p.EntryScore(m, ip, t0)
	assert.InDelta(t, 40, s, 1e-9)

	allocs := testing.AllocsPerRun(200, func() {
		s, _ := p.EntryScore(m, dom, t0)
		s2, _ := p.Score(indicator.Domain, &inds[0].Meta, t0)
		_, _ = s, s2
	})
	assert.Zero(t, allocs)
	empty, _ := age.New(age.Options{})
	_, ok = empty.EntryScore(m, dom, t0)
	assert.False(t, ok)
}

func TestParseDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"30d", 30 * day}, {"1.5d", 36 * time.Hour}, {"2w", 14 * day}, {"1d12h", 36 * time.Hour}, {"2w3d", 17 * day}, {"1w0.5d12h", 8 * day},
		{"36h", 36 * time.Hour}, {"90m", 90 * time.Minute}, {" 7D ", 7 * day},
		{"0", 0}, {"off", 0}, {"None", 0}, {"0d", 0},
	} {
		d, err := age.ParseDuration(c.in)
		if assert.NoError(t, err, c.in) {
			assert.Equal(t, c.want, d, c.in)
		}
	}
	for _, in := range []string{"", "d", "-3d", "-1h", "3x", "1h30d", "1e300d", "30 days", "2d-1h", "1e2d", "99999999999w"} {
		_, err := age.ParseDuration(in)
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), `"`+in+`"`)
		}
	}
}

func TestParseMaxAge(t *testing.T) {
	got, err := age.ParseMaxAge("ip=7d, domain=90d,sha256=off,hostname=10d")
	require.NoError(t, err)
	assert.Equal(t, map[indicator.Type]time.Duration{
		indicator.IPv4: 7 * day, indicator.IPv6: 7 * day, indicator.CIDR: 7 * day,
		indicator.Domain: 10 * day, indicator.SHA256: 0,
	}, got)
	merged := age.MergeMaxAge(age.DefaultMaxAge(), got)
	assert.Equal(t, 7*day, merged[indicator.IPv6])
	assert.Equal(t, 10*day, merged[indicator.Domain])
	assert.Equal(t, 180*day, merged[indicator.URL], "not named: the default")
	_, has := merged[indicator.SHA256]
	assert.False(t, has, "off removes the default")
	assert.Equal(t, 365*day, merged[indicator.SHA1])

	got, err = age.ParseMaxAge("hash=2w,all=1d")
	require.NoError(t, err)
	assert.Equal(t, day, got[indicator.MD5], "a later item wins")
	off, err := age.ParseMaxAge("off")
	require.NoError(t, err)
	assert.Empty(t, age.MergeMaxAge(age.DefaultMaxAge(), off))

	for _, c := range []struct{ in, want string }{
		{"", "empty"},
		{"ipv4", `item "ipv4": want TYPE=DURATION`},
		{"ipv9=3d", `unknown type "ipv9"`},
		{"ip=soon", `item "ip=soon"`},
		{",", "no TYPE=DURATION"},
	} {
		_, err := age.ParseMaxAge(c.in)
		if assert.Error(t, err, c.in) {
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), `"`+c.in+`"`)
		}
	}
}

func TestParseModelFlag(t *testing.T) {
	m, err := age.ParseModelFlag("NIDS Simple")
	require.NoError(t, err)
	assert.Equal(t, "NIDS Simple Decaying Model", m.Name)
	m, err = age.ParseModelFlag("testdata/api-wrapped-model.json")
	require.NoError(t, err)
	assert.Equal(t, "SOC fast", m.Name)
	_, err = age.ParseModelFlag("Fast decay")
	assert.ErrorContains(t, err, `"Fast decay": neither a shipped model ("NIDS Simple Decaying Model"`)
}

func TestDefaultMaxAge(t *testing.T) {
	d := age.DefaultMaxAge()
	for _, typ := range indicator.Types() {
		assert.Positive(t, d[typ], typ.String())
	}
	assert.Equal(t, 30*day, d[indicator.IPv4])
	assert.Equal(t, 30*day, d[indicator.CIDR])
	assert.Equal(t, 180*day, d[indicator.Domain])
	assert.Equal(t, 180*day, d[indicator.URL])
	assert.Equal(t, 365*day, d[indicator.MD5])
	d[indicator.IPv4] = 0
	assert.Equal(t, 30*day, age.DefaultMaxAge()[indicator.IPv4], "a new map each call")
}

func ptr[T any](v T) *T { return &v }

// TestConcurrent uses one Policy from several goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	n := nids(t)
	p, err := age.New(age.Options{MaxAge: age.DefaultMaxAge(), Model: &n, Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	inds := []indicator.Indicator{
		ind(indicator.Domain, "evil.example", "a", indicator.Meta{LastSeen: t0.Add(-day)}),
		ind(indicator.Domain, "evil.example", "b", indicator.Meta{LastSeen: t0.Add(-60 * day)}),
		ind(indicator.IPv4, "198.51.100.9", "a", indicator.Meta{LastSeen: t0.Add(-3 * day)}),
	}
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	want, _ := p.EntryScore(m, 0, t0)
	done := make(chan [2]int, 4)
	for range 4 {
		go func() {
			bad, kept := 0, 0
			for range 200 {
				if s, _ := p.EntryScore(m, 0, t0); s != want {
					bad++
				}
				out, _ := p.Apply(append([]indicator.Indicator(nil), inds...))
				kept += len(out)
			}
			done <- [2]int{bad, kept}
		}()
	}
	for range 4 {
		r := <-done
		assert.Zero(t, r[0])
		assert.Equal(t, 2*200, r[1]) // b's record decayed
	}
}

func TestSetModel(t *testing.T) {
	var o age.Options
	require.NoError(t, o.SetModel(nids(t)))
	assert.Nil(t, o.Model)
	assert.Len(t, o.TypeModels, 5)
	p, err := age.New(o)
	require.NoError(t, err)
	seen := indicator.Meta{LastSeen: t0}
	_, ok := p.Score(indicator.SHA256, &seen, t0)
	assert.False(t, ok, "NIDS Simple does not score hashes")
	s, ok := p.Score(indicator.IPv6, &seen, t0.Add(day))
	assert.True(t, ok)
	assert.InDelta(t, 72.697, s, 0.001)

	own, err := age.ParseModel([]byte(`{"name":"all","parameters":{"lifetime":10,"decay_speed":1,"threshold":10,"default_base_score":50}}`))
	require.NoError(t, err)
	require.NoError(t, o.SetModel(own))
	assert.Nil(t, o.TypeModels)
	require.NotNil(t, o.Model)
	assert.Equal(t, "all", o.Model.Name)

	v, _ := age.LookupModel("vishing")
	assert.ErrorContains(t, o.SetModel(v), `"Vishing model" applies to no indicator type (its MISP attribute types: phone-number, prtn)`)
}
