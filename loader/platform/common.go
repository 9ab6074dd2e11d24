package platform

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/loader/fetch"
)

// parseBase parses the base URL s of a platform's API (def when s is
// empty): https with a host (http for a loopback host only: localhost,
// 127.0.0.0/8, ::1), no user info (the credentials are options), no query
// or fragment; the path is kept without its trailing slash. name
// prefixes the error.
func parseBase(name, s, def string) (*url.URL, error) {
	if s == "" {
		s = def
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: base URL %q is not an http or https URL", name, fetch.Redact(s))
	}
	switch {
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return nil, fmt.Errorf("%s: base URL %q: plain http would send the API credentials in clear: use https (http is taken for a loopback host only)", name, fetch.Redact(s))
	case u.User != nil:
		return nil, fmt.Errorf("%s: base URL %q has user info: give the credentials in the options", name, fetch.Redact(s))
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("%s: base URL %q has a query or fragment: give the API's base URL only", name, fetch.Redact(s))
	}
	v := *u
	v.Path = strings.TrimRight(v.Path, "/")
	v.RawPath = ""
	return &v, nil
}

// keyClient returns the HTTP client of a platform client whose
// credential is an API key in one header: ho with its Name defaulting to
// name, the key (trimmed) set in a copy of its Header, and hints under
// the user's own (withHints); and the client's clock, ho.Now or
// time.Now.
func keyClient(ho fetch.Options, name, header, key string, hints map[int]string) (*fetch.Client, func() time.Time, error) {
	if ho.Name == "" {
		ho.Name = name
	}
	ho.Header = ho.Header.Clone()
	if ho.Header == nil {
		ho.Header = http.Header{}
	}
	ho.Header.Set(header, strings.TrimSpace(key))
	ho.Hints = withHints(ho.Hints, hints)
	fc, err := fetch.New(ho)
	if err != nil {
		return nil, nil, err
	}
	now := ho.Now
	if now == nil {
		now = time.Now
	}
	return fc, now, nil
}

// loopback reports whether host is localhost or a loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// withHints returns hints with the defaults def for the statuses it does
// not have: the user's own hints (fetch.Options.Hints) win.
func withHints(hints, def map[int]string) map[int]string {
	out := make(map[int]string, len(hints)+len(def))
	for k, v := range def {
		out[k] = v
	}
	for k, v := range hints {
		out[k] = v
	}
	return out
}
