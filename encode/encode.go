package encode

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// Line is where matches were found: the input line and its place.
type Line struct {
	File   string // the log file's name or path ("-" for standard input)
	Number int    // 1-based line number
	Offset int64  // byte offset of the line's first byte in File; negative: unknown, omitted
	Text   []byte // the line, without its line ending; nil: not kept (ECS omits event.original)
}

// Scorer gives decay scores, 0 to 100, at match time: of an entry of a
// Matcher, and of one source record. ok false means no score (no decay
// model applies). *age.Policy implements it. Its methods are called on
// every match encoded, so they must not allocate; an Encoder calls them
// from its own goroutine only.
type Scorer interface {
	EntryScore(m *match.Matcher, id match.ID, now time.Time) (score float64, ok bool)
	Score(t indicator.Type, meta *indicator.Meta, now time.Time) (score float64, ok bool)
}

// Options configures an Encoder.
type Options struct {
	// Now is the clock of ECS's @timestamp and matched.occurred, and of
	// the scores. Nil means time.Now.
	Now func() time.Time

	// Scorer, when not nil, adds the decay score of each match: in native
	// JSON "score" for the entry and for each of its records, in ECS
	// threat.enrichments[].iocmatch.score for the entry (ECS has no score
	// field). The score is computed per match at Now (it moves with the
	// clock), one decimal; the cached parts around it stay valid. Nil: no
	// score field, the output as without it.
	Scorer Scorer

	// CacheEntries bounds the entries whose parts an Encoder keeps, per
	// format: when the cache is full, it is emptied and fills again (a
	// scan that hits more distinct entries pays their parts again, never
	// more memory). 0 means DefaultCacheEntries; negative means no cache.
	CacheEntries int
}

// DefaultCacheEntries is the default of Options.CacheEntries: 65536
// entries, a few tens of MB at the most for entries of many records.
const DefaultCacheEntries = 1 << 16

// Encoder encodes the matches of one Matcher, caching per entry the bytes
// that depend on the entry only. It is not safe for concurrent use: use
// one per goroutine.
type Encoder struct {
	m    *match.Matcher
	now  func() time.Time
	sc   Scorer
	json map[match.ID]*jsonParts
	ecs  map[match.ID]*ecsParts
	sets [3][]string    // scratch for the event-level unions of ECS
	meta indicator.Meta // scratch for the record a Scorer scores (a pointer to a local would escape)
	max  int            // Options.CacheEntries
}

// NewEncoder returns an Encoder for the matches of m.
func NewEncoder(m *match.Matcher, opts Options) *Encoder {
	e := &Encoder{m: m, now: opts.Now, sc: opts.Scorer, json: map[match.ID]*jsonParts{}, ecs: map[match.ID]*ecsParts{}, max: opts.CacheEntries}
	if e.now == nil {
		e.now = time.Now
	}
	if e.max == 0 {
		e.max = DefaultCacheEntries
	}
	return e
}

// cached returns the parts of entry id from cache, or makes them with
// make and keeps them within the Encoder's bound.
func cached[P any](e *Encoder, cache map[match.ID]*P, id match.ID, make func(*match.Matcher, match.ID) *P) *P {
	if p := cache[id]; p != nil {
		return p
	}
	p := make(e.m, id)
	if e.max < 0 {
		return p
	}
	if len(cache) >= e.max {
		clear(cache)
	}
	cache[id] = p
	return p
}

// jsonParts are the parts of a native JSON object that depend on the
// entry only: from "type" to "matched":, and from "sources" to the end.
// With a Scorer, record k's score goes at tail[cuts[k]], before the '}'
// of the record object of its record recs[k].
type jsonParts struct {
	mid, tail []byte
	n         int // records shown
	cuts      [match.MaxEntryIndicators]int32
	recs      [match.MaxEntryIndicators]int32
}

// ecsParts are the parts of an ECS enrichment that depend on the entry
// only, and the entry's actors, families and techniques.
type ecsParts struct {
	head  []byte // from '{' to "occurred":
	field int    // the offset in head of matched.field's value, "message"
	mid   []byte // from the occurred's closing '}' to "start":
	tail  []byte // from after the match's text to the enrichment's '}'
	sets  [3][]string
}

// AppendJSON appends the native JSON object of match x, found in ln, to
// dst and returns it, without a line ending. The matched text is
// ln.Text[x.Start:x.End] (empty when ln.Text does not hold it: use
// AppendJSONText then).
func (e *Encoder) AppendJSON(dst []byte, ln Line, x match.Match) []byte {
	return e.AppendJSONText(dst, ln, x, textOf(ln, x))
}

// textOf is ln.Text[x.Start:x.End], or nil when ln.Text does not hold it.
func textOf(ln Line, x match.Match) []byte {
	if x.Start < 0 || x.Start > x.End || x.End > len(ln.Text) {
		return nil
	}
	return ln.Text[x.Start:x.End]
}

// AppendJSONText is AppendJSON with the matched text given (as a
// match.LineStream's Text gives it).
func (e *Encoder) AppendJSONText(dst []byte, ln Line, x match.Match, matched []byte) []byte {
	p := cached(e, e.json, x.ID, newJSONParts)
	if e.sc == nil {
		return appendJSON(dst, ln, x, matched, p)
	}
	return appendJSONScored(dst, ln, x, matched, p, e.m, e.sc, e.now(), &e.meta)
}

// AppendJSON appends the native JSON object of match x of m, found in ln,
// to dst and returns it, like Encoder.AppendJSON but without a cache: it
// computes the entry's parts (match.Matcher.View) on each call. It is
// safe for concurrent use.
func AppendJSON(dst []byte, m *match.Matcher, ln Line, x match.Match) []byte {
	return appendJSON(dst, ln, x, textOf(ln, x), newJSONParts(m, x.ID))
}

func appendJSON(b []byte, ln Line, x match.Match, matched []byte, p *jsonParts) []byte {
	b = appendJSONHead(b, ln, x, matched, p)
	return append(b, p.tail...)
}

// appendJSONScored is appendJSON with the scores of sc at now: the
// entry's before "sources", each shown record's at the end of its object;
// meta is the scratch the records are decoded into.
func appendJSONScored(b []byte, ln Line, x match.Match, matched []byte, p *jsonParts, m *match.Matcher, sc Scorer, now time.Time, meta *indicator.Meta) []byte {
	b = appendJSONHead(b, ln, x, matched, p)
	if s, ok := sc.EntryScore(m, x.ID, now); ok {
		b = appendScore(b, s)
	}
	prev := int32(0)
	t := m.Type(x.ID)
	for k := range p.n {
		cut := p.cuts[k]
		b = append(b, p.tail[prev:cut]...)
		*meta = m.Record(x.ID, int(p.recs[k]))
		if s, ok := sc.Score(t, meta, now); ok {
			b = appendScore(b, s)
		}
		prev = cut
	}
	return append(b, p.tail[prev:]...)
}

// appendScore appends ,"score":S with one decimal.
func appendScore(b []byte, s float64) []byte {
	b = append(b, `,"score":`...)
	if !(s > 0) { // and NaN
		s = 0
	}
	n := int64(math.Round(min(s, 100) * 10)) // tenths
	b = strconv.AppendInt(b, n/10, 10)
	return append(b, '.', byte('0'+n%10))
}

// appendJSONHead appends the object up to the matched text, included.
func appendJSONHead(b []byte, ln Line, x match.Match, matched []byte, p *jsonParts) []byte {
	b = append(b, `{"file":`...)
	b = appendString(b, ln.File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(ln.Number), 10)
	if ln.Offset >= 0 {
		b = append(b, `,"offset":`...)
		b = strconv.AppendInt(b, ln.Offset, 10)
	}
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, int64(x.Start), 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, int64(x.End), 10)
	b = append(b, p.mid...)
	return appendBytes(b, matched)
}

func newJSONParts(m *match.Matcher, id match.ID) *jsonParts {
	var page [match.MaxEntryIndicators]indicator.Indicator
	ent := m.AppendIndicators(page[:0], id, 0, match.MaxEntryIndicators) // ent[0] gives type and value
	v := m.View(id)
	p := &jsonParts{mid: make([]byte, 0, 48+2*len(ent[0].Value)), tail: make([]byte, 0, 256)}
	p.mid = append(p.mid, `,"type":`...)
	p.mid = appendString(p.mid, ent[0].Type.String())
	p.mid = append(p.mid, `,"indicator":`...)
	p.mid = appendString(p.mid, ent[0].Value)
	p.mid = append(p.mid, `,"matched":`...)

	b := append(p.tail, `,"sources":`...)
	b = appendStrings(b, v.Sources)
	b = appendField(b, "confidence", confidenceWord(v.Confidence, false))
	b = appendField(b, "severity", severityWord(v.Severity))
	b = appendField(b, "tlp", string(v.TLP))
	b = appendList(b, "lists", v.Lists)
	recs, shown := 0, 0
	for from := 0; from < v.Records; from += match.MaxEntryIndicators {
		if from > 0 {
			ent = m.AppendIndicators(page[:0], id, from, match.MaxEntryIndicators)
		}
		for k, ind := range ent {
			if !detailed(&ind.Meta) {
				continue
			}
			rec := from + k
			if recs++; shown == match.MaxEntryIndicators {
				continue
			}
			if shown == 0 {
				b = append(b, `,"records":[`...)
			} else {
				b = append(b, ',')
			}
			b = appendRecord(b, &ind.Meta)
			p.cuts[shown], p.recs[shown] = int32(len(b)-1), int32(rec) // before its closing brace
			shown++
		}
	}
	if shown > 0 {
		b = append(b, ']')
	}
	if recs > shown {
		b = append(b, `,"more_records":`...)
		b = strconv.AppendInt(b, int64(recs-shown), 10)
	}
	p.tail = append(b, '}')
	p.n = shown
	return p
}

// detailed reports whether a record says more than its source name.
func detailed(mt *indicator.Meta) bool {
	c := mt // validity windows are not written
	return c.ID != "" || c.Description != "" || c.Reference != "" || c.Confidence.Known() ||
		c.Severity != indicator.SeverityUnknown || len(c.Tags) > 0 || c.TLP != "" ||
		c.ThreatActor != "" || c.MalwareFamily != "" || len(c.Techniques) > 0 ||
		!c.FirstSeen.IsZero() || !c.LastSeen.IsZero() || recordFile(mt) != "" || mt.FileName != ""
}

// recordFile is the feed file a record came from.
func recordFile(mt *indicator.Meta) string {
	return mt.File
}

// appendRecord appends one source record as a JSON object.
func appendRecord(b []byte, mt *indicator.Meta) []byte {
	n := len(b)
	b = append(b, '{')
	b = appendField(b, "source", mt.Source)
	b = appendField(b, "file", recordFile(mt))
	b = appendField(b, "file_name", mt.FileName)
	b = appendField(b, "id", mt.ID)
	b = appendField(b, "confidence", confidenceWord(mt.Confidence, false))
	b = appendField(b, "severity", severityWord(mt.Severity))
	b = appendField(b, "tlp", string(mt.TLP))
	b = appendList(b, "tags", nonEmpty(mt.Tags))
	b = appendField(b, "threat_actor", mt.ThreatActor)
	b = appendField(b, "malware_family", mt.MalwareFamily)
	b = appendList(b, "techniques", nonEmpty(mt.Techniques))
	b = appendTime(b, "first_seen", mt.FirstSeen)
	b = appendTime(b, "last_seen", mt.LastSeen)
	b = appendField(b, "description", mt.Description)
	b = appendField(b, "reference", mt.Reference)
	if len(b) > n+1 && b[n+1] == ',' { // every field after the first starts with ','
		b = append(b[:n+1], b[n+2:]...)
	}
	return append(b, '}')
}

func nonEmpty(s []string) []string {
	if !slices.Contains(s, "") {
		return s
	}
	return slices.DeleteFunc(slices.Clone(s), func(x string) bool { return x == "" })
}

// appendField appends ,"name":"value" unless value is empty.
func appendField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendList appends ,"name":[…] unless s is empty.
func appendList(b []byte, name string, s []string) []byte {
	if len(s) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendStrings(b, s)
}

// appendTime appends ,"name":"RFC 3339 time" unless t is zero.
func appendTime(b []byte, name string, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':', '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendStrings(b []byte, s []string) []byte {
	b = append(b, '[')
	for i, x := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, x)
	}
	return append(b, ']')
}

// ConfidenceLevel returns the ECS confidence level of c: "None" for 0,
// "Low" for 1-29, "Medium" for 30-69, "High" for 70-100 (the
// None/Low/Med/High scale of STIX 2.1, appendix A), and "Not Specified"
// when c is unknown.
func ConfidenceLevel(c indicator.Confidence) string {
	if !c.Known() {
		return "Not Specified"
	}
	return confidenceWord(c, true)
}

// confidenceWord is c's level, capitalised for ECS or lower-case, or ""
// when c is unknown.
func confidenceWord(c indicator.Confidence, ecs bool) string {
	if !c.Known() {
		return ""
	}
	var w string
	switch v := c.Value(); {
	case v == 0:
		w = "None"
	case v < 30:
		w = "Low"
	case v < 70:
		w = "Medium"
	default:
		w = "High"
	}
	if !ecs {
		w = strings.ToLower(w)
	}
	return w
}

func severityWord(s indicator.Severity) string {
	if s == indicator.SeverityUnknown {
		return ""
	}
	return s.String()
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does; U+2028 and U+2029 are escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c >= 0x20 && c != 0x7f:
				b = append(b, c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = fmt.Appendf(b, `\u%04x`, r)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// AppendJSONString appends s to dst as a JSON string, quoted and escaped
// as the encoders write every string: invalid UTF-8 becomes U+FFFD (as
// encoding/json does), control characters, U+2028 and U+2029 are escaped.
// For host programs that write a matched line into JSON of their own (a
// pipeline processor wrapping a raw log line). It does not allocate when
// dst has room.
func AppendJSONString(dst, s []byte) []byte { return appendBytes(dst, s) }

// appendBytes is appendString for a byte slice, without converting it.
func appendBytes(b []byte, s []byte) []byte {
	return appendString(b, unsafe.String(unsafe.SliceData(s), len(s))) // read only, not kept
}
