package encode_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

var (
	t1 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 = time.Date(2024, 3, 4, 5, 6, 7, 500_000_000, time.FixedZone("x", 3600))
)

// richSet is a domain with two detailed records and one source-only one,
// and a plain IPv4 address.
func richSet(t testing.TB) *match.Matcher {
	t.Helper()
	m, err := match.Compile([]indicator.Indicator{
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{
			Source: "feedB", ID: "indicator--1", Confidence: indicator.MustConfidence(40), Severity: indicator.SeverityHigh,
			TLP: indicator.TLPAmber, Tags: []string{"c2", ""}, ThreatActor: "APT-X", MalwareFamily: "Emotet",
			Techniques: []string{"T1071.001"}, FirstSeen: t1, LastSeen: t2, Description: "C2 \"gate\"",
			Reference: "https://ref.example/1"}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "plain"}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{
			Source: "feedA", Confidence: indicator.MustConfidence(0), TLP: indicator.TLPClear, Severity: indicator.SeverityLow}},
		{Type: indicator.IPv4, Value: "198.51.100.7", Meta: indicator.Meta{Source: "ips"}},
	}, match.Options{})
	require.NoError(t, err)
	return m
}

func TestJSONFields(t *testing.T) {
	m := richSet(t)
	line := []byte("GET http://a.EVIL.example/ from 198.51.100.7")
	xs := m.AppendMatches(nil, line)
	require.Len(t, xs, 2)
	enc := encode.NewEncoder(m, encode.Options{})
	ln := encode.Line{File: "logs/a.log", Number: 7, Offset: 1234, Text: line}

	got := string(enc.AppendJSON(nil, ln, xs[0]))
	want := `{"file":"logs/a.log","line":7,"offset":1234,"start":11,"end":25,"type":"domain","indicator":"evil.example","matched":"a.EVIL.example",` +
		`"sources":["feedA","feedB","plain"],"confidence":"medium","severity":"high","tlp":"amber",` +
		`"records":[{"source":"feedB","id":"indicator--1","confidence":"medium","severity":"high","tlp":"amber","tags":["c2"],` +
		`"threat_actor":"APT-X","malware_family":"Emotet","techniques":["T1071.001"],"first_seen":"2024-01-02T03:04:05Z",` +
		`"last_seen":"2024-03-04T04:06:07.5Z","description":"C2 \"gate\"","reference":"https://ref.example/1"},` +
		`{"source":"feedA","confidence":"none","severity":"low","tlp":"clear"}]}`
	assert.Equal(t, want, got)
	var obj map[string]any
	require.NoError(t, json.Unmarshal([]byte(got), &obj), "valid JSON")
	assert.Equal(t, "a.EVIL.example", obj["matched"])

	// the cached parts give the same bytes, and the stateless function too
	assert.Equal(t, want, string(enc.AppendJSON(nil, ln, xs[0])))
	assert.Equal(t, want, string(encode.AppendJSON(nil, m, ln, xs[0])))
	// AppendJSON appends
	assert.Equal(t, "x"+want, string(enc.AppendJSON([]byte("x"), ln, xs[0])))

	// a plain entry: nothing but sources; an unknown offset is omitted
	ln.Offset = -1
	assert.Equal(t, `{"file":"logs/a.log","line":7,"start":32,"end":44,"type":"ipv4","indicator":"198.51.100.7","matched":"198.51.100.7","sources":["ips"]}`,
		string(enc.AppendJSON(nil, ln, xs[1])))
	// the text given
	assert.Equal(t, `{"file":"logs/a.log","line":7,"start":32,"end":44,"type":"ipv4","indicator":"198.51.100.7","matched":"X","sources":["ips"]}`,
		string(enc.AppendJSONText(nil, encode.Line{File: "logs/a.log", Number: 7, Offset: -1}, xs[1], []byte("X"))))
	// no text at all: empty, no panic
	assert.Contains(t, string(enc.AppendJSON(nil, encode.Line{File: "f", Offset: -1}, xs[1])), `"matched":""`)
}

func TestJSONMoreRecords(t *testing.T) {
	var inds []indicator.Indicator
	for i := range match.MaxEntryIndicators + 5 {
		inds = append(inds, indicator.Indicator{Type: indicator.MD5, Value: "d41d8cd98f00b204e9800998ecf8427e",
			Meta: indicator.Meta{Source: "misp", ID: string(rune('a' + i))}})
	}
	inds = append(inds, indicator.Indicator{Type: indicator.MD5, Value: "d41d8cd98f00b204e9800998ecf8427e", Meta: indicator.Meta{Source: "plain"}})
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	line := []byte("md5=d41d8cd98f00b204e9800998ecf8427e")
	xs := m.AppendMatches(nil, line)
	require.Len(t, xs, 1)
	var obj struct {
		Sources []string         `json:"sources"`
		Records []map[string]any `json:"records"`
		More    int              `json:"more_records"`
	}
	require.NoError(t, json.Unmarshal(encode.AppendJSON(nil, m, encode.Line{Text: line}, xs[0]), &obj))
	assert.Equal(t, []string{"misp", "plain"}, obj.Sources)
	require.Len(t, obj.Records, match.MaxEntryIndicators)
	assert.Equal(t, "a", obj.Records[0]["id"])
	assert.Equal(t, string(rune('a'+match.MaxEntryIndicators-1)), obj.Records[match.MaxEntryIndicators-1]["id"])
	assert.Equal(t, 5, obj.More, "the records left out are counted")
}

func TestConfidenceLevel(t *testing.T) {
	for _, c := range []struct {
		v    int
		want string
	}{{0, "None"}, {1, "Low"}, {29, "Low"}, {30, "Medium"}, {69, "Medium"}, {70, "High"}, {100, "High"}} {
		assert.Equal(t, c.want, encode.ConfidenceLevel(indicator.MustConfidence(c.v)), "%d", c.v)
	}
	assert.Equal(t, "Not Specified", encode.ConfidenceLevel(indicator.ConfidenceUnknown))
}

func TestStringEscapes(t *testing.T) {
	m, err := match.Compile([]indicator.Indicator{{Type: indicator.String, Value: "bad"}}, match.Options{})
	require.NoError(t, err)
	for _, s := range []string{"", "plain", "q\"b\\s", "\x00\x01\x1f\x7f", "tab\tnl\ncr\r", "é ü 日本", "\xff\xfe", "\u2028\u2029", "<>&"} {
		line := []byte("bad" + s)
		xs := m.AppendMatches(nil, line)
		require.Len(t, xs, 1)
		var obj struct {
			File  string `json:"file"`
			Event struct {
				Original string `json:"original"`
			} `json:"event"`
		}
		out := encode.AppendECS(nil, m, encode.Line{File: s, Text: line, Offset: -1}, xs, t1)
		require.NoError(t, json.Unmarshal(out, &obj), "%q -> %s", s, out)
		want, _ := json.Marshal(string(line)) // encoding/json replaces invalid UTF-8 alike
		var wantBack string
		require.NoError(t, json.Unmarshal(want, &wantBack))
		assert.Equal(t, wantBack, obj.Event.Original, "%q", s)
		out = encode.AppendJSON(nil, m, encode.Line{File: s, Text: line}, xs[0])
		require.NoError(t, json.Unmarshal(out, &obj), "%q -> %s", s, out)
		want, _ = json.Marshal(s)
		require.NoError(t, json.Unmarshal(want, &wantBack))
		assert.Equal(t, wantBack, obj.File, "%q", s)
	}
}

func TestEncoderAllocs(t *testing.T) {
	m := richSet(t)
	line := []byte("GET http://a.EVIL.example/ from 198.51.100.7")
	xs := m.AppendMatches(nil, line)
	enc := encode.NewEncoder(m, encode.Options{Now: func() time.Time { return t1 }})
	ln := encode.Line{File: "a.log", Number: 1, Text: line}
	buf := enc.AppendECS(enc.AppendJSON(nil, ln, xs[0]), ln, xs) // fill the caches
	buf = make([]byte, 0, 4*len(buf))
	assert.Zero(t, testing.AllocsPerRun(100, func() { buf = enc.AppendJSON(buf[:0], ln, xs[0]) }), "JSON of a cached entry")
	assert.Zero(t, testing.AllocsPerRun(100, func() { buf = enc.AppendECS(buf[:0], ln, xs) }), "ECS of cached entries")
}

// TestConcurrent: the package-level functions and Matcher.View may be
// called from any number of goroutines at once (run with -race), and give
// the Encoder's bytes.
func TestConcurrent(t *testing.T) {
	m := richSet(t)
	line := []byte("GET http://a.EVIL.example/ from 198.51.100.7")
	xs := m.AppendMatches(nil, line)
	ln := encode.Line{File: "a.log", Number: 1, Text: line}
	enc := encode.NewEncoder(m, encode.Options{})
	wantJSON := string(enc.AppendJSON(nil, ln, xs[0]))
	wantECS := string(encode.AppendECS(nil, m, ln, xs, t1))
	done := make(chan [2]string)
	for range 4 {
		go func() {
			var j, e string
			for range 50 {
				j = string(encode.AppendJSON(nil, m, ln, xs[0]))
				e = string(encode.AppendECS(nil, m, ln, xs, t1))
				_ = m.View(xs[0].ID)
			}
			done <- [2]string{j, e}
		}()
	}
	for range 4 {
		got := <-done
		assert.Equal(t, wantJSON, got[0])
		assert.Equal(t, wantECS, got[1])
	}
}
