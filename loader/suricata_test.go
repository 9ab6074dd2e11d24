package loader

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

const suricataFeedsDir = "../testdata/feeds/suricata"

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestReadSuricataDataset(t *testing.T) {
	const path = "datasets/dns-bl.lst"
	tests := []struct {
		name     string
		in       string
		opts     Options
		want     []string
		problems []string
		skipped  map[string]int
		dups     int
	}{
		{name: "empty", in: ""},
		{
			name: "string dataset: inferred types",
			in: b64("evil.example") + "\n" + b64("Tracker.Example.") + "\n" + b64("https://evil.example/gate") + "\n" +
				b64("198.51.100.7") + "\n" + b64("billing@evil.example") + "\n" + b64("evil[.]example") + "\n",
			want: []string{"domain:evil.example", "domain:tracker.example", "url:https://evil.example/gate",
				"ipv4:198.51.100.7", "email:billing@evil.example"},
			dups: 1, // evil[.]example
		},
		{
			name: "string dataset: other strings taken as decoded",
			in: b64("Mozilla/4.0 (compatible; MSIE 6.0)") + "\n" + b64("curl/7.68.0") + "\n" + b64(" padded ") + "\n" +
				b64("\x00\xff binary") + "\n" + b64("line\nbreak") + "\n",
			want: []string{"string:Mozilla/4.0 (compatible; MSIE 6.0)", "string:curl/7.68.0", "string: padded ",
				"string:\x00\xff binary", "string:line\nbreak"},
		},
		{
			name: "datarep values, unpadded base64, white space, comments, CRLF",
			in: "\ufeff# ua list\r\n" + b64("python-requests/2.25.1") + ",15\r\n  " + strings.TrimRight(b64("ab"), "=") + " , 7 \r\n\r\n" +
				"   # indented comment\r\n",
			want: []string{"string:python-requests/2.25.1", "string:ab"},
		},
		{
			name: "md5, sha256, ipv4 and ip datasets",
			in: "D41D8CD98F00B204E9800998ECF8427E\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,100\n" +
				"198.51.100.7\n2001:DB8::1,3\n203.0.113.0/24\n::ffff:192.0.2.1\n",
			want: []string{"md5:d41d8cd98f00b204e9800998ecf8427e",
				"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				"ipv4:198.51.100.7", "ipv6:2001:db8::1", "cidr:203.0.113.0/24", "ipv4:192.0.2.1"},
		},
		{
			name: "bad lines",
			in:   "not base64!\n" + "ICAg\n" + "198.51.100.300\n" + ",7\n" + "ZXhhbXBsZQ=\n" + "=\n" + b64(strings.Repeat("x", 8193)) + "\n" + "2001:db8::zz\n",
			problems: []string{
				`datasets/dns-bl.lst:1: "not base64!" is not base64 (nor an address or md5/sha256 hash)`,
				`datasets/dns-bl.lst:2: base64 "ICAg": indicator: invalid string "   ": empty value`,
				`datasets/dns-bl.lst:3: indicator: invalid cidr "198.51.100.300": not an IP address`,
				`datasets/dns-bl.lst:4: ",7": no value before the comma`,
				`datasets/dns-bl.lst:5: "ZXhhbXBsZQ=" is not base64 (nor an address or md5/sha256 hash)`,
				`datasets/dns-bl.lst:6: "=" is not base64 (nor an address or md5/sha256 hash)`,
				`datasets/dns-bl.lst:7: base64 "` + b64(strings.Repeat("x", 8193)) + `": indicator: invalid string "` + strings.Repeat("x", 8193) + `": longer than 8192 bytes`,
				`datasets/dns-bl.lst:8: indicator: invalid cidr "2001:db8::zz": not an IP address`,
			},
			skipped: map[string]int{ReasonMalformed: 4, ReasonInvalidValue: 4},
		},
		{
			name:     "long lines",
			in:       b64(strings.Repeat("y", 60)) + "\n" + b64("evil.example") + "\n",
			opts:     Options{MaxLineLen: 40},
			want:     []string{"domain:evil.example"},
			problems: []string{"datasets/dns-bl.lst:1: line longer than 40 bytes"},
			skipped:  map[string]int{ReasonLineTooLong: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadSuricataDataset(strings.NewReader(tt.in), path, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, nilIfEmpty(strs(res.Indicators)), "indicators")
			assert.Equal(t, tt.problems, nilIfEmpty(problemStrs(res.Problems)), "problems")
			assert.Equal(t, tt.skipped, res.Skipped, "skipped")
			assert.Equal(t, tt.dups, res.Duplicates, "duplicates")
			assert.Nil(t, res.Unsupported)
			require.Len(t, res.PerFile, 1)
			assert.Equal(t, FormatSuricataDataset, res.PerFile[0].Format)
			for _, ind := range res.Indicators {
				assert.Equal(t, indicator.Meta{File: "datasets/dns-bl.lst", Source: "dns-bl"}, ind.Meta)
			}
		})
	}
}

func TestReadSuricataIPRep(t *testing.T) {
	const path = "iprep/reputation.list"
	tests := []struct {
		name        string
		in          string
		opts        Options
		want        []string
		problems    []string
		skipped     map[string]int
		unsupported map[string]int
	}{
		{name: "empty", in: ""},
		{
			name: "entries, header, comments, white space, CRLF",
			in: "\ufeffip,category,score\r\n# comment\r\n\r\n198.51.100.7,1,101\r\n 203.0.113.0/24 , 6 , 88 \r\n" +
				"2001:DB8::/32,59,1\r\n2001:db8::1/128,0,127\r\n",
			want: []string{"ipv4:198.51.100.7", "cidr:203.0.113.0/24", "cidr:2001:db8::/32", "ipv6:2001:db8::1"},
		},
		{
			name:        "score 0 and categories",
			in:          "198.51.100.7,1,0\n1,BadHosts,Known bad hosts\n2,CnC\n59,Tor,Tor exit nodes, and more\n198.51.100.8,2,64\n",
			want:        []string{"ipv4:198.51.100.8"},
			problems:    []string{`iprep/reputation.list:4: "59,Tor,Tor exit nodes, and more": want ip,category,score`},
			skipped:     map[string]int{ReasonMalformed: 1},
			unsupported: map[string]int{"suricata iprep: score 0": 1, "suricata iprep: category definition": 2},
		},
		{
			name: "bad lines",
			in: "198.51.100.300,1,50\nevil.example,1,50\n198.51.100.7,60,50\n198.51.100.7,1,128\n198.51.100.7,-1,5\n" +
				"198.51.100.7,1\n198.51.100.7,1,5,6\n198.51.100.7\n198.51.100.7,x,5\n198.51.100.7,1,0x10\n60,Foo,bar\n",
			problems: []string{
				`iprep/reputation.list:1: indicator: invalid cidr "198.51.100.300": not an IP address`,
				`iprep/reputation.list:2: indicator: invalid cidr "evil.example": not an IP address`,
				`iprep/reputation.list:3: "198.51.100.7,60,50": category "60" is not a number from 0 to 59`,
				`iprep/reputation.list:4: "198.51.100.7,1,128": score "128" is not a number from 0 to 127`,
				`iprep/reputation.list:5: "198.51.100.7,-1,5": category "-1" is not a number from 0 to 59`,
				`iprep/reputation.list:6: "198.51.100.7,1": want ip,category,score`,
				`iprep/reputation.list:7: "198.51.100.7,1,5,6": want ip,category,score`,
				`iprep/reputation.list:8: "198.51.100.7": want ip,category,score`,
				`iprep/reputation.list:9: "198.51.100.7,x,5": category "x" is not a number from 0 to 59`,
				`iprep/reputation.list:10: "198.51.100.7,1,0x10": score "0x10" is not a number from 0 to 127`,
				`iprep/reputation.list:11: indicator: invalid cidr "60": not an IP address`,
			},
			skipped: map[string]int{ReasonMalformed: 8, ReasonInvalidValue: 3},
		},
		{
			name:     "long lines",
			in:       "198.51.100.7,1,50" + strings.Repeat(" ", 30) + "\n198.51.100.8,1,50\n",
			opts:     Options{MaxLineLen: 30},
			want:     []string{"ipv4:198.51.100.8"},
			problems: []string{"iprep/reputation.list:1: line longer than 30 bytes"},
			skipped:  map[string]int{ReasonLineTooLong: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadSuricataIPRep(strings.NewReader(tt.in), path, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, nilIfEmpty(strs(res.Indicators)), "indicators")
			assert.Equal(t, tt.problems, nilIfEmpty(problemStrs(res.Problems)), "problems")
			assert.Equal(t, tt.skipped, res.Skipped, "skipped")
			assert.Equal(t, tt.unsupported, res.Unsupported, "unsupported")
			require.Len(t, res.PerFile, 1)
			assert.Equal(t, FormatSuricataIPRep, res.PerFile[0].Format)
		})
	}
}

func TestReadSuricataIPRepMeta(t *testing.T) {
	in := "198.51.100.7,1,127\n198.51.100.8,12,1\n198.51.100.9,0,64\n198.51.100.10,3,63\n"
	res, err := ReadSuricataIPRep(strings.NewReader(in), "iprep/badhosts.list", Options{})
	require.NoError(t, err)
	require.Len(t, res.Indicators, 4)
	want := []indicator.Meta{
		{File: "iprep/badhosts.list", Source: "badhosts", Confidence: indicator.MustConfidence(100), Tags: []string{"iprep:1"}},
		{File: "iprep/badhosts.list", Source: "badhosts", Confidence: indicator.MustConfidence(1), Tags: []string{"iprep:12"}},
		{File: "iprep/badhosts.list", Source: "badhosts", Confidence: indicator.MustConfidence(50), Tags: []string{"iprep:0"}},
		{File: "iprep/badhosts.list", Source: "badhosts", Confidence: indicator.MustConfidence(50), Tags: []string{"iprep:3"}},
	}
	for i, ind := range res.Indicators {
		assert.Equal(t, want[i], ind.Meta, ind.String())
	}
	res, err = ReadSuricataIPRep(strings.NewReader(in), "iprep/badhosts.list", Options{Source: "et-iprep"})
	require.NoError(t, err)
	assert.Equal(t, "et-iprep", res.Indicators[0].Source)
}

func TestReadSuricataStrict(t *testing.T) {
	res, err := ReadSuricataIPRep(strings.NewReader("198.51.100.7,1,50\n1,Bad,x\n198.51.100.8,1,0\n198.51.100.9,1,500\n198.51.100.10,1,5\n"),
		"r.list", Options{Strict: true})
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, Problem{Path: "r.list", Line: 4, Reason: ReasonMalformed,
		Msg: `"198.51.100.9,1,500": score "500" is not a number from 0 to 127`}, *p)
	assert.Equal(t, []string{"ipv4:198.51.100.7"}, strs(res.Indicators))
	assert.Equal(t, 2, res.UnsupportedTotal())

	res, err = ReadSuricataDataset(strings.NewReader(b64("evil.example")+"\n!!\n"+b64("evil2.example")+"\n"), "d.lst", Options{Strict: true})
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 2, p.Line)
	assert.Equal(t, []string{"domain:evil.example"}, strs(res.Indicators))
}

func TestSniffSuricata(t *testing.T) {
	lines := func(ls ...string) string { return strings.Join(ls, "\n") + "\n" }
	for _, tt := range []struct {
		name string
		head string
		want Format // FormatList: neither
	}{
		{"iprep", lines("198.51.100.7,1,101", "203.0.113.0/24,6,88"), FormatSuricataIPRep},
		{"iprep with header and comments", lines("# rep", "ip,cat,score", "2001:db8::1,1,1"), FormatSuricataIPRep},
		{"iprep with a few bad lines", lines("198.51.100.7,1,101", "198.51.100.8,1,200", "198.51.100.9,1,5"), FormatSuricataIPRep},
		{"categories file", lines("1,BadHosts,Known bad hosts", "2,Google,Known google host"), FormatSuricataIPRep},
		{"iprep header only: a CSV header", lines("ip,category,score"), FormatCSV},
		{"iprep mostly bad", lines("198.51.100.7,1,101", "198.51.100.8,1,200", "198.51.100.9,70,5"), FormatList},
		{"csv of domains", lines("1,evil.example,C2", "2,bad.example,C2"), FormatList},
		{"csv with 4 fields", lines("198.51.100.7,1,101,x"), FormatList},
		{"string dataset", lines(b64("evil.example"), b64("bad.example")), FormatSuricataDataset},
		{"string dataset with datarep", lines(b64("Mozilla/5.0")+",5", b64("curl/8.0")+",10"), FormatSuricataDataset},
		{"one padded line", lines(b64("test")), FormatSuricataDataset},
		{"ip datarep", lines("198.51.100.7,5", "2001:db8::1,9"), FormatSuricataDataset},
		{"md5 datarep", lines("d41d8cd98f00b204e9800998ecf8427e,1", "d41d8cd98f00b204e9800998ecf8427e"), FormatSuricataDataset},
		{"ip dataset is a plain list", lines("198.51.100.7", "2001:db8::1"), FormatList},
		{"md5 dataset is a plain list", lines("d41d8cd98f00b204e9800998ecf8427e", "e4d909c290d0fb1ca068ffaddf22cbd0"), FormatList},
		{"mixed base64 and ips", lines(b64("evil.example"), "198.51.100.7,5"), FormatList},
		{"short words", lines("abcd", "test", "dGVz"), FormatList},
		{"words decoding to binary", lines("HKLM", "MsWinZonesCacheCounterMutexA"), FormatList},
		{"domains", lines("evil.example", "bad.example"), FormatList},
		{"base64 with a comment", lines("# x", b64("evil.example")), FormatList},
		{"base64 of binary", lines(b64("\x00\x01\x02\x03\xff")), FormatList},
		{"base64 of spaces", lines(b64("      ")), FormatList},
		{"bad datarep", lines(b64("evil.example") + ",x"), FormatList},
		{"empty", "", FormatList},
	} {
		got := Detect([]byte(tt.head), "feed.txt")
		assert.Equal(t, tt.want, got, "%s: %q", tt.name, tt.head)
	}

	// A head cut in the middle of a line: the cut line is not looked at.
	head := []byte(strings.Repeat(b64("evil.example")+"\n", SniffLen/17+1))[:SniffLen]
	assert.Equal(t, FormatSuricataDataset, Detect(head, "x"))
	head = []byte(strings.Repeat("198.51.100.7,1,101\n", SniffLen/19+1))[:SniffLen]
	assert.Equal(t, FormatSuricataIPRep, Detect(head, "x"))
	assert.Equal(t, FormatList, Detect([]byte(strings.Repeat("A", SniffLen)), "x"))
}

// The project's plain lists must not be taken for Suricata or Zeek files.
func TestSniffSuricataNotLists(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(listsDir, "*"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, name := range files {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		assert.False(t, sniffDataset(b), name)
		assert.False(t, sniffIPRep(b), name)
		assert.False(t, sniffZeek(b), name)
	}
}

func TestReadSuricataSamples(t *testing.T) {
	res, err := Load(suricataFeedsDir, Options{})
	require.NoError(t, err)
	formats := map[string]Format{}
	for _, f := range res.PerFile {
		formats[filepath.Base(f.Path)] = f.Format
	}
	assert.Equal(t, map[string]Format{
		"categories.txt":     FormatSuricataIPRep,
		"dataset-errors.lst": FormatList, // bad lines: not claimed
		"dns-bl.lst":         FormatSuricataDataset,
		"ip-bl.lst":          FormatSuricataDataset, // a datarep line
		"md5-bl.lst":         FormatList,
		"reputation.list":    FormatSuricataIPRep,
		"ua-blocklist.lst":   FormatSuricataDataset,
	}, formats)

	read := func(name string, f func(r *os.File) (Result, error)) Result {
		t.Helper()
		fh, err := os.Open(filepath.Join(suricataFeedsDir, name))
		require.NoError(t, err)
		defer fh.Close()
		res, err := f(fh)
		require.NoError(t, err)
		return res
	}
	ds := func(name string) Result {
		return read(name, func(r *os.File) (Result, error) { return ReadSuricataDataset(r, r.Name(), Options{}) })
	}

	res = ds("dns-bl.lst")
	assert.Equal(t, []string{"domain:mal-ware.test", "domain:c2.evil-domain.example", "domain:xn--80ak6aa92e.example",
		"domain:update-check.invalid-cdn.example", "domain:tracker.example"}, strs(res.Indicators))
	assert.Equal(t, "dns-bl", res.Indicators[0].Source)
	res = ds("ua-blocklist.lst")
	assert.Equal(t, []string{"string:Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)", "string:python-requests/2.25.1",
		"string:curl/7.68.0", "string:Go-http-client/1.1", "string:WinHTTP loader/1.0",
		"string:sqlmap/1.7.2#stable (https://sqlmap.org)"}, strs(res.Indicators))
	assert.Nil(t, res.Problems)
	res = ds("ip-bl.lst")
	assert.Equal(t, []string{"ipv4:198.51.100.23", "ipv6:2001:db8::bad:1", "ipv4:203.0.113.9"}, strs(res.Indicators))
	res = ds("md5-bl.lst")
	assert.Equal(t, []string{"md5:9e107d9d372bb6826bd81d3542a419d6", "md5:d41d8cd98f00b204e9800998ecf8427e",
		"md5:e4d909c290d0fb1ca068ffaddf22cbd0"}, strs(res.Indicators))
	// the same as a plain list
	list := read("md5-bl.lst", func(r *os.File) (Result, error) { return ReadList(r, r.Name(), Options{}) })
	assert.Equal(t, strs(res.Indicators), strs(list.Indicators))
	res = ds("dataset-errors.lst")
	assert.Equal(t, []string{"domain:evil.example", "string:example", "md5:d41d8cd98f00b204e9800998ecf8427e"}, strs(res.Indicators))
	assert.Equal(t, map[string]int{ReasonMalformed: 2, ReasonInvalidValue: 2}, res.Skipped)

	res = read("reputation.list", func(r *os.File) (Result, error) { return ReadSuricataIPRep(r, r.Name(), Options{}) })
	assert.Equal(t, []string{"ipv4:198.51.100.23", "ipv4:198.51.100.24", "cidr:203.0.113.0/24", "cidr:2001:db8:bad::/48",
		"ipv4:198.51.100.60", "ipv4:198.51.100.61", "ipv4:198.51.100.62", "ipv6:2001:db8::6:1",
		"ipv4:198.51.100.70", "ipv4:198.51.100.71"}, strs(res.Indicators))
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/suricata/reputation.list", Source: "reputation", Confidence: indicator.MustConfidence(100), Tags: []string{"iprep:2"}},
		res.Indicators[0].Meta)
	assert.Equal(t, indicator.Meta{File: "../testdata/feeds/suricata/reputation.list", Source: "reputation", Confidence: indicator.MustConfidence(24), Tags: []string{"iprep:3"}},
		res.Indicators[3].Meta)
	assert.Equal(t, map[string]int{ReasonMalformed: 3, ReasonInvalidValue: 1}, res.Skipped)
	assert.Equal(t, map[string]int{"suricata iprep: score 0": 1}, res.Unsupported)

	res = read("categories.txt", func(r *os.File) (Result, error) { return ReadSuricataIPRep(r, r.Name(), Options{}) })
	assert.Empty(t, res.Indicators)
	assert.Nil(t, res.Problems)
	assert.Equal(t, map[string]int{"suricata iprep: category definition": 4}, res.Unsupported)
}

func FuzzReadSuricataDataset(f *testing.F) {
	addSeeds(f, filepath.Join(suricataFeedsDir, "*"),
		"",
		b64("evil.example")+"\n"+b64("Mozilla/5.0")+",12\n",
		"\ufeffd41d8cd98f00b204e9800998ecf8427e\r\n198.51.100.7,1\r\n::1\r\n# c\r\n",
		"ZXhhbXBsZQ\n====\n,\n \n\x00\n"+b64("\xff\xfe")+"\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, ReadSuricataDataset)
		_ = sniffDataset(data)
	})
}

func FuzzReadSuricataIPRep(f *testing.F) {
	addSeeds(f, filepath.Join(suricataFeedsDir, "*"),
		"",
		"ip,cat,score\n198.51.100.7,1,101\n1,Bad,Hosts\n",
		"\ufeff2001:db8::/32 , 59 , 127\r\n198.51.100.7,1,0\r\n,,\n,\n1,\n",
		"198.51.100.7,999,1\n::ffff:1.2.3.4/120,1,1\nfe80::1%eth0,1,1\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, ReadSuricataIPRep)
		_ = sniffIPRep(data)
	})
}

func ExampleReadSuricataIPRep() {
	const rep = `# ip,category,score
198.51.100.7,1,127
203.0.113.0/24,6,64
192.0.2.15,6,0
192.0.2.300,1,50
`
	res, err := ReadSuricataIPRep(strings.NewReader(rep), "iprep/badhosts.list", Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Println(ind.Type, ind.Value, ind.Source, ind.Tags, ind.Confidence)
	}
	for _, p := range res.Problems {
		fmt.Println(p.Error())
	}
	fmt.Println(res.Unsupported)
	// Output:
	// ipv4 198.51.100.7 badhosts [iprep:1] 100
	// cidr 203.0.113.0/24 badhosts [iprep:6] 50
	// iprep/badhosts.list:5: indicator: invalid cidr "192.0.2.300": not an IP address
	// map[suricata iprep: score 0:1]
}

func ExampleReadSuricataDataset() {
	const dataset = `ZXZpbC5leGFtcGxl
TW96aWxsYS80LjAgKGNvbXBhdGlibGU7IE1TSUUgNi4wKQ==,20
d41d8cd98f00b204e9800998ecf8427e
not base64!
`
	res, err := ReadSuricataDataset(strings.NewReader(dataset), "datasets/bad.lst", Options{})
	if err != nil {
		panic(err)
	}
	for _, ind := range res.Indicators {
		fmt.Println(ind.Type, ind.Value)
	}
	for _, p := range res.Problems {
		fmt.Println(p.Error())
	}
	// Output:
	// domain evil.example
	// string Mozilla/4.0 (compatible; MSIE 6.0)
	// md5 d41d8cd98f00b204e9800998ecf8427e
	// datasets/bad.lst:4: "not base64!" is not base64 (nor an address or md5/sha256 hash)
}
