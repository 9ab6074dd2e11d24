package encode_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// flatten turns an ECS event into dotted paths, arrays of objects
// flattened per element with the index in the path.
func flatten(prefix string, v any, out map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, x, out)
		}
	case []any:
		if len(v) > 0 {
			if _, ok := v[0].(map[string]any); ok {
				for i, x := range v {
					flatten(prefix+"["+string(rune('0'+i))+"]", x, out)
				}
				return
			}
		}
		out[prefix] = v
	default:
		out[prefix] = v
	}
}

// typeCases is one indicator of every type, the line that holds it, and
// the ECS indicator fields it gives beyond name, provider and the rest.
var typeCases = []struct {
	typ    indicator.Type
	value  string
	line   string
	fields map[string]any
}{
	{indicator.IPv4, "198.51.100.7", "src=198.51.100.7", map[string]any{"type": "ipv4-addr", "ip": "198.51.100.7"}},
	{indicator.IPv6, "2001:db8::1", "src=2001:db8::1 ok", map[string]any{"type": "ipv6-addr", "ip": "2001:db8::1"}},
	{indicator.CIDR, "203.0.113.0/24", "src=203.0.113.9", map[string]any{"type": "ipv4-addr"}},
	{indicator.CIDR, "2001:db8:1::/48", "src=2001:db8:1::5 ok", map[string]any{"type": "ipv6-addr"}},
	{indicator.Domain, "evil.example", "q a.evil.example", map[string]any{"type": "domain-name", "url.domain": "evil.example"}},
	{indicator.URL, "http://phish.example/login", "GET http://phish.example/login?u=1", map[string]any{"type": "url", "url.full": "http://phish.example/login"}},
	{indicator.Email, "bad@evil.example", "from bad@evil.example", map[string]any{"type": "email-addr", "email.address": "bad@evil.example"}},
	{indicator.MD5, "d41d8cd98f00b204e9800998ecf8427e", "md5=d41d8cd98f00b204e9800998ecf8427e", map[string]any{"type": "file", "file.hash.md5": "d41d8cd98f00b204e9800998ecf8427e"}},
	{indicator.SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709", map[string]any{"type": "file", "file.hash.sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}},
	{indicator.SHA256, strings.Repeat("ab", 32), "h=" + strings.Repeat("AB", 32), map[string]any{"type": "file", "file.hash.sha256": strings.Repeat("ab", 32)}},
	{indicator.SHA512, strings.Repeat("cd", 64), "h=" + strings.Repeat("cd", 64), map[string]any{"type": "file", "file.hash.sha512": strings.Repeat("cd", 64)}},
	{indicator.Filename, "dropper.exe", `C:\Temp\dropper.exe ran`, map[string]any{"type": "file", "file.name": "dropper.exe"}},
	{indicator.RegKey, `HKLM\Software\Evil`, `set HKEY_LOCAL_MACHINE\Software\Evil ok`, map[string]any{"type": "windows-registry-key",
		"registry.path": `HKLM\Software\Evil`, "registry.hive": "HKLM", "registry.key": `Software\Evil`}},
	{indicator.Mutex, "Global\\EvilMutex", "mutex Global\\EvilMutex", map[string]any{"type": "mutex"}},
	{indicator.UserAgent, "BadBot/1.0", `"BadBot/1.0"`, map[string]any{"type": "software"}},
	{indicator.EmailSubject, "Invoice overdue", "subject: Invoice overdue", map[string]any{}},
	{indicator.String, "evil-marker", "x evil-marker y", map[string]any{}},
}

func TestECSFields(t *testing.T) {
	now := t2
	for _, c := range typeCases {
		t.Run(c.typ.String()+"/"+c.value, func(t *testing.T) {
			m, err := match.Compile([]indicator.Indicator{
				{Type: c.typ, Value: c.value, Meta: indicator.Meta{Source: "feedA", Confidence: indicator.MustConfidence(75),
					TLP: indicator.TLPAmberStrict, Severity: indicator.SeverityCritical, Tags: []string{"t1"},
					ThreatActor: "APT-X", MalwareFamily: "Emotet", Techniques: []string{"T1566"},
					FirstSeen: t1, LastSeen: t2, Description: "d", Reference: "https://r.example/"}},
				{Type: c.typ, Value: c.value, Meta: indicator.Meta{Source: "feedB", Confidence: indicator.MustConfidence(10)}},
			}, match.Options{})
			require.NoError(t, err)
			line := []byte(c.line)
			xs := m.AppendMatches(nil, line)
			require.Len(t, xs, 1, "%s in %q", c.value, c.line)
			out := encode.AppendECS(nil, m, encode.Line{File: "/var/log/x.log", Number: 3, Offset: 99, Text: line}, xs, now)
			var ev map[string]any
			require.NoError(t, json.Unmarshal(out, &ev), "%s", out)
			got := map[string]any{}
			flatten("", ev, got)
			ind := m.Entry(xs[0].ID).Value
			want := map[string]any{
				"@timestamp":                           "2024-03-04T04:06:07.5Z",
				"event.kind":                           "alert",
				"event.category":                       []any{"threat"},
				"event.type":                           []any{"indicator"},
				"event.original":                       c.line,
				"log.file.path":                        "/var/log/x.log",
				"log.offset":                           99.0,
				"threat.enrichments[0].indicator.name": ind,
				"threat.enrichments[0].indicator.provider":    []any{"feedA", "feedB"},
				"threat.enrichments[0].indicator.confidence":  "High",
				"threat.enrichments[0].indicator.marking.tlp": "AMBER+STRICT",
				"threat.enrichments[0].indicator.first_seen":  "2024-01-02T03:04:05Z",
				"threat.enrichments[0].indicator.last_seen":   "2024-03-04T04:06:07.5Z",
				"threat.enrichments[0].indicator.description": "d",
				"threat.enrichments[0].indicator.reference":   "https://r.example/",
				"threat.enrichments[0].matched.atomic":        ind,
				"threat.enrichments[0].matched.field":         "message",
				"threat.enrichments[0].matched.type":          "indicator_match_rule",
				"threat.enrichments[0].matched.occurred":      "2024-03-04T04:06:07.5Z",
				"threat.enrichments[0].iocmatch.type":         c.typ.String(),
				"threat.enrichments[0].iocmatch.start":        float64(xs[0].Start),
				"threat.enrichments[0].iocmatch.end":          float64(xs[0].End),
				"threat.enrichments[0].iocmatch.text":         c.line[xs[0].Start:xs[0].End],
				"threat.enrichments[0].iocmatch.severity":     "critical",
				"threat.enrichments[0].iocmatch.tags":         []any{"t1"},
				"threat.group.name":                           []any{"APT-X"},
				"threat.software.name":                        []any{"Emotet"},
				"threat.technique.id":                         []any{"T1566"},
			}
			for k, v := range c.fields {
				want["threat.enrichments[0].indicator."+k] = v
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestECSLine(t *testing.T) {
	m := richSet(t)
	line := []byte("GET http://a.EVIL.example/ from 198.51.100.7")
	xs := m.AppendMatches(nil, line)
	require.Len(t, xs, 2)
	enc := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return t1 }})
	assert.Empty(t, enc.AppendECS(nil, encode.Line{Text: line}, nil), "no matches, no event")

	// two enrichments in match order; one source: provider is a string;
	// no text: no event.original, the texts given
	out := enc.AppendECSText(nil, encode.Line{File: "-", Number: 1, Offset: -1}, xs, [][]byte{[]byte("A"), []byte("B")})
	var ev map[string]any
	require.NoError(t, json.Unmarshal(out, &ev), "%s", out)
	got := map[string]any{}
	flatten("", ev, got)
	assert.NotContains(t, got, "event.original")
	assert.NotContains(t, got, "log.offset")
	assert.Equal(t, "A", got["threat.enrichments[0].iocmatch.text"])
	assert.Equal(t, "B", got["threat.enrichments[1].iocmatch.text"])
	assert.Equal(t, "ips", got["threat.enrichments[1].indicator.provider"])
	assert.Equal(t, "198.51.100.7", got["threat.enrichments[1].indicator.ip"])
	assert.NotContains(t, got, "threat.enrichments[1].indicator.confidence", "unknown confidence is omitted")
	assert.Equal(t, "Medium", got["threat.enrichments[0].indicator.confidence"])
	assert.Equal(t, "AMBER", got["threat.enrichments[0].indicator.marking.tlp"])
	assert.Equal(t, "2024-01-02T03:04:05Z", got["@timestamp"], "the clock of Options.Now")
}

// TestECSValidates writes events for every indicator type and checks them
// with the shared ECS validator, when python3 and it are there.
func TestECSValidates(t *testing.T) {
	validator := "/work/shared/schemas/validate.py"
	if _, err := os.Stat(validator); err != nil {
		t.Skip("no ECS validator:", err)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	var inds []indicator.Indicator
	var lines []string
	for _, c := range typeCases {
		inds = append(inds, indicator.Indicator{Type: c.typ, Value: c.value, Meta: indicator.Meta{
			Source: "f-" + c.typ.String(), Confidence: indicator.MustConfidence(50), TLP: indicator.TLPGreen,
			FirstSeen: t1, LastSeen: t2, Tags: []string{"x"}, ThreatActor: "A", MalwareFamily: "M", Techniques: []string{"T1"}}})
		inds = append(inds, indicator.Indicator{Type: c.typ, Value: c.value, Meta: indicator.Meta{Source: "second"}})
		lines = append(lines, c.line)
	}
	lines = append(lines, "all at once: "+strings.Join(lines, " "))
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	enc := encode.NewEncoder(m, encode.Options{})
	var buf bytes.Buffer
	for i, l := range lines {
		xs := m.AppendMatches(nil, []byte(l))
		require.NotEmpty(t, xs, l)
		buf.Write(enc.AppendECS(nil, encode.Line{File: "x.log", Number: i + 1, Offset: int64(i * 100), Text: []byte(l)}, xs))
		buf.WriteByte('\n')
	}
	file := filepath.Join(t.TempDir(), "events.ndjson")
	require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))
	out, err := exec.Command(py, validator, "ecs", file,
		"--allow-prefix", "log.offset", "--allow-prefix", "threat.enrichments.iocmatch",
		"--require", "threat.enrichments.matched.atomic", "--require", "event.original").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "ecs: 18 events")
	assert.Contains(t, string(out), " 0 problems")

	// and the validator does catch a wrong type: the test can fail
	bad := filepath.Join(t.TempDir(), "bad.ndjson")
	require.NoError(t, os.WriteFile(bad, bytes.ReplaceAll(buf.Bytes(), []byte(`"ipv4-addr"`), []byte(`"ipv4"`)), 0o644))
	out, err = exec.Command(py, validator, "ecs", bad, "--allow-prefix", "log.offset", "--allow-prefix", "threat.enrichments.iocmatch").CombinedOutput()
	assert.Error(t, err, "%s", out)
}
