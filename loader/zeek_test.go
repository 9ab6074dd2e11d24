package loader

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
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

const (
	zeekFeedsDir     = "../testdata/feeds/zeek"
	zeekRealdataDir  = "../../shared/realdata/feeds/zeek"
	zeekHdr          = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n"
	zeekNotSubdomain = "not a domain name (labels of [a-z0-9_-], at least two, not all-numeric at the end)"
)

func TestReadZeek(t *testing.T) {
	const path = "intel/feed.intel"
	tests := []struct {
		name        string
		in          string
		opts        Options
		want        []string // "type:value"
		problems    []string // Problem.Error()
		skipped     map[string]int
		unsupported map[string]int
		allowlist   []string // "type:value" of Result.Allowlist
	}{
		{
			name: "empty",
			in:   "",
		},
		{
			name: "header only",
			in:   "#fields\tindicator\tindicator_type\tmeta.source\tmeta.do_notice\tmeta.desc\n",
		},
		{
			name: "every type",
			in: zeekHdr +
				"198.51.100.7\tIntel::ADDR\ts\td\tu\n" +
				"2001:DB8::1\tIntel::ADDR\ts\td\tu\n" +
				"203.0.113.0/24\tIntel::SUBNET\ts\td\tu\n" +
				"192.0.2.1/32\tIntel::SUBNET\ts\td\tu\n" +
				"Evil.Example.\tIntel::DOMAIN\ts\td\tu\n" +
				"evil.example/gate.php?id=1\tIntel::URL\ts\td\tu\n" +
				"HTTPS://Evil.Example/Gate.php\tIntel::URL\ts\td\tu\n" +
				"Billing@Evil.Example\tIntel::EMAIL\ts\td\tu\n" +
				"D41D8CD98F00B204E9800998ECF8427E\tIntel::FILE_HASH\ts\td\tu\n" +
				"da39a3ee5e6b4b0d3255bfef95601890afd80709\tIntel::FILE_HASH\ts\td\tu\n" +
				"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\tIntel::FILE_HASH\ts\td\tu\n" +
				strings.Repeat("ab", 64) + "\tIntel::FILE_HASH\ts\td\tu\n" +
				"2c322ae2b7fe91391345e070b63668978bb1c9da\tIntel::CERT_HASH\ts\td\tu\n" +
				"Invoice 0424.exe \tIntel::FILE_NAME\ts\td\tu\n" +
				"PuTTY_Release_0.70\tIntel::SOFTWARE\ts\td\tu\n" +
				"svc_backup\tIntel::USER_NAME\ts\td\tu\n",
			want: []string{
				"ipv4:198.51.100.7", "ipv6:2001:db8::1", "cidr:203.0.113.0/24", "ipv4:192.0.2.1",
				"domain:evil.example", "url:http://evil.example/gate.php?id=1", "url:https://evil.example/Gate.php",
				"email:billing@evil.example", "md5:d41d8cd98f00b204e9800998ecf8427e",
				"sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
				"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				"sha512:" + strings.Repeat("ab", 64),
				"sha1:2c322ae2b7fe91391345e070b63668978bb1c9da",
				"filename:Invoice 0424.exe ", "useragent:PuTTY_Release_0.70", "string:svc_backup",
			},
		},
		{
			name: "type names in any case, domain holding an address, defanged",
			in: zeekHdr +
				"evil[.]example\tintel::domain\ts\td\tu\n" +
				"198.51.100.9\tINTEL::DOMAIN\ts\td\tu\n" +
				"hxxp://evil[.]example/x\tIntel::Url\ts\td\tu\n",
			want: []string{"domain:evil.example", "ipv4:198.51.100.9", "url:http://evil.example/x"},
		},
		{
			name: "columns in any order, extra columns ignored, no meta",
			in: "#fields\tmeta.source\tfoo\tindicator_type\tindicator\n" +
				"src\tbar\tIntel::DOMAIN\tevil.example\n" +
				"#fields\tindicator_type\tindicator\n" +
				"Intel::ADDR\t198.51.100.7\n",
			want: []string{"domain:evil.example", "ipv4:198.51.100.7"},
		},
		{
			name: "comments, blank lines, log headers, CRLF and BOM",
			in: "\ufeff#separator \\x09\r\n#set_separator\t,\r\n#empty_field\t(empty)\r\n#unset_field\t-\r\n" +
				"#path\tintel\r\n#open\t2024-05-01-10-00-00\r\n" +
				"#fields\tindicator\tindicator_type\tmeta.source\r\n#types\tstring\tenum\tstring\r\n" +
				"\r\n   \r\n# a comment\r\nevil.example\tIntel::DOMAIN\tsrc\r\n#close\t2024-05-01-10-00-01\r\n",
			want: []string{"domain:evil.example"},
		},
		{
			name: "other separator, escaped or not",
			in: "#separator \\x7c\n#fields|indicator|indicator_type\nevil.example|Intel::DOMAIN\n" +
				"#separator ,\n#fields,indicator,indicator_type\n198.51.100.7,Intel::ADDR\n",
			want: []string{"domain:evil.example", "ipv4:198.51.100.7"},
		},
		{
			name: "a separator found in the header keywords",
			in: "#separator s\n#fieldssindicatorsindicator_type\nevil.examplesIntel::DOMAIN\n" +
				"#separator \\x09\n" + zeekHdr + "198.51.100.7\tIntel::ADDR\ts\td\tu\n",
			want: []string{"domain:evil.example", "ipv4:198.51.100.7"},
		},
		{
			name: "bad separator keeps the old one",
			in:   "#separator \\x7c\\x7c\n#separator \\xZZ\n#separator \n" + zeekHdr + "evil.example\tIntel::DOMAIN\ts\td\tu\n",
			want: []string{"domain:evil.example"},
			problems: []string{
				`intel/feed.intel:1: #separator "\\x7c\\x7c" is not one byte`,
				`intel/feed.intel:2: #separator "\\xZZ" is not one byte`,
				`intel/feed.intel:3: #separator "" is not one byte`,
			},
			skipped: map[string]int{ReasonBadHeader: 3},
		},
		{
			name: "escapes decoded in values and names",
			in: "#fields\tindicator\tindicator_\\x74ype\n" +
				"evil.example/a\\x3fb=1\tIntel::URL\n" +
				"a\\x09b.exe\tIntel::FILE_NAME\n" +
				"C:\\xampp\\x5c\\xZZ.exe\tIntel::FILE_NAME\n" +
				"trail\\x4\tIntel::FILE_NAME\n",
			want: []string{"url:http://evil.example/a?b=1", "filename:a\tb.exe", `filename:C:\xampp\\xZZ.exe`, `filename:trail\x4`},
		},
		{
			name: "unset and empty markers, default and redefined",
			in: zeekHdr + "-\tIntel::ADDR\ts\td\tu\n" + "(empty)\tIntel::ADDR\ts\td\tu\n" +
				"\tIntel::ADDR\ts\td\tu\n" + "198.51.100.7\t-\ts\td\tu\n" + "198.51.100.7\t(empty)\ts\td\tu\n" +
				"#unset_field\tNONE\n#empty_field\tEMPTY\n" +
				"NONE\tIntel::ADDR\ts\td\tu\n" + "EMPTY\tIntel::ADDR\ts\td\tu\n" + "-\tIntel::FILE_NAME\ts\td\tu\n",
			want: []string{"filename:-"},
			problems: []string{
				"intel/feed.intel:2: the indicator is unset",
				"intel/feed.intel:3: the indicator is unset",
				"intel/feed.intel:4: the indicator is unset",
				"intel/feed.intel:5: the indicator_type is unset",
				"intel/feed.intel:6: the indicator_type is unset",
				"intel/feed.intel:9: the indicator is unset",
				"intel/feed.intel:10: the indicator is unset",
			},
			skipped: map[string]int{ReasonMalformed: 7},
		},
		{
			name: "missing required columns",
			in: "#fields\tindicator\tmeta.source\nevil.example\ts\n" +
				"#fields\tmeta.source\ns\n" +
				"#fields\tindicator_type\tindicator\nIntel::DOMAIN\tevil.example\n",
			want: []string{"domain:evil.example"},
			problems: []string{
				"intel/feed.intel:1: #fields header: no indicator_type column",
				"intel/feed.intel:2: line skipped: the #fields header at line 1 has no indicator_type column",
				"intel/feed.intel:3: #fields header: no indicator or indicator_type column",
				"intel/feed.intel:4: line skipped: the #fields header at line 3 has no indicator or indicator_type column",
			},
			skipped: map[string]int{ReasonBadHeader: 4},
		},
		{
			name: "fields header not separated by the separator",
			in:   "#fields indicator indicator_type\nevil.example Intel::DOMAIN\n#fields\n",
			problems: []string{
				"intel/feed.intel:1: #fields header: column names not separated by '\\t'",
				`intel/feed.intel:2: line skipped: the #fields header at line 1 does not separate its column names by "\t"`,
				"intel/feed.intel:3: #fields header: column names not separated by '\\t'",
			},
			skipped: map[string]int{ReasonBadHeader: 3},
		},
		{
			name: "data before any header",
			in:   "evil.example\tIntel::DOMAIN\n" + zeekHdr + "evil.example\tIntel::DOMAIN\ts\td\tu\n",
			want: []string{"domain:evil.example"},
			problems: []string{
				"intel/feed.intel:1: data line before any #fields header",
			},
			skipped: map[string]int{ReasonBadHeader: 1},
		},
		{
			name: "wrong number of fields",
			in: zeekHdr + "evil.example\tIntel::DOMAIN\ts\td\n" + "evil.example\tIntel::DOMAIN\ts\td\tu\t\n" +
				"evil.example Intel::DOMAIN s d u\n",
			problems: []string{
				"intel/feed.intel:2: 4 fields, but the #fields header at line 1 has 5 columns",
				"intel/feed.intel:3: 6 fields, but the #fields header at line 1 has 5 columns",
				"intel/feed.intel:4: 1 fields, but the #fields header at line 1 has 5 columns",
			},
			skipped: map[string]int{ReasonMalformed: 3},
		},
		{
			name: "unknown and unsupported types",
			in: zeekHdr +
				"198.51.100.7\tIntel::ADDRESS\ts\td\tu\n" +
				"198.51.100.7\tADDR\ts\td\tu\n" +
				"3f1c0a9e5b7d2c4e6a8b0d1f3e5c7a9b1d3f5e7a\tIntel::PUBKEY_HASH\ts\td\tu\n" +
				"6734f37431670b3ab4292b8f60f29984\tIntel::JA3\ts\td\tu\n" +
				"6734f37431670b3ab4292b8f60f29984\tintel::ja3s\ts\td\tu\n" +
				"t13d1516h2_8daaf6152771_02713d6af862\tIntel::JA4\ts\td\tu\n" +
				"8a8ae540028bf433cd68356c1b9e8d5b\tIntel::HASSH\ts\td\tu\n",
			problems: []string{
				`intel/feed.intel:2: unknown Zeek indicator type "Intel::ADDRESS"`,
				`intel/feed.intel:3: unknown Zeek indicator type "ADDR"`,
			},
			skipped: map[string]int{ReasonUnknownType: 2},
			unsupported: map[string]int{
				"zeek type: Intel::PUBKEY_HASH": 1, "zeek type: Intel::JA3": 1, "zeek type: Intel::JA3S": 1,
				"zeek type: Intel::JA4": 1, "zeek type: Intel::HASSH": 1,
			},
		},
		{
			name: "invalid values",
			in: zeekHdr +
				"198.51.100.0/24\tIntel::ADDR\ts\td\tu\n" +
				"198.51.100.300\tIntel::ADDR\ts\td\tu\n" +
				"evil.example\tIntel::SUBNET\ts\td\tu\n" +
				"evil.example/ws/\tIntel::DOMAIN\ts\td\tu\n" +
				"http://evil example/\tIntel::URL\ts\td\tu\n" +
				"billing\tIntel::EMAIL\ts\td\tu\n" +
				"d41d8cd98f00b204e9800998ecf842\tIntel::FILE_HASH\ts\td\tu\n" +
				"z41d8cd98f00b204e9800998ecf8427e\tIntel::FILE_HASH\ts\td\tu\n" +
				"2c322ae2\tIntel::CERT_HASH\ts\td\tu\n" +
				"   \tIntel::FILE_NAME\ts\td\tu\n",
			problems: []string{
				`intel/feed.intel:2: Intel::ADDR "198.51.100.0/24" is a subnet, not an address`,
				`intel/feed.intel:3: indicator: invalid ipv4 "198.51.100.300": not an IP address`,
				`intel/feed.intel:4: indicator: invalid cidr "evil.example": not an IP address`,
				`intel/feed.intel:5: indicator: invalid domain "evil.example/ws/": ` + zeekNotSubdomain,
				`intel/feed.intel:6: indicator: invalid url "http://evil example/": contains white space, a control character, a quote or <>`,
				`intel/feed.intel:7: indicator: invalid email "billing": not local@domain`,
				`intel/feed.intel:8: Intel::FILE_HASH "d41d8cd98f00b204e9800998ecf842": not 32, 40, 64 or 128 hex digits`,
				`intel/feed.intel:9: indicator: invalid md5 "z41d8cd98f00b204e9800998ecf8427e": 'z' is not a hex digit`,
				`intel/feed.intel:10: Intel::CERT_HASH "2c322ae2": not 32, 40, 64 or 128 hex digits`,
				`intel/feed.intel:11: indicator: invalid filename "   ": empty value`,
			},
			skipped: map[string]int{ReasonInvalidValue: 10},
		},
		{
			name: "whitelist and remove",
			in: "#fields\tindicator\tindicator_type\tmeta.whitelist\tmeta.remove\n" +
				"good.example\tIntel::DOMAIN\tT\tF\n" +
				"old.example\tIntel::DOMAIN\tF\tT\n" +
				"bad.example\tIntel::DOMAIN\tF\tF\n" +
				"bad2.example\tIntel::DOMAIN\t-\t-\n" +
				"bad..example\tIntel::DOMAIN\tT\t-\n" +
				"198.51.100.0/24\tIntel::SUBNET\tT\tT\n",
			want:        []string{"domain:bad.example", "domain:bad2.example"},
			problems:    []string{`intel/feed.intel:6: indicator: invalid domain "bad..example": ` + zeekNotSubdomain},
			skipped:     map[string]int{ReasonInvalidValue: 1},
			unsupported: map[string]int{"zeek: meta.remove=T": 1},
			allowlist:   []string{"domain:good.example", "cidr:198.51.100.0/24"},
		},
		{
			name: "long lines",
			in: zeekHdr + "evil.example\tIntel::DOMAIN\ts\t" + strings.Repeat("d", 100) + "\tu\n" +
				"evil2.example\tIntel::DOMAIN\ts\td\tu\n",
			opts:     Options{MaxLineLen: 64},
			want:     []string{"domain:evil2.example"},
			problems: []string{"intel/feed.intel:2: line longer than 64 bytes"},
			skipped:  map[string]int{ReasonLineTooLong: 1},
		},
		{
			name: "long header line",
			in:   "#fields\tindicator\tindicator_type\t" + strings.Repeat("x", 100) + "\nevil.example\tIntel::DOMAIN\tx\n",
			opts: Options{MaxLineLen: 64},
			problems: []string{
				"intel/feed.intel:1: line longer than 64 bytes",
				"intel/feed.intel:2: data line before any #fields header",
			},
			skipped: map[string]int{ReasonLineTooLong: 1, ReasonBadHeader: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadZeek(strings.NewReader(tt.in), path, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, nilIfEmpty(strs(res.Indicators)), "indicators")
			assert.Equal(t, tt.problems, nilIfEmpty(problemStrs(res.Problems)), "problems")
			assert.Equal(t, tt.skipped, res.Skipped, "skipped")
			assert.Equal(t, tt.unsupported, res.Unsupported, "unsupported")
			assert.Equal(t, tt.allowlist, nilIfEmpty(strs(res.Allowlist)), "allowlist")
			assert.Equal(t, 1, res.Files)
			require.Len(t, res.PerFile, 1)
			assert.Equal(t, FileStats{Path: path, Format: FormatZeek, Indicators: len(tt.want),
				Skipped: len(tt.problems), Unsupported: res.UnsupportedTotal()}, res.PerFile[0])
			for _, p := range res.Problems {
				assert.NotEmpty(t, p.Reason)
				assert.Positive(t, p.Line)
			}
		})
	}
}

func TestReadZeekMeta(t *testing.T) {
	const in = "#separator \\x09\n#set_separator\t;\n" +
		"#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\tmeta.do_notice\tmeta.if_in\t" +
		"meta.cif_confidence\tmeta.cif_tags\tmeta.cif_firstseen\tmeta.cif_lastseen\tmeta.cif_description\n" +
		// 2: everything
		"198.51.100.7\tIntel::ADDR\t  feodo \tC2\\x09server\thttps://feeds.example/c2\tT\tConn::IN_RESP\t8.5\tbotnet;c2, emotet\t2024-04-28T09:15:00+02:00\t1714294500.5\tignored\n" +
		// 3: unset and empty meta, cif confidence as a percentage, cif description
		"evil.example\tIntel::DOMAIN\t-\t(empty)\t-\tF\t-\t85\t-\tnot a time\t-1\tfrom cif\n" +
		// 4: bad and out of range cif values, CERT_HASH tag
		"2c322ae2b7fe91391345e070b63668978bb1c9da\tIntel::CERT_HASH\tsrc\t-\t-\tT\t-\t101\t;;\t-\t-\t-\n" +
		// 5: confidence 0, NaN
		"PuTTY\tIntel::SOFTWARE\tsrc\t-\t-\t-\t-\t0\t-\t-\t-\t-\n" +
		"svc\tIntel::USER_NAME\tsrc\t-\t-\t-\t-\tNaN\t-\t-\t-\t-\n"
	res, err := ReadZeek(strings.NewReader(in), "feeds/zeek-c2.intel", Options{})
	require.NoError(t, err)
	require.Nil(t, res.Problems)
	require.Len(t, res.Indicators, 5)

	first := res.Indicators[0]
	assert.Equal(t, indicator.Meta{File: "feeds/zeek-c2.intel",
		Source:      "feodo",
		Description: "C2\tserver",
		Reference:   "https://feeds.example/c2",
		Confidence:  indicator.MustConfidence(85),
		Tags:        []string{"zeek:do_notice", "zeek:if_in:Conn::IN_RESP", "botnet", "c2", "emotet"},
		FirstSeen:   time.Date(2024, 4, 28, 7, 15, 0, 0, time.UTC),
		LastSeen:    time.Date(2024, 4, 28, 8, 55, 0, 5e8, time.UTC),
	}, first.Meta)

	second := res.Indicators[1]
	assert.Equal(t, indicator.Meta{File: "feeds/zeek-c2.intel",
		Source:      "zeek-c2", // meta.source unset: the file's name
		Description: "from cif",
		Confidence:  indicator.MustConfidence(85),
	}, second.Meta)

	third := res.Indicators[2]
	assert.Equal(t, "sha1:2c322ae2b7fe91391345e070b63668978bb1c9da", third.String())
	assert.Equal(t, indicator.Meta{File: "feeds/zeek-c2.intel", Source: "src", Tags: []string{"zeek:CERT_HASH", "zeek:do_notice"}}, third.Meta)

	assert.Equal(t, "useragent:PuTTY", res.Indicators[3].String())
	assert.Equal(t, indicator.Meta{File: "feeds/zeek-c2.intel", Source: "src", Confidence: indicator.MustConfidence(0), Tags: []string{"zeek:SOFTWARE"}},
		res.Indicators[3].Meta)
	assert.Equal(t, "string:svc", res.Indicators[4].String())
	assert.Equal(t, indicator.Meta{File: "feeds/zeek-c2.intel", Source: "src", Tags: []string{"zeek:USER_NAME"}}, res.Indicators[4].Meta)

	// Options.Source overrides meta.source.
	res, err = ReadZeek(strings.NewReader(in), "feeds/zeek-c2.intel", Options{Source: "mine"})
	require.NoError(t, err)
	for _, ind := range res.Indicators {
		assert.Equal(t, "mine", ind.Source)
	}
}

func TestReadZeekStrict(t *testing.T) {
	in := zeekHdr + "evil.example\tIntel::DOMAIN\ts\td\tu\n" +
		"3f1c0a9e5b7d2c4e6a8b0d1f3e5c7a9b1d3f5e7a\tIntel::PUBKEY_HASH\ts\td\tu\n" +
		"bad..example\tIntel::DOMAIN\ts\td\tu\n" +
		"evil2.example\tIntel::DOMAIN\ts\td\tu\n"
	res, err := ReadZeek(strings.NewReader(in), "s.intel", Options{Strict: true})
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, Problem{Path: "s.intel", Line: 4, Reason: ReasonInvalidValue,
		Msg: `indicator: invalid domain "bad..example": ` + zeekNotSubdomain}, *p)
	assert.Equal(t, []string{"domain:evil.example"}, strs(res.Indicators))
	assert.Equal(t, map[string]int{"zeek type: Intel::PUBKEY_HASH": 1}, res.Unsupported)
	assert.Equal(t, []Problem{*p}, res.Problems)

	// Each kind of problem stops reading.
	for _, in := range []string{
		"#separator xx\n" + zeekHdr + "evil.example\tIntel::DOMAIN\ts\td\tu\n",
		"#fields\tindicator\n" + "evil.example\n",
		"evil.example\tIntel::DOMAIN\n" + zeekHdr + "evil.example\tIntel::DOMAIN\ts\td\tu\n",
		zeekHdr + "evil.example\tIntel::DOMAIN\n" + "evil.example\tIntel::DOMAIN\ts\td\tu\n",
		zeekHdr + "evil.example\tIntel::NOPE\ts\td\tu\n" + "evil.example\tIntel::DOMAIN\ts\td\tu\n",
		zeekHdr + "-\tIntel::DOMAIN\ts\td\tu\n" + "evil.example\tIntel::DOMAIN\ts\td\tu\n",
		zeekHdr + "abc\tIntel::FILE_HASH\ts\td\tu\n" + "evil.example\tIntel::DOMAIN\ts\td\tu\n",
		zeekHdr + strings.Repeat("x", 80) + "\n" + "evil.example\tIntel::DOMAIN\ts\td\tu\n",
	} {
		res, err := ReadZeek(strings.NewReader(in), "s.intel", Options{Strict: true, MaxLineLen: 72})
		require.ErrorAs(t, err, &p, "%q", in)
		assert.Len(t, res.Problems, 1, "%q", in)
		assert.Empty(t, res.Indicators, "%q", in)
	}
}

func TestSniffZeek(t *testing.T) {
	for _, tt := range []struct {
		head string
		want bool
	}{
		{"#fields\tindicator\tindicator_type\n", true},
		{"#separator \\x09\n#set_separator\t,\n", true},
		{"\ufeff\r\n  \n#fields\tindicator", true},
		{"#fields indicator indicator_type", true},
		{"#fields\t", false},
		{"#fields", false},
		{"#fieldsx\tindicator", false},
		{"# comment\n#fields\tindicator\tindicator_type\n", false},
		{"evil.example\n#fields\tindicator\n", false},
		{"", false},
		{"\n\n", false},
		{"#separator\n", false},
	} {
		assert.Equal(t, tt.want, sniffZeek([]byte(tt.head)), "%q", tt.head)
		if tt.want {
			assert.Equal(t, FormatZeek, Detect([]byte(tt.head), "feed.txt"), "%q", tt.head)
		}
	}
	// by name
	assert.Equal(t, FormatZeek, Detect([]byte("evil.example\tIntel::DOMAIN\n"), "x/feed.intel.gz"))
}

func TestReadZeekSamples(t *testing.T) {
	res, err := Load(zeekFeedsDir, Options{})
	require.NoError(t, err)
	require.Equal(t, 2, res.Files)
	for _, f := range res.PerFile {
		assert.Equal(t, FormatZeek, f.Format, f.Path)
	}
	assert.Equal(t, []string{
		"ipv4:198.51.100.23", "ipv6:2001:db8:dead::beef", "cidr:203.0.113.0/25",
		"domain:update-check.invalid-cdn.example", "url:https://login.contoso-support.example/owa/auth.php",
		"url:http://cdn.badfiles.example/dl/invoice_0424.zip", "email:billing@contoso-support.example",
		"md5:9e107d9d372bb6826bd81d3542a419d6", "sha1:2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "filename:invoice_0424.exe",
		// csirtg-export.dat
		"domain:mal-ware.test", "url:http://drop.bad.test/~admin/payload.bin", "useragent:PuTTY_Release_0.70",
		"string:svc_backup_x", "sha1:0123456789abcdef0123456789abcdef01234567",
	}, strs(res.Indicators))
	assert.Equal(t, []string{
		filepath.Join(zeekFeedsDir, "acme-cti.intel") + `:12: Intel::FILE_HASH "9e107d9d372bb6826bd81d3542a419": not 32, 40, 64 or 128 hex digits`,
		filepath.Join(zeekFeedsDir, "acme-cti.intel") + `:15: indicator: invalid domain "evil-domain.example/ws/agent/": ` + zeekNotSubdomain,
		filepath.Join(zeekFeedsDir, "acme-cti.intel") + `:16: unknown Zeek indicator type "Intel::ADDRESS"`,
		filepath.Join(zeekFeedsDir, "acme-cti.intel") + `:17: 4 fields, but the #fields header at line 1 has 5 columns`,
		filepath.Join(zeekFeedsDir, "csirtg-export.dat") + `:16: 5 fields, but the #fields header at line 7 has 9 columns`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonInvalidValue: 2, ReasonUnknownType: 1, ReasonMalformed: 2}, res.Skipped)
	assert.Equal(t, map[string]int{"zeek type: Intel::PUBKEY_HASH": 1, "zeek type: Intel::JA3": 1}, res.Unsupported)

	ind := res.Indicators[1]
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/zeek/acme-cti.intel", Source: "ACME-CTI", Description: "C2", Tags: []string{"zeek:do_notice"}}, ind.Meta)
	ind = res.Indicators[11]
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/zeek/csirtg-export.dat", Source: "csirtg", Description: "botnet C2\t(tab in text)",
		Reference: "https://intel.example/i/1001", Confidence: indicator.MustConfidence(85),
		Tags: []string{"botnet", "malware"}, FirstSeen: time.Date(2024, 4, 28, 9, 15, 0, 0, time.UTC)}, ind.Meta)
	ind = res.Indicators[12]
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/zeek/csirtg-export.dat", Source: "csirtg-export", Confidence: indicator.MustConfidence(85),
		Tags: []string{"malware"}, FirstSeen: time.Unix(1714294500, 0).UTC()}, ind.Meta)
}

// fuzzRead checks a reader on data: no error in lenient mode, canonical
// indicators, problems in line order, and Strict stopping at the first
// problem of the lenient run with what was read before it.
func fuzzRead(t *testing.T, data []byte, read func(io.Reader, string, Options) (Result, error)) {
	lines := fuzzLines(data)
	for _, opts := range []Options{{Source: "fuzz"}, {Source: "fuzz", MaxLineLen: 24}} {
		res, err := read(bytes.NewReader(data), "fuzz.txt", opts)
		if err != nil {
			t.Fatalf("%+v: unexpected error %v", opts, err)
		}
		checkResult(t, res, lines)

		checkStrict(t, read, data, "fuzz.txt", opts, res)
	}
}

func FuzzReadZeek(f *testing.F) {
	addSeeds(f, filepath.Join(zeekFeedsDir, "*"),
		"",
		zeekHdr+"evil.example\tIntel::DOMAIN\ts\td\tu\n",
		"\ufeff#separator \\x2c\r\n#fields,indicator,indicator_type,meta.cif_tags\r\n198.51.100.7,Intel::ADDR,a;b\r\n",
		"#fields\tindicator_type\tindicator\tmeta.whitelist\nIntel::FILE_HASH\td41d8cd98f00b204e9800998ecf8427e\tT\n",
		"#unset_field\t\\x\n#fields\tindicator\tindicator_type\tmeta.cif_confidence\tmeta.cif_lastseen\n\\x41\\x\tIntel::FILE_NAME\t1e308\t-9e99\n",
		"#separator \\x0a\n#separator \\x00\n#fields\x00indicator\x00indicator_type\nx\x00Intel::SOFTWARE\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, ReadZeek)
	})
}

func TestRealdataZeek(t *testing.T) {
	if _, err := os.Stat(zeekRealdataDir); err != nil {
		t.Skipf("no real data: %v", err)
	}
	var paths []string
	err := filepath.WalkDir(zeekRealdataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() != "SOURCES.md" {
			paths = append(paths, p)
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, paths)

	var all Result
	byName := map[string]Result{}
	for _, p := range paths {
		res, err := Load(p, Options{})
		require.NoError(t, err, p)
		require.Len(t, res.PerFile, 1)
		assert.Equal(t, FormatZeek, res.PerFile[0].Format, "%s detected as %q", p, res.PerFile[0].Format)
		byName[filepath.Base(p)] = res
		addTotals(&all, res)
		for _, pr := range res.Problems {
			// The only problems: truncated URLs ("…" in the host),
			// hosts with a trailing dot in CPS atomspam, and two
			// URL paths stored as Intel::DOMAIN in CPS collected IOCs.
			switch filepath.Base(p) {
			case "atomspam.intel":
				assert.Equal(t, ReasonInvalidValue, pr.Reason, pr.Error())
				assert.True(t, strings.Contains(pr.Msg, "…") || strings.Contains(pr.Msg, `./"`), pr.Error())
			case "cps-collected-iocs.intel":
				assert.Equal(t, ReasonInvalidValue, pr.Reason, pr.Error())
				assert.Contains(t, pr.Msg, `/ws/agent/": not a domain name`)
			default:
				t.Errorf("unexpected problem %v", pr)
			}
		}
	}
	types := map[indicator.Type]int{}
	for _, ind := range all.Indicators {
		types[ind.Type]++
	}
	t.Logf("%d files, %d indicators, skipped %v, unsupported %v, types %v", all.Files, len(all.Indicators), all.Skipped, all.Unsupported, types)
	for _, f := range all.PerFile {
		t.Logf("  %-100s %6d indicators %3d skipped %d unsupported", f.Path, f.Indicators, f.Skipped, f.Unsupported)
	}

	// Counts checked against the files (grep/awk on the indicator_type
	// column).
	counts := map[string][3]int{ // records (indicators and duplicates), skipped, unsupported
		"cps-collected-iocs.intel":      {49866, 2, 0},
		"atomspam.intel":                {2707, 85, 0},
		"abuse-ch-urlhaus.intel":        {0, 0, 0}, // header only
		"avanzato_c2_ip.intel":          {19487, 0, 0},
		"shadowwhisperer-malware.intel": {11999, 0, 0},
		"abuse-ch-malware.intel":        {828, 0, 0},
		"Amnesty_NSO_Domains.intel":     {1424, 0, 0},
		"scripts.policy.frameworks.intel.whitelisting__whitelist.dat": {0, 0, 0}, // one allowlist row
		"scripts.policy.frameworks.intel.removal__intel.dat":          {1, 0, 1},
	}
	for name, want := range counts {
		res, ok := byName[name]
		if !assert.True(t, ok, name) {
			continue
		}
		assert.Equal(t, want, [3]int{len(res.Indicators) + res.Duplicates, res.SkippedTotal(), res.UnsupportedTotal()}, name)
	}
	assert.Equal(t, map[string]int{ReasonInvalidValue: 87}, all.Skipped)
	assert.Equal(t, map[string]int{"zeek: meta.remove=T": 1}, all.Unsupported)
	if wl := byName["scripts.policy.frameworks.intel.whitelisting__whitelist.dat"].Allowlist; assert.Len(t, wl, 1) {
		assert.Equal(t, indicator.Indicator{Type: indicator.Domain, Value: "meta.wikimedia.org", Meta: indicator.Meta{
			Source: "source2", Description: "also bad", Reference: "http://some-data-distributor.com/1"}}, wl[0])
	}

	cps := byName["cps-collected-iocs.intel"].Indicators
	cpsTypes := map[indicator.Type]int{}
	for _, ind := range cps {
		cpsTypes[ind.Type]++
	}
	// 31759 Intel::ADDR, 10 SUBNET, 15605 URL, 822 DOMAIN (of which one
	// is an IPv4 address, 159.135.140.82, and 2 are URL paths), 1134 EMAIL,
	// 538 FILE_HASH; 826 of the lines are identical to one before them
	// (sort | uniq -d): 807 ADDR, 3 URL, 15 DOMAIN, 1 EMAIL
	assert.Equal(t, 826, byName["cps-collected-iocs.intel"].Duplicates)
	assert.Equal(t, 31759+1-807, cpsTypes[indicator.IPv4]+cpsTypes[indicator.IPv6])
	assert.Equal(t, 10, cpsTypes[indicator.CIDR])
	assert.Equal(t, 15605-3, cpsTypes[indicator.URL])
	assert.Equal(t, 819-15, cpsTypes[indicator.Domain])
	assert.Equal(t, 1134-1, cpsTypes[indicator.Email])
	assert.Equal(t, 538, cpsTypes[indicator.MD5]+cpsTypes[indicator.SHA1]+cpsTypes[indicator.SHA256]+cpsTypes[indicator.SHA512])
	assert.Equal(t, "ipv4:3.135.207.58", cps[0].String())
	assert.Equal(t, indicator.Meta{File: byName["cps-collected-iocs.intel"].PerFile[0].Path, Source: "CPS-CTI", Description: "RECON"}, cps[0].Meta)

	find := func(file, s string) indicator.Indicator {
		t.Helper()
		for _, ind := range byName[file].Indicators {
			if ind.String() == s {
				return ind
			}
		}
		t.Fatalf("%s: no %s in %v", file, s, strs(byName[file].Indicators))
		return indicator.Indicator{}
	}
	// URLs stored with a scheme (CPS); Zeek's docs.
	ind := find("openphish.intel", "url:https://api.msuto.com/")
	assert.Equal(t, indicator.Meta{File: byName["openphish.intel"].PerFile[0].Path, Source: "OPENPHISH", Description: "Phishing-URLS"}, ind.Meta)
	ind = find("donotice.txt", "ipv4:1.2.3.4")
	assert.Equal(t, indicator.Meta{File: byName["donotice.txt"].PerFile[0].Path, Source: "source1", Description: "Sending phishing email",
		Reference: "http://source1.com/badhosts/1.2.3.4"}, ind.Meta)
	ind = find("donotice.txt", "domain:a.b.com")
	assert.Equal(t, indicator.Meta{File: byName["donotice.txt"].PerFile[0].Path, Source: "source2", Description: "Name used for data exfiltration"}, ind.Meta)
	ind = find("basic.txt", "domain:www.reddit.com")
	assert.Equal(t, "my_special_source", ind.Source)
	// Zeek's tests: CERT_HASH, SOFTWARE, SUBNET, do_notice, a source with
	// a trailing space.
	ind = find("scripts.policy.frameworks.intel.seen.certs__intel.dat", "sha1:2c322ae2b7fe91391345e070b63668978bb1c9da")
	assert.Equal(t, []string{"zeek:CERT_HASH"}, ind.Tags)
	ind = find("scripts.base.frameworks.intel.cluster-indicator-inserted-new-min-store__intel.dat", "useragent:putty2")
	assert.Equal(t, indicator.Meta{File: byName["scripts.base.frameworks.intel.cluster-indicator-inserted-new-min-store__intel.dat"].PerFile[0].Path, Source: "source3", Description: "this software is bad",
		Reference: "http://some-data-distributor.com/2", Tags: []string{"zeek:SOFTWARE"}}, ind.Meta)
	find("scripts.base.frameworks.intel.match-subnet__intel.dat", "cidr:192.168.128.0/18")
	ind = find("scripts.base.frameworks.intel.updated-match__intel3.dat", "ipv4:4.3.2.1")
	assert.Equal(t, []string{"zeek:do_notice"}, ind.Tags)
	ind = find("scripts.base.frameworks.intel.path-prefix.no-paths__test.data", "ipv4:127.0.0.3")
	assert.Equal(t, "this btest", ind.Source)
	ind = find("scripts.policy.frameworks.intel.removal__intel.dat", "ipv4:10.0.0.2")
	assert.Equal(t, "source1", ind.Source)
	find("scripts.policy.frameworks.intel.seen.filename-in-http-post__intel.dat", "filename:putty.exe")
	find("scripts.policy.frameworks.intel.seen.smtp__intel.dat", "email:jan.grashoefer@cern.ch")

	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	assert.Len(t, names, 41, fmt.Sprint(names))
}

func ExampleReadZeek() {
	const feed = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n" +
		"198.51.100.7\tIntel::ADDR\tfeodo\tC2 server\thttps://feeds.example/c2\n" +
		"evil.example/gate.php\tIntel::URL\t-\tLoader gate\t-\n" +
		"d41d8cd98f00b204e9800998ecf8427e\tIntel::FILE_HASH\tsandbox\t-\t-\n" +
		"3f1c0a9e5b7d2c4e6a8b0d1f3e5c7a9b1d3f5e7a\tIntel::PUBKEY_HASH\tssh\t-\t-\n" +
		"198.51.100.0/24\tIntel::ADDR\tfeodo\t-\t-\n"
	res, err := ReadZeek(strings.NewReader(feed), "intel/c2.intel", Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Printf("%-6s %-33s %-8s %q %q\n", ind.Type, ind.Value, ind.Source, ind.Description, ind.Reference)
	}
	for _, p := range res.Problems {
		fmt.Println(p.Error())
	}
	fmt.Println(res.Unsupported)
	// Output:
	// ipv4   198.51.100.7                      feodo    "C2 server" "https://feeds.example/c2"
	// url    http://evil.example/gate.php      c2       "Loader gate" ""
	// md5    d41d8cd98f00b204e9800998ecf8427e  sandbox  "" ""
	// intel/c2.intel:6: Intel::ADDR "198.51.100.0/24" is a subnet, not an address
	// map[zeek type: Intel::PUBKEY_HASH:1]
}
