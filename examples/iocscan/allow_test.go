package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// indicatorsOf returns the distinct "type:value" of the matches in out.
func indicatorsOf(t *testing.T, out string) []string {
	t.Helper()
	seen := map[string]bool{}
	var s []string
	for _, r := range decode(t, out) {
		k := r.Type + ":" + r.Indicator
		if !seen[k] {
			seen[k] = true
			s = append(s, k)
		}
	}
	return s
}

func TestAllowFlags(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "feed")
	require.NoError(t, os.MkdirAll(filepath.Join(feed, "lists", "resolvers"), 0o755))
	write := func(path, s string) {
		t.Helper()
		require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
	}
	write(filepath.Join(feed, "ips.txt"), "10.0.0.0/8\n192.0.2.10\n8.8.8.8\n185.220.101.7\n")
	write(filepath.Join(feed, "domains.txt"), "googleapis.com\nevil.example\n")
	write(filepath.Join(feed, "lists", "resolvers", "list.json"),
		`{"name": "Public resolvers", "type": "cidr", "matching_attributes": ["ip-dst"], "list": ["8.8.8.0/24"]}`)
	google := filepath.Join(dir, "google.json")
	write(google, `{"name": "Google domains", "type": "hostname", "category": "false-positive", "list": ["googleapis.com"]}`)
	ours := filepath.Join(dir, "ours.txt")
	write(ours, "185.220.101.0/24\n")
	log := "SRC=10.1.2.3 DST=192.0.2.10\nDST=8.8.8.8 host=googleapis.com\nSRC=185.220.101.7 evil.example\n"

	tests := []struct {
		name    string
		args    []string
		want    []string // distinct indicators matched
		stderr  []string // substrings of stderr
		code    int
		tagged  map[string]string // indicator → warninglist tag expected in -v examples
		notWant []string
	}{
		{
			name: "defaults: reserved suppressed, feed warninglist annotates",
			args: []string{"-v", "-feed", feed},
			want: []string{"ipv4:192.0.2.10", "ipv4:8.8.8.8", "domain:googleapis.com", "ipv4:185.220.101.7", "domain:evil.example"},
			stderr: []string{
				"1 warninglists;",
				"allowlists (2 lists, 1 warninglists): 1 of 6 indicators suppressed (reserved: 1), 1 annotated (resolvers: 1)",
				"iocscan:   reserved reserved, suppress, 30 entries: 1 suppressed, 0 annotated",
				"iocscan:     cidr:10.0.0.0/8 (ips) in 10.0.0.0/8 private use (RFC 1918)",
				`iocscan:   warninglist resolvers "Public resolvers", annotate, 1 entries: 0 suppressed, 1 annotated`,
				"iocscan:     ipv4:8.8.8.8 (ips)",
				"iocscan:   source ips: 4 indicators, 1 suppressed, 1 annotated (reserved: 1, resolvers: 1)",
			},
		},
		{
			name:   "reserved off, documentation on",
			args:   []string{"-reserved=false", "-documentation", "-feed", feed},
			want:   []string{"cidr:10.0.0.0/8", "ipv4:8.8.8.8", "domain:googleapis.com", "ipv4:185.220.101.7", "domain:evil.example"},
			stderr: []string{"1 of 6 indicators suppressed (documentation: 1)"},
		},
		{
			name: "internal source keeps reserved",
			args: []string{"-internal-source", "ips", "-feed", feed},
			want: []string{"cidr:10.0.0.0/8", "ipv4:192.0.2.10", "ipv4:8.8.8.8", "domain:googleapis.com", "ipv4:185.220.101.7", "domain:evil.example"},
		},
		{
			name:   "explicit warninglist with false-positive category, plain allowlist",
			args:   []string{"-warninglist", google, "-allowlist", ours, "-feed", feed},
			want:   []string{"ipv4:192.0.2.10", "ipv4:8.8.8.8", "domain:evil.example"},
			stderr: []string{"3 of 6 indicators suppressed (reserved: 1, " + ours + ": 1, google: 1), 1 annotated (resolvers: 1)"},
		},
		{
			name:   "suppress all, one kept as annotate",
			args:   []string{"-suppress-all-warninglists", "-warninglist", google, "-warninglist-action", "google=annotate", "-feed", feed},
			want:   []string{"ipv4:192.0.2.10", "domain:googleapis.com", "ipv4:185.220.101.7", "domain:evil.example"},
			stderr: []string{"2 of 6 indicators suppressed (reserved: 1, resolvers: 1), 1 annotated (google: 1)"},
		},
		{
			name:   "action by list name",
			args:   []string{"-warninglist-action", "Public resolvers=suppress", "-feed", feed},
			want:   []string{"ipv4:192.0.2.10", "domain:googleapis.com", "ipv4:185.220.101.7", "domain:evil.example"},
			stderr: []string{"(reserved: 1, resolvers: 1)"},
		},
		{
			name:   "unknown list in -warninglist-action",
			args:   []string{"-warninglist-action", "nosuch=suppress", "-feed", feed},
			code:   2,
			stderr: []string{`warninglist action "nosuch": no warninglist has that id, name or file`},
		},
		{
			name:   "bad action",
			args:   []string{"-warninglist-action", "resolvers=drop", "-feed", feed},
			code:   2,
			stderr: []string{`-warninglist-action "resolvers=drop": allow: unknown action "drop"`},
		},
		{
			name:   "missing allowlist file",
			args:   []string{"-allowlist", filepath.Join(dir, "nope.txt"), "-feed", feed},
			code:   2,
			stderr: []string{"nope.txt"},
		},
		{
			name:   "warninglist file that is not one",
			args:   []string{"-warninglist", ours, "-feed", feed},
			code:   2,
			stderr: []string{"not a MISP warninglist", "no warninglist read"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runIOCScan(t, log, tt.args...)
			require.Equal(t, tt.code, code, errs)
			for _, s := range tt.stderr {
				assert.Contains(t, errs, s)
			}
			if tt.code != 0 {
				return
			}
			assert.Equal(t, tt.want, indicatorsOf(t, out), errs)
			assert.NotContains(t, errs, "not applied")
		})
	}
}

// TestAllowZeekWhitelist: a Zeek meta.whitelist=T row among the feeds
// suppresses the same indicator from another feed.
func TestAllowZeekWhitelist(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "intel.dat"), []byte(
		"#fields\tindicator\tindicator_type\tmeta.source\n"+
			"upload.wikimedia.org\tIntel::DOMAIN\tsource1\n"+
			"meta.wikimedia.org\tIntel::DOMAIN\tsource1\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "whitelist.dat"), []byte(
		"#fields\tindicator\tindicator_type\tmeta.source\tmeta.whitelist\n"+
			"meta.wikimedia.org\tIntel::DOMAIN\tsource2\tT\n"), 0o644))
	code, out, errs := runIOCScan(t, "GET meta.wikimedia.org upload.wikimedia.org\n", "-feed", dir)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, []string{"domain:upload.wikimedia.org"}, indicatorsOf(t, out))
	assert.Contains(t, errs, "1 of 2 indicators suppressed (zeek-whitelist: 1)")
	assert.False(t, strings.Contains(errs, "meta.whitelist"), errs)
}

// TestPublicSuffixFlag: a domain indicator that is a public suffix matches
// its exact name only, unless -public-suffix-subdomains.
func TestPublicSuffixFlag(t *testing.T) {
	feed := filepath.Join(t.TempDir(), "ddns.txt")
	require.NoError(t, os.WriteFile(feed, []byte("duckdns.org\nco.uk\nevil.example\n"), 0o644))
	code, out, errs := runIOCScan(t, "GET http://c2.duckdns.org/x\n", "-feed", feed)
	require.Equal(t, 1, code, errs)
	require.Empty(t, out)
	require.Contains(t, errs, "iocscan: 2 domain indicators are public suffixes and match their exact name only, not their subdomains (duckdns.org, co.uk; -public-suffix-subdomains", "the summary names them")
	_, _, errs = runIOCScan(t, "", "-public-suffix-subdomains", "-feed", feed)
	require.NotContains(t, errs, "public suffixes", "no such line when they match their subdomains")
	code, out, errs = runIOCScan(t, "GET http://c2.duckdns.org/x\nduckdns.org\n", "-q", "-public-suffix-subdomains", "-feed", feed)
	require.Equal(t, 0, code, errs)
	require.Len(t, decode(t, out), 2, out)
}

// TestIncludeExclude: -include and -exclude choose the files read under a
// feed directory.
func TestIncludeExclude(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "old"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a.evil.example\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.csv"), []byte("domain\nb.evil.example\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "old", "c.txt"), []byte("c.evil.example\n"), 0o644))
	in := "a.evil.example b.evil.example c.evil.example\n"
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"a.evil.example", "b.evil.example", "c.evil.example"}},
		{[]string{"-include", "*.txt"}, []string{"a.evil.example", "c.evil.example"}},
		{[]string{"-exclude", "old"}, []string{"a.evil.example", "b.evil.example"}},
		{[]string{"-include", "*.txt", "-exclude", "old"}, []string{"a.evil.example"}},
	} {
		code, out, errs := runIOCScan(t, in, append(append([]string{"-q"}, c.args...), "-feed", dir)...)
		require.Equal(t, 0, code, errs)
		var got []string
		for _, r := range decode(t, out) {
			got = append(got, r.Indicator)
		}
		require.Equal(t, c.want, got, "%v", c.args)
	}
	code, _, errs := runIOCScan(t, in, "-include", "[", "-feed", dir)
	require.Equal(t, 2, code, errs)
}
