package indicator

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	md5Hex    = "d41d8cd98f00b204e9800998ecf8427e"
	sha1Hex   = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
	sha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	sha512Hex = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
)

// inferCases are bare (not defanged) values: Infer gives wantT's inferred
// type (the type before canonicalisation), Parse the canonical indicator.
var inferCases = []struct {
	in     string
	infer  Type
	wantT  Type
	wantV  string
	parsed bool // Parse only (needs refanging)
}{
	// url: scheme://
	{in: "http://evil.example/a", infer: URL, wantT: URL, wantV: "http://evil.example/a"},
	{in: "HTTPS://Evil.Example:443/A?b#c", infer: URL, wantT: URL, wantV: "https://evil.example/A?b"},
	{in: "ftp://1.2.3.4/x", infer: URL, wantT: URL, wantV: "ftp://1.2.3.4/x"},
	{in: "http://[::1]:8080", infer: URL, wantT: URL, wantV: "http://[::1]:8080/"},
	// addresses and prefixes
	{in: "1.2.3.4", infer: IPv4, wantT: IPv4, wantV: "1.2.3.4"},
	{in: " 1.2.3.4 ", infer: IPv4, wantT: IPv4, wantV: "1.2.3.4"},
	{in: "2001:DB8::1", infer: IPv6, wantT: IPv6, wantV: "2001:db8::1"},
	{in: "::ffff:1.2.3.4", infer: IPv4, wantT: IPv4, wantV: "1.2.3.4"},
	{in: "fe80::1%eth0", infer: IPv6, wantT: IPv6, wantV: "fe80::1"},
	{in: "10.1.2.3/8", infer: CIDR, wantT: CIDR, wantV: "10.0.0.0/8"},
	{in: "2001:db8::/32", infer: CIDR, wantT: CIDR, wantV: "2001:db8::/32"},
	{in: "1.2.3.4/32", infer: IPv4, wantT: IPv4, wantV: "1.2.3.4"},
	{in: "2001:db8::1/128", infer: IPv6, wantT: IPv6, wantV: "2001:db8::1"},
	{in: "::ffff:1.2.3.4/128", infer: IPv4, wantT: IPv4, wantV: "1.2.3.4"},
	{in: "::ffff:1.2.3.4/120", infer: CIDR, wantT: CIDR, wantV: "1.2.3.0/24"},
	{in: "fe80::1%eth0/10", infer: CIDR, wantT: CIDR, wantV: "fe80::/10"},
	// hashes
	{in: md5Hex, infer: MD5, wantT: MD5, wantV: md5Hex},
	{in: strings.ToUpper(md5Hex), infer: MD5, wantT: MD5, wantV: md5Hex},
	{in: sha1Hex, infer: SHA1, wantT: SHA1, wantV: sha1Hex},
	{in: sha256Hex, infer: SHA256, wantT: SHA256, wantV: sha256Hex},
	{in: strings.ToUpper(sha512Hex), infer: SHA512, wantT: SHA512, wantV: sha512Hex},
	// email
	{in: "User@Evil.Example", infer: Email, wantT: Email, wantV: "user@evil.example"},
	{in: "a+b@bücher.example", infer: Email, wantT: Email, wantV: "a+b@xn--bcher-kva.example"},
	// host/path
	{in: "evil.example/a/B", infer: URL, wantT: URL, wantV: "http://evil.example/a/B"},
	{in: "evil.example/", infer: URL, wantT: URL, wantV: "http://evil.example/"},
	{in: "Evil.Example:8080/x", infer: URL, wantT: URL, wantV: "http://evil.example:8080/x"},
	{in: "evil.example:80/x", infer: URL, wantT: URL, wantV: "http://evil.example/x"},
	{in: "1.2.3.4/a", infer: URL, wantT: URL, wantV: "http://1.2.3.4/a"},
	{in: "1.2.3.4/", infer: URL, wantT: URL, wantV: "http://1.2.3.4/"},
	{in: "1.2.3.4:8080/a", infer: URL, wantT: URL, wantV: "http://1.2.3.4:8080/a"},
	{in: "evil.example/r?u=http://x.example/", infer: URL, wantT: URL, wantV: "http://evil.example/r?u=http://x.example/"},
	{in: "medium.example/@user/post", infer: URL, wantT: URL, wantV: "http://medium.example/@user/post"},
	{in: "user@evil.example/x", infer: URL, wantT: URL, wantV: "http://evil.example/x"},
	{in: "bücher.example/x", infer: URL, wantT: URL, wantV: "http://xn--bcher-kva.example/x"},
	// host:port
	{in: "evil.example:8080", infer: Domain, wantT: Domain, wantV: "evil.example"},
	{in: "1.2.3.4:443", infer: IPv4, wantT: IPv4, wantV: "1.2.3.4"},
	{in: "[2001:db8::1]:443", infer: IPv6, wantT: IPv6, wantV: "2001:db8::1"},
	{in: "[::ffff:1.2.3.4]:443", infer: IPv4, wantT: IPv4, wantV: "1.2.3.4"},
	// domain
	{in: "Evil.Example", infer: Domain, wantT: Domain, wantV: "evil.example"},
	{in: "evil.example.", infer: Domain, wantT: Domain, wantV: "evil.example"},
	{in: "*.evil.example", infer: Domain, wantT: Domain, wantV: "evil.example"},
	{in: "bücher.example", infer: Domain, wantT: Domain, wantV: "xn--bcher-kva.example"},
	{in: "deadbeef.example", infer: Domain, wantT: Domain, wantV: "deadbeef.example"},
	// a hex string of another length is not a hash
	{in: md5Hex[:31] + ".example", infer: Domain, wantT: Domain, wantV: md5Hex[:31] + ".example"},
	// defanged: Parse only
	{in: "hxxp://evil[.]example", wantT: URL, wantV: "http://evil.example/", parsed: true},
	{in: "hxxps[://]Evil[.]example:443/a?b=1#frag", wantT: URL, wantV: "https://evil.example/a?b=1", parsed: true},
	{in: "evil[.]example", wantT: Domain, wantV: "evil.example", parsed: true},
	{in: "1.2.3[.]4", wantT: IPv4, wantV: "1.2.3.4", parsed: true},
	{in: "10[.]0[.]0[.]0/8", wantT: CIDR, wantV: "10.0.0.0/8", parsed: true},
	{in: "user[at]evil[dot]example", wantT: Email, wantV: "user@evil.example", parsed: true},
	{in: "evil\\.example[/]x", wantT: URL, wantV: "http://evil.example/x", parsed: true},
	{in: "fxp://files(.)example/x", wantT: URL, wantV: "ftp://files.example/x", parsed: true},
	{in: " evil[.]example\n", wantT: Domain, wantV: "evil.example", parsed: true},
}

func TestInferAndParse(t *testing.T) {
	for _, tt := range inferCases {
		if !tt.parsed {
			got, err := Infer(tt.in)
			if assert.NoError(t, err, "Infer(%q)", tt.in) {
				assert.Equal(t, tt.infer, got, "Infer(%q)", tt.in)
			}
		}
		ind, err := Parse(tt.in)
		if !assert.NoError(t, err, "Parse(%q)", tt.in) {
			continue
		}
		assert.Equal(t, tt.wantT, ind.Type, "Parse(%q)", tt.in)
		assert.Equal(t, tt.wantV, ind.Value, "Parse(%q)", tt.in)
		again, err := New(ind.Type, ind.Value)
		require.NoError(t, err)
		assert.Equal(t, ind, again)
	}
}

var notInferable = []string{
	"", "  ", "evil", "localhost", "evil.123", "1.2.3", "1.2.3.4.5", "01.2.3.4",
	"evil.exe", "conhost.exe", "invoice.pdf", "authmd4.dll", "b.src", "payload.bin:443", // no such TLD
	"conhost.exe/x", "user@conhost.exe/x", "evil.example.exe", "evil.bücher", // nor as a url's host
	`C:\Windows\evil.exe`, `HKLM\Software\Evil`, "Global\\MutexName", "Mozilla/5.0 (X11)",
	"free text here", "evil .example", "/etc/passwd", "/", "evil.example?x", "?x",
	"evil.example:", ":80", "evil.example:123456", "evil:8080", "[::1]", "[1.2.3.4]:80", "[::1]:x",
	"[evil.example]:80", "[::1:80", "10.0.0.0/33", "1.2.3.4/08", "2001:db8::/129",
	"user@", "@evil.example", "user@evil", "üser@evil.example", "a b@evil.example",
	"http//evil.example", "evil.example://x", "1http://evil.example", "http://", "http://evil/",
	"http://evil.example/a b", md5Hex[:31], md5Hex + "0", md5Hex[:31] + "g",
	"evil.example/a b", "evil..example", "-evil.example", `evil.example\@good.example/`,
}

func TestInferParseErrors(t *testing.T) {
	for _, in := range notInferable {
		ind, err := Parse(in)
		if assert.Error(t, err, "Parse(%q) = %v", in, ind) {
			assert.Zero(t, ind)
			assert.True(t, strings.Contains(err.Error(), fmt.Sprintf("%q", in)), "error %q does not quote %q", err, in)
			var e *Error
			require.True(t, errors.As(err, &e), "%T", err)
			assert.Equal(t, in, e.Value)
		}
		// Infer says no, or says a type New then refuses
		typ, err := Infer(in)
		if err == nil {
			_, err2 := New(typ, in)
			assert.Error(t, err2, "Infer(%q) = %v and New accepts", in, typ)
		} else {
			assert.Equal(t, Invalid, typ)
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", in))
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, Invalid, e.Type)
			assert.Equal(t, in, e.Value)
		}
	}
	// Infer does not refang
	_, err := Infer("evil[.]example")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"evil[.]example"`)
	// Parse quotes the value as given, not refanged
	_, err = Parse("hxxp://evil[.]example/a b")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"hxxp://evil[.]example/a b"`)
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, URL, e.Type)
	// an inferred type whose value New rejects
	_, err = Parse("http://evil")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `invalid url "http://evil"`)
	// too long
	long := strings.Repeat("a", MaxValueLen) + ".example"
	_, err = Parse(long)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("%q", long))
}

func TestParseAs(t *testing.T) {
	tests := []struct {
		t     Type
		in    string
		wantT Type
		want  string
	}{
		{Domain, "evil[.]example", Domain, "evil.example"},
		{Domain, "evil[.]example:8080", Domain, ""}, // New has no host:port rule
		{URL, "hxxp://evil[.]example", URL, "http://evil.example/"},
		{URL, "evil[.]example/x", URL, "http://evil.example/x"},
		{IPv4, "1.2.3[.]4", IPv4, "1.2.3.4"},
		{IPv4, "2001:db8::1", IPv6, "2001:db8::1"},
		{Email, "user[at]evil[.]example", Email, "user@evil.example"},
		{MD5, md5Hex, MD5, md5Hex},
		{RegKey, `HKEY_LOCAL_MACHINE\a[.]b`, RegKey, `HKLM\a[.]b`},
		{Filename, "evil[.]exe", Filename, "evil[.]exe"},
		{String, "hxxp://evil[.]example", String, "hxxp://evil[.]example"},
		{UserAgent, " x[.]y ", UserAgent, " x[.]y "},
	}
	for _, tt := range tests {
		ind, err := ParseAs(tt.t, tt.in)
		if tt.want == "" {
			if assert.Error(t, err, "ParseAs(%v, %q)", tt.t, tt.in) {
				assert.Contains(t, err.Error(), fmt.Sprintf("%q", tt.in))
			}
			continue
		}
		require.NoError(t, err, "ParseAs(%v, %q)", tt.t, tt.in)
		assert.Equal(t, tt.wantT, ind.Type)
		assert.Equal(t, tt.want, ind.Value)
	}
}

// TestInferTLD: inference takes a name for a domain only under a top-level
// domain of the ICANN section of the Public Suffix List or a special-use
// name; New and ParseAs take any TLD.
func TestInferTLD(t *testing.T) {
	tests := []struct {
		in   string
		want Type // Invalid: cannot be inferred
	}{
		{"evil.com", Domain},
		{"evil.co.uk", Domain},
		{"evil.xyz", Domain},
		{"evil.top", Domain},
		{"a.b.c.online", Domain},
		{"evil.duckdns.org", Domain}, // a private-section suffix under a real TLD
		{"invoice.zip", Domain},      // .zip and .mov are delegated TLDs: names that resolve
		{"clip.mov", Domain},
		{"EVIL.COM.", Domain},
		{"xn--80ak6aa92e.xn--p1ai", Domain}, // .рф in punycode
		{"пример.рф", Domain},
		{"evil.example", Domain}, // special-use names
		{"evil.test", Domain},
		{"host.local", Domain},
		{"abcdefghijklmnop.onion", Domain},
		{"evil.alt", Domain},
		{"conhost.exe", Invalid},
		{"invoice.pdf", Invalid},
		{"authmd4.dll", Invalid},
		{"b.src", Invalid},
		{"report.docx", Invalid},
		{"evil.bit", Domain}, // alternative roots of malware C2
		{"aegijmaliijo.bazar", Domain},
		{"smilepant.com.np", Domain}, // a ccTLD with a wildcard rule (*.np)
		{"evil.np", Domain},
		{"juiod.or.tp", Invalid}, // a TLD retired from the root zone
		{"conhost.exe:443", Invalid},
		{"evil.com:443", Domain},
		{"evil.com/a", URL},
		{"conhost.exe/a", Invalid},
		{"1.2.3.4/a", URL},
		{"http://conhost.exe/a", URL}, // a scheme says it is a url
		{"user@conhost.exe", Email},   // so does an '@'
	}
	for _, tt := range tests {
		got, err := Infer(tt.in)
		assert.Equal(t, tt.want, got, "Infer(%q)", tt.in)
		if tt.want == Invalid {
			require.Error(t, err, tt.in)
			assert.Contains(t, err.Error(), "known TLD")
			_, err = Parse(tt.in)
			assert.Error(t, err, "Parse(%q)", tt.in)
		} else {
			assert.NoError(t, err, tt.in)
		}
	}
	// typed, any TLD is accepted
	for _, v := range []string{"conhost.exe", "evil.tp", "b.src"} {
		ind, err := ParseAs(Domain, v)
		require.NoError(t, err, v)
		assert.Equal(t, v, ind.Value)
	}
}

// BenchmarkParseDomain is the cost of a plain-list domain line; the TLD
// check (knownTLD) is BenchmarkKnownTLD's part of it.
func BenchmarkParseDomain(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("cdn.jquery-updates.top"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKnownTLD(b *testing.B) {
	for b.Loop() {
		if !knownTLD("cdn.jquery-updates.top") {
			b.Fatal("top")
		}
	}
}
