package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

var mispDir = filepath.Join("..", "testdata", "feeds", "misp")

func mispUTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func readMISPString(t *testing.T, doc string, opts Options) Result {
	t.Helper()
	res, err := ReadMISP(strings.NewReader(doc), "t.json", opts)
	require.NoError(t, err)
	return res
}

func TestReadMISPEvent(t *testing.T) {
	path := filepath.Join(mispDir, "event.json")
	res, err := Load(path, Options{})
	require.NoError(t, err)

	assert.Equal(t, []string{
		"ipv4:198.51.100.23",
		"domain:c2.loader.example",
		"ipv4:203.0.113.9",
		"ipv6:2001:db8::7",
		"domain:update.loader.example",
		"url:https://cdn.loader.example/stage2.bin",
		"sha256:e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8",
		"email:billing@mail.loader.example",
		"email-subject:Your invoice #4411 is overdue",
		`regkey:HKCU\Software\Microsoft\Windows\CurrentVersion\Run\updater`,
		`mutex:Global\ExampleLoaderMtx`,
		"useragent:Mozilla/5.0 (ExampleLoader 1.0)",
		"cidr:192.0.2.0/24",
		"md5:0123456789abcdef0123456789abcdef",
	}, strs(res.Indicators))

	assert.Equal(t, []string{
		path + `: Event.Attribute[15]: attribute a0000001-0000-4000-8000-000000000010: misp type "ip-dst": indicator: invalid ipv4 "198.51.100.300": not an IP address`,
		path + `: Event.Attribute[16]: attribute a0000001-0000-4000-8000-000000000011: misp type "filename|md5": value "no-hash-here.dll" has no '|'`,
		path + `: Event.Attribute[19]: attribute: {"bad": 1}: want a boolean`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonInvalidValue: 2, ReasonMalformed: 1}, res.Skipped)
	assert.Equal(t, map[string]int{
		"misp type: link": 1, "misp type: text": 1, "misp type: yara": 1, "misp type: size-in-bytes": 1,
		"misp not to_ids": 2, "misp deleted": 1,
	}, res.Unsupported)
	assert.Equal(t, []FileStats{{Path: path, Format: FormatMISP, Indicators: 14, Skipped: 3, Unsupported: 7}}, res.PerFile)

	eventTags := []string{`misp-galaxy:threat-actor="Example Spider"`, `misp-galaxy:malpedia="Example Loader"`, `osint:certainty="75"`, "type:OSINT"}
	first := res.Indicators[0]
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/misp/event.json",
		Source:        "Example CERT",
		ID:            "a0000001-0000-4000-8000-000000000001",
		Description:   "Example Loader campaign: C2 and payloads; C2 server",
		Reference:     "https://blog.example/example-loader",
		Confidence:    indicator.MustConfidence(75),
		Severity:      indicator.SeverityHigh,
		Tags:          eventTags,
		TLP:           indicator.TLPAmber,
		ThreatActor:   "Example Spider",
		MalwareFamily: "Example Loader",
		Techniques:    []string{"T1547.001", "T1071.001"},
		FirstSeen:     mispUTC("2024-04-28T10:00:00Z"),
		LastSeen:      mispUTC("2024-04-30T18:30:00Z"),
	}, first.Meta)

	// both parts of a composite carry the attribute's metadata, and its
	// own TLP tag wins over the event's
	for _, ind := range res.Indicators[1:3] {
		assert.Equal(t, "a0000001-0000-4000-8000-000000000002", ind.ID)
		assert.Equal(t, indicator.TLPRed, ind.TLP)
		assert.Equal(t, []string{"tlp:red"}[:0], ind.Tags[:0])
		assert.Equal(t, eventTags, ind.Tags, "tlp:red is read into TLP, not Tags")
		assert.Equal(t, "Example Loader campaign: C2 and payloads", ind.Description)
		assert.Equal(t, mispUTC("2024-05-01T00:00:00Z"), ind.FirstSeen, "event date")
		assert.Equal(t, time.Unix(1714600001, 0).UTC(), ind.LastSeen, "attribute timestamp")
	}

	// object attribute: object comment and first_seen
	md5 := res.Indicators[13]
	assert.Equal(t, "b0000001-0000-4000-8000-000000000003", md5.ID)
	assert.Equal(t, "Example Loader campaign: C2 and payloads; second stage", md5.Description)
	assert.Equal(t, mispUTC("2024-04-29T00:00:00Z"), md5.FirstSeen)
	assert.Equal(t, time.Unix(1714600102, 0).UTC(), md5.LastSeen)
	assert.Equal(t, "Example CERT", md5.Source)

	// filename|sha256: the hash alone, with the attribute's comment and
	// the file name as metadata
	sha := res.Indicators[6]
	assert.Equal(t, "sha256:e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8", sha.String())
	assert.Equal(t, "Example Loader campaign: C2 and payloads; dropper", sha.Description)
	assert.Equal(t, "invoice.pdf.exe", sha.FileName)
	for _, ind := range res.Indicators {
		assert.NotEqual(t, indicator.Filename, ind.Type, "no filename indicator from a composite: %v", ind)
		assert.Equal(t, path, ind.File)
		if ind.Value != sha.Value {
			assert.Empty(t, ind.FileName, ind.String())
		}
	}

	// every indicator gets the event-level metadata
	for _, ind := range res.Indicators {
		assert.Equal(t, "Example CERT", ind.Source, ind.String())
		assert.Equal(t, indicator.SeverityHigh, ind.Severity, ind.String())
		assert.Equal(t, "https://blog.example/example-loader", ind.Reference, ind.String())
		assert.Equal(t, []string{"T1547.001", "T1071.001"}, ind.Techniques, ind.String())
	}
}

func TestReadMISPAllAttributes(t *testing.T) {
	res, err := Load(filepath.Join(mispDir, "event.json"), Options{MISPAllAttributes: true, Source: "forced"})
	require.NoError(t, err)
	got := strs(res.Indicators)
	assert.Len(t, got, 16)
	assert.Contains(t, got, "domain:old.loader.example")
	assert.Contains(t, got, "filename:stage2.bin")
	assert.Zero(t, res.Unsupported["misp not to_ids"])
	assert.Equal(t, 1, res.Unsupported["misp deleted"])
	for _, ind := range res.Indicators {
		assert.Equal(t, "forced", ind.Source, "Options.Source wins over Orgc")
	}
	i := strings.Index(strings.Join(got, "\n"), "domain:old.loader.example")
	require.GreaterOrEqual(t, i, 0)
	for _, ind := range res.Indicators {
		if ind.Value == "old.loader.example" {
			assert.Equal(t, "Example Loader campaign: C2 and payloads; sinkholed", ind.Description)
		}
	}
}

func TestReadMISPSearchExport(t *testing.T) {
	path := filepath.Join(mispDir, "search-export.json")
	res, err := Load(path, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"ipv4:203.0.113.77", "domain:panel.botnet.example"}, strs(res.Indicators))
	assert.Empty(t, res.Problems)
	assert.Equal(t, map[string]int{"misp not to_ids": 1}, res.Unsupported)

	a, b := res.Indicators[0], res.Indicators[1]
	assert.Equal(t, "Example Research", a.Source, "Orgc, not Org")
	assert.Equal(t, "Botnet C2 list", a.Description)
	assert.Equal(t, indicator.MustConfidence(75), a.Confidence, "confidence-level:usually-confident")
	assert.Equal(t, "Example Panda", a.ThreatActor)
	assert.Equal(t, indicator.SeverityUnknown, a.Severity, "threat level 4 is undefined")
	assert.Equal(t, []string{"confidence-level:usually-confident", `misp-galaxy:mitre-intrusion-set="Example Panda - G9999"`}, a.Tags)
	assert.Equal(t, mispUTC("2023-11-02T00:00:00Z"), a.FirstSeen)

	assert.Equal(t, "Another Org", b.Source)
	assert.Equal(t, "Second event", b.Description)
	assert.Equal(t, indicator.SeverityMedium, b.Severity)
	assert.Empty(t, b.ThreatActor, "the first event's metadata does not leak")
	assert.False(t, b.Confidence.Known())
	assert.Empty(t, b.Tags)
}

func TestLoadMISPFeed(t *testing.T) {
	dir := filepath.Join(mispDir, "feed")
	res, err := Load(dir, Options{})
	require.NoError(t, err)
	e1 := filepath.Join(dir, "5f0c8a9e-1d2b-4c3d-9e4f-a1b2c3d4e5f6.json")
	e2 := filepath.Join(dir, "6a1d9bf0-2e3c-4d4e-8f50-b2c3d4e5f6a7.json")
	assert.Equal(t, []FileStats{
		{Path: e1, Format: FormatMISP, Indicators: 2, Unsupported: 1},
		{Path: e2, Format: FormatMISP, Indicators: 2, Skipped: 1, Unsupported: 1},
		{Path: filepath.Join(dir, "manifest.json"), Format: FormatMISPManifest},
	}, res.PerFile)
	assert.Equal(t, []string{
		"url:http://login.bank.phish.example/secure/",
		"domain:kit.phish.example",
		"sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
		"md5:d41d8cd98f00b204e9800998ecf8427e", // malware-sample: the hash, its file name as metadata; filename|ssdeep gives nothing
	}, strs(res.Indicators))
	assert.Equal(t, []string{"", "stealer.exe"}, []string{res.Indicators[2].FileName, res.Indicators[3].FileName})
	assert.Equal(t, []string{
		e2 + `: Event.Attribute[3]: attribute d0000001-0000-4000-8000-000000000004: misp type "sha256": indicator: invalid sha256 "not-a-hash": want 64 hex digits, have 10 characters`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{"misp type: AS": 1, "misp type: filename|ssdeep": 1}, res.Unsupported)
	for _, ind := range res.Indicators[:2] {
		assert.Equal(t, indicator.TLPGreen, ind.TLP)
		assert.Equal(t, []string{"T1566.002"}, ind.Techniques)
		assert.Equal(t, "Example Feed Org", ind.Source)
	}
	for _, ind := range res.Indicators[2:] {
		assert.Equal(t, indicator.TLPClear, ind.TLP, "tlp:white")
		assert.Equal(t, "Example Stealer", ind.MalwareFamily)
		assert.Equal(t, "Commodity stealer hashes", ind.Description, "info after the attributes")
		assert.Equal(t, "Example Feed Org", ind.Source, "Orgc after the attributes")
		assert.Equal(t, indicator.SeverityLow, ind.Severity)
	}
}

func TestReadMISPManifest(t *testing.T) {
	f, err := os.Open(filepath.Join(mispDir, "feed", "manifest.json"))
	require.NoError(t, err)
	defer f.Close()
	res, err := ReadMISPManifest(f, "manifest.json", Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Indicators)
	assert.Empty(t, res.Problems)
	assert.Equal(t, []FileStats{{Path: "manifest.json", Format: FormatMISPManifest}}, res.PerFile)

	tests := []struct {
		name, doc string
		want      []string
	}{
		{"empty object", `{}`, nil},
		{"bad key", `{"5f0c8a9e-1d2b-4c3d-9e4f-a1b2c3d4e5f6": {"info": "x"}, "feed": {"info": "y"}}`,
			[]string{`m.json: feed: manifest key "feed" is not an event uuid`}},
		{"bad entry", `{"5f0c8a9e-1d2b-4c3d-9e4f-a1b2c3d4e5f6": {"Tag": "tlp:white"}, "6a1d9bf0-2e3c-4d4e-8f50-b2c3d4e5f6a7": {"date": "2024-13-45"}}`,
			[]string{
				`m.json: 5f0c8a9e-1d2b-4c3d-9e4f-a1b2c3d4e5f6: manifest entry: json: cannot unmarshal string into Go struct field mispManifestEntry.Tag of type []loader.mispTag`,
				`m.json: 6a1d9bf0-2e3c-4d4e-8f50-b2c3d4e5f6a7: manifest entry: "2024-13-45": not a MISP time (Unix seconds, RFC 3339 or a date)`,
			}},
		{"array", `[{"5f0c8a9e-1d2b-4c3d-9e4f-a1b2c3d4e5f6": {}}]`, []string{`m.json: not a MISP feed manifest (a JSON object of event uuids)`}},
		{"truncated", `{"5f0c8a9e-1d2b-4c3d-9e4f-a1b2c3d4e5f6": {"info": `, []string{`m.json: 5f0c8a9e-1d2b-4c3d-9e4f-a1b2c3d4e5f6: malformed JSON: unexpected end of input`}},
		{"empty", ``, []string{`m.json: malformed JSON: unexpected end of input`}},
		{"two values", `{} {}`, []string{`m.json: more than one JSON value: not a MISP feed manifest`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadMISPManifest(strings.NewReader(tt.doc), "m.json", Options{})
			require.NoError(t, err)
			assert.Empty(t, res.Indicators)
			if tt.want == nil {
				assert.Empty(t, res.Problems)
				return
			}
			assert.Equal(t, tt.want, problemStrs(res.Problems))
			for _, p := range res.Problems {
				assert.Equal(t, ReasonMalformed, p.Reason)
			}
		})
	}
}

// TestReadMISPShapes checks the document shapes and the attribute rules on
// small documents.
func TestReadMISPShapes(t *testing.T) {
	attr := func(typ, value string) string {
		return fmt.Sprintf(`{"type": %q, "value": %q, "to_ids": true, "uuid": "u1"}`, typ, value)
	}
	tests := []struct {
		name    string
		doc     string
		opts    Options
		want    []string
		probs   []string
		unsup   map[string]int
		skipped map[string]int
	}{
		{name: "event", doc: `{"Event": {"Attribute": [` + attr("domain", "a.example") + `]}}`, want: []string{"domain:a.example"}},
		{name: "bare event", doc: `{"info": "x", "Attribute": [` + attr("domain", "a.example") + `]}`, want: []string{"domain:a.example"}},
		{name: "array of events", doc: `[{"Event": {"Attribute": [` + attr("md5", "d41d8cd98f00b204e9800998ecf8427e") + `]}}, {"Attribute": [` + attr("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709") + `]}]`,
			want: []string{"md5:d41d8cd98f00b204e9800998ecf8427e", "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709"}},
		{name: "Event array", doc: `{"Event": [{"Attribute": [` + attr("domain", "a.example") + `]}, {"Attribute": [` + attr("domain", "b.example") + `]}]}`,
			want: []string{"domain:a.example", "domain:b.example"}},
		{name: "attribute search export", doc: `{"response": {"Attribute": [` + attr("ip-dst", "192.0.2.1") + `]}}`, want: []string{"ipv4:192.0.2.1"}},
		{name: "concatenated events", doc: `{"Event": {"Attribute": [` + attr("domain", "a.example") + `]}}` + "\n" + `{"Event": {"Attribute": [` + attr("domain", "b.example") + `]}}`,
			want: []string{"domain:a.example", "domain:b.example"}},
		{name: "null attributes", doc: `{"Event": {"Attribute": null, "Object": null}}`},
		{name: "empty event", doc: `{}`},

		{name: "to_ids forms", doc: `{"Attribute": [
			{"type": "domain", "value": "a.example", "to_ids": "1"},
			{"type": "domain", "value": "b.example", "to_ids": 1},
			{"type": "domain", "value": "c.example", "to_ids": "True"},
			{"type": "domain", "value": "d.example", "to_ids": "0"},
			{"type": "domain", "value": "e.example", "to_ids": false},
			{"type": "domain", "value": "f.example", "to_ids": null},
			{"type": "domain", "value": "g.example"}]}`,
			want: []string{"domain:a.example", "domain:b.example", "domain:c.example"}, unsup: map[string]int{"misp not to_ids": 4}},
		{name: "deleted forms", doc: `{"Attribute": [
			{"type": "domain", "value": "a.example", "to_ids": true, "deleted": "1"},
			{"type": "domain", "value": "b.example", "to_ids": true, "deleted": "0"}],
			"Object": [{"deleted": true, "Attribute": [{"type": "domain", "value": "c.example", "to_ids": true}]}]}`,
			want: []string{"domain:b.example"}, unsup: map[string]int{"misp deleted": 2}},

		{name: "composites", doc: `{"Attribute": [` + strings.Join([]string{
			attr("regkey|value", `hklm\Software\Run|a|b|c`),
			attr("filename|sha1", `odd|name.exe|DA39A3EE5E6B4B0D3255BFEF95601890AFD80709`),
			attr("hostname|port", "Mail.Example.|25"),
			attr("ip-dst|port", "[2001:db8::1]|443"),
			attr("ip-src|port", "2001:db8::2|443"),
			attr("domain|ip", "x.example|198.51.100.0/24"),
			attr("filename|imphash", "a.dll|f34d5f2d4577ed6d9ceec516c1f5a744"),
			attr("filename|sha512", "b.so|"+strings.Repeat("ab", 64)),
			attr("malware-sample", "s.bin|d41d8cd98f00b204e9800998ecf8427e"),
		}, ",") + `]}`,
			want: []string{
				`regkey:HKLM\Software\Run`,
				"sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
				"domain:mail.example",
				"ipv6:2001:db8::2",
				"domain:x.example", "cidr:198.51.100.0/24",
				"sha512:" + strings.Repeat("ab", 64),
				"md5:d41d8cd98f00b204e9800998ecf8427e",
			},
			unsup: map[string]int{"misp type: filename|imphash": 1},
			probs: []string{`t.json: Attribute[3]: attribute u1: misp type "ip-dst|port": indicator: invalid ipv4 "[2001:db8::1]": not an IP address`},
		},
		{name: "one bad part", doc: `{"Attribute": [` + attr("domain|ip", "bad..example|192.0.2.5") + `]}`,
			want:  []string{"ipv4:192.0.2.5"},
			probs: []string{`t.json: Attribute[0]: attribute u1: misp type "domain|ip": indicator: invalid domain "bad..example": not a domain name (labels of [a-z0-9_-], at least two, not all-numeric at the end)`}},
		{name: "mispSingle types", doc: `{"Attribute": [` + strings.Join([]string{
			attr("ip-src", "2001:DB8::/32"),
			attr("ip-dst", "::ffff:192.0.2.9"),
			attr("hostname", "*.wild.example"),
			attr("email", "A@B.example"),
			attr("email-dst", "c@d.example"),
			attr("email-reply-to", "e@f.example"),
			attr("whois-registrant-email", "g@h.example"),
			attr("email-attachment", "invoice.zip"),
			attr("x509-fingerprint-sha1", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"),
			attr("x509-fingerprint-md5", "d41d8cd98f00b204e9800998ecf8427e"),
			attr("x509-fingerprint-sha256", strings.Repeat("0", 64)),
			attr("ja3-fingerprint-md5", "e7d705a3286e19ea42f587b344ee6865"),
			attr("url", "evil[.]example/path"),
		}, ",") + `]}`,
			want: []string{
				"cidr:2001:db8::/32", "ipv4:192.0.2.9", "domain:wild.example",
				"email:a@b.example", "email:c@d.example", "email:e@f.example", "email:g@h.example",
				"filename:invoice.zip",
				"sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", "md5:d41d8cd98f00b204e9800998ecf8427e",
				"sha256:" + strings.Repeat("0", 64), "md5:e7d705a3286e19ea42f587b344ee6865",
				"url:http://evil.example/path",
			}},
		{name: "unsupported types", doc: `{"Attribute": [` + strings.Join([]string{
			attr("AS", "AS64500"), attr("port", "443"), attr("uri", "/admin.php"), attr("ssdeep", "3:a:b"),
			attr("Domain", "upper.example"), attr("no-such-type", "x"), attr("filename|", "a|b"),
		}, ",") + `]}`,
			unsup: map[string]int{"misp type: AS": 1, "misp type: port": 1, "misp type: uri": 1, "misp type: ssdeep": 1,
				"misp type: Domain": 1, "misp type: no-such-type": 1, "misp type: filename|": 1}},

		{name: "bad attributes", doc: `{"Event": {"Attribute": [
			"just a string",
			{"value": "no type", "to_ids": true, "uuid": "u2"},
			{"type": "domain", "to_ids": true, "uuid": "u3"},
			{"type": "domain", "value": ["x"], "to_ids": true},
			{"type": "domain", "value": "ok.example", "to_ids": true, "first_seen": "yesterday"},
			{"type": "domain", "value": "ok.example", "to_ids": true, "timestamp": 1714600000, "first_seen": "2024-05-01 12:00:00"},
			null]}}`,
			want: []string{"domain:ok.example"},
			probs: []string{
				`t.json: Event.Attribute[0]: attribute: json: cannot unmarshal string into Go value of type loader.mispAttribute`,
				`t.json: Event.Attribute[1]: attribute u2: no type`,
				`t.json: Event.Attribute[2]: attribute u3: misp type "domain": indicator: invalid domain "": empty value`,
				`t.json: Event.Attribute[3]: attribute: ["x"]: want a string`,
				`t.json: Event.Attribute[4]: attribute: "yesterday": not a MISP time (Unix seconds, RFC 3339 or a date)`,
				`t.json: Event.Attribute[6]: attribute: no type`,
			},
			skipped: map[string]int{ReasonMalformed: 5, ReasonInvalidValue: 1}},
		{name: "bad object attribute", doc: `{"Object": [{"comment": "c", "Attribute": [{"type": "md5", "value": 5, "to_ids": true}, {"type": "domain", "value": "o.example", "to_ids": {}}]}, 7]}`,
			probs: []string{
				`t.json: Object[0].Attribute[0]: attribute: misp type "md5": indicator: invalid md5 "5": want 32 hex digits, have 1 characters`,
				`t.json: Object[0].Attribute[1]: attribute: {}: want a boolean`,
				`t.json: Object[1]: object: json: cannot unmarshal number into Go value of type loader.mispObject`,
			},
			skipped: map[string]int{ReasonMalformed: 2, ReasonInvalidValue: 1}},
		{name: "bad event fields", doc: `{"Event": {"Tag": "tlp:red", "Orgc": [1], "Galaxy": {"a": 1}, "date": "later", "Attribute": {"type": "domain"}, "Object": "x", "info": {"x": 1}}}`,
			probs: []string{
				`t.json: Event.Tag: json: cannot unmarshal string into Go value of type []loader.mispTag`,
				`t.json: Event.Orgc: json: cannot unmarshal array into Go value of type loader.mispOrg`,
				`t.json: Event.Galaxy: json: cannot unmarshal object into Go value of type []loader.mispGalaxy`,
				`t.json: Event.date: "later": not a MISP time (Unix seconds, RFC 3339 or a date)`,
				`t.json: Event.Attribute: not a JSON array`,
				`t.json: Event.Object: not a JSON array`,
				`t.json: Event.info: {"x": 1}: want a string`,
			},
			skipped: map[string]int{ReasonMalformed: 7}},
		{name: "bad documents", doc: `"an event" 5 [true]`,
			probs: []string{
				`t.json: (document): an event: not a MISP event (a JSON object)`,
				`t.json: (document): 5: not a MISP event (a JSON object)`,
				`t.json: [0]: true: not a MISP event (a JSON object)`,
			},
			skipped: map[string]int{ReasonMalformed: 3}},
		{name: "empty input", doc: " \n",
			probs: []string{`t.json: no JSON value: not a MISP event`}, skipped: map[string]int{ReasonMalformed: 1}},
		{name: "truncated", doc: `{"Event": {"Attribute": [` + attr("domain", "a.example") + `, {"type": "domain", "val`,
			want:    []string{"domain:a.example"},
			probs:   []string{`t.json: Event.Attribute[1]: malformed JSON: unexpected end of input`},
			skipped: map[string]int{ReasonMalformed: 1}},
		{name: "syntax error", doc: `{"Event": {"Attribute": [` + attr("domain", "a.example") + `]}, "x": tru}`,
			want:    []string{"domain:a.example"},
			probs:   []string{`t.json: x: malformed JSON at byte 95: invalid character '}' in literal true (expecting 'e')`},
			skipped: map[string]int{ReasonMalformed: 1}},
		{name: "depth limit", doc: `{"Event": {"Attribute": [` + attr("domain", "a.example") + `], "EventReport": [[[[[[[[[[1]]]]]]]]]]}}`, opts: Options{MaxJSONDepth: 8},
			want:    []string{"domain:a.example"},
			probs:   []string{`t.json: Event.EventReport: JSON nested deeper than 8 (at byte 120)`},
			skipped: map[string]int{ReasonTooDeep: 1}},
		{name: "size limit", doc: `{"Event": {"Attribute": [` + attr("domain", "a.example") + `, {"type": "text", "value": "` + strings.Repeat("x", 200<<10) + `"}]}}`, opts: Options{MaxRecordSize: 1 << 10},
			want:    []string{"domain:a.example"},
			probs:   []string{`t.json: Event.Attribute[1]: JSON value larger than 1024 bytes (at byte 96)`},
			skipped: map[string]int{ReasonTooLarge: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readMISPString(t, tt.doc, tt.opts)
			if tt.want == nil {
				assert.Empty(t, res.Indicators)
			} else {
				assert.Equal(t, tt.want, strs(res.Indicators))
			}
			assert.Equal(t, tt.probs, nilIfEmpty(problemStrs(res.Problems)))
			if tt.skipped == nil && tt.probs != nil {
				tt.skipped = map[string]int{ReasonInvalidValue: len(tt.probs)}
			}
			assert.Equal(t, tt.skipped, res.Skipped)
			assert.Equal(t, tt.unsup, res.Unsupported)
		})
	}
}

func TestReadMISPTimes(t *testing.T) {
	doc := `{"Attribute": [
		{"type": "domain", "value": "a.example", "to_ids": true, "timestamp": "1714600000", "first_seen": "2024-04-28T10:00:00.123456+02:00", "last_seen": "2024-04-30"},
		{"type": "domain", "value": "b.example", "to_ids": true, "timestamp": 1714600000.5, "first_seen": null, "last_seen": ""},
		{"type": "domain", "value": "c.example", "to_ids": true}],
		"date": "2024-04-01"}`
	res := readMISPString(t, doc, Options{})
	require.Len(t, res.Indicators, 3)
	assert.Equal(t, mispUTC("2024-04-28T08:00:00.123456Z"), res.Indicators[0].FirstSeen)
	assert.Equal(t, mispUTC("2024-04-30T00:00:00Z"), res.Indicators[0].LastSeen)
	assert.Equal(t, mispUTC("2024-04-01T00:00:00Z"), res.Indicators[1].FirstSeen)
	assert.Equal(t, time.Unix(1714600000, 0).UTC(), res.Indicators[1].LastSeen)
	assert.Equal(t, mispUTC("2024-04-01T00:00:00Z"), res.Indicators[2].FirstSeen)
	assert.True(t, res.Indicators[2].LastSeen.IsZero())

	for _, bad := range []string{`"2024-02-30"`, `"tomorrow"`, `true`, `{}`} {
		res := readMISPString(t, `{"Attribute": [{"type": "domain", "value": "a.example", "to_ids": true, "last_seen": `+bad+`}]}`, Options{})
		assert.Empty(t, res.Indicators, bad)
		assert.Equal(t, map[string]int{ReasonMalformed: 1}, res.Skipped, bad)
	}
}

func TestClassifyTags(t *testing.T) {
	var g []mispGalaxy
	require.NoError(t, json.Unmarshal([]byte(`[
		{"type": "mitre-attack-pattern", "GalaxyCluster": [
			{"value": "Email Collection", "meta": {"external_id": ["T1114", "CAPEC-1"]}},
			{"value": "Old Technique", "meta": {"external_id": "nope"}}]},
		{"type": "threat-actor", "GalaxyCluster": [
			{"value": "Galaxy Actor", "tag_name": "misp-galaxy:threat-actor=\"Galaxy Actor\"", "meta": {"external_id": 5}}]}]`), &g))

	tm := classifyTags([]string{
		" TLP:AMBER+STRICT ", "tlp:green", "tlp:ex:chr",
		`misp-galaxy:mitre-attack-pattern="Unix Shell - T1059.004"`,
		`misp-galaxy:mitre-enterprise-attack-attack-pattern="Scripting - T1064"`,
		`misp-galaxy:mitre-intrusion-set="APT32 - G0050"`,
		`misp-galaxy:mitre-malware="XAgentOSX - S0161"`,
		`misp-galaxy:tool="X-Tunnel"`,
		`misp-galaxy:malpedia="Sednit"`,
		`confidence-level:fairly-confident`,
		`osint:certainty="93"`,
		"", "tlp:green",
	}, g)
	assert.Equal(t, indicator.TLPAmberStrict, tm.tlp)
	assert.Equal(t, []string{"T1114", "T1059.004", "T1064"}, tm.techniques)
	assert.Equal(t, "APT32", tm.actor, "the first actor tag, before the galaxy's")
	assert.Equal(t, "Sednit", tm.family, "malpedia wins")
	assert.Equal(t, indicator.MustConfidence(50), tm.confidence, "the first confidence tag")
	assert.Equal(t, []string{
		"tlp:ex:chr",
		`misp-galaxy:mitre-intrusion-set="APT32 - G0050"`,
		`misp-galaxy:mitre-malware="XAgentOSX - S0161"`,
		`misp-galaxy:tool="X-Tunnel"`,
		`misp-galaxy:malpedia="Sednit"`,
		`confidence-level:fairly-confident`,
		`osint:certainty="93"`,
		`misp-galaxy:mitre-attack-pattern="Old Technique"`,
		`misp-galaxy:threat-actor="Galaxy Actor"`,
	}, tm.tags)

	tm = classifyTags([]string{`misp-galaxy:mitre-malware="XAgentOSX - S0161"`, `misp-galaxy:threat-actor="Sofacy"`, `osint:certainty="x"`, `osint:certainty="101"`}, nil)
	assert.Equal(t, "XAgentOSX", tm.family)
	assert.Equal(t, "Sofacy", tm.actor)
	assert.False(t, tm.confidence.Known())
	assert.Equal(t, indicator.TLPUnknown, tm.tlp)
}

func TestReadMISPStrict(t *testing.T) {
	path := filepath.Join(mispDir, "event.json")
	res, err := Load(path, Options{Strict: true})
	var p *Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, path+`: Event.Attribute[15]: attribute a0000001-0000-4000-8000-000000000010: misp type "ip-dst": indicator: invalid ipv4 "198.51.100.300": not an IP address`, p.Error())
	assert.Equal(t, ReasonInvalidValue, p.Reason)
	assert.Len(t, res.Indicators, 12, "those before the problem")
	assert.Equal(t, []Problem{*p}, res.Problems)
	// the event-level fields read before the problem are applied
	assert.Equal(t, "Example Loader campaign: C2 and payloads; C2 server", res.Indicators[0].Description)
	assert.Equal(t, indicator.SeverityHigh, res.Indicators[0].Severity)

	// unsupported records never stop
	res, err = ReadMISP(strings.NewReader(`{"Attribute": [{"type": "text", "value": "x"}, {"type": "domain", "value": "a.example", "to_ids": false}, {"type": "domain", "value": "b.example", "to_ids": true}]}`), "s.json", Options{Strict: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:b.example"}, strs(res.Indicators))

	// a stream error is the strict error too
	_, err = ReadMISP(strings.NewReader(`{"Attribute": [`), "s.json", Options{Strict: true})
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, ReasonMalformed, p.Reason)
}

// TestReadMISPStream checks that a large event is read attribute by
// attribute: the record limit applies to each attribute, not the event.
func TestReadMISPStream(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"Event": {"info": "big", "Attribute": [`)
	const n = 5000
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type": "ip-dst", "to_ids": true, "uuid": "u%d", "value": "10.%d.%d.%d", "comment": "%s"}`, i, i>>16, (i>>8)&255, i&255, strings.Repeat("c", 100))
	}
	b.WriteString(`], "Orgc": {"name": "Late Org"}}}`)
	require.Greater(t, b.Len(), 100*n)
	res, err := ReadMISP(&b, "big.json", Options{MaxRecordSize: 4 << 10})
	require.NoError(t, err)
	assert.Empty(t, res.Problems)
	require.Len(t, res.Indicators, n)
	assert.Equal(t, "ipv4:10.0.19.135", res.Indicators[n-1].String())
	assert.Equal(t, "Late Org", res.Indicators[0].Source)
	assert.Equal(t, "Late Org", res.Indicators[n-1].Source)
}

func TestRealdataMISP(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "realdata", "feeds", "misp")
	if _, err := os.Stat(root); err != nil {
		t.Skip("no realdata:", err)
	}
	var files []string
	for _, pat := range []string{"events/*/*.json", "feed-layout-misp-core-fixture/*.json"} {
		m, err := filepath.Glob(filepath.Join(root, pat))
		require.NoError(t, err)
		files = append(files, m...)
	}
	sort.Strings(files)
	require.NotEmpty(t, files)

	byName := map[string]Result{}
	var total, totalAll Result
	for _, f := range files {
		res, err := Load(f, Options{})
		require.NoError(t, err, f)
		resAll, err := Load(f, Options{MISPAllAttributes: true})
		require.NoError(t, err, f)
		name := strings.TrimPrefix(f, root+string(filepath.Separator))
		byName[name] = res
		want := FormatMISP
		if filepath.Base(f) == "manifest.json" {
			want = FormatMISPManifest
		}
		require.Equal(t, want, res.PerFile[0].Format, name)
		t.Logf("%-62s %4d indicators (%4d all), skipped %v, unsupported %v", name, len(res.Indicators), len(resAll.Indicators), res.Skipped, res.Unsupported)
		for _, p := range res.Problems {
			t.Logf("  %v", p.Error())
		}
		addTotals(&total, res)
		totalAll.Indicators = append(totalAll.Indicators, resAll.Indicators...)
		for _, ind := range resAll.Indicators {
			again, err := indicator.New(ind.Type, ind.Value)
			require.NoError(t, err)
			require.Equal(t, ind.Value, again.Value)
			require.NotEmpty(t, ind.Source)
		}
	}
	t.Logf("%d files, %d indicators (%d with MISPAllAttributes), skipped %v, unsupported %v",
		total.Files, len(total.Indicators), len(totalAll.Indicators), total.Skipped, total.Unsupported)

	// The only problems: three "url" attributes of long_event.json that are
	// not URLs ("107.183.86", "Data/dtl.dat", "Data/glp.uin").
	assert.Equal(t, map[string]int{ReasonInvalidValue: 3}, total.Skipped)
	long := byName[filepath.Join("events", "pymisp", "long_event.json")]
	require.Len(t, long.Problems, 3)
	assert.Contains(t, long.Problems[0].Msg, `"107.183.86"`)

	// Xorist: regkey|value without a hive, the event's first link as reference
	x := byName[filepath.Join("events", "pymisp", "57c4445b-c548-4654-af0b-4be3950d210f.json")]
	assert.Equal(t, []string{
		"filename:3Z4wnG9603it23y.exe",
		"md5:0749bae92ca336a02c83d126e04ec628",
		"sha1:77b0c41b7d340b8a3d903f21347bbf06aa766b5b",
		"sha256:b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68",
		`regkey:Software\Wow6432Node\Microsoft\Windows\CurrentVersion\Run`,
	}, strs(x.Indicators))
	reg := x.Indicators[4]
	assert.Equal(t, "CIRCL", reg.Source)
	assert.Equal(t, "57c54b0f-27a4-458b-8e63-4455950d210f", reg.ID)
	assert.Equal(t, "Ransomware - Xorist", reg.Description)
	assert.Equal(t, indicator.TLPClear, reg.TLP)
	assert.Equal(t, indicator.SeverityLow, reg.Severity)
	assert.Equal(t, "https://www.virustotal.com/file/b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68/analysis/1469554268/", reg.Reference)
	assert.Equal(t, mispUTC("2016-08-29T00:00:00Z"), reg.FirstSeen)
	assert.Equal(t, time.Unix(1472547599, 0).UTC(), reg.LastSeen)
	assert.Equal(t, map[string]int{"misp type: link": 2, "misp type: comment": 1, "misp type: text": 1}, x.Unsupported)

	// ESET Mozi: REST search export, objects only, ATT&CK tags
	mozi := byName[filepath.Join("events", "eset", "mozi__mozi.misp-event.json")]
	require.Len(t, mozi.Indicators, 74)
	u := mozi.Indicators[0]
	assert.Equal(t, "url:http://157.119.75.16/Mozi.6", u.String())
	assert.Equal(t, "ESET", u.Source)
	assert.Equal(t, "28250573-e9ca-4914-a70d-96e56d4099aa", u.ID)
	assert.Equal(t, indicator.SeverityHigh, u.Severity)
	assert.Len(t, u.Techniques, 12)
	assert.Equal(t, "T1587.001", u.Techniques[0])
	assert.Equal(t, []string{"ESET"}, u.Tags)

	// bare event body (no "Event" key), with galaxies
	ex := byName[filepath.Join("events", "pymisp", "existing_event.json")]
	require.Len(t, ex.Indicators, 83)
	d := ex.Indicators[0]
	assert.Equal(t, "domain:movieultimate.com", d.String())
	assert.Equal(t, "Sofacy", d.ThreatActor)
	assert.Equal(t, "JHUHUGIT", d.MalwareFamily, "the first mitre-malware tag (no malpedia tag)")
	assert.Equal(t, "https://www.welivesecurity.com/2017/12/21/sednit-update-fancy-bear-spent-year/", d.Reference)

	// ip-dst|port: the address only
	vl := byName[filepath.Join("events", "pymisp", "very_long_event.json")]
	assert.Contains(t, strs(vl.Indicators), "ipv4:174.127.99.225")

	// the feed fixture's event has only a link: nothing to read
	fx := byName[filepath.Join("feed-layout-misp-core-fixture", "56bf399d-c46c-4fdb-a9cf-d9bb02de0b81.json")]
	assert.Empty(t, fx.Indicators)
	assert.Equal(t, map[string]int{"misp type: link": 1}, fx.Unsupported)
	mf := byName[filepath.Join("feed-layout-misp-core-fixture", "manifest.json")]
	assert.Empty(t, mf.Problems)
}

func FuzzReadMISP(f *testing.F) {
	addSeeds(f, filepath.Join(mispDir, "*.json"))
	addSeeds(f, filepath.Join("testdata", "misp", "*.json"),
		`{"Attribute": [{"type": "ip-dst", "value": "192.0.2.1", "to_ids": true, "Sighting": [{"date_sighting": "1", "type": "2"}, {"type": "1", "date_sighting": 2}, {"date_sighting": 3}, 4, {"type": {}}]}]}`,
	)
	addSeeds(f, filepath.Join(mispDir, "feed", "*.json"),
		``,
		`{"Event": {"Attribute": [{"type": "domain|ip", "value": "a.example|192.0.2.1", "to_ids": "1"}], "Orgc": {"name": "O"}, "Tag": [{"name": "tlp:red"}]}}`,
		`[{"Event": [{"Object": [{"Attribute": [{"type": "md5", "value": "D41D8CD98F00B204E9800998ECF8427E", "to_ids": 1}]}]}]}, 5, "x"]`,
		`{"response": {"Attribute": [{"type": "regkey|value", "value": "hkcu\\a|b|c", "to_ids": true}, {"type": "url", "value": "hxxp://x[.]example", "to_ids": true}]}}`,
		`{"Attribute": [{"type": "ip-dst|port", "value": "::ffff:1.2.3.4|80", "to_ids": true, "first_seen": "2024-01-01T00:00:00Z"}, null, {"type": 5}]}`,
		`{"Event": {"Attribute": {"type": "x"}, "Object": "y", "Galaxy": [{"type": "mitre-attack-pattern", "GalaxyCluster": [{"value": "T1000", "meta": {"external_id": "T1001"}}]}]}}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{{}, {MISPAllAttributes: true, MaxRecordSize: 256, MaxJSONDepth: 6}} {
			res, err := ReadMISP(bytes.NewReader(data), "fuzz.json", opts)
			if err != nil {
				t.Fatalf("%+v: unexpected error %v", opts, err)
			}
			mispCheckResult(t, res)
			checkStrict(t, ReadMISP, data, "fuzz.json", opts, res)
		}
	})
}

// mispCheckResult checks the invariants of a Result read from a JSON
// format.
func mispCheckResult(t *testing.T, res Result) {
	t.Helper()
	checkMerged(t, res)
	for _, ind := range res.Indicators {
		again, err := indicator.New(ind.Type, ind.Value)
		if err != nil {
			t.Fatalf("%v does not re-canonicalise: %v", ind, err)
		}
		if again.Type != ind.Type || again.Value != ind.Value {
			t.Fatalf("%v re-canonicalises to %v", ind, again)
		}
		if ind.Source == "" {
			t.Fatalf("%v: no source", ind)
		}
	}
	skipped := res.SkippedTotal()
	if len(res.Problems) > MaxProblems || len(res.Problems) > skipped ||
		(skipped <= MaxProblems && len(res.Problems) != skipped) {
		t.Fatalf("%d problems, %d skipped", len(res.Problems), skipped)
	}
	for _, p := range res.Problems {
		if p.Path != "fuzz.json" || p.Line != 0 || res.Skipped[p.Reason] == 0 || p.Msg == "" {
			t.Fatalf("bad problem %+v", p)
		}
	}
	if len(res.PerFile) != 1 || res.Files != 1 {
		t.Fatalf("files %d, per file %v", res.Files, res.PerFile)
	}
}

func ExampleReadMISP() {
	const event = `{"Event": {
  "info": "Example Loader campaign",
  "date": "2024-05-01",
  "threat_level_id": "1",
  "Orgc": {"name": "Example CERT"},
  "Tag": [{"name": "tlp:amber"}, {"name": "misp-galaxy:mitre-attack-pattern=\"Web Protocols - T1071.001\""}],
  "Attribute": [
    {"type": "domain|ip", "value": "c2.loader.example|198.51.100.23", "to_ids": true, "uuid": "a0000001-0000-4000-8000-000000000001"},
    {"type": "filename|sha256", "value": "invoice.pdf.exe|e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8", "to_ids": "1"},
    {"type": "domain", "value": "old.loader.example", "to_ids": false},
    {"type": "link", "value": "https://blog.example/example-loader", "to_ids": false},
    {"type": "ip-dst", "value": "198.51.100.300", "to_ids": true}
  ]}}`
	res, err := ReadMISP(strings.NewReader(event), "event.json", Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Printf("%-8s %s", ind.Type, ind.Value)
		if ind.FileName != "" {
			fmt.Printf(" (file name %s)", ind.FileName)
		}
		fmt.Println()
	}
	d := res.Indicators[0]
	fmt.Println(d.Source, "|", d.Description, "|", d.TLP, d.Severity, d.Techniques, d.Reference)
	for _, p := range res.Problems {
		fmt.Println(p.Error())
	}
	fmt.Println(res.Unsupported)
	// Output:
	// domain   c2.loader.example
	// ipv4     198.51.100.23
	// sha256   e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8 (file name invoice.pdf.exe)
	// Example CERT | Example Loader campaign | amber high [T1071.001] https://blog.example/example-loader
	// event.json: Event.Attribute[4]: attribute: misp type "ip-dst": indicator: invalid ipv4 "198.51.100.300": not an IP address
	// map[misp not to_ids:1 misp type: link:1]
}
