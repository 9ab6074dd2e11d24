package allow

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// ind parses "type:value" with source src.
func ind(t testing.TB, s, src string) indicator.Indicator {
	t.Helper()
	typ, val, ok := strings.Cut(s, ":")
	require.True(t, ok, s)
	ty, err := indicator.ParseType(typ)
	require.NoError(t, err, s)
	i, err := indicator.New(ty, val)
	require.NoError(t, err, s)
	i.Source = src
	return i
}

// kept applies p to the indicators "type:value" (source "feed") and
// returns the kept ones as "type:value".
func kept(t *testing.T, p *Policy, vals ...string) ([]string, Report) {
	t.Helper()
	var in []indicator.Indicator
	for _, v := range vals {
		in = append(in, ind(t, v, "feed"))
	}
	out, rep := p.Apply(in)
	var s []string
	for _, i := range out {
		s = append(s, i.String())
	}
	return s, rep
}

func TestReservedRanges(t *testing.T) {
	p, err := New(Options{})
	require.NoError(t, err)
	tests := []struct {
		in   string
		keep bool
	}{
		{"ipv4:10.1.2.3", false},
		{"ipv4:192.168.1.1", false},
		{"ipv4:172.16.0.1", false},
		{"ipv4:172.32.0.1", true}, // just past 172.16.0.0/12
		{"ipv4:127.0.0.1", false},
		{"ipv4:0.0.0.0", false},
		{"ipv4:169.254.169.254", false},
		{"ipv4:100.64.0.1", false},
		{"ipv4:100.128.0.1", true},
		{"ipv4:198.18.0.1", false},
		{"ipv4:198.20.0.1", true},
		{"ipv4:224.0.0.251", false},
		{"ipv4:255.255.255.255", false},
		{"ipv4:192.0.0.8", false},
		{"ipv4:192.0.0.9", true}, // PCP anycast, globally reachable
		{"ipv4:192.0.0.10", true},
		{"ipv4:8.8.8.8", true},
		{"ipv4:192.0.2.1", true},     // documentation: off by default
		{"ipv6:2001:db8::1", true},   // documentation
		{"ipv4:203.0.113.7", true},   // documentation
		{"ipv4:185.220.101.1", true}, // public
		{"ipv6:::1", false},
		{"ipv6:::", false},
		{"ipv6:fe80::1", false},
		{"ipv6:fd00::1", false},
		{"ipv6:ff02::1", false},
		{"ipv6:2606:4700::1111", true},
		{"ipv4:::ffff:10.0.0.1", false}, // mapped: checked as IPv4
		{"ipv4:8.8.8.8", true},
		// CIDRs: wholly inside, or overlapping only
		{"cidr:10.0.0.0/8", false},
		{"cidr:10.20.0.0/16", false},
		{"cidr:8.0.0.0/7", true},  // holds 8/8 and 9/8: no reserved space
		{"cidr:10.0.0.0/7", true}, // 11/8 is public
		{"cidr:172.16.0.0/12", false},
		{"cidr:172.0.0.0/8", true},
		{"cidr:224.0.0.0/3", false}, // 224/4 ∪ 240/4
		{"cidr:224.0.0.0/4", false},
		{"cidr:192.0.0.0/24", true}, // holds 192.0.0.9 and .10
		{"cidr:192.0.0.0/29", false},
		{"cidr:0.0.0.0/0", true},
		{"cidr:fc00::/7", false},
		{"cidr:fe80::/16", false},
		{"cidr:2000::/3", true},
		{"cidr:::/0", true},
		// not addresses: never by range
		{"domain:localhost.localdomain", true},
		{"url:http://10.0.0.1/x", true},
	}
	for _, tt := range tests {
		got, rep := kept(t, p, tt.in)
		if tt.keep {
			assert.Equal(t, []string{tt.in}, got, tt.in)
			assert.Zero(t, rep.Suppressed, tt.in)
		} else {
			assert.Empty(t, got, tt.in)
			require.Len(t, rep.Lists, 1)
			assert.Equal(t, "reserved", rep.Lists[0].ID)
			assert.Equal(t, 1, rep.Lists[0].Suppressed, tt.in)
		}
	}
}

func TestRangeSwitches(t *testing.T) {
	vals := []string{"ipv4:10.0.0.1", "ipv4:192.0.2.1", "ipv6:2001:db8::5", "cidr:198.51.100.0/24", "ipv4:8.8.4.4"}
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"default", Options{}, []string{"ipv4:192.0.2.1", "ipv6:2001:db8::5", "cidr:198.51.100.0/24", "ipv4:8.8.4.4"}},
		{"no reserved", Options{NoReserved: true}, vals},
		{"documentation", Options{Documentation: true}, []string{"ipv4:8.8.4.4"}},
		{"documentation only", Options{NoReserved: true, Documentation: true}, []string{"ipv4:10.0.0.1", "ipv4:8.8.4.4"}},
		{"internal source", Options{Documentation: true, InternalSources: []string{"feed"}}, vals},
		{"other internal source", Options{Documentation: true, InternalSources: []string{"mine"}}, []string{"ipv4:8.8.4.4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.opts)
			require.NoError(t, err)
			got, rep := kept(t, p, vals...)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, len(vals)-len(tt.want), rep.Suppressed)
			assert.Equal(t, len(tt.want), rep.Kept)
		})
	}
}

func TestInternalSourcePerIndicator(t *testing.T) {
	p, err := New(Options{InternalSources: []string{"cmdb"}})
	require.NoError(t, err)
	in := []indicator.Indicator{ind(t, "ipv4:10.1.1.1", "cmdb"), ind(t, "ipv4:10.1.1.1", "firehol")}
	out, rep := p.Apply(in)
	require.Len(t, out, 1)
	assert.Equal(t, "cmdb", out[0].Source)
	require.Len(t, rep.Sources, 2)
	assert.Equal(t, SourceReport{Source: "cmdb", Input: 1, ByList: map[string]int{}}, rep.Sources[0])
	assert.Equal(t, SourceReport{Source: "firehol", Input: 1, Suppressed: 1, ByList: map[string]int{"reserved": 1}}, rep.Sources[1])
	assert.Equal(t, []string{"ipv4:10.1.1.1 (firehol) in 10.0.0.0/8 private use (RFC 1918)"}, rep.Lists[0].Examples)
}

// wl builds a warninglist as the loader reads it.
func wl(t *testing.T, name, typ, category string, attrs []string, entries ...string) loader.Warninglist {
	t.Helper()
	doc := map[string]any{"name": name, "type": typ, "list": entries, "matching_attributes": attrs}
	if category != "" {
		doc["category"] = category
	}
	b, err := jsonMarshal(doc)
	require.NoError(t, err)
	res, err := loader.ReadWarninglist(strings.NewReader(string(b)), "lists/"+name+"/list.json", loader.Options{})
	require.NoError(t, err)
	require.Empty(t, res.Problems)
	require.Len(t, res.Warninglists, 1)
	return res.Warninglists[0]
}

func TestWarninglistSemantics(t *testing.T) {
	tests := []struct {
		name  string
		list  loader.Warninglist
		hit   []string // annotated
		nohit []string
	}{
		{
			name:  "string exact, ignoring case",
			list:  wl(t, "tlds", "string", "", []string{"hostname", "domain"}, "COM", "google.com"),
			hit:   []string{"domain:google.com"},
			nohit: []string{"domain:www.google.com", "domain:oogle.com", "url:http://google.com/", "md5:d41d8cd98f00b204e9800998ecf8427e"},
		},
		{
			name:  "string on hashes only",
			list:  wl(t, "empty-hashes", "string", "", []string{"md5", "sha1", "ssdeep"}, "d41d8cd98f00b204e9800998ecf8427e", "D41D8CD98F00B204E9800998ECF8427F"),
			hit:   []string{"md5:d41d8cd98f00b204e9800998ecf8427e", "md5:d41d8cd98f00b204e9800998ecf8427f"},
			nohit: []string{"md5:d41d8cd98f00b204e9800998ecf84270", "filename:d41d8cd98f00b204e9800998ecf8427e"},
		},
		{
			name:  "hostname: the name or a subdomain",
			list:  wl(t, "top", "hostname", "", []string{"domain", "hostname", "url"}, ".GoogleApis.com", "ipinfo.io."),
			hit:   []string{"domain:googleapis.com", "domain:storage.googleapis.com", "domain:ipinfo.io", "url:https://a.ipinfo.io:8443/json"},
			nohit: []string{"domain:notgoogleapis.com", "domain:googleapis.com.evil.test", "email:x@ipinfo.io", "domain:nfo.io"},
		},
		{
			name:  "hostname without matching_attributes: every type, email domain",
			list:  wl(t, "any", "hostname", "", nil, "mail.example.net", "1.2.3.4"),
			hit:   []string{"email:bob@mail.example.net", "domain:x.mail.example.net", "ipv4:1.2.3.4", "url:http://1.2.3.4/"},
			nohit: []string{"email:bob@example.net", "ipv4:1.2.3.5"},
		},
		{
			name:  "cidr containment",
			list:  wl(t, "cloud", "cidr", "", []string{"ip-src", "ip-dst"}, "8.8.8.0/24", "2001:4860::/32", "1.1.1.1"),
			hit:   []string{"ipv4:8.8.8.8", "cidr:8.8.8.128/25", "cidr:8.8.8.0/24", "ipv6:2001:4860:4860::8888", "ipv4:1.1.1.1"},
			nohit: []string{"cidr:8.8.0.0/16", "ipv4:8.8.4.4", "ipv4:1.1.1.2", "url:http://8.8.8.8/", "domain:dns.google"},
		},
		{
			name:  "cidr on urls with url attribute",
			list:  wl(t, "cloud-url", "cidr", "", []string{"url"}, "8.8.8.0/24"),
			hit:   []string{"url:http://8.8.8.8/x", "url:http://[::ffff:8.8.8.9]/"},
			nohit: []string{"ipv4:8.8.8.8", "url:http://8.8.9.8/"},
		},
		{
			name:  "substring",
			list:  wl(t, "disposable-email", "substring", "", []string{"email-src", "email-dst"}, "mailinator.com", "Yopmail"),
			hit:   []string{"email:a@mailinator.com", "email:b@yopmail.fr", "email:c@x.mailinator.com.evil.test"},
			nohit: []string{"email:a@mailinator.co", "domain:mailinator.com"},
		},
		{
			name:  "substring and string on addresses",
			list:  wl(t, "mixed", "substring", "", []string{"ip-src", "domain"}, "8.8.", "dead:", "mail"),
			hit:   []string{"ipv4:8.8.8.8", "ipv4:1.8.8.1", "ipv6:2001:dead::1", "cidr:8.8.0.0/16", "domain:mail.test"},
			nohit: []string{"ipv4:9.9.9.9", "ipv6:2001:beef::1", "email:a@mail.test"},
		},
		{
			name:  "string list with an address entry",
			list:  wl(t, "strs", "string", "", []string{"domain|ip"}, "1.1.1.1", "one.one.one.one"),
			hit:   []string{"ipv4:1.1.1.1", "domain:one.one.one.one"},
			nohit: []string{"ipv4:1.1.1.2", "cidr:1.1.1.0/24"},
		},
		{
			name:  "regex",
			list:  wl(t, "contacts", "regex", "", []string{"email-src", "email-dst", "target-email"}, "/^(abuse|postmaster)@/i", "/^NOC@/"),
			hit:   []string{"email:abuse@evil.test", "email:postmaster@x.test"},
			nohit: []string{"email:noc@x.test", "email:bob@abuse.test", "domain:abuse.test"},
		},
		{
			name:  "matching attributes of no iocmatch type",
			list:  wl(t, "phones", "regex", "", []string{"phone-number"}, "/.*/"),
			nohit: []string{"string:+33 1 23 45 67 89", "domain:a.test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(Options{NoReserved: true, Warninglists: []loader.Warninglist{tt.list}})
			require.NoError(t, err)
			for _, v := range tt.hit {
				out, rep := p.Apply([]indicator.Indicator{ind(t, v, "feed")})
				require.Len(t, out, 1, v)
				assert.Contains(t, out[0].Tags, TagPrefix+ListID(&tt.list), v)
				assert.Equal(t, 1, rep.Annotated, v)
				assert.Equal(t, 1, rep.Lists[0].Annotated, v)
			}
			for _, v := range tt.nohit {
				out, rep := p.Apply([]indicator.Indicator{ind(t, v, "feed")})
				require.Len(t, out, 1, v)
				assert.Empty(t, out[0].Tags, v)
				assert.Zero(t, rep.Annotated, v)
			}
		})
	}
}

func TestWarninglistActions(t *testing.T) {
	fp := wl(t, "fp", "hostname", "false-positive", []string{"domain"}, "fp.test")
	known := wl(t, "known", "hostname", "known", []string{"domain"}, "known.test", "both.test")
	none := wl(t, "none", "hostname", "", []string{"domain"}, "none.test", "both.test")
	all := []loader.Warninglist{fp, known, none}
	vals := []string{"domain:a.fp.test", "domain:known.test", "domain:none.test", "domain:both.test", "domain:other.test"}
	tests := []struct {
		name string
		opts Options
		want []string // kept, with their warninglist tags
	}{
		{"by category", Options{}, []string{"domain:known.test [warninglist:known]", "domain:none.test [warninglist:none]",
			"domain:both.test [warninglist:known warninglist:none]", "domain:other.test []"}},
		{"suppress all", Options{SuppressAll: true}, []string{"domain:other.test []"}},
		{"override by id", Options{Actions: map[string]Action{"fp": Annotate, "NONE": Suppress}}, []string{
			"domain:a.fp.test [warninglist:fp]", "domain:known.test [warninglist:known]", "domain:other.test []"}},
		{"override by file", Options{Actions: map[string]Action{"lists/known/list.json": Suppress}}, []string{
			"domain:none.test [warninglist:none]", "domain:other.test []"}},
		{"override by name", Options{Actions: map[string]Action{"known": Off}}, []string{
			"domain:known.test []", "domain:none.test [warninglist:none]", "domain:both.test [warninglist:none]", "domain:other.test []"}},
		{"suppress all but one", Options{SuppressAll: true, Actions: map[string]Action{"none": Annotate}}, []string{
			"domain:none.test [warninglist:none]", "domain:other.test []"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Warninglists = all
			p, err := New(tt.opts)
			require.NoError(t, err)
			var in []indicator.Indicator
			for _, v := range vals {
				in = append(in, ind(t, v, "feed"))
			}
			out, rep := p.Apply(in)
			var got []string
			for _, i := range out {
				got = append(got, i.String()+" ["+strings.Join(i.Tags, " ")+"]")
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, len(vals)-len(tt.want), rep.Suppressed)
		})
	}
	_, err := New(Options{Warninglists: all, Actions: map[string]Action{"nosuch": Suppress}})
	assert.ErrorContains(t, err, `"nosuch"`)
}

func TestAnnotateCopiesTags(t *testing.T) {
	p, err := New(Options{Warninglists: []loader.Warninglist{wl(t, "k", "string", "", nil, "a.test")}})
	require.NoError(t, err)
	shared := []string{"x", "y"}
	a, b := ind(t, "domain:a.test", "s"), ind(t, "domain:b.test", "s")
	a.Tags, b.Tags = shared[:1:1], shared[1:2:2]
	out, _ := p.Apply([]indicator.Indicator{a, b})
	assert.Equal(t, []string{"x", "warninglist:k"}, out[0].Tags)
	assert.Equal(t, []string{"y"}, out[1].Tags)
	assert.Equal(t, []string{"x", "y"}, shared)
}

func TestPlainAllowlist(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ours.txt")
	require.NoError(t, os.WriteFile(path, []byte("# our own\n8.8.8.8\n203.0.113.0/24\ncorp.example\nd41d8cd98f00b204e9800998ecf8427e\nhttp://intranet.example/login\n"), 0o644))
	p, err := New(Options{Allowlists: []string{path}})
	require.NoError(t, err)
	tests := []struct {
		in   string
		keep bool
	}{
		{"ipv4:8.8.8.8", false},
		{"ipv4:8.8.4.4", true},
		{"cidr:203.0.113.128/25", false},
		{"ipv4:203.0.113.9", false},
		{"cidr:203.0.112.0/23", true},
		{"domain:corp.example", false},
		{"domain:vpn.corp.example", false},
		{"domain:corp.example.evil.test", true},
		{"domain:orp.example", true},
		{"url:http://corp.example/x", true}, // a URL on an allowed domain is not the domain
		{"url:http://intranet.example/login", false},
		{"md5:d41d8cd98f00b204e9800998ecf8427e", false},
		{"sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", true},
	}
	for _, tt := range tests {
		got, rep := kept(t, p, tt.in)
		if tt.keep {
			assert.Equal(t, []string{tt.in}, got, tt.in)
		} else {
			assert.Empty(t, got, tt.in)
			assert.Equal(t, 1, rep.Lists[1].Suppressed, tt.in)
			assert.Equal(t, path, rep.Lists[1].ID)
			assert.Equal(t, 5, rep.Lists[1].Entries)
		}
	}
}

func TestPlainAllowlistErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(bad, []byte("8.8.8.8\nnot a value at all!\n"), 0o644))
	_, err := New(Options{Allowlists: []string{bad}})
	assert.ErrorContains(t, err, bad+":2:")
	_, err = New(Options{Allowlists: []string{filepath.Join(dir, "missing.txt")}})
	assert.ErrorContains(t, err, "missing.txt")
}

func TestZeekWhitelist(t *testing.T) {
	in := "#fields\tindicator\tindicator_type\tmeta.source\tmeta.whitelist\n" +
		"meta.wikimedia.org\tIntel::DOMAIN\tsrc2\tT\n" +
		"198.51.100.0/24\tIntel::SUBNET\tsrc2\tT\n" +
		"1.2.3.4\tIntel::ADDR\tsrc2\tT\n" +
		"upload.wikimedia.org\tIntel::DOMAIN\tsrc1\tF\n"
	res, err := loader.ReadZeek(strings.NewReader(in), "wl.intel", loader.Options{})
	require.NoError(t, err)
	require.Len(t, res.Allowlist, 3)
	p, err := New(Options{Allowlist: res.Allowlist})
	require.NoError(t, err)
	tests := []struct {
		in   string
		keep bool
	}{
		{"domain:meta.wikimedia.org", false},
		{"domain:x.meta.wikimedia.org", true}, // Zeek matches domains exactly
		{"domain:upload.wikimedia.org", true},
		{"ipv4:198.51.100.7", false},
		{"cidr:198.51.100.0/25", false},
		{"cidr:198.51.0.0/16", true},
		{"ipv4:1.2.3.4", false},
		{"ipv4:1.2.3.5", true},
		{"url:http://meta.wikimedia.org/", true},
	}
	for _, tt := range tests {
		got, rep := kept(t, p, tt.in)
		if tt.keep {
			assert.Equal(t, []string{tt.in}, got, tt.in)
		} else {
			assert.Empty(t, got, tt.in)
			assert.Equal(t, "zeek-whitelist", rep.Lists[1].ID)
			assert.Equal(t, 1, rep.Lists[1].Suppressed, tt.in)
		}
	}
}

func TestReportOrderAndExamples(t *testing.T) {
	fp := wl(t, "fp", "cidr", "false-positive", nil, "10.0.0.0/8", "8.8.8.0/24")
	p, err := New(Options{Warninglists: []loader.Warninglist{fp}, MaxExamples: 2})
	require.NoError(t, err)
	in := []indicator.Indicator{
		ind(t, "ipv4:10.0.0.1", "b"), // reserved first
		ind(t, "ipv4:8.8.8.1", "a"), ind(t, "ipv4:8.8.8.2", "a"), ind(t, "ipv4:8.8.8.3", "b"),
		ind(t, "ipv4:9.9.9.9", "a"),
	}
	out, rep := p.Apply(in)
	assert.Len(t, out, 1)
	assert.Equal(t, Report{Input: 5, Kept: 1, Suppressed: 4, Lists: []ListReport{
		{ID: "reserved", Kind: "reserved", Action: Suppress, Entries: len(reservedRanges), Suppressed: 1,
			Examples: []string{"ipv4:10.0.0.1 (b) in 10.0.0.0/8 private use (RFC 1918)"}},
		{ID: "fp", Kind: "warninglist", Name: "fp", Action: Suppress, Entries: 2, Suppressed: 3,
			Examples: []string{"ipv4:8.8.8.1 (a)", "ipv4:8.8.8.2 (a)"}},
	}, Sources: []SourceReport{
		{Source: "a", Input: 3, Suppressed: 2, ByList: map[string]int{"fp": 2}},
		{Source: "b", Input: 2, Suppressed: 2, ByList: map[string]int{"reserved": 1, "fp": 1}},
	}}, rep)
}

func TestParseAction(t *testing.T) {
	for s, want := range map[string]Action{"suppress": Suppress, " Annotate": Annotate, "OFF": Off, "default": ActionDefault} {
		a, err := ParseAction(s)
		assert.NoError(t, err, s)
		assert.Equal(t, want, a, s)
		assert.Equal(t, strings.ToLower(strings.TrimSpace(s)), a.String())
	}
	_, err := ParseAction("drop")
	assert.Error(t, err)
}

func TestAttributeTypes(t *testing.T) {
	assert.Equal(t, []indicator.Type{indicator.IPv4, indicator.IPv6, indicator.CIDR, indicator.Domain}, AttributeTypes("domain|ip"))
	assert.Equal(t, []indicator.Type{indicator.MD5, indicator.Filename}, AttributeTypes("filename|md5"))
	assert.Nil(t, AttributeTypes("phone-number"))
}

func TestListID(t *testing.T) {
	assert.Equal(t, "rfc1918", ListID(&loader.Warninglist{Path: "feeds/misp/lists/rfc1918/list.json", Name: "RFC 1918"}))
	assert.Equal(t, "mylist", ListID(&loader.Warninglist{Path: "x/mylist.json", Name: "n"}))
	assert.Equal(t, "n", ListID(&loader.Warninglist{Name: "n"}))
}

// TestConcurrentApply: a Policy is shared by goroutines (run with -race).
func TestConcurrentApply(t *testing.T) {
	p, err := New(Options{Documentation: true, Warninglists: []loader.Warninglist{
		wl(t, "s", "substring", "", nil, "evil"), wl(t, "h", "hostname", "", nil, "example.com"),
		wl(t, "c", "cidr", "false-positive", nil, "8.8.8.0/24"),
	}})
	require.NoError(t, err)
	vals := []string{"domain:evil.test", "domain:a.example.com", "ipv4:8.8.8.8", "ipv4:10.0.0.1", "ipv4:192.0.2.1", "ipv4:9.9.9.9"}
	done := make(chan []string)
	for range 4 {
		go func() {
			var got []string
			for range 50 {
				var in []indicator.Indicator
				for _, v := range vals {
					in = append(in, ind(t, v, "feed"))
				}
				out, _ := p.Apply(in)
				got = got[:0]
				for _, i := range out {
					got = append(got, i.String()+" "+strings.Join(i.Tags, ","))
				}
			}
			done <- got
		}()
	}
	for range 4 {
		assert.Equal(t, []string{"domain:evil.test warninglist:s", "domain:a.example.com warninglist:h", "ipv4:9.9.9.9 "}, <-done)
	}
}

// TestSuppressAllThreatLists: SuppressAll leaves the ThreatLists (a hit on
// a sinkhole is an infection) annotating, unless Actions names them.
func TestSuppressAllThreatLists(t *testing.T) {
	fp := wl(t, "whats-my-ip", "hostname", "", []string{"domain"}, "ipinfo.test")
	sink := wl(t, "sinkholes", "hostname", "", []string{"domain"}, "sink.test")
	for _, c := range []struct {
		actions map[string]Action
		want    []string
	}{
		{nil, []string{"domain:sink.test [warninglist:sinkholes]", "domain:other.test []"}},
		{map[string]Action{"sinkholes": Suppress}, []string{"domain:other.test []"}},
	} {
		p, err := New(Options{SuppressAll: true, Actions: c.actions, Warninglists: []loader.Warninglist{fp, sink}})
		require.NoError(t, err)
		var in []indicator.Indicator
		for _, v := range []string{"domain:ipinfo.test", "domain:sink.test", "domain:other.test"} {
			in = append(in, ind(t, v, "feed"))
		}
		out, _ := p.Apply(in)
		var got []string
		for _, x := range out {
			got = append(got, fmt.Sprintf("%s:%s %v", x.Type, x.Value, x.Tags))
		}
		require.Equal(t, c.want, got, "%v", c.actions)
	}
}
