package indicator

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// MaxValueLen is the longest value, in bytes, that New accepts.
const MaxValueLen = 8192

// Error is the error New, Parse and Infer return for a bad value. Its
// message quotes the value.
type Error struct {
	Type  Type   // the type asked for, or Invalid when inferring
	Value string // the value as given
	Msg   string // what is wrong
}

func (e *Error) Error() string {
	if e.Type.Valid() {
		return fmt.Sprintf("indicator: invalid %s %q: %s", e.Type, e.Value, e.Msg)
	}
	return fmt.Sprintf("indicator: %q: %s", e.Value, e.Msg)
}

// New returns the indicator of type t with value in canonical form, and
// empty metadata. The canonical forms:
//
//   - ipv4, ipv6, cidr: addresses as net/netip prints them; an IPv4-mapped
//     IPv6 address is IPv4; a prefix is masked ("10.1.2.3/8" is
//     "10.0.0.0/8") and a /32 or /128 is an address. For these three types
//     the value decides the resulting type: New(IPv4, "2001:db8::/32") is a
//     cidr indicator. A zone is dropped.
//   - domain: lower case, trailing dot dropped, a leading "*." dropped (a
//     domain indicator covers its subdomains anyway), internationalised
//     names in punycode; at least two labels, and not all-numeric at the
//     end. A domain value that is an IP address becomes an address
//     indicator.
//   - url: lower-case scheme and host, userinfo and fragment dropped, the
//     scheme's default port dropped, an empty path is "/", an empty query
//     dropped; path and query kept as given. The host is a domain name in
//     the form above (punycode for internationalised names; no trailing dot
//     or "*."), a dotted quad or an IPv6 address in brackets. A value
//     without "scheme://" gets "http://". White space, control characters,
//     '"', '<' and '>' are invalid, and so is '\' before the path.
//   - email: lower case, local@domain with the domain rules above.
//   - md5, sha1, sha256, sha512: lower-case hex of exactly 32, 40, 64 or
//     128 digits.
//   - filename, mutex, useragent, email-subject, string: exactly as given.
//   - regkey: as given, but the hive, long or short and in any case, is
//     written as its upper-case abbreviation ("HKEY_LOCAL_MACHINE\x" and
//     "hklm\x" are "HKLM\x"; also HKCU, HKCR, HKU, HKCC).
//
// White space around the value is dropped for every type but the string
// kinds. A value longer than MaxValueLen, empty or otherwise invalid gives
// an *Error that quotes it.
func New(t Type, value string) (Indicator, error) {
	t2, v, err := Canonical(t, value)
	if err != nil {
		return Indicator{}, err
	}
	return Indicator{Type: t2, Value: v}, nil
}

// MustNew is like New but panics on error. It is for constants in programs
// and tests.
func MustNew(t Type, value string) Indicator {
	i, err := New(t, value)
	if err != nil {
		panic(err)
	}
	return i
}

// Canonical returns the canonical type and value of (t, value) as New
// describes.
func Canonical(t Type, value string) (Type, string, error) {
	bad := func(msg string) (Type, string, error) {
		return Invalid, "", &Error{Type: t, Value: value, Msg: msg}
	}
	if len(value) > MaxValueLen {
		return bad(fmt.Sprintf("longer than %d bytes", MaxValueLen))
	}
	v := value
	if !t.IsString() {
		v = strings.TrimSpace(v)
	}
	if strings.TrimSpace(v) == "" {
		return bad("empty value")
	}
	switch {
	case t.IsAddress():
		t2, s, err := canonicalAddr(v)
		if err != nil {
			return bad(err.Error())
		}
		return t2, s, nil
	case t == Domain:
		if mayBeAddr(v) {
			if t2, s, err := canonicalAddr(v); err == nil && t2 != CIDR {
				return t2, s, nil
			}
		}
		s, err := canonicalDomain(v)
		if err != nil {
			return bad(err.Error())
		}
		return Domain, s, nil
	case t == URL:
		s, err := canonicalURL(v)
		if err != nil {
			return bad(err.Error())
		}
		return URL, s, nil
	case t == Email:
		s, err := canonicalEmail(v)
		if err != nil {
			return bad(err.Error())
		}
		return Email, s, nil
	case t.IsHash():
		if len(v) != t.HashLen() {
			return bad(fmt.Sprintf("want %d hex digits, have %d characters", t.HashLen(), len(v)))
		}
		upper := false
		for i := 0; i < len(v); i++ {
			c := v[i]
			if !canon.IsHex(c) {
				return bad(fmt.Sprintf("%q is not a hex digit", c))
			}
			upper = upper || c <= 'F' && c >= 'A'
		}
		if !upper {
			return t, v, nil // lower case already
		}
		return t, strings.ToLower(v), nil
	case t == RegKey:
		return RegKey, canonicalRegKey(v), nil
	case t.IsString():
		return t, v, nil
	}
	return bad("invalid type")
}

// mayBeAddr reports whether canonicalAddr may accept v: the address (the
// part before a '/') is IPv6, with a colon, or IPv4, digits and dots
// that start and end with a digit. A domain name or a hash is not, and
// does not pay for a failed parse (an error allocated).
func mayBeAddr(v string) bool {
	a := v
	if i := strings.IndexByte(v, '/'); i >= 0 {
		a = v[:i]
	}
	if strings.IndexByte(a, ':') >= 0 {
		return true
	}
	if i := strings.IndexByte(a, '%'); i >= 0 {
		a = a[:i] // a zone
	}
	return len(a) > 0 && isDigit(a[0]) && isDigit(a[len(a)-1]) && strings.IndexByte(a, '.') >= 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func canonicalAddr(v string) (Type, string, error) {
	if i := strings.IndexByte(v, '/'); i >= 0 {
		if strings.IndexByte(v[:i], '%') >= 0 {
			// netip.ParsePrefix rejects zones; drop it as for an address
			a, err := netip.ParseAddr(v[:i])
			if err != nil {
				return Invalid, "", errors.New("not an address or CIDR prefix")
			}
			v = a.WithZone("").String() + v[i:]
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return Invalid, "", errors.New("not an address or CIDR prefix")
		}
		a, bits := p.Addr(), p.Bits()
		if a.Is4In6() && bits >= 96 {
			a, bits = a.Unmap(), bits-96
		}
		p = netip.PrefixFrom(a, bits).Masked()
		if bits == a.BitLen() {
			return addrType(p.Addr()), p.Addr().String(), nil
		}
		return CIDR, p.String(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return Invalid, "", errors.New("not an IP address")
	}
	a = a.WithZone("").Unmap()
	return addrType(a), a.String(), nil
}

func addrType(a netip.Addr) Type {
	if a.Is4() {
		return IPv4
	}
	return IPv6
}

var idnaProfile = idna.New(idna.MapForLookup(), idna.StrictDomainName(false), idna.Transitional(false))

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func canonicalDomain(v string) (string, error) {
	v = strings.TrimSuffix(v, ".")
	v = strings.TrimPrefix(v, "*.")
	if !isASCII(v) {
		if !utf8.ValidString(v) {
			return "", errors.New("not valid UTF-8")
		}
		a, err := idnaProfile.ToASCII(v)
		if err != nil {
			return "", errors.New("not a valid internationalised domain name")
		}
		// IDNA maps U+3002 and other full stops to '.'
		v = strings.TrimSuffix(a, ".")
	}
	v = strings.ToLower(v)
	if !canon.ValidDomain([]byte(v)) {
		return "", errors.New("not a domain name (labels of [a-z0-9_-], at least two, not all-numeric at the end)")
	}
	return v, nil
}

func canonicalURL(v string) (string, error) {
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] == '"' || v[i] == '<' || v[i] == '>' || v[i] == 0x7f {
			return "", errors.New("contains white space, a control character, a quote or <>")
		}
	}
	scheme, rest := "http", v
	if i := canon.SchemeEnd([]byte(v)); i >= 0 {
		scheme, rest = strings.ToLower(v[:i]), v[i+3:]
	} else if i := strings.Index(v, "://"); i >= 0 && !strings.ContainsAny(v[:i], "/?#") {
		// "://" in the authority; in the path or query it is fine
		// ("evil.example/r?u=http://x")
		return "", errors.New("bad scheme")
	}
	authLen := len(rest)
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authLen = i
	}
	auth, tail := rest[:authLen], rest[authLen:]
	if strings.IndexByte(auth, '\\') >= 0 {
		// browsers read '\' as '/': "http://evil.example\@good.example/"
		// is a url on evil.example, not on good.example
		return "", errors.New("backslash before the path")
	}
	userinfo, host := "", auth
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		userinfo, host = host[:i+1], host[i+1:]
	}
	port := ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasPrefix(host, "[") {
		host, port = host[:i], host[i:]
	}
	if !isASCII(host) {
		// internationalised host: rewrite it in punycode first
		if !utf8.ValidString(host) {
			return "", errors.New("host is not valid UTF-8")
		}
		a, err := idnaProfile.ToASCII(host)
		if err != nil {
			return "", errors.New("host is not a valid internationalised domain name")
		}
		// The mapping can produce ASCII punctuation ("\u2100" is "a/c",
		// "\uff03" is "#"): insist on a plain host name, or the host we
		// would match is not the one a browser would visit.
		a = strings.ToLower(a)
		if _, ok := canon.ParseIPv4([]byte(a)); !ok && !canon.ValidDomain([]byte(a)) {
			return "", errors.New("host is not a valid internationalised domain name")
		}
		host = a
	}
	p, ok := canon.SplitURL([]byte(scheme + "://" + userinfo + host + port + tail))
	if !ok {
		return "", errors.New("not a URL with a valid host (and port)")
	}
	out := append([]byte(scheme+"://"), canon.AppendURLKey(nil, p)...)
	if p.HasQuery && len(p.Query) > 0 {
		out = append(out, '?')
		out = append(out, p.Query...)
	}
	return string(out), nil
}

func canonicalEmail(v string) (string, error) {
	i := strings.LastIndexByte(v, '@')
	if i <= 0 {
		return "", errors.New("not local@domain")
	}
	local, dom := v[:i], v[i+1:]
	for j := 0; j < len(local); j++ {
		if canon.Class[local[j]]&canon.Local == 0 {
			return "", fmt.Errorf("local part has %q", local[j])
		}
	}
	d, err := canonicalDomain(dom)
	if err != nil {
		return "", err
	}
	return strings.ToLower(local) + "@" + d, nil
}

// Hives maps each long registry hive name to its abbreviation.
var hives = []struct{ long, short string }{
	{"HKEY_LOCAL_MACHINE", "HKLM"},
	{"HKEY_CURRENT_USER", "HKCU"},
	{"HKEY_CLASSES_ROOT", "HKCR"},
	{"HKEY_USERS", "HKU"},
	{"HKEY_CURRENT_CONFIG", "HKCC"},
}

// RegKeyHives returns the registry hives as pairs of long name and
// abbreviation ("HKEY_LOCAL_MACHINE", "HKLM"), for matchers that must accept
// both spellings in text.
func RegKeyHives() [][2]string {
	out := make([][2]string, len(hives))
	for i, h := range hives {
		out[i] = [2]string{h.long, h.short}
	}
	return out
}

func canonicalRegKey(v string) string {
	for _, h := range hives {
		if len(v) >= len(h.long) && strings.EqualFold(v[:len(h.long)], h.long) &&
			(len(v) == len(h.long) || v[len(h.long)] == '\\') {
			return h.short + v[len(h.long):]
		}
		if len(v) >= len(h.short) && strings.EqualFold(v[:len(h.short)], h.short) &&
			(len(v) == len(h.short) || v[len(h.short)] == '\\') {
			return h.short + v[len(h.short):]
		}
	}
	return v
}
