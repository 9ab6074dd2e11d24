package match_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// psIndicators are domain indicators that are public suffixes of the
// Public Suffix List (ICANN section: co.uk, com.au, x.ck under the
// wildcard *.ck; private section: duckdns.org, amplifyapp.com,
// googleapis.com), names below them, names that are not (www.ck is an
// exception of *.ck; corp.internal is under a TLD the list does not
// know), and a URL whose host is a public suffix.
var psIndicators = []indicator.Indicator{
	ri(indicator.Domain, "duckdns.org"),
	ri(indicator.Domain, "evil.duckdns.org"),
	ri(indicator.Domain, "co.uk"),
	ri(indicator.Domain, "evil.co.uk"),
	ri(indicator.Domain, "com.au"),
	ri(indicator.Domain, "amplifyapp.com"),
	ri(indicator.Domain, "googleapis.com"),
	ri(indicator.Domain, "x.ck"),
	ri(indicator.Domain, "www.ck"),
	ri(indicator.Domain, "corp.internal"),
	ri(indicator.Domain, "evil.com"),
	ri(indicator.URL, "http://duckdns.org/x"),
	ri(indicator.Email, "bob@duckdns.org"),
}

// TestRulePublicSuffix: a domain indicator that is a public suffix matches
// its exact name only, never a subdomain, in free text (and in URLs and
// emails, whose hosts are domain tokens too); names below it, and names
// that are no public suffix, match their subdomains as before. The
// reference implementation agrees (ruleRun).
func TestRulePublicSuffix(t *testing.T) {
	D, U, E := indicator.Domain, indicator.URL, indicator.Email
	ruleRun(t, psIndicators, []ruleCase{
		{"duckdns.org", []ruleHit{rh(D, "duckdns.org", "duckdns.org")}},
		{"q=DuckDNS.ORG.", []ruleHit{rh(D, "duckdns.org", "DuckDNS.ORG")}},
		{"-duckdns.org-", []ruleHit{rh(D, "duckdns.org", "duckdns.org")}},
		{"a.duckdns.org", nil},
		{"x.y.duckdns.org a..duckdns.org", nil},
		{"averyveryverylonglabelthatislongerthanany.duckdns.org", nil},
		{"xduckdns.org duckdns.org.au", nil},
		{"evil.duckdns.org", []ruleHit{rh(D, "evil.duckdns.org", "evil.duckdns.org")}},
		{"c2.evil.duckdns.org", []ruleHit{rh(D, "evil.duckdns.org", "c2.evil.duckdns.org")}},
		{"co.uk", []ruleHit{rh(D, "co.uk", "co.uk")}},
		{"shop.co.uk", nil},
		{"evil.co.uk", []ruleHit{rh(D, "evil.co.uk", "evil.co.uk")}},
		{"a.evil.co.uk", []ruleHit{rh(D, "evil.co.uk", "a.evil.co.uk")}},
		{"com.au shop.com.au", []ruleHit{rh(D, "com.au", "com.au")}},
		{"main.d1abc.amplifyapp.com amplifyapp.com", []ruleHit{rh(D, "amplifyapp.com", "amplifyapp.com")}},
		{"GET https://www.googleapis.com/oauth2", nil},
		{"x.ck a.x.ck", []ruleHit{rh(D, "x.ck", "x.ck")}},
		{"www.ck a.www.ck", []ruleHit{rh(D, "www.ck", "www.ck"), rh(D, "www.ck", "a.www.ck")}},
		{"vpn.corp.internal", []ruleHit{rh(D, "corp.internal", "vpn.corp.internal")}},
		{"a.evil.com", []ruleHit{rh(D, "evil.com", "a.evil.com")}},
		// hosts of URLs and emails are domain tokens
		{"http://a.duckdns.org/x", nil},
		{"http://duckdns.org/x", []ruleHit{rh(U, "http://duckdns.org/x", "http://duckdns.org/x"), rh(D, "duckdns.org", "duckdns.org")}},
		{"alice@a.duckdns.org", nil},
		{"bob@duckdns.org", []ruleHit{rh(E, "bob@duckdns.org", "bob@duckdns.org"), rh(D, "duckdns.org", "duckdns.org")}},
		// JSON escapes decoded first
		{`{"h":"a\u002educkdns.org"}`, nil},
		{`{"h":"duckdns\u002eorg"}`, []ruleHit{rh(D, "duckdns.org", `duckdns\u002eorg`)}},
	})
}

// TestLookupDomainPublicSuffix: the field lookups follow the same rule.
func TestLookupDomainPublicSuffix(t *testing.T) {
	m, err := match.Compile(psIndicators, match.Options{})
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		want []string // from the name itself to its shortest parent
	}{
		{"duckdns.org", []string{"duckdns.org"}},
		{"DUCKDNS.org.", []string{"duckdns.org"}},
		{"a.duckdns.org", nil},
		{"evil.duckdns.org", []string{"evil.duckdns.org"}},
		{"c2.evil.duckdns.org", []string{"evil.duckdns.org"}},
		{"co.uk", []string{"co.uk"}},
		{"bbc.co.uk", nil},
		{"a.evil.co.uk", []string{"evil.co.uk"}},
		{"www.googleapis.com", nil},
		{"a.x.ck", nil},
		{"a.www.ck", []string{"www.ck"}},
		{"a.evil.com", []string{"evil.com"}},
		{strings.Repeat("a", 60) + ".duckdns.org", nil},
	} {
		var got []string
		for _, id := range m.LookupDomain(c.name) {
			got = append(got, m.Entry(id).Value)
		}
		require.Equal(t, c.want, got, "LookupDomain(%q)", c.name)
		got = got[:0]
		for _, id := range m.AppendDomain(make([]match.ID, 0, 4), c.name) {
			got = append(got, m.Entry(id).Value)
		}
		require.Equal(t, c.want, got[:len(got):len(got)], "AppendDomain(%q)", c.name)
		require.Equal(t, len(c.want) > 0, len(m.Lookup(indicator.Domain, c.name)) > 0, "Lookup(domain, %q)", c.name)
	}
	// a URL indicator with a public suffix as host is a URL: unaffected
	require.Len(t, m.LookupURL("https://duckdns.org/x?a=1"), 1)
	require.Empty(t, m.LookupURL("http://a.duckdns.org/x"))
	require.Len(t, m.LookupEmail("Bob@DuckDNS.org"), 1)
}

// TestExactOnly: Entry.ExactOnly and Matcher.ExactOnly say which entries
// the rule applies to: domains that are public suffixes, nothing else.
func TestExactOnly(t *testing.T) {
	exact := map[string]bool{"duckdns.org": true, "co.uk": true, "com.au": true, "amplifyapp.com": true, "googleapis.com": true, "x.ck": true}
	m, err := match.Compile(psIndicators, match.Options{})
	require.NoError(t, err)
	require.Equal(t, len(psIndicators), m.Len())
	for id := range match.ID(m.Len()) {
		e := m.Entry(id)
		want := e.Type == indicator.Domain && exact[e.Value]
		require.Equal(t, want, e.ExactOnly, "Entry(%s).ExactOnly", e.Value)
		require.Equal(t, want, m.ExactOnly(id), "ExactOnly(%s)", e.Value)
	}
}

// TestSubdomainsOfPublicSuffixes: the option restores the former rule, a
// public suffix matching its subdomains like any domain, and then no
// entry is ExactOnly.
func TestSubdomainsOfPublicSuffixes(t *testing.T) {
	m, err := match.Compile(psIndicators, match.Options{SubdomainsOfPublicSuffixes: true})
	require.NoError(t, err)
	for id := range match.ID(m.Len()) {
		require.False(t, m.ExactOnly(id), m.Entry(id).Value)
		require.False(t, m.Entry(id).ExactOnly, m.Entry(id).Value)
	}
	var got []string
	for _, id := range m.LookupDomain("c2.evil.duckdns.org") {
		got = append(got, m.Entry(id).Value)
	}
	require.Equal(t, []string{"evil.duckdns.org", "duckdns.org"}, got)
	line := []byte("www.googleapis.com shop.co.uk")
	got = got[:0]
	for _, x := range m.AppendMatches(nil, line) {
		got = append(got, fmt.Sprintf("%s=%s", line[x.Start:x.End], m.Entry(x.ID).Value))
	}
	require.Equal(t, []string{"www.googleapis.com=googleapis.com", "shop.co.uk=co.uk"}, got)
}

// TestPublicSuffixBareTLD: a top-level domain alone ("com") is no domain
// indicator (two labels at least), so it can never match "a.com": New
// rejects it, and Compile rejects one built by hand, naming its index.
func TestPublicSuffixBareTLD(t *testing.T) {
	for _, v := range []string{"com", "uk", "COM."} {
		_, err := indicator.New(indicator.Domain, v)
		require.Error(t, err, "New(domain, %q)", v)
		_, err = match.Compile([]indicator.Indicator{ri(indicator.Domain, "evil.com"), {Type: indicator.Domain, Value: v}}, match.Options{})
		require.ErrorContains(t, err, "indicator 1", "Compile with domain %q", v)
	}
}

// TestAllocsPublicSuffix: lines with tokens below an exact-only entry
// (found in the table, then rejected) and with its exact name do not
// allocate, with room in dst; nor do the lookups.
func TestAllocsPublicSuffix(t *testing.T) { onPaths(t, testAllocsPublicSuffix) }

func testAllocsPublicSuffix(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	m, err := match.Compile(psIndicators, match.Options{})
	require.NoError(t, err)
	miss := []byte("GET https://www.googleapis.com/x from a.duckdns.org via shop.co.uk and b.x.ck")
	hit := []byte("duckdns.org a.evil.co.uk co.uk c2.evil.duckdns.org")
	dst := make([]match.Match, 0, 16)
	ids := make([]match.ID, 0, 16)
	require.Zero(t, testing.AllocsPerRun(100, func() { dst = m.AppendMatches(dst[:0], miss) }))
	require.Empty(t, dst)
	require.Zero(t, testing.AllocsPerRun(100, func() { dst = m.AppendMatches(dst[:0], hit) }))
	require.Len(t, dst, 4)
	require.Zero(t, testing.AllocsPerRun(100, func() { ids = m.AppendDomain(ids[:0], "a.duckdns.org") }))
	require.Empty(t, ids)
	require.Zero(t, testing.AllocsPerRun(100, func() { ids = m.AppendDomain(ids[:0], "duckdns.org") }))
	require.Len(t, ids, 1)
}
