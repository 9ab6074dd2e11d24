package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// richFeeds writes a STIX bundle with metadata and a plain list naming
// the same domain.
func richFeeds(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	stix := `{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","spec_version":"2.1",
	"id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z",
	"name":"Emotet C2","description":"Emotet C2 domain","confidence":85,"labels":["c2"],
	"pattern":"[domain-name:value = 'evil.example']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}]}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "intel.json"), []byte(stix), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plain.txt"), []byte("evil.example\n198.51.100.7\n"), 0o644))
	return dir
}

func TestFormatJSONEnriched(t *testing.T) {
	feeds := richFeeds(t)
	code, out, errs := runIOCScan(t, "GET http://a.evil.example/ from 198.51.100.7\n", "-q", "-max-age", "off", "-feed", feeds)
	require.Equal(t, 0, code, errs)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2, out)
	var obj map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &obj))
	assert.Equal(t, "evil.example", obj["indicator"])
	assert.Equal(t, 0.0, obj["offset"])
	assert.Equal(t, []any{"intel", "plain"}, obj["sources"])
	assert.Equal(t, "high", obj["confidence"], "85 in words")
	recs, _ := obj["records"].([]any)
	require.Len(t, recs, 2, "every record names its feed file: %s", lines[0])
	rec := recs[0].(map[string]any)
	assert.Equal(t, filepath.Join(feeds, "intel.json"), rec["file"])
	assert.Equal(t, map[string]any{"source": "plain", "file": filepath.Join(feeds, "plain.txt")}, recs[1])
	assert.Equal(t, "intel", rec["source"])
	assert.Equal(t, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", rec["id"])
	assert.Equal(t, "high", rec["confidence"])
	assert.Equal(t, "Emotet C2 domain", rec["description"])
	assert.Contains(t, rec["tags"], "c2")
	// the plain address: its source and its file
	assert.Equal(t, `{"file":"-","line":1,"offset":0,"start":32,"end":44,"type":"ipv4","indicator":"198.51.100.7","matched":"198.51.100.7","sources":["plain"],"records":[{"source":"plain","file":`+strconv.Quote(filepath.Join(feeds, "plain.txt"))+`}]}`, lines[1])
}

func TestFormatECS(t *testing.T) {
	feeds := richFeeds(t)
	in := "nothing here\nGET http://a.evil.example/ from 198.51.100.7\r\n198.51.100.7 again\n"
	code, out, errs := runIOCScan(t, in, "-q", "-max-age", "off", "-format", "ecs", "-feed", feeds)
	require.Equal(t, 0, code, errs)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2, "one event per line with matches: %s", out)
	type enrichment struct {
		Indicator struct {
			Type       string `json:"type"`
			Name       string `json:"name"`
			Confidence string `json:"confidence"`
			IP         string `json:"ip"`
		} `json:"indicator"`
		Matched struct {
			Atomic, Field, Type, Occurred string
		} `json:"matched"`
		IOCMatch struct {
			Start, End int
			Text       string
		} `json:"iocmatch"`
	}
	var ev struct {
		Timestamp string `json:"@timestamp"`
		Event     struct{ Original string }
		Log       struct {
			File   struct{ Path string }
			Offset *int64
		}
		Threat struct{ Enrichments []enrichment }
	}
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &ev))
	assert.Equal(t, "GET http://a.evil.example/ from 198.51.100.7", ev.Event.Original)
	assert.Equal(t, "-", ev.Log.File.Path)
	require.NotNil(t, ev.Log.Offset)
	assert.Equal(t, int64(len("nothing here\n")), *ev.Log.Offset)
	require.Len(t, ev.Threat.Enrichments, 2)
	e := ev.Threat.Enrichments[0]
	assert.Equal(t, "domain-name", e.Indicator.Type)
	assert.Equal(t, "High", e.Indicator.Confidence)
	assert.Equal(t, "evil.example", e.Matched.Atomic)
	assert.Equal(t, "message", e.Matched.Field)
	assert.Equal(t, "indicator_match_rule", e.Matched.Type)
	assert.Equal(t, ev.Timestamp, e.Matched.Occurred)
	assert.Equal(t, "a.evil.example", e.IOCMatch.Text)
	assert.Equal(t, "198.51.100.7", ev.Threat.Enrichments[1].Indicator.IP)

	require.NoError(t, json.Unmarshal([]byte(lines[1]), &ev))
	assert.Equal(t, int64(len("nothing here\nGET http://a.evil.example/ from 198.51.100.7\r\n")), *ev.Log.Offset, "offsets count the line endings")
	assert.Equal(t, "198.51.100.7 again", ev.Event.Original)

	code, _, errs = runIOCScan(t, "", "-format", "xml", "-feed", feeds)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `-format "xml": must be json or ecs`)
}

// TestFormatECSLongLine: a line matched in pieces is one event, with every
// match and its text, its offset, and no event.original (the line is not
// kept whole).
func TestFormatECSLongLine(t *testing.T) {
	smallPieces(t, 64)
	feeds := richFeeds(t)
	long := "x " + strings.Repeat("word ", 30) + "a.evil.example " + strings.Repeat("more ", 30) + "198.51.100.7 end"
	code, out, errs := runIOCScan(t, "first\n"+long+"\nz 198.51.100.7\n", "-q", "-max-age", "off", "-format", "ecs", "-feed", feeds)
	require.Equal(t, 0, code, errs)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2, out)
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &ev))
	assert.NotContains(t, ev["event"], "original")
	assert.Equal(t, float64(len("first\n")), ev["log"].(map[string]any)["offset"])
	enr := ev["threat"].(map[string]any)["enrichments"].([]any)
	require.Len(t, enr, 2)
	for i, want := range []string{"a.evil.example", "198.51.100.7"} {
		im := enr[i].(map[string]any)["iocmatch"].(map[string]any)
		assert.Equal(t, want, im["text"])
		assert.Equal(t, want, long[int(im["start"].(float64)):int(im["end"].(float64))])
	}
	ev = nil
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &ev))
	assert.Equal(t, "z 198.51.100.7", ev["event"].(map[string]any)["original"])
	assert.Equal(t, float64(len("first\n"+long+"\n")), ev["log"].(map[string]any)["offset"])
}

// TestFormatJSONLongLineOffset: the matches of a line matched in pieces
// carry the line's offset too.
func TestFormatJSONLongLineOffset(t *testing.T) {
	smallPieces(t, 64)
	long := "x " + strings.Repeat("word ", 30) + "a.evil.example end"
	code, out, errs := runIOCScan(t, "first\n"+long+"\n", "-q", "-max-age", "off", "-feed", richFeeds(t))
	require.Equal(t, 0, code, errs)
	var obj map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSuffix(out, "\n")), &obj), out)
	assert.Equal(t, float64(len("first\n")), obj["offset"])
	assert.Equal(t, 2.0, obj["line"])
	assert.Equal(t, "a.evil.example", obj["matched"])
}

// TestFormatECSValidates runs -format ecs on the project's sample logs and
// checks every event with the shared ECS validator, when python3 and it
// are there.
func TestFormatECSValidates(t *testing.T) {
	validator := "/work/shared/schemas/validate.py"
	if _, err := os.Stat(validator); err != nil {
		t.Skip("no ECS validator:", err)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	files, err := filepath.Glob(filepath.Join(logs, "*"))
	require.NoError(t, err)
	code, out, errs := runIOCScan(t, "", append([]string{"-q", "-max-age", "off", "-format", "ecs", "-feed", lists}, files...)...)
	require.Equal(t, 0, code, errs)
	events := filepath.Join(t.TempDir(), "events.ndjson")
	require.NoError(t, os.WriteFile(events, []byte(out), 0o644))
	res, err := exec.Command(py, validator, "ecs", events, "--allow-prefix", "log.offset", "--allow-prefix", "threat.enrichments.iocmatch",
		"--require", "event.original", "--require", "log.offset").CombinedOutput()
	require.NoError(t, err, "%s", res)
	assert.Contains(t, string(res), "ecs: "+strconv.Itoa(strings.Count(out, "\n"))+" events")
	assert.Contains(t, string(res), " 0 problems")
}
