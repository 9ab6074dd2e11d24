package loader

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

const (
	vendorDir     = "testdata/vendor"
	realVendorDir = "../../shared/realdata/feeds/other"
)

func vendorUTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func readVendorFile(t *testing.T, read func(r io.Reader, path string, opts Options) (Result, error), name string) Result {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vendorDir, name))
	require.NoError(t, err)
	res, err := read(bytes.NewReader(b), name, Options{})
	require.NoError(t, err)
	return res
}

// byValue returns the indicators of res by value.
func byValue(res Result) map[string]indicator.Indicator {
	m := map[string]indicator.Indicator{}
	for _, ind := range res.Indicators {
		m[ind.Value] = ind
	}
	return m
}

func TestReadThreatStreamPage(t *testing.T) {
	res := readVendorFile(t, ReadThreatStream, "threatstream_page.json")
	require.Len(t, res.Indicators, 2)
	d := res.Indicators[0]
	assert.Equal(t, indicator.Domain, d.Type)
	assert.Equal(t, "evil.example", d.Value) // refanged
	assert.Equal(t, indicator.Meta{
		Source: "Feed A", ID: "1001", Confidence: indicator.MustConfidence(80), Severity: indicator.SeverityHigh,
		TLP: indicator.TLPRed, Tags: []string{"Emotet", "c2", "c2_domain"},
		ValidUntil: vendorUTC("2030-01-01T00:00:00Z"), FirstSeen: vendorUTC("2024-01-01T00:00:00Z"), LastSeen: vendorUTC("2024-02-01T00:00:00Z"),
		File: "threatstream_page.json",
	}, d.Meta)
	h := res.Indicators[1]
	assert.Equal(t, indicator.SHA256, h.Type, "a hash of itype mal_md5 is of the kind its length tells")
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", h.Value)
	assert.False(t, h.Confidence.Known(), "confidence -1 is ThreatStream's none")
	assert.Equal(t, "threatstream_page", h.Source, "no source: the file's name")
	assert.Equal(t, []string{"a", "b", "mal_md5"}, h.Tags)
	assert.Equal(t, map[string]int{"threatstream itype: apt_file_path": 1, "threatstream status: inactive": 1}, res.Unsupported)
	assert.Equal(t, map[string]int{ReasonInvalidValue: 1}, res.Skipped)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, "objects[4]", res.Problems[0].Record)
	assert.Contains(t, res.Problems[0].Msg, `threatstream "1005": `)
	assert.Contains(t, res.Problems[0].Msg, `"not an ip"`)
}

func TestReadThreatStreamElastic(t *testing.T) {
	res := readVendorFile(t, ReadThreatStream, "threatstream_elastic.json")
	require.Len(t, res.Indicators, 1)
	ind := res.Indicators[0]
	assert.Equal(t, indicator.IPv6, ind.Type)
	assert.Equal(t, "::e", ind.Value)
	assert.Equal(t, indicator.Meta{
		Source: "Analyst", ID: "231017345", Confidence: indicator.MustConfidence(50), Severity: indicator.SeverityCritical,
		TLP: indicator.TLPAmber, Tags: []string{"malware", "mal_ipv6"},
		FirstSeen: vendorUTC("2021-03-31T10:17:13.571Z"), LastSeen: vendorUTC("2021-03-31T10:17:56.207Z"),
		File: "threatstream_elastic.json",
	}, ind.Meta, "expiration_ts 9999-12-31 is never: ValidUntil zero")
	assert.Empty(t, res.Problems)
	assert.Empty(t, res.Unsupported)
}

func TestReadThreatStreamRules(t *testing.T) {
	for _, tc := range []struct {
		name, doc   string
		want        []string // type:value
		skipped     map[string]int
		unsupported map[string]int
		check       func(t *testing.T, res Result)
	}{
		{name: "single object", doc: `{"itype": "mal_url", "value": "hxxp://evil.example/a", "status": "Active"}`, want: []string{"url:http://evil.example/a"}},
		{name: "array and json lines", doc: `[{"itype": "phish_email", "value": "A@Evil.Example"}] {"type": "ip", "value": "198.51.100.1"}`,
			want: []string{"email:a@evil.example", "ipv4:198.51.100.1"}},
		{name: "string kinds by itype", doc: `[{"itype": "mal_mutex", "type": "string", "value": "Global\\M"},
			{"itype": "apt_registry_key", "type": "string", "value": "HKEY_LOCAL_MACHINE\\Software\\X"},
			{"itype": "mal_file_name", "type": "string", "value": "evil.exe"},
			{"itype": "mal_ua", "type": "string", "value": "EvilAgent/1.0"},
			{"itype": "phish_email_subject", "type": "string", "value": "Invoice"},
			{"itype": "mal_sslcert_sha1", "type": "string", "value": "a7b57d47c1b80c61c61c1bcf9089eed6fdaac756"}]`,
			want: []string{`mutex:Global\M`, `regkey:HKLM\Software\X`, "filename:evil.exe", "useragent:EvilAgent/1.0", "email-subject:Invoice", "sha1:a7b57d47c1b80c61c61c1bcf9089eed6fdaac756"}},
		{name: "unknown type and itype", doc: `[{"type": "string", "itype": "spam_mta", "value": "x"}, {"type": "asn", "value": "1"}]`,
			unsupported: map[string]int{"threatstream itype: spam_mta": 1, "threatstream type: asn": 1}},
		{name: "statuses", doc: `[{"type": "ip", "value": "198.51.100.1", "status": "falsepos"}, {"type": "ip", "value": "198.51.100.2", "status": "inactive"}]`,
			unsupported: map[string]int{"threatstream status: falsepos": 1, "threatstream status: inactive": 1}},
		{name: "tags as a string, severity at the top, TLP white", doc: `{"itype": "mal_ip", "value": "198.51.100.1", "tags": "x,y", "severity": "low", "tlp": "white", "date_first": "2024-01-01T00:00:00", "date_last": "2024-01-02 03:04:05", "created_ts": "2020-01-01T00:00:00Z"}`,
			want: []string{"ipv4:198.51.100.1"},
			check: func(t *testing.T, res Result) {
				m := res.Indicators[0].Meta
				assert.Equal(t, []string{"x", "y", "mal_ip"}, m.Tags)
				assert.Equal(t, indicator.SeverityLow, m.Severity)
				assert.Equal(t, indicator.TLPClear, m.TLP)
				assert.Equal(t, vendorUTC("2024-01-01T00:00:00Z"), m.FirstSeen, "date_first before created_ts")
				assert.Equal(t, vendorUTC("2024-01-02T03:04:05Z"), m.LastSeen)
			}},
		{name: "malformed records", doc: `[1, {"itype": "mal_ip"}, {"itype": "mal_ip", "value": "198.51.100.1", "confidence": 101},
			{"itype": "mal_ip", "value": "198.51.100.1", "expiration_ts": "soon"}, {"itype": "mal_ip", "value": {"a": 1}},
			{"itype": "mal_ip", "value": "198.51.100.1", "tags": [[1]]}, {"itype": "mal_md5", "value": "abc"}]`,
			skipped: map[string]int{ReasonMalformed: 6, ReasonInvalidValue: 1},
			check: func(t *testing.T, res Result) {
				var msgs []string
				for _, p := range res.Problems {
					msgs = append(msgs, p.Record+": "+p.Msg)
				}
				all := strings.Join(msgs, "\n")
				for _, s := range []string{`[0]: threatstream: a JSON number, not a record`, `[1]: threatstream record without a "value"`,
					`[2]: threatstream confidence "101": not a number in 0-100`, `[3]: threatstream expiration_ts "soon": not a time`,
					`[4]: threatstream record: {"a": 1}: want a string`, `[5]: threatstream record: tags`, `[6]: threatstream indicator: invalid md5 "abc": want 32 hex digits`} {
					assert.Contains(t, all, s)
				}
			}},
		{name: "empty page", doc: `{"meta": {"total_count": 0}, "objects": []}`},
		{name: "null page", doc: `{"meta": {}, "objects": null}`},
		{name: "not a document", doc: `"x"`, skipped: map[string]int{ReasonMalformed: 1}},
		{name: "nothing", doc: ``, skipped: map[string]int{ReasonMalformed: 1}},
		{name: "broken JSON keeps what was read", doc: `[{"itype": "mal_ip", "value": "198.51.100.1"}, {"itype": `,
			want: []string{"ipv4:198.51.100.1"}, skipped: map[string]int{ReasonMalformed: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ReadThreatStream(strings.NewReader(tc.doc), "ts.json", Options{})
			require.NoError(t, err)
			checkVendor(t, res, tc.want, tc.skipped, tc.unsupported)
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

func checkVendor(t *testing.T, res Result, want []string, skipped, unsupported map[string]int) {
	t.Helper()
	var got []string
	for _, ind := range res.Indicators {
		got = append(got, ind.String())
	}
	assert.Equal(t, want, got)
	if skipped == nil {
		assert.Empty(t, res.Skipped, "%v", res.Problems)
	} else {
		assert.Equal(t, skipped, res.Skipped, "%v", res.Problems)
	}
	if unsupported == nil {
		assert.Empty(t, res.Unsupported)
	} else {
		assert.Equal(t, unsupported, res.Unsupported)
	}
}

func TestReadMandiant(t *testing.T) {
	res := readVendorFile(t, ReadMandiant, "mandiant_list.json")
	require.Len(t, res.Indicators, 3)
	md5, sha1, fqdn := res.Indicators[0], res.Indicators[1], res.Indicators[2]
	assert.Equal(t, "md5:373d34874d7bc89fd4cefa6272ee80bf", md5.String())
	assert.Equal(t, "sha1:a7b57d47c1b80c61c61c1bcf9089eed6fdaac756", sha1.String(), "an associated hash")
	want := indicator.Meta{
		Source: "mandiant_list", ID: "md5--1", Confidence: indicator.MustConfidence(100), Description: "sources: Mandiant",
		ThreatActor: "UNC3313", MalwareFamily: "SMUGPIGEON", Tags: []string{"misp-warninglist:rfc1918"},
		FirstSeen: vendorUTC("2022-06-04T16:00:00Z"), LastSeen: vendorUTC("2022-06-04T18:00:00Z"), File: "mandiant_list.json",
	}
	assert.Equal(t, want, md5.Meta, "first/last seen from the sources' +0000 times")
	assert.Equal(t, want, sha1.Meta)
	assert.Equal(t, "domain:bad.example", fqdn.String())
	assert.Equal(t, indicator.MustConfidence(40), fqdn.Confidence)
	assert.Equal(t, indicator.SeverityHigh, fqdn.Severity)
	assert.Equal(t, []string{"GLOBAL.21.005"}, fqdn.Tags)
	assert.Equal(t, "Log4Shell", fqdn.Description)
	assert.Equal(t, map[string]int{"mandiant type: x509": 1}, res.Unsupported)
	assert.Empty(t, res.Problems)
}

func TestReadMandiantElastic(t *testing.T) {
	res := readVendorFile(t, ReadMandiant, "mandiant_elastic.json")
	require.Len(t, res.Indicators, 1)
	ind := res.Indicators[0]
	assert.Equal(t, "ipv4:1.128.3.4", ind.String())
	assert.Equal(t, indicator.Meta{
		Source: "mandiant_elastic", ID: "ipv4--af6febd0-3351-5b32-a66c-bbac306c7360", Confidence: indicator.MustConfidence(50),
		Description: "sources: voipbl, greensnow, sblam_blacklist, blocklist_net_ua",
		Tags:        []string{"exploit/vuln-scanning", "exploit", "spam/sender", "spam", "misp-warninglist:vpn-ipv4"},
		FirstSeen:   vendorUTC("2022-06-18T23:22:01Z"), LastSeen: vendorUTC("2023-03-23T23:22:01Z"), File: "mandiant_elastic.json",
	}, ind.Meta)
	assert.Empty(t, res.Problems)
}

func TestReadMandiantRules(t *testing.T) {
	for _, tc := range []struct {
		name, doc   string
		want        []string
		skipped     map[string]int
		unsupported map[string]int
	}{
		{name: "bad times", doc: `[{"type": "ipv4", "value": "198.51.100.1", "sources": [{"first_seen": "yesterday"}]}, {"type": "ipv4", "value": "198.51.100.2", "last_seen": 5.5e99}]`,
			skipped: map[string]int{ReasonMalformed: 2}},
		{name: "bad mscore", doc: `{"type": "url", "value": "http://a.example/", "mscore": "high"}`, skipped: map[string]int{ReasonMalformed: 1}},
		{name: "associated hash of another kind", doc: `{"type": "md5", "value": "373d34874d7bc89fd4cefa6272ee80bf", "associated_hashes": [{"type": "ssdeep", "value": "3:a:b"}, {"type": "sha256", "value": "zz"}]}`,
			want: []string{"md5:373d34874d7bc89fd4cefa6272ee80bf"}, skipped: map[string]int{ReasonInvalidValue: 1}, unsupported: map[string]int{"mandiant associated hash: ssdeep": 1}},
		{name: "ipv6 and email", doc: `{"indicators": [{"type": "ipv6", "value": "2001:db8::1"}, {"type": "email", "value": "x@evil.example"}]}`,
			want: []string{"ipv6:2001:db8::1", "email:x@evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ReadMandiant(strings.NewReader(tc.doc), "m.json", Options{})
			require.NoError(t, err)
			checkVendor(t, res, tc.want, tc.skipped, tc.unsupported)
		})
	}
}

func TestReadCrowdStrike(t *testing.T) {
	res := readVendorFile(t, ReadCrowdStrike, "crowdstrike_envelope.json")
	require.Len(t, res.Indicators, 1)
	ind := res.Indicators[0]
	assert.Equal(t, "domain:evil.example", ind.String())
	assert.Equal(t, indicator.Meta{
		Source: "crowdstrike_envelope", ID: "domain_evil.example", Confidence: indicator.MustConfidence(60), Description: "CSIT-1",
		ThreatActor: "FANCYBEAR", MalwareFamily: "X-Agent",
		Tags:      []string{"MaliciousConfidence/Medium", "KillChain/C2", "ThreatType/Targeted"},
		FirstSeen: time.Unix(1700000000, 0).UTC(), LastSeen: time.Unix(1700100000, 0).UTC(), File: "crowdstrike_envelope.json",
	}, ind.Meta)
	assert.Equal(t, map[string]int{"crowdstrike deleted": 1, "crowdstrike type: username": 1}, res.Unsupported)
	assert.Empty(t, res.Problems)

	res = readVendorFile(t, ReadCrowdStrike, "crowdstrike_array.json")
	require.Len(t, res.Indicators, 2)
	assert.Equal(t, "md5:9a3697a9332be777c59c91a6a16f2122", res.Indicators[0].String())
	assert.Equal(t, indicator.MustConfidence(85), res.Indicators[0].Confidence)
	assert.Equal(t, "PdfCaptchaLure21", res.Indicators[0].MalwareFamily)
	assert.Equal(t, []string{"KillChain/Installation", "MaliciousConfidence/High", "Malware/PdfCaptchaLure21", "ThreatType/Criminal"}, res.Indicators[0].Tags,
		"kill_chains and threat_types already among the labels: each tag once")
	assert.Equal(t, time.Unix(1664913028, 0).UTC(), res.Indicators[0].FirstSeen)
	assert.Equal(t, time.Unix(1665008920, 0).UTC(), res.Indicators[0].LastSeen)
}

func TestReadCrowdStrikeRules(t *testing.T) {
	for _, tc := range []struct {
		name, doc   string
		want        []string
		skipped     map[string]int
		unsupported map[string]int
	}{
		{name: "types", doc: `[{"type": "ip_address", "indicator": "198.51.100.1"}, {"type": "ip_address_block", "indicator": "198.51.100.0/24"},
			{"type": "url", "indicator": "hxxp://evil[.]example/x"}, {"type": "email_address", "indicator": "a@evil.example"},
			{"type": "mutex_name", "indicator": "Global\\M"}, {"type": "file_name", "indicator": "a.exe"}, {"type": "registry", "indicator": "hkcu\\x"},
			{"type": "user_agent", "indicator": "UA/1"}, {"type": "email_subject", "indicator": "Hi"}, {"type": "hash_sha1", "indicator": "a7b57d47c1b80c61c61c1bcf9089eed6fdaac756"},
			{"type": "bitcoin_address", "indicator": "1abc"}]`,
			want: []string{"ipv4:198.51.100.1", "cidr:198.51.100.0/24", "url:http://evil.example/x", "email:a@evil.example", `mutex:Global\M`,
				"filename:a.exe", `regkey:HKCU\x`, "useragent:UA/1", "email-subject:Hi", "sha1:a7b57d47c1b80c61c61c1bcf9089eed6fdaac756"},
			unsupported: map[string]int{"crowdstrike type: bitcoin_address": 1}},
		{name: "confidences", doc: `[{"type": "domain", "indicator": "a.example", "malicious_confidence": "low"}, {"type": "domain", "indicator": "b.example", "malicious_confidence": "unverified"}, {"type": "domain", "indicator": "c.example"}]`,
			want: []string{"domain:a.example", "domain:b.example", "domain:c.example"}},
		{name: "API errors", doc: `{"meta": {}, "resources": null, "errors": [{"code": 429, "message": "API rate limit exceeded."}]}`,
			skipped: map[string]int{ReasonMalformed: 1}},
		{name: "malformed", doc: `[{"type": "domain"}, {"type": "domain", "indicator": "a.example", "published_date": "x"}, {"type": "domain", "indicator": "a.example", "labels": "x"}, {"type": "hash_md5", "indicator": "xyz"}]`,
			skipped: map[string]int{ReasonMalformed: 3, ReasonInvalidValue: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ReadCrowdStrike(strings.NewReader(tc.doc), "cs.json", Options{})
			require.NoError(t, err)
			checkVendor(t, res, tc.want, tc.skipped, tc.unsupported)
			if tc.name == "confidences" {
				assert.Equal(t, indicator.MustConfidence(30), res.Indicators[0].Confidence)
				assert.Equal(t, indicator.MustConfidence(10), res.Indicators[1].Confidence)
				assert.False(t, res.Indicators[2].Confidence.Known())
			}
			if tc.name == "API errors" {
				assert.Contains(t, res.Problems[0].Msg, `code 429: "API rate limit exceeded."`)
			}
		})
	}
}

func TestReadElasticEvents(t *testing.T) {
	doc := `{"events": [
		{"json": {"itype": "c2_ip", "value": "198.51.100.1"}},
		{"message": "{\"mscore\": 70, \"type\": \"fqdn\", \"value\": \"m.example\"}"},
		{"json": {"malicious_confidence": "high", "type": "domain", "indicator": "c.example"}},
		{"json": {"score": 5, "value": "q.example", "type": "FQDN"}},
		{"message": "plain text, not JSON"},
		{"message": "[1]"},
		{"@timestamp": "2024-01-01T00:00:00Z"},
		7
	]}`
	for _, read := range []func(r io.Reader, path string, opts Options) (Result, error){ReadThreatStream, ReadMandiant, ReadCrowdStrike} {
		res, err := read(strings.NewReader(doc), "e.json", Options{})
		require.NoError(t, err)
		checkVendor(t, res, []string{"ipv4:198.51.100.1", "domain:m.example", "domain:c.example"},
			map[string]int{ReasonMalformed: 3}, map[string]int{"elastic event of unknown kind": 2})
		assert.Equal(t, indicator.MustConfidence(70), res.Indicators[1].Confidence, "the Mandiant record read as Mandiant's")
		assert.Equal(t, indicator.MustConfidence(85), res.Indicators[2].Confidence, "the CrowdStrike record read as CrowdStrike's")
		assert.Equal(t, "events[4].message", res.Problems[0].Record)
	}
	// of unknown kind only: counted, not a silent zero, and detected
	unknown := `{"events": [{"json": {"threatq": 1}}, {"json": {"threatq": 2}}]}`
	assert.Equal(t, FormatThreatStream, Detect([]byte(unknown), "x.json"))
	res, err := Read(strings.NewReader(unknown), "x.json", Options{})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"elastic event of unknown kind": 2}, res.Unsupported)
}

func TestDetectVendor(t *testing.T) {
	for _, tc := range []struct {
		head string
		want Format
	}{
		{`{"meta": {"limit": 1}, "objects": [{"itype": "mal_ip", "value": "1.2.3.4"}]}`, FormatThreatStream},
		{`[{"id": 1, "threatscore": 40, "value": "x"}]`, FormatThreatStream},
		{`{"type": "ipv6", "itype": "mal_ipv6"}`, FormatThreatStream},
		{`{"indicators": [{"id": "ipv4--1", "mscore": 50, "type": "ipv4"}]}`, FormatMandiant},
		{`{"id": "ipv4--1", "type": "ipv4", "value": "1.2.3.4", "mscore": 5}`, FormatMandiant},
		{`[{"indicator": "x", "_marker": "1"}]`, FormatCrowdStrike},
		{`{"meta": {"query_time": 1}, "resources": [], "errors": []}`, FormatCrowdStrike},
		{`{"events": [{"message": "{\"mscore\": 1}"}]}`, FormatMandiant},
		{`{"events": [{"json": {"itype": "x"}}]}`, FormatThreatStream},
		{`{"events": [{"json": {"malicious_confidence": "high"}}]}`, FormatCrowdStrike},
		// a STIX bundle and other shapes stay theirs
		{`{"type": "bundle", "id": "bundle--1", "objects": [{"type": "indicator", "id": "indicator--1"}]}`, FormatSTIX},
		{`{"more": false, "objects": []}`, FormatSTIX},
		{`{"events": [1, 2]}`, FormatUnknown},
		{`{"indicators": [{"value": "x"}]}`, FormatUnknown},
	} {
		assert.Equal(t, tc.want, Detect([]byte(tc.head), "feed.txt"), tc.head)
	}
	// the samples, whatever their names
	for name, want := range map[string]Format{
		"threatstream_elastic.json": FormatThreatStream, "threatstream_page.json": FormatThreatStream,
		"mandiant_elastic.json": FormatMandiant, "mandiant_list.json": FormatMandiant,
		"crowdstrike_array.json": FormatCrowdStrike, "crowdstrike_envelope.json": FormatCrowdStrike,
	} {
		b, err := os.ReadFile(filepath.Join(vendorDir, name))
		require.NoError(t, err)
		assert.Equal(t, want, Detect(b, "feed"), name)
		assert.Equal(t, want, Detect(b, "feed.csv"), name)
	}
}

func TestReadSTIXOpenCTIScore(t *testing.T) {
	doc := stixBundle(
		stixInd("1", "[ipv4-addr:value = '198.51.100.1']", `"x_opencti_score": 50`),
		stixInd("2", "[ipv4-addr:value = '198.51.100.2']", `"x_opencti_score": 50, "confidence": 90`),
		stixInd("3", "[ipv4-addr:value = '198.51.100.3']", `"x_opencti_score": 150`),
		stixInd("4", "[ipv4-addr:value = '198.51.100.4']", `"x_opencti_score": null`),
	)
	res, err := ReadSTIX(strings.NewReader(doc), "o.json", Options{})
	require.NoError(t, err)
	inds := byValue(res)
	assert.Equal(t, indicator.MustConfidence(50), inds["198.51.100.1"].Confidence, "the score is the confidence")
	assert.Equal(t, indicator.MustConfidence(90), inds["198.51.100.2"].Confidence, "confidence first")
	assert.False(t, inds["198.51.100.4"].Confidence.Known())
	assert.NotContains(t, inds, "198.51.100.3")
	require.Len(t, res.Problems, 1)
	assert.Contains(t, res.Problems[0].Msg, `x_opencti_score "150": not an integer in 0-100`)
}

// TestRealdataVendor reads the samples of other platforms' exports and
// checks what they give.
func TestRealdataVendor(t *testing.T) {
	if _, err := os.Stat(realVendorDir); err != nil {
		t.Skip("no real samples at", realVendorDir)
	}
	for _, tc := range []struct {
		name       string
		format     Format
		indicators int
		check      func(t *testing.T, res Result)
	}{
		{"crowdstrike_falcon_indicators_tcex.json", FormatCrowdStrike, 10, func(t *testing.T, res Result) {
			types, families := map[indicator.Type]int{}, map[string]int{}
			for _, ind := range res.Indicators {
				types[ind.Type]++
				families[ind.MalwareFamily]++
				assert.Equal(t, indicator.MustConfidence(85), ind.Confidence)
				assert.Contains(t, ind.Tags, "Malware/"+ind.MalwareFamily)
				assert.Contains(t, ind.Tags, "MaliciousConfidence/High")
				assert.False(t, ind.FirstSeen.IsZero() || ind.LastSeen.IsZero())
			}
			assert.Equal(t, map[indicator.Type]int{indicator.MD5: 3, indicator.SHA1: 3, indicator.SHA256: 4}, types)
			assert.Equal(t, map[string]int{"PdfCaptchaLure21": 6, "Mofksys": 4}, families)
		}},
		{"elastic_anomali_threatstream_mal_ipv6.json", FormatThreatStream, 1, func(t *testing.T, res Result) {
			ind := res.Indicators[0]
			assert.Equal(t, "ipv6:::e", ind.String())
			assert.Equal(t, indicator.MustConfidence(50), ind.Confidence)
			assert.Equal(t, indicator.SeverityCritical, ind.Severity)
			assert.Equal(t, indicator.TLPAmber, ind.TLP)
			assert.True(t, ind.ValidUntil.IsZero(), "9999-12-31: never expires")
			assert.Equal(t, "Analyst", ind.Source)
		}},
		{"elastic_mandiant_advantage_ipv4_event.json", FormatMandiant, 1, func(t *testing.T, res Result) {
			ind := res.Indicators[0]
			assert.Equal(t, "ipv4:1.128.3.4", ind.String())
			assert.Equal(t, indicator.MustConfidence(50), ind.Confidence)
			assert.Contains(t, ind.Tags, "misp-warninglist:vpn-ipv4")
			assert.Equal(t, vendorUTC("2023-03-23T23:22:01Z"), ind.LastSeen)
		}},
		{"opencti_DATA-TEST-STIX2_v2.json", FormatSTIX, 3, func(t *testing.T, res Result) {
			for _, ind := range res.Indicators {
				assert.Equal(t, indicator.TLPClear, ind.TLP, "%v: TLP:WHITE marking ref", ind)
				assert.False(t, ind.ValidUntil.IsZero(), "%v", ind)
				assert.Equal(t, ind.ValidFrom.AddDate(1, 0, 0), ind.ValidUntil, "%v: valid a year", ind)
				assert.Equal(t, "CIRCL", ind.Source)
			}
		}},
		{"opencti_indicator_stix.json", FormatSTIX, 2, func(t *testing.T, res Result) {
			for _, ind := range res.Indicators {
				assert.Equal(t, indicator.MustConfidence(50), ind.Confidence, "x_opencti_score")
				assert.Equal(t, indicator.TLPClear, ind.TLP)
				assert.Equal(t, vendorUTC("2021-04-17T09:50:27Z"), ind.ValidUntil)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(realVendorDir, tc.name))
			require.NoError(t, err)
			assert.Equal(t, tc.format, Detect(b, "feed"), "detected by content")
			res, err := Read(bytes.NewReader(b), tc.name, Options{})
			require.NoError(t, err)
			assert.Len(t, res.Indicators, tc.indicators)
			assert.Empty(t, res.Skipped, "%v", res.Problems)
			assert.Empty(t, res.Unsupported)
			tc.check(t, res)
		})
	}
}

func vendorFuzz(t *testing.T, read func(r io.Reader, path string, opts Options) (Result, error), data []byte) {
	for _, opts := range []Options{{}, {MaxRecordSize: 200, MaxJSONDepth: 6}} {
		res, err := read(bytes.NewReader(data), "fuzz.json", opts)
		if err != nil {
			t.Fatalf("%+v: unexpected error %v", opts, err)
		}
		checkMerged(t, res)
		for _, ind := range res.Indicators {
			again, err := indicator.New(ind.Type, ind.Value)
			if err != nil || again.Type != ind.Type || again.Value != ind.Value {
				t.Fatalf("%v does not re-canonicalise: %v %v", ind, again, err)
			}
			if ind.Source == "" || ind.File != "fuzz.json" {
				t.Fatalf("%v: source %q, file %q", ind, ind.Source, ind.File)
			}
		}
		skipped := res.SkippedTotal()
		if len(res.Problems) > skipped || skipped <= MaxProblems && len(res.Problems) != skipped {
			t.Fatalf("%d problems, %d skipped", len(res.Problems), skipped)
		}
		checkStrict(t, read, data, "fuzz.json", opts, res)
	}
}

var vendorFuzzSeeds = []string{
	"", "[]", "{}", `{"objects": [null, 1, "x", [], {}]}`, `{"events": [{"message": "{\"mscore\": 1, \"type\": \"ipv4\", \"value\": \"1.2.3.4\"}"}, {"json": {}}]}`,
	`{"itype": "mal_ip", "value": "198.51.100.1"} [{"type": "md5", "value": "x"}]`,
	`{"resources": [{"type": "hash_md5", "indicator": "9a3697a9332be777c59c91a6a16f2122", "labels": [{"name": "A"}]}], "errors": [{"code": 1}]}`,
	`{"indicators": [{"type": "md5", "value": "373d34874d7bc89fd4cefa6272ee80bf", "associated_hashes": [{"type": "sha1", "value": "a7b57d47c1b80c61c61c1bcf9089eed6fdaac756"}], "misp": {"x": true}}]}`,
}

func FuzzReadThreatStream(f *testing.F) {
	addSeeds(f, filepath.Join(vendorDir, "threatstream_*"), vendorFuzzSeeds...)
	f.Fuzz(func(t *testing.T, data []byte) { vendorFuzz(t, ReadThreatStream, data) })
}

func FuzzReadMandiant(f *testing.F) {
	addSeeds(f, filepath.Join(vendorDir, "mandiant_*"), vendorFuzzSeeds...)
	f.Fuzz(func(t *testing.T, data []byte) { vendorFuzz(t, ReadMandiant, data) })
}

func FuzzReadCrowdStrike(f *testing.F) {
	addSeeds(f, filepath.Join(vendorDir, "crowdstrike_*"), vendorFuzzSeeds...)
	f.Fuzz(func(t *testing.T, data []byte) { vendorFuzz(t, ReadCrowdStrike, data) })
}

func ExampleReadThreatStream() {
	// a page of /api/v2/intelligence
	const page = `{"meta": {"limit": 1000, "next": null, "offset": 0, "total_count": 3},
 "objects": [
  {"id": 231017345, "itype": "c2_domain", "type": "domain", "value": "c2.evil.example", "status": "active",
   "confidence": 85, "meta": {"severity": "very-high"}, "tlp": "amber", "source": "Analyst",
   "tags": [{"id": "t1", "name": "Emotet"}], "threat_type": "c2", "expiration_ts": "9999-12-31T00:00:00.000Z"},
  {"id": 231017346, "itype": "mal_md5", "type": "md5", "value": "9A3697A9332BE777C59C91A6A16F2122", "status": "active",
   "confidence": 40, "meta": {"severity": "low"}, "tlp": "green", "expiration_ts": "2025-01-01T00:00:00.000Z"},
  {"id": 231017347, "itype": "mal_ip", "type": "ip", "value": "198.51.100.7", "status": "falsepos"}
 ]}`
	res, err := ReadThreatStream(strings.NewReader(page), "feeds/threatstream.json", Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Printf("%-6s %-32s %-12s %-8s %-5s %-2s %v %s\n", ind.Type, ind.Value, ind.Source, ind.Severity, ind.TLP, ind.Confidence,
			ind.ValidUntil.Format(time.DateOnly), ind.Tags)
	}
	fmt.Println(res.Unsupported)
	// Output:
	// domain c2.evil.example                  Analyst      critical amber 85 0001-01-01 [Emotet c2 c2_domain]
	// md5    9a3697a9332be777c59c91a6a16f2122 threatstream low      green 40 2025-01-01 [mal_md5]
	// map[threatstream status: falsepos:1]
}

func TestReadVendorLimits(t *testing.T) {
	// an API page far larger than MaxRecordSize is streamed record by record
	var b strings.Builder
	b.WriteString(`{"meta": {"total_count": 3000}, "objects": [`)
	for i := range 3000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id": %d, "itype": "mal_ip", "value": "10.%d.%d.1", "confidence": 70, "status": "active"}`, i, i/256, i%256)
	}
	b.WriteString(`]}`)
	res, err := ReadThreatStream(strings.NewReader(b.String()), "big.json", Options{MaxRecordSize: 512})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 3000)
	assert.Empty(t, res.Problems)

	// a record over the limit (and the decoder's 64 KiB of slack) ends the
	// file, what was read before kept
	doc := `[{"itype": "mal_ip", "value": "198.51.100.1"}, {"itype": "mal_ip", "value": "198.51.100.2", "description": "` + strings.Repeat("x", 3*capSlack) + `"}]`
	res, err = ReadThreatStream(strings.NewReader(doc), "big.json", Options{MaxRecordSize: 512})
	require.NoError(t, err)
	checkVendor(t, res, []string{"ipv4:198.51.100.1"}, map[string]int{ReasonTooLarge: 1}, nil)

	// nesting too deep ends only its document (JSON lines)
	doc = `{"objects": [[[[[[[[1]]]]]]]]}` + "\n" + `{"itype": "mal_ip", "value": "198.51.100.3"}`
	res, err = ReadThreatStream(strings.NewReader(doc), "deep.json", Options{MaxJSONDepth: 4})
	require.NoError(t, err)
	checkVendor(t, res, []string{"ipv4:198.51.100.3"}, map[string]int{ReasonTooDeep: 1}, nil)
}

func TestReadVendorStrict(t *testing.T) {
	doc := `{"resources": [{"type": "domain", "indicator": "a.example"}, {"type": "domain", "indicator": "-bad-"}, {"type": "domain", "indicator": "b.example"}]}`
	res, err := ReadCrowdStrike(strings.NewReader(doc), "cs.json", Options{Strict: true})
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, "resources[1]", p.Record)
	assert.Equal(t, ReasonInvalidValue, p.Reason)
	checkVendor(t, res, []string{"domain:a.example"}, map[string]int{ReasonInvalidValue: 1}, nil)

	res, err = ReadCrowdStrike(strings.NewReader(doc), "cs.json", Options{Source: "falcon"})
	require.NoError(t, err)
	checkVendor(t, res, []string{"domain:a.example", "domain:b.example"}, map[string]int{ReasonInvalidValue: 1}, nil)
	assert.Equal(t, "falcon", res.Indicators[0].Source, "Options.Source")
}
