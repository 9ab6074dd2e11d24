package canon

import "net/netip"

// URLParts are the pieces of a URL, as sub-slices of the text given to
// SplitURL.
type URLParts struct {
	Scheme   []byte // without "://"; nil when the URL has none
	Host     []byte // without brackets or userinfo
	Port     []byte // digits after ':'; nil when none
	Path     []byte // from the first '/' up to '?' or '#'; may be empty
	Query    []byte // after '?' up to '#'
	HasQuery bool   // whether a '?' was present
}

// IsSchemeChar reports whether c may continue a URL scheme.
func IsSchemeChar(c byte) bool {
	return Class[c]&(Lower|Upper|Digit) != 0 || c == '+' || c == '-' || c == '.'
}

// SchemeEnd returns the index of "://" in b if b starts with a scheme
// ([A-Za-z][A-Za-z0-9+.-]*) followed by "://", else -1.
func SchemeEnd(b []byte) int {
	if len(b) == 0 || Class[b[0]]&(Lower|Upper) == 0 {
		return -1
	}
	for i := 1; i < len(b); i++ {
		c := b[i]
		if c == ':' {
			if i+2 < len(b) && b[i+1] == '/' && b[i+2] == '/' {
				return i
			}
			return -1
		}
		if !IsSchemeChar(c) {
			return -1
		}
	}
	return -1
}

// SplitURL splits "scheme://[userinfo@]host[:port][/path][?query][#frag]"
// or the same without "scheme://". The host must be a valid domain (after
// case folding), a dotted quad, or a bracketed IPv6 address; the port, if
// any, 1 to 5 digits. It does not allocate.
func SplitURL(b []byte) (p URLParts, ok bool) {
	if i := SchemeEnd(b); i >= 0 {
		p.Scheme = b[:i]
		b = b[i+3:]
	}
	// authority
	end := len(b)
	for i, c := range b {
		if c == '/' || c == '?' || c == '#' {
			end = i
			break
		}
	}
	auth, rest := b[:end], b[end:]
	for i := len(auth) - 1; i >= 0; i-- {
		if auth[i] == '@' {
			auth = auth[i+1:]
			break
		}
	}
	if len(auth) > 0 && auth[0] == '[' {
		j := -1
		for i, c := range auth {
			if c == ']' {
				j = i
				break
			}
		}
		if j < 0 {
			return p, false
		}
		p.Host = auth[1:j]
		auth = auth[j+1:]
		if len(auth) > 0 {
			if auth[0] != ':' {
				return p, false
			}
			p.Port = auth[1:]
		}
		if _, ok := ParseIPv6(p.Host); !ok {
			return p, false
		}
	} else {
		p.Host = auth
		for i := len(auth) - 1; i >= 0; i-- {
			if auth[i] == ':' {
				p.Host, p.Port = auth[:i], auth[i+1:]
				break
			}
		}
		if !validURLHost(p.Host) {
			return p, false
		}
	}
	if p.Port != nil {
		if len(p.Port) == 0 || len(p.Port) > 5 {
			return p, false
		}
		for _, c := range p.Port {
			if !IsDigit(c) {
				return p, false
			}
		}
	}
	// path, query, fragment
	for i, c := range rest {
		if c == '#' {
			rest = rest[:i]
			break
		}
	}
	p.Path = rest
	for i, c := range rest {
		if c == '?' {
			p.Path, p.Query, p.HasQuery = rest[:i], rest[i+1:], true
			break
		}
	}
	return p, true
}

func validURLHost(h []byte) bool {
	if len(h) == 0 || len(h) > MaxDomainLen {
		return false
	}
	if _, ok := ParseIPv4(h); ok {
		return true
	}
	var buf [MaxDomainLen]byte
	return ValidDomain(AppendLower(buf[:0], h))
}

// DefaultPort returns the default port of a scheme ("80" for http and for
// a URL without scheme), or "".
func DefaultPort(scheme []byte) string {
	var buf [8]byte
	if len(scheme) > len(buf) {
		return ""
	}
	switch string(AppendLower(buf[:0], scheme)) {
	case "", "http", "ws", "hxxp":
		return "80"
	case "https", "wss", "hxxps":
		return "443"
	case "ftp":
		return "21"
	}
	return ""
}

// AppendURLKey appends the scheme-less canonical key of p:
// lower-case host (IPv6 in brackets, as net/netip prints it), ":port"
// unless it is the scheme's default, and the path ("/" when empty).
// The query is not included. It does not allocate when dst has room.
func AppendURLKey(dst []byte, p URLParts) []byte {
	if ip, ok := ParseIPv6(p.Host); ok {
		dst = append(dst, '[')
		dst = netip.AddrFrom16(ip).AppendTo(dst)
		dst = append(dst, ']')
	} else {
		dst = AppendLower(dst, p.Host)
	}
	port := p.Port
	for len(port) > 1 && port[0] == '0' {
		port = port[1:] // ":080" is ":80"
	}
	if len(port) > 0 && string(port) != DefaultPort(p.Scheme) {
		dst = append(dst, ':')
		dst = append(dst, port...)
	}
	if len(p.Path) == 0 {
		return append(dst, '/')
	}
	return append(dst, p.Path...)
}
