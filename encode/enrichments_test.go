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

	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// TestEnrichmentsAsECS checks that AppendEnrichments writes exactly the
// threat.enrichments of AppendECS's event, but for matched.field.
func TestEnrichmentsAsECS(t *testing.T) {
	m := richSet(t)
	line := []byte("GET http://a.EVIL.example/ from 198.51.100.7")
	xs := m.AppendMatches(nil, line)
	require.Len(t, xs, 2)
	enc := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return t1 }})
	texts := [][]byte{line[xs[0].Start:xs[0].End], line[xs[1].Start:xs[1].End]}

	var ev struct {
		Threat struct {
			Enrichments []map[string]any `json:"enrichments"`
		} `json:"threat"`
	}
	require.NoError(t, json.Unmarshal(enc.AppendECS(nil, encode.Line{Text: line, Offset: -1}, xs), &ev))

	var arr []map[string]any
	out := enc.AppendEnrichments(nil, xs, texts, "")
	require.NoError(t, json.Unmarshal(out, &arr), "%s", out)
	assert.Equal(t, ev.Threat.Enrichments, arr, `field "" is "message", as in the event`)

	out = enc.AppendEnrichments([]byte("x="), xs, texts, `url.original`)
	require.True(t, bytes.HasPrefix(out, []byte("x=[")), "appends to dst")
	require.NoError(t, json.Unmarshal(out[2:], &arr), "%s", out)
	require.Len(t, arr, 2)
	for i := range arr {
		assert.Equal(t, "url.original", arr[i]["matched"].(map[string]any)["field"])
		arr[i]["matched"].(map[string]any)["field"] = "message"
	}
	assert.Equal(t, ev.Threat.Enrichments, arr, "only matched.field differs")
	assert.Equal(t, "a.EVIL.example", arr[0]["iocmatch"].(map[string]any)["text"])

	// one element, a field name that needs escaping
	one := enc.AppendEnrichment(nil, xs[1], texts[1], `a"b`)
	var el map[string]any
	require.NoError(t, json.Unmarshal(one, &el), "%s", one)
	assert.Equal(t, `a"b`, el["matched"].(map[string]any)["field"])
	assert.Equal(t, "198.51.100.7", el["indicator"].(map[string]any)["ip"])
	assert.Equal(t, "2024-01-02T03:04:05Z", el["matched"].(map[string]any)["occurred"])

	assert.Equal(t, "[]", string(enc.AppendEnrichments(nil, nil, nil, "message")), "no matches: an empty array")
	require.NoError(t, json.Unmarshal(enc.AppendEnrichments(nil, xs, nil, "f"), &arr))
	assert.Equal(t, "", arr[0]["iocmatch"].(map[string]any)["text"], "texts nil: empty texts")
}

// TestEnrichmentsNoAlloc checks that a cached entry's enrichments cost no
// allocation when dst has room.
func TestEnrichmentsNoAlloc(t *testing.T) {
	m := richSet(t)
	line := []byte("GET http://a.EVIL.example/ from 198.51.100.7")
	xs := m.AppendMatches(nil, line)
	texts := [][]byte{line[xs[0].Start:xs[0].End], line[xs[1].Start:xs[1].End]}
	enc := encode.NewEncoder(m, encode.Options{})
	buf := enc.AppendEnrichments(make([]byte, 0, 8192), xs, texts, "message")
	n := testing.AllocsPerRun(100, func() {
		buf = enc.AppendEnrichments(buf[:0], xs, texts, "url")
		buf = enc.AppendEnrichment(buf, xs[0], texts[0], "url")
	})
	assert.Zero(t, n)
}

// TestEnrichmentsValidate wraps the enrichments of every indicator type
// in a minimal event and checks it with the shared ECS validator, when
// python3 and it are there.
func TestEnrichmentsValidate(t *testing.T) {
	validator := "/work/shared/schemas/validate.py"
	if _, err := os.Stat(validator); err != nil {
		t.Skip("no ECS validator:", err)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	var inds []indicator.Indicator
	for _, c := range typeCases {
		inds = append(inds, indicator.Indicator{Type: c.typ, Value: c.value, Meta: indicator.Meta{Source: "f", Confidence: indicator.MustConfidence(90)}})
	}
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	enc := encode.NewEncoder(m, encode.Options{})
	var buf bytes.Buffer
	for _, c := range typeCases {
		l := []byte(c.line)
		xs := m.AppendMatches(nil, l)
		require.NotEmpty(t, xs, c.line)
		texts := make([][]byte, len(xs))
		for i, x := range xs {
			texts[i] = l[x.Start:x.End]
		}
		buf.WriteString(`{"@timestamp":"2024-01-02T03:04:05Z","message":`)
		js, _ := json.Marshal(c.line)
		buf.Write(js)
		buf.WriteString(`,"threat":{"enrichments":`)
		buf.Write(enc.AppendEnrichments(nil, xs, texts, "message"))
		buf.WriteString("}}\n")
	}
	file := filepath.Join(t.TempDir(), "events.ndjson")
	require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))
	out, err := exec.Command(py, validator, "ecs", file, "--allow-prefix", "threat.enrichments.iocmatch",
		"--require", "threat.enrichments.matched.atomic").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), " 0 problems")
}
