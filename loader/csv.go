package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iocmatch/iocmatch/indicator"
)

// CSVOptions say how to read CSV files (ReadCSV). The zero value detects
// the separator and the columns from the file's header.
type CSVOptions struct {
	// Comma is the field separator: an ASCII character other than '"',
	// '#', CR and LF. Zero means ',' — or '\t' or ';' when the header
	// has no ',' and splits into column names on that character.
	Comma rune

	// NoHeader says that the file has no header: its first row is data.
	// Columns can then only be given by number.
	NoHeader bool

	// Type, when valid, is the type of every value read: the type column
	// and the types the value columns' names imply are ignored.
	Type indicator.Type

	// Columns map columns to what they hold. Each field, when set, is a
	// header name (matched case-insensitively, white space, '-' and '_'
	// alike) or a 1-based column number ("3"). Fields left empty are
	// detected from the header, as with the zero Columns.
	Columns CSVColumns
}

// CSVColumns name the columns of a CSV file (see CSVOptions.Columns).
type CSVColumns struct {
	// Value is the column of the indicator values, or several columns
	// separated by commas ("sha256_hash,md5_hash"), each of which gives
	// an indicator. Setting it replaces the value columns of the header.
	Value string

	Type          string // the type of the value (see ReadCSV for the names)
	FirstSeen     string // Meta.FirstSeen
	LastSeen      string // Meta.LastSeen
	Tags          string // Meta.Tags, separated by commas or white space
	MalwareFamily string // Meta.MalwareFamily
	Confidence    string // Meta.Confidence, 0 to 100
	Reference     string // Meta.Reference
	ID            string // Meta.ID
	Description   string // Meta.Description
}

// ReadCSV reads a CSV feed from r: abuse.ch exports (URLhaus, ThreatFox,
// Feodo Tracker, MalwareBazaar), PhishTank, vendor IOC tables and the like.
// path names the input in problems and errors, and gives the default source
// name (SourceName); it is not opened. Result.Files is 1. How the columns are
// found can be set with opts.CSV (CSVOptions); by default:
//
//	# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
//	"3104","2024-05-01 12:34:56","http://198.51.100.7/bins/x86","online","","malware_download","elf,Mozi","https://urlhaus.abuse.ch/url/3104/","anon"
//
// Records:
//
//   - Records are RFC 4180 rows read line by line (see ReadList for line
//     endings and the BOM). Fields are separated by CSVOptions.Comma; a
//     field may be quoted ("a, b"; "" is a quote inside quotes), and a
//     quoted field may span lines. White space before an opening quote is
//     skipped (ThreatFox writes `"a", "b"`); a quote inside an unquoted
//     field, or text after a closing quote, is kept as is. Every field is
//     trimmed of white space and invisible format characters (U+200E,
//     U+FEFF …), and "None", "n/a", "null" and "-" are empty fields.
//   - Blank lines, and lines whose first non-space character is '#'
//     outside a quoted field, are comments.
//   - A record longer than Options.MaxLineLen bytes, all its lines counted,
//     is one problem (ReasonLineTooLong), at its first line: it is skipped
//     to its end, the end of the line where its last quoted field closes,
//     however far that is, without being held in memory (its quoting is
//     followed byte by byte, with the separator of the header comments
//     seen so far, or ',', while the header is not known); nothing inside
//     a quoted field is ever read as a record, and reading goes on with
//     the next record. A quoted field still open at the end of the input
//     is a problem (ReasonMalformed), or, if its record was already too
//     long, the same one: a quote never closed makes the rest of the input
//     one record.
//
// The header is the first row when all its fields are column names
// (letters, digits, '_', '-', spaces, parentheses; none an indicator) and
// it names a known value column or has at least two fields; otherwise it is
// the last comment line before the first row that splits into at least two
// column names, one of them a known value column ("# id,dateadded,url,…" of
// abuse.ch). When CSVOptions.Columns name columns, the header is the first
// of these and of the last comment line of column names that has them all.
// With CSVOptions.NoHeader, or without such a line, there is no header.
// Column names are matched case-insensitively, with white space, '-' and
// '_' alike:
//
//   - Value columns. A typed column gives values of its type: url, uri
//     (url); domain, domain_name, hostname, host, fqdn (domain — an IP
//     address there gives an address); ip, ip_address, ipv4, ipv6, dst_ip,
//     src_ip (ipv4, ipv6 or cidr as the value is; a ":port" is dropped);
//     cidr, subnet, network (cidr); email, email_address (email); md5,
//     md5_hash, sha1, sha1_hash, sha256, sha256_hash, sha512, sha512_hash
//     and their "sha-256"-style spellings (hashes: a "SHA1:" or "sha1="
//     label before the digits is dropped); hash, file_hash (a hash of
//     whichever kind its length says). A generic column (ioc, ioc_value,
//     indicator, indicator_value, value, data, observable) gives values of
//     the type the row's type column names, or, without one, of the type
//     inferred from the value (indicator.Parse). Every value column of a
//     row gives its own indicator, in column order (a MalwareBazaar row
//     gives its SHA-256, MD5 and SHA-1); an empty value column gives none.
//     With columns "host" and "path", a non-empty path is appended to the
//     host, making a URL (urlhaus-filter's Splunk lookup).
//   - The type column: ioc_type, type, indicator_type, ioc_kind. Its
//     values are our type names and their aliases (indicator.ParseType:
//     "ip", "domain", "url", "sha256", "filename", "user_agent" …),
//     ThreatFox's "ip:port", "md5_hash", "sha256_hash" …, and MISP
//     composite types "A|B" with a value "a|b", which give one indicator
//     per supported part ("port" parts are dropped). Kinds iocmatch does
//     not read (asn, cve, ja3…, x509…, imphash, ssdeep, tlsh, rsa_key,
//     sha3_384 …) are unsupported ("csv type: NAME", NAME normalised like
//     a column name). An empty type means the type is
//     inferred from the value. A row of type "description" is the file's
//     description (Sophos IOC tables), not an indicator. Sophos tables
//     ("Indicator,Data,Note") name their type column "indicator": with a
//     "data" column and no other type column, "indicator" is the type.
//   - Metadata: first_seen, first_seen_utc, dateadded, date_added, date,
//     submission_time, created (Meta.FirstSeen); last_seen, last_seen_utc,
//     last_online, last_seen_date (LastSeen); tags, tag, labels,
//     attribute_tag (Tags, split at commas and white space, without
//     duplicates); malware_printable, malware, malware_family, family,
//     signature, fk_malware (MalwareFamily: the first of these that is not
//     empty or "unknown", in this order); confidence, confidence_level
//     (Confidence, an integer or decimal 0 to 100); reference, urlhaus_link,
//     phish_detail_url, link, ref (Reference); id, ioc_id, phish_id, uuid
//     (ID); description, note, notes, comment, message (Description);
//     source (Meta.Source, unless Options.Source is set). Other columns
//     are ignored.
//   - Times are "2006-01-02 15:04:05" (UTC, optionally followed by "UTC"),
//     "2006-01-02T15:04:05" with or without a zone (RFC 3339), "2006-01-02",
//     or seconds since 1970 (with an optional fraction). A time in another
//     form, and a confidence that is not a number from 0 to 100, are
//     ignored: the indicator is kept, without that field, and no problem
//     is reported (problems are skipped records).
//
// Without a header and without CSVOptions.Columns.Value, the first field
// of each row is the value (typed by CSVOptions.Type, or inferred); the
// other fields are ignored. A header that names no value column is a
// problem (ReasonBadHeader), after which the rows are read as if there were
// no header.
//
// Problems:
//
//   - A value that is not valid for its type, or whose type cannot be
//     inferred, is a problem (ReasonInvalidValue or ReasonCannotInfer); the
//     message quotes it. A row whose value columns are all empty or
//     missing is a problem (ReasonMalformed). A type name iocmatch does not
//     know is a problem (ReasonUnknownType).
//   - CSVOptions that cannot be used — a bad Comma, a column that is not a
//     number or a name, a name with NoHeader or that the header lacks —
//     are a single problem (ReasonBadHeader) and the file is not read.
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadCSV(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatCSV, r, path, opts)
}

// column roles
const (
	roleNone = iota
	roleValue
	roleType
	roleFirstSeen
	roleLastSeen
	roleTags
	roleMalware
	roleConfidence
	roleReference
	roleID
	roleDescription
	roleSource
	rolePath
)

// value column kinds
const (
	valTyped   = iota // the column's own type
	valHash           // a hash of any length
	valGeneric        // the type column's type, or inferred
)

type csvRole struct {
	role int
	kind int            // for roleValue
	typ  indicator.Type // for valTyped
	prio int            // for roleMalware: lower first
}

// csvNames maps normalised column names (lower case, '-' and white space
// as '_') to their roles.
var csvNames = map[string]csvRole{}

func init() {
	typed := map[indicator.Type][]string{
		indicator.URL:    {"url", "uri"},
		indicator.Domain: {"domain", "domain_name", "domainname", "hostname", "host", "fqdn"},
		indicator.IPv4:   {"ip", "ip_address", "ipaddress", "ip_addr", "ipv4", "ipv6", "dst_ip", "src_ip"},
		indicator.CIDR:   {"cidr", "subnet", "network"},
		indicator.Email:  {"email", "email_address"},
		indicator.MD5:    {"md5", "md5_hash", "md5hash"},
		indicator.SHA1:   {"sha1", "sha1_hash", "sha1hash", "sha_1"},
		indicator.SHA256: {"sha256", "sha256_hash", "sha256hash", "sha_256"},
		indicator.SHA512: {"sha512", "sha512_hash", "sha512hash", "sha_512"},
	}
	for t, names := range typed {
		for _, n := range names {
			csvNames[n] = csvRole{role: roleValue, kind: valTyped, typ: t}
		}
	}
	for _, n := range []string{"hash", "file_hash", "filehash", "hash_value"} {
		csvNames[n] = csvRole{role: roleValue, kind: valHash}
	}
	for _, n := range []string{"ioc", "ioc_value", "indicator", "indicator_value", "value", "data", "observable", "observable_value"} {
		csvNames[n] = csvRole{role: roleValue, kind: valGeneric}
	}
	set := func(role int, names ...string) {
		for _, n := range names {
			csvNames[n] = csvRole{role: role}
		}
	}
	set(roleType, "ioc_type", "type", "indicator_type", "ioc_kind")
	set(roleFirstSeen, "first_seen", "first_seen_utc", "firstseen", "dateadded", "date_added", "date", "submission_time", "created")
	set(roleLastSeen, "last_seen", "last_seen_utc", "lastseen", "last_online", "last_seen_date")
	set(roleTags, "tags", "tag", "labels", "attribute_tag")
	set(roleConfidence, "confidence", "confidence_level")
	set(roleReference, "reference", "urlhaus_link", "phish_detail_url", "link", "ref")
	set(roleID, "id", "ioc_id", "phish_id", "uuid")
	set(roleDescription, "description", "note", "notes", "comment", "message")
	set(roleSource, "source")
	set(rolePath, "path")
	for i, n := range []string{"malware_printable", "malware", "malware_family", "family", "signature", "fk_malware"} {
		csvNames[n] = csvRole{role: roleMalware, prio: i}
	}
}

// csvName normalises a column name: quotes and white space around it
// dropped, lower case, '-' and inner white space as '_'.
func csvName(s string) string {
	s = strings.ToLower(strings.Trim(s, " \t\"'"))
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return '_'
		}
		return r
	}, s)
}

// isColumnName reports whether a header field looks like a column name.
func isColumnName(s string) bool {
	letter := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
			letter = true
		case r >= '0' && r <= '9', r == '_', r == '-', r == ' ', r == '(', r == ')':
		default:
			return false
		}
	}
	return letter && len(s) <= 64
}

// headerFields reports whether fields are a header: all column names, none
// an indicator, and either naming a known value column (known) or, unless
// needKnown, at least two.
func headerFields(fields []string, needKnown bool) (ok, known bool) {
	for _, f := range fields {
		if !isColumnName(f) {
			return false, false
		}
		if _, err := indicator.Parse(f); err == nil {
			return false, false
		}
		if r, ok := csvNames[csvName(f)]; ok && r.role == roleValue {
			known = true
		}
	}
	if needKnown {
		return known && len(fields) >= 2, known
	}
	return known || len(fields) >= 2, known
}

// splitLine splits one line (no quoted field spanning lines) into trimmed
// fields; ok is false if a quoted field is left open.
func splitLine(line []byte, comma byte) (fields []string, ok bool) {
	var sp csvSplitter
	sp.reset(comma)
	if !sp.feed(line) {
		return nil, false
	}
	return sp.fields, true
}

// headerComma returns the separator of a header line and its fields, or
// ok false if it is not a header. Besides ',' it tries '\t' and ';' when
// the line has no ','. needKnown as for headerFields.
func headerComma(line []byte, comma byte, needKnown bool) (c byte, fields []string, ok bool) {
	try := []byte{comma}
	if comma == 0 {
		try = []byte{','}
		if bytes.IndexByte(line, ',') < 0 {
			try = append(try, '\t', ';')
		}
	}
	for _, c := range try {
		fs, done := splitLine(line, c)
		if !done || len(fs) < 2 && c != try[0] {
			continue
		}
		if ok, _ := headerFields(fs, needKnown); ok {
			return c, fs, true
		}
	}
	return 0, nil, false
}

// sniffCSV reports whether head starts a CSV file with a header naming at
// least two columns, one a known value column: a header row, or a header
// comment line followed by a row of at least two fields.
func sniffCSV(head []byte) bool {
	complete := len(head) < SniffLen
	var comment []byte // the last header-like comment
	var comma byte
	for len(head) > 0 {
		i := bytes.IndexByte(head, '\n')
		var line []byte
		if i < 0 {
			if !complete {
				return false
			}
			line, head = head, nil
		} else {
			line, head = head[:i], head[i+1:]
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		text := bytes.TrimLeftFunc(line, unicode.IsSpace)
		if len(text) == 0 {
			continue
		}
		if text[0] == '#' {
			if bytes.HasPrefix(text, []byte("#fields")) || bytes.HasPrefix(text, []byte("#separator")) {
				return false // Zeek
			}
			if c, _, ok := headerComma(text[1:], 0, true); ok {
				comment, comma = text[1:], c
			}
			continue
		}
		if _, _, ok := headerComma(line, 0, true); ok {
			return true
		}
		if comment == nil {
			return false
		}
		fs, _ := splitLine(line, comma)
		return len(fs) >= 2
	}
	return false
}

// csvSplitter splits a record, line by line, into fields.
type csvSplitter struct {
	comma  byte
	fields []string
	field  []byte
	state  int
}

const (
	csvFieldStart = iota // before a field: skipping white space
	csvUnquoted          // in an unquoted field
	csvQuoted            // in a quoted field
	csvQuoteEnd          // after a quote in a quoted field
)

func (s *csvSplitter) reset(comma byte) {
	s.comma = comma
	s.fields = s.fields[:0]
	s.field = s.field[:0]
	s.state = csvFieldStart
}

func (s *csvSplitter) endField() {
	s.fields = append(s.fields, trimField(string(s.field)))
	s.field = s.field[:0]
	s.state = csvFieldStart
}

// feed splits one more line of the record, and reports whether the record
// ends with it (false: a quoted field goes on on the next line).
func (s *csvSplitter) feed(line []byte) bool {
	if s.state == csvQuoted {
		s.field = append(s.field, '\n')
	}
	for _, b := range line {
		switch s.state {
		case csvFieldStart:
			switch {
			case b == s.comma:
				s.endField()
			case b == '"':
				s.state = csvQuoted
			case b == ' ' || b == '\t':
			default:
				s.field = append(s.field, b)
				s.state = csvUnquoted
			}
		case csvUnquoted:
			if b == s.comma {
				s.endField()
			} else {
				s.field = append(s.field, b)
			}
		case csvQuoted:
			if b == '"' {
				s.state = csvQuoteEnd
			} else {
				s.field = append(s.field, b)
			}
		case csvQuoteEnd:
			switch b {
			case '"':
				s.field = append(s.field, '"')
				s.state = csvQuoted
			case s.comma:
				s.endField()
			default: // text after the closing quote: kept
				s.field = append(s.field, b)
				s.state = csvUnquoted
			}
		}
	}
	if s.state == csvQuoted {
		return false
	}
	s.endField()
	return true
}

// csvSkipper follows the quoting of a record that is skipped for being too
// long, byte by byte, the way csvSplitter splits one (and readCSV tells a
// comment line from a row), without keeping anything of it: it tells where
// the record ends, at the end of a line outside a quoted field, in bounded
// memory.
type csvSkipper struct {
	comma byte
	state int // csvFieldStart … csvQuoteEnd, or csvLineStart, csvComment
	// at csvLineStart: the white space so far holds a character that
	// starts an unquoted field for csvSplitter (not ' ' or '\t')
	unquoted bool
	pend     [utf8.UTFMax]byte // a rune split between two calls of feed, at csvLineStart
	npend    int
}

const (
	csvLineStart = iota + csvQuoteEnd + 1 // the start of a record's first line: white space so far
	csvComment                            // a comment line
)

// start makes s follow a record from its first line.
func (s *csvSkipper) start(comma byte) {
	*s = csvSkipper{comma: comma, state: csvLineStart}
}

// quoted makes s follow a record from inside a quoted field, at the start
// of a line.
func (s *csvSkipper) quoted(comma byte) {
	*s = csvSkipper{comma: comma, state: csvQuoted}
}

// open reports whether the record goes on after the bytes fed so far, if
// they end a line: whether a quoted field is open.
func (s *csvSkipper) open() bool { return s.state == csvQuoted }

// feed follows the bytes b of the record.
func (s *csvSkipper) feed(b []byte) {
	for len(b) > 0 && s.state == csvLineStart {
		b = s.lineStart(b)
	}
	for len(b) > 0 {
		switch s.state {
		case csvComment:
			return
		case csvQuoted:
			i := bytes.IndexByte(b, '"')
			if i < 0 {
				return
			}
			s.state, b = csvQuoteEnd, b[i+1:]
			continue
		case csvUnquoted:
			i := bytes.IndexByte(b, s.comma)
			if i < 0 {
				return
			}
			s.state, b = csvFieldStart, b[i+1:]
			continue
		}
		s.step(b[0])
		b = b[1:]
	}
}

// step follows one byte in states csvFieldStart and csvQuoteEnd, as
// csvSplitter.feed does.
func (s *csvSkipper) step(c byte) {
	switch s.state {
	case csvFieldStart:
		switch {
		case c == s.comma:
		case c == '"':
			s.state = csvQuoted
		case c == ' ' || c == '\t':
		default:
			s.state = csvUnquoted
		}
	case csvQuoteEnd:
		switch c {
		case '"':
			s.state = csvQuoted
		case s.comma:
			s.state = csvFieldStart
		default:
			s.state = csvUnquoted
		}
	}
}

// lineStart follows b at the start of the record's first line, where
// white space (unicode.IsSpace, as readCSV trims it) is skipped and a '#'
// makes the line a comment; it returns the rest of b, to follow in the
// state it leaves. Meanwhile s.unquoted is the state of csvSplitter over
// that white space: in an unquoted field, or at the start of one.
func (s *csvSkipper) lineStart(b []byte) []byte {
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf && s.npend == 0 {
			space := c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
			switch {
			case space && c == s.comma:
				s.unquoted = false
			case c == ' ' || c == '\t':
			case space:
				s.unquoted = true
			case c == '#':
				s.state = csvComment
				return nil
			default:
				s.state = csvFieldStart
				if s.unquoted {
					s.state = csvUnquoted
				}
				return b
			}
			b = b[1:]
			continue
		}
		s.pend[s.npend] = c
		s.npend++
		b = b[1:]
		if !utf8.FullRune(s.pend[:s.npend]) {
			continue
		}
		// a byte from 0x80 starts an unquoted field, or is in one
		s.unquoted = true
		r, size := utf8.DecodeRune(s.pend[:s.npend])
		var rest [utf8.UTFMax]byte
		n := copy(rest[:], s.pend[size:s.npend])
		s.npend = 0
		if !unicode.IsSpace(r) {
			s.state = csvUnquoted
			s.feed(rest[:n]) // the bytes after the rune
			return b
		}
		// white space: valid UTF-8, so FullRune held at its last byte
		// and n is 0
	}
	return nil
}

// trimField drops white space and invisible format characters (U+200E,
// U+FEFF …) around a field, and makes the null words empty.
func trimField(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
	switch strings.ToLower(s) {
	case "none", "n/a", "null", "-":
		return ""
	}
	return s
}

// csvValueCol is a column giving indicators.
type csvValueCol struct {
	idx  int
	name string // header name, or ""
	kind int
	typ  indicator.Type
}

// csvLayout is what the columns of a file hold.
type csvLayout struct {
	values                                              []csvValueCol
	typ, path                                           int
	firstSeen, lastSeen, tags, conf, ref, id, desc, src int
	malware                                             []int // by priority
	fixed                                               indicator.Type
}

func newLayout() *csvLayout {
	return &csvLayout{typ: -1, path: -1, firstSeen: -1, lastSeen: -1, tags: -1, conf: -1, ref: -1, id: -1, desc: -1, src: -1}
}

// headerLayout returns the layout a header's names give.
func headerLayout(header []string) *csvLayout {
	l := newLayout()
	malPrio := map[int]int{}
	first := func(p *int, i int) {
		if *p < 0 {
			*p = i
		}
	}
	indicatorCol, hasData := -1, false
	for i, h := range header {
		n := csvName(h)
		r, ok := csvNames[n]
		if !ok {
			continue
		}
		switch r.role {
		case roleValue:
			if n == "indicator" {
				indicatorCol = i
			}
			if n == "data" || n == "value" {
				hasData = true
			}
			l.values = append(l.values, csvValueCol{idx: i, name: h, kind: r.kind, typ: r.typ})
		case roleType:
			first(&l.typ, i)
		case roleFirstSeen:
			first(&l.firstSeen, i)
		case roleLastSeen:
			first(&l.lastSeen, i)
		case roleTags:
			first(&l.tags, i)
		case roleConfidence:
			first(&l.conf, i)
		case roleReference:
			first(&l.ref, i)
		case roleID:
			first(&l.id, i)
		case roleDescription:
			first(&l.desc, i)
		case roleSource:
			first(&l.src, i)
		case rolePath:
			first(&l.path, i)
		case roleMalware:
			if _, dup := malPrio[r.prio]; !dup {
				malPrio[r.prio] = i
			}
		}
	}
	if l.typ < 0 && indicatorCol >= 0 && hasData {
		// Sophos: "Indicator,Data,Note"
		l.typ = indicatorCol
		l.removeValue(indicatorCol)
	}
	for p := 0; p < 8; p++ {
		if i, ok := malPrio[p]; ok {
			l.malware = append(l.malware, i)
		}
	}
	return l
}

func (l *csvLayout) removeValue(idx int) {
	vs := l.values[:0]
	for _, v := range l.values {
		if v.idx != idx {
			vs = append(vs, v)
		}
	}
	l.values = vs
}

// unmap drops column idx from every role (before the options give it one).
func (l *csvLayout) unmap(idx int) {
	l.removeValue(idx)
	for _, p := range []*int{&l.typ, &l.path, &l.firstSeen, &l.lastSeen, &l.tags, &l.conf, &l.ref, &l.id, &l.desc, &l.src} {
		if *p == idx {
			*p = -1
		}
	}
	ms := l.malware[:0]
	for _, m := range l.malware {
		if m != idx {
			ms = append(ms, m)
		}
	}
	l.malware = ms
}

// columnRef resolves a CSVColumns reference against header (nil: no
// header) to a 0-based index.
func columnRef(ref string, header []string) (int, error) {
	ref = strings.TrimSpace(ref)
	if n, err := strconv.Atoi(ref); err == nil {
		if n < 1 {
			return 0, fmt.Errorf("column %q: numbers start at 1", ref)
		}
		return n - 1, nil
	}
	if !isColumnName(ref) {
		return 0, fmt.Errorf("column %q is neither a number nor a column name", ref)
	}
	if header == nil {
		return 0, fmt.Errorf("column %q: a column name needs a header", ref)
	}
	want := csvName(ref)
	for i, h := range header {
		if csvName(h) == want {
			return i, nil
		}
	}
	return 0, fmt.Errorf("column %q is not in the header", ref)
}

// hasNames reports whether the options name a column by name.
func (o *CSVOptions) hasNames() bool {
	for _, ref := range o.Columns.refs() {
		for _, r := range strings.Split(ref, ",") {
			if r = strings.TrimSpace(r); r != "" {
				if _, err := strconv.Atoi(r); err != nil {
					return true
				}
			}
		}
	}
	return false
}

func (c *CSVColumns) refs() []string {
	return []string{c.Value, c.Type, c.FirstSeen, c.LastSeen, c.Tags, c.MalwareFamily, c.Confidence, c.Reference, c.ID, c.Description}
}

// layout returns the layout of a file with header (nil: none), the
// options applied.
func (o *CSVOptions) layout(header []string) (*csvLayout, error) {
	l := newLayout()
	if header != nil {
		l = headerLayout(header)
	}
	if o.Type.Valid() {
		l.fixed = o.Type
	}
	cols := &o.Columns
	if cols.Value != "" {
		var vs []csvValueCol
		for _, ref := range strings.Split(cols.Value, ",") {
			i, err := columnRef(ref, header)
			if err != nil {
				return nil, err
			}
			v := csvValueCol{idx: i, kind: valGeneric}
			if header != nil && i < len(header) {
				v.name = header[i]
				if r, ok := csvNames[csvName(header[i])]; ok && r.role == roleValue {
					v.kind, v.typ = r.kind, r.typ
				}
			}
			vs = append(vs, v)
		}
		for _, v := range vs {
			l.unmap(v.idx)
		}
		l.values = vs
	}
	for _, m := range []struct {
		ref string
		p   *int
	}{
		{cols.Type, &l.typ}, {cols.FirstSeen, &l.firstSeen}, {cols.LastSeen, &l.lastSeen},
		{cols.Tags, &l.tags}, {cols.Confidence, &l.conf}, {cols.Reference, &l.ref},
		{cols.ID, &l.id}, {cols.Description, &l.desc}, {cols.MalwareFamily, nil},
	} {
		if m.ref == "" {
			continue
		}
		i, err := columnRef(m.ref, header)
		if err != nil {
			return nil, err
		}
		l.unmap(i)
		if m.p == nil {
			l.malware = []int{i}
		} else {
			*m.p = i
		}
	}
	if len(l.values) == 0 && header == nil {
		l.values = []csvValueCol{{idx: 0, kind: valGeneric}}
	}
	return l, nil
}

// csvReader reads one CSV file into a collector.
type csvReader struct {
	c      *collector
	opts   *CSVOptions
	lay    *csvLayout // nil until the header is decided
	comma  byte
	header int // line of the header, or 0

	// the last comment lines (after their '#') that can be a header: one
	// naming a known value column, and one of any column names
	known, names         []byte
	knownLine, namesLine int
}

func readCSV(c *collector, r io.Reader) error {
	o := &c.opts.CSV
	rd := &csvReader{c: c, opts: o}
	if o.Comma != 0 {
		if o.Comma >= utf8.RuneSelf || o.Comma == '"' || o.Comma == '#' || o.Comma == '\r' || o.Comma == '\n' {
			return c.problem(0, ReasonBadHeader, fmt.Sprintf("CSV options: Comma %q cannot separate fields", o.Comma))
		}
		rd.comma = byte(o.Comma)
	}
	if o.NoHeader {
		if o.hasNames() {
			return c.problem(0, ReasonBadHeader, "CSV options: columns named with NoHeader")
		}
		lay, err := o.layout(nil)
		if err != nil {
			return c.problem(0, ReasonBadHeader, "CSV options: "+err.Error())
		}
		rd.lay = lay
		if rd.comma == 0 {
			rd.comma = ','
		}
	}

	return readCSVRecords(c, r, csvRecords{
		comma:     func() byte { return rd.comma },
		skipComma: rd.skipComma,
		line: func(n int, b []byte) (bool, error) {
			text := bytes.TrimLeftFunc(b, unicode.IsSpace)
			if len(text) == 0 {
				return true, nil
			}
			if text[0] == '#' {
				if rd.lay == nil {
					rd.comment(bytes.Clone(text[1:]), n)
				}
				return true, nil
			}
			if rd.lay == nil {
				isHeader, err := rd.decide(b, n)
				if err != nil {
					return true, err // a Strict problem
				}
				if rd.lay == nil {
					return true, errStopRecords // options that cannot be used: reported
				}
				return isHeader, nil
			}
			return false, nil
		},
		record: rd.record,
	})
}

// errStopRecords, from a csvRecords function, ends readCSVRecords without
// an error: the rest of the file cannot be read (a bad header, reported).
var errStopRecords = errors.New("stop reading the records")

// csvRecords are the functions of readCSVRecords.
type csvRecords struct {
	// comma is the field separator of the next record.
	comma func() byte
	// skipComma is the separator to follow a line too long with when
	// comma is still 0 (not known yet); nil: comma.
	skipComma func() byte
	// line is called with each line that starts a record (line number n)
	// before it is split: it returns true when the line is not a record
	// (blank, a comment, a header), or an error.
	line func(n int, b []byte) (bool, error)
	// record is called with the fields of each record and its first line.
	record func(fields []string, line int) error
}

// readCSVRecords reads the CSV records of r (quoted fields may span lines)
// and calls f.record with each; a record longer than MaxLineLen (over its
// lines) is a problem, followed to its end without being held. It
// returns nil at the end of the input, or the first error of f's
// functions but errStopRecords, which ends the reading without one.
func readCSVRecords(c *collector, r io.Reader, f csvRecords) error {
	err := csvRecordLoop(c, r, f)
	if err == errStopRecords {
		return nil
	}
	return err
}

func csvRecordLoop(c *collector, r io.Reader, f csvRecords) error {
	if f.skipComma == nil {
		f.skipComma = f.comma
	}
	maxLen := c.opts.maxLineLen()
	lr := newLineReader(r, maxLen)
	var sp csvSplitter
	// sk follows a record too long to be read, to its end; from the
	// start of every line, so that a line too long, which lr skips, is
	// followed too
	var sk csvSkipper
	lr.skipped = func(b []byte) {
		if sk.comma == 0 {
			sk.comma = f.skipComma()
		}
		sk.feed(b)
	}
	const (
		atRecord = iota // at the start of a record
		inQuoted        // in a quoted field spanning lines, split by sp
		skipping        // in a record too long, followed by sk
	)
	mode := atRecord
	recLine, size := 0, 0 // the first line of the record, and its size so far
	tooLong := func(line int) error {
		if sk.open() {
			mode = skipping
		} else {
			mode = atRecord
		}
		return c.problem(line, ReasonLineTooLong, fmt.Sprintf("record longer than %d bytes (MaxLineLen)", maxLen))
	}
	for {
		switch mode {
		case atRecord:
			sk.start(f.comma())
		case inQuoted:
			sk.quoted(f.comma())
		}
		b, long, err := lr.next()
		if err == io.EOF {
			if mode == inQuoted {
				return c.problem(recLine, ReasonMalformed, "quoted field not closed at the end of the input")
			}
			return nil // a record skipping to its end was reported
		}
		if err != nil {
			return readError(c.path, err)
		}
		n := lr.line
		switch mode {
		case skipping:
			if !long {
				sk.feed(b)
			}
			if !sk.open() {
				mode = atRecord
			}
			continue
		case inQuoted:
			if long || size+1+len(b) > maxLen {
				if !long {
					sk.feed(b)
				}
				if err := tooLong(recLine); err != nil {
					return err
				}
				continue
			}
			size += 1 + len(b)
			if sp.feed(b) {
				mode = atRecord
				if err := f.record(sp.fields, recLine); err != nil {
					return err
				}
			}
			continue
		}
		if long {
			if err := tooLong(n); err != nil {
				return err
			}
			continue
		}
		if skip, err := f.line(n, b); skip || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		sp.reset(f.comma())
		recLine, size = n, len(b)
		if !sp.feed(b) {
			mode = inQuoted
			continue
		}
		if err := f.record(sp.fields, n); err != nil {
			return err
		}
	}
}

// skipComma returns the separator to follow a record too long with: the
// file's, or before it is known (the header not yet found), the one of
// the header comment found so far, or ','.
func (rd *csvReader) skipComma() byte {
	if rd.comma != 0 {
		return rd.comma
	}
	for _, text := range [][]byte{rd.known, rd.names} {
		if text != nil {
			if c, _, ok := headerComma(text, 0, false); ok {
				return c
			}
		}
	}
	return ','
}

// comment notes a comment line (text after the '#', line n) before the
// first row that may be the header.
func (rd *csvReader) comment(text []byte, n int) {
	if _, fs, ok := headerComma(text, rd.comma, false); ok && len(fs) >= 2 {
		rd.names, rd.namesLine = text, n
		if ok, _ := headerFields(fs, true); ok {
			rd.known, rd.knownLine = text, n
		}
	}
}

// decide finds the header, given the first row (line n), and sets the
// layout and the separator; it reports whether the row is the header. It
// leaves rd.lay nil if the options cannot be used (after reporting it).
//
// The header is the first row if it is one, else the last comment naming a
// known value column. When the options name columns, it is the first of
// the row, that comment, and the last comment of column names, that has
// all the names.
func (rd *csvReader) decide(row []byte, n int) (isHeader bool, err error) {
	o, c := rd.opts, rd.c
	type candidate struct {
		fields []string
		line   int
		comma  byte
	}
	var cands []candidate
	if comma, fs, ok := headerComma(row, rd.comma, false); ok {
		cands = append(cands, candidate{fs, n, comma})
	}
	named := o.hasNames()
	for _, cm := range []struct {
		text []byte
		line int
		ok   bool
	}{{rd.known, rd.knownLine, true}, {rd.names, rd.namesLine, named}} {
		if cm.text != nil && cm.ok {
			comma, fs, _ := headerComma(cm.text, rd.comma, false)
			cands = append(cands, candidate{fs, cm.line, comma})
		}
	}
	var h *candidate
	if len(cands) > 0 {
		h = &cands[0]
		if named {
			for i := range cands {
				if _, err := o.layout(cands[i].fields); err == nil {
					h = &cands[i]
					break
				}
			}
		}
	}
	var header []string
	if h != nil {
		header, rd.header, rd.comma, isHeader = h.fields, h.line, h.comma, h.line == n
	}
	if rd.comma == 0 {
		rd.comma = ','
	}
	lay, lerr := o.layout(header)
	if lerr != nil {
		line := rd.header
		if line == 0 {
			line = n
		}
		return isHeader, c.problem(line, ReasonBadHeader, "CSV options: "+lerr.Error())
	}
	rd.lay = lay
	if header != nil && len(lay.values) == 0 {
		// a header without value columns: read as headerless
		msg := fmt.Sprintf("header names no value column (url, domain, ip, sha256, ioc_value …): %q", strings.Join(header, string(rd.comma)))
		lay.values = []csvValueCol{{idx: 0, kind: valGeneric}}
		return isHeader, c.problem(rd.header, ReasonBadHeader, msg)
	}
	return isHeader, nil
}

// field returns fields[i], or "" if there is no such field.
func field(fields []string, i int) string {
	if i < 0 || i >= len(fields) {
		return ""
	}
	return fields[i]
}

// record reads one row (starting at line n).
func (rd *csvReader) record(fields []string, n int) error {
	c, l := rd.c, rd.lay
	typeName := ""
	if l.typ >= 0 && !l.fixed.Valid() {
		typeName = field(fields, l.typ)
		if strings.EqualFold(typeName, "description") {
			return nil // Sophos: the file's description row
		}
	}
	var meta *indicator.Meta
	seen := false // a value column is not empty
	for _, vc := range l.values {
		v := field(fields, vc.idx)
		if vc.kind == valTyped && vc.typ == indicator.Domain && l.path >= 0 {
			if p := field(fields, l.path); p != "" && v != "" {
				if p[0] != '/' {
					v += "/"
				}
				v += p
				vc.typ = indicator.URL
			}
		}
		if v == "" {
			continue
		}
		seen = true
		inds, err := rd.values(vc, typeName, v)
		if err != nil {
			if err := c.problem(n, err.reason, err.msg); err != nil {
				return err
			}
			continue
		}
		for _, ind := range inds {
			if meta == nil {
				meta = rd.meta(fields)
				// the row's indicators share the tags (clipped: appending
				// to them copies), so that many values and many tags in a
				// row cost their sum, not their product
				meta.Tags = slices.Clip(meta.Tags)
			}
			ind.Meta = *meta
			if err := c.add(ind); err != nil {
				return err
			}
		}
	}
	if !seen {
		names := make([]string, len(l.values))
		for i, vc := range l.values {
			names[i] = strconv.Itoa(vc.idx + 1)
			if vc.name != "" {
				names[i] = vc.name
			}
		}
		return c.problem(n, ReasonMalformed, fmt.Sprintf("no value in column %s", strings.Join(names, ", ")))
	}
	return nil
}

type csvError struct{ reason, msg string }

// values returns the indicators of value v of column vc, in a row whose
// type column says typeName; or nil and no error for an unsupported kind.
func (rd *csvReader) values(vc csvValueCol, typeName, v string) ([]indicator.Indicator, *csvError) {
	prefix := ""
	if vc.name != "" && len(rd.lay.values) > 1 {
		prefix = vc.name + ": "
	}
	bad := func(err error) *csvError {
		return &csvError{valueReason(err), prefix + err.Error()}
	}
	if t := rd.lay.fixed; t.Valid() {
		ind, err := parseTyped(t, v)
		if err != nil {
			return nil, bad(err)
		}
		return []indicator.Indicator{ind}, nil
	}
	switch vc.kind {
	case valTyped:
		ind, err := parseTyped(vc.typ, v)
		if err != nil {
			return nil, bad(err)
		}
		return []indicator.Indicator{ind}, nil
	case valHash:
		h := stripHashLabel(v)
		t, ok := indicator.HashType(len(h))
		if !ok {
			return nil, &csvError{ReasonInvalidValue, prefix + fmt.Sprintf("%q is not an MD5, SHA-1, SHA-256 or SHA-512 hex digest", v)}
		}
		ind, err := indicator.ParseAs(t, h)
		if err != nil {
			return nil, bad(err)
		}
		return []indicator.Indicator{ind}, nil
	}
	if typeName == "" {
		ind, err := indicator.Parse(v)
		if err != nil {
			return nil, bad(err)
		}
		return []indicator.Indicator{ind}, nil
	}
	types, vals := []string{typeName}, []string{v}
	if strings.Contains(typeName, "|") {
		// MISP composite: "domain|ip" with "evil.example|192.0.2.1"
		types, vals = strings.Split(typeName, "|"), strings.Split(v, "|")
		if len(types) != len(vals) {
			return nil, &csvError{ReasonMalformed, prefix + fmt.Sprintf("type %q: value %q has %d parts", typeName, v, len(vals))}
		}
	}
	var out []indicator.Indicator
	for i, tn := range types {
		t, unsup := csvType(tn)
		switch {
		case unsup:
			if len(types) > 1 && csvName(tn) == "port" {
				continue
			}
			rd.c.unsupported("csv type: " + csvName(tn))
			continue
		case !t.Valid():
			return nil, &csvError{ReasonUnknownType, prefix + fmt.Sprintf("unknown type %q", tn)}
		}
		ind, err := parseTyped(t, trimField(vals[i]))
		if err != nil {
			return nil, bad(err)
		}
		out = append(out, ind)
	}
	return out, nil
}

// parseTyped reads v as a value of type t: refanged (but for the string
// kinds), a hash label dropped, an address's port dropped.
func parseTyped(t indicator.Type, v string) (indicator.Indicator, error) {
	if t.IsHash() {
		v = stripHashLabel(v)
	}
	ind, err := indicator.ParseAs(t, v)
	if err != nil && t.IsAddress() {
		if host, ok := stripPort(indicator.Refang(v)); ok {
			if ind2, err2 := indicator.New(t, host); err2 == nil {
				return ind2, nil
			}
		}
	}
	return ind, err
}

// stripPort returns the host of "host:port" or "[v6]:port".
func stripPort(v string) (string, bool) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 || i == len(v)-1 {
		return "", false
	}
	for _, c := range v[i+1:] {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	host := v[:i]
	if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		return host[1 : len(host)-1], true
	}
	if strings.Contains(host, ":") {
		return "", false // an IPv6 address without brackets: not host:port
	}
	return host, true
}

// stripHashLabel drops a label such as "SHA1:" or "sha256=" before a hash.
func stripHashLabel(v string) string {
	i := strings.IndexAny(v, ":=")
	if i <= 0 {
		return v
	}
	switch csvName(strings.ReplaceAll(v[:i], "-", "")) {
	case "md5", "sha1", "sha256", "sha512", "hash":
		return strings.TrimSpace(v[i+1:])
	}
	return v
}

// csvUnsupported are type names of kinds iocmatch does not read.
var csvUnsupported = map[string]bool{
	"asn": true, "as": true, "cve": true, "ja3": true, "ja3s": true, "ja3_hash": true, "ja3s_hash": true,
	"jarm": true, "imphash": true, "ssdeep": true, "tlsh": true, "pehash": true, "authentihash": true,
	"sha384": true, "sha3_384": true, "sha3_384_hash": true, "sha224": true, "rsa_key": true,
	"bitcoin": true, "btc": true, "bitcoin_address": true, "mac": true, "mac_address": true,
	"port": true, "yara": true, "sigma": true, "snort": true, "certificate": true, "x509": true,
	"x509_fingerprint_sha1": true, "phone_number": true, "telfhash": true, "vhash": true,
}

// csvType returns the indicator type named by a type column's value, or
// unsup for a kind iocmatch does not read; Invalid and false for an
// unknown name.
func csvType(name string) (t indicator.Type, unsup bool) {
	n := csvName(name)
	switch n {
	case "ip:port", "ip_port", "ipport", "ipv4:port", "ip_address:port":
		return indicator.IPv4, false
	case "domain:port", "hostname:port":
		return indicator.Domain, false
	}
	if csvUnsupported[n] || strings.HasPrefix(n, "x509") || strings.HasPrefix(n, "ja3") {
		return indicator.Invalid, true
	}
	for _, s := range []string{n, strings.ReplaceAll(n, "_", "-"), strings.TrimSuffix(n, "_hash"), "filehash-" + n} {
		if t, err := indicator.ParseType(s); err == nil {
			return t, false
		}
	}
	return indicator.Invalid, false
}

// meta returns the metadata of a row.
func (rd *csvReader) meta(fields []string) *indicator.Meta {
	l := rd.lay
	m := &indicator.Meta{
		ID:          field(fields, l.id),
		Description: field(fields, l.desc),
		Reference:   field(fields, l.ref),
		Source:      field(fields, l.src),
		FirstSeen:   csvTime(field(fields, l.firstSeen)),
		LastSeen:    csvTime(field(fields, l.lastSeen)),
		Tags:        csvTags(field(fields, l.tags)),
	}
	for _, i := range l.malware {
		if f := field(fields, i); f != "" && !strings.EqualFold(f, "unknown") && !strings.EqualFold(f, "unknown malware") {
			m.MalwareFamily = f
			break
		}
	}
	if s := field(fields, l.conf); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f <= 100 {
			if conf, err := indicator.NewConfidence(int(math.Round(f))); err == nil {
				m.Confidence = conf
			}
		}
	}
	return m
}

// csvTags splits a tags field at commas and white space, without
// duplicates or null words.
func csvTags(s string) []string {
	if s == "" {
		return nil
	}
	var tags []string
	var seen map[string]bool // once there are many tags
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		t = trimField(t)
		if t == "" {
			continue
		}
		if seen == nil && len(tags) >= 16 {
			seen = make(map[string]bool, 2*len(tags))
			for _, u := range tags {
				seen[u] = true
			}
		}
		dup := seen[t]
		if seen == nil {
			for _, u := range tags {
				if u == t {
					dup = true
					break
				}
			}
		}
		if !dup {
			tags = append(tags, t)
			if seen != nil {
				seen[t] = true
			}
		}
	}
	return tags
}

var csvTimeLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	time.RFC3339Nano,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04",
	"2006-01-02",
}

// csvTime parses a time field (see ReadCSV); the zero time if it cannot.
func csvTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, " UTC"))
	if s == "" {
		return time.Time{}
	}
	if s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, "-:") {
		sec, frac, _ := strings.Cut(s, ".")
		if len(sec) > 11 {
			return time.Time{}
		}
		n, err := strconv.ParseInt(sec, 10, 64)
		if err != nil {
			return time.Time{}
		}
		ns := int64(0)
		if frac != "" {
			if len(frac) > 9 {
				frac = frac[:9]
			}
			f, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
			if err != nil {
				return time.Time{}
			}
			ns = f
		}
		return time.Unix(n, ns).UTC()
	}
	if len(s) == len(time.DateOnly) {
		// a date: no other layout is that short, and each one tried and
		// failed first would cost an error with its quoted strings
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.UTC()
		}
		return time.Time{}
	}
	for _, layout := range csvTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
