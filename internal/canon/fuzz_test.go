package canon

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzParseIPv6 compares ParseIPv6 with net/netip on inputs without a zone.
func FuzzParseIPv6(f *testing.F) {
	for _, s := range ipv6Forms {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "%") {
			return
		}
		ip, ok := ParseIPv6([]byte(s))
		a, err := netip.ParseAddr(s)
		want := err == nil && a.Is6()
		if ok != want {
			t.Fatalf("ParseIPv6(%q) ok = %v; netip.ParseAddr = %v, %v", s, ok, a, err)
		}
		if ok && ip != a.As16() {
			t.Fatalf("ParseIPv6(%q) = %v; netip: %v", s, netip.AddrFrom16(ip), a)
		}
	})
}

// FuzzParseIPv4 compares ParseIPv4 with net/netip (which also rejects
// leading zeros).
func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "0.0.0.0", "255.255.255.255", "01.2.3.4", "256.1.1.1",
		"1.2.3", "1.2.3.4.5", "1..2.3", "", "::1", "1.2.3.-4", "1.2.3.4 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, ok := ParseIPv4([]byte(s))
		a, err := netip.ParseAddr(s)
		want := err == nil && a.Is4()
		if ok != want {
			t.Fatalf("ParseIPv4(%q) ok = %v; netip.ParseAddr = %v, %v", s, ok, a, err)
		}
		if ok && ip != a.As4() {
			t.Fatalf("ParseIPv4(%q) = %v; netip: %v", s, ip, a)
		}
	})
}

// FuzzSplitURL checks that SplitURL does not panic, that its pieces are
// consistent, and that the key of a URL rebuilt from the key is the same.
func FuzzSplitURL(f *testing.F) {
	for _, s := range []string{"http://evil.example/a?b#c", "https://u:p@Evil.Example:0443/A",
		"[::1]:80/x", "evil.example", "http://[::ffff:1.2.3.4]/", "ftp://1.2.3.4:21"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := SplitURL([]byte(s))
		if !ok {
			return
		}
		if len(p.Host) == 0 {
			t.Fatalf("SplitURL(%q): empty host", s)
		}
		if p.Port != nil && (len(p.Port) == 0 || len(p.Port) > 5) {
			t.Fatalf("SplitURL(%q): port %q", s, p.Port)
		}
		if len(p.Path) > 0 && p.Path[0] != '/' {
			t.Fatalf("SplitURL(%q): path %q", s, p.Path)
		}
		if !p.HasQuery && len(p.Query) > 0 {
			t.Fatalf("SplitURL(%q): query without '?'", s)
		}
		key := AppendURLKey(nil, p)
		url := string(p.Scheme)
		if p.Scheme != nil {
			url += "://"
		}
		p2, ok := SplitURL([]byte(url + string(key)))
		if !ok {
			t.Fatalf("SplitURL(%q) key %q does not split", s, key)
		}
		if key2 := AppendURLKey(nil, p2); string(key2) != string(key) {
			t.Fatalf("SplitURL(%q) key %q, then %q", s, key, key2)
		}
	})
}
