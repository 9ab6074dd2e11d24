package encode_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

func nidsPolicy(t testing.TB) *age.Policy {
	t.Helper()
	m, ok := age.LookupModel("NIDS Simple")
	require.True(t, ok)
	p, err := age.New(age.Options{Model: &m})
	require.NoError(t, err)
	return p
}

// scoredSet is a domain with two dated records (one at confidence 100)
// and one source-only one, and an address of one dated record.
func scoredSet(t testing.TB) *match.Matcher {
	t.Helper()
	m, err := match.Compile([]indicator.Indicator{
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "feedB", LastSeen: t1}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "feedA", LastSeen: t1, Confidence: indicator.MustConfidence(100)}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "plain"}},
		{Type: indicator.IPv4, Value: "198.51.100.7", Meta: indicator.Meta{Source: "ips", FirstSeen: t1}},
	}, match.Options{})
	require.NoError(t, err)
	return m
}

func TestJSONScore(t *testing.T) {
	m := scoredSet(t)
	line := []byte("GET http://a.EVIL.example/ from 198.51.100.7")
	xs := m.AppendMatches(nil, line)
	require.Len(t, xs, 2)
	now := t1.Add(24 * time.Hour)
	enc := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return now }, Scorer: nidsPolicy(t)})
	ln := encode.Line{File: "a.log", Number: 1, Offset: -1, Text: line}

	// one day on: base 80 scores 72.7, base 100 scores 90.9; the entry's
	// score is its best record's, the undated plain one's 80
	got := string(enc.AppendJSON(nil, ln, xs[0]))
	want := `{"file":"a.log","line":1,"start":11,"end":25,"type":"domain","indicator":"evil.example","matched":"a.EVIL.example",` +
		`"score":90.9,"sources":["feedA","feedB","plain"],"confidence":"high",` +
		`"records":[{"source":"feedB","last_seen":"2024-01-02T03:04:05Z","score":72.7},` +
		`{"source":"feedA","confidence":"high","last_seen":"2024-01-02T03:04:05Z","score":90.9}]}`
	assert.Equal(t, want, got)
	require.True(t, json.Valid([]byte(got)))

	got = string(enc.AppendJSON(nil, ln, xs[1]))
	assert.Equal(t, `{"file":"a.log","line":1,"start":32,"end":44,"type":"ipv4","indicator":"198.51.100.7","matched":"198.51.100.7",`+
		`"score":72.7,"sources":["ips"],"records":[{"source":"ips","first_seen":"2024-01-02T03:04:05Z","score":72.7}]}`, got)

	// the clock moves on, the cached parts stay: 30 days, 40.0 and 50.0;
	// 120 days: 0, and the entry's score is the undated record's 80
	now = t1.Add(30 * 24 * time.Hour)
	var obj struct {
		Score   float64
		Records []struct{ Score float64 }
	}
	require.NoError(t, json.Unmarshal(enc.AppendJSON(nil, ln, xs[0]), &obj))
	assert.Equal(t, 80.0, obj.Score)
	assert.Equal(t, []float64{40, 50}, []float64{obj.Records[0].Score, obj.Records[1].Score})
	now = t1.Add(200 * 24 * time.Hour)
	require.NoError(t, json.Unmarshal(enc.AppendJSON(nil, ln, xs[0]), &obj))
	assert.Equal(t, 80.0, obj.Score)
	assert.Equal(t, []float64{0, 0}, []float64{obj.Records[0].Score, obj.Records[1].Score})

	// no scorer: no score field
	plain := string(encode.NewEncoder(m, encode.Options{}).AppendJSON(nil, ln, xs[0]))
	assert.NotContains(t, plain, "score")
	// a scorer whose model applies to nothing: no score field either
	none, err := age.New(age.Options{})
	require.NoError(t, err)
	assert.Equal(t, plain, string(encode.NewEncoder(m, encode.Options{Scorer: none}).AppendJSON(nil, ln, xs[0])))

	// no allocation once cached, dst with room
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		for _, x := range xs {
			buf = enc.AppendJSON(buf[:0], ln, x)
		}
		buf = enc.AppendECS(buf[:0], ln, xs)
	})
	assert.Zero(t, allocs)
}

// TestJSONScoreManyRecords: a record shown at any place of the pages
// gets its own score; records past MaxEntryIndicators are counted only.
func TestJSONScoreManyRecords(t *testing.T) {
	var inds []indicator.Indicator
	for i := range 20 {
		mt := indicator.Meta{Source: "s" + string(rune('a'+i)), LastSeen: t1.Add(-time.Duration(i) * 24 * time.Hour)}
		if i%3 == 0 {
			mt = indicator.Meta{Source: mt.Source} // not shown
		}
		inds = append(inds, indicator.Indicator{Type: indicator.Domain, Value: "evil.example", Meta: mt})
	}
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	pol := nidsPolicy(t)
	xs := m.AppendMatches(nil, []byte("evil.example"))
	require.Len(t, xs, 1)
	enc := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return t1 }, Scorer: pol})
	var obj struct {
		Score   float64
		Records []struct {
			Source, LastSeen string
			Score            float64
		}
		MoreRecords int `json:"more_records"`
	}
	require.NoError(t, json.Unmarshal(enc.AppendJSON(nil, encode.Line{Offset: -1}, xs[0]), &obj))
	require.Len(t, obj.Records, 13) // 20 records, 7 without detail
	for _, r := range obj.Records {
		i := int(r.Source[1] - 'a')
		want := pol.Model(indicator.Domain, "").Score(80, time.Duration(i)*24*time.Hour)
		assert.InDelta(t, want, r.Score, 0.05, r.Source)
	}
	assert.Equal(t, 80.0, obj.Score)
}

func TestECSScore(t *testing.T) {
	m := scoredSet(t)
	line := []byte("GET http://a.EVIL.example/ from 198.51.100.7")
	xs := m.AppendMatches(nil, line)
	now := t1.Add(24 * time.Hour)
	enc := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return now }, Scorer: nidsPolicy(t)})
	out := enc.AppendECS(nil, encode.Line{File: "a.log", Offset: -1, Text: line}, xs)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(out, &ev), "%s", out)
	got := map[string]any{}
	flatten("", ev, got)
	assert.Equal(t, 90.9, got["threat.enrichments[0].iocmatch.score"])
	assert.Equal(t, 72.7, got["threat.enrichments[1].iocmatch.score"])
	plain := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return now }}).AppendECS(nil, encode.Line{File: "a.log", Offset: -1, Text: line}, xs)
	assert.NotContains(t, string(plain), "score")

	validator := "/work/shared/schemas/validate.py"
	py, err := exec.LookPath("python3")
	if _, serr := os.Stat(validator); serr != nil || err != nil {
		t.Skip("no ECS validator or python3")
	}
	file := filepath.Join(t.TempDir(), "events.ndjson")
	require.NoError(t, os.WriteFile(file, append(bytes.Clone(out), '\n'), 0o644))
	res, err := exec.Command(py, validator, "ecs", file, "--allow-prefix", "threat.enrichments.iocmatch").CombinedOutput()
	require.NoError(t, err, "%s", res)
	assert.Contains(t, string(res), " 0 problems")
}
