package loader

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// abuseTestdata holds small AbuseIPDB inputs: blacklist.csv,
// data-array.json and plaintext.txt are cut from the real samples (see
// ../shared/realdata/feeds/abuseipdb/SOURCES.md; the CSV keeps the lab's
// RFC 1918 row), blacklist-meta.json is the API's meta + data shape with
// bad entries.
var abuseTestdata = filepath.Join("testdata", "abuseipdb")

func readAbuseString(t *testing.T, s string, opts Options) Result {
	t.Helper()
	res, err := ReadAbuseIPDB(strings.NewReader(s), "blacklist", opts)
	require.NoError(t, err)
	return res
}

func TestReadAbuseIPDBJSON(t *testing.T) {
	f, err := os.Open(filepath.Join(abuseTestdata, "blacklist-meta.json"))
	require.NoError(t, err)
	defer f.Close()
	res, err := ReadAbuseIPDB(f, "feeds/bl.json", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"ipv4:128.199.118.234", "ipv6:2602:fb54:c7b::", "ipv4:93.123.109.81"}, strs(res.Indicators))
	gen := "AbuseIPDB blacklist generated at 2025-05-18T19:20:00Z"
	a, b, c := res.Indicators[0], res.Indicators[1], res.Indicators[2]
	assert.Equal(t, indicator.MustConfidence(100), a.Confidence)
	assert.Equal(t, otxUTC("2025-05-18T19:17:02Z"), a.LastSeen)
	assert.Equal(t, []string{"country:SG"}, a.Tags)
	assert.Equal(t, gen, a.Description, "meta.generatedAt kept")
	assert.Equal(t, "abuseipdb", a.Source)
	assert.Equal(t, "feeds/bl.json", a.File)
	assert.True(t, a.FirstSeen.IsZero() && a.ValidUntil.IsZero())
	assert.Equal(t, indicator.TLPUnknown, a.TLP)
	assert.Equal(t, indicator.SeverityUnknown, a.Severity)

	assert.Equal(t, indicator.MustConfidence(87), b.Confidence)
	assert.Equal(t, []string{"country:US"}, b.Tags, "upper-cased")
	assert.Equal(t, indicator.MustConfidence(75), c.Confidence, "a score as a string")
	assert.Empty(t, c.Tags, "countryCode null")
	assert.Equal(t, otxUTC("2025-05-18T19:20:00Z"), c.LastSeen, "no lastReportedAt: the list's date")

	assert.Equal(t, map[string]int{ReasonInvalidValue: 1, ReasonMalformed: 3}, res.Skipped)
	var msgs []string
	for _, p := range res.Problems {
		msgs = append(msgs, p.Error())
	}
	assert.Equal(t, []string{
		`feeds/bl.json: data[3]: indicator: invalid ipv4 "300.1.2.3": not an IP address`,
		`feeds/bl.json: data[4]: 198.51.100.7: abuseConfidenceScore "140": want an integer from 0 to 100`,
		`feeds/bl.json: data[5]: entry: no "ipAddress"`,
		`feeds/bl.json: data[6]: a JSON string, not an AbuseIPDB entry`,
	}, msgs)
	assert.Equal(t, FormatAbuseIPDB, res.PerFile[0].Format)
}

func TestReadAbuseIPDBShapes(t *testing.T) {
	const e1 = `{"ipAddress": "192.0.2.1", "countryCode": "CN", "abuseConfidenceScore": 100, "lastReportedAt": "2025-05-18T19:17:02+00:00"}`
	for _, tc := range []struct {
		name, in string
		opts     Options
		want     []string
		check    func(t *testing.T, res Result)
	}{
		{name: "meta after data", in: `{"data": [` + e1 + `, {"ipAddress": "192.0.2.2"}], "meta": {"generatedAt": "2025-05-18T20:00:00+02:00"}}`,
			want: []string{"ipv4:192.0.2.1", "ipv4:192.0.2.2"},
			check: func(t *testing.T, res Result) {
				for _, ind := range res.Indicators {
					assert.Equal(t, "AbuseIPDB blacklist generated at 2025-05-18T18:00:00Z", ind.Description)
				}
				assert.Equal(t, otxUTC("2025-05-18T18:00:00Z"), res.Indicators[1].LastSeen)
				assert.False(t, res.Indicators[1].Confidence.Known(), "no score: unknown")
			}},
		{name: "no meta", in: `{"data": [` + e1 + `]}`, want: []string{"ipv4:192.0.2.1"},
			check: func(t *testing.T, res Result) {
				assert.Empty(t, res.Indicators[0].Description)
			}},
		{name: "check endpoint and single entries (JSON lines)", in: `{"data": {"ipAddress": "192.0.2.3", "abuseConfidenceScore": 0, "isPublic": true}}` + "\n" + e1,
			want: []string{"ipv4:192.0.2.3", "ipv4:192.0.2.1"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, indicator.MustConfidence(0), res.Indicators[0].Confidence, "score 0 is known")
				assert.Equal(t, indicator.MustConfidence(100), res.Indicators[1].Confidence)
			}},
		{name: "forced source", in: `[` + e1 + `]`, opts: Options{Source: "mine"}, want: []string{"ipv4:192.0.2.1"},
			check: func(t *testing.T, res Result) { assert.Equal(t, "mine", res.Indicators[0].Source) }},
		{name: "csv, columns in another order", in: "\ufeffabuseConfidenceScore,ipAddress,lastReportedAt,countryCode\r\n90,192.0.2.4,2025-05-18T19:17:02+00:00,DE\r\n,192.0.2.5,,\r\n",
			want: []string{"ipv4:192.0.2.4", "ipv4:192.0.2.5"},
			check: func(t *testing.T, res Result) {
				a := res.Indicators[0]
				assert.Equal(t, indicator.MustConfidence(90), a.Confidence)
				assert.Equal(t, []string{"country:DE"}, a.Tags)
				assert.Equal(t, otxUTC("2025-05-18T19:17:02Z"), a.LastSeen)
				assert.Equal(t, "abuseipdb", a.Source)
				assert.Empty(t, res.Indicators[1].Tags)
			}},
		{name: "csv without header", in: "192.0.2.6,US,55,2025-01-01T00:00:00Z\n", want: []string{"ipv4:192.0.2.6"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, indicator.MustConfidence(55), res.Indicators[0].Confidence)
				assert.Equal(t, []string{"country:US"}, res.Indicators[0].Tags)
			}},
		{name: "plain text", in: "# AbuseIPDB\n\n192.0.2.7\n  2001:DB8::7  \n",
			want: []string{"ipv4:192.0.2.7", "ipv6:2001:db8::7"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, "abuseipdb", res.Indicators[0].Source)
				assert.False(t, res.Indicators[0].Confidence.Known())
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := readAbuseString(t, tc.in, tc.opts)
			assert.Equal(t, tc.want, strs(res.Indicators))
			assert.Empty(t, res.Problems)
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

func TestReadAbuseIPDBProblems(t *testing.T) {
	for _, tc := range []struct {
		in, reason, msg string
		n               int
	}{
		{`{"errors": [{"detail": "Daily rate limit of 5 requests exceeded for this endpoint.", "status": 429}]}`, ReasonMalformed, `blacklist: errors: AbuseIPDB error: "429; Daily rate limit of 5 requests exceeded for this endpoint."`, 0},
		{`{"x": 1}`, ReasonMalformed, `blacklist: (document): not an AbuseIPDB blacklist or entry (no "data" or "ipAddress")`, 0},
		{`[5]`, ReasonMalformed, `blacklist: [0]: a JSON number, not an AbuseIPDB entry`, 0},
		{`"192.0.2.1"`, ReasonInvalidValue, `blacklist:1: indicator: invalid ipv4 "\"192.0.2.1\"": not an IP address`, 0},
		{`{"data": "x"}`, ReasonMalformed, `blacklist: data: "data" is a JSON string, not an array`, 0},
		{`{"meta": {"generatedAt": "now"}, "data": [{"ipAddress": "192.0.2.1"}]}`, ReasonMalformed, `blacklist: meta: meta: generatedAt: "now": not a time`, 1},
		{`{"meta": [], "data": [{"ipAddress": "192.0.2.1"}]}`, ReasonMalformed, `blacklist: meta: meta: a JSON array, not an object`, 1},
		{`[{"ipAddress": "192.0.2.1", "lastReportedAt": "2025-99-01"}, {"ipAddress": "192.0.2.2", "abuseConfidenceScore": "high"}, {"ipAddress": {}}, {"ipAddress": "192.0.2.3"}]`, ReasonMalformed, `blacklist: [0]: 192.0.2.1: lastReportedAt: "2025-99-01": not a time`, 1},
		{`[{"ipAddress": "192.0.2.1"}`, ReasonMalformed, `blacklist: malformed JSON: unexpected end of input`, 1},
		{"ipAddress,countryCode,abuseConfidenceScore,lastReportedAt\r\n192.0.2.1,US,100\r\n192.0.2.2,US,100,2025-01-01T00:00:00Z\r\n", ReasonMalformed, `blacklist:2: 3 fields, the header has 4: "192.0.2.1,US,100"`, 1},
		{"ipAddress,abuseConfidenceScore\nnot-an-ip,100\n192.0.2.2,-1\n", ReasonInvalidValue, `blacklist:2: indicator: invalid ipv4 "not-an-ip": not an IP address`, 0},
		{"192.0.2.1\nevil.example\n", ReasonInvalidValue, `blacklist:2: indicator: invalid ipv4 "evil.example": not an IP address`, 1},
		{"192.0.2.1,US\n", ReasonMalformed, `blacklist:1: 2 fields, not 4 (ipAddress,countryCode,abuseConfidenceScore,lastReportedAt): "192.0.2.1,US"`, 0},
		{"ipAddress,countryCode\n\"192.0.2.1,US\n", ReasonMalformed, `blacklist:2: unclosed quote: "\"192.0.2.1,US"`, 0},
		{``, ReasonMalformed, ``, 0},
	} {
		res := readAbuseString(t, tc.in, Options{})
		assert.Len(t, res.Indicators, tc.n, tc.in)
		if tc.msg == "" {
			assert.Empty(t, res.Problems, "empty input: nothing")
			continue
		}
		if assert.NotEmpty(t, res.Problems, tc.in) {
			assert.Equal(t, tc.reason, res.Problems[0].Reason, tc.in)
			assert.Equal(t, tc.msg, res.Problems[0].Error(), tc.in)
		}
		_, err := ReadAbuseIPDB(strings.NewReader(tc.in), "blacklist", Options{Strict: true})
		var p *Problem
		if assert.ErrorAs(t, err, &p, tc.in) {
			assert.Equal(t, tc.msg, p.Error())
		}
	}
	// every bad entry of the array is its own problem
	res := readAbuseString(t, `[{"ipAddress": "192.0.2.1", "lastReportedAt": "2025-99-01"}, {"ipAddress": "192.0.2.2", "abuseConfidenceScore": "high"}, {"ipAddress": {}}, {"ipAddress": "192.0.2.3"}]`, Options{})
	assert.Equal(t, map[string]int{ReasonMalformed: 3}, res.Skipped)
	assert.Equal(t, `blacklist: [2]: entry: {}: want a string`, res.Problems[2].Error())
	// a line too long
	res = readAbuseString(t, "192.0.2.1\n"+strings.Repeat("1", 40)+"\n192.0.2.2\n", Options{MaxLineLen: 20})
	assert.Equal(t, map[string]int{ReasonLineTooLong: 1}, res.Skipped)
	assert.Len(t, res.Indicators, 2)
}

func TestAbuseIPDBRealSamples(t *testing.T) {
	dir := filepath.Join(otxRealFeeds, "abuseipdb")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no real AbuseIPDB samples:", err)
	}
	res, err := Load(dir, Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Problems)
	assert.Empty(t, res.Unsupported)
	byFile := map[string]FileStats{}
	for _, fs := range res.PerFile {
		byFile[filepath.Base(fs.Path)] = fs
		fs.Path = ""
	}
	assert.Equal(t, FileStats{Path: filepath.Join(dir, "abuseipdb_blacklist_data_array.json"), Format: FormatAbuseIPDB, Indicators: 10000}, byFile["abuseipdb_blacklist_data_array.json"])
	assert.Equal(t, FileStats{Path: filepath.Join(dir, "abuseipdb_blacklist.csv"), Format: FormatAbuseIPDB, Indicators: 10001}, byFile["abuseipdb_blacklist.csv"])
	// the plain text is a plain list: no scores to read
	assert.Equal(t, FileStats{Path: filepath.Join(dir, "abuseipdb_api_blacklist_plaintext.txt"), Format: FormatList, Indicators: 9979}, byFile["abuseipdb_api_blacklist_plaintext.txt"])

	v6, lab := 0, 0
	for _, ind := range res.Indicators {
		switch filepath.Base(ind.File) {
		case "abuseipdb_blacklist_data_array.json", "abuseipdb_blacklist.csv":
			require.Equal(t, "abuseipdb", ind.Source)
			require.Equal(t, indicator.MustConfidence(100), ind.Confidence, ind.String())
			require.Len(t, ind.Tags, 1)
			require.True(t, strings.HasPrefix(ind.Tags[0], "country:"))
			require.Equal(t, 2025, ind.LastSeen.Year())
			if ind.Type == indicator.IPv6 && strings.HasSuffix(ind.File, ".json") {
				v6++
			}
			if ind.Value == "172.30.0.33" {
				lab++
			}
		default:
			require.Equal(t, "abuseipdb_api_blacklist_plaintext", ind.Source)
		}
	}
	assert.Equal(t, 27, v6, "27 IPv6 addresses in the JSON")
	assert.Equal(t, 1, lab, "the lab's RFC 1918 row of the CSV is read (the reserved ranges suppress it)")

	// the plain text, read as AbuseIPDB's
	f, err := os.Open(filepath.Join(dir, "abuseipdb_api_blacklist_plaintext.txt"))
	require.NoError(t, err)
	defer f.Close()
	pt, err := ReadAbuseIPDB(f, "x.txt", Options{})
	require.NoError(t, err)
	assert.Len(t, pt.Indicators, 9979)
	assert.Empty(t, pt.Problems)
	assert.Equal(t, "abuseipdb", pt.Indicators[0].Source)
}

func TestDetectAbuseIPDB(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(abuseTestdata, "*"))
	require.NoError(t, err)
	if dir := filepath.Join(otxRealFeeds, "abuseipdb"); otxDirExists(dir) {
		real, _ := filepath.Glob(filepath.Join(dir, "abuseipdb_*"))
		files = append(files, real...)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		want := FormatAbuseIPDB
		if strings.Contains(name, "plaintext") {
			want = FormatList // cannot be told from any list of addresses
		}
		for _, as := range []string{"feed", "feed.txt", "feed.json", name} {
			assert.Equal(t, want, Detect(b[:min(len(b), SniffLen)], as), name)
		}
	}
	for _, tc := range []struct {
		head string
		want Format
	}{
		{`{"meta": {"generatedAt": "2025-05-18T19:20:00+00:00"}, "data": [{"ipAddress": "192.0.2.1"`, FormatAbuseIPDB},
		{`{"ipAddress": "192.0.2.1", "abuseConfidenceScore": 100}`, FormatAbuseIPDB},
		{`{"data": [{"ip": "192.0.2.1", "type": "Address"}]}`, FormatUnknown},
		{"ipAddress,countryCode,abuseConfidenceScore,lastReportedAt\n", FormatAbuseIPDB},
		{"# pulled 2025-05-18\r\n\r\nipAddress,abuseConfidenceScore\r\n192.0.2.1,100\r\n", FormatAbuseIPDB},
		{"ip_address,score\n192.0.2.1,3\n", FormatCSV},
		{"dst_ip,ipAddress\n192.0.2.1,192.0.2.2\n", FormatCSV},
	} {
		assert.Equal(t, tc.want, Detect([]byte(tc.head), "f"), tc.head)
	}
}

func FuzzReadAbuseIPDB(f *testing.F) {
	addSeeds(f, filepath.Join(abuseTestdata, "*"),
		`{"data": [{"ipAddress": "192.0.2.1", "abuseConfidenceScore": "100.0"}], "meta": {"generatedAt": "2025-01-01T00:00:00Z"}}`,
		`{"errors": [{"detail": "x", "status": 401}]}`+"\n"+`{"data": {"ipAddress": "::1"}}`,
		"ipAddress,countryCode\r\n\"192.0.2.1\",\"U\"\"S\"\r\n192.0.2.2\r\n",
		"192.0.2.1,US,100,2025\n# c\n2001:db8::1\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{{}, {MaxRecordSize: 256, MaxJSONDepth: 6, MaxLineLen: 24}} {
			res, err := ReadAbuseIPDB(bytes.NewReader(data), "fuzz.json", opts)
			if err != nil {
				t.Fatalf("%+v: unexpected error %v", opts, err)
			}
			checkMerged(t, res)
			for _, ind := range res.Indicators {
				if !ind.Type.IsAddress() || ind.Type == indicator.CIDR {
					t.Fatalf("%v: not an address", ind)
				}
				if ind.Source != "abuseipdb" {
					t.Fatalf("%v: source %q", ind, ind.Source)
				}
				again, err := indicator.New(ind.Type, ind.Value)
				if err != nil || again.Value != ind.Value {
					t.Fatalf("%v does not re-canonicalise: %v", ind, err)
				}
			}
			skipped := res.SkippedTotal()
			if len(res.Problems) > skipped || (skipped <= MaxProblems && len(res.Problems) != skipped) {
				t.Fatalf("%d problems, %d skipped", len(res.Problems), skipped)
			}
			checkStrict(t, ReadAbuseIPDB, data, "fuzz.json", opts, res)
		}
	})
}
