package loader

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

var csvDir = filepath.Join("..", "testdata", "feeds", "csv")

func readCSVString(t *testing.T, in string, opts Options) Result {
	t.Helper()
	res, err := ReadCSV(strings.NewReader(in), "feeds/iocs.csv", opts)
	require.NoError(t, err)
	return res
}

func loadCSVSample(t *testing.T, name string) (Result, string) {
	t.Helper()
	path := filepath.Join(csvDir, name)
	res, err := Load(path, Options{})
	require.NoError(t, err)
	require.Len(t, res.PerFile, 1)
	assert.Equal(t, FormatCSV, res.PerFile[0].Format, "detected format")
	return res, path
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReadCSVURLhaus(t *testing.T) {
	res, path := loadCSVSample(t, "urlhaus.csv")
	require.Equal(t, []string{
		"url:http://198.51.100.7:40022/bins/mozi.m",
		"url:https://dl.evil-cdn.example/invoice_0501.zip",
		"url:http://update.bad-host.test/gate.php?id=1,2",
	}, strs(res.Indicators))
	first := res.Indicators[0]
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/csv/urlhaus.csv",
		Source:    "urlhaus",
		ID:        "2800103",
		Reference: "https://urlhaus.abuse.ch/url/2800103/",
		Tags:      []string{"32-bit", "elf", "mips", "Mozi"},
		FirstSeen: utc("2024-05-01 12:34:56"),
		LastSeen:  utc("2024-05-01 12:40:00"),
	}, first.Meta)
	assert.True(t, res.Indicators[1].LastSeen.IsZero(), "empty last_online")
	assert.Nil(t, res.Indicators[2].Tags, `"None" tags`)
	assert.Equal(t, []string{
		path + `:12: indicator: invalid url "http://203.0.113.45/x86 file.sh": contains white space, a control character, a quote or <>`,
		path + `:14: no value in column url`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonInvalidValue: 1, ReasonMalformed: 1}, res.Skipped)
}

func TestReadCSVThreatFox(t *testing.T) {
	res, path := loadCSVSample(t, "threatfox.csv")
	require.Equal(t, []string{
		"ipv4:198.51.100.23",
		"domain:c2.panel-login.example",
		"url:https://cdn.fake-update.test/update.js",
		"sha256:3f2b1c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809",
		"md5:9e107d9d372bb6826bd81d3542a419d6",
		"ipv6:2001:db8::53",
	}, strs(res.Indicators))
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/csv/threatfox.csv",
		Source:        "threatfox",
		ID:            "1300001",
		MalwareFamily: "Cobalt Strike",
		Confidence:    indicator.MustConfidence(100),
		Tags:          []string{"CobaltStrike", "cs-watermark-123456"},
		FirstSeen:     utc("2024-05-01 12:55:01"),
	}, res.Indicators[0].Meta)
	d := res.Indicators[1]
	assert.Equal(t, "https://blog.example/lumma-2024-05", d.Reference)
	assert.Equal(t, "Lumma Stealer", d.MalwareFamily)
	assert.Equal(t, 75, d.Confidence.Value())
	assert.Equal(t, utc("2024-05-01 12:58:00"), d.LastSeen)
	assert.Equal(t, "", res.Indicators[4].MalwareFamily, `"Unknown malware" and "unknown" are no family`)
	assert.Equal(t, "Mirai", res.Indicators[5].MalwareFamily)
	assert.Equal(t, []string{
		path + `:16: indicator: invalid ipv4 "198.51.100.300:80": not an IP address`,
		path + `:18: unknown type "btc_wallet"`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonInvalidValue: 1, ReasonUnknownType: 1}, res.Skipped)
	assert.Equal(t, map[string]int{"csv type: sha3_384_hash": 1}, res.Unsupported)
}

func TestReadCSVFeodo(t *testing.T) {
	res, path := loadCSVSample(t, "feodo.csv")
	require.Equal(t, []string{"ipv4:192.0.2.10", "ipv4:203.0.113.77"}, strs(res.Indicators))
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/csv/feodo.csv",
		Source:        "feodo",
		MalwareFamily: "QakBot",
		FirstSeen:     utc("2023-11-02 07:44:46"),
		LastSeen:      utc("2024-05-01 00:00:00"),
	}, res.Indicators[0].Meta)
	assert.Equal(t, "Emotet", res.Indicators[1].MalwareFamily)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, path+`:11: indicator: invalid ipv4 "198.51.100.999": not an IP address`, res.Problems[0].Error())
}

func TestReadCSVMalwareBazaar(t *testing.T) {
	res, path := loadCSVSample(t, "malwarebazaar.csv")
	require.Equal(t, []string{
		"sha256:6c1a5f4e3d2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281",
		"md5:5d41402abc4b2a76b9719d911017c592",
		"sha1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
		"sha256:0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c",
		"md5:7215ee9c7d9dc229d2921a40e899ec5f",
		"md5:098f6bcd4621d373cade4e832627b4f6",
		"sha1:a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",
	}, strs(res.Indicators))
	for _, ind := range res.Indicators[:3] {
		assert.Equal(t, indicator.Meta{File: "../testdata/feeds/csv/malwarebazaar.csv", Source: "malwarebazaar", MalwareFamily: "AgentTesla", FirstSeen: utc("2024-05-01 13:01:02")}, ind.Meta)
	}
	assert.Equal(t, "", res.Indicators[3].MalwareFamily, `"n/a" signature`)
	assert.Equal(t, "Emotet", res.Indicators[6].MalwareFamily)
	assert.Equal(t, []string{
		path + `:12: sha256_hash: indicator: invalid sha256 "not-a-hash": want 64 hex digits, have 10 characters`,
	}, problemStrs(res.Problems))
}

func TestReadCSVSophos(t *testing.T) {
	res, path := loadCSVSample(t, "iocs-sophos.csv")
	require.Equal(t, []string{
		"domain:login-portal.example",
		"ipv4:203.0.113.9",
		"ipv4:192.0.2.44",
		"url:https://files.evil.example/stage2.bin",
		"sha1:2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
		"filename:stage2.bin",
		"useragent:Mozilla/5.0 (Windows NT 10.0; Win64; x64) EvilBot/1.0",
	}, strs(res.Indicators))
	descs := make([]string, len(res.Indicators))
	for i, ind := range res.Indicators {
		descs[i] = ind.Description
		assert.Equal(t, "iocs-sophos", ind.Source)
	}
	assert.Equal(t, []string{
		"Phishing domain", "C2 server, seen in May", "C2 address from the bot config", "Second stage",
		"Hash of stage2.bin", `Dropped as "stage2.bin"`, "User agent of the loader",
	}, descs)
	assert.Equal(t, []string{
		path + `:11: unknown type "wallet"`,
		path + `:12: indicator: invalid ipv4 "192.0.2.256": not an IP address`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{"csv type: rsa_key": 1}, res.Unsupported)
}

func TestReadCSVMISPExport(t *testing.T) {
	res, path := loadCSVSample(t, "misp-export.csv")
	require.Equal(t, []string{
		"ipv4:198.51.100.61",
		"domain:mail.evil.example", "ipv4:203.0.113.61",
		"filename:dropper.exe", "sha256:a3f5c1e2d4b6a8c0e2f4d6b8a0c2e4f6d8b0a2c4e6f8d0b2a4c6e8f0d2b4a6c8",
		"ipv4:192.0.2.61",
	}, strs(res.Indicators))
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/csv/misp-export.csv",
		Source:      "misp-export",
		ID:          "5f0c1d2e-0000-4000-8000-000000000001",
		Description: "C2",
		Tags:        []string{"tlp:amber", "malware:emotet"},
		FirstSeen:   utc("2024-05-01 12:34:56"),
	}, res.Indicators[0].Meta)
	assert.Equal(t, res.Indicators[1].ID, res.Indicators[2].ID, "one row, one id")
	assert.Empty(t, res.Problems, path)
	assert.Equal(t, map[string]int{"csv type: as": 1, "csv type: x509_fingerprint_md5": 1}, res.Unsupported)
}

func TestReadCSVMultiline(t *testing.T) {
	res, path := loadCSVSample(t, "multiline.csv")
	require.Equal(t, []string{"domain:evil.example", "ipv4:198.51.100.80"}, strs(res.Indicators))
	assert.Equal(t, "Phishing kit host.\nSeen in two campaigns; \"kit\" v2.", res.Indicators[0].Description)
	assert.Equal(t, utc("2024-05-01 00:00:00"), res.Indicators[0].FirstSeen)
	assert.Equal(t, utc("2024-05-01 12:34:56"), res.Indicators[1].FirstSeen)
	assert.Equal(t, []string{path + ":6: quoted field not closed at the end of the input"}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonMalformed: 1}, res.Skipped)
}

func TestReadCSV(t *testing.T) {
	const p = "feeds/iocs.csv:"
	tests := []struct {
		name     string
		in       string
		opts     CSVOptions
		want     []string
		problems []string
		unsup    map[string]int
	}{
		{name: "empty", in: ""},
		{name: "only comments", in: "# url,tags\n\n#\n"},
		{name: "header only", in: "url,tags\n"},
		{
			name: "no header: first field, inferred",
			in:   "198.51.100.1,443,botnet\nevil[.]example\n\"bad value\",x\n,evil2.example\n",
			want: []string{"ipv4:198.51.100.1", "domain:evil.example"},
			problems: []string{
				p + `3: indicator: "bad value": ` + cannotInfer,
				p + `4: no value in column 1`,
			},
		},
		{
			name: "single known column header",
			in:   "hash\n44D88612FEA8A8F36DE82E1278ABB02F\nsha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nabc\n",
			want: []string{"md5:44d88612fea8a8f36de82e1278abb02f", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
			problems: []string{
				p + `4: "abc" is not an MD5, SHA-1, SHA-256 or SHA-512 hex digest`,
			},
		},
		{
			name:     "unrecognised header, then read without",
			in:       "name,address\nevil.example,x\n",
			want:     []string{"domain:evil.example"},
			problems: []string{p + `1: header names no value column (url, domain, ip, sha256, ioc_value …): "name,address"`},
		},
		{
			name: "header row before comment header wins",
			in:   "# ioc,tags\ndomain,note\nevil.example,first\n",
			want: []string{"domain:evil.example"},
		},
		{
			name: "several value columns, empty ones skipped",
			in:   "domain_name,ip_address\n\"evil.example\",\"192.0.2.7\"\n\"other.example\",\"\"\n\"\",\"\"\n",
			want: []string{"domain:evil.example", "ipv4:192.0.2.7", "domain:other.example"},
			problems: []string{
				p + `4: no value in column domain_name, ip_address`,
			},
		},
		{
			name: "host and path",
			in:   "\"host\",\"path\",\"message\"\n\"evil.example\",\"/a/b.exe\",\"x\"\n\"198.51.100.4\",\"\",\"y\"\nevil.example,c?d=1,z\n",
			want: []string{"url:http://evil.example/a/b.exe", "ipv4:198.51.100.4", "url:http://evil.example/c?d=1"},
		},
		{
			name: "type column names and aliases",
			in: "type,value\nip-dst,198.51.100.9\nhostname,evil.example\nsha1_hash,da39a3ee5e6b4b0d3255bfef95601890afd80709\n" +
				"IP:PORT,192.0.2.8:80\nemail-src,a@evil.example\nregkey,HKEY_LOCAL_MACHINE\\Software\\Evil\n,evil.example/x\n" +
				"domain,192.0.2.9\nmutex,  Global\\x  \ncve,CVE-2024-0001\nfoo,bar\n",
			want: []string{
				"ipv4:198.51.100.9", "domain:evil.example", "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
				"ipv4:192.0.2.8", "email:a@evil.example", `regkey:HKLM\Software\Evil`, "url:http://evil.example/x",
				"ipv4:192.0.2.9", `mutex:Global\x`,
			},
			problems: []string{p + `12: unknown type "foo"`},
			unsup:    map[string]int{"csv type: cve": 1},
		},
		{
			name:     "composite type with a bad part count",
			in:       "type,value\ndomain|ip,evil.example\n",
			problems: []string{p + `2: type "domain|ip": value "evil.example" has 1 parts`},
		},
		{
			name: "typed column with an invalid value",
			in:   "url,ip\nnot a url,198.51.100.1\n",
			want: []string{"ipv4:198.51.100.1"},
			problems: []string{
				p + `2: url: indicator: invalid url "not a url": contains white space, a control character, a quote or <>`,
			},
		},
		{
			name: "quoting",
			in:   "url,note\n  \"http://evil.example/a,b\" , \"say \"\"hi\"\"\"\n\"http://evil.example/c\"d,x\nhttp://evil.example/e,a \"b\" c\n",
			want: []string{"url:http://evil.example/a,b", "url:http://evil.example/cd", "url:http://evil.example/e"},
		},
		{
			name: "tab header detected",
			in:   "indicator\ttype\tcomment\nevil.example\tdomain\ta, b\n",
			want: []string{"domain:evil.example"},
		},
		{
			name: "semicolon header detected",
			in:   "domain;note\nevil.example;x,y\n",
			want: []string{"domain:evil.example"},
		},
		{
			name: "semicolon in a headerless value is not a separator",
			in:   "http://evil.example/a;b\n",
			want: []string{"url:http://evil.example/a;b"},
		},
		{
			name: "comma option",
			in:   "url|tags\nhttp://evil.example/x|a,b\n",
			opts: CSVOptions{Comma: '|'},
			want: []string{"url:http://evil.example/x"},
		},
		{
			name: "no header option: header-like first row is data",
			in:   "domain,ip\n",
			opts: CSVOptions{NoHeader: true},
			problems: []string{
				p + `1: indicator: "domain": ` + cannotInfer,
			},
		},
		{
			name: "columns by number",
			in:   "x,198.51.100.1,ipv4,2024-05-01\ny,evil.example,domain,bad time\n",
			opts: CSVOptions{NoHeader: true, Columns: CSVColumns{Value: "2", Type: "3", FirstSeen: "4"}},
			want: []string{"ipv4:198.51.100.1", "domain:evil.example"},
		},
		{
			name: "columns by name",
			in:   "when,what,kind\n2024-05-01,evil.example,domain\n2024-05-02,hxxp://evil.example/,url\n",
			opts: CSVOptions{Columns: CSVColumns{Value: "What", Type: "KIND", FirstSeen: "when"}},
			want: []string{"domain:evil.example", "url:http://evil.example/"},
		},
		{
			name: "columns by name in a comment header",
			in:   "# when,what\n2024-05-01,evil.example\n",
			opts: CSVOptions{Columns: CSVColumns{Value: "what"}},
			want: []string{"domain:evil.example"},
		},
		{
			name: "several value columns by option",
			in:   "a,b,c\nevil.example,x,198.51.100.2\n",
			opts: CSVOptions{Columns: CSVColumns{Value: "1, 3"}},
			want: []string{"domain:evil.example", "ipv4:198.51.100.2"},
		},
		{
			name: "fixed type",
			in:   "Global\\MsWinZonesCacheCounterMutexA,seen\nevil.example,x\n",
			opts: CSVOptions{NoHeader: true, Type: indicator.Mutex},
			want: []string{`mutex:Global\MsWinZonesCacheCounterMutexA`, "mutex:evil.example"},
		},
		{
			name: "fixed type overrides the type column and column types",
			in:   "type,url\nurl,evil.example\n",
			opts: CSVOptions{Type: indicator.Domain},
			want: []string{"domain:evil.example"},
		},
		{
			name:     "column not in the header",
			in:       "url,tags\nhttp://evil.example/,x\nhttp://evil2.example/,y\n",
			opts:     CSVOptions{Columns: CSVColumns{Tags: "labels"}},
			problems: []string{p + `1: CSV options: column "labels" is not in the header`},
		},
		{
			name:     "column name without a header",
			in:       "198.51.100.1,x\n",
			opts:     CSVOptions{Columns: CSVColumns{Value: "ioc"}},
			problems: []string{p + `1: CSV options: column "ioc": a column name needs a header`},
		},
		{
			name:     "column number 0",
			in:       "url\nhttp://evil.example/\n",
			opts:     CSVOptions{Columns: CSVColumns{Value: "0"}},
			problems: []string{p + `1: CSV options: column "0": numbers start at 1`},
		},
		{
			name:     "column names with NoHeader",
			in:       "198.51.100.1\n",
			opts:     CSVOptions{NoHeader: true, Columns: CSVColumns{Value: "url"}},
			problems: []string{"feeds/iocs.csv: CSV options: columns named with NoHeader"},
		},
		{
			name:     "bad comma",
			in:       "198.51.100.1\n",
			opts:     CSVOptions{Comma: '"'},
			problems: []string{`feeds/iocs.csv: CSV options: Comma '"' cannot separate fields`},
		},
		{
			name:     "non-ASCII comma",
			in:       "198.51.100.1\n",
			opts:     CSVOptions{Comma: '§'},
			problems: []string{`feeds/iocs.csv: CSV options: Comma '§' cannot separate fields`},
		},
		{
			name: "comment lines between records, not inside quotes",
			in:   "ioc,note\nevil.example,\"a\n# not a comment\"\n# a comment\n198.51.100.3,b\n",
			want: []string{"domain:evil.example", "ipv4:198.51.100.3"},
		},
		{
			name: "invisible characters and BOM",
			in:   "\ufeffdomain,ip\r\n\u200eevil.example\u200e,\ufeff192.0.2.1 \r\n",
			want: []string{"domain:evil.example", "ipv4:192.0.2.1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readCSVString(t, tt.in, Options{CSV: tt.opts})
			assert.Equal(t, tt.want, nilIfEmpty(strs(res.Indicators)), "indicators")
			assert.Equal(t, tt.problems, nilIfEmpty(problemStrs(res.Problems)), "problems")
			assert.Equal(t, tt.unsup, res.Unsupported, "unsupported")
			assert.Equal(t, len(tt.problems), res.SkippedTotal())
		})
	}
}

func TestReadCSVQuoting(t *testing.T) {
	in := "url,note\n" +
		"  \"http://evil.example/a,b\" , \"say \"\"hi\"\"\"\n" + // spaces around quotes, "" inside
		"\"http://evil.example/c\"d,x \"y\"  \n" + // text after a closing quote, quotes in an unquoted field
		"http://evil.example/e,\"\"\n" + // empty quoted field
		"http://evil.example/f,\"a\"\"\nb\"\"\"\n" // "" and a newline inside quotes
	res := readCSVString(t, in, Options{})
	require.Equal(t, []string{"url:http://evil.example/a,b", "url:http://evil.example/cd", "url:http://evil.example/e", "url:http://evil.example/f"}, strs(res.Indicators))
	descs := make([]string, len(res.Indicators))
	for i, ind := range res.Indicators {
		descs[i] = ind.Description
	}
	assert.Equal(t, []string{`say "hi"`, `x "y"`, "", "a\"\nb\""}, descs)
	assert.Empty(t, res.Problems)
}

func TestReadCSVMeta(t *testing.T) {
	in := "url,label,source,confidence,tags,malware,signature,description,date,last_seen\n" +
		"http://evil.example/a,1,openphish,42.6,\"a, b a,,None\",,Emotet,  text  ,1714566896.5,2024-05-01T12:00:00+02:00\n" +
		"http://evil.example/b,1,,101,,Qakbot,Emotet,,20240501,2024-13-01\n"
	res := readCSVString(t, in, Options{})
	require.Len(t, res.Indicators, 2)
	a, b := res.Indicators[0], res.Indicators[1]
	assert.Equal(t, indicator.Meta{File: "feeds/iocs.csv",
		Source:        "openphish",
		Confidence:    indicator.MustConfidence(43),
		Tags:          []string{"a", "b"},
		MalwareFamily: "Emotet",
		Description:   "text",
		FirstSeen:     time.Unix(1714566896, 500000000).UTC(),
		LastSeen:      utc("2024-05-01 10:00:00"),
	}, a.Meta)
	assert.Equal(t, "iocs", b.Source, "no source: the file's name")
	assert.False(t, b.Confidence.Known(), "101 is no confidence")
	assert.Equal(t, "Qakbot", b.MalwareFamily, "malware before signature")
	assert.True(t, b.LastSeen.IsZero(), "bad time ignored")
	assert.Empty(t, res.Problems, "bad times and confidences are not problems")

	// Options.Source overrides the source column.
	res = readCSVString(t, in, Options{Source: "mine"})
	assert.Equal(t, "mine", res.Indicators[0].Source)

	// Indicators from one row share their tags, clipped: appending to one
	// copies it.
	res = readCSVString(t, "domain,ip,tags\nevil.example,192.0.2.1,x y\n", Options{})
	require.Len(t, res.Indicators, 2)
	res.Indicators[0].Tags = append(res.Indicators[0].Tags, "more")
	assert.Equal(t, []string{"x", "y"}, res.Indicators[1].Tags)
	assert.Equal(t, []string{"x", "y", "more"}, res.Indicators[0].Tags)
}

func TestCSVTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2024-05-01 12:34:56":       utc("2024-05-01 12:34:56"),
		"2024-05-01 12:34:56 UTC":   utc("2024-05-01 12:34:56"),
		"2024-05-01 12:34:56.25":    utc("2024-05-01 12:34:56").Add(250 * time.Millisecond),
		"2024-05-01T12:34:56":       utc("2024-05-01 12:34:56"),
		"2024-05-01T12:34:56Z":      utc("2024-05-01 12:34:56"),
		"2024-05-01T14:34:56+02:00": utc("2024-05-01 12:34:56"),
		"2024-05-01 14:34:56+02:00": utc("2024-05-01 12:34:56"),
		"2024-05-01 12:34":          utc("2024-05-01 12:34:00"),
		"2024-05-01":                utc("2024-05-01 00:00:00"),
		"1714566896":                utc("2024-05-01 12:34:56"),
		"1714566896.000001":         utc("2024-05-01 12:34:56").Add(time.Microsecond),
		"":                          {},
		"yesterday":                 {},
		"2024-02-30":                {},
		"99999999999999":            {},
		"1.2.3":                     {},
	} {
		got := csvTime(in)
		assert.True(t, want.Equal(got), "%q: %v, want %v", in, got, want)
		assert.Equal(t, time.UTC, got.Location(), in)
	}
}

func TestSniffCSV(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(csvDir, "*.csv"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.True(t, sniffCSV(bytes.TrimPrefix(b, utf8BOM)), f)
		assert.Equal(t, FormatCSV, Detect(b, "feed.txt"), f)
	}
	for in, want := range map[string]bool{
		"url,tags\nhttp://evil.example/,x\n":        true,
		"# comment\n\n\"ioc\",\"type\"\n":           true,
		"# id,url,tags\n1,http://evil.example/,x\n": true,
		"ip;note\n":                                            true,
		"evil.example\n198.51.100.1\n":                         false,
		"# url, date\nevil.example\nother.example\n":           false, // a plain list whose comment looks like a header
		"# url,date\n":                                         false, // no row after the comment
		"hash\n44d88612fea8a8f36de82e1278abb02f\n":             false, // one column: not sniffed
		"198.51.100.1,1,10\n192.0.2.0/24,2,50\n":               false, // Suricata iprep
		"#fields\tindicator\tindicator_type\tmeta.source\n":    false, // Zeek
		"#separator \\x09\n#fields\tindicator\n":               false,
		"name,address\nx,y\n":                                  false, // no known value column
		"dXJs\nZXZpbC5leGFtcGxl\n":                             false, // Suricata dataset
		"url,tags":                                             true,  // whole file without a newline
		"evil.example/a,b\n":                                   false,
		"# Terms Of Use: https://urlhaus.abuse.ch/api/\nx,y\n": false,
	} {
		assert.Equal(t, want, sniffCSV([]byte(in)), "%q", in)
	}
	// A head cut in the middle of its first line is not claimed.
	head := []byte("url,tags" + strings.Repeat("x", SniffLen))[:SniffLen]
	assert.False(t, sniffCSV(head))
}

func TestReadCSVStrict(t *testing.T) {
	in := "ioc_type,ioc_value\ndomain,evil.example\nfoo,bar\nip,192.0.2.300\nip,192.0.2.3\n"
	res, err := ReadCSV(strings.NewReader(in), "f.csv", Options{Strict: true})
	var p *Problem
	require.True(t, errors.As(err, &p), "error %v", err)
	assert.Equal(t, Problem{Path: "f.csv", Line: 3, Reason: ReasonUnknownType, Msg: `unknown type "foo"`}, *p)
	assert.Equal(t, []string{"domain:evil.example"}, strs(res.Indicators))
	assert.Equal(t, []Problem{*p}, res.Problems)

	// bad options stop in both modes
	res, err = ReadCSV(strings.NewReader(in), "f.csv", Options{Strict: true, CSV: CSVOptions{Columns: CSVColumns{ID: "nope"}}})
	require.True(t, errors.As(err, &p))
	assert.Equal(t, ReasonBadHeader, p.Reason)
	assert.Empty(t, res.Indicators)
}

func TestReadCSVLimits(t *testing.T) {
	const max = 64
	long := strings.Repeat("b", 57)
	in := "evil.example\n" +
		"\"open.example\n" + long + "\"\n" + // a quoted record growing over the limit
		"ok.example\n" +
		strings.Repeat("c", max+1) + "\n" + // a line too long
		"\"x\n" + strings.Repeat("d", max+10) + "\"\n" + // a too-long line inside a record
		"198.51.100.1\n"
	res := readCSVString(t, in, Options{MaxLineLen: max})
	assert.Equal(t, []string{"domain:evil.example", "domain:ok.example", "ipv4:198.51.100.1"}, strs(res.Indicators))
	assert.Equal(t, []string{
		"feeds/iocs.csv:2: record longer than 64 bytes (MaxLineLen)",
		"feeds/iocs.csv:5: record longer than 64 bytes (MaxLineLen)",
		"feeds/iocs.csv:6: record longer than 64 bytes (MaxLineLen)",
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonLineTooLong: 3}, res.Skipped)
	// (a quote never closed: TestReadCSVUnclosedQuote)
}

func TestReadCSVGzip(t *testing.T) {
	res, err := Read(strings.NewReader(gzipped(t, "url,tags\nhttp://evil.example/,x\n")), "feed.csv.gz", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"url:http://evil.example/"}, strs(res.Indicators))
	assert.Equal(t, FormatCSV, res.PerFile[0].Format)
	assert.Equal(t, "feed", res.Indicators[0].Source)
}

func ExampleReadCSV() {
	const feed = `# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"3104","2024-05-01 12:34:56","hxxp://198.51.100.7/bins/x86","online","","malware_download","elf,Mozi","https://urlhaus.abuse.ch/url/3104/","anon"
"3105","2024-05-01 12:40:00","http://evil.example/a b","online","","malware_download","","https://urlhaus.abuse.ch/url/3105/","anon"
`
	res, err := ReadCSV(strings.NewReader(feed), "feeds/urlhaus.csv", Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Println(ind.Type, ind.Value, ind.ID, ind.FirstSeen.Format(time.RFC3339), ind.Tags, ind.Reference, ind.Source)
	}
	for _, p := range res.Problems {
		fmt.Println(p.Error())
	}
	// Output:
	// url http://198.51.100.7/bins/x86 3104 2024-05-01T12:34:56Z [elf Mozi] https://urlhaus.abuse.ch/url/3104/ urlhaus
	// feeds/urlhaus.csv:3: indicator: invalid url "http://evil.example/a b": contains white space, a control character, a quote or <>
}

func FuzzReadCSV(f *testing.F) {
	addSeeds(f, filepath.Join(csvDir, "*"),
		"",
		"url\n\"http://evil.example/\"\"a\n",
		"ioc_type,ioc_value\nip:port,[2001:db8::1]:80\ndomain|ip,a.example|192.0.2.1\n",
		"# \"a\",\"hash\"\n\"x\", \"44d88612fea8a8f36de82e1278abb02f\"\n",
		"domain\tnote\n\"a.example\"x\t\"\n\"\n",
		"\ufeffIndicator,Data,Note\r\nDescription,x,y\r\nsha1,SHA1: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12,\u200e\r\n",
		"a\x00,\xff\n,,,\n\"\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := fuzzLines(data)
		for _, opts := range []Options{{}, {MaxLineLen: 24}, {CSV: CSVOptions{NoHeader: true, Columns: CSVColumns{Value: "2", Type: "1"}}}} {
			res, err := ReadCSV(bytes.NewReader(data), "fuzz.csv", opts)
			if err != nil {
				t.Fatalf("%+v: unexpected error %v", opts, err)
			}
			checkCSVResult(t, res, lines)

			checkStrict(t, ReadCSV, data, "fuzz.csv", opts, res)
		}

		// Records are the same whatever MaxLineLen: those too long are
		// skipped whole, so the indicators of the others are the same
		// (without a header to find, which a line too long changes).
		noHeader := Options{CSV: CSVOptions{NoHeader: true, Columns: CSVColumns{Value: "2", Type: "1"}}}
		all, _ := ReadCSV(bytes.NewReader(data), "fuzz.csv", noHeader)
		noHeader.MaxLineLen = 24
		short, _ := ReadCSV(bytes.NewReader(data), "fuzz.csv", noHeader)
		j := 0
		for _, ind := range short.Indicators {
			for j < len(all.Indicators) && all.Indicators[j].String() != ind.String() {
				j++
			}
			if j == len(all.Indicators) {
				t.Fatalf("%v read with MaxLineLen 24, not without: %v", ind, strs(all.Indicators))
			}
			j++
		}
	})
}

// checkCSVResult checks what holds for any CSV input of lines lines.
func checkCSVResult(t *testing.T, res Result, lines int) {
	t.Helper()
	for _, ind := range res.Indicators {
		if !ind.Type.Valid() {
			t.Fatalf("invalid type in %v", ind)
		}
		again, err := indicator.New(ind.Type, ind.Value)
		if err != nil {
			t.Fatalf("%v does not re-canonicalise: %v", ind, err)
		}
		if again.Type != ind.Type || again.Value != ind.Value {
			t.Fatalf("%v re-canonicalises to %v", ind, again)
		}
	}
	skipped := res.SkippedTotal()
	if len(res.Problems) > MaxProblems || len(res.Problems) > skipped ||
		(skipped <= MaxProblems && len(res.Problems) != skipped) {
		t.Fatalf("%d problems, %d skipped", len(res.Problems), skipped)
	}
	last := 0
	for _, p := range res.Problems {
		if p.Line < last || lines >= 0 && p.Line > lines || p.Path != "fuzz.csv" || res.Skipped[p.Reason] == 0 {
			t.Fatalf("bad problem %+v after line %d", p, last)
		}
		last = p.Line
	}
}

// TestRealdataCSV reads the real CSV feeds of ../../shared/realdata.
func TestRealdataCSV(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "realdata", "feeds")
	if _, err := os.Stat(root); err != nil {
		t.Skip("no realdata:", err)
	}
	lists := filepath.Join(root, "lists")
	type want struct {
		indicators int
		skipped    map[string]int
		unsup      map[string]int
	}
	// The counts checked by hand: every skipped record is a bad value of
	// the file (URLs with spaces in PhishTank; 300-something octets and
	// short hashes in the Sophos tables).
	files := map[string]want{
		"urlhaus-csv/urlhaus.csv":                            {indicators: 21918},
		"phishtank/verified_online.csv":                      {indicators: 11314, skipped: map[string]int{ReasonInvalidValue: 16}},
		"sophos/2025_Lumma_Stealer.csv":                      {indicators: 32},
		"sophos/3CX_IoCs_2023-03.csv":                        {indicators: 30},
		"sophos/FlowerStormPaaS.csv":                         {indicators: 1584, skipped: map[string]int{ReasonInvalidValue: 3}},
		"sophos/Troj-Polazert_IOCs.csv":                      {indicators: 3482, skipped: map[string]int{ReasonInvalidValue: 1}, unsup: map[string]int{"csv type: rsa_key": 17}},
		"sophos/Troj-Qakbot.csv":                             {indicators: 228, skipped: map[string]int{ReasonInvalidValue: 1}},
		"amnesty/2018-08-01_nso__indicators.csv":             {indicators: 1208},
		"amnesty/2020-09-25_finfisher__sha256.csv":           {indicators: 12},
		"misc/nanparam_malhash.csv":                          {indicators: 135},
		"urlhaus-filter/urlhaus-filter-splunk-online.csv":    {indicators: 6363},
		"../misp/feed-layout-misp-core-fixture/csv/feed.csv": {indicators: 2},
	}
	// every real CSV file is in the table
	all, err := filepath.Glob(filepath.Join(lists, "*", "*.csv"))
	require.NoError(t, err)
	for _, f := range all {
		rel, err := filepath.Rel(lists, f)
		require.NoError(t, err)
		assert.Contains(t, files, filepath.ToSlash(rel), "a real CSV file not checked")
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	got := map[string]Result{}
	total, totalSkipped := 0, 0
	for _, name := range names {
		w := files[name]
		path := filepath.Join(lists, name)
		res, err := Load(path, Options{})
		require.NoError(t, err, name)
		require.Equal(t, FormatCSV, res.PerFile[0].Format, name)
		assert.Equal(t, w.indicators, len(res.Indicators)+res.Duplicates, name) // the records, counted in the files
		assert.Equal(t, res.Duplicates, res.PerFile[0].Duplicates, name)
		assert.Equal(t, w.skipped, res.Skipped, name)
		assert.Equal(t, w.unsup, res.Unsupported, name)
		for _, p := range res.Problems {
			t.Logf("%v", p.Error())
		}
		t.Logf("%s: %d indicators, %d duplicates, skipped %v, unsupported %v", name, len(res.Indicators), res.Duplicates, res.Skipped, res.Unsupported)
		got[name] = res
		total += len(res.Indicators)
		totalSkipped += res.SkippedTotal()
	}
	t.Logf("%d files, %d indicators, %d skipped", len(files), total, totalSkipped)

	find := func(name, s string) indicator.Indicator {
		t.Helper()
		for _, ind := range got[name].Indicators {
			if ind.String() == s {
				return ind
			}
		}
		t.Fatalf("%s: no %s", name, s)
		return indicator.Indicator{}
	}
	// Sophos: BOM, description row, "SHA1: " label, U+200E, defanged.
	lumma := "sophos/2025_Lumma_Stealer.csv"
	ind := find(lumma, "sha1:e298cd6c5fe7b9b05a28480fd215ddcbd7aaa48a")
	assert.Equal(t, "Hash value of AutoIt3.exe", ind.Description)
	assert.Equal(t, "2025_Lumma_Stealer", ind.Source)
	find(lumma, "url:https://fixedzip.oss-ap-southeast-5.aliyuncs.com/new-artist.txt")
	find(lumma, "ipv4:104.21.84.251")
	find(lumma, "filename:AutoIt3.exe")
	// 3CX: "Indicator,Data,Note", scheme-less URLs.
	find("sophos/3CX_IoCs_2023-03.csv", "url:http://akamaicontainer.com/")
	// Qakbot: ip_port and user_agent types.
	find("sophos/Troj-Qakbot.csv", "ipv4:100.1.119.41")
	find("sophos/Troj-Qakbot.csv", "useragent:Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko")
	// PhishTank: id, reference, submission time.
	ind = find("phishtank/verified_online.csv", "url:https://www.viptbslook.tonohost.com/")
	assert.Equal(t, "7019669", ind.ID)
	assert.Equal(t, "http://www.phishtank.com/phish_detail.php?phish_id=7019669", ind.Reference)
	assert.Equal(t, utc("2021-03-14 07:31:24"), ind.FirstSeen)
	// url,label,source: the source column.
	assert.Equal(t, "urlhaus", got["urlhaus-csv/urlhaus.csv"].Indicators[0].Source)
	// Amnesty: two value columns.
	nso := got["amnesty/2018-08-01_nso__indicators.csv"].Indicators
	assert.Equal(t, []string{"domain:14-tracking.com", "ipv4:191.101.31.25"}, strs(nso[:2]))
	ind = find("amnesty/2020-09-25_finfisher__sha256.csv", "sha256:1e9162cd0941557304a6a097dfaadf59f90bc8bbaa9879afe67b5ce0d1514be8")
	assert.Equal(t, "Linux FinSpy sample", ind.Description)
	find("misc/nanparam_malhash.csv", "sha256:008eb394c503c5d86f68cd666f904fee0086545195caa0d8437f67ff82ce4aa0")
	// urlhaus-filter: host + path.
	ind = find("urlhaus-filter/urlhaus-filter-splunk-online.csv", "url:http://2024.sci-hub.se/2294/7a43bb4cf6c57229b02a9604a1f4614e/skidmore1966.pdf")
	assert.Equal(t, "urlhaus-filter malicious website detected", ind.Description)
	assert.Equal(t, []string{"ipv4:1.1.1.1", "ipv4:1.0.0.1"}, strs(got["../misp/feed-layout-misp-core-fixture/csv/feed.csv"].Indicators))
}

func TestCSVTags(t *testing.T) {
	assert.Nil(t, csvTags(""))
	assert.Nil(t, csvTags("None, n/a ,-"))
	assert.Equal(t, []string{"a", "b", "Mozi"}, csvTags(" a, b a,,None\tMozi a"))
	// many tags: duplicates dropped past the small-list case too
	var in []string
	for i := 0; i < 100; i++ {
		in = append(in, fmt.Sprint("t", i%40))
	}
	got := csvTags(strings.Join(in, ","))
	require.Len(t, got, 40)
	assert.Equal(t, "t0", got[0])
	assert.Equal(t, "t39", got[39])
}

// A record longer than MaxLineLen is skipped to the end of its quoted
// field, however it is too long (one line, a line inside the field, or all
// its lines together): nothing in the field is read as a record, it is one
// problem at the record's line, and the next row is read at its own line.
func TestReadCSVLongQuotedField(t *testing.T) {
	const max = 64
	pad := strings.Repeat("x", max)
	// what the description holds: text that would be rows of its own,
	// quotes (escaped as ""), separators, and a line like a closing quote
	// and a new field
	inside := []string{
		"see http://c2.example/gate.php",
		`"" http://quoted.example/ "",`,
		`bad2.example,"",x`,
		`,""http://c3.example/"",`,
	}
	tests := []struct{ name, field string }{
		{"one long line", pad + " " + strings.Join(inside, " ") + " " + pad},
		{"long line inside the field", "start\n" + strings.Join(inside, "\n") + "\n" + pad + pad + "\nend"},
		{"long first line", pad + pad + "\n" + strings.Join(inside, "\n") + "\nend"},
		{"short lines, too many", strings.Repeat(strings.Join(inside, "\n")+"\n", 4) + "end"},
		{"quote closed and opened on the long line", "a\n" + pad + pad + `"" x",y,"z` + "\nhttp://c4.example/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 3 + strings.Count(tc.field, "\n") // the line after the field
			in := "ioc,description\n" +
				"evil.example,\"" + tc.field + "\"\n" +
				"good.example,ok\n" +
				"not a value,x\n"
			for _, gz := range []bool{false, true} {
				data := in
				if gz {
					data = gzipped(t, in)
				}
				res, err := Read(strings.NewReader(data), "feeds/iocs.csv", Options{MaxLineLen: max})
				require.NoError(t, err)
				assert.Equal(t, []string{"domain:good.example"}, strs(res.Indicators), "gzip %v", gz)
				assert.Equal(t, []string{
					"feeds/iocs.csv:2: record longer than 64 bytes (MaxLineLen)",
					fmt.Sprintf("feeds/iocs.csv:%d: indicator: %q: %s", n+1, "not a value", cannotInfer),
				}, problemStrs(res.Problems), "gzip %v", gz)
				assert.Equal(t, map[string]int{ReasonLineTooLong: 1, ReasonCannotInfer: 1}, res.Skipped, "gzip %v", gz)
			}
		})
	}
}

// A quote never closed makes one problem, whatever follows it: the rest of
// the input is the quoted field.
func TestReadCSVUnclosedQuote(t *testing.T) {
	var b strings.Builder
	b.WriteString("ioc,note\nok.example,x\n198.51.100.1,\"oops\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "evil%d.example,x\n", i)
	}
	for _, max := range []int{0, 1000} {
		res := readCSVString(t, b.String(), Options{MaxLineLen: max})
		require.NotEmpty(t, res.Indicators)
		assert.Equal(t, "domain:ok.example", res.Indicators[0].String())
		assert.Equal(t, 1, len(res.Indicators), "max %d", max)
		want := "feeds/iocs.csv:3: record longer than 1000 bytes (MaxLineLen)"
		if max == 0 {
			want = "feeds/iocs.csv:3: quoted field not closed at the end of the input"
		}
		assert.Equal(t, []string{want}, problemStrs(res.Problems), "max %d", max)
	}
}

// csvRecordEnds returns, for each line of lines, whether a record ends
// with it, as readCSV splits them with a csvSplitter (blank lines and
// comments outside a record end at once).
func csvRecordEnds(lines [][]byte, comma byte) []bool {
	ends := make([]bool, len(lines))
	var sp csvSplitter
	in := false
	for i, b := range lines {
		if !in {
			text := bytes.TrimLeftFunc(b, unicode.IsSpace)
			if len(text) == 0 || text[0] == '#' {
				ends[i] = true
				continue
			}
			sp.reset(comma)
		}
		ends[i] = sp.feed(b)
		in = !ends[i]
	}
	return ends
}

// checkSkipper checks that a csvSkipper fed lines in pieces of at most
// chunk bytes finds the ends of records where csvSplitter does.
func checkSkipper(t *testing.T, lines [][]byte, comma byte, chunk int) {
	t.Helper()
	want := csvRecordEnds(lines, comma)
	var sk csvSkipper
	sk.start(comma)
	for i, b := range lines {
		for p := b; len(p) > 0; {
			n := min(chunk, len(p))
			sk.feed(p[:n])
			p = p[n:]
		}
		if got := !sk.open(); got != want[i] {
			t.Fatalf("comma %q, chunks of %d: line %d %q of %q: record ends %v, not %v", comma, chunk, i, b, lines, got, want[i])
		}
		if want[i] {
			sk.start(comma)
		}
	}
}

// TestCSVSkipper checks csvSkipper against csvSplitter on random lines of
// the bytes that matter (quotes, separators, white space of one and more
// bytes, '#', invalid UTF-8).
func TestCSVSkipper(t *testing.T) {
	pieces := []string{`"`, `""`, ",", ";", " ", "\t", "\v", "\r", "#", "a", "\u00a0", "\u2003", "\xe2", "\xe2\x80", "\ufeff"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		lines := make([][]byte, 1+rng.IntN(4))
		for i := range lines {
			var b []byte
			for range rng.IntN(8) {
				b = append(b, pieces[rng.IntN(len(pieces))]...)
			}
			lines[i] = b
		}
		for _, comma := range []byte{',', '\t', ' ', ';'} {
			for _, chunk := range []int{1, 2, 1 << 20} {
				checkSkipper(t, lines, comma, chunk)
			}
		}
	}
}

func FuzzCSVSkipper(f *testing.F) {
	f.Add([]byte("a,\"b\n\"\"c\",\"d\n\"\n # x,\"\n\t\"y"), byte(','), 3)
	f.Add([]byte("\u00a0#\"\n\u2003\"\n\xe2\",\""), byte('\t'), 1)
	f.Fuzz(func(t *testing.T, data []byte, comma byte, chunk int) {
		if comma >= utf8.RuneSelf || comma == '"' || comma == '#' || comma == '\r' || comma == '\n' || comma == 0 {
			return
		}
		checkSkipper(t, bytes.Split(data, []byte{'\n'}), comma, max(1, chunk&0xff))
	})
}

// BenchmarkReadCSV reads 20,000 rows of a URLhaus export, one with a
// quoted field over several lines every 100 rows.
func BenchmarkReadCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n")
	for i := range 20000 {
		note := "anon"
		if i%100 == 0 {
			note = "a \"\"quoted\"\"\nnote, over\nlines"
		}
		fmt.Fprintf(&sb, "\"%d\",\"2024-05-01 12:34:56\",\"http://198.51.100.7/bins/%d.x86\",\"online\",\"\",\"malware_download\",\"elf,Mozi\",\"https://urlhaus.abuse.ch/url/%d/\",\"%s\"\n", i, i, i, note)
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := ReadCSV(strings.NewReader(in), "b.csv", Options{})
		if err != nil || len(res.Indicators) != 20000 {
			b.Fatal(err, len(res.Indicators), res.Problems[:min(3, len(res.Problems))])
		}
	}
}
