package loader

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

func TestReadThreatConnect(t *testing.T) {
	const path = "feeds/tc.json"
	m := func(meta indicator.Meta) indicator.Meta {
		if meta.Source == "" {
			meta.Source = "tc"
		}
		meta.File = path
		return meta
	}
	for _, tc := range []struct {
		name    string
		in      string
		want    []indicator.Indicator
		skipped map[string]int
		unsup   map[string]int
		records []string
	}{
		{
			name: "v2 envelope: File summary packs hashes, lastModified before dateAdded, Unsupported counted",
			in: `{"status": "Success", "data": {"resultCount": 3, "indicator": [` +
				`{"dateAdded": "2015-05-16T00:20:55Z", "lastModified": "2015-04-20T04:32:09Z", "webLink": "http://localhost/tc/file", "summary": "278E1888BDC5720AAECAF4B3C86905A4 : 5FD255E050319B7B1D43C6824522EEA43063C908", "ownerName": "Common Community", "type": "File", "id": 47128},` +
				`{"lastModified": "2015-01-08T14:35:31Z", "dateAdded": "2015-01-18T21:25:03Z", "type": "Unsupported", "id": 47133, "ownerName": "Common Community"},` +
				`{"dateAdded": "2015-06-30T01:38:30Z", "lastModified": "2015-07-09T17:42:17Z", "summary": "192.168.212.210", "ownerName": "Common Community", "type": "Address", "id": 47131}]}}`,
			want: []indicator.Indicator{
				{Type: indicator.MD5, Value: "278e1888bdc5720aaecaf4b3c86905a4", Meta: m(indicator.Meta{Source: "Common Community", ID: "47128", Reference: "http://localhost/tc/file", FirstSeen: rfTime("2015-05-16T00:20:55Z"), LastSeen: rfTime("2015-05-16T00:20:55Z")})},
				{Type: indicator.SHA1, Value: "5fd255e050319b7b1d43c6824522eea43063c908", Meta: m(indicator.Meta{Source: "Common Community", ID: "47128", Reference: "http://localhost/tc/file", FirstSeen: rfTime("2015-05-16T00:20:55Z"), LastSeen: rfTime("2015-05-16T00:20:55Z")})},
				{Type: indicator.IPv4, Value: "192.168.212.210", Meta: m(indicator.Meta{Source: "Common Community", ID: "47131", FirstSeen: rfTime("2015-06-30T01:38:30Z"), LastSeen: rfTime("2015-07-09T17:42:17Z")})},
			},
			unsup: map[string]int{"threatconnect type: Unsupported": 1},
		},
		{
			name: "v2 per-type lists: the key gives the type, the value its field",
			in: `{"status": "Success", "data": {"resultCount": 2, "address": [{"id": 1, "ip": "2001:db8::1", "rating": 4.0, "confidence": 80}],` +
				` "host": {"id": 2, "hostName": "evil.example", "securityLabel": [{"name": "TLP:RED"}], "tag": [{"name": "c2"}]}}}`,
			want: []indicator.Indicator{
				{Type: indicator.IPv6, Value: "2001:db8::1", Meta: m(indicator.Meta{ID: "1", Severity: indicator.SeverityHigh, Confidence: indicator.MustConfidence(80)})},
				{Type: indicator.Domain, Value: "evil.example", Meta: m(indicator.Meta{ID: "2", TLP: indicator.TLPRed, Tags: []string{"c2"}})},
			},
		},
		{
			name: "v3 page: labels, tags with techniques, attributes, expiry, false positives, inactive",
			in: `{"data": [{"id": 891599, "type": "EmailAddress", "summary": "johnbae@poverts.com", "address": "other@example.com",` +
				` "dateAdded": "2023-08-25T12:57:24Z", "lastModified": "2023-12-01T08:26:48Z", "externalDateExpires": "2024-10-04T12:34:56Z",` +
				` "rating": 3, "confidence": 61, "ownerName": "Elastic", "webLink": "https://tc.example/#/details/indicators/891599",` +
				` "securityLabels": {"data": [{"id": 3, "name": "TLP:GREEN"}, {"id": 4, "name": "TLP:AMBER"}]},` +
				` "tags": {"data": [{"name": "userexecution:maliciouslink", "techniqueId": "T1055.005"}, {"name": "t1566"}, {"name": "phishing"}]},` +
				` "attributes": {"data": [{"type": "Source", "value": "Partner feed"}, {"type": "Source", "value": "https://ref.example/a"}, {"type": "Description", "value": "Phishing sender"}]},` +
				` "falsePositives": 2, "active": true},` +
				` {"id": 2, "type": "Host", "summary": "old.example", "active": false}], "status": "Success", "count": 2, "next": "https://tc.example/api/v3/indicators?resultStart=2"}`,
			want: []indicator.Indicator{
				{Type: indicator.Email, Value: "johnbae@poverts.com", Meta: m(indicator.Meta{
					Source: "Elastic", ID: "891599", Description: "Phishing sender", Reference: "https://ref.example/a",
					Confidence: indicator.MustConfidence(61), Severity: indicator.SeverityMedium, TLP: indicator.TLPAmber,
					Tags: []string{"userexecution:maliciouslink", "phishing", FalsePositiveTCTag}, Techniques: []string{"T1055.005", "T1566"},
					FirstSeen: rfTime("2023-08-25T12:57:24Z"), LastSeen: rfTime("2023-12-01T08:26:48Z"), ValidUntil: rfTime("2024-10-04T12:34:56Z"),
				})},
			},
			unsup: map[string]int{"threatconnect inactive": 1},
		},
		{
			name: "v3 NDJSON of single objects; description field first; threatAssess when no rating",
			in: `{"id": 1, "type": "Registry Key", "summary": "HKEY_LOCAL_MACHINE\\Software\\Run : evil : REG_SZ", "description": "run key", "attributes": {"data": [{"type": "Description", "value": "not this"}]}, "threatAssessRating": 4.26, "threatAssessConfidence": 87.54}` + "\n" +
				`{"id": 2, "type": "Mutex", "Mutex": "Global\\evil", "dateAdded": "2023-01-01T00:00:00Z"}` + "\n" +
				`{"id": 3, "type": "User Agent", "User Agent String": "EvilBot/1.0", "rating": 1}` + "\n" +
				`{"id": 4, "type": "CIDR", "Block": "198.51.100.0/24", "rating": 0}` + "\n" +
				`{"id": 5, "type": "File", "md5": "F5A2496CF66CB8CFFE66CB1B27D7DEDE", "sha256": "", "rating": 5}` + "\n",
			want: []indicator.Indicator{
				{Type: indicator.RegKey, Value: `HKLM\Software\Run`, Meta: m(indicator.Meta{ID: "1", Description: "run key", Severity: indicator.SeverityHigh, Confidence: indicator.MustConfidence(88)})},
				{Type: indicator.Mutex, Value: `Global\evil`, Meta: m(indicator.Meta{ID: "2", FirstSeen: rfTime("2023-01-01T00:00:00Z"), LastSeen: rfTime("2023-01-01T00:00:00Z")})},
				{Type: indicator.UserAgent, Value: "EvilBot/1.0", Meta: m(indicator.Meta{ID: "3", Severity: indicator.SeverityInfo})},
				{Type: indicator.CIDR, Value: "198.51.100.0/24", Meta: m(indicator.Meta{ID: "4"})},
				{Type: indicator.MD5, Value: "f5a2496cf66cb8cffe66cb1b27d7dede", Meta: m(indicator.Meta{ID: "5", Severity: indicator.SeverityCritical})},
			},
		},
		{
			name: "batch: groups counted, displayed attributes first, URL Source attribute is the reference, python-dict tags",
			in: `{"association": [{"groupXid": "g", "indicatorXid": "x"}], "group": [{"name": "Darkhotel", "type": "Incident"}],` +
				` "indicator": [{"xid": "e336:24348498", "type": "Host", "summary": "pb.upinfo.biz", "rating": 5.0, "confidence": 100,` +
				` "attribute": [{"displayed": false, "type": "Description", "value": "Darkhotel APT"}, {"displayed": true, "type": "Source", "value": "https://securelist.com/x.pdf"}, {"displayed": true, "type": "Description", "value": "Command and control domain."}],` +
				` "tag": [{"name": "{'created_on': 1664913032, 'name': 'KillChain/Installation'}"}, {"name": "China"}, {"name": "TLP:AMBER"}]}]}`,
			want: []indicator.Indicator{
				{Type: indicator.Domain, Value: "pb.upinfo.biz", Meta: m(indicator.Meta{ID: "e336:24348498", Description: "Command and control domain.", Reference: "https://securelist.com/x.pdf",
					Confidence: indicator.MustConfidence(100), Severity: indicator.SeverityCritical, TLP: indicator.TLPAmber, Tags: []string{"KillChain/Installation", "China"}})},
			},
			unsup: map[string]int{"threatconnect group": 1},
		},
		{
			name: "bare object, array of objects, types unknown and ASN",
			in: `{"id": "xxxx", "ownerName": "xxx", "type": "URL", "summary": "hxxps://google[.]com", "rating": 2.0, "confidence": 75, "webLink": "https://app.threatconnect.com/"}` +
				`[{"type": "ASN", "summary": "ASN1234"}, {"type": "Hashtag", "summary": "#x"}, {"type": "Email Subject", "summary": "Your invoice"}]`,
			want: []indicator.Indicator{
				{Type: indicator.URL, Value: "https://google.com/", Meta: m(indicator.Meta{Source: "xxx", ID: "xxxx", Reference: "https://app.threatconnect.com/", Severity: indicator.SeverityLow, Confidence: indicator.MustConfidence(75)})},
				{Type: indicator.EmailSubject, Value: "Your invoice", Meta: m(indicator.Meta{})},
			},
			unsup: map[string]int{"threatconnect type: ASN": 1, "threatconnect type: Hashtag": 1},
		},
		{
			name: "bad indicators are problems of their record",
			in: `{"status": "Success", "data": {"indicator": [` +
				`{"id": 1, "type": "Address", "summary": "999.1.1.1"},` +
				`{"id": 2, "type": "Host"},` +
				`{"id": 3, "type": "Host", "summary": "a.example", "dateAdded": "yesterday"},` +
				`"text",` +
				`{"id": 5, "type": "File", "summary": "F5A2496CF66CB8CFFE66CB1B27D7DEDE : XXXX"},` +
				`{"id": 6, "summary": "198.51.100.6"},` +
				`{"id": 7}]}}`,
			want: []indicator.Indicator{
				{Type: indicator.MD5, Value: "f5a2496cf66cb8cffe66cb1b27d7dede", Meta: m(indicator.Meta{ID: "5"})},
				{Type: indicator.IPv4, Value: "198.51.100.6", Meta: m(indicator.Meta{ID: "6"})},
			},
			skipped: map[string]int{ReasonInvalidValue: 2, ReasonMalformed: 4},
			records: []string{"indicator[0]", "indicator[1]", "indicator[2]", "indicator[3]", "indicator[4]", "indicator[6]"},
		},
		{
			name:    "malformed JSON ends the file, what was read is kept",
			in:      `{"data": [{"type": "Host", "summary": "a.example"}, {"type": `,
			want:    []indicator.Indicator{{Type: indicator.Domain, Value: "a.example", Meta: m(indicator.Meta{})}},
			skipped: map[string]int{ReasonMalformed: 1},
			records: []string{"data[1]"},
		},
		{
			name: "empty pages",
			in:   `{"status": "Success", "data": {"resultCount": 0}} {"data": [], "status": "Success", "count": 0} {"status": "Success", "data": null}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ReadThreatConnect(strings.NewReader(tc.in), path, Options{})
			require.NoError(t, err)
			if len(tc.want) == 0 {
				tc.want = nil
			}
			assert.Equal(t, tc.want, res.Indicators)
			assert.Equal(t, tc.skipped, res.Skipped, "%v", res.Problems)
			assert.Equal(t, tc.unsup, res.Unsupported)
			var recs []string
			for _, p := range res.Problems {
				recs = append(recs, strings.TrimPrefix(p.Record, "data."))
			}
			assert.Equal(t, tc.records, recs, "%v", res.Problems)
		})
	}
}

func TestReadThreatConnectMessages(t *testing.T) {
	in := `{"data": [{"id": 1, "type": "Address", "summary": "999.1.1.1"}, {"id": 3, "type": "Host", "summary": "a.example", "dateAdded": "yesterday"}, {"id": 4, "type": "Host"}]}`
	res, err := ReadThreatConnect(strings.NewReader(in), "tc.json", Options{})
	require.NoError(t, err)
	var msgs []string
	for _, p := range res.Problems {
		msgs = append(msgs, p.Error())
	}
	assert.Equal(t, []string{
		`tc.json: data[0]: indicator "1": type "Address": indicator: invalid ipv4 "999.1.1.1": not an IP address`,
		`tc.json: data[1]: indicator "3": dateAdded "yesterday": not an RFC 3339 timestamp`,
		`tc.json: data[2]: indicator "4": type "Host" without a value (no summary)`,
	}, msgs)

	// Options.Source overrides ownerName
	res, err = ReadThreatConnect(strings.NewReader(`{"type": "Host", "summary": "a.example", "ownerName": "Org"}`), "tc.json", Options{Source: "mine"})
	require.NoError(t, err)
	require.Len(t, res.Indicators, 1)
	assert.Equal(t, "mine", res.Indicators[0].Source)

	// Strict stops at the first problem
	_, err = ReadThreatConnect(strings.NewReader(in), "tc.json", Options{Strict: true})
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, "data[0]", p.Record)

	// an indicator larger than MaxRecordSize is a problem that ends the file
	big := `{"data": [{"type": "Host", "summary": "a.example"}, {"type": "Host", "summary": "b.example", "description": "` + strings.Repeat("x", 1<<20) + `"}]}`
	res, err = ReadThreatConnect(strings.NewReader(big), "tc.json", Options{MaxRecordSize: 64 << 10})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 1)
	assert.Equal(t, map[string]int{ReasonTooLarge: 1}, res.Skipped)
}

func TestDetectThreatConnect(t *testing.T) {
	for _, head := range []string{
		`{"status": "Success", "data": {"resultCount": 1, "indicator": [{"summary": "a.example", "type": "Host"}]}}`,
		`{"data":[{"id":1,"type":"Address","summary":"1.2.3.4"}],"status":"Success","count":1}`,
		`{"data": [], "status": "Success", "count": 0}`,
		`{"indicator": [], "group": [], "association": []}`,
		`{"group": [], "indicator": [{"summary": "x.example", "type": "Host"}]}`,
		`{"id": 1, "ownerName": "o", "type": "URL", "summary": "https://x.example"}`,
		`[{"type": "Host", "summary": "x.example", "dateAdded": "2020-01-01T00:00:00Z"}]`,
	} {
		assert.Equal(t, FormatThreatConnect, Detect([]byte(head), "feed.json"), head)
	}
	for _, head := range []string{
		`{"status": "ok", "data": [{"summary": "x"}]}`,
		`{"type": "indicator", "id": "indicator--1", "summary": "x", "dateAdded": "y"}`,
		`{"summary": "x", "type": "Host"}`,
	} {
		assert.NotEqual(t, FormatThreatConnect, Detect([]byte(head), "feed.json"), head)
	}
	files, _ := filepath.Glob("testdata/threatconnect/*")
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.Equal(t, FormatThreatConnect, Detect(b, "feed"), f)
	}
}

// The real samples (skipped where absent): their counts.
func TestReadThreatConnectRealSamples(t *testing.T) {
	dir := filepath.Join(rftcRealFeeds, "threatconnect")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no real samples in", dir)
	}
	for name, want := range map[string]struct {
		n     int
		unsup map[string]int
	}{
		// Address 3,039 + Host 2,887 + File 2,956 × 3 hashes
		"cb_threatconnect_v2_indicators.json":    {14794, map[string]int{"threatconnect type: Unsupported": 2917}},
		"elastic_tc_v3_indicator.ndjson":         {1, nil},
		"tcex_batch_empty_groups.json":           {6, nil}, // Host 2, URL, File × 3
		"tcex_batch_large_file.json":             {3, map[string]int{"threatconnect group": 6}},
		"tcex_transformed_indicators.json":       {10, nil},
		"xsoar_feedthreatconnect_indicator.json": {1, nil},
	} {
		f := rftcOpen(t, filepath.Join(dir, name))
		// detected by content, whatever the name
		res, err := Read(f, "feed.dat", Options{})
		require.NoError(t, err, name)
		assert.Equal(t, FormatThreatConnect, res.PerFile[0].Format, name)
		assert.Len(t, res.Indicators, want.n, name)
		assert.Empty(t, res.Skipped, name)
		assert.Equal(t, want.unsup, res.Unsupported, name)
	}
	// the 3.4 MB v2 file streams: read with records of at most 4 KiB, it
	// reads the same (read whole, it would be one record too large)
	res, err := ReadThreatConnect(rftcOpen(t, filepath.Join(dir, "cb_threatconnect_v2_indicators.json")), "tc", Options{MaxRecordSize: 4 << 10})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 14794)
	assert.Empty(t, res.Skipped)

	res, err = ReadThreatConnect(rftcOpen(t, filepath.Join(dir, "elastic_tc_v3_indicator.ndjson")), "tc", Options{})
	require.NoError(t, err)
	require.Len(t, res.Indicators, 1)
	got := res.Indicators[0]
	assert.Equal(t, indicator.MustNew(indicator.Email, "johnbae@poverts.com").Value, got.Value)
	assert.Equal(t, indicator.TLPAmber, got.TLP)
	assert.Equal(t, 61, got.Confidence.Value())
	assert.Equal(t, indicator.SeverityMedium, got.Severity)
	assert.Equal(t, []string{"T1055.005"}, got.Techniques)
	assert.Equal(t, rfTime("2023-10-04T12:34:56Z"), got.ValidUntil)
	assert.Equal(t, "Elastic", got.Source)
	assert.Contains(t, got.Tags, FalsePositiveTCTag)
}

func FuzzReadThreatConnect(f *testing.F) {
	addSeeds(f, "testdata/threatconnect/*",
		`{"status": "Success", "data": {"address": {"ip": "1.2.3.4"}, "host": [{"hostName": "a.example"}]}}`,
		`{"indicator": {"type": "Host", "summary": "a.example"}, "group": {}, "association": [1]}`,
		`[{"type": "File", "summary": " : : ", "tags": {"data": [{"name": "T1"}]}, "rating": "7", "confidence": 1e99}]`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := Options{Source: "fuzz", MaxJSONDepth: 16, MaxRecordSize: 4 << 10}
		res, err := ReadThreatConnect(bytes.NewReader(data), "fuzz.json", opts)
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		checkMerged(t, res)
		for _, ind := range res.Indicators {
			again, err := indicator.New(ind.Type, ind.Value)
			if err != nil || again.Type != ind.Type || again.Value != ind.Value || ind.Source != "fuzz" {
				t.Fatalf("%v: not canonical or bad source (%v)", ind, err)
			}
			if ind.Confidence.Value() > 100 || ind.Severity > indicator.SeverityCritical {
				t.Fatalf("%v: confidence %v severity %v", ind, ind.Confidence, ind.Severity)
			}
		}
		if s := res.SkippedTotal(); len(res.Problems) > s || s <= MaxProblems && len(res.Problems) != s {
			t.Fatalf("%d problems, %d skipped", len(res.Problems), s)
		}
		checkStrict(t, ReadThreatConnect, data, "fuzz.json", opts, res)
	})
}
