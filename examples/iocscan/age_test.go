package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAgeFlags: -max-age over the default max ages, "off", -decay by name
// and by file with the score in the output, and bad values.
func TestAgeFlags(t *testing.T) {
	dir := t.TempDir()
	// last seen 2026-11-01: 30 days before -now
	feed := filepath.Join(dir, "seen.csv")
	require.NoError(t, os.WriteFile(feed, []byte("ioc_type,value,last_seen\nipv4,203.0.113.9,2026-11-01 00:00:00\ndomain,c2.evil.example,2026-11-01 00:00:00\nsha256,"+strings.Repeat("ab", 32)+",2026-11-01 00:00:00\n"), 0o644))
	in := "203.0.113.9 c2.evil.example " + strings.Repeat("ab", 32) + "\n"
	const now = "2026-12-01T00:00:01Z" // 30 days and a second after the sightings
	found := func(out string) []string {
		var got []string
		for _, r := range decode(t, out) {
			got = append(got, r.Type)
		}
		return got
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"domain", "sha256"}}, // the address is past its 30 days
		{[]string{"-max-age", "ip=31d"}, []string{"ipv4", "domain", "sha256"}},
		{[]string{"-max-age", "domain=2w,hash=off"}, []string{"sha256"}},
		{[]string{"-max-age", "all=29d"}, nil},
		{[]string{"-max-age", "off"}, []string{"ipv4", "domain", "sha256"}},
	} {
		code, out, errs := runIOCScan(t, in, append(append([]string{"-now", now}, c.args...), "-feed", feed)...)
		if c.want == nil {
			assert.Equal(t, 1, code, "%v: %s", c.args, errs)
			assert.Contains(t, errs, "warning: no indicator left to match", c.args)
		} else {
			assert.Equal(t, 0, code, "%v: %s", c.args, errs)
		}
		assert.Equal(t, c.want, found(out), "%v", c.args)
		assert.Contains(t, errs, "iocscan: ageing at 2026-12-01T00:00:01Z: ", c.args)
	}

	// NIDS Simple, base 80: one day after the last sighting the score is
	// 72.70; it covers addresses, domains and URLs, not hashes.
	code, out, errs := runIOCScan(t, in, "-now", "2026-11-02T00:00:00Z", "-decay", "NIDS Simple", "-feed", feed)
	require.Equal(t, 0, code, errs)
	scores := map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Type  string   `json:"type"`
			Score *float64 `json:"score"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		if r.Score != nil {
			scores[r.Type] = *r.Score
		} else {
			scores[r.Type] = nil
		}
	}
	assert.Equal(t, map[string]any{"ipv4": 72.7, "domain": 72.7, "sha256": nil}, scores)

	// 46.875 days after the sighting NIDS Simple's score is below 30: the
	// domain and the address stop matching (the address's 30 days as well)
	code, out, _ = runIOCScan(t, in, "-now", "2026-12-17T22:00:00Z", "-decay", "nids simple", "-max-age", "off", "-feed", feed)
	require.Equal(t, 0, code)
	assert.Equal(t, []string{"sha256"}, found(out))

	// a MISP model file: 10 days of lifetime, threshold 50
	model := filepath.Join(dir, "model.json")
	require.NoError(t, os.WriteFile(model, []byte(`{"name":"short","parameters":{"lifetime":10,"decay_speed":1,"threshold":50,"default_base_score":100}}`), 0o644))
	code, out, errs = runIOCScan(t, in, "-now", "2026-11-04T00:00:00Z", "-decay", model, "-feed", feed)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, `"score":70.0`, "100 × (1 − 3/10)")
	code, out, _ = runIOCScan(t, in, "-now", "2026-11-06T00:00:01Z", "-decay", model, "-max-age", "off", "-feed", feed)
	assert.Equal(t, 1, code)
	assert.Empty(t, out, "every type decayed below 50 after 5 days")

	// the ROI report counts what ageing took from each feed
	roiFile := filepath.Join(dir, "roi.json")
	code, _, errs = runIOCScan(t, in, "-q", "-now", now, "-roi", roiFile, "-feed", feed)
	require.Equal(t, 0, code, errs)
	data, err := os.ReadFile(roiFile)
	require.NoError(t, err)
	var r struct {
		Feeds []struct {
			Source          string
			Loaded, Expired int
			Hits            int `json:"hits"`
		} `json:"feeds"`
	}
	require.NoError(t, json.Unmarshal(data, &r), "%s", data)
	require.Len(t, r.Feeds, 1, "%s", data)
	assert.Equal(t, "seen", r.Feeds[0].Source)
	assert.Equal(t, 3, r.Feeds[0].Loaded)
	assert.Equal(t, 1, r.Feeds[0].Expired, "the address")
	assert.Equal(t, 2, r.Feeds[0].Hits)

	for _, bad := range [][]string{
		{"-max-age", "ipv4"}, {"-max-age", "ipv4=soon"}, {"-max-age", "planet=3d"},
		{"-decay", "no such model"}, {"-decay", filepath.Join(dir, "nothing.json")},
	} {
		code, _, errs := runIOCScan(t, in, append(bad, "-feed", feed)...)
		assert.Equal(t, 2, code, "%v", bad)
		assert.Contains(t, errs, bad[0]+": ", "%v: the error names the flag", bad)
	}
}
