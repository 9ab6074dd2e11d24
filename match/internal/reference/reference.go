// Package reference is a deliberately slow and obvious implementation of
// the free-text rules of package match's documentation, written from the
// documentation alone. Tests compare the real matcher against it.
//
// Every rule is coded as directly as the doc states it: every maximal run
// is enumerated, every '@' and every "://" is tried, every substring
// position is compared by brute force. Nothing here is shared with the
// matcher (no internal/canon, no regexp); indicator.Canonical is used only
// to learn which port a scheme drops, as New does, and the Public Suffix
// List only through golang.org/x/net/publicsuffix, the implementation the
// doc names.
//
// Validity windows and confidence are ignored: callers pass indicators
// without them.
package reference

import (
	"bytes"
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"

	"github.com/iocmatch/iocmatch/indicator"
)

// Match is one match: the indicator's type and canonical value, and the
// byte offsets [Start, End) into the raw line.
type Match struct {
	Type       indicator.Type
	Value      string
	Start, End int
}

// Compare orders matches by (Start, End, Type, Value).
func Compare(a, b Match) int {
	if c := cmp.Compare(a.Start, b.Start); c != 0 {
		return c
	}
	if c := cmp.Compare(a.End, b.End); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return cmp.Compare(a.Value, b.Value)
}

// Find returns every match of inds (canonical indicators, as New builds
// them) in line, sorted by (Start, End, Type, Value) and without
// duplicates.
func Find(inds []indicator.Indicator, line []byte) []Match {
	f := finder{inds: inds}
	f.text, f.spans = Decode(line)
	f.run()
	slices.SortFunc(f.out, Compare)
	return slices.Compact(f.out)
}

// Span is the raw byte range [Start, End) that one decoded byte comes from.
type Span struct{ Start, End int }

// IsJSONLine reports whether the doc's JSON rule applies to line: its
// first byte that is not a space or tab is '{' and it holds a backslash.
func IsJSONLine(line []byte) bool {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i < len(line) && line[i] == '{' && bytes.IndexByte(line, '\\') >= 0
}

// Decode returns the text the rules run on and, when it differs from line,
// the raw span of every decoded byte (nil otherwise: identity).
func Decode(line []byte) ([]byte, []Span) {
	if !IsJSONLine(line) {
		return line, nil
	}
	var text []byte
	var spans []Span
	emit := func(b []byte, start, end int) {
		for _, c := range b {
			text = append(text, c)
			spans = append(spans, Span{start, end})
		}
	}
	for i := 0; i < len(line); {
		c := line[i]
		if c != '\\' || i+1 >= len(line) {
			emit([]byte{c}, i, i+1)
			i++
			continue
		}
		simple := map[byte]byte{'\\': '\\', '"': '"', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}
		if d, ok := simple[line[i+1]]; ok {
			emit([]byte{d}, i, i+2)
			i += 2
			continue
		}
		if line[i+1] == 'u' {
			if r, ok := hex4(line[i+2:]); ok {
				end := i + 6
				switch {
				case r >= 0xD800 && r <= 0xDBFF:
					// high surrogate: joined with a following low one
					if len(line) >= end+2 && line[end] == '\\' && line[end+1] == 'u' {
						if r2, ok := hex4(line[end+2:]); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
							r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
							end += 6
						} else {
							r = 0xFFFD
						}
					} else {
						r = 0xFFFD
					}
				case r >= 0xDC00 && r <= 0xDFFF:
					r = 0xFFFD
				}
				emit(utf8.AppendRune(nil, r), i, end)
				i = end
				continue
			}
		}
		// any other backslash is kept as it is
		emit([]byte{'\\'}, i, i+1)
		i++
	}
	return text, spans
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

// character classes, from the doc's words

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// word byte: [A-Za-z0-9_]
func isWord(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }

// host byte: [A-Za-z0-9_.-]
func isHost(c byte) bool { return isWord(c) || c == '.' || c == '-' }

// name byte: a host byte or any byte >= 0x80
func isName(c byte) bool { return isHost(c) || c >= 0x80 }

// scheme byte: [A-Za-z0-9+.-]
func isScheme(c byte) bool { return isLetter(c) || isDigit(c) || c == '+' || c == '.' || c == '-' }

// email local part byte: [A-Za-z0-9._%+-]
func isLocal(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// zone byte: host bytes but '.'
func isZone(c byte) bool { return isHost(c) && c != '.' }

func lower(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

func equalFold(a []byte, b string) bool {
	return len(a) == len(b) && lower(a) == lower([]byte(b))
}

type finder struct {
	inds  []indicator.Indicator
	text  []byte
	spans []Span
	out   []Match
	v6    [][2]int // spans of IPv6 tokens, in decoded offsets
}

// add records a match of ind at decoded offsets [s, e).
func (f *finder) add(ind indicator.Indicator, s, e int) {
	if f.spans != nil {
		s, e = f.spans[s].Start, f.spans[e-1].End
	}
	f.out = append(f.out, Match{Type: ind.Type, Value: ind.Value, Start: s, End: e})
}

func (f *finder) run() {
	f.ipv6()
	f.ipv4()
	f.domains()
	f.schemeURLs()
	f.schemelessURLs()
	f.emails()
	f.hashes()
	f.strs()
}

// runs returns the maximal runs [i, j) of bytes in class.
func runs(t []byte, class func(byte) bool) [][2]int {
	var out [][2]int
	for i := 0; i < len(t); {
		if !class(t[i]) {
			i++
			continue
		}
		j := i
		for j < len(t) && class(t[j]) {
			j++
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// wordAt reports whether t[i] exists and is a word byte.
func wordAt(t []byte, i int) bool { return i >= 0 && i < len(t) && isWord(t[i]) }

// ---- addresses ----

// parseQuad parses a dotted quad of 0-255 without leading zeros.
func parseQuad(b []byte) (netip.Addr, bool) {
	parts := bytes.Split(b, []byte("."))
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var q [4]byte
	for k, p := range parts {
		if len(p) == 0 || len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return netip.Addr{}, false
		}
		v := 0
		for _, c := range p {
			if !isDigit(c) {
				return netip.Addr{}, false
			}
			v = v*10 + int(c-'0')
		}
		if v > 255 {
			return netip.Addr{}, false
		}
		q[k] = byte(v)
	}
	return netip.AddrFrom4(q), true
}

func (f *finder) ipv4() {
	t := f.text
	for _, r := range runs(t, func(c byte) bool { return isDigit(c) || c == '.' }) {
		i, j := r[0], r[1]
		if wordAt(t, i-1) || wordAt(t, j) {
			// the byte before the run is a word byte; or the byte after
			// the quad (or after its dot) is one
			continue
		}
		a, ok := parseQuad(t[i:j])
		qe := j
		if !ok && t[j-1] == '.' {
			a, ok = parseQuad(t[i : j-1])
			qe = j - 1
		}
		if !ok {
			continue
		}
		suppressed := false
		for _, s := range f.v6 {
			if s[0] <= i && qe <= s[1] {
				suppressed = true // found as the IPv6 token instead
			}
		}
		if !suppressed {
			f.addr(a, i, qe)
		}
	}
}

func (f *finder) ipv6() {
	t := f.text
	for _, r := range runs(t, func(c byte) bool { return isHex(c) || c == ':' || c == '.' }) {
		i, j := r[0], r[1]
		if bytes.Count(t[i:j], []byte(":")) < 2 || wordAt(t, i-1) {
			continue
		}
		end := j
		if j < len(t) && t[j] == '%' {
			k := j + 1
			for k < len(t) && isZone(t[k]) {
				k++
			}
			if k > j+1 {
				end = k
			}
		}
		if wordAt(t, end) {
			continue
		}
		aEnd := j
		a, err := netip.ParseAddr(string(t[i:j]))
		// The doc does not say what "fe80::1.%eth0" is (the run is an
		// address once '.' is cut, but the zone is then not next to it):
		// like the matcher, a trailing byte is cut only when no zone
		// follows.
		if err != nil && end == j && (t[j-1] == '.' || t[j-1] == ':') {
			aEnd = j - 1
			a, err = netip.ParseAddr(string(t[i : j-1]))
		}
		if err != nil || !a.Is6() {
			continue
		}
		if end == j {
			end = aEnd
		}
		f.v6 = append(f.v6, [2]int{i, end})
		f.addr(a.Unmap(), i, end)
	}
}

func (f *finder) addr(a netip.Addr, s, e int) {
	for _, ind := range f.inds {
		switch ind.Type {
		case indicator.IPv4, indicator.IPv6:
			if ind.Value == a.String() {
				f.add(ind, s, e)
			}
		case indicator.CIDR:
			if p, err := netip.ParsePrefix(ind.Value); err == nil && p.Contains(a) {
				f.add(ind, s, e)
			}
		}
	}
}

// ---- domains ----

func trimDotHyphen(t []byte, i, j int) (int, int) {
	for i < j && (t[i] == '.' || t[i] == '-') {
		i++
	}
	for j > i && (t[j-1] == '.' || t[j-1] == '-') {
		j--
	}
	return i, j
}

// publicSuffix reports whether name is a public suffix: the Public Suffix
// List (its ICANN or private section) gives name itself as its suffix.
func publicSuffix(name string) bool {
	ps, _ := publicsuffix.PublicSuffix(name)
	return ps == name
}

// domains: a token equal to the indicator, or ending in "."+indicator
// unless the indicator is a public suffix (then only the exact name).
func (f *finder) domains() {
	t := f.text
	for _, r := range runs(t, isHost) {
		s, e := trimDotHyphen(t, r[0], r[1])
		if s == e {
			continue
		}
		tok := lower(t[s:e])
		for _, ind := range f.inds {
			if ind.Type != indicator.Domain {
				continue
			}
			if tok == ind.Value || strings.HasSuffix(tok, "."+ind.Value) && !publicSuffix(ind.Value) {
				f.add(ind, s, e)
			}
		}
	}
}

// validDomain: 1..253 bytes of [a-z0-9_-] labels of 1..63 bytes separated
// by single dots, at least two labels, no hyphen at either end, the last
// label not all digits. s is lower case already.
func validDomain(s string) bool {
	if len(s) == 0 || len(s) > 253 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 {
			return false
		}
		for k := 0; k < len(l); k++ {
			c := l[k]
			if !(c >= 'a' && c <= 'z' || isDigit(c) || c == '_' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}

// ---- URLs ----

// urlEnd returns where a URL starting at i ends: at white space (any byte
// <= 0x20), a quote or < >, then without trailing . , ; : ! ? ) ] }. It
// never goes below min.
func urlEnd(t []byte, i, min int) int {
	j := i
	for j < len(t) && !(t[j] <= 0x20 || t[j] == '"' || t[j] == '\'' || t[j] == '`' || t[j] == '<' || t[j] == '>') {
		j++
	}
	for j > min && strings.IndexByte(".,;:!?)]}", t[j-1]) >= 0 {
		j--
	}
	return j
}

// urlKey splits rest (the URL after "scheme://", or a scheme-less URL) and
// returns its key host[:port]/path, and its query.
func urlKey(scheme string, rest []byte) (key string, query string, hasQuery, ok bool) {
	authEnd := len(rest)
	if k := bytes.IndexAny(rest, "/?#"); k >= 0 {
		authEnd = k
	}
	auth, tail := rest[:authEnd], rest[authEnd:]
	if k := bytes.LastIndexByte(auth, '@'); k >= 0 {
		auth = auth[k+1:] // userinfo dropped
	}
	var host string
	var port []byte
	hasPort := false
	if len(auth) > 0 && auth[0] == '[' {
		c := bytes.IndexByte(auth, ']')
		if c < 0 {
			return "", "", false, false
		}
		inner := auth[1:c]
		if after := auth[c+1:]; len(after) > 0 {
			if after[0] != ':' {
				return "", "", false, false
			}
			port, hasPort = after[1:], true
		}
		if bytes.IndexByte(inner, ':') < 0 || bytes.IndexByte(inner, '%') >= 0 {
			return "", "", false, false
		}
		a, err := netip.ParseAddr(string(inner))
		if err != nil || !a.Is6() {
			return "", "", false, false
		}
		host = "[" + a.String() + "]"
	} else {
		h := auth
		if c := bytes.LastIndexByte(auth, ':'); c >= 0 {
			h, port, hasPort = auth[:c], auth[c+1:], true
		}
		if _, isQuad := parseQuad(h); !isQuad && !validDomain(lower(h)) {
			return "", "", false, false
		}
		host = lower(h)
	}
	if hasPort {
		if len(port) == 0 || len(port) > 5 {
			return "", "", false, false
		}
		for _, c := range port {
			if !isDigit(c) {
				return "", "", false, false
			}
		}
	}
	if k := bytes.IndexByte(tail, '#'); k >= 0 {
		tail = tail[:k] // fragment ignored
	}
	path := tail
	if k := bytes.IndexByte(tail, '?'); k >= 0 {
		path, query, hasQuery = tail[:k], string(tail[k+1:]), true
	}
	key = host
	if hasPort {
		key += keyPort(scheme, string(port))
	}
	if len(path) == 0 {
		key += "/"
	} else {
		key += string(path)
	}
	return key, query, hasQuery, true
}

var (
	portMu    sync.Mutex
	portCache = map[[2]string]string{}
)

// keyPort returns ":port" as the canonical key writes it for this scheme,
// or "" when the port is the scheme's default: learned from
// indicator.Canonical, "the same way New does".
func keyPort(scheme, port string) string {
	k := [2]string{strings.ToLower(scheme), port}
	portMu.Lock()
	defer portMu.Unlock()
	if p, ok := portCache[k]; ok {
		return p
	}
	u := "a.example:" + port + "/" // without a scheme New adds http://
	if k[0] != "" {
		u = k[0] + "://" + u
	}
	_, v, err := indicator.Canonical(indicator.URL, u)
	p := ":" + port
	if err == nil {
		v = v[strings.Index(v, "a.example")+len("a.example"):]
		p = strings.TrimSuffix(v, "/")
	}
	portCache[k] = p
	return p
}

func (f *finder) url(scheme string, rest []byte, s, e int) {
	key, q, hasQ, ok := urlKey(scheme, rest)
	if !ok {
		return
	}
	for _, ind := range f.inds {
		if ind.Type != indicator.URL {
			continue
		}
		v := ind.Value[strings.Index(ind.Value, "://")+3:]
		ikey, iq, ihasQ := v, "", false
		if k := strings.IndexByte(v, '?'); k >= 0 {
			ikey, iq, ihasQ = v[:k], v[k+1:], true
		}
		if ikey == key && (!ihasQ || hasQ && q == iq) {
			f.add(ind, s, e)
		}
	}
}

func (f *finder) schemeURLs() {
	t := f.text
	for k := 0; k+3 <= len(t); k++ {
		if string(t[k:k+3]) != "://" {
			continue
		}
		a := k
		for a > 0 && isScheme(t[a-1]) {
			a--
		}
		for a < k && !isLetter(t[a]) {
			a++
		}
		if a == k {
			continue // no scheme
		}
		e := urlEnd(t, k+3, k+3)
		f.url(string(t[a:k]), t[k+3:e], a, e)
	}
}

func (f *finder) schemelessURLs() {
	t := f.text
	for _, r := range runs(t, isHost) {
		i, j := r[0], r[1]
		if i > 0 && (t[i-1] == '/' || t[i-1] == '\\' || t[i-1] == '@') {
			continue
		}
		if _, isQuad := parseQuad(t[i:j]); !isQuad && !validDomain(lower(t[i:j])) {
			continue
		}
		p := j
		if p < len(t) && t[p] == ':' {
			q := p + 1
			for q < len(t) && isDigit(t[q]) {
				q++
			}
			if q == p+1 || q-p-1 > 5 {
				continue
			}
			p = q
		}
		if p >= len(t) || t[p] != '/' {
			continue
		}
		e := urlEnd(t, i, p+1)
		f.url("", t[i:e], i, e)
	}
}

// ---- emails ----

func (f *finder) emails() {
	t := f.text
	for k := range t {
		if t[k] != '@' {
			continue
		}
		a := k
		for a > 0 && isLocal(t[a-1]) {
			a--
		}
		for a < k && t[a] == '.' {
			a++
		}
		b := k + 1
		for b < len(t) && isHost(t[b]) {
			b++
		}
		ds, de := trimDotHyphen(t, k+1, b)
		if a == k || ds == de {
			continue
		}
		v := lower(t[a:k]) + "@" + lower(t[ds:de])
		for _, ind := range f.inds {
			if ind.Type == indicator.Email && ind.Value == v {
				f.add(ind, a, de)
			}
		}
	}
}

// ---- hashes ----

func (f *finder) hashes() {
	t := f.text
	for _, r := range runs(t, isHex) {
		i, j := r[0], r[1]
		ht, ok := indicator.HashType(j - i)
		if !ok || wordAt(t, i-1) || wordAt(t, j) {
			continue
		}
		v := lower(t[i:j])
		for _, ind := range f.inds {
			if ind.Type == ht && ind.Value == v {
				f.add(ind, i, j)
			}
		}
	}
}

// ---- string kinds ----

// hiveForms returns the spellings of a registry key value in text: as
// given, and with the hive written long or short.
func hiveForms(v string) []string {
	forms := []string{v}
	for _, h := range indicator.RegKeyHives() {
		for k, name := range h {
			if len(v) >= len(name) && strings.EqualFold(v[:len(name)], name) &&
				(len(v) == len(name) || v[len(name)] == '\\') {
				forms = append(forms, h[1-k]+v[len(name):])
			}
		}
	}
	return forms
}

func (f *finder) strs() {
	t := f.text
	for _, ind := range f.inds {
		if !ind.Type.IsString() {
			continue
		}
		forms := []string{ind.Value}
		if ind.Type == indicator.RegKey {
			forms = hiveForms(ind.Value)
		}
		for _, p := range forms {
			for s := 0; s+len(p) <= len(t); s++ {
				e := s + len(p)
				if equalFold(t[s:e], p) && boundary(t, ind.Type, s, e) {
					f.add(ind, s, e)
				}
			}
		}
	}
}

func boundary(t []byte, typ indicator.Type, s, e int) bool {
	switch typ {
	case indicator.Filename:
		if s > 0 && isName(t[s-1]) {
			return false
		}
		return e == len(t) || !isName(t[e]) ||
			t[e] == '.' && (e+1 == len(t) || !isName(t[e+1]))
	case indicator.RegKey:
		if wordAt(t, s-1) {
			return false
		}
		return e == len(t) || t[e] == '\\' || t[e] == '"' || t[e] == '\'' || t[e] == '`' ||
			t[e] <= 0x20 || strings.IndexByte(",;)]}<>", t[e]) >= 0
	}
	return true
}
