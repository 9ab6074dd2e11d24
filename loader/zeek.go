package loader

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
)

// ReadZeek reads a Zeek intelligence framework file (the files listed in
// Intel::read_files) from r. path names the input in problems and errors,
// and gives the default source name (SourceName); it is not opened.
// Result.Files is 1.
//
//	#fields	indicator	indicator_type	meta.source	meta.desc	meta.url
//	198.51.100.7	Intel::ADDR	feodo	C2 server	https://feeds.example/c2
//	evil.example/gate.php	Intel::URL	-	Loader gate	-
//
// The rules:
//
//   - Lines end as in a plain list (CRLF, a BOM, MaxLineLen: see
//     ReadList). Blank lines are skipped.
//   - Fields are separated by a tab, or by the byte a "#separator" header
//     names ("#separator \x09", "#separator ,": one byte, written as
//     itself or as \xNN). "#set_separator", "#empty_field" and
//     "#unset_field" headers set the set separator (default ","), the empty
//     marker (default "(empty)") and the unset marker (default "-"). A
//     "#separator" naming no single byte is a problem (ReasonBadHeader) and
//     leaves the separator as it was.
//   - "#fields" followed by the separator and the column names starts a
//     table; a later "#fields" line starts another (concatenated files).
//     Columns come in any order; "indicator" and "indicator_type" are
//     required ("meta.source" too for Zeek, not here). A header without
//     them, or whose names are not separated by the separator, is a
//     problem (ReasonBadHeader) and so is every line under it, until the
//     next good header; so is a data line before any "#fields" header.
//   - Any other line starting with '#' is a comment ("#path", "#types",
//     "#open" …).
//   - A data line is split at the separator; a line with more or fewer
//     fields than its header has columns is a problem (ReasonMalformed).
//     In every field, \xNN escapes are decoded, as Zeek does. A field equal
//     to the unset or the empty marker is empty. An empty indicator or
//     indicator_type is a problem (ReasonMalformed).
//   - indicator_type (case-insensitively) gives the type: Intel::ADDR an
//     ipv4 or ipv6 address (a prefix is a problem); Intel::SUBNET a cidr
//     (or an address, for a /32 or /128); Intel::DOMAIN a domain (an IP
//     address there is an address indicator); Intel::URL a url;
//     Intel::EMAIL an email; Intel::FILE_HASH an md5, sha1, sha256 or sha512
//     by its length (another length is a problem, ReasonInvalidValue);
//     Intel::CERT_HASH (the SHA-1 fingerprint of an X.509 certificate) the
//     hash type of its length, tagged "zeek:CERT_HASH"; Intel::FILE_NAME a
//     filename; Intel::SOFTWARE (Zeek matches it against User-Agent and
//     server software strings) a useragent, tagged "zeek:SOFTWARE";
//     Intel::USER_NAME a string, tagged "zeek:USER_NAME" (iocmatch has no
//     user-name kind: the string matches anywhere in text).
//     Intel::PUBKEY_HASH, Intel::JA3, Intel::JA3S, Intel::JA4 and
//     Intel::HASSH are valid but not read: each such line is counted in
//     Result.Unsupported as "zeek type: Intel::NAME". Any other type name
//     is a problem (ReasonUnknownType).
//   - Zeek's URL values have no scheme ("evil.example/gate.php", as Zeek
//     sees them in HTTP requests); many feeds write one anyway
//     ("https://evil.example/gate.php"). Both are read: a URL without
//     scheme gets "http://", as indicator.New does. The matcher ignores the
//     scheme of URLs, so either form matches "evil.example/gate.php" with
//     or without any scheme in text.
//   - Values are read with indicator.ParseAs (refanged, canonicalised); a
//     value it rejects is a problem (ReasonInvalidValue) quoting it. The
//     string kinds (filename, useragent, string) are taken as given, white
//     space included.
//   - Metadata, from the columns present (white space around a value is
//     dropped; an unset or empty value is no value): meta.source is
//     Meta.Source (Options.Source overrides it; without it, the file's name
//     is the source); meta.desc is Meta.Description; meta.url is
//     Meta.Reference; meta.do_notice "T" adds the tag "zeek:do_notice";
//     meta.if_in adds the tag "zeek:if_in:" followed by its value. The
//     fields of Zeek's CIF integration: meta.cif_tags adds its tags (split
//     at the set separator and at commas); meta.cif_confidence is
//     Meta.Confidence (a number from 0 to 10, CIF 3 style, is multiplied by
//     10; from 10 to 100 it is taken as a percentage; anything else is
//     ignored); meta.cif_firstseen and meta.cif_lastseen are Meta.FirstSeen
//     and Meta.LastSeen (RFC 3339 or Unix seconds; anything else is
//     ignored); meta.cif_description is Meta.Description when meta.desc
//     gives none. Other columns are ignored.
//   - A line with meta.whitelist "T" is an allowlist entry (Zeek's
//     whitelisting policy), not an indicator to match: it is read as an
//     indicator, with its metadata, into Result.Allowlist (the allow
//     package applies it; whitelist wins over remove). One with
//     meta.remove "T" is a removal (Zeek's removal policy): once its value
//     is checked, it is counted in Result.Unsupported as
//     "zeek: meta.remove=T".
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadZeek(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatZeek, r, path, opts)
}

// sniffZeek reports whether head starts a Zeek intel file: its first line
// that is not blank starts with "#separator" or "#fields" followed by
// white space.
func sniffZeek(head []byte) bool {
	head = bytes.TrimPrefix(head, utf8BOM)
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		for _, kw := range []string{"#separator", "#fields"} {
			if rest, ok := bytes.CutPrefix(line, []byte(kw)); ok && len(rest) > 1 && (rest[0] == ' ' || rest[0] == '\t') {
				return true
			}
		}
		return false
	}
	return false
}

// zeekTypes maps the upper-cased Intel::Type names iocmatch reads to their
// indicator type; Invalid marks a hash type decided by the value's length.
var zeekTypes = map[string]indicator.Type{
	"INTEL::ADDR":      indicator.IPv4,
	"INTEL::SUBNET":    indicator.CIDR,
	"INTEL::DOMAIN":    indicator.Domain,
	"INTEL::URL":       indicator.URL,
	"INTEL::EMAIL":     indicator.Email,
	"INTEL::FILE_HASH": indicator.Invalid,
	"INTEL::CERT_HASH": indicator.Invalid,
	"INTEL::FILE_NAME": indicator.Filename,
	"INTEL::SOFTWARE":  indicator.UserAgent,
	"INTEL::USER_NAME": indicator.String,
}

// zeekTags are the tags marking the Zeek types whose indicator type does not
// say all.
var zeekTags = map[string]string{
	"INTEL::CERT_HASH": "zeek:CERT_HASH",
	"INTEL::SOFTWARE":  "zeek:SOFTWARE",
	"INTEL::USER_NAME": "zeek:USER_NAME",
}

// zeekUnsupported are the Intel::Type names, from Zeek or common packages,
// that iocmatch does not read.
var zeekUnsupported = map[string]string{
	"INTEL::PUBKEY_HASH": "Intel::PUBKEY_HASH",
	"INTEL::JA3":         "Intel::JA3",
	"INTEL::JA3S":        "Intel::JA3S",
	"INTEL::JA4":         "Intel::JA4",
	"INTEL::HASSH":       "Intel::HASSH",
}

// zeekHeader is the "#fields" header in force.
type zeekHeader struct {
	line  int            // its line, or 0 before any header
	bad   string         // why it cannot be used, or ""
	ncols int            // number of columns
	cols  map[string]int // column name to index (the last of duplicates)
	ind   int            // index of indicator
	typ   int            // index of indicator_type
}

// col returns the index of column name, or -1.
func (h *zeekHeader) col(name string) int {
	if i, ok := h.cols[name]; ok {
		return i
	}
	return -1
}

// zeekSeps are the separators and markers in force.
type zeekSeps struct {
	sep    byte
	setSep string
	empty  string
	unset  string
}

// readZeek reads a Zeek intel file from r into c.
func readZeek(c *collector, r io.Reader) error {
	seps := zeekSeps{sep: '\t', setSep: ",", empty: "(empty)", unset: "-"}
	var h zeekHeader
	var fields []string
	return eachLine(c, r, func(n int, b []byte) error {
		if len(bytes.TrimSpace(b)) == 0 {
			return nil
		}
		line := string(b)
		if line[0] == '#' {
			if err := zeekDirective(c, n, line, &seps, &h); err != nil {
				return err
			}
			return nil
		}
		if h.line == 0 {
			if err := c.problem(n, ReasonBadHeader, "data line before any #fields header"); err != nil {
				return err
			}
			return nil
		}
		if h.bad != "" {
			msg := fmt.Sprintf("line skipped: the #fields header at line %d %s", h.line, h.bad)
			if err := c.problem(n, ReasonBadHeader, msg); err != nil {
				return err
			}
			return nil
		}
		fields = splitByte(fields[:0], line, seps.sep)
		if len(fields) != h.ncols {
			msg := fmt.Sprintf("%d fields, but the #fields header at line %d has %d columns", len(fields), h.line, h.ncols)
			if err := c.problem(n, ReasonMalformed, msg); err != nil {
				return err
			}
			return nil
		}
		return zeekRecord(c, n, fields, &seps, &h)
	})
}

// zeekDirectives are the header lines Zeek's ASCII format defines.
var zeekDirectives = []string{"#separator", "#set_separator", "#empty_field", "#unset_field", "#fields"}

// zeekDirective handles a line starting with '#': a header, or a comment.
func zeekDirective(c *collector, n int, line string, seps *zeekSeps, h *zeekHeader) error {
	// "#separator \x09" is written with a space; the others with the
	// separator (a space or a tab is accepted too).
	kw, rest := "", ""
	for _, k := range zeekDirectives {
		if strings.HasPrefix(line, k) && len(line) > len(k) {
			if c := line[len(k)]; c == ' ' || c == '\t' || c == seps.sep {
				kw, rest = k, line[len(k)+1:]
				break
			}
		}
		if line == k {
			kw = k
			break
		}
	}
	switch kw {
	case "#separator":
		v := zeekUnescape(rest)
		if len(v) != 1 || v[0] == '\n' {
			return c.problem(n, ReasonBadHeader, fmt.Sprintf("#separator %q is not one byte", rest))
		}
		seps.sep = v[0]
	case "#set_separator":
		seps.setSep = zeekUnescape(rest)
	case "#empty_field":
		seps.empty = zeekUnescape(rest)
	case "#unset_field":
		seps.unset = zeekUnescape(rest)
	case "#fields":
		*h = zeekHeader{line: n, cols: map[string]int{}}
		if len(line) == len("#fields") || line[len("#fields")] != seps.sep {
			h.bad = fmt.Sprintf("does not separate its column names by %q", string(seps.sep))
			return c.problem(n, ReasonBadHeader, "#fields header: column names not separated by "+strconv.QuoteRune(rune(seps.sep)))
		}
		names := splitByte(nil, line[len("#fields")+1:], seps.sep)
		h.ncols = len(names)
		for i, name := range names {
			h.cols[zeekUnescape(name)] = i
		}
		h.ind, h.typ = h.col("indicator"), h.col("indicator_type")
		var missing []string
		if h.ind < 0 {
			missing = append(missing, "indicator")
		}
		if h.typ < 0 {
			missing = append(missing, "indicator_type")
		}
		if len(missing) > 0 {
			h.bad = "has no " + strings.Join(missing, " or ") + " column"
			return c.problem(n, ReasonBadHeader, "#fields header: no "+strings.Join(missing, " or ")+" column")
		}
	}
	return nil // a comment
}

// zeekRecord reads one data line, split into fields.
func zeekRecord(c *collector, n int, fields []string, seps *zeekSeps, h *zeekHeader) error {
	get := func(name string) string {
		i := h.col(name)
		if i < 0 {
			return ""
		}
		v := fields[i]
		if v == seps.unset || v == seps.empty {
			return ""
		}
		return strings.TrimSpace(zeekUnescape(v))
	}
	raw := fields[h.ind]
	if raw == seps.unset || raw == seps.empty || raw == "" {
		return c.problem(n, ReasonMalformed, "the indicator is unset")
	}
	raw = zeekUnescape(raw)
	typName := get("indicator_type")
	if typName == "" {
		return c.problem(n, ReasonMalformed, "the indicator_type is unset")
	}
	key := strings.ToUpper(typName)
	t, ok := zeekTypes[key]
	if !ok {
		if name, ok := zeekUnsupported[key]; ok {
			c.unsupported("zeek type: " + name)
			return nil
		}
		return c.problem(n, ReasonUnknownType, fmt.Sprintf("unknown Zeek indicator type %q", typName))
	}
	var ind indicator.Indicator
	var err error
	switch {
	case t == indicator.Invalid: // FILE_HASH, CERT_HASH
		v := strings.TrimSpace(raw)
		ht, ok := indicator.HashType(len(v))
		if !ok {
			return c.problem(n, ReasonInvalidValue, fmt.Sprintf("%s %q: not 32, 40, 64 or 128 hex digits", typName, raw))
		}
		ind, err = indicator.ParseAs(ht, v)
	case t.IsString():
		ind, err = indicator.New(t, raw)
	default:
		ind, err = indicator.ParseAs(t, raw)
		if err == nil && key == "INTEL::ADDR" && ind.Type == indicator.CIDR {
			return c.problem(n, ReasonInvalidValue, fmt.Sprintf("Intel::ADDR %q is a subnet, not an address", raw))
		}
	}
	if err != nil {
		return c.problem(n, valueReason(err), err.Error())
	}
	whitelist := get("meta.whitelist") == "T"
	if !whitelist && get("meta.remove") == "T" {
		c.unsupported("zeek: meta.remove=T")
		return nil
	}
	ind.Source = get("meta.source")
	ind.Description = get("meta.desc")
	if ind.Description == "" {
		ind.Description = get("meta.cif_description")
	}
	ind.Reference = get("meta.url")
	if tag, ok := zeekTags[key]; ok {
		ind.Tags = append(ind.Tags, tag)
	}
	if get("meta.do_notice") == "T" {
		ind.Tags = append(ind.Tags, "zeek:do_notice")
	}
	if v := get("meta.if_in"); v != "" {
		ind.Tags = append(ind.Tags, "zeek:if_in:"+v)
	}
	if v := get("meta.cif_tags"); v != "" {
		ind.Tags = appendTags(ind.Tags, v, seps.setSep)
	}
	if v := get("meta.cif_confidence"); v != "" {
		ind.Confidence = cifConfidence(v)
	}
	ind.FirstSeen = zeekTime(get("meta.cif_firstseen"))
	ind.LastSeen = zeekTime(get("meta.cif_lastseen"))
	if whitelist {
		ind.Source = c.sourceFor(ind.Source)
		ind.Value = strings.Clone(ind.Value)
		c.res.Allowlist = append(c.res.Allowlist, ind)
		return nil
	}
	return c.add(ind)
}

// splitByte appends the fields of s separated by sep to dst.
func splitByte(dst []string, s string, sep byte) []string {
	for {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			return append(dst, s)
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
}

// zeekUnescape decodes the \xNN escapes of s, as Zeek's input framework
// does; other backslashes are kept.
func zeekUnescape(s string) string {
	i := strings.Index(s, `\x`)
	if i < 0 {
		return s
	}
	var b strings.Builder
	for i >= 0 {
		b.WriteString(s[:i])
		if i+4 <= len(s) && canon.IsHex(s[i+2]) && canon.IsHex(s[i+3]) {
			b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
			s = s[i+4:]
		} else {
			b.WriteString(`\x`)
			s = s[i+2:]
		}
		i = strings.Index(s, `\x`)
	}
	b.WriteString(s)
	return b.String()
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// appendTags appends the tags in s, separated by sep or commas, without
// empty ones.
func appendTags(tags []string, s, sep string) []string {
	f := func(r rune) bool { return r == ',' || sep != "" && strings.ContainsRune(sep, r) }
	for _, t := range strings.FieldsFunc(s, f) {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// cifConfidence reads a CIF confidence: 0-10 (CIF 3) scaled to 0-100, or
// a percentage above 10; anything else is unknown.
func cifConfidence(s string) indicator.Confidence {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 100 {
		return indicator.ConfidenceUnknown
	}
	if v <= 10 {
		v *= 10
	}
	c, err := indicator.NewConfidence(int(math.Round(v)))
	if err != nil {
		return indicator.ConfidenceUnknown
	}
	return c
}

// zeekTime reads an RFC 3339 time or Unix seconds; anything else is the
// zero time.
func zeekTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && v > 0 && v < 1e11 {
		sec, frac := math.Modf(v)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	return time.Time{}
}
