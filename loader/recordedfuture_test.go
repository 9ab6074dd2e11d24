package loader

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

const rfHeaderLine = `"Name","Risk","RiskString","EvidenceDetails"` + "\n"

// rfRow is a risk list row whose EvidenceDetails is the JSON ev, quoted
// as the exports quote it.
func rfRow(name, risk, riskString, ev string) string {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	return q(name) + "," + q(risk) + "," + q(riskString) + "," + q(ev) + "\n"
}

func rfTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestReadRecordedFuture(t *testing.T) {
	ev2 := `{"EvidenceDetails": [` +
		`{"Rule": "Historically Reported as a Defanged URL", "CriticalityLabel": "Unusual", "EvidenceString": "66 sightings on 22 sources.", "Timestamp": "2021-07-20T00:00:00.000Z", "Name": "defangedURL", "Criticality": 1.0},` +
		`{"Rule": "Recently Reported by Insikt Group", "CriticalityLabel": "Malicious", "EvidenceString": "1 sighting on 1 source: Insikt Group.", "Timestamp": "2021-07-10T00:00:00.000Z", "Name": "recentAnalystNote", "Criticality": 3.0}]}`
	long := strings.Repeat("é", 150) // 300 bytes
	for _, tc := range []struct {
		name      string
		in        string
		want      []indicator.Indicator
		skipped   map[string]int
		unsup     map[string]int
		problemAt []int
	}{
		{
			name: "url list: risk, top rule, labels, first and last seen",
			in:   rfHeaderLine + rfRow("http://144.34.179.162/a", "87", "2/24", ev2),
			want: []indicator.Indicator{{Type: indicator.URL, Value: "http://144.34.179.162/a", Meta: indicator.Meta{
				Confidence: indicator.MustConfidence(87), Severity: indicator.SeverityHigh,
				Tags:        []string{"Historically Reported as a Defanged URL", "Recently Reported by Insikt Group", "Unusual", "Malicious"},
				Description: "Recently Reported by Insikt Group: 1 sighting on 1 source: Insikt Group.",
				FirstSeen:   rfTime("2021-07-10T00:00:00Z"), LastSeen: rfTime("2021-07-20T00:00:00Z"),
			}}},
		},
		{
			name: "newer evidence keys (Name first, counts), criticality 4, ties by latest, IPv6, bare array",
			in: "Name,Risk,RiskString,EvidenceDetails\n" + rfRow("2a02:cf40:add:4002::1", "99", "2/64",
				`[{"Name": "a", "Rule": "Current C&C Server", "CriticalityLabel": "Very Malicious", "EvidenceString": "old", "Timestamp": "2021-12-01T00:00:00Z", "SourcesCount": 1.0, "Criticality": 4.0},`+
					`{"Name": "b", "Rule": "Actively Communicating C&C Server", "CriticalityLabel": "Very Malicious", "EvidenceString": "new", "Timestamp": "2021-12-29T02:11:16.663Z", "Criticality": 4.0}]`),
			want: []indicator.Indicator{{Type: indicator.IPv6, Value: "2a02:cf40:add:4002::1", Meta: indicator.Meta{
				Confidence: indicator.MustConfidence(99), Severity: indicator.SeverityCritical,
				Tags:        []string{"Current C&C Server", "Actively Communicating C&C Server", "Very Malicious"},
				Description: "Actively Communicating C&C Server: new",
				FirstSeen:   rfTime("2021-12-01T00:00:00Z"), LastSeen: rfTime("2021-12-29T02:11:16.663Z"),
			}}},
		},
		{
			name: "hash list: Algorithm column, ragged row realigned, JSON escape in the text",
			in: `"Name","Risk","RiskString","EvidenceDetails","Algorithm"` + "\n" +
				`"63212AA8C94098A844945ED1611389B2E1C9DC3906A5BA9D7D0D320344213F4F","75","2/17","{""EvidenceDetails"": [{""Rule"": ""Positive Malware Verdict"", ""CriticalityLabel"": ""Malicious"", ""EvidenceString"": ""6 ATT\\u0026CK behaviors"", ""Timestamp"": ""2024-03-23T16:36:02.000Z"", ""Criticality"": 3.0}]}","SHA-256"` + "\n" +
				`"ea0e23a30aa252e4c8a7a8cb92ac2bba1ffcb4e94027bca555798b2920f9bfab",,"70","1/17","{""EvidenceDetails"": [{""Rule"": ""Linked to Malware"", ""CriticalityLabel"": ""Suspicious"", ""EvidenceString"": ""x"", ""Timestamp"": ""2024-03-24T21:22:00.282Z"", ""Criticality"": 2.0}]}","SHA-256"` + "\n",
			want: []indicator.Indicator{
				{Type: indicator.SHA256, Value: "63212aa8c94098a844945ed1611389b2e1c9dc3906a5ba9d7d0d320344213f4f", Meta: indicator.Meta{
					Confidence: indicator.MustConfidence(75), Severity: indicator.SeverityHigh,
					Tags:        []string{"Positive Malware Verdict", "Malicious"},
					Description: "Positive Malware Verdict: 6 ATT&CK behaviors",
					FirstSeen:   rfTime("2024-03-23T16:36:02Z"), LastSeen: rfTime("2024-03-23T16:36:02Z"),
				}},
				{Type: indicator.SHA256, Value: "ea0e23a30aa252e4c8a7a8cb92ac2bba1ffcb4e94027bca555798b2920f9bfab", Meta: indicator.Meta{
					Confidence: indicator.MustConfidence(70), Severity: indicator.SeverityMedium,
					Tags:        []string{"Linked to Malware", "Suspicious"},
					Description: "Linked to Malware: x",
					FirstSeen:   rfTime("2024-03-24T21:22:00.282Z"), LastSeen: rfTime("2024-03-24T21:22:00.282Z"),
				}},
			},
			unsup: map[string]int{"recordedfuture row: extra empty field": 1},
		},
		{
			name: "evidence not JSON, and nested broken JSON: read with a note",
			in: rfHeaderLine + `"192.168.0.1","65","1/1","{a jason somethingoranother}"` + "\n" +
				`"http://gxbrowser.net","79","3/35","{""EvidenceDetails"":""{""EvidenceDetails"": [{""Rule"": ""x""}]}"` + "\n",
			want: []indicator.Indicator{
				{Type: indicator.IPv4, Value: "192.168.0.1", Meta: indicator.Meta{Confidence: indicator.MustConfidence(65), Description: "evidence not read: not JSON"}},
				{Type: indicator.URL, Value: "http://gxbrowser.net/", Meta: indicator.Meta{Confidence: indicator.MustConfidence(79), Description: "evidence not read: not JSON"}},
			},
			unsup: map[string]int{"recordedfuture evidence: not JSON": 2},
		},
		{
			name: `\" and non-ASCII inside quotes, evidence over lines, description cut`,
			in: rfHeaderLine + rfRow("evil.example", "5", "1/40",
				`{"EvidenceDetails": [{"Rule": "Historically Reported by Insikt Group", "CriticalityLabel": "Unusual", "EvidenceString": "2 reports including \"Fractured Block” Campaign\nnext line", "Timestamp": "2018-12-09T00:00:00Z", "Criticality": 1.0},`+"\n"+
					`{"Rule": "Long", "CriticalityLabel": "Unusual", "EvidenceString": "`+long+`", "Timestamp": "2018-12-08T00:00:00Z", "Criticality": 1}]}`),
			want: []indicator.Indicator{{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{
				Confidence: indicator.MustConfidence(5), Severity: indicator.SeverityLow,
				Tags:        []string{"Historically Reported by Insikt Group", "Long", "Unusual"},
				Description: "Historically Reported by Insikt Group: 2 reports including \"Fractured Block” Campaign\nnext line",
				FirstSeen:   rfTime("2018-12-08T00:00:00Z"), LastSeen: rfTime("2018-12-09T00:00:00Z"),
			}}},
		},
		{
			name: "criticality by label, unknown criticality 0 is info, empty evidence",
			in: rfHeaderLine +
				rfRow("198.51.100.1", "20", "1/1", `{"EvidenceDetails": [{"Rule": "R", "CriticalityLabel": "Suspicious"}]}`) +
				rfRow("198.51.100.2", "0", "0/1", `{"EvidenceDetails": [{"Rule": "R0", "Criticality": 0}]}`) +
				rfRow("198.51.100.3", "1", "", ""),
			want: []indicator.Indicator{
				{Type: indicator.IPv4, Value: "198.51.100.1", Meta: indicator.Meta{Confidence: indicator.MustConfidence(20), Severity: indicator.SeverityMedium, Tags: []string{"R", "Suspicious"}, Description: "R"}},
				{Type: indicator.IPv4, Value: "198.51.100.2", Meta: indicator.Meta{Confidence: indicator.MustConfidence(0), Severity: indicator.SeverityInfo, Tags: []string{"R0"}, Description: "R0"}},
				{Type: indicator.IPv4, Value: "198.51.100.3", Meta: indicator.Meta{Confidence: indicator.MustConfidence(1)}},
			},
		},
		{
			name: "bad rows are problems of their row",
			in: rfHeaderLine +
				rfRow("not a value", "50", "1/1", "") + // line 2
				rfRow("198.51.100.9", "high", "1/1", "") + // line 3
				`"198.51.100.10","50"` + "\n" + // line 4
				rfRow("", "50", "1/1", "") + // line 5
				`"198.51.100.11","50","1/1","{}","x","y"` + "\n" + // line 6: extra fields that are not empty
				rfRow("198.51.100.12", "101", "1/1", "") + // line 7
				rfRow("198.51.100.13", "40", "1/1", ""), // good
			want:      []indicator.Indicator{{Type: indicator.IPv4, Value: "198.51.100.13", Meta: indicator.Meta{Confidence: indicator.MustConfidence(40)}}},
			skipped:   map[string]int{ReasonCannotInfer: 1, ReasonMalformed: 5},
			problemAt: []int{2, 3, 4, 5, 6, 7},
		},
		{
			name:      "unknown algorithm",
			in:        "Name,Risk,RiskString,EvidenceDetails,Algorithm\nabc,50,1/1,,CRC32\n",
			skipped:   map[string]int{ReasonUnknownType: 1},
			problemAt: []int{2},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ReadRecordedFuture(strings.NewReader(tc.in), "feeds/rf_risklist.csv", Options{})
			require.NoError(t, err)
			for i := range tc.want {
				tc.want[i].Source = "rf_risklist"
				tc.want[i].File = "feeds/rf_risklist.csv"
			}
			if len(tc.want) == 0 {
				tc.want = nil
			}
			assert.Equal(t, tc.want, res.Indicators)
			assert.Equal(t, tc.skipped, res.Skipped)
			assert.Equal(t, tc.unsup, res.Unsupported)
			var lines []int
			for _, p := range res.Problems {
				lines = append(lines, p.Line)
			}
			assert.Equal(t, tc.problemAt, lines, "%v", res.Problems)
			require.Len(t, res.PerFile, 1)
			assert.Equal(t, FormatRecordedFuture, res.PerFile[0].Format)
		})
	}
}

func TestReadRecordedFutureMessages(t *testing.T) {
	in := rfHeaderLine + rfRow("198.51.100.9", "high", "1/1", "") + `"198.51.100.10","50"` + "\n"
	res, err := ReadRecordedFuture(strings.NewReader(in), "rf.csv", Options{})
	require.NoError(t, err)
	require.Len(t, res.Problems, 2)
	assert.Equal(t, `rf.csv:2: Risk "high" of "198.51.100.9" is not a number in 0-100`, res.Problems[0].Error())
	assert.Equal(t, `rf.csv:3: 2 fields, not the header's 4: "198.51.100.10,50"`, res.Problems[1].Error())

	// not a risk list header: a problem of the header, nothing read
	res, err = ReadRecordedFuture(strings.NewReader("ip,score\n198.51.100.1,5\n"), "rf.csv", Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Indicators)
	assert.Equal(t, map[string]int{ReasonBadHeader: 1}, res.Skipped)

	// the description is cut at a rune boundary
	res, err = ReadRecordedFuture(strings.NewReader(rfHeaderLine+rfRow("198.51.100.1", "5", "1/1", `[{"Rule": "R", "EvidenceString": "`+strings.Repeat("é", 150)+`"}]`)), "rf.csv", Options{})
	require.NoError(t, err)
	require.Len(t, res.Indicators, 1)
	d := res.Indicators[0].Description
	assert.True(t, utf8.ValidString(d) && strings.HasSuffix(d, "é…") && strings.HasPrefix(d, "R: éé"), d)
	assert.LessOrEqual(t, len(d), rfDescriptionLen+len("…"))

	// Strict stops at the first problem
	_, err = ReadRecordedFuture(strings.NewReader(in), "rf.csv", Options{Strict: true})
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 2, p.Line)

	// a record longer than MaxLineLen is skipped, quoted lines and all
	in = rfHeaderLine + rfRow("198.51.100.1", "5", "1/1", `{"EvidenceDetails": [{"Rule": "`+strings.Repeat("x", 300)+`\n"}]}`) + rfRow("198.51.100.2", "6", "", "")
	res, err = ReadRecordedFuture(strings.NewReader(in), "rf.csv", Options{MaxLineLen: 200})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{ReasonLineTooLong: 1}, res.Skipped)
	require.Len(t, res.Indicators, 1)
	assert.Equal(t, "198.51.100.2", res.Indicators[0].Value)
}

func TestDetectRecordedFuture(t *testing.T) {
	for _, head := range []string{
		rfHeaderLine,
		"\ufeffName,Risk,RiskString,EvidenceDetails\r\n1.2.3.4,5,1/1,{}\r\n",
		`"Name","Risk","RiskString","EvidenceDetails","Algorithm"` + "\n",
		"\n\nname,risk,evidenceDetails\n",
	} {
		assert.Equal(t, FormatRecordedFuture, Detect([]byte(head), "feed.txt"), head)
	}
	for _, head := range []string{"Name,Value\n", "url,risk\n", "# Name,Risk,RiskString\n"} {
		assert.NotEqual(t, FormatRecordedFuture, Detect([]byte(head), "feed.txt"), head)
	}
	files, _ := filepath.Glob("testdata/recordedfuture/*")
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.Equal(t, FormatRecordedFuture, Detect(b, "feed"), f)
	}
}

// rftcRealFeeds is the folder of the real feed samples, shared between the
// worktrees.
const rftcRealFeeds = "../../shared/realdata/feeds"

// The real samples (skipped where absent): their counts.
func TestReadRecordedFutureRealSamples(t *testing.T) {
	dir := filepath.Join(rftcRealFeeds, "recordedfuture")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no real samples in", dir)
	}
	for name, want := range map[string]struct {
		n     int
		unsup map[string]int
	}{
		"elastic_rf_url_risklist.csv":  {10, map[string]int{"recordedfuture evidence: not JSON": 1}},
		"elastic_rf_hash_risklist.csv": {2, map[string]int{"recordedfuture row: extra empty field": 1}},
		"intelmq_rf_iprisk.csv":        {1, map[string]int{"recordedfuture evidence: not JSON": 1}},
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		// detected by content, whatever the name
		res, err := Read(bytes.NewReader(b), "feed.dat", Options{})
		require.NoError(t, err, name)
		assert.Equal(t, FormatRecordedFuture, res.PerFile[0].Format, name)
		assert.Len(t, res.Indicators, want.n, name)
		assert.Empty(t, res.Skipped, name)
		assert.Equal(t, want.unsup, res.Unsupported, name)
		for _, ind := range res.Indicators {
			assert.True(t, ind.Confidence.Known(), "%s: %v", name, ind)
		}
	}
	res, err := ReadRecordedFuture(rftcOpen(t, filepath.Join(dir, "elastic_rf_url_risklist.csv")), "rf", Options{})
	require.NoError(t, err)
	// row 5: \" and ” in the evidence, read
	assert.Equal(t, "https://881.000webhostapp.com/1.txt", res.Indicators[4].Value)
	assert.Contains(t, res.Indicators[4].Tags, "Historically Referenced by Insikt Group")
	assert.Equal(t, indicator.SeverityHigh, res.Indicators[4].Severity)
	last := res.Indicators[len(res.Indicators)-1]
	assert.Equal(t, "http://cleaning.homesecuritypc.com/packages/fduphhq_bzaeudor.bmp", last.Value)
	assert.Equal(t, "evidence not read: not JSON", last.Description)
	assert.Equal(t, 66, last.Confidence.Value())
}

func rftcOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func FuzzReadRecordedFuture(f *testing.F) {
	addSeeds(f, "testdata/recordedfuture/*",
		rfHeaderLine+`"1.2.3.4","5","1/1","{""EvidenceDetails"": [{""Rule"": ""R"", ""Criticality"": 9e9}]}"`+"\n",
		rfHeaderLine+"\"x\",,,\"\n\"\n",
		"Name,Risk,EvidenceDetails,Algorithm\nabc,1,[],MD5\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := fuzzLines(data)
		for _, opts := range []Options{{Source: "fuzz"}, {Source: "fuzz", MaxLineLen: 64}} {
			res, err := ReadRecordedFuture(bytes.NewReader(data), "fuzz.txt", opts)
			if err != nil {
				t.Fatalf("%+v: unexpected error %v", opts, err)
			}
			checkResult(t, res, lines)
			for _, ind := range res.Indicators {
				if len(ind.Description) > rfDescriptionLen+len("…") {
					t.Fatalf("description of %d bytes", len(ind.Description))
				}
			}
			checkStrict(t, ReadRecordedFuture, data, "fuzz.txt", opts, res)
		}
	})
}
