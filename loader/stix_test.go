package loader

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

const stixDir = "../testdata/feeds/stix"

func readSTIXString(t *testing.T, doc string, opts Options) (Result, error) {
	t.Helper()
	return ReadSTIX(strings.NewReader(doc), "feeds/intel.json", opts)
}

func readSTIXFile(t *testing.T, name string, opts Options) Result {
	t.Helper()
	f, err := os.Open(filepath.Join(stixDir, name))
	require.NoError(t, err)
	defer f.Close()
	res, err := ReadSTIX(f, name, opts)
	require.NoError(t, err)
	require.Equal(t, 1, res.Files)
	return res
}

func stixDate(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReadSTIXBundle(t *testing.T) {
	res := readSTIXFile(t, "bundle-2.1.json", Options{})
	assert.Equal(t, []string{
		"ipv4:198.51.100.7", "cidr:203.0.113.0/24",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"md5:d41d8cd98f00b204e9800998ecf8427e", "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
		"domain:update.evil.example", "url:https://cdn.evil.example/payload.bin", "email:billing@evil.example",
		`regkey:HKLM\Software\Microsoft\Windows\CurrentVersion\Run\updater`, `mutex:Global\ExampleMutex`,
		"filename:invoice.pdf.exe", "ipv6:2001:db8::bad",
		"cidr:198.51.100.0/25", "domain:c2.evil.example", "ipv4:192.0.2.44",
		"domain:fine.evil.example",
	}, strs(res.Indicators))
	assert.Equal(t, []string{
		`bundle-2.1.json: indicator--6f8b0d2f-4a6c-4e8a-8b2c-4e6a8c0e2a21: indicator: invalid domain "bad..example": not a domain name (labels of [a-z0-9_-], at least two, not all-numeric at the end)`,
		`bundle-2.1.json: indicator--7a9c1e3a-5b7d-4f9b-9c3d-5f7b9d1f3b32: stix pattern: syntax error at offset 33: want "]", have end of pattern: "[ipv4-addr:value = '198.51.100.9'"`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonInvalidValue: 1, ReasonMalformed: 1}, res.Skipped)
	assert.Equal(t, map[string]int{
		"stix revoked": 1, "stix pattern_type: yara": 1, "stix pattern: qualifier": 1,
		"stix pattern: AND": 1, "stix pattern: path process:name": 1, "stix pattern: operator MATCHES": 1,
	}, res.Unsupported)
	assert.Equal(t, []FileStats{{Path: "bundle-2.1.json", Format: FormatSTIX, Indicators: 16, Skipped: 2, Unsupported: 6}}, res.PerFile)

	// Every field, resolved from objects that come after the indicator:
	// identity, threat actor by relationship; TLP by a standard id.
	c2 := indicator.Meta{File: "bundle-2.1.json",
		Source:      "Example CERT",
		ID:          "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		Description: "Cobalt Strike team server of the Example campaign",
		Reference:   "https://reports.example/2024/example-campaign",
		Confidence:  indicator.MustConfidence(85),
		Tags: []string{"c2", "cobalt-strike", "malicious-activity", "attribution",
			"lockheed-martin-cyber-kill-chain:command-and-control"},
		TLP:         indicator.TLPGreen,
		ThreatActor: "Example Panda",
		Techniques:  []string{"T1071.001"},
		ValidFrom:   stixDate("2024-05-01T09:00:00Z"),
		ValidUntil:  stixDate("2025-05-01T09:00:00Z"),
	}
	assert.Equal(t, c2, res.Indicators[0].Meta)
	assert.Equal(t, c2, res.Indicators[1].Meta)

	// Name as description; malware by relationship; TLP from a marking
	// definition (TLP 2.0 extension) at the end of the bundle.
	loader := indicator.Meta{File: "bundle-2.1.json",
		Source:        "Example CERT",
		ID:            "indicator--0b7bd3a1-5c4e-4f0f-9a8e-2b4b1c7f1a01",
		Description:   "Loader hashes",
		Tags:          []string{"malicious-activity"},
		TLP:           indicator.TLPAmberStrict,
		MalwareFamily: "ExampleLoader",
		ValidFrom:     stixDate("2024-05-01T09:00:00Z"),
	}
	for i := 2; i <= 4; i++ {
		assert.Equal(t, loader, res.Indicators[i].Meta, i)
	}

	// No created_by_ref: the file's name.
	assert.Equal(t, indicator.Meta{File: "bundle-2.1.json",
		Source:    "bundle-2.1",
		ID:        "indicator--7a6f7a1e-3c0e-4f5c-9b41-2f4d7d9b8c33",
		ValidFrom: stixDate("2024-05-01T09:00:00Z"),
	}, res.Indicators[12].Meta)

	// The indicators of one pattern share their slices, clipped: appending
	// to one copies it.
	tags, techniques := slices.Clone(res.Indicators[1].Tags), slices.Clone(res.Indicators[1].Techniques)
	res.Indicators[0].Tags = append(res.Indicators[0].Tags, "changed")
	res.Indicators[0].Techniques = append(res.Indicators[0].Techniques, "changed")
	assert.Equal(t, tags, res.Indicators[1].Tags)
	assert.Equal(t, techniques, res.Indicators[1].Techniques)

	// Options.Source overrides the identity.
	res = readSTIXFile(t, "bundle-2.1.json", Options{Source: "partner"})
	for _, ind := range res.Indicators {
		assert.Equal(t, "partner", ind.Source)
	}
}

func TestReadSTIXMISPExport(t *testing.T) {
	// STIX 2.0 as MISP (and so Talos) exports it: no pattern_type, the
	// network-traffic AND, labels and kill chain phases.
	res := readSTIXFile(t, "misp-export-2.0.json", Options{})
	assert.Equal(t, []string{
		"sha256:0b26abc692b7a2877b6b6fce6aa99b29af125b063f1c41b507362def59f8dfce",
		"ipv4:192.0.2.181", "domain:examplerat-gate.test",
	}, strs(res.Indicators))
	assert.Equal(t, []string{
		`misp-export-2.0.json: indicator--4ed0f146-339e-4561-8604-21e157ddd386: indicator: invalid ipv4 "203.0.113.900": not an IP address`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{"stix pattern: AND": 1}, res.Unsupported)
	assert.Equal(t, indicator.Meta{File: "misp-export-2.0.json",
		Source:      "Example Intel",
		ID:          "indicator--1d04509e-b51e-42ce-b458-c00d81487dd1",
		Description: "ExampleRAT C2",
		Tags:        []string{`misp:type="ip-dst"`, `misp:category="Network activity"`, `misp:to_ids="True"`, "misp-category:Network activity"},
		ValidFrom:   stixDate("2024-10-18T14:47:31Z"),
	}, res.Indicators[1].Meta)
}

func TestReadSTIXEnvelopeArrayObject(t *testing.T) {
	res := readSTIXFile(t, "taxii-envelope.json", Options{})
	assert.Equal(t, []string{"email:payroll@phish.example", "email-subject:Your salary statement", "useragent:ExampleBot/1.0 (compatible)"}, strs(res.Indicators))
	assert.Equal(t, []string{
		`taxii-envelope.json: indicator--e2a7d4c1-8b3f-4f6e-9a1d-2c3b4a5f6e7d: confidence "150": not an integer in 0-100`,
		`taxii-envelope.json: objects[4]: not a STIX object: a JSON string`,
		`taxii-envelope.json: indicator--a4c9f6e3-0d5b-4b8a-9c3f-4e5d6c7b8a9f: not a STIX object: no "type"`,
	}, problemStrs(res.Problems))
	// Two TLPs: the most restrictive (an in-envelope marking definition).
	assert.Equal(t, indicator.Meta{File: "taxii-envelope.json",
		Source: "taxii-envelope", ID: "indicator--d81f86b9-975b-4c0b-875e-810c5ad45a4f",
		Description: "Phishing sender", Confidence: indicator.MustConfidence(0), TLP: indicator.TLPRed,
		ValidFrom: stixDate("2024-06-01T00:00:00Z"),
	}, res.Indicators[1].Meta)
	// Expired: kept, with its ValidUntil.
	assert.Equal(t, stixDate("2024-07-01T00:00:00Z"), res.Indicators[2].ValidUntil)
	assert.Equal(t, indicator.MustConfidence(40), res.Indicators[2].Confidence)

	res = readSTIXFile(t, "objects-array.json", Options{})
	assert.Equal(t, []string{"sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"}, strs(res.Indicators))
	assert.Equal(t, []string{`objects-array.json: indicator--8a0b1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d: valid_from "yesterday": not an RFC 3339 timestamp`}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{"stix pattern: path file:hashes.'SSDEEP'": 1}, res.Unsupported)

	res = readSTIXFile(t, "indicator.json", Options{})
	require.Len(t, res.Indicators, 1)
	assert.Equal(t, indicator.Indicator{Type: indicator.URL, Value: "http://login.evil.example/owa/", Meta: indicator.Meta{File: "indicator.json",
		Source: "indicator", ID: "indicator--c8f1b2a3-4d5e-4f6a-8b7c-9d0e1f2a3b4c", Description: "Known malicious URL",
		ValidFrom: stixDate("2024-02-01T00:00:00Z"),
	}}, res.Indicators[0])
	assert.Empty(t, res.Problems)
	assert.Nil(t, res.Unsupported)
}

// stixInd returns a STIX 2.1 indicator object with pattern and extra fields
// (JSON members, without braces).
func stixInd(id, pattern, extra string) string {
	p, _ := json.Marshal(pattern)
	s := fmt.Sprintf(`{"type": "indicator", "spec_version": "2.1", "id": "indicator--%s", "pattern": %s, "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"`, id, p)
	if extra != "" {
		s += ", " + extra
	}
	return s + "}"
}

func stixBundle(objs ...string) string {
	return `{"type": "bundle", "id": "bundle--1", "objects": [` + strings.Join(objs, ",\n") + "]}"
}

func TestReadSTIXRules(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		want        []string
		problems    []string
		unsupported map[string]int
	}{
		{name: "empty input", in: ""},
		{name: "white space", in: " \n\t"},
		{name: "empty bundle", in: `{"type": "bundle", "id": "bundle--1", "objects": []}`},
		{name: "null objects", in: `{"type": "bundle", "objects": null}`},
		{name: "bundle without objects", in: `{"type": "bundle", "id": "bundle--1"}`},
		{name: "empty array", in: `[]`},
		{
			name: "keys after objects",
			in:   `{"objects": [` + stixInd("1", "[ipv4-addr:value = '192.0.2.1']", "") + `], "more": true, "next": {"deep": [1, {"x": 2}]}, "type": "bundle"}`,
			want: []string{"ipv4:192.0.2.1"},
		},
		{
			name: "json lines",
			in:   stixInd("1", "[ipv4-addr:value = '192.0.2.1']", "") + "\n" + stixInd("2", "[ipv4-addr:value = '192.0.2.2']", "") + "\n" + stixBundle(stixInd("3", "[ipv4-addr:value = '192.0.2.3']", "")) + "\n[" + stixInd("4", "[ipv4-addr:value = '192.0.2.4']", "") + "]\n",
			want: []string{"ipv4:192.0.2.1", "ipv4:192.0.2.2", "ipv4:192.0.2.3", "ipv4:192.0.2.4"},
		},
		{
			name: "stix 2.0 without pattern_type",
			in:   `{"type": "bundle", "spec_version": "2.0", "objects": [{"type": "indicator", "id": "indicator--1", "labels": ["malicious-activity"], "pattern": "[url:value = 'http://a.example/x']", "valid_from": "2017-01-01T00:00:00Z"}]}`,
			want: []string{"url:http://a.example/x"},
		},
		{
			name:        "pattern types",
			in:          stixBundle(stixInd("1", "alert tcp any any -> any any", `"pattern_type": "snort"`), stixInd("2", "x", `"pattern_type": "Sigma"`), stixInd("3", "x", `"pattern_type": "`+strings.Repeat("y", 40)+`"`), stixInd("4", "x", `"pattern_type": "a b"`), stixInd("5", "[ipv4-addr:value = '192.0.2.1']", `"pattern_type": "STIX"`)),
			want:        []string{"ipv4:192.0.2.1"},
			unsupported: map[string]int{"stix pattern_type: snort": 1, "stix pattern_type: sigma": 1, "stix pattern_type: other": 2},
		},
		{
			name:        "revoked",
			in:          stixBundle(stixInd("1", "[ipv4-addr:value = '192.0.2.1']", `"revoked": true`), stixInd("2", "[ipv4-addr:value = '192.0.2.2']", `"revoked": false`)),
			want:        []string{"ipv4:192.0.2.2"},
			unsupported: map[string]int{"stix revoked": 1},
		},
		{
			name: "non-indicator objects are not counted",
			in: stixBundle(`{"type": "observed-data", "id": "observed-data--1", "objects": {"0": {"type": "ipv4-addr", "value": "192.0.2.9"}}}`,
				`{"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "192.0.2.9"}`, `{"type": "report", "id": "report--1", "object_refs": []}`,
				`{"type": "x-custom-thing", "id": "x-custom-thing--1", "pattern": "[ipv4-addr:value = '192.0.2.9']"}`,
				`{"type": "identity", "id": "identity--1", "name": 5}`, `{"type": "relationship", "id": "relationship--1", "source_ref": ["x"]}`,
				`{"type": "marking-definition", "id": "marking-definition--1", "definition": "x"}`, `{"type": "malware", "id": "malware--1", "name": {}}`),
		},
		{
			name:        "nested bundle",
			in:          `[` + stixBundle(stixInd("1", "[ipv4-addr:value = '192.0.2.1']", "")) + `]`,
			unsupported: map[string]int{"stix nested bundle": 1},
		},
		{
			name:     "value is taken as given: no refanging",
			in:       stixBundle(stixInd("1", "[domain-name:value = 'evil[.]example' OR domain-name:value = ' Evil.Example. ']", "")),
			want:     []string{"domain:evil.example"},
			problems: []string{`feeds/intel.json: indicator--1: indicator: invalid domain "evil[.]example": not a domain name (labels of [a-z0-9_-], at least two, not all-numeric at the end)`},
		},
		{
			name: "ip in domain-name, cidr in ipv4-addr, ipv6 in ipv4-addr",
			in:   stixBundle(stixInd("1", "[domain-name:value = '192.0.2.1' OR ipv4-addr:value = '10.1.2.3/8' OR ipv4-addr:value = '2001:db8::1' OR ipv4-addr:value = '192.0.2.7/32']", "")),
			want: []string{"ipv4:192.0.2.1", "cidr:10.0.0.0/8", "ipv6:2001:db8::1", "ipv4:192.0.2.7"},
		},
		{
			name:     "host refs",
			in:       stixBundle(stixInd("1", "[network-traffic:dst_ref.value IN ('192.0.2.1', 'C2.Example', '2001:db8::/48', 'not a host')]", "")),
			want:     []string{"ipv4:192.0.2.1", "domain:c2.example", "cidr:2001:db8::/48"},
			problems: []string{`feeds/intel.json: indicator--1: indicator: invalid domain "not a host": not a domain name (labels of [a-z0-9_-], at least two, not all-numeric at the end)`},
		},
		{
			name:     "ref type guard gives the type",
			in:       stixBundle(stixInd("1", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = 'c2.example']", ""), stixInd("2", "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'c2.example']", "")),
			want:     []string{"domain:c2.example"},
			problems: []string{`feeds/intel.json: indicator--1: indicator: invalid ipv4 "c2.example": not an IP address`},
		},
		{
			name: "string kinds keep white space",
			in:   stixBundle(stixInd("1", "[file:name = ' a.exe ' OR mutex:name = 'M ' OR email-message:subject = ' Hi']", "")),
			want: []string{"filename: a.exe ", "mutex:M ", "email-subject: Hi"},
		},
		{
			name:     "bad hashes",
			in:       stixBundle(stixInd("1", "[file:hashes.MD5 = 'abc' OR file:hashes.'SHA-256' = 'zz']", "")),
			problems: []string{`feeds/intel.json: indicator--1: indicator: invalid md5 "abc": want 32 hex digits, have 3 characters`, `feeds/intel.json: indicator--1: indicator: invalid sha256 "zz": want 64 hex digits, have 2 characters`},
		},
		{
			name:     "empty string value",
			in:       stixBundle(stixInd("1", "[file:name = '']", "")),
			problems: []string{`feeds/intel.json: indicator--1: indicator: invalid filename "": empty value`},
		},
		{
			name: "malformed indicators",
			in: stixBundle(stixInd("1", "", ""), `{"type": "indicator", "id": "indicator--2"}`, `{"type": "indicator", "id": "indicator--3", "pattern": 5}`,
				stixInd("4", "[url:value = 'http://a.example/']", `"labels": "x"`), stixInd("5", "[url:value = 'http://a.example/']", `"confidence": 50.5`),
				stixInd("6", "[url:value = 'http://a.example/']", `"confidence": -1`), stixInd("7", "[url:value = 'http://a.example/']", `"valid_until": "2024-13-01T00:00:00Z"`),
				stixInd("8", "[url:value = 'http://a.example/']", `"kill_chain_phases": [{"phase_name": 3}]`), `{"type": 5}`, `{"id": "x--1"}`, `[]`, `null`,
				`{"type": "indicator", "pattern": "[url:value = 'http://b.example/']"}`),
			want: []string{"url:http://b.example/"},
			problems: []string{
				`feeds/intel.json: indicator--1: indicator without a pattern`,
				`feeds/intel.json: indicator--2: indicator without a pattern`,
				`feeds/intel.json: indicator--3: indicator: "pattern" is a JSON number, not a string`,
				`feeds/intel.json: indicator--4: indicator: "labels" is a JSON string, not an array`,
				`feeds/intel.json: indicator--5: confidence "50.5": not an integer in 0-100`,
				`feeds/intel.json: indicator--6: confidence "-1": not an integer in 0-100`,
				`feeds/intel.json: indicator--7: valid_until "2024-13-01T00:00:00Z": not an RFC 3339 timestamp`,
				`feeds/intel.json: indicator--8: indicator: "kill_chain_phases.phase_name" is a JSON number, not a string`,
				`feeds/intel.json: objects[8]: not a STIX object: "type" is a JSON number, not a string`,
				`feeds/intel.json: x--1: not a STIX object: no "type"`,
				`feeds/intel.json: objects[10]: not a STIX object: a JSON array`,
				`feeds/intel.json: objects[11]: not a STIX object: a JSON null`,
			},
		},
		{
			name:     "long pattern quoted short",
			in:       stixBundle(stixInd("1", "[file:name = '"+strings.Repeat("x", 300), "")),
			problems: []string{`feeds/intel.json: indicator--1: stix pattern: syntax error at offset 13: unterminated string: "[file:name = '` + strings.Repeat("x", 242) + `"…`},
		},
		{
			name:     "pattern too deep",
			in:       stixBundle(stixInd("1", strings.Repeat("(", 40)+"[file:name = 'x']"+strings.Repeat(")", 40), "")),
			problems: []string{`feeds/intel.json: indicator--1: stix pattern: syntax error at offset 32: nested deeper than 32: "` + strings.Repeat("(", 40) + `[file:name = 'x']` + strings.Repeat(")", 40) + `"`},
		},
		{
			name:     "top-level scalar",
			in:       `"bundle"`,
			problems: []string{`feeds/intel.json: not a STIX document: a JSON string at top level`},
		},
		{
			name:     "objects not an array",
			in:       `{"objects": {"a": [1, 2]}, "more": false} {"objects": "x"}` + stixBundle(stixInd("1", "[url:value = 'http://a.example/']", "")),
			want:     []string{"url:http://a.example/"},
			problems: []string{`feeds/intel.json: "objects" is an object, not an array`, `feeds/intel.json: "objects" is a string, not an array`},
		},
		{
			name:     "truncated",
			in:       `{"type": "bundle", "objects": [` + stixInd("1", "[url:value = 'http://a.example/']", "") + `, {"type": "indi`,
			want:     []string{"url:http://a.example/"},
			problems: []string{`feeds/intel.json: objects[1]: malformed JSON: unexpected end of input`},
		},
		{
			name:     "truncated after objects",
			in:       `{"type": "bundle", "objects": [` + stixInd("1", "[url:value = 'http://a.example/']", "") + `], "x": `,
			want:     []string{"url:http://a.example/"},
			problems: []string{`feeds/intel.json: malformed JSON: unexpected end of input`},
		},
		{
			name:     "not json",
			in:       "198.51.100.7\nevil.example\n",
			problems: []string{`feeds/intel.json: not a STIX document: a JSON number at top level`},
		},
		{
			name:     "single object, malformed",
			in:       `{"id": "Talos:STIXPackage-1", "version": "1.1.1", "stix_header": {"title": "x"}}`,
			problems: []string{`feeds/intel.json: Talos:STIXPackage-1: not a STIX object: no "type"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := readSTIXString(t, tt.in, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, nilIfEmpty(strs(res.Indicators)), "indicators")
			assert.Equal(t, tt.problems, nilIfEmpty(problemStrs(res.Problems)), "problems")
			assert.Equal(t, tt.unsupported, res.Unsupported, "unsupported")
			for _, p := range res.Problems {
				assert.NotEmpty(t, p.Reason)
				assert.Zero(t, p.Line)
			}
		})
	}
}

func TestReadSTIXReasons(t *testing.T) {
	doc := stixBundle(stixInd("1", "[ipv4-addr:value = '1.2.3']", ""), stixInd("2", "[x", ""), stixInd("3", strings.Repeat("(", 40), ""), `{"type": "indicator"}`)
	res, err := readSTIXString(t, doc, Options{})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{ReasonInvalidValue: 1, ReasonMalformed: 2, ReasonTooDeep: 1}, res.Skipped)
	var reasons []string
	for _, p := range res.Problems {
		reasons = append(reasons, p.Reason)
	}
	assert.Equal(t, []string{ReasonInvalidValue, ReasonMalformed, ReasonTooDeep, ReasonMalformed}, reasons)
	assert.Equal(t, "indicator--1", res.Problems[0].Record)
	assert.Equal(t, "objects[3]", res.Problems[3].Record)
}

func TestReadSTIXMetadata(t *testing.T) {
	const ta = `{"type": "threat-actor", "id": "threat-actor--1", "name": "Actor One"}`
	doc := stixBundle(
		`{"type": "identity", "id": "identity--early", "name": "Early Org"}`,
		`{"type": "marking-definition", "id": "marking-definition--stix20", "definition_type": "tlp", "definition": {"tlp": "amber"}}`,
		stixInd("1", "[url:value = 'http://a.example/']", `"created_by_ref": "identity--early", "object_marking_refs": ["marking-definition--stix20"], "name": "N", "description": "D",
			"external_references": [{"source_name": "mitre-attack", "external_id": "TA0011", "url": "https://attack.mitre.org/tactics/TA0011"},
				{"source_name": "mitre-attack", "external_id": "T1566", "url": "https://attack.mitre.org/techniques/T1566"},
				{"source_name": "mitre-mobile-attack", "external_id": "T1660"}, {"source_name": "mitre-attack", "external_id": "T1566"},
				{"source_name": "capec", "external_id": "CAPEC-98"}, {"source_name": "mitre-attack", "external_id": "T12345"},
				{"source_name": "mitre-attack", "external_id": "t1566"}, {"source_name": "mitre-attack", "external_id": "T1566-001"}]`),
		stixInd("2", "[url:value = 'http://b.example/']", `"created_by_ref": "identity--late", "object_marking_refs": ["marking-definition--unknown", "marking-definition--named", "marking-definition--statement"],
			"labels": ["a", "b", "a", ""], "indicator_types": ["b", "c"], "kill_chain_phases": [{"kill_chain_name": "k", "phase_name": "p"}, {"kill_chain_name": "k"}, {"kill_chain_name": "k", "phase_name": "p"}],
			"external_references": [{"source_name": "x", "description": "no url"}, {"source_name": "mitre-attack", "external_id": "T1071.001", "url": "https://attack.mitre.org/techniques/T1071/001"}]`),
		stixInd("3", "[url:value = 'http://c.example/']", `"created_by_ref": "identity--nameless", "object_marking_refs": ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"], "confidence": 100, "valid_until": "2020-01-01T00:00:00+02:00", "valid_from": "2019-01-01T00:00:00.5"`),
		`{"type": "relationship", "id": "relationship--1", "relationship_type": "indicates", "source_ref": "indicator--2", "target_ref": "malware--1"}`,
		`{"type": "relationship", "id": "relationship--2", "relationship_type": "indicates", "source_ref": "indicator--2", "target_ref": "malware--2"}`,
		`{"type": "relationship", "id": "relationship--3", "relationship_type": "indicates", "source_ref": "indicator--2", "target_ref": "intrusion-set--1"}`,
		`{"type": "relationship", "id": "relationship--4", "relationship_type": "indicates", "source_ref": "indicator--2", "target_ref": "threat-actor--1"}`,
		`{"type": "relationship", "id": "relationship--5", "relationship_type": "uses", "source_ref": "indicator--3", "target_ref": "malware--1"}`,
		`{"type": "relationship", "id": "relationship--6", "relationship_type": "indicates", "source_ref": "indicator--3", "target_ref": "campaign--1"}`,
		`{"type": "relationship", "id": "relationship--7", "relationship_type": "indicates", "source_ref": "indicator--1", "target_ref": "tool--1"}`,
		`{"type": "malware", "id": "malware--1", "name": "First Malware"}`,
		`{"type": "malware", "id": "malware--2", "name": "Second Malware"}`,
		`{"type": "tool", "id": "tool--1", "name": "A Tool"}`,
		`{"type": "campaign", "id": "campaign--1", "name": "A Campaign"}`,
		`{"type": "intrusion-set", "id": "intrusion-set--1", "name": "Set One"}`,
		ta,
		`{"type": "identity", "id": "identity--late", "name": "Late Org"}`,
		`{"type": "identity", "id": "identity--nameless"}`,
		`{"type": "marking-definition", "id": "marking-definition--named", "name": "tlp:green"}`,
		`{"type": "marking-definition", "id": "marking-definition--statement", "definition_type": "statement", "name": "Copyright", "definition": {"statement": "TLP:RED"}}`,
	)
	res, err := readSTIXString(t, doc, Options{})
	require.NoError(t, err)
	require.Equal(t, []string{"url:http://a.example/", "url:http://b.example/", "url:http://c.example/"}, strs(res.Indicators))
	assert.Empty(t, res.Problems)
	assert.Equal(t, indicator.Meta{File: "feeds/intel.json",
		Source: "Early Org", ID: "indicator--1", Description: "D", TLP: indicator.TLPAmber,
		Reference:  "https://attack.mitre.org/tactics/TA0011", // only ATT&CK urls: the first
		Techniques: []string{"T1566", "T1660"},
		ValidFrom:  stixDate("2024-01-01T00:00:00Z"),
	}, res.Indicators[0].Meta)
	assert.Equal(t, indicator.Meta{File: "feeds/intel.json",
		Source: "Late Org", ID: "indicator--2", TLP: indicator.TLPGreen,
		Tags:          []string{"a", "b", "c", "k:p"},
		Reference:     "https://attack.mitre.org/techniques/T1071/001",
		Techniques:    []string{"T1071.001"},
		MalwareFamily: "First Malware", ThreatActor: "Set One",
		ValidFrom: stixDate("2024-01-01T00:00:00Z"),
	}, res.Indicators[1].Meta)
	assert.Equal(t, indicator.Meta{File: "feeds/intel.json",
		Source: "intel", ID: "indicator--3", TLP: indicator.TLPAmber, Confidence: indicator.MustConfidence(100),
		ValidFrom: stixDate("2019-01-01T00:00:00.5Z"), ValidUntil: stixDate("2019-12-31T22:00:00Z"),
	}, res.Indicators[2].Meta)
	assert.Equal(t, time.UTC, res.Indicators[2].ValidUntil.Location())
}

func TestReadSTIXManyTags(t *testing.T) {
	const n = 20000
	labels := make([]string, 0, 2*n)
	for i := 0; i < n; i++ {
		labels = append(labels, fmt.Sprint("label-", i), fmt.Sprint("label-", i/2))
	}
	b, err := json.Marshal(labels)
	require.NoError(t, err)
	res, err := readSTIXString(t, stixInd("1", "[url:value = 'http://a.example/']", `"labels": `+string(b)), Options{})
	require.NoError(t, err)
	require.Len(t, res.Indicators, 1)
	tags := res.Indicators[0].Tags
	require.Len(t, tags, n)
	assert.Equal(t, []string{"label-0", "label-1", "label-2", "label-3"}, tags[:4])
}

func TestReadSTIXStrict(t *testing.T) {
	doc := stixBundle(
		stixInd("1", "[url:value = 'http://a.example/' OR url:value = 'http://b example/' OR url:value = 'http://c.example/']", `"created_by_ref": "identity--1"`),
		stixInd("2", "[url:value = 'http://d.example/']", ""),
		`{"type": "identity", "id": "identity--1", "name": "Org"}`,
	)
	res, err := readSTIXString(t, doc, Options{Strict: true})
	var p *Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, Problem{Path: "feeds/intel.json", Record: "indicator--1", Reason: ReasonInvalidValue,
		Msg: `indicator: invalid url "http://b example/": contains white space, a control character, a quote or <>`}, *p)
	// What was read before the problem, with the metadata known then: the
	// identity comes after it.
	assert.Equal(t, []string{"url:http://a.example/"}, strs(res.Indicators))
	assert.Equal(t, "intel", res.Indicators[0].Source)
	assert.Equal(t, []Problem{*p}, res.Problems)

	// Unsupported records do not stop.
	doc = stixBundle(stixInd("1", "[process:name = 'x']", ""), stixInd("2", "x", `"pattern_type": "yara"`), stixInd("3", "[url:value = 'http://d.example/']", ""))
	res, err = readSTIXString(t, doc, Options{Strict: true})
	require.NoError(t, err)
	assert.Equal(t, []string{"url:http://d.example/"}, strs(res.Indicators))
	assert.Equal(t, 2, res.UnsupportedTotal())

	// Malformed JSON ends the file, in Strict mode as a problem.
	_, err = readSTIXString(t, `[{"type": "indicator"`, Options{Strict: true})
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, ReasonMalformed, p.Reason)
}

func TestReadSTIXLimits(t *testing.T) {
	// The limit is checked with capSlack bytes of slack.
	big := stixInd("2", "[url:value = 'http://big.example/"+strings.Repeat("a", 4000)+"']", `"x": "`+strings.Repeat("b", 3*capSlack)+`"`)
	doc := stixBundle(stixInd("1", "[url:value = 'http://a.example/']", ""), big, stixInd("3", "[url:value = 'http://c.example/']", ""))
	res, err := readSTIXString(t, doc, Options{MaxRecordSize: 1000})
	require.NoError(t, err)
	assert.Equal(t, []string{"url:http://a.example/"}, strs(res.Indicators))
	require.Len(t, res.Problems, 1)
	assert.Equal(t, ReasonTooLarge, res.Problems[0].Reason)
	assert.Equal(t, "objects[1]", res.Problems[0].Record)

	// Without the limit, all three.
	res, err = readSTIXString(t, doc, Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 3)

	// A single object is held whole, within the limit too.
	res, err = readSTIXString(t, big, Options{MaxRecordSize: 3000})
	require.NoError(t, err)
	assert.Empty(t, res.Indicators)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, ReasonTooLarge, res.Problems[0].Reason)
	res, err = readSTIXString(t, stixInd("2", "[url:value = 'http://big.example/"+strings.Repeat("a", 4000)+"']", ""), Options{MaxRecordSize: 3000})
	require.NoError(t, err)
	assert.Empty(t, res.Indicators)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, ReasonTooLarge, res.Problems[0].Reason)
	many := `{"type": "indicator"` + strings.Repeat(`, "x": "`+strings.Repeat("y", 500)+`"`, 10) + "}"
	res, err = readSTIXString(t, many, Options{MaxRecordSize: 3000})
	require.NoError(t, err)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, ReasonTooLarge, res.Problems[0].Reason)

	// Depth.
	deep := stixBundle(stixInd("1", "[url:value = 'http://a.example/']", ""), stixInd("2", "[url:value = 'http://b.example/']", `"x": `+strings.Repeat("[", 10)+strings.Repeat("]", 10)))
	res, err = readSTIXString(t, deep, Options{MaxJSONDepth: 8})
	require.NoError(t, err)
	assert.Equal(t, []string{"url:http://a.example/"}, strs(res.Indicators))
	require.Len(t, res.Problems, 1)
	assert.Equal(t, ReasonTooDeep, res.Problems[0].Reason)
	res, err = readSTIXString(t, strings.Repeat("[", 100)+strings.Repeat("]", 100), Options{})
	require.NoError(t, err)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, ReasonTooDeep, res.Problems[0].Reason)
	res, err = readSTIXString(t, strings.Repeat("[", 100000), Options{}) // truncated too
	require.NoError(t, err)
	require.Len(t, res.Problems, 1)
	res, err = readSTIXString(t, `{"objects": [], "next": `+strings.Repeat(`{"a":`, 100)+"1"+strings.Repeat("}", 100)+"}", Options{})
	require.NoError(t, err)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, ReasonTooDeep, res.Problems[0].Reason)
}

// A large bundle streams: the reader never holds it whole (the record size
// limit is far below the bundle's size).
func TestReadSTIXStreams(t *testing.T) {
	const n = 20000
	var b bytes.Buffer
	b.WriteString(`{"type": "bundle", "id": "bundle--1", "objects": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(stixInd(fmt.Sprint(i), fmt.Sprintf("[ipv4-addr:value = '10.%d.%d.%d']", i>>16, (i>>8)&255, i&255), `"created_by_ref": "identity--1"`))
	}
	b.WriteString(`, {"type": "identity", "id": "identity--1", "name": "Org"}]}`)
	require.Greater(t, b.Len(), 100*1024)
	res, err := ReadSTIX(&b, "big.json", Options{MaxRecordSize: 1024})
	require.NoError(t, err)
	require.Len(t, res.Indicators, n)
	assert.Empty(t, res.Problems)
	assert.Equal(t, "ipv4:10.0.78.31", res.Indicators[n-1].String())
	assert.Equal(t, "Org", res.Indicators[n-1].Source)
	assert.Equal(t, "indicator--19999", res.Indicators[n-1].ID)
}

func TestReadSTIXGzipAndLoad(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(stixDir, "indicator.json"))
	require.NoError(t, err)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, err = zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	res, err := ReadSTIX(&z, "feed.json.gz", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"url:http://login.evil.example/owa/"}, strs(res.Indicators))
	assert.Equal(t, "feed", res.Indicators[0].Source)

	// Load detects every sample as STIX.
	res, err = Load(stixDir, Options{})
	require.NoError(t, err)
	assert.Equal(t, 5, res.Files)
	for _, f := range res.PerFile {
		assert.Equal(t, FormatSTIX, f.Format, f.Path)
	}
	assert.Equal(t, 16+1+3+1+3, len(res.Indicators))
}

func ExampleReadSTIX() {
	const bundle = `{
  "type": "bundle",
  "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
  "objects": [
    {
      "type": "indicator", "spec_version": "2.1",
      "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
      "name": "C2 servers",
      "pattern": "[ipv4-addr:value = '198.51.100.7' OR domain-name:value = 'c2.evil.example']",
      "pattern_type": "stix",
      "valid_from": "2024-05-01T09:00:00Z",
      "confidence": 85,
      "indicator_types": ["malicious-activity"],
      "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]
    },
    {
      "type": "indicator", "spec_version": "2.1",
      "id": "indicator--3f1c3a39-2d1b-4a8e-8c1e-7d5d5f0e7b22",
      "pattern": "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.9']",
      "pattern_type": "stix",
      "valid_from": "2024-05-01T09:00:00Z"
    },
    {
      "type": "indicator", "spec_version": "2.1",
      "id": "indicator--4d6f8a0c-2e4a-4c6e-8f0a-2c4e6a8c0e99",
      "pattern": "[process:name = 'rundll32.exe'] FOLLOWEDBY [url:value = 'http://evil.example/']",
      "pattern_type": "stix",
      "valid_from": "2024-05-01T09:00:00Z"
    },
    {
      "type": "identity", "spec_version": "2.1",
      "id": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
      "name": "Example CERT", "identity_class": "organization"
    }
  ]
}`
	res, err := ReadSTIX(strings.NewReader(bundle), "feeds/cert.json", Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Printf("%-6s %-16s %-12s %-5s %-7s %s\n", ind.Type, ind.Value, ind.Source, ind.TLP, ind.Confidence, ind.Tags)
	}
	fmt.Println(res.Unsupported)
	// Output:
	// ipv4   198.51.100.7     Example CERT green 85      [malicious-activity]
	// domain c2.evil.example  Example CERT green 85      [malicious-activity]
	// ipv4   203.0.113.9      cert               unknown []
	// map[stix pattern: FOLLOWEDBY:1]
}

func FuzzReadSTIX(f *testing.F) {
	addSeeds(f, filepath.Join(stixDir, "*"),
		"",
		"[]",
		`{"objects": [null, 1, "x", [], {}]}`,
		stixBundle(stixInd("1", "[ipv4-addr:value = '192.0.2.1' OR file:hashes.MD5 = 'x'] OR [a:b = 'c']", `"created_by_ref": "identity--1", "object_marking_refs": ["marking-definition--1"]`),
			`{"type": "identity", "id": "identity--1", "name": "X"}`, `{"type": "marking-definition", "id": "marking-definition--1", "name": "TLP:RED"}`,
			`{"type": "relationship", "relationship_type": "indicates", "source_ref": "indicator--1", "target_ref": "malware--1"}`, `{"type": "malware", "id": "malware--1", "name": "M"}`),
		stixInd("1", "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.0.2.5']", `"confidence": 5, "valid_until": "2020-01-01T00:00:00Z"`),
		`{"more": true, "objects": [`+stixInd("1", "[url:value = 'http://a.example/']", "")+`]} [`+stixInd("2", "[x", "")+`]`,
		stixBundle(stixInd("1", "[ipv4-addr:value = '192.0.2.1']", `"modified": "2024-01-02T00:00:00Z"`), stixInd("1", "[ipv4-addr:value = '192.0.2.2']", `"modified": "2024-01-01T00:00:00Z"`),
			stixInd("1", "[ipv4-addr:value = '192.0.2.3']", `"modified": "2024-01-03T00:00:00Z", "revoked": true`), `{"type": "identity", "id": "identity--1", "name": "X", "revoked": true}`),
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{{}, {MaxRecordSize: 200, MaxJSONDepth: 6}} {
			res, err := ReadSTIX(bytes.NewReader(data), "fuzz.json", opts)
			if err != nil {
				t.Fatalf("%+v: unexpected error %v", opts, err)
			}
			checkSTIXResult(t, res)

			if res.Unsupported["stix superseded"] == 0 {
				checkStrict(t, ReadSTIX, data, "fuzz.json", opts, res)
			} else {
				// Strict stops at the first problem: a version that a
				// later one supersedes may be kept then.
				checkStrictProblem(t, ReadSTIX, data, "fuzz.json", opts, res)
			}
		}
	})
}

func checkSTIXResult(t *testing.T, res Result) {
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
			t.Fatalf("%v without a source", ind)
		}
		if c := ind.Confidence; c.Known() && (c.Value() < 0 || c.Value() > 100) {
			t.Fatalf("%v: confidence %v", ind, c)
		}
		if _, err := indicator.ParseTLP(string(ind.TLP)); err != nil {
			t.Fatalf("%v: TLP %q", ind, ind.TLP)
		}
	}
	// Only one version of an indicator gives indicators: those with an id
	// are together.
	last := map[string]int{}
	for i, ind := range res.Indicators {
		if j, ok := last[ind.ID]; ok && ind.ID != "" && j != i-1 {
			t.Fatalf("indicators %d and %d of %q: two versions kept", j, i, ind.ID)
		}
		last[ind.ID] = i
	}
	if res.Unsupported["stix superseded"] < 0 || res.Unsupported["stix revoked"] < 0 {
		t.Fatalf("unsupported %v", res.Unsupported)
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
	for what := range res.Unsupported {
		if !strings.HasPrefix(what, "stix ") && what != unsupportedOther || len(what) > 120 {
			t.Fatalf("bad unsupported reason %q", what)
		}
	}
}

const realSTIXDir = "../../shared/realdata/feeds/stix21"

func TestRealdataSTIX(t *testing.T) {
	if _, err := os.Stat(realSTIXDir); err != nil {
		t.Skipf("no real data: %v", err)
	}
	var files []string
	err := filepath.WalkDir(realSTIXDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".stix2")) {
			files = append(files, p)
		}
		return nil
	})
	require.NoError(t, err)
	sort.Strings(files)
	require.NotEmpty(t, files)

	rel := func(p string) string { r, _ := filepath.Rel(realSTIXDir, p); return r }
	total := Result{}
	byFile := map[string]Result{}
	for _, p := range files {
		name := rel(p)
		head := make([]byte, SniffLen)
		fh, err := os.Open(p)
		require.NoError(t, err)
		n, _ := fh.Read(head)
		fh.Close()
		format := Detect(head[:n], p)
		notSTIX := strings.HasPrefix(name, "talos-stix1-json/") || strings.HasPrefix(name, "misp-stix/")
		if notSTIX {
			// The STIX 1.x package and the misp-stix catalogue are JSON of no
			// known kind: a problem, not read.
			assert.Equal(t, FormatUnknown, format, name)
			res, err := Load(p, Options{})
			require.NoError(t, err)
			assert.Empty(t, res.Indicators)
			assert.Equal(t, map[string]int{ReasonFormat: 1}, res.Skipped, name)
			continue
		}
		assert.Equal(t, FormatSTIX, format, name)
		res, err := Load(p, Options{})
		require.NoError(t, err, name)
		byFile[name] = res
		assert.Empty(t, res.Problems, name) // every real STIX 2 file reads cleanly
		checkRealSTIX(t, res)
		t.Logf("%-100s %5d indicators, unsupported %v", name, len(res.Indicators), res.Unsupported)
		addTotals(&total, res)
	}
	t.Logf("total: %d STIX files, %d indicators, unsupported %v", total.Files, len(total.Indicators), total.Unsupported)

	// Values and metadata checked by hand in the files.
	pegasus := byFile["amnesty-mvt/2021-07-18_nso__pegasus.stix2"]
	assert.Len(t, pegasus.Indicators, 1468)
	assert.Equal(t, map[string]int{"stix pattern: path process:name": 81}, pegasus.Unsupported)
	assert.Equal(t, "domain:weather4free.com", pegasus.Indicators[0].String())
	assert.Equal(t, "Pegasus", pegasus.Indicators[0].MalwareFamily)
	assert.Equal(t, []string{"malicious-activity"}, pegasus.Indicators[0].Tags)
	assert.Equal(t, "2021-07-18_nso__pegasus", pegasus.Indicators[0].Source)

	novispy := byFile["amnesty-mvt/2024-12-16_serbia_novispy__novispy.stix2"]
	assert.Equal(t, map[string]int{"stix pattern: path app:id": 4, "stix pattern: path app:cert.sha256": 3}, novispy.Unsupported)
	assert.Equal(t, indicator.Indicator{Type: indicator.IPv4, Value: "176.223.111.131", Meta: indicator.Meta{File: novispy.PerFile[0].Path, // an IP in domain-name:value
		Source: "2024-12-16_serbia_novispy__novispy", ID: "indicator--f2784a32-7e47-4aab-a222-08d07d708db9",
		Tags: []string{"malicious-activity"}, MalwareFamily: "NoviSpy", ValidFrom: stixDate("2024-12-13T21:15:49.153129Z"),
	}}, novispy.Indicators[0])
	last := novispy.Indicators[len(novispy.Indicators)-1]
	assert.Equal(t, "sha256:087fc1217c897033425fe7f1f12b913cd48918c875e99c25bdb9e1ffcf80f57e", last.String()) // file:hashes.sha256

	xor := byFile["talos-stix20/2025__04__new_XorDDoS_controller_and_infrastructure.json"]
	assert.Len(t, xor.Indicators, 176)
	assert.Nil(t, xor.Unsupported)
	ip := xor.Indicators[len(xor.Indicators)-1]
	assert.Equal(t, indicator.Indicator{Type: indicator.IPv4, Value: "47.42.59.162", Meta: indicator.Meta{File: xor.PerFile[0].Path, // the network-traffic AND
		Source: "Talos", ID: "indicator--4bc248a3-bd4d-47c7-9726-22fce74fb860",
		Tags:      []string{`misp:type="ip-dst"`, `misp:category="Network activity"`, `misp:to_ids="True"`, "misp-category:Network activity"},
		ValidFrom: stixDate("2025-04-07T14:10:31Z"),
	}}, ip)

	marking := byFile["oasis/cti-documentation/using-marking-definitions.json"]
	require.Len(t, marking.Indicators, 1)
	assert.Equal(t, indicator.Meta{File: marking.PerFile[0].Path,
		Source: "Stark Industries", ID: "indicator--33fe3b22-0201-47cf-85d0-97c02164528d",
		Description: "Detected malicious activity from this address", Tags: []string{"malicious-activity"},
		TLP: indicator.TLPAmber, ValidFrom: stixDate("2017-04-14T13:07:49.812Z"),
	}, marking.Indicators[0].Meta)

	apt1 := byFile["oasis/cti-stix2-json-schemas/threat-reports/apt1.json"]
	assert.Equal(t, map[string]int{"stix pattern: AND": 2}, apt1.Unsupported)
	assert.Equal(t, "cidr:223.166.0.0/15", apt1.Indicators[0].String())
	assert.Equal(t, "HUC Packet Transmit Tool (HTRAN)", apt1.Indicators[0].MalwareFamily)
	assert.Equal(t, []string{"malicious-activity", "mandiant-attack-lifecycle-model:establish-foothold"}, apt1.Indicators[0].Tags)

	hash := byFile["oasis/cti-documentation/malware-indicator-for-file-hash.json"]
	require.Len(t, hash.Indicators, 1)
	assert.Equal(t, "sha256:ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c", hash.Indicators[0].String())

	// The misp-stix catalogue holds, per MISP attribute type, the STIX 2.1
	// objects it maps to: read them all, for the variety of patterns, one
	// bundle per entry (the entries reuse ids: as one bundle they would be
	// versions of each other).
	cat, err := os.ReadFile(filepath.Join(realSTIXDir, "misp-stix/misp_attributes_to_stix21.json"))
	require.NoError(t, err)
	var entries map[string]struct {
		STIX json.RawMessage `json:"STIX"`
	}
	require.NoError(t, json.Unmarshal(cat, &entries))
	var res Result
	for _, e := range entries {
		var list []json.RawMessage
		if json.Unmarshal(e.STIX, &list) != nil {
			list = []json.RawMessage{e.STIX}
		}
		doc, err := json.Marshal(map[string]any{"type": "bundle", "objects": list})
		require.NoError(t, err)
		r, err := ReadSTIX(bytes.NewReader(doc), "misp_attributes_to_stix21.json", Options{})
		require.NoError(t, err)
		addTotals(&res, r)
	}
	assert.Empty(t, res.Problems)
	assert.Zero(t, res.Unsupported["stix superseded"])
	checkRealSTIX(t, res)
	t.Logf("misp-stix catalogue as a bundle: %d indicators, unsupported %v", len(res.Indicators), res.Unsupported)
	got := map[string]bool{}
	for _, ind := range res.Indicators {
		got[ind.String()] = true
	}
	for _, want := range []string{
		"domain:circl.lu", "email:address@email.test", "email:dst@email.test", "email:src@email.test",
		"email-subject:Test Subject", "filename:test_file_name", "ipv4:5.6.7.8", "ipv4:1.2.3.4",
		"url:https://vm.misp-project.org/latest/", "md5:b2a5abfeef9e36964281a31e17b57c97",
		"sha1:2920d5e6c579fce772e5506caf03af65579088bd", `regkey:HKLM\Software\mthjk`, "mutex:MutexTest",
		"useragent:Mozilla Firefox",
	} {
		assert.True(t, got[want], want)
	}
	for _, reason := range []string{"stix pattern: AND", "stix pattern_type: yara", "stix pattern_type: sigma",
		"stix pattern_type: snort", "stix pattern_type: suricata", "stix pattern: path autonomous-system:number",
		"stix pattern: path file:hashes.'SHA-224'", "stix pattern: path x509-certificate:hashes.MD5"} {
		assert.NotZero(t, res.Unsupported[reason], reason)
	}
}

func checkRealSTIX(t *testing.T, res Result) {
	t.Helper()
	for _, ind := range res.Indicators {
		again, err := indicator.New(ind.Type, ind.Value)
		require.NoError(t, err)
		require.Equal(t, ind.Value, again.Value)
		require.NotEmpty(t, ind.ID)
		require.True(t, strings.HasPrefix(ind.ID, "indicator--"), ind.ID)
		require.False(t, ind.ValidFrom.IsZero(), ind.ID)
	}
}

// TestSTIXSharedTags: indicators one after the other with the same
// labels share one Tags slice (the matcher keeps one copy); others have
// their own, and the values stay each indicator's.
func TestSTIXSharedTags(t *testing.T) {
	ind := func(id, value, labels string) string {
		return `{"type":"indicator","spec_version":"2.1","id":"indicator--` + id + `","created":"2024-01-01T00:00:00Z","modified":"2024-01-01T00:00:00Z",` +
			`"pattern":"[domain-name:value = '` + value + `']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","labels":[` + labels + `]}`
	}
	doc := `{"type":"bundle","id":"bundle--1","objects":[` +
		ind("a0000000-0000-4000-8000-000000000001", "a.example", `"x","y"`) + `,` +
		ind("a0000000-0000-4000-8000-000000000002", "b.example", `"x","y"`) + `,` +
		ind("a0000000-0000-4000-8000-000000000003", "c.example", `"x"`) + `]}`
	res, err := ReadSTIX(strings.NewReader(doc), "b.json", Options{})
	if err != nil || len(res.Indicators) != 3 {
		t.Fatalf("%v, %d indicators", err, len(res.Indicators))
	}
	a, b, c := res.Indicators[0], res.Indicators[1], res.Indicators[2]
	if !slices.Equal(a.Tags, []string{"x", "y"}) || unsafe.SliceData(a.Tags) != unsafe.SliceData(b.Tags) {
		t.Errorf("tags %v and %v not one slice", a.Tags, b.Tags)
	}
	if !slices.Equal(c.Tags, []string{"x"}) || a.Value != "a.example" || b.Value != "b.example" {
		t.Errorf("%v %v %v", a, b, c)
	}
}
