package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/hits"
)

// sharedValidator is ../shared/schemas/validate.py beside the repository,
// or "" when it (or python3) is not there.
func sharedValidator(t *testing.T) (python, script string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", ""
	}
	for _, p := range []string{"../../../shared/schemas/validate.py", "/work/shared/schemas/validate.py"} {
		if _, err := os.Stat(p); err == nil {
			abs, _ := filepath.Abs(p)
			return py, abs
		}
	}
	return "", ""
}

// TestFeedbackExports: -stats, -sightings (STIX and MISP) and -roi of a
// one-shot run on two feeds, every number checked; a second run with the
// same -stats file adds to its counts.
func TestFeedbackExports(t *testing.T) {
	dir := t.TempDir()
	feedA := writeFile(t, dir, "a.txt", "evil.example\n198.51.100.7\n")
	feedB := writeFile(t, dir, "b.txt", "evil.example\nonly-b.example\n")
	log := "GET http://x.evil.example/ from 198.51.100.7\nx.evil.example again\nonly-b.example\nnothing\n"
	stats, stix, misp, roiMD, roiJSON := filepath.Join(dir, "stats.json"), filepath.Join(dir, "s.json"), filepath.Join(dir, "m.json"), filepath.Join(dir, "roi.md"), filepath.Join(dir, "roi.json")
	const now = "2026-12-01T12:00:00Z"
	args := []string{"-q", "-now", now, "-feed", feedA, "-feed", feedB, "-stats", stats, "-sensor", "test-sensor", "-roi", roiJSON}
	code, _, errs := runIOCScan(t, log, append(args, "-sightings", stix)...)
	require.Equal(t, 0, code, errs)

	f, err := hits.ReadFile(stats)
	require.NoError(t, err)
	counts := map[string]int64{}
	for _, e := range f.Entries {
		counts[e.Value] = e.Count
		assert.Equal(t, now, e.LastHit.UTC().Format(time.RFC3339), e.Value)
	}
	assert.Equal(t, map[string]int64{"evil.example": 2, "198.51.100.7": 1, "only-b.example": 1}, counts, "hits are lines")

	var b struct {
		Type    string           `json:"type"`
		Objects []map[string]any `json:"objects"`
	}
	data, err := os.ReadFile(stix)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(data), "\n"), "one document: one period")
	require.NoError(t, json.Unmarshal(data, &b))
	assert.Equal(t, "bundle", b.Type)
	sighted := map[string]float64{}
	for _, o := range b.Objects {
		if o["type"] == "sighting" {
			sighted[o["sighting_of_ref"].(string)] = o["count"].(float64)
		}
		if o["type"] == "identity" {
			assert.Equal(t, "test-sensor", o["name"])
		}
	}
	assert.Len(t, sighted, 3)
	for _, c := range sighted {
		assert.Contains(t, []float64{1, 2}, c)
	}
	if py, script := sharedValidator(t); script != "" {
		out, err := exec.Command(py, script, "stix-sightings", stix).CombinedOutput()
		assert.NoError(t, err, "%s", out)
	}

	var r struct {
		Feeds []struct {
			Source     string `json:"source"`
			Loaded     int    `json:"loaded"`
			Hits       int64  `json:"hits"`
			UniqueHits int64  `json:"unique_hits"`
		} `json:"feeds"`
	}
	data, err = os.ReadFile(roiJSON)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &r), "%s", data)
	got := map[string][3]int64{}
	for _, fd := range r.Feeds {
		got[fd.Source] = [3]int64{int64(fd.Loaded), fd.Hits, fd.UniqueHits}
	}
	// a: evil.example (2, shared with b) and 198.51.100.7 (1, its own);
	// b: evil.example (2) and only-b.example (1, its own)
	assert.Equal(t, map[string][3]int64{"a": {2, 3, 1}, "b": {2, 3, 1}}, got, "a plain list's source is its base name")

	// the same run again: the counts of the -stats file go on; MISP
	// sightings; a markdown ROI
	code, _, errs = runIOCScan(t, log, "-q", "-now", now, "-feed", feedA, "-feed", feedB, "-stats", stats, "-sightings", misp, "-sightings-format", "misp", "-sensor", "test-sensor", "-roi", roiMD)
	require.Equal(t, 0, code, errs)
	f, err = hits.ReadFile(stats)
	require.NoError(t, err)
	for _, e := range f.Entries {
		assert.Equal(t, 2*counts[e.Value], e.Count, e.Value)
	}
	var bodies []map[string]any
	data, err = os.ReadFile(misp)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &bodies), "%s", data)
	require.Len(t, bodies, 3)
	for _, body := range bodies {
		assert.Equal(t, "test-sensor", body["source"])
		assert.Equal(t, "0", body["type"])
		assert.NotEmpty(t, body["values"])
	}
	md, err := os.ReadFile(roiMD)
	require.NoError(t, err)
	assert.Contains(t, string(md), "| a | 2 | 0 | 0 | 0 | 2 | 6 | 1 | 2 | 0 (0.0%) | 0 |\n", "loaded 2, hit 2, 6 hits after the restore, 1 unique with 2 hits")

	code, _, errs = runIOCScan(t, log, "-sightings-format", "csv", "-feed", feedA)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "-sightings-format: ")
	require.NoError(t, os.WriteFile(stats, []byte(`{"version":1,"entries":[{"type":"planet","value":"x","count":1}]}`), 0o644))
	code, _, errs = runIOCScan(t, log, "-stats", stats, "-feed", feedA)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "-stats: hits: "+stats+":1: ", "a bad -stats file is an error naming it and the line")
}

// TestCLIFeedbackSignal: in a -follow run SIGUSR1 writes -stats and one
// period of -sightings at once; SIGTERM writes the last period.
func TestCLIFeedbackSignal(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n")
	app := writeFile(t, dir, "app.log", "a.evil.example\n")
	stats, sight := filepath.Join(dir, "stats.json"), filepath.Join(dir, "s.json")
	p := start(t, nil, "-follow", "-poll", "20ms", "-stats-interval", "0", "-stats", stats, "-sightings", sight, "-feed", feed, app)
	p.next(1)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGUSR1))
	deadline := time.Now().Add(maxWait)
	for {
		if f, err := hits.ReadFile(stats); err == nil && len(f.Entries) == 1 && f.Entries[0].Count == 1 {
			break
		}
		require.False(t, time.Now().After(deadline), "no -stats after SIGUSR1:\n%s", p.stderr())
		time.Sleep(10 * time.Millisecond)
	}
	appendFile(t, app, "b.evil.example\n")
	p.next(1)
	code, _, errs := p.signal(syscall.SIGTERM)
	require.Equal(t, 0, code, errs)
	f, err := hits.ReadFile(stats)
	require.NoError(t, err)
	require.Len(t, f.Entries, 1)
	assert.EqualValues(t, 2, f.Entries[0].Count)
	data, err := os.ReadFile(sight)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Len(t, lines, 2, "a period up to SIGUSR1, one to the end")
	for i, l := range lines {
		var b struct {
			Objects []map[string]any `json:"objects"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &b))
		n := 0
		for _, o := range b.Objects {
			if o["type"] == "sighting" {
				n++
				assert.EqualValues(t, 1, o["count"], "period %d", i)
			}
		}
		assert.Equal(t, 1, n, "period %d", i)
	}
}
