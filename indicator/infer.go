package indicator

import (
	"net/netip"
	"strings"

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
//   - a domain name is a domain.
//
// Anything else (file names, registry keys, free text) cannot be inferred
// and gives an *Error: lists of string kinds must name their type.
func Infer(value string) (Type, error) {
	v := strings.TrimSpace(value)
	t, _ := infer(v)
	if t == Invalid {
		return Invalid, &Error{Value: value, Msg: "cannot infer the indicator type (not an address, CIDR, domain, URL, email or hash)"}
	}
	return t, nil
}

// infer returns the type and the value to canonicalise (without a port
// for host:port).
func infer(v string) (Type, string) {
	if canon.SchemeEnd([]byte(v)) >= 0 {
		return URL, v
	}
	if t, _, err := canonicalAddr(v); err == nil {
		return t, v
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
		if _, err := canonicalURL(v); err == nil {
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
	if _, err := canonicalDomain(host); err == nil {
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
		return Indicator{}, &Error{Value: value, Msg: "cannot infer the indicator type (not an address, CIDR, domain, URL, email or hash)"}
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
