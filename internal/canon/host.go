package canon

import "strings"

// HostOf returns the host name of a value that is a host name or a URL
// ("scheme://user@host:port/path…", "host:port"), lower case, without
// brackets, port, userinfo or trailing dot: the host a warninglist or an
// allowlist compares. On a canonical URL it is the URL's host as it is.
func HostOf(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.Index(v, "//"); i >= 0 {
		v = v[i+2:]
	}
	if i := strings.IndexAny(v, "/?#"); i >= 0 {
		v = v[:i]
	}
	if i := strings.LastIndexByte(v, '@'); i >= 0 {
		v = v[i+1:]
	}
	if strings.HasPrefix(v, "[") { // [IPv6]:port
		if i := strings.IndexByte(v, ']'); i >= 0 {
			return strings.ToLower(v[1:i])
		}
	} else if i := strings.LastIndexByte(v, ':'); i >= 0 && strings.Count(v, ":") == 1 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimRight(v, "."))
}
