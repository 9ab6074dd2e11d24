package loader

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// otxTestdata holds small OTX inputs: pulse.json and subscribed-page.json
// are written after the OTX API's shapes; export.ndjson (15 of the 83
// lines) and elastic-pulse-raw.ndjson are cut from elastic/integrations'
// ti_otx test logs (Elastic License 2.0; see
// ../shared/realdata/feeds/otx/SOURCES.md).
var otxTestdata = filepath.Join("testdata", "otx")

// otxRealFeeds holds the real samples of issue 13 (absent: the tests over
// them skip).
var otxRealFeeds = filepath.Join("..", "..", "shared", "realdata", "feeds")

func otxUTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func readOTXString(t *testing.T, s string, opts Options) Result {
	t.Helper()
	res, err := ReadOTX(strings.NewReader(s), "otx.json", opts)
	require.NoError(t, err)
	return res
}

func TestReadOTXPulse(t *testing.T) {
	f, err := os.Open(filepath.Join(otxTestdata, "pulse.json"))
	require.NoError(t, err)
	defer f.Close()
	res, err := ReadOTX(f, "feeds/pulse.json", Options{})
	require.NoError(t, err)

	assert.Equal(t, []string{
		"ipv4:198.51.100.23", "domain:c2.loader.example", "domain:loader.example",
		"url:https://cdn.loader.example/p.bin", "md5:d41d8cd98f00b204e9800998ecf8427e",
		"email:ops@loader.example", `mutex:Global\ExampleLoaderMutex`, `filename:C:\Users\Public\loader.exe`,
		"cidr:203.0.113.0/24", "ipv6:2001:db8::1",
	}, strs(res.Indicators))
	assert.Equal(t, map[string]int{"otx URI": 1, "otx CVE": 1, "otx YARA": 1, "otx inactive": 1}, res.Unsupported)
	assert.Equal(t, map[string]int{ReasonInvalidValue: 1, ReasonMalformed: 1}, res.Skipped)
	require.Len(t, res.Problems, 2)
	assert.Equal(t, `feeds/pulse.json: indicators[13]: indicator 4014: otx type "IPv4": indicator: invalid ipv4 "198.51.100.300": not an IP address`, res.Problems[0].Error())
	assert.Equal(t, `feeds/pulse.json: indicators[15]: indicator 4016: created: "yesterday": not a time`, res.Problems[1].Error())
	assert.Equal(t, []FileStats{{Path: "feeds/pulse.json", Format: FormatOTX, Indicators: 10, Skipped: 2, Unsupported: 4}}, res.PerFile)

	// every indicator has the pulse's metadata, read after its indicators
	modified := otxUTC("2024-05-03T10:00:00.123Z")
	for _, ind := range res.Indicators {
		assert.Equal(t, "ExampleCERT", ind.Source, ind.String())
		assert.Equal(t, "feeds/pulse.json", ind.File)
		assert.Equal(t, indicator.TLPAmber, ind.TLP, ind.String())
		assert.Equal(t, "Example Spider", ind.ThreatActor)
		assert.Equal(t, "Example Loader", ind.MalwareFamily)
		assert.Equal(t, []string{"T1071.001", "T1566"}, ind.Techniques, "TA0011 is a tactic")
		assert.Equal(t, "https://blog.example/example-loader", ind.Reference, "the first non-empty reference")
		assert.Equal(t, modified, ind.LastSeen)
		assert.False(t, ind.Confidence.Known())
		assert.Equal(t, indicator.SeverityUnknown, ind.Severity)
		assert.Equal(t, []string{"loader", "Example Loader", "phishing", "ExampleRAT"}, ind.Tags[:4], "pulse tags, then the families not among them")
	}
	ip := res.Indicators[0]
	assert.Equal(t, "4001", ip.ID)
	assert.Equal(t, "Example Loader campaign", ip.Description)
	assert.Equal(t, otxUTC("2024-05-01T08:30:05Z"), ip.FirstSeen, "the indicator's created")
	assert.Equal(t, otxUTC("2024-06-01T00:00:00Z"), ip.ValidUntil, "zone-less expiration: UTC")
	assert.Equal(t, []string{"loader", "Example Loader", "phishing", "ExampleRAT", "role:command_and_control"}, ip.Tags)

	host := res.Indicators[1]
	assert.Equal(t, "Example Loader campaign; C2 host", host.Description)
	assert.True(t, host.ValidUntil.IsZero(), "expiration null: no end")
	assert.Len(t, host.Tags, 4, "role null: no role tag")
	assert.Len(t, res.Indicators[2].Tags, 4, `role "": no role tag`)
	assert.Equal(t, otxUTC("2024-05-02T09:00:00Z"), res.Indicators[2].FirstSeen)

	md5 := res.Indicators[4]
	assert.Equal(t, "Example Loader campaign; Win32:Loader-A; MD5 of e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8", md5.Description)
}

func TestReadOTXShapes(t *testing.T) {
	const ind = `{"id": 7, "indicator": "evil.example", "type": "domain", "created": "2024-01-02T03:04:05"}`
	for _, tc := range []struct {
		name, in string
		want     []string // type:value
		check    func(t *testing.T, res Result)
	}{
		{name: "array of pulses", in: `[{"name": "A", "author_name": "a", "tlp": "green", "indicators": [` + ind + `]}, {"name": "B", "author_name": "b", "TLP": "RED", "indicators": [{"indicator": "192.0.2.9", "type": "IPv4"}]}]`,
			want: []string{"domain:evil.example", "ipv4:192.0.2.9"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, "a", res.Indicators[0].Source)
				assert.Equal(t, indicator.TLPGreen, res.Indicators[0].TLP)
				assert.Equal(t, "A", res.Indicators[0].Description)
				assert.Equal(t, "b", res.Indicators[1].Source)
				assert.Equal(t, indicator.TLPRed, res.Indicators[1].TLP, `"TLP", upper case`)
			}},
		{name: "2015 shape: _id", in: `[{"name": "Old", "author_name": "AlienVault", "indicators": [{"indicator": "http://107.6.172.54/woolen/", "_id": "55e6bfb14637f22cb6057466", "type": "URL", "description": "", "created": "2015-09-02T09:21:53.093"}]}]`,
			want: []string{"url:http://107.6.172.54/woolen/"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, "55e6bfb14637f22cb6057466", res.Indicators[0].ID, `"_id" when there is no "id"`)
				assert.Equal(t, time.Date(2015, 9, 2, 9, 21, 53, 93e6, time.UTC), res.Indicators[0].FirstSeen)
			}},
		{name: "TLP spellings", in: `{"tlp": "white", "indicators": [` + ind + `]}
{"TLP": "TLP:AMBER+STRICT", "indicators": [` + ind + `]}
{"tlp": "clear", "indicators": [{"indicator": "b.example", "type": "hostname"}]}
{"tlp": "purple", "indicators": [{"indicator": "c.example", "type": "hostname"}]}`,
			want: []string{"domain:evil.example", "domain:evil.example", "domain:b.example", "domain:c.example"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, indicator.TLPClear, res.Indicators[0].TLP)
				assert.Equal(t, indicator.TLPAmberStrict, res.Indicators[1].TLP)
				assert.Equal(t, indicator.TLPClear, res.Indicators[2].TLP)
				assert.Equal(t, indicator.TLPUnknown, res.Indicators[3].TLP)
				assert.Equal(t, []string{"tlp:purple"}, res.Indicators[3].Tags, "an unknown TLP is kept as a tag")
				assert.Equal(t, "otx", res.Indicators[0].Source, "no author: the file's name")
			}},
		{name: "page of pulses, metadata after the indicators, author object", in: `{"count": 1, "next": null, "results": [{"indicators": [` + ind + `], "id": "p1", "author": {"username": "bob"}, "created": "2023-12-01T00:00:00Z", "modified": "2023-12-05T00:00:00.5Z", "malware_families": ["Emotet", {"display_name": "TrickBot"}, {"id": "Qakbot"}, 5], "attack_ids": ["T1059.001", {"display_name": "T1566.002 - Spearphishing Link"}, "TA0001", "T1059.001"], "tags": ["emotet"], "references": []}]}`,
			want: []string{"domain:evil.example"},
			check: func(t *testing.T, res Result) {
				d := res.Indicators[0]
				assert.Equal(t, "bob", d.Source)
				assert.Equal(t, "Emotet", d.MalwareFamily)
				assert.Equal(t, []string{"emotet", "TrickBot", "Qakbot"}, d.Tags, "families as tags, once whatever the case")
				assert.Equal(t, []string{"T1059.001", "T1566.002"}, d.Techniques)
				assert.Equal(t, "https://otx.alienvault.com/pulse/p1", d.Reference, "no references: the pulse's page")
				assert.Equal(t, otxUTC("2024-01-02T03:04:05Z"), d.FirstSeen)
				assert.Equal(t, otxUTC("2024-01-02T03:04:05Z"), d.LastSeen, "created after the pulse's modified: last seen then")
				assert.Equal(t, "7", d.ID)
			}},
		{name: "pulse dates", in: `{"created": "2023-12-01T00:00:00", "modified": "2023-12-05T00:00:00", "indicators": [{"indicator": "a.example", "type": "domain"}]}
{"created": "2023-12-01", "indicators": [{"indicator": "b.example", "type": "domain"}]}`,
			want: []string{"domain:a.example", "domain:b.example"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, otxUTC("2023-12-01T00:00:00Z"), res.Indicators[0].FirstSeen, "no created: the pulse's")
				assert.Equal(t, otxUTC("2023-12-05T00:00:00Z"), res.Indicators[0].LastSeen)
				assert.Equal(t, otxUTC("2023-12-01T00:00:00Z"), res.Indicators[1].LastSeen, "no modified: created")
			}},
		{name: "export lines", in: `{"indicator":"89.160.20.156","description":null,"title":null,"content":"","type":"IPv4","id":1588938}
{"indicator":"90421f8531f963d81cf54245b72cde80","description":"MD5 of x","title":"Win32:Hoblig-B","content":"","type":"FileHash-MD5","id":9751110}
{"indicator":"/a/b","type":"URI","id":1}
{"indicator":"x.example","type":"hostname","id":2,"is_active":false}
{"indicator":"x.example","type":"BitcoinAddress","id":3}`,
			want: []string{"ipv4:89.160.20.156", "md5:90421f8531f963d81cf54245b72cde80"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, "Win32:Hoblig-B; MD5 of x", res.Indicators[1].Description)
				assert.Equal(t, "9751110", res.Indicators[1].ID)
				assert.True(t, res.Indicators[0].FirstSeen.IsZero() && res.Indicators[0].LastSeen.IsZero())
				assert.Equal(t, map[string]int{"otx URI": 1, "otx inactive": 1, "otx BitcoinAddress": 1}, res.Unsupported)
			}},
		{name: "export page", in: `{"results": [{"indicator": "1.2.3.4", "type": "IPv4", "id": 1}, {"indicator": "CVE-2021-44228", "type": "CVE", "id": 2}], "count": 2, "next": null}`,
			want: []string{"ipv4:1.2.3.4"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, map[string]int{"otx CVE": 1}, res.Unsupported)
			}},
		{name: "pulse_raw", in: `{"indicator": "1woat.top", "type": "domain", "id": 3, "created": "2023-08-09T05:05:15", "expiration": "2023-09-07T00:00:00", "role": "phishing", "pulse_raw": "{\"author_name\":\"OctoSeek\",\"name\":\"P\",\"tlp\":\"green\",\"modified\":\"2023-08-10T00:00:00.946000\",\"adversary\":\"APT0\",\"tags\":[\"t\"]}"}`,
			want: []string{"domain:1woat.top"},
			check: func(t *testing.T, res Result) {
				d := res.Indicators[0]
				assert.Equal(t, "OctoSeek", d.Source)
				assert.Equal(t, "P", d.Description)
				assert.Equal(t, indicator.TLPGreen, d.TLP)
				assert.Equal(t, "APT0", d.ThreatActor)
				assert.Equal(t, []string{"t", "role:phishing"}, d.Tags)
				assert.Equal(t, otxUTC("2023-08-09T05:05:15Z"), d.FirstSeen)
				assert.Equal(t, otxUTC("2023-08-10T00:00:00.946Z"), d.LastSeen)
				assert.Equal(t, otxUTC("2023-09-07T00:00:00Z"), d.ValidUntil)
			}},
		{name: "forced source", in: `{"author_name": "x", "indicators": [` + ind + `]}`,
			want: []string{"domain:evil.example"},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, "mine", res.Indicators[0].Source)
			}},
		{name: "pulse without indicators", in: `{"name": "p", "author_name": "a"}`, want: []string{},
			check: func(t *testing.T, res Result) {
				assert.Equal(t, map[string]int{"otx pulse without indicators": 1}, res.Unsupported)
				assert.Empty(t, res.Problems)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if tc.name == "forced source" {
				opts.Source = "mine"
			}
			res := readOTXString(t, tc.in, opts)
			assert.Equal(t, tc.want, strs(res.Indicators))
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

func TestReadOTXProblems(t *testing.T) {
	for _, tc := range []struct {
		in, reason, msg string
		n               int // indicators read
	}{
		{`{"detail": "Authentication credentials were not provided."}`, ReasonMalformed, `otx.json: (document): OTX error: "Authentication credentials were not provided."`, 0},
		{`{"a": 1}`, ReasonMalformed, `otx.json: (document): not an OTX pulse, page or indicator (no "indicators", "results" or "indicator")`, 0},
		{`"x"`, ReasonMalformed, `otx.json: (document): a JSON string, not an OTX pulse or indicator`, 0},
		{`[[1]]`, ReasonMalformed, `otx.json: [0]: a JSON array, not an OTX pulse or indicator`, 0},
		{`{"results": {"a": [1]}}`, ReasonMalformed, `otx.json: results: "results" is a JSON object, not an array`, 0},
		{`{"indicators": 5, "name": "p"}`, ReasonMalformed, `otx.json: indicators: "indicators" is a JSON number, not an array`, 0},
		{`{"indicators": [5, {"indicator": 1, "type": []}, {"type": "IPv4"}, {"indicator": "a.example", "id": 9}, {"indicator": "b.example", "type": "domain"}]}`, ReasonMalformed, `otx.json: indicators[0]: a JSON number, not an OTX indicator`, 1},
		{`{"indicator": "a.example", "type": "domain", "pulse_raw": "{not json"}`, ReasonMalformed, `otx.json: (document): indicator : pulse_raw is not a pulse's JSON: "{not json"`, 0},
		{`{"indicator": "a.example", "type": "domain", "expiration": "2024-13-01"}`, ReasonMalformed, `otx.json: (document): indicator: expiration: "2024-13-01": not a time`, 0},
		{`{"tags": 5, "modified": "soon", "indicators": [{"indicator": "a.example", "type": "domain"}]}`, ReasonMalformed, `otx.json: (document): pulse: "tags" is a JSON number, not an array`, 1},
		{`{"indicators": [{"indicator": "a.example", "type": "domain"}`, ReasonMalformed, `otx.json: indicators: malformed JSON: unexpected end of input`, 1},
		{``, ReasonMalformed, `otx.json: no JSON value: not an OTX pulse or indicator`, 0},
		{"{\"indicator\": \"a.example\", \"type\": \"domain\"}\n{\"indicator\": \"x\", \"type\": \"IPv4\", \"id\": 2}", ReasonInvalidValue, `otx.json: (value 2): indicator 2: otx type "IPv4": indicator: invalid ipv4 "x": not an IP address`, 1},
	} {
		res := readOTXString(t, tc.in, Options{})
		if assert.NotEmpty(t, res.Problems, tc.in) {
			assert.Equal(t, tc.reason, res.Problems[0].Reason, tc.in)
			assert.Equal(t, tc.msg, res.Problems[0].Error(), tc.in)
		}
		assert.Len(t, res.Indicators, tc.n, tc.in)
		// Strict: the first problem is the error
		_, err := ReadOTX(strings.NewReader(tc.in), "otx.json", Options{Strict: true})
		var p *Problem
		if assert.ErrorAs(t, err, &p, tc.in) {
			assert.Equal(t, tc.msg, p.Error())
		}
	}
	// the bad pulse fields of the last but two: tags and modified
	res := readOTXString(t, `{"tags": 5, "modified": "soon", "indicators": [{"indicator": "a.example", "type": "domain"}]}`, Options{})
	assert.Equal(t, 2, res.Skipped[ReasonMalformed])
	assert.Equal(t, `otx.json: (document): pulse: modified: "soon": not a time`, res.Problems[1].Error())
}

func TestReadOTXPage(t *testing.T) {
	f, err := os.Open(filepath.Join(otxTestdata, "subscribed-page.json"))
	require.NoError(t, err)
	defer f.Close()
	res, page, err := ReadOTXPage(f, "otx:page1", Options{})
	require.NoError(t, err)
	assert.Equal(t, OTXPage{Count: 3, Next: "https://otx.alienvault.com/api/v1/pulses/subscribed?page=2&modified_since=2024-04-01T00%3A00%3A00"}, page)
	assert.Equal(t, []string{"domain:login-verify.example", "ipv4:192.0.2.200"}, strs(res.Indicators))
	assert.Equal(t, map[string]int{"otx pulse without indicators": 1}, res.Unsupported)
	assert.Equal(t, indicator.TLPClear, res.Indicators[0].TLP, "white is clear")
	assert.Equal(t, "AlienVault", res.Indicators[0].Source)
	assert.Equal(t, []string{"role:phishing"}, res.Indicators[0].Tags)
	assert.Equal(t, otxUTC("2024-04-02T00:00:00Z"), res.Indicators[0].LastSeen)
	assert.Equal(t, indicator.TLPRed, res.Indicators[1].TLP)
	assert.Equal(t, 1, res.Files)

	// next before results, and the last page
	_, page, err = ReadOTXPage(strings.NewReader(`{"next": "https://x/?page=3", "count": "7", "previous": "https://x/?page=1", "results": []}`), "p", Options{})
	require.NoError(t, err)
	assert.Equal(t, OTXPage{Count: 7, Next: "https://x/?page=3", Previous: "https://x/?page=1"}, page)
	_, page, err = ReadOTXPage(strings.NewReader(`{"results": [], "next": null, "count": {}}`), "p", Options{})
	require.NoError(t, err)
	assert.Equal(t, OTXPage{}, page)
	// a read error is an error
	_, _, err = ReadOTXPage(otxErrReader{}, "p", Options{})
	assert.Error(t, err)
}

type otxErrReader struct{}

func (otxErrReader) Read([]byte) (int, error) { return 0, os.ErrClosed }

// TestReadOTXStream checks that a pulse's indicators get its metadata when
// streamed (StreamAll), though it comes after them.
func TestReadOTXStream(t *testing.T) {
	var got []indicator.Indicator
	res, err := StreamAll([]string{filepath.Join(otxTestdata, "pulse.json")}, Options{}, func(b []indicator.Indicator) error {
		got = append(got, b...)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, got, 10)
	assert.Equal(t, 2, res.SkippedTotal())
	for _, ind := range got {
		assert.Equal(t, "ExampleCERT", ind.Source)
		assert.Equal(t, indicator.TLPAmber, ind.TLP)
	}
}

func TestOTXRealSamples(t *testing.T) {
	dir := filepath.Join(otxRealFeeds, "otx")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no real OTX samples:", err)
	}
	res, err := Load(dir, Options{})
	require.NoError(t, err)
	byFile := map[string]FileStats{}
	for _, fs := range res.PerFile {
		byFile[filepath.Base(fs.Path)] = fs
	}
	assert.Equal(t, FileStats{Path: filepath.Join(dir, "elastic_otx_pulses_subscribed.ndjson"), Format: FormatOTX, Indicators: 6},
		byFile["elastic_otx_pulses_subscribed.ndjson"])
	assert.Equal(t, FileStats{Path: filepath.Join(dir, "elastic_otx_indicators_export.ndjson"), Format: FormatOTX, Indicators: 83},
		byFile["elastic_otx_indicators_export.ndjson"])
	assert.Empty(t, res.Problems)
	assert.Empty(t, res.Unsupported)
	types := map[indicator.Type]int{}
	for _, ind := range res.Indicators {
		types[ind.Type]++
	}
	// export: sha256 32, ipv4 19, md5 11, sha1 9, domain 8+1, url 3;
	// pulses: sha256, domain 2 (one a hostname), ipv4, url 2
	assert.Equal(t, map[indicator.Type]int{indicator.SHA256: 33, indicator.IPv4: 20, indicator.MD5: 11,
		indicator.SHA1: 9, indicator.Domain: 11, indicator.URL: 5}, types)
	for _, ind := range res.Indicators {
		if filepath.Base(ind.File) != "elastic_otx_pulses_subscribed.ndjson" {
			continue
		}
		assert.Equal(t, "OctoSeek", ind.Source)
		assert.Equal(t, indicator.TLPGreen, ind.TLP)
		assert.Equal(t, otxUTC("2023-08-09T05:05:15Z"), ind.FirstSeen)
		if ind.Value == "192.168.113.98" {
			assert.Equal(t, otxUTC("2023-09-07T00:00:00Z"), ind.ValidUntil)
		} else {
			assert.True(t, ind.ValidUntil.IsZero())
		}
	}
}

func TestDetectOTX(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(otxTestdata, "*"))
	require.NoError(t, err)
	if dir := filepath.Join(otxRealFeeds, "otx"); otxDirExists(dir) {
		real, _ := filepath.Glob(filepath.Join(dir, "*.ndjson"))
		files = append(files, real...)
	}
	require.NotEmpty(t, files)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		for _, as := range []string{"feed", "feed.txt", "feed.csv", name} {
			assert.Equal(t, FormatOTX, Detect(b[:min(len(b), SniffLen)], as), name)
		}
	}
	for _, tc := range []struct {
		head string
		want Format
	}{
		{`{"indicator": "1.2.3.4", "type": "IPv4", "id": 1}`, FormatOTX},
		{`[{"name": "p", "indicators": [], "author_name": "a"}]`, FormatOTX},
		{`{"name": "p", "indicators": [{"indicator": "a.example", "type": "domain", "is_active": 1}]}`, FormatOTX},
		{`{"id": "Talos:STIXPackage-1", "indicators": [{"observable": {"object": {"properties": {"value": "x", "type": "URL"}}}}]}`, FormatUnknown},
		{`{"count": 1, "next": null, "results": [{"indicator": "a.example", "type": "domain"}]}`, FormatOTX},
		// not OTX: STIX 1.x packages have "indicators", DRF pages "results"
		{`{"id": "Talos:STIXPackage-1", "version": "1.1.1", "indicators": [{"id": "x"}]}`, FormatUnknown},
		{`{"count": 1, "next": null, "results": [{"name": "x", "type": "domain"}]}`, FormatUnknown},
		{`{"indicator": "x", "type": "indicator", "id": "indicator--1"}`, FormatSTIX},
		{`{"Event": {"info": "x", "Attribute": [{"type": "domain", "value": "a.example"}]}}`, FormatMISP},
		{`{"type": "bundle", "id": "bundle--1", "objects": [{"type": "indicator", "pattern": "[x]"}]}`, FormatSTIX},
	} {
		assert.Equal(t, tc.want, Detect([]byte(tc.head), "f.json"), tc.head)
	}
}

func otxDirExists(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

func FuzzReadOTX(f *testing.F) {
	addSeeds(f, filepath.Join(otxTestdata, "*"),
		`{"indicators": [{"indicator": "hxxp://a[.]example/x", "type": "URL", "is_active": "1", "expiration": "2024-01-01T00:00:00"}], "TLP": "amber", "attack_ids": [{"id": "T1000"}], "malware_families": [{"display_name": "x"}]}`,
		`{"indicator": "a.example", "type": "domain", "pulse_raw": "{\"tlp\": \"red\", \"tags\": [1, \"a\"]}"}`+"\n"+`[{"results": [{"indicator": 5}]}, 3]`,
		`{"results": [{"indicators": [{"indicator": "1.2.3.4", "type": "IPv4"}], "author_name": "a"}], "next": "n"}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		var res0 Result
		for i, opts := range []Options{{}, {MaxRecordSize: 256, MaxJSONDepth: 6}} {
			res, err := ReadOTX(bytes.NewReader(data), "fuzz.json", opts)
			if err != nil {
				t.Fatalf("%+v: unexpected error %v", opts, err)
			}
			if i == 0 {
				res0 = res
			}
			mispCheckResult(t, res)
			checkStrict(t, ReadOTX, data, "fuzz.json", opts, res)
		}
		pres, _, err := ReadOTXPage(bytes.NewReader(data), "fuzz.json", Options{})
		if err != nil {
			t.Fatalf("page: %v", err)
		}
		if !bytes.HasPrefix(data, gzipMagic) && (len(pres.Indicators) != len(res0.Indicators) ||
			pres.SkippedTotal() != res0.SkippedTotal() || pres.UnsupportedTotal() != res0.UnsupportedTotal()) {
			t.Fatalf("page: %d indicators, %d skipped; ReadOTX: %d, %d", len(pres.Indicators), pres.SkippedTotal(), len(res0.Indicators), res0.SkippedTotal())
		}
	})
}
