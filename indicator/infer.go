package indicator

import (
	"net/netip"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// Infer guesses the type of a bare value, as found in a plain list. It
// does not refang (see Parse). In order:
//
//   - "scheme://…" is a url;
//   - an IP address or CIDR prefix is ipv4, ipv6 or cidr;
//   - 32, 40, 64 or 128 hex digits are md5, sha1, sha256 or sha512;
//   - local@domain is an email;
//   - host/path (host a domain or IPv4 address, optionally with :port) is a
//     url, but an IP address followed by "/digits" is a bad CIDR prefix;
//   - host:port is the host (the port is dropped: iocmatch does not match
//     ports); an IPv6 host is in brackets ("[2001:db8::1]:443");
//   - a domain name is a domain, if its top-level domain is a real one
//     (see below).
//
// Anything else (file names, registry keys, free text) cannot be inferred
// and gives an *Error: lists of string kinds must name their type.
//
// A name is taken for a domain (alone, as host:port, or as the host of a
// schemeless host/path url) only when its last label is a top-level domain
// of the ICANN section of the Public Suffix List (the IANA root zone, as
// golang.org/x/net/publicsuffix has it), or a special-use name of RFC 6761
// and successors (example, test, invalid, localhost, local, onion, alt),
// or of the alternative roots that malware uses and feeds list (bit:
// Namecoin; bazar, coin, emc, lib: EmerDNS; i2p). So
// "conhost.exe", "invoice.pdf", "authmd4.dll" and "b.src" are not domains
// (they cannot be inferred), while "evil.com", "evil.xyz" and any other
// name under a delegated TLD are. A file name whose extension is also a
// TLD ("invoice.zip", "clip.mov", "setup.app") is a domain by inference:
// it is a name that resolves, and there is no telling the two apart; a
// list of file names must say so with "# type: filename". The rule is
// inference's only: New, ParseAs and every typed source (a "# type:
// domain" header, a MISP domain attribute, a STIX domain-name) accept a
// domain under any TLD, as the source states it.
func Infer(value string) (Type, error) {
	v := strings.TrimSpace(value)
	t, _ := infer(v)
	if t == Invalid {
		return Invalid, &Error{Value: value, Msg: cannotInferMsg}
	}
	return t, nil
}

const cannotInferMsg = "cannot infer the indicator type (not an address, CIDR, domain with a known TLD, URL, email or hash)"

// specialTLDs are the top-level names that inference takes for domains
// although they are not in the root zone: the special-use names of RFC
// 2606, 6761, 6762, 7686 and 9476 (documentation and test names, mDNS,
// Tor, alternative namespaces), and the alternative roots of malware C2
// that feeds list (maltrail lists hundreds of .bit and .bazar names).
var specialTLDs = map[string]bool{
	"example": true, "test": true, "invalid": true, "localhost": true,
	"local": true, "onion": true, "alt": true,
	"bit": true, "bazar": true, "coin": true, "emc": true, "lib": true, "i2p": true,
}

// knownTLD reports whether the last label of the canonical domain name d
// is an ICANN top-level domain or a special-use name (specialTLDs).
func knownTLD(d string) bool {
	tld := d[strings.LastIndexByte(d, '.')+1:]
	if specialTLDs[tld] {
		return true
	}
	// a name directly under the TLD: an ICANN rule for the TLD ("com"),
	// or a wildcard one ("*.np": a TLD whose registrations are all one
	// level down), or else the default rule "*" (icann false) for a label
	// that is not a TLD
	_, icann := publicsuffix.PublicSuffix("x." + tld)
	return icann
}

// inferDomain returns the canonical form of host when it is a domain name
// under a known TLD (knownTLD).
func inferDomain(host string) (string, bool) {
	d, err := canonicalDomain(host)
	if err != nil || !knownTLD(d) {
		return "", false
	}
	return d, true
}

// urlHostKnown reports whether the host of the schemeless url v
// ("host[:port]/path") is an address or a domain under a known TLD.
func urlHostKnown(v string) bool {
	host := v
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if strings.HasPrefix(host, "[") {
		return true // an IPv6 address: canonicalURL checked it
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	_, ok := inferDomain(host)
	return ok
}

// infer returns the type and the value to canonicalise (without a port
// for host:port).
func infer(v string) (Type, string) {
	if canon.SchemeEnd([]byte(v)) >= 0 {
		return URL, v
	}
	if mayBeAddr(v) {
		if t, _, err := canonicalAddr(v); err == nil {
			return t, v
		}
	}
	if t, ok := HashType(len(v)); ok {
		hex := true
		for i := 0; i < len(v); i++ {
			if !canon.IsHex(v[i]) {
				hex = false
				break
			}
		}
		if hex {
			return t, v
		}
	}
	if strings.Contains(v, "@") {
		if _, err := canonicalEmail(v); err == nil {
			return Email, v
		}
		// not an email: may still be a url ("medium.example/@user")
	}
	if host, path, ok := strings.Cut(v, "/"); ok && host != "" {
		if _, err := netip.ParseAddr(host); err == nil && isDigits(path) {
			return Invalid, v // a bad CIDR prefix ("10.0.0.0/33"), not a url
		}
		if _, err := canonicalURL(v); err == nil && urlHostKnown(v) {
			return URL, v
		}
		return Invalid, v
	}
	host := v
	if i := strings.LastIndexByte(v, ':'); i > 0 && isPort(v[i+1:]) {
		host = v[:i]
		if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
			// "[2001:db8::1]:443"
			if a, err := netip.ParseAddr(host[1 : len(host)-1]); err == nil && a.Is6() {
				return addrType(a.Unmap()), host[1 : len(host)-1]
			}
			return Invalid, v
		}
		if a, err := netip.ParseAddr(host); err == nil {
			return addrType(a.Unmap()), host
		}
	}
	if _, ok := inferDomain(host); ok {
		return Domain, host
	}
	return Invalid, v
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !canon.IsDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func isPort(s string) bool {
	if len(s) == 0 || len(s) > 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !canon.IsDigit(s[i]) {
			return false
		}
	}
	return true
}

// Parse refangs value, infers its type and returns the indicator in
// canonical form: Parse("hxxp://evil[.]com") is the url "http://evil.com/".
// Errors quote the value as given.
func Parse(value string) (Indicator, error) {
	v := strings.TrimSpace(Refang(value))
	t, vv := infer(v)
	if t == Invalid {
		return Indicator{}, &Error{Value: value, Msg: cannotInferMsg}
	}
	ind, err := New(t, vv)
	if err != nil {
		return Indicator{}, &Error{Type: t, Value: value, Msg: err.(*Error).Msg}
	}
	return ind, nil
}

// ParseAs refangs value (unless t is a string kind, whose values are taken
// as given) and returns New(t, value). Errors quote the value as given.
func ParseAs(t Type, value string) (Indicator, error) {
	if t.IsString() {
		return New(t, value)
	}
	ind, err := New(t, Refang(value))
	if err != nil {
		return Indicator{}, &Error{Type: t, Value: value, Msg: err.(*Error).Msg}
	}
	return ind, nil
}
