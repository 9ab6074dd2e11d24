package indicator

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"", " ", "1.2.3.4", "01.2.3.4", "::ffff:1.2.3.4", "fe80::1%eth0", "fe80::1%eth0/64",
	"10.1.2.3/8", "::ffff:10.1.2.3/104", "2001:db8::/32", "1.2.3.4/32", "[2001:db8::1]:443",
	"evil.example", "*.Evil.Example.", "bücher.example", "bücher。example。", "evil.123",
	"http://user:pw@Evil.Example:80/A?b#c", "hxxps[://]evil[.]example/a", "evil.example/r?u=http://x",
	"medium.example/@user", "http://[::1]:8080", "http://x.\u2100.example/", "http://１.２.３.４/",
	"User@Evil.Example", "a@b@c.example", md5Hex, strings.ToUpper(sha1Hex), sha256Hex, sha512Hex,
	`HKEY_LOCAL_MACHINE\x`, "hkcu", "evil.example:8080", "1.2.3.4:80/x", "10.0.0.0/33",
	"user[at]evil[dot]example", "evil\\.example", "fxp[.]example", "meows://x.example",
}

// FuzzParse checks that Parse never panics and that what it returns is
// canonical: New on it gives it back.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ind, err := Parse(s)
		if err != nil {
			if !same(ind, Indicator{}) {
				t.Fatalf("Parse(%q) = %v with error %v", s, ind, err)
			}
			if !strings.Contains(err.Error(), quote(s)) {
				t.Fatalf("Parse(%q) error %q does not quote the value", s, err)
			}
			return
		}
		checkCanonical(t, "Parse", s, ind)
		// the canonical value parses to itself (a url keeps its scheme, a
		// domain has no port ...), except where refanging changes it
		if Refang(ind.Value) == ind.Value {
			again, err := Parse(ind.Value)
			if err != nil {
				t.Fatalf("Parse(%q) = %v, but Parse(%q): %v", s, ind, ind.Value, err)
			}
			if !same(again, ind) {
				t.Fatalf("Parse(%q) = %v, but Parse(%q) = %v", s, ind, ind.Value, again)
			}
		}
	})
}

// FuzzNew checks, for every type, that New never panics and that its
// results are fixed points.
func FuzzNew(f *testing.F) {
	for _, s := range fuzzSeeds {
		for _, typ := range Types() {
			if typ == IPv4 || typ == Domain || typ == URL || typ == Email || typ == MD5 || typ == RegKey {
				f.Add(uint8(typ), s)
			}
		}
	}
	f.Add(uint8(0), "x")
	f.Add(uint8(200), "x")
	f.Fuzz(func(t *testing.T, typ uint8, s string) {
		ind, err := New(Type(typ), s)
		if err != nil {
			if !same(ind, Indicator{}) {
				t.Fatalf("New(%v, %q) = %v with error %v", Type(typ), s, ind, err)
			}
			if !strings.Contains(err.Error(), quote(s)) {
				t.Fatalf("New(%v, %q) error %q does not quote the value", Type(typ), s, err)
			}
			return
		}
		if !Type(typ).Valid() {
			t.Fatalf("New(%v, %q) = %v", Type(typ), s, ind)
		}
		if Type(typ).IsString() && ind.Value != s && Type(typ) != RegKey {
			t.Fatalf("New(%v, %q) = %q, want the value as given", Type(typ), s, ind.Value)
		}
		if Type(typ).IsAddress() != ind.Type.IsAddress() && Type(typ) != Domain {
			t.Fatalf("New(%v, %q) = %v: type class changed", Type(typ), s, ind)
		}
		checkCanonical(t, "New", s, ind)
		// ParseAs agrees with New on values with nothing to refang
		if Refang(s) == s {
			pa, err := ParseAs(Type(typ), s)
			if err != nil || !same(pa, ind) {
				t.Fatalf("New(%v, %q) = %v but ParseAs = %v, %v", Type(typ), s, ind, pa, err)
			}
		}
	})
}

func quote(s string) string { return strconv.Quote(s) }

func checkCanonical(t *testing.T, fn, s string, ind Indicator) {
	t.Helper()
	if !ind.Type.Valid() {
		t.Fatalf("%s(%q) = %v: invalid type", fn, s, ind)
	}
	if ind.Value == "" || len(ind.Value) > MaxValueLen*2 {
		t.Fatalf("%s(%q) = %v: bad value length", fn, s, ind)
	}
	again, err := New(ind.Type, ind.Value)
	if err != nil {
		t.Fatalf("%s(%q) = %v, but New(%v, %q): %v", fn, s, ind, ind.Type, ind.Value, err)
	}
	if !same(again, ind) {
		t.Fatalf("%s(%q) = %v, but New(%v, %q) = %v", fn, s, ind, ind.Type, ind.Value, again)
	}
	if !ind.Type.IsString() {
		if strings.TrimSpace(ind.Value) != ind.Value {
			t.Fatalf("%s(%q) = %v: white space around the value", fn, s, ind)
		}
		if ind.Type != URL && !utf8.ValidString(ind.Value) {
			t.Fatalf("%s(%q) = %v: not UTF-8", fn, s, ind)
		}
	}
	switch ind.Type {
	case IPv4, IPv6, CIDR, Domain, Email, MD5, SHA1, SHA256, SHA512:
		if strings.ToLower(ind.Value) != ind.Value {
			t.Fatalf("%s(%q) = %v: not lower case", fn, s, ind)
		}
		for i := 0; i < len(ind.Value); i++ {
			if ind.Value[i] >= 0x80 || ind.Value[i] <= ' ' {
				t.Fatalf("%s(%q) = %v: not printable ASCII", fn, s, ind)
			}
		}
	case URL:
		if !strings.Contains(ind.Value, "://") || strings.ContainsAny(ind.Value, "# \t\r\n") {
			t.Fatalf("%s(%q) = %v: bad url", fn, s, ind)
		}
	}
}

// same reports whether a and b have the same type and value and both have
// empty metadata.
func same(a, b Indicator) bool {
	return a.Type == b.Type && a.Value == b.Value &&
		reflect.DeepEqual(a.Meta, Meta{}) && reflect.DeepEqual(b.Meta, Meta{})
}

// FuzzMayBeAddr: mayBeAddr, the cheap test that spares names and hashes
// a failed address parse, never says no to a value canonicalAddr
// accepts.
func FuzzMayBeAddr(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "fe80::1%eth0", "10.0.0.0/8", "1.2.3.4/32", "::ffff:1.2.3.4/120", "evil.example",
		"d41d8cd98f00b204e9800998ecf8427e", "1.2.3.4%x", "1.2.3.com", "0x7f.0.0.1", "[::1]", "1.2.3.4.", ".1.2.3.4", "2001:db8::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if _, _, err := canonicalAddr(v); err == nil && !mayBeAddr(v) {
			t.Fatalf("canonicalAddr accepts %q, mayBeAddr says no", v)
		}
	})
}
