package indicator_test

import (
	"fmt"

	"github.com/iocmatch/iocmatch/indicator"
)

func ExampleNew() {
	for _, v := range []struct {
		t indicator.Type
		v string
	}{
		{indicator.Domain, "*.Bücher.Example."},
		{indicator.IPv4, "::ffff:192.0.2.1"},
		{indicator.CIDR, "10.1.2.3/8"},
		{indicator.IPv6, "2001:DB8:0::1/128"},
		{indicator.URL, "HTTPS://user@Evil.Example:443/Path?Q=1#frag"},
		{indicator.SHA1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"},
		{indicator.RegKey, `HKEY_CURRENT_USER\Software\Run`},
	} {
		ind, err := indicator.New(v.t, v.v)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(ind)
	}
	_, err := indicator.New(indicator.Domain, "localhost")
	fmt.Println(err)
	// Output:
	// domain:xn--bcher-kva.example
	// ipv4:192.0.2.1
	// cidr:10.0.0.0/8
	// ipv6:2001:db8::1
	// url:https://evil.example/Path?Q=1
	// sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709
	// regkey:HKCU\Software\Run
	// indicator: invalid domain "localhost": not a domain name (labels of [a-z0-9_-], at least two, not all-numeric at the end)
}

func ExampleParse() {
	for _, v := range []string{
		"hxxps://Evil[.]example:443/a?b=1#frag",
		"evil[.]example:8080",
		"198.51.100.7",
		"[2001:db8::1]:443",
		"203.0.113.0/24",
		"d41d8cd98f00b204e9800998ecf8427e",
		"user[at]evil[.]example",
		"evil.example/login.php",
		`C:\Windows\evil.exe`,
	} {
		ind, err := indicator.Parse(v)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-6s %s\n", ind.Type, ind.Value)
	}
	// Output:
	// url    https://evil.example/a?b=1
	// domain evil.example
	// ipv4   198.51.100.7
	// ipv6   2001:db8::1
	// cidr   203.0.113.0/24
	// md5    d41d8cd98f00b204e9800998ecf8427e
	// email  user@evil.example
	// url    http://evil.example/login.php
	// indicator: "C:\\Windows\\evil.exe": cannot infer the indicator type (not an address, CIDR, domain with a known TLD, URL, email or hash)
}

func ExampleRefang() {
	fmt.Println(indicator.Refang("hxxps[://]evil[.]example[/]a"))
	fmt.Println(indicator.Refang("user[at]evil(dot)example"))
	fmt.Println(indicator.Refang("1.2.3[.]4"))
	fmt.Println(indicator.Refang("fxp[.]example")) // "fxp" is not a scheme here
	// Output:
	// https://evil.example/a
	// user@evil.example
	// 1.2.3.4
	// fxp.example
}

func ExampleParseType() {
	for _, name := range []string{"ipv4", "ip-dst", "hostname", "domain-name", "Intel::DOMAIN", "windows-registry-key", "bogus"} {
		t, err := indicator.ParseType(name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s -> %s\n", name, t)
	}
	// Output:
	// ipv4 -> ipv4
	// ip-dst -> ipv4
	// hostname -> domain
	// domain-name -> domain
	// Intel::DOMAIN -> domain
	// windows-registry-key -> regkey
	// indicator: unknown type "bogus"
}
