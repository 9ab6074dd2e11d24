package indicator

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type canonCase struct {
	t     Type
	in    string
	wantT Type
	want  string
}

func checkCanon(t *testing.T, tests []canonCase) {
	t.Helper()
	for _, tt := range tests {
		ind, err := New(tt.t, tt.in)
		if !assert.NoError(t, err, "New(%v, %q)", tt.t, tt.in) {
			continue
		}
		assert.Equal(t, tt.wantT, ind.Type, "New(%v, %q)", tt.t, tt.in)
		assert.Equal(t, tt.want, ind.Value, "New(%v, %q)", tt.t, tt.in)
		assert.Zero(t, ind.Meta, "New(%v, %q)", tt.t, tt.in)
		// Canonical agrees, and the result is a fixed point
		ct, cv, err := Canonical(tt.t, tt.in)
		require.NoError(t, err)
		assert.Equal(t, ind.Type, ct)
		assert.Equal(t, ind.Value, cv)
		again, err := New(ind.Type, ind.Value)
		if assert.NoError(t, err, "New(%v, %q) again", ind.Type, ind.Value) {
			assert.Equal(t, ind, again, "not idempotent: New(%v, %q)", tt.t, tt.in)
		}
	}
}

func checkBad(t *testing.T, typ Type, ins []string) {
	t.Helper()
	for _, in := range ins {
		ind, err := New(typ, in)
		if !assert.Error(t, err, "New(%v, %q) = %v", typ, in, ind) {
			continue
		}
		assert.Zero(t, ind, in)
		var e *Error
		if assert.True(t, errors.As(err, &e), "%T", err) {
			assert.Equal(t, typ, e.Type)
			assert.Equal(t, in, e.Value)
			assert.NotEmpty(t, e.Msg)
		}
		assert.True(t, strings.Contains(err.Error(), fmt.Sprintf("%q", in)), "error %q does not quote %q", err, in)
		ct, cv, err := Canonical(typ, in)
		assert.Error(t, err)
		assert.Equal(t, Invalid, ct)
		assert.Empty(t, cv)
	}
}

func TestNewAddress(t *testing.T) {
	var tests []canonCase
	for _, typ := range []Type{IPv4, IPv6, CIDR} {
		tests = append(tests, []canonCase{
			{typ, "1.2.3.4", IPv4, "1.2.3.4"},
			{typ, " 1.2.3.4\n", IPv4, "1.2.3.4"},
			{typ, "0.0.0.0", IPv4, "0.0.0.0"},
			{typ, "255.255.255.255", IPv4, "255.255.255.255"},
			{typ, "2001:DB8::1", IPv6, "2001:db8::1"},
			{typ, "2001:0db8:0000:0000:0000:0000:0000:0001", IPv6, "2001:db8::1"},
			{typ, "2001:db8:0:0:1:0:0:1", IPv6, "2001:db8::1:0:0:1"},
			{typ, "::", IPv6, "::"},
			{typ, "::1", IPv6, "::1"},
			{typ, "::1.2.3.4", IPv6, "::102:304"},
			{typ, "64:ff9b::1.2.3.4", IPv6, "64:ff9b::102:304"},
			// IPv4-mapped IPv6 is IPv4
			{typ, "::ffff:1.2.3.4", IPv4, "1.2.3.4"},
			{typ, "::FFFF:102:304", IPv4, "1.2.3.4"},
			{typ, "0:0:0:0:0:ffff:0102:0304", IPv4, "1.2.3.4"},
			// zone dropped
			{typ, "fe80::1%eth0", IPv6, "fe80::1"},
			{typ, "fe80::1%25", IPv6, "fe80::1"},
			{typ, "::ffff:1.2.3.4%eth0", IPv4, "1.2.3.4"},
			{typ, "fe80::1%eth0/64", CIDR, "fe80::/64"},
			{typ, "fe80::1%eth0/128", IPv6, "fe80::1"},
			// prefixes masked
			{typ, "10.1.2.3/8", CIDR, "10.0.0.0/8"},
			{typ, "10.0.0.0/8", CIDR, "10.0.0.0/8"},
			{typ, "192.168.1.77/24", CIDR, "192.168.1.0/24"},
			{typ, "1.2.3.4/0", CIDR, "0.0.0.0/0"},
			{typ, "1.2.3.4/31", CIDR, "1.2.3.4/31"},
			{typ, "1.2.3.5/31", CIDR, "1.2.3.4/31"},
			{typ, "2001:db8:1:2::3/32", CIDR, "2001:db8::/32"},
			{typ, "2001:DB8::/32", CIDR, "2001:db8::/32"},
			{typ, "::/0", CIDR, "::/0"},
			{typ, "2001:db8::1/127", CIDR, "2001:db8::/127"},
			// /32 and /128 are addresses
			{typ, "1.2.3.4/32", IPv4, "1.2.3.4"},
			{typ, "2001:db8::1/128", IPv6, "2001:db8::1"},
			// v4-mapped prefixes
			{typ, "::ffff:1.2.3.4/128", IPv4, "1.2.3.4"},
			{typ, "::ffff:10.1.2.3/104", CIDR, "10.0.0.0/8"},
			{typ, "::ffff:1.2.3.4/120", CIDR, "1.2.3.0/24"},
			{typ, "::ffff:0.0.0.0/96", CIDR, "0.0.0.0/0"},
			{typ, "::ffff:1.2.3.4/80", CIDR, "::/80"},
			{typ, "::ffff:1.2.3.4/95", CIDR, "::fffe:0:0/95"},
		}...)
	}
	checkCanon(t, tests)
	for _, typ := range []Type{IPv4, IPv6, CIDR} {
		checkBad(t, typ, []string{
			"", " ", "\t\n",
			"1.2.3", "1.2.3.4.5", "1.2.3.256", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3.-1",
			"1..3.4", ".1.2.3.4", "1.2.3.4.", "1.2.3.4 5", "0x1.2.3.4", "1.2.3.4%eth0",
			"1:2:3:4:5:6:7:8:9", "1:::2", ":1::", "1::2::3", "12345::", "::g", "2001:db8::1/",
			"1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/08", "1.2.3.4/ 8", "2001:db8::/129", "1.2.3.4/8/8",
			"/8", "1.2.3.4/", "evil.example", "http://1.2.3.4/", "[::1]", "1.2.3.4:80",
			"%eth0", "fe80::1%", "1.2.3.4%x/8",
			strings.Repeat("1", MaxValueLen+1),
		})
	}
}

func TestNewDomain(t *testing.T) {
	checkCanon(t, []canonCase{
		{Domain, "evil.example", Domain, "evil.example"},
		{Domain, "Evil.EXAMPLE", Domain, "evil.example"},
		{Domain, "  evil.example \r\n", Domain, "evil.example"},
		{Domain, "evil.example.", Domain, "evil.example"},
		{Domain, "*.evil.example", Domain, "evil.example"},
		{Domain, "*.Evil.Example.", Domain, "evil.example"},
		{Domain, "a.b.c.d.evil.example", Domain, "a.b.c.d.evil.example"},
		{Domain, "_dmarc.evil.example", Domain, "_dmarc.evil.example"},
		{Domain, "a-b.evil.example", Domain, "a-b.evil.example"},
		{Domain, "123.example", Domain, "123.example"},
		{Domain, "1.2.3.example", Domain, "1.2.3.example"},
		{Domain, "example.a1", Domain, "example.a1"},
		{Domain, "xn--bcher-kva.example", Domain, "xn--bcher-kva.example"},
		{Domain, "XN--BCHER-KVA.example", Domain, "xn--bcher-kva.example"},
		// IDN to punycode
		{Domain, "bücher.example", Domain, "xn--bcher-kva.example"},
		{Domain, "BÜCHER.example", Domain, "xn--bcher-kva.example"},
		{Domain, "bücher.example.", Domain, "xn--bcher-kva.example"},
		{Domain, "*.bücher.example", Domain, "xn--bcher-kva.example"},
		{Domain, "bücher。example", Domain, "xn--bcher-kva.example"},
		{Domain, "bücher.example。", Domain, "xn--bcher-kva.example"},
		{Domain, "пример.рф", Domain, "xn--e1afmkfd.xn--p1ai"},
		{Domain, "例え.テスト", Domain, "xn--r8jz45g.xn--zckzah"},
		{Domain, strings.Repeat("a", 63) + ".example", Domain, strings.Repeat("a", 63) + ".example"},
		{Domain, strings.Repeat("a.", 126) + "b", Domain, strings.Repeat("a.", 126) + "b"},
		// a domain value that is an IP address is an address
		{Domain, "1.2.3.4", IPv4, "1.2.3.4"},
		{Domain, "2001:DB8::1", IPv6, "2001:db8::1"},
		{Domain, "::ffff:1.2.3.4", IPv4, "1.2.3.4"},
	})
	checkBad(t, Domain, []string{
		"", " ", ".", "*.", "*", "..",
		"localhost", "example", "example.", "*.example", // one label
		"evil.123", "1.2.3", "1.2.3.4.5", "01.2.3.4", "evil.example.0", // all-numeric end
		"evil..example", ".evil.example", "evil.example..", "-evil.example", "evil.example-",
		"evil example.com", "evil.exa mple", "evil.example/", "evil.example:80", "evil.example/x",
		"user@evil.example", "http://evil.example", "evil!.example", "evil.ex*ample", "*.*.evil.example",
		"evil.*.example", "10.0.0.0/8", "[::1]",
		strings.Repeat("a", 64) + ".example",
		strings.Repeat("a.", 127) + "b", // 255 bytes
		"xn--bcher-kva.example\x00",
		"ex\u00adample",    // soft hyphen only: one label
		"a\u2100b.example", // maps to "a/cb"
		"evil\uff03.example",
		strings.Repeat("b", MaxValueLen+1) + ".example",
	})
}

func TestNewURL(t *testing.T) {
	checkCanon(t, []canonCase{
		{URL, "http://evil.example/", URL, "http://evil.example/"},
		{URL, "http://evil.example", URL, "http://evil.example/"},
		{URL, " http://evil.example\n", URL, "http://evil.example/"},
		// scheme and host lower case, path and query kept
		{URL, "HTTP://Evil.EXAMPLE/Path/To?Q=A&b=C", URL, "http://evil.example/Path/To?Q=A&b=C"},
		{URL, "HtTpS://EVIL.example/A", URL, "https://evil.example/A"},
		// default ports dropped, others kept
		{URL, "http://evil.example:80/a", URL, "http://evil.example/a"},
		{URL, "https://evil.example:443/a", URL, "https://evil.example/a"},
		{URL, "HTTPS://evil.example:443", URL, "https://evil.example/"},
		{URL, "http://evil.example:443/a", URL, "http://evil.example:443/a"},
		{URL, "https://evil.example:80/a", URL, "https://evil.example:80/a"},
		{URL, "http://evil.example:8080/a", URL, "http://evil.example:8080/a"},
		{URL, "http://evil.example:080/", URL, "http://evil.example/"},
		{URL, "http://evil.example:08080/", URL, "http://evil.example:8080/"},
		{URL, "ftp://evil.example:21/f", URL, "ftp://evil.example/f"},
		{URL, "ws://evil.example:80/", URL, "ws://evil.example/"},
		{URL, "wss://evil.example:443/", URL, "wss://evil.example/"},
		{URL, "ftp://evil.example:80/", URL, "ftp://evil.example:80/"},
		{URL, "gopher://evil.example:80/", URL, "gopher://evil.example:80/"},
		// empty path is "/"; query without path
		{URL, "http://evil.example?q=1", URL, "http://evil.example/?q=1"},
		{URL, "http://evil.example/?", URL, "http://evil.example/"},
		{URL, "http://evil.example/a?", URL, "http://evil.example/a"},
		{URL, "http://evil.example/a??b", URL, "http://evil.example/a??b"},
		// fragment dropped
		{URL, "http://evil.example/a#Frag", URL, "http://evil.example/a"},
		{URL, "http://evil.example#frag", URL, "http://evil.example/"},
		{URL, "http://evil.example/a?b=1#frag?x", URL, "http://evil.example/a?b=1"},
		{URL, "http://evil.example/a#", URL, "http://evil.example/a"},
		// userinfo dropped
		{URL, "http://user:pass@evil.example/a", URL, "http://evil.example/a"},
		{URL, "http://user@evil.example:8080", URL, "http://evil.example:8080/"},
		{URL, "http://a@b@evil.example/", URL, "http://evil.example/"},
		{URL, "http://good.example@evil.example/", URL, "http://evil.example/"},
		// schemeless gets http://
		{URL, "evil.example/a", URL, "http://evil.example/a"},
		{URL, "Evil.Example", URL, "http://evil.example/"},
		{URL, "evil.example:8080/A", URL, "http://evil.example:8080/A"},
		{URL, "evil.example:80/a", URL, "http://evil.example/a"},
		{URL, "evil.example/r?u=http://x.example/", URL, "http://evil.example/r?u=http://x.example/"},
		{URL, "evil.example/@user", URL, "http://evil.example/@user"},
		{URL, "1.2.3.4/a", URL, "http://1.2.3.4/a"},
		// IP hosts
		{URL, "http://1.2.3.4:8080/a", URL, "http://1.2.3.4:8080/a"},
		{URL, "http://[2001:DB8:0::1]/a", URL, "http://[2001:db8::1]/a"},
		{URL, "http://[2001:db8::1]:80/a", URL, "http://[2001:db8::1]/a"},
		{URL, "https://[2001:db8::1]:8443", URL, "https://[2001:db8::1]:8443/"},
		{URL, "[::1]/x", URL, "http://[::1]/x"},
		{URL, "http://[::ffff:1.2.3.4]/", URL, "http://[::ffff:1.2.3.4]/"},
		// IDN host
		{URL, "http://bücher.example/Ä?ö=1", URL, "http://xn--bcher-kva.example/Ä?ö=1"},
		{URL, "https://BÜCHER.example:443", URL, "https://xn--bcher-kva.example/"},
		{URL, "http://user@bücher.example:8080?q#f", URL, "http://xn--bcher-kva.example:8080/?q"},
		{URL, "http://ü:ö@evil.example/", URL, "http://evil.example/"},
		{URL, "http://evil.example?ü", URL, "http://evil.example/?ü"},
		{URL, "bücher.example/x", URL, "http://xn--bcher-kva.example/x"},
		{URL, "http://１.２.３.４/", URL, "http://1.2.3.4/"},
		// other schemes
		{URL, "FTP://files.evil.example/x.exe", URL, "ftp://files.evil.example/x.exe"},
		{URL, "svn+ssh://evil.example/r", URL, "svn+ssh://evil.example/r"},
		// odd but valid paths
		{URL, "http://evil.example//a/../b/%2e", URL, "http://evil.example//a/../b/%2e"},
		{URL, "http://evil.example/a\\b", URL, "http://evil.example/a\\b"},
	})
	checkBad(t, URL, []string{
		"", " ", "http://", "http:///a", "http://:80/", "://evil.example/",
		// white space and friends
		"http://evil.example/a b", "http://evil .example/", "http://evil.example/a\tb",
		"http://evil.example/\x00", "http://evil.example/\x7f", `http://evil.example/"`,
		"http://evil.example/<script>", "evil.example/a b",
		// bad hosts and ports
		"http://evil/", "http://localhost/", "http://evil.123/", "http://01.2.3.4/",
		"http://1.2.3.256/", "http://evil..example/", "http://-evil.example/",
		"http://evil.example:/", "http://evil.example:123456/", "http://evil.example:8o/",
		"http://evil.example:-1/", "http://[::1/", "http://[::1]x/", "http://[::g]/",
		"http://[1.2.3.4]/", "http://[fe80::1%25eth0]/", "http://::1/", "http://2001:db8::1/",
		"http://evil_example/", "http://ev!l.example/",
		// bad schemes
		"1http://evil.example/", "ht tp://evil.example/", "-http://evil.example/",
		"evil.example://x", "evil.example:8080://x",
		// IDN that maps to URL syntax: the host a browser sees differs
		"http://x.\u2100.example.com/", "http://evil.example\uff03.good.example/",
		"http://evil.example\uff0fa.good.example/", "http://a\uff20evil.example/",
		"http://bücher.example：80/",
		"http://xn--.example\u00ad/",
		// '\' in the authority: browsers read it as '/'
		`http://evil.example\@good.example/`, `http://evil.example\x`, `evil.example\@good.example/a`,
		"http://evil.example./", "http://*.evil.example/", // no domain trimming in a url host

		"http://" + strings.Repeat("a", MaxValueLen) + ".example/",
	})
}

func TestNewEmail(t *testing.T) {
	checkCanon(t, []canonCase{
		{Email, "user@evil.example", Email, "user@evil.example"},
		{Email, "User.Name+Tag@Evil.EXAMPLE", Email, "user.name+tag@evil.example"},
		{Email, " a_b-c%d@evil.example. ", Email, "a_b-c%d@evil.example"},
		{Email, "x@bücher.example", Email, "x@xn--bcher-kva.example"},
		{Email, "x@sub.evil.example", Email, "x@sub.evil.example"},
	})
	checkBad(t, Email, []string{
		"", "@", "user", "user@", "@evil.example", "user@evil", "user@localhost",
		"user@1.2.3.4", "user@[1.2.3.4]", "user@evil.123", "us er@evil.example",
		"user@evil..example", "a@b@evil.example", "üser@evil.example", "user@evil.example/x",
		"user<x>@evil.example", "user@evil.example:25", `"user"@evil.example`,
		"user!@evil.example", "user,x@evil.example",
	})
}

func TestNewHash(t *testing.T) {
	hexs := "0123456789abcdef"
	for _, typ := range []Type{MD5, SHA1, SHA256, SHA512} {
		n := typ.HashLen()
		lower := strings.Repeat(hexs, 8)[:n]
		upper := strings.ToUpper(lower)
		checkCanon(t, []canonCase{
			{typ, lower, typ, lower},
			{typ, upper, typ, lower},
			{typ, " " + upper + "\n", typ, lower},
			{typ, strings.Repeat("0", n), typ, strings.Repeat("0", n)},
		})
		checkBad(t, typ, []string{
			"", lower[:n-1], lower + "0", lower[:n-1] + "g", "g" + lower[1:],
			lower[:n-1] + " ", lower[:n/2] + " " + lower[n/2+1:], "0x" + lower[2:],
			lower[:n-1] + "\u00e9"[:1], strings.Repeat("z", n),
		})
	}
	// hash lengths are not interchangeable
	_, err := New(SHA1, strings.Repeat("a", 32))
	assert.Error(t, err)
	_, err = New(MD5, strings.Repeat("a", 64))
	assert.Error(t, err)
}

func TestNewStringKinds(t *testing.T) {
	for _, typ := range []Type{Filename, Mutex, UserAgent, EmailSubject, String} {
		checkCanon(t, []canonCase{
			{typ, "Evil.EXE", typ, "Evil.EXE"},
			{typ, "  padded value\t", typ, "  padded value\t"},
			{typ, "hxxp://evil[.]example", typ, "hxxp://evil[.]example"},
			{typ, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", typ, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
			{typ, "Ünïcödé \u200b", typ, "Ünïcödé \u200b"},
			{typ, "1.2.3.4", typ, "1.2.3.4"},
			{typ, "HKEY_LOCAL_MACHINE\\x", typ, "HKEY_LOCAL_MACHINE\\x"},
			{typ, strings.Repeat("x", MaxValueLen), typ, strings.Repeat("x", MaxValueLen)},
		})
		checkBad(t, typ, []string{"", " ", "\t\r\n", strings.Repeat("x", MaxValueLen+1)})
	}
}

func TestNewRegKey(t *testing.T) {
	checkCanon(t, []canonCase{
		{RegKey, `HKEY_LOCAL_MACHINE\Software\Evil`, RegKey, `HKLM\Software\Evil`},
		{RegKey, `hkey_local_machine\Software\Evil`, RegKey, `HKLM\Software\Evil`},
		{RegKey, `HKEY_CURRENT_USER\Run`, RegKey, `HKCU\Run`},
		{RegKey, `HKEY_CLASSES_ROOT\x`, RegKey, `HKCR\x`},
		{RegKey, `HKEY_USERS\S-1-5-18\x`, RegKey, `HKU\S-1-5-18\x`},
		{RegKey, `HKEY_CURRENT_CONFIG\x`, RegKey, `HKCC\x`},
		{RegKey, `HKLM\x`, RegKey, `HKLM\x`},
		{RegKey, `hklm\x`, RegKey, `HKLM\x`},
		{RegKey, `hkcu\x`, RegKey, `HKCU\x`},
		{RegKey, `Hkcr\x`, RegKey, `HKCR\x`},
		{RegKey, `hku\x`, RegKey, `HKU\x`},
		{RegKey, `hkcc\x`, RegKey, `HKCC\x`},
		{RegKey, `HKEY_LOCAL_MACHINE`, RegKey, `HKLM`},
		{RegKey, `hkcu`, RegKey, `HKCU`},
		{RegKey, `HKEY_LOCAL_MACHINE\`, RegKey, `HKLM\`},
		// the rest is kept, case and all
		{RegKey, `HKEY_LOCAL_MACHINE\SOFTWARE\hkey_current_user`, RegKey, `HKLM\SOFTWARE\hkey_current_user`},
		// not a hive name: unchanged
		{RegKey, `HKEY_LOCAL_MACHINEX`, RegKey, `HKEY_LOCAL_MACHINEX`},
		{RegKey, `HKEY_LOCAL_MACHINEX\x`, RegKey, `HKEY_LOCAL_MACHINEX\x`},
		{RegKey, `HKLMX\x`, RegKey, `HKLMX\x`},
		{RegKey, `hkusers\x`, RegKey, `hkusers\x`},
		{RegKey, `HKEY_LOCAL_MACHINE/x`, RegKey, `HKEY_LOCAL_MACHINE/x`},
		{RegKey, `Software\Evil`, RegKey, `Software\Evil`},
		{RegKey, `\HKEY_LOCAL_MACHINE\x`, RegKey, `\HKEY_LOCAL_MACHINE\x`},
		// a string kind: white space kept (so no hive match)
		{RegKey, ` HKEY_LOCAL_MACHINE\x`, RegKey, ` HKEY_LOCAL_MACHINE\x`},
		{RegKey, `HKEY_LOCAL_MACHINE\x `, RegKey, `HKLM\x `},
	})
	checkBad(t, RegKey, []string{"", "  "})

	hv := RegKeyHives()
	assert.Equal(t, [][2]string{
		{"HKEY_LOCAL_MACHINE", "HKLM"}, {"HKEY_CURRENT_USER", "HKCU"}, {"HKEY_CLASSES_ROOT", "HKCR"},
		{"HKEY_USERS", "HKU"}, {"HKEY_CURRENT_CONFIG", "HKCC"},
	}, hv)
	hv[0][1] = "changed" // a copy
	assert.Equal(t, "HKLM", RegKeyHives()[0][1])
}

func TestNewInvalidType(t *testing.T) {
	for _, typ := range []Type{Invalid, Type(NumTypes), 200} {
		_, err := New(typ, "evil.example")
		require.Error(t, err)
		assert.Contains(t, err.Error(), `"evil.example"`)
		var e *Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, typ, e.Type)
	}
}

func TestNewMaxValueLen(t *testing.T) {
	// the limit applies to the value as given, before trimming
	v := strings.Repeat(" ", MaxValueLen-len("evil.example")) + "evil.example"
	ind, err := New(Domain, v)
	require.NoError(t, err)
	assert.Equal(t, "evil.example", ind.Value)
	_, err = New(Domain, " "+v)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "longer than 8192 bytes")
}

func TestErrorMessage(t *testing.T) {
	e := &Error{Type: Domain, Value: "a\"b", Msg: "bad"}
	assert.Equal(t, `indicator: invalid domain "a\"b": bad`, e.Error())
	e = &Error{Value: "x\ny", Msg: "bad"}
	assert.Equal(t, `indicator: "x\ny": bad`, e.Error())
}

func TestMustNew(t *testing.T) {
	assert.Equal(t, Indicator{Type: IPv4, Value: "1.2.3.4"}, MustNew(IPv6, "::ffff:1.2.3.4"))
	assert.PanicsWithError(t, `indicator: invalid domain "nope": not a domain name (labels of [a-z0-9_-], at least two, not all-numeric at the end)`,
		func() { MustNew(Domain, "nope") })
}

func TestInvalidUTF8Domain(t *testing.T) {
	for _, v := range []string{"\xffevil.example", "evil.ex\xc3ample"} {
		_, err := New(Domain, v)
		require.Error(t, err, "%q", v)
		_, err = New(URL, "http://"+v+"/")
		require.Error(t, err, "%q", v)
		_, err = New(Email, "a@"+v)
		require.Error(t, err, "%q", v)
	}
}
