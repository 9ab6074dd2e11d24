package encode

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// AppendECS appends the ECS event of the matches xs, all found in ln, to
// dst and returns it, without a line ending; it appends nothing when xs is
// empty. The matched texts are ln.Text[x.Start:x.End] (empty when ln.Text
// does not hold them: use AppendECSText then). @timestamp and matched.occurred are
// Options.Now, read once per call.
func (e *Encoder) AppendECS(dst []byte, ln Line, xs []match.Match) []byte {
	return e.AppendECSText(dst, ln, xs, nil)
}

// AppendECSText is AppendECS with the matched texts given: texts[i] is
// that of xs[i]. texts nil means ln.Text's.
func (e *Encoder) AppendECSText(dst []byte, ln Line, xs []match.Match, texts [][]byte) []byte {
	if len(xs) == 0 {
		return dst
	}
	parts := func(id match.ID) *ecsParts { return cached(e, e.ecs, id, newECSParts) }
	return appendECS(dst, ln, xs, texts, e.now(), parts, &e.sets, e.m, e.sc)
}

// AppendECS appends the ECS event of the matches xs of m, all found in ln,
// to dst and returns it, like Encoder.AppendECS but without a cache and
// with the time given: it computes each entry's parts on each call. It is
// safe for concurrent use.
func AppendECS(dst []byte, m *match.Matcher, ln Line, xs []match.Match, now time.Time) []byte {
	if len(xs) == 0 {
		return dst
	}
	var sets [3][]string
	return appendECS(dst, ln, xs, nil, now, func(id match.ID) *ecsParts { return newECSParts(m, id) }, &sets, m, nil)
}

// appendECS appends the event; with sc not nil, each enrichment's
// iocmatch.score is sc's score of its entry of m at now.
func appendECS(b []byte, ln Line, xs []match.Match, texts [][]byte, now time.Time, parts func(match.ID) *ecsParts, sets *[3][]string, m *match.Matcher, sc Scorer) []byte {
	var ts [40]byte
	t := append(ts[:0], '"')
	t = now.UTC().AppendFormat(t, time.RFC3339Nano)
	t = append(t, '"')

	b = append(b, `{"@timestamp":`...)
	b = append(b, t...)
	b = append(b, `,"event":{"kind":"alert","category":["threat"],"type":["indicator"]`...)
	if ln.Text != nil {
		b = append(b, `,"original":`...)
		b = appendBytes(b, ln.Text)
	}
	b = append(b, `},"log":{"file":{"path":`...)
	b = appendString(b, ln.File)
	b = append(b, '}')
	if ln.Offset >= 0 {
		b = append(b, `,"offset":`...)
		b = strconv.AppendInt(b, ln.Offset, 10)
	}
	b = append(b, `},"threat":{"enrichments":[`...)
	for k := range sets {
		sets[k] = sets[k][:0]
	}
	for i, x := range xs {
		p := parts(x.ID)
		if i > 0 {
			b = append(b, ',')
		}
		text := textOf(ln, x)
		if texts != nil {
			text = texts[i]
		}
		b = appendEnrichment(b, p, x, text, "", t, now, m, sc)
		for k := range sets {
			sets[k] = append(sets[k], p.sets[k]...)
		}
	}
	b = append(b, ']')
	for k, name := range [...]string{`"group":{"name":`, `"software":{"name":`, `"technique":{"id":`} {
		s := sets[k]
		if len(s) == 0 {
			continue
		}
		if len(xs) > 1 {
			slices.Sort(s)
			s = slices.Compact(s)
		}
		b = append(b, ',')
		b = append(b, name...)
		b = appendStrings(b, s)
		b = append(b, '}')
	}
	return append(b, "}}"...)
}

// appendEnrichment appends the threat.enrichments element of match x,
// text its matched text, field its matched.field ("" is "message"), t the
// quoted time of matched.occurred; with sc not nil, iocmatch.score is sc's
// score of x's entry of m at now.
func appendEnrichment(b []byte, p *ecsParts, x match.Match, text []byte, field string, t []byte, now time.Time, m *match.Matcher, sc Scorer) []byte {
	if field == "" {
		b = append(b, p.head...)
	} else {
		b = append(b, p.head[:p.field]...)
		b = appendString(b, field)
		b = append(b, p.head[p.field+len(`"message"`):]...)
	}
	b = append(b, t...)
	b = append(b, p.mid...)
	b = strconv.AppendInt(b, int64(x.Start), 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, int64(x.End), 10)
	b = append(b, `,"text":`...)
	b = appendBytes(b, text)
	if sc != nil {
		if s, ok := sc.EntryScore(m, x.ID, now); ok {
			b = appendScore(b, s)
		}
	}
	return append(b, p.tail...)
}

// ecsType is the ECS indicator type of each indicator type; "" for none.
var ecsType = [indicator.NumTypes]string{
	indicator.IPv4:      "ipv4-addr",
	indicator.IPv6:      "ipv6-addr",
	indicator.CIDR:      "ipv4-addr", // ipv6-addr for an IPv6 prefix
	indicator.Domain:    "domain-name",
	indicator.URL:       "url",
	indicator.Email:     "email-addr",
	indicator.MD5:       "file",
	indicator.SHA1:      "file",
	indicator.SHA256:    "file",
	indicator.SHA512:    "file",
	indicator.Filename:  "file",
	indicator.RegKey:    "windows-registry-key",
	indicator.Mutex:     "mutex",
	indicator.UserAgent: "software",
}

// ECSType returns the ECS threat indicator type (threat.*.indicator.type)
// of an indicator of type t and canonical value v: "ipv4-addr",
// "domain-name", "file" … (the package doc has the table), or "" when ECS
// has no type for it (email-subject, string).
func ECSType(t indicator.Type, v string) string {
	if !t.Valid() {
		return ""
	}
	if t == indicator.CIDR && strings.Contains(v, ":") {
		return "ipv6-addr"
	}
	return ecsType[t]
}

// ECSTLP returns the ECS marking.tlp value of a TLP marking: "CLEAR",
// "GREEN", "AMBER", "AMBER+STRICT", "RED", or "" when unknown.
func ECSTLP(t indicator.TLP) string { return strings.ToUpper(string(t)) }

func newECSParts(m *match.Matcher, id match.ID) *ecsParts {
	var first [1]indicator.Indicator
	ent := m.AppendIndicators(first[:0], id, 0, 1)[0] // type and value
	v := m.View(id)
	p := &ecsParts{sets: [3][]string{v.ThreatActors, v.MalwareFamilies, v.Techniques}}
	b := append(make([]byte, 0, 384+4*len(ent.Value)), `{"indicator":{`...)
	if typ := ECSType(ent.Type, ent.Value); typ != "" {
		b = append(b, `"type":`...)
		b = appendString(b, typ)
		b = append(b, ',')
	}
	val := ent.Value
	switch t := ent.Type; {
	case t == indicator.IPv4 || t == indicator.IPv6:
		b = appendObj(b, val, "ip")
	case t == indicator.Domain:
		b = appendObj(b, val, "url", "domain")
	case t == indicator.URL:
		b = appendObj(b, val, "url", "full")
	case t == indicator.Email:
		b = appendObj(b, val, "email", "address")
	case t.IsHash():
		name := "" // the file name a record gives with the hash (MISP filename|sha256 …)
		for _, r := range m.Entry(id).Indicators {
			if r.FileName != "" {
				name = r.FileName
				break
			}
		}
		if name == "" {
			b = appendObj(b, val, "file", "hash", t.String())
			break
		}
		b = append(b, `"file":{"hash":{"`...)
		b = append(b, t.String()...)
		b = append(b, `":`...)
		b = appendString(b, val)
		b = append(b, `},"name":`...)
		b = appendString(b, name)
		b = append(b, `},`...)
	case t == indicator.Filename:
		b = appendObj(b, val, "file", "name")
	case t == indicator.RegKey:
		b = append(b, `"registry":{"path":`...)
		b = appendString(b, val)
		if hive, key, ok := splitHive(val); ok {
			b = append(b, `,"hive":`...)
			b = appendString(b, hive)
			if key != "" {
				b = append(b, `,"key":`...)
				b = appendString(b, key)
			}
		}
		b = append(b, `},`...)
	}
	b = append(b, `"name":`...)
	b = appendString(b, val)
	switch len(v.Sources) {
	case 0:
	case 1:
		b = appendField(b, "provider", v.Sources[0])
	default:
		b = appendList(b, "provider", v.Sources)
	}
	b = appendField(b, "confidence", confidenceWord(v.Confidence, true))
	if v.TLP != "" {
		b = append(b, `,"marking":{"tlp":`...)
		b = appendString(b, ECSTLP(v.TLP))
		b = append(b, '}')
	}
	b = appendTime(b, "first_seen", v.FirstSeen)
	b = appendTime(b, "last_seen", v.LastSeen)
	b = appendField(b, "description", v.Description)
	b = appendField(b, "reference", v.Reference)
	b = append(b, `},"matched":{"atomic":`...)
	b = appendString(b, val)
	b = append(b, `,"field":`...)
	p.field = len(b)
	b = append(b, `"message","type":"indicator_match_rule","occurred":`...)
	p.head = b

	b = append([]byte(nil), `},"iocmatch":{"type":`...)
	b = appendString(b, ent.Type.String())
	b = append(b, `,"start":`...)
	p.mid = b

	b = appendField(nil, "severity", severityWord(v.Severity))
	b = appendList(b, "tags", v.Tags)
	b = appendList(b, "lists", v.Lists)
	p.tail = append(b, "}}"...)
	return p
}

// appendObj appends "k0":{"k1":…{"kn":"v"}…}, and a comma.
func appendObj(b []byte, v string, keys ...string) []byte {
	for i, k := range keys {
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		if i < len(keys)-1 {
			b = append(b, '{')
		}
	}
	b = appendString(b, v)
	for range keys[1:] {
		b = append(b, '}')
	}
	return append(b, ',')
}

// splitHive splits a canonical registry key into its hive abbreviation
// and the rest.
func splitHive(v string) (hive, key string, ok bool) {
	h, rest, _ := strings.Cut(v, `\`)
	for _, p := range indicator.RegKeyHives() {
		if h == p[1] {
			return h, rest, true
		}
	}
	return "", "", false
}
