package loader

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var warninglistsDir = filepath.Join(mispDir, "warninglists")

// unindexed returns a copy of w without the reader's indexes, as built by
// hand: Contains must give the same answers.
func unindexed(w Warninglist) *Warninglist {
	w.set, w.nets = nil, nil
	return &w
}

func TestLoadWarninglists(t *testing.T) {
	res, err := Load(warninglistsDir, Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Indicators)
	require.Len(t, res.Warninglists, 5)
	for _, f := range res.PerFile {
		assert.Equal(t, FormatWarninglist, f.Format, f.Path)
		assert.Zero(t, f.Indicators)
	}
	p := func(list string) string { return filepath.Join(warninglistsDir, list, "list.json") }
	assert.Equal(t, []string{
		p("example-analysis-services") + `: list[2]: empty entry ""`,
		p("example-cloud-ranges") + `: list[5]: cidr entry "198.51.100.1/33": not an IP address or CIDR prefix`,
		p("example-cloud-ranges") + `: list[6]: cidr entry "cloud.example": not an IP address or CIDR prefix`,
		p("example-contact-emails") + `: list[2]: regex entry "/^(?!postmaster).*@mail\\.example$/": error parsing regexp: invalid or unsupported Perl syntax: ` + "`(?!`",
		p("example-dyndns") + `: list[3]: hostname entry ".": no name`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonInvalidValue: 5}, res.Skipped)

	byName := map[string]*Warninglist{}
	for i := range res.Warninglists {
		byName[res.Warninglists[i].Name] = &res.Warninglists[i]
	}

	sub := byName["Example analysis services"]
	require.NotNil(t, sub)
	assert.Equal(t, "Domains used by example automated malware analysis services", sub.Description)
	assert.Equal(t, int64(7), sub.Version, `"7" as a string`)
	assert.Equal(t, WarninglistSubstring, sub.Type)
	assert.Equal(t, []string{"hostname", "domain", "url"}, sub.MatchingAttributes)
	assert.Equal(t, []string{"sandbox.analysis.example", "detonate.", "", "Scanner-Node"}, sub.Entries)

	cidr := byName["Example cloud IP ranges"]
	require.NotNil(t, cidr)
	assert.Equal(t, WarninglistCIDR, cidr.Type)
	assert.Equal(t, int64(20240501), cidr.Version)
	assert.Len(t, cidr.Entries, 7)
	assert.Equal(t, []netip.Prefix{
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("198.51.100.64/26"),
		netip.MustParsePrefix("203.0.113.5/32"),
		netip.MustParsePrefix("2001:db8:1::/48"),
		netip.MustParsePrefix("2001:db8:ffff::1/128"),
	}, cidr.Prefixes)

	host := byName["Example dynamic DNS domains"]
	require.NotNil(t, host)
	assert.Equal(t, "known", host.Category)
	assert.Equal(t, []string{"dyn.example", "ddns.test", "home-router.net.example"}, host.Hostnames)

	re := byName["Example contact addresses"]
	require.NotNil(t, re)
	require.Len(t, re.Regexps, 3)
	assert.Equal(t, `(?i)^(security|noc|abuse)\@.*\..*$`, re.Regexps[0].String())
	assert.Equal(t, `((?:\+|00)1)?555(01[0-9]{2})`, re.Regexps[1].String())
	assert.Equal(t, `^hostmaster@`, re.Regexps[2].String())

	str := byName["Example top sites"]
	require.NotNil(t, str)
	assert.Equal(t, WarninglistString, str.Type)

	tests := []struct {
		list  *Warninglist
		value string
		want  bool
	}{
		{str, "popular.example", true},
		{str, "POPULAR.example", true},
		{str, "search.example", true},
		{str, "test", true},
		{str, "www.popular.example", false},
		{str, "popular.example.", false},
		{str, "shop.example", false},

		{sub, "https://sandbox.analysis.example/report/1", true},
		{sub, "detonate.example", true},
		{sub, "my-scanner-node.example", true},
		{sub, "detonate", false},
		{sub, "analysis.example", false},

		{host, "dyn.example", true},
		{host, "a.b.dyn.example", true},
		{host, "A.DYN.EXAMPLE.", true},
		{host, "http://user@x.ddns.test:8080/path?q", true},
		{host, "x.ddns.test/path", true},
		{host, "home-router.net.example", true},
		{host, "net.example", false},
		{host, "notdyn.example", false},
		{host, "dyn.example.evil.example", false},
		{host, "", false},

		{cidr, "192.0.2.77", true},
		{cidr, "192.0.2.0/25", true},
		{cidr, "192.0.2.0/23", false},
		{cidr, "198.51.100.65", true},
		{cidr, "198.51.100.63", false},
		{cidr, "203.0.113.5", true},
		{cidr, "::ffff:203.0.113.5", true},
		{cidr, "203.0.113.6", false},
		{cidr, "2001:db8:1:2::3", true},
		{cidr, "2001:DB8:FFFF::1", true},
		{cidr, "2001:db8:ffff::2", false},
		{cidr, "cloud.example", false},
		{cidr, "", false},

		{re, "Abuse@example.org", true},
		{re, "noc@x.example", true},
		{re, "webmaster@x.example", false},
		{re, "+1555-0123", false},
		{re, "0015550123", true},
		{re, "hostmaster@x.example", true},
		{re, "postmaster@mail.example", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.list.Contains(tt.value), "%s: %q", tt.list.Name, tt.value)
		assert.Equal(t, tt.want, unindexed(*tt.list).Contains(tt.value), "%s (no index): %q", tt.list.Name, tt.value)
	}
}

func TestReadWarninglistShapes(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		entries []string
		typ     string
		probs   []string
		skipped map[string]int
	}{
		{name: "minimal, type defaults to string", doc: `{"list": ["a", "B"]}`, entries: []string{"a", "B"}, typ: "string"},
		{name: "object list", doc: `{"name": "n", "type": "hostname", "list": {"a.example": "comment", "": "empty", "b.example": {"x": [1]}}}`,
			entries: []string{"a.example", "", "b.example"}, typ: "hostname",
			probs: []string{`w.json: list[""]: empty entry ""`}},
		{name: "numbers and bad entries", doc: `{"type": "string", "list": ["a", 12345, null, true, ["x"], {"y": 1}, "b"]}`,
			entries: []string{"a", "12345", "b"}, typ: "string",
			probs: []string{
				`w.json: list[2]: entry null: not a string`,
				`w.json: list[3]: entry true: not a string`,
				`w.json: list[4]: entry array: not a string`,
				`w.json: list[5]: entry object: not a string`,
			},
			skipped: map[string]int{ReasonMalformed: 4}},
		{name: "bad fields", doc: `{"name": ["x"], "version": "v1", "matching_attributes": "ip-src", "list": ["a"], "extra": {"deep": [1, 2]}}`,
			entries: []string{"a"}, typ: "string",
			probs: []string{
				`w.json: name: ["x"]: want a string`,
				`w.json: version: "v1": want an integer`,
				`w.json: matching_attributes: json: cannot unmarshal string into Go value of type []loader.flexString`,
			},
			skipped: map[string]int{ReasonMalformed: 3}},
		{name: "regex flags", doc: `{"type": "regex", "list": ["/a/x", "/b/gimsuUD", "{c}i", "d+", "/e", "(f)", "/(/"]}`,
			entries: []string{"/a/x", "/b/gimsuUD", "{c}i", "d+", "/e", "(f)", "/(/"}, typ: "regex",
			probs: []string{
				`w.json: list[0]: regex entry "/a/x": unsupported PCRE flag 'x'`,
				`w.json: list[4]: regex entry "/e": no closing delimiter '/'`,
				`w.json: list[6]: regex entry "/(/": error parsing regexp: missing closing ): ` + "`(`",
			}},

		{name: "unknown type", doc: `{"type": "glob", "list": ["*"]}`,
			probs: []string{`w.json: warninglist type "glob": not string, substring, hostname, cidr or regex`}, skipped: map[string]int{ReasonUnknownType: 1}},
		{name: "no list", doc: `{"name": "x", "type": "string"}`,
			probs: []string{`w.json: no "list": not a MISP warninglist`}, skipped: map[string]int{ReasonMalformed: 1}},
		{name: "list not an array", doc: `{"list": "a"}`,
			probs: []string{`w.json: list: not an array or object of entries`}, skipped: map[string]int{ReasonMalformed: 1}},
		{name: "not an object", doc: `["a"]`,
			probs: []string{`w.json: not a MISP warninglist (a JSON object)`}, skipped: map[string]int{ReasonMalformed: 1}},
		{name: "two values", doc: `{"list": []} {"list": []}`,
			probs: []string{`w.json: more than one JSON value: not a MISP warninglist`}, skipped: map[string]int{ReasonMalformed: 1}},
		{name: "truncated", doc: `{"name": "x", "list": ["a", "b`,
			probs: []string{`w.json: list[1]: malformed JSON: unexpected end of input`}, skipped: map[string]int{ReasonMalformed: 1}},
		{name: "empty", doc: ``,
			probs: []string{`w.json: malformed JSON: unexpected end of input`}, skipped: map[string]int{ReasonMalformed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadWarninglist(strings.NewReader(tt.doc), "w.json", Options{})
			require.NoError(t, err)
			assert.Empty(t, res.Indicators)
			if tt.typ == "" {
				assert.Empty(t, res.Warninglists)
			} else {
				require.Len(t, res.Warninglists, 1)
				assert.Equal(t, tt.entries, res.Warninglists[0].Entries)
				assert.Equal(t, tt.typ, res.Warninglists[0].Type)
			}
			assert.Equal(t, tt.probs, nilIfEmpty(problemStrs(res.Problems)))
			if tt.skipped == nil && tt.probs != nil {
				tt.skipped = map[string]int{ReasonInvalidValue: len(tt.probs)}
			}
			assert.Equal(t, tt.skipped, res.Skipped)
		})
	}
}

func TestPCREToGo(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{`/a\.b/`, `a\.b`, ""},
		{`/a/i`, `(?i)a`, ""},
		{`/a/gig`, `(?i)a`, ""},
		{`#a/b#ms`, `(?ms)a/b`, ""},
		{`(a)`, `a`, ""},
		{`[a]U`, `(?U)a`, ""},
		{`<a>`, `a`, ""},
		{`abc`, `abc`, ""},
		{`\d+`, `\d+`, ""},
		{`/a/e`, ``, `unsupported PCRE flag 'e'`},
		{`/`, ``, `no closing delimiter '/'`},
		{``, ``, `empty regex`},
	}
	for _, tt := range tests {
		got, err := pcreToGo(tt.in)
		if tt.err != "" {
			assert.EqualError(t, err, tt.err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestReadWarninglistStrict(t *testing.T) {
	f, err := os.Open(filepath.Join(warninglistsDir, "example-cloud-ranges", "list.json"))
	require.NoError(t, err)
	defer f.Close()
	res, err := ReadWarninglist(f, "cloud.json", Options{Strict: true})
	var p *Problem
	require.True(t, errors.As(err, &p), "%v", err)
	assert.Equal(t, `cloud.json: list[5]: cidr entry "198.51.100.1/33": not an IP address or CIDR prefix`, p.Error())
	assert.Empty(t, res.Warninglists, "a list with a bad entry is not added in strict mode")

	res, err = ReadWarninglist(strings.NewReader(`{"type": "cidr", "list": ["192.0.2.0/24"]}`), "ok.json", Options{Strict: true})
	require.NoError(t, err)
	require.Len(t, res.Warninglists, 1)
	assert.True(t, res.Warninglists[0].Contains("192.0.2.1"))
}

func TestWarninglistByHand(t *testing.T) {
	w := Warninglist{Type: "", Entries: []string{"Evil.Example"}}
	assert.True(t, w.Contains("evil.example"), "the zero type is string")
	w = Warninglist{Type: "nonsense", Entries: []string{"x"}}
	assert.False(t, w.Contains("x"))
	w = Warninglist{Type: WarninglistCIDR, Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	assert.True(t, w.Contains("10.1.2.3"))
	assert.False(t, w.Contains("11.1.2.3"))
}

func TestRealdataWarninglists(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "realdata", "feeds", "misp", "warninglists")
	if _, err := os.Stat(root); err != nil {
		t.Skip("no realdata:", err)
	}
	res, err := Load(root, Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Indicators)
	assert.Empty(t, res.Problems, "every real entry is read")
	assert.Equal(t, res.Files, len(res.Warninglists))
	require.Len(t, res.Warninglists, 35)

	lists := map[string]int{}
	entries := map[string]int{}
	byDir := map[string]*Warninglist{}
	for i, w := range res.Warninglists {
		lists[w.Type]++
		entries[w.Type] += len(w.Entries)
		dir := filepath.Base(filepath.Dir(res.PerFile[i].Path))
		byDir[dir] = &res.Warninglists[i]
		switch w.Type {
		case WarninglistCIDR:
			assert.Len(t, w.Prefixes, len(w.Entries), dir)
		case WarninglistRegex:
			assert.Len(t, w.Regexps, len(w.Entries), dir)
		case WarninglistHostname:
			assert.NotEmpty(t, w.Hostnames, dir)
		}
	}
	types := make([]string, 0, len(lists))
	for typ := range lists {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		t.Logf("%-9s %2d lists, %6d entries", typ, lists[typ], entries[typ])
	}
	assert.Equal(t, map[string]int{"cidr": 13, "hostname": 5, "regex": 2, "string": 12, "substring": 3}, lists)

	checks := []struct {
		dir, value string
		want       bool
	}{
		{"rfc1918", "10.1.2.3", true},
		{"rfc1918", "172.32.0.1", false},
		{"rfc3849", "2001:db8::1", true},
		{"ipv6-linklocal", "fe80::1%eth0", true},
		{"public-dns-v4", "1.0.0.1", true},
		{"multicast", "239.255.255.250", true},
		{"dynamic-dns", "foo.0000004.xyz", true}, // entry ".0000004.xyz"
		{"url-shortener", "https://bit.ly/abc", true},
		{"url-shortener", "bit.ly.evil.example", false},
		{"empty-hashes", "D41D8CD98F00B204E9800998ECF8427E", true},
		{"empty-hashes", "3::", true},
		{"tlds", "aaa", true},
		{"automated-malware-analysis", "https://analyze.intezer.com/analyses/1", true},
		{"common-contact-emails", "ABUSE@example.com", true},
		{"common-contact-emails", "ceo@example.com", false},
		{"phone_numbers", "+15550123", true},
	}
	for _, c := range checks {
		w := byDir[c.dir]
		require.NotNil(t, w, c.dir)
		assert.Equal(t, c.want, w.Contains(c.value), "%s: %q", c.dir, c.value)
		assert.Equal(t, c.want, unindexed(*w).Contains(c.value), "%s (no index): %q", c.dir, c.value)
	}
	aws := byDir["amazon-aws"]
	assert.Equal(t, "List of known Amazon AWS IP address ranges", aws.Name)
	assert.Equal(t, int64(20260811), aws.Version)
	assert.Equal(t, []string{"ip-src", "ip-dst", "domain|ip", "ip-src|port", "ip-dst|port"}, aws.MatchingAttributes)
}

func FuzzReadWarninglist(f *testing.F) {
	addSeeds(f, filepath.Join(warninglistsDir, "*", "list.json"),
		``,
		`{"list": {"a": "b"}, "type": "hostname"}`,
		`{"type": "regex", "list": ["/(a+)+$/", "#x#i", "/[/"]}`,
		`{"type": "cidr", "list": ["::ffff:10.0.0.0/104", "fe80::1%eth0", 5, null]}`,
		`{"version": "3", "name": 1, "list": [[[["x"]]]], "type": "substring"}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{{}, {MaxRecordSize: 128, MaxJSONDepth: 4}} {
			res, err := ReadWarninglist(bytes.NewReader(data), "fuzz.json", opts)
			if err != nil {
				t.Fatalf("%+v: unexpected error %v", opts, err)
			}
			mispCheckResult(t, res)
			if len(res.Indicators) != 0 || len(res.Warninglists) > 1 {
				t.Fatalf("%d indicators, %d lists", len(res.Indicators), len(res.Warninglists))
			}
			for _, w := range res.Warninglists {
				for _, v := range append([]string{"", "a", "192.0.2.1", "x.example"}, w.Entries...) {
					if w.Contains(v) != unindexed(w).Contains(v) {
						t.Fatalf("Contains(%q) differs without the index", v)
					}
				}
			}
			checkStrict(t, ReadWarninglist, data, "fuzz.json", opts, res)
		}
	})
}

func ExampleWarninglist_Contains() {
	const list = `{
  "name": "Example dynamic DNS domains",
  "version": 3,
  "description": "Event contains one or more entries of example dynamic DNS domains.",
  "matching_attributes": ["hostname", "domain", "url"],
  "type": "hostname",
  "list": [".dyn.example", "ddns.test"]
}`
	res, err := ReadWarninglist(strings.NewReader(list), "dyndns/list.json", Options{})
	if err != nil {
		panic(err)
	}
	w := res.Warninglists[0]
	fmt.Println(w.Name, w.Type, w.Hostnames)
	for _, v := range []string{"home.dyn.example", "https://x.ddns.test/a", "dyn.example.evil.example"} {
		fmt.Println(v, w.Contains(v))
	}
	// Output:
	// Example dynamic DNS domains hostname [dyn.example ddns.test]
	// home.dyn.example true
	// https://x.ddns.test/a true
	// dyn.example.evil.example false
}
