package match_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

func Example() {
	var inds []indicator.Indicator
	for _, v := range []string{"evil[.]example", "198.51.100.0/24", "hxxp://phish.example/login"} {
		ind, err := indicator.Parse(v)
		if err != nil {
			panic(err)
		}
		ind.Source = "my-feed"
		inds = append(inds, ind)
	}
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		panic(err)
	}
	line := []byte(`198.51.100.7 GET https://phish.example/login?u=bob "ref: a.EVIL.example"`)
	for _, x := range m.AppendMatches(nil, line) {
		e := m.Entry(x.ID)
		fmt.Printf("%s %q matches %s from %v\n", x.Type, line[x.Start:x.End], e.Value, e.Sources())
	}
	// Output:
	// cidr "198.51.100.7" matches 198.51.100.0/24 from [my-feed]
	// url "https://phish.example/login?u=bob" matches http://phish.example/login from [my-feed]
	// domain "a.EVIL.example" matches evil.example from [my-feed]
}

func ExampleMatcher_AppendMatches_jsonLine() {
	m, _ := match.Compile([]indicator.Indicator{
		indicator.MustNew(indicator.RegKey, `HKEY_LOCAL_MACHINE\Software\Evil`),
		indicator.MustNew(indicator.Filename, "dropper.exe"),
	}, match.Options{})
	line := []byte(`{"TargetObject":"HKLM\\SOFTWARE\\Evil\\Run","Image":"C:\\Temp\\dropper.exe"}`)
	var dst []match.Match
	for _, x := range m.AppendMatches(dst, line) {
		fmt.Printf("%s %s at [%d,%d) = %s\n", x.Type, m.Entry(x.ID).Value, x.Start, x.End, line[x.Start:x.End])
	}
	// Output:
	// regkey HKLM\Software\Evil at [17,37) = HKLM\\SOFTWARE\\Evil
	// filename dropper.exe at [63,74) = dropper.exe
}

func ExampleMatcher_LookupAddr() {
	m, _ := match.Compile([]indicator.Indicator{
		indicator.MustNew(indicator.CIDR, "10.0.0.0/8"),
		indicator.MustNew(indicator.CIDR, "10.1.0.0/16"),
		indicator.MustNew(indicator.IPv4, "10.1.2.3"),
	}, match.Options{})
	for _, id := range m.LookupAddr(netip.MustParseAddr("10.1.2.3")) {
		fmt.Println(m.Entry(id).Value)
	}
	// Output:
	// 10.1.2.3
	// 10.1.0.0/16
	// 10.0.0.0/8
}

func ExampleMatcher_LookupDomain() {
	m, _ := match.Compile([]indicator.Indicator{indicator.MustNew(indicator.Domain, "evil.example")}, match.Options{})
	fmt.Println(len(m.LookupDomain("cdn.Evil.Example.")), len(m.LookupDomain("notevil.example")))
	// Output: 1 0
}

func ExampleOptions() {
	ind := indicator.MustNew(indicator.Domain, "old.example")
	ind.ValidUntil = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	low := indicator.MustNew(indicator.Domain, "weak.example")
	low.Confidence = indicator.MustConfidence(20)
	clock := func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	m, _ := match.Compile([]indicator.Indicator{ind, low}, match.Options{Now: clock, MinConfidence: 50})
	fmt.Println(m.Len(), m.Contains([]byte("old.example")), m.Contains([]byte("weak.example")))
	// Output: 1 false false
}

func ExampleMatcher_View() {
	m, _ := match.Compile([]indicator.Indicator{
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "feedA",
			Confidence: indicator.MustConfidence(60), TLP: indicator.TLPGreen, Tags: []string{"c2"}}},
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{Source: "feedB",
			Confidence: indicator.MustConfidence(85), TLP: indicator.TLPAmber, Tags: []string{"phishing", "c2"},
			Severity: indicator.SeverityHigh}},
	}, match.Options{})
	for _, x := range m.AppendMatches(nil, []byte("GET http://www.evil.example/")) {
		v := m.View(x.ID)
		fmt.Println(v.Sources, v.Confidence, v.Severity, v.TLP, v.Tags, v.Records)
	}
	// Output:
	// [feedA feedB] 85 high amber [c2 phishing] 2
}

// A domain indicator that is a public suffix, a name under which anyone
// can register subdomains (duckdns.org, co.uk), matches that name only:
// its subdomains are other people's names. A name below it matches its
// subdomains as usual.
func ExampleMatcher_ExactOnly() {
	m, _ := match.Compile([]indicator.Indicator{
		indicator.MustNew(indicator.Domain, "duckdns.org"),
		indicator.MustNew(indicator.Domain, "evil.duckdns.org"),
	}, match.Options{})
	for id := range match.ID(m.Len()) {
		fmt.Println(m.Entry(id).Value, "exact only:", m.ExactOnly(id))
	}
	line := []byte("dns query home.duckdns.org, c2.evil.duckdns.org, duckdns.org")
	for _, x := range m.AppendMatches(nil, line) {
		fmt.Printf("%q matches %s\n", line[x.Start:x.End], m.Entry(x.ID).Value)
	}
	// Output:
	// duckdns.org exact only: true
	// evil.duckdns.org exact only: false
	// "c2.evil.duckdns.org" matches evil.duckdns.org
	// "duckdns.org" matches duckdns.org
}

// Options.SubdomainsOfPublicSuffixes restores the former rule: a public
// suffix matches its subdomains like any other domain indicator.
func ExampleOptions_subdomainsOfPublicSuffixes() {
	inds := []indicator.Indicator{indicator.MustNew(indicator.Domain, "duckdns.org")}
	for _, opts := range []match.Options{{}, {SubdomainsOfPublicSuffixes: true}} {
		m, _ := match.Compile(inds, opts)
		fmt.Println(opts.SubdomainsOfPublicSuffixes, len(m.LookupDomain("home.duckdns.org")))
	}
	// Output:
	// false 0
	// true 1
}

// Batch lookups take many keys at once and tell which key each ID is
// for.
func ExampleMatcher_AppendAddrs() {
	m, _ := match.Compile([]indicator.Indicator{
		indicator.MustNew(indicator.IPv4, "203.0.113.7"),
		indicator.MustNew(indicator.CIDR, "198.51.100.0/24"),
	}, match.Options{})
	keys := []netip.Addr{
		netip.MustParseAddr("192.0.2.1"),
		netip.MustParseAddr("203.0.113.7"),
		netip.MustParseAddr("198.51.100.9"),
	}
	for _, x := range m.AppendAddrs(nil, keys) {
		fmt.Println(keys[x.Key], m.Entry(x.ID).Value)
	}
	// Output:
	// 203.0.113.7 203.0.113.7
	// 198.51.100.9 198.51.100.0/24
}
