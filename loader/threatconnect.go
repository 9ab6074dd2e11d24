package loader

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// ReadThreatConnect reads ThreatConnect indicators from r. path names the
// input in problems and errors, and gives the default source name
// (SourceName) of indicators without an owner; it is not opened.
// Result.Files is 1.
//
// The input is one of ThreatConnect's JSON shapes, or several one after
// the other (JSON lines):
//
//   - API v2: {"status": "Success", "data": {"resultCount": N,
//     "indicator": [ … ]}}, or the per-type lists of v2's typed endpoints,
//     "data": {"address": [ … ]} ("host", "url", "emailAddress", "file",
//     "registryKey", "mutex", "userAgent", "cidrBlock", "asn", or one
//     object in place of the array), where the key gives the type.
//   - API v3: {"data": [ … ], "status": "Success", "count": N, "next": …}
//     (or "data" one object: a single indicator's GET).
//   - Batch and export files: {"indicator": [ … ], "group": [ … ],
//     "association": [ … ]}; groups and associations are not indicators
//     (each group counted as "threatconnect group").
//   - A bare indicator object, or an array of them.
//
// The arrays are read one indicator at a time (each at most
// Options.MaxRecordSize bytes, nested at most Options.MaxJSONDepth deep):
// a large export is never held in memory whole.
//
// The value is "summary" (or, without one, the field of its type: "ip",
// "hostName", "text", "address", "md5"/"sha1"/"sha256", "Key Name",
// "Mutex", "User Agent String", "Block"), of the type "type" names:
// Address (IPv4 or IPv6), Host (domain), URL, EmailAddress, File (the
// summary packs its hashes as "MD5 : SHA1 : SHA256", any of them: one
// indicator per hash, each typed by its length), Registry Key (the key,
// before " : " in a summary that adds the value name and type), Mutex,
// User Agent, CIDR, Email Subject. Other types, and ThreatConnect's own
// "Unsupported", are counted in Result.Unsupported as "threatconnect
// type: T"; an indicator with "active": false as "threatconnect
// inactive" (not matched). A missing value is a problem (ReasonMalformed),
// an invalid one a problem (ReasonInvalidValue), of that indicator only.
//
// Metadata:
//
//   - ID: "id" (or "xid"). Source: "ownerName" (else Options.Source or the
//     file's name, as always; Options.Source overrides it).
//   - Confidence: "confidence" (0-100), else "threatAssessConfidence".
//     Severity: "rating" (0-5 skulls, else "threatAssessRating", rounded):
//     0 unknown, 1 (Suspicious) info, 2 (Low) low, 3 (Moderate) medium,
//     4 (High) high, 5 (Critical) critical.
//   - TLP: the "TLP:*" names of "securityLabels" (v3: {"data": [{"name":
//     …}]}) or "securityLabel" (v2, batch: an array), the strictest one;
//     a "TLP:*" tag counts too.
//   - Tags: the names of "tags" (v3: {"data": [ … ]}) or "tag" (v2,
//     batch: an array). A tag with a "techniqueId" (v3's ATT&CK tags) adds
//     that id to Techniques; a tag that is a technique id ("T1055",
//     "T1055.005") is a technique, not a tag.
//   - Description: "description", else the first "Description" attribute
//     ("attributes" {"data": [ … ]} in v3, "attribute" in v2 and batch;
//     a displayed one first). Reference: the first "Source" attribute that
//     is a URL, else "source" when it is a URL, else "webLink".
//   - FirstSeen: "dateAdded"; LastSeen: "lastModified", but never before
//     FirstSeen (exports have a lastModified before dateAdded: then
//     LastSeen is dateAdded). ValidUntil: "externalDateExpires". A
//     timestamp that is not RFC 3339 is a problem of the indicator
//     (ReasonMalformed).
//   - "falsePositives" (v3) or "falsePositiveCount" (v2) above 0 adds the
//     tag FalsePositiveTCTag: the indicator is still read (ThreatConnect
//     keeps it active), a user can drop or allowlist it.
//
// The "associatedIndicators" and "associatedGroups" of an indicator are
// references, not read.
func ReadThreatConnect(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatThreatConnect, r, path, opts)
}

// FalsePositiveTCTag is the tag the ThreatConnect reader gives an
// indicator that users have reported as a false positive.
const FalsePositiveTCTag = "threatconnect:false-positive"

// tcReader is the state of the reading of one ThreatConnect input.
type tcReader struct {
	c *collector
	j *jsonStream
}

func readThreatConnect(c *collector, r io.Reader) error {
	t := &tcReader{c: c, j: newJSONStream(c, r)}
	for {
		tok, err := t.j.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return t.j.fail("", err)
		}
		switch tok {
		case json.Delim('['):
			err = t.array("[%d]", "")
		case json.Delim('{'):
			err = t.object()
		default:
			return c.problem(0, ReasonMalformed, fmt.Sprintf("not ThreatConnect JSON: a JSON %s at top level", jsonKind(tok)))
		}
		if err == errStop {
			if t.j.resume() {
				continue
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (t *tcReader) stop(record string, err error) error {
	if err := t.j.fail(record, err); err != nil {
		return err
	}
	return errStop
}

// malformed reports a document that cannot be read on, and stops.
func (t *tcReader) malformed(msg string) error {
	if err := t.c.problem(0, ReasonMalformed, msg); err != nil {
		return err
	}
	return errStop
}

// array reads the elements of the array just opened as indicators of
// type typ ("" for the type each names); name formats an element's
// record name from its index.
func (t *tcReader) array(name, typ string) error {
	for i := 0; t.j.More(); i++ {
		rec := fmt.Sprintf(name, i)
		raw, err := t.j.Raw()
		if err != nil {
			return t.stop(rec, err)
		}
		if err := t.handle(raw, rec, typ); err != nil {
			return err
		}
	}
	if _, err := t.j.Token(); err != nil { // ']'
		return t.stop("", err)
	}
	return nil
}

// countArray counts the elements of the array just opened as what.
func (t *tcReader) countArray(what string) error {
	for t.j.More() {
		if err := t.j.Skip(); err != nil {
			return t.stop("", err)
		}
		t.c.unsupported(what)
	}
	if _, err := t.j.Token(); err != nil {
		return t.stop("", err)
	}
	return nil
}

// skipRest reads up to the end of the object just opened.
func (t *tcReader) skipRest() error {
	for t.j.More() {
		if _, err := t.j.Token(); err != nil {
			return t.stop("", err)
		}
		if err := t.j.Skip(); err != nil {
			return t.stop("", err)
		}
	}
	if _, err := t.j.Token(); err != nil {
		return t.stop("", err)
	}
	return nil
}

// tcTypeKeys are the keys of v2's per-type lists, by the type they hold.
var tcTypeKeys = map[string]string{
	"indicator": "", "address": "Address", "host": "Host", "url": "URL",
	"emailAddress": "EmailAddress", "file": "File", "registryKey": "Registry Key",
	"mutex": "Mutex", "userAgent": "User Agent", "cidrBlock": "CIDR", "asn": "ASN",
}

// object reads the top-level object just opened: an envelope (v2, v3,
// batch) or a single indicator.
func (t *tcReader) object() error {
	kept := map[string]json.RawMessage{}
	size := int64(0)
	container := false
	for t.j.More() {
		tok, err := t.j.Token()
		if err != nil {
			return t.stop("", err)
		}
		key, _ := tok.(string)
		switch {
		case key == "data" || key == "indicator":
			tok, err := t.j.Token()
			if err != nil {
				return t.stop("", err)
			}
			switch {
			case tok == json.Delim('['):
				container, kept = true, nil
				if err := t.array(key+"[%d]", ""); err != nil {
					return err
				}
			case tok == json.Delim('{') && key == "data":
				container, kept = true, nil
				if err := t.data(); err != nil {
					return err
				}
			case tok == json.Delim('{'):
				// "indicator" as an object: v2's single indicator GET is
				// under "data"; read it as one indicator
				container, kept = true, nil
				if err := t.one(key, ""); err != nil {
					return err
				}
			default:
				if _, ok := tok.(json.Delim); ok {
					return t.malformed(fmt.Sprintf("%q is not a JSON value", key))
				}
				if !container {
					kept[key] = json.RawMessage(tcJSONScalar(tok))
				}
			}
		case key == "group" || key == "association":
			tok, err := t.j.Token()
			if err != nil {
				return t.stop("", err)
			}
			switch tok {
			case json.Delim('['):
				container, kept = true, nil
				if key == "association" {
					if err := t.skipArray(); err != nil {
						return err
					}
				} else if err := t.countArray("threatconnect group"); err != nil {
					return err
				}
			case json.Delim('{'):
				if err := t.skipRest(); err != nil {
					return err
				}
			}
		case container:
			if err := t.j.Skip(); err != nil {
				return t.stop("", err)
			}
		default:
			raw, err := t.j.Raw()
			if err != nil {
				return t.stop("", err)
			}
			size += int64(len(key) + len(raw))
			if max := t.c.opts.maxRecordSize(); size > max {
				return t.stop("", &limitError{ReasonTooLarge, fmt.Sprintf("JSON value larger than %d bytes (at byte %d)", max, t.j.Offset())})
			}
			kept[key] = slices.Clone(raw)
		}
	}
	if _, err := t.j.Token(); err != nil { // '}'
		return t.stop("", err)
	}
	if container || len(kept) == 0 {
		return nil
	}
	if _, ok := kept["status"]; ok {
		if _, ok := kept["type"]; !ok {
			return nil // an envelope without indicators ({"status": "Success", "data": null} …)
		}
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return err // cannot happen: the values are valid JSON
	}
	return t.handle(raw, "object", "")
}

// skipArray reads past the array just opened.
func (t *tcReader) skipArray() error {
	for t.j.More() {
		if err := t.j.Skip(); err != nil {
			return t.stop("", err)
		}
	}
	if _, err := t.j.Token(); err != nil {
		return t.stop("", err)
	}
	return nil
}

// tcJSONScalar is the JSON text of a scalar token.
func tcJSONScalar(tok json.Token) []byte {
	b, err := json.Marshal(tok)
	if err != nil {
		return []byte("null")
	}
	return b
}

// data reads v2's "data" object just opened: "indicator" or per-type
// lists (or one object of a type: a single indicator's GET), or v3's
// single indicator.
func (t *tcReader) data() error {
	kept := map[string]json.RawMessage{}
	size := int64(0)
	lists := false
	for t.j.More() {
		tok, err := t.j.Token()
		if err != nil {
			return t.stop("", err)
		}
		key, _ := tok.(string)
		typ, isList := tcTypeKeys[key]
		if !isList {
			raw, err := t.j.Raw()
			if err != nil {
				return t.stop("", err)
			}
			if !lists {
				size += int64(len(key) + len(raw))
				if max := t.c.opts.maxRecordSize(); size > max {
					return t.stop("", &limitError{ReasonTooLarge, fmt.Sprintf("JSON value larger than %d bytes (at byte %d)", max, t.j.Offset())})
				}
				kept[key] = slices.Clone(raw)
			}
			continue
		}
		tok, err = t.j.Token()
		if err != nil {
			return t.stop("", err)
		}
		switch tok {
		case json.Delim('['):
			lists = true
			if err := t.array("data."+key+"[%d]", typ); err != nil {
				return err
			}
		case json.Delim('{'):
			lists = true
			if err := t.one("data."+key, typ); err != nil {
				return err
			}
		default:
			if _, ok := tok.(json.Delim); ok {
				return t.malformed(fmt.Sprintf("%q is not a JSON value", key))
			}
			if !lists {
				kept[key] = json.RawMessage(tcJSONScalar(tok))
			}
		}
	}
	if _, err := t.j.Token(); err != nil { // '}'
		return t.stop("", err)
	}
	if lists || len(kept) == 0 {
		return nil
	}
	if _, ok := kept["resultCount"]; ok && len(kept) == 1 {
		return nil // a v2 page without indicators
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	return t.handle(raw, "data", "")
}

// one reads the object just opened, whose '{' is read, as one indicator.
func (t *tcReader) one(rec, typ string) error {
	var b bytes.Buffer
	b.WriteByte('{')
	size := int64(1)
	first := true
	for t.j.More() {
		tok, err := t.j.Token()
		if err != nil {
			return t.stop(rec, err)
		}
		key, _ := tok.(string)
		raw, err := t.j.Raw()
		if err != nil {
			return t.stop(rec, err)
		}
		size += int64(len(key) + len(raw) + 4)
		if max := t.c.opts.maxRecordSize(); size > max {
			return t.stop(rec, &limitError{ReasonTooLarge, fmt.Sprintf("JSON value larger than %d bytes (at byte %d)", max, t.j.Offset())})
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(raw)
	}
	if _, err := t.j.Token(); err != nil {
		return t.stop(rec, err)
	}
	b.WriteByte('}')
	return t.handle(b.Bytes(), rec, typ)
}

// tcNamed is an element of tags, security labels and attributes.
type tcNamed struct {
	Name        string `json:"name"`
	TechniqueID string `json:"techniqueId"`
	Type        string `json:"type"`
	Value       string `json:"value"`
	Displayed   *bool  `json:"displayed"`
}

// tcList is a list of tcNamed: an array (v2, batch), a {"data": [ … ]}
// object (v3), or one object. Anything else is no list.
type tcList []tcNamed

func (l *tcList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	var raws []json.RawMessage
	switch b[0] {
	case '[':
		if json.Unmarshal(b, &raws) != nil {
			return nil
		}
	case '{':
		var o struct {
			Data *[]json.RawMessage `json:"data"`
		}
		if json.Unmarshal(b, &o) == nil && o.Data != nil {
			raws = *o.Data
		} else {
			raws = []json.RawMessage{b}
		}
	default:
		return nil
	}
	for _, r := range raws {
		var n tcNamed
		if json.Unmarshal(r, &n) == nil {
			*l = append(*l, n)
		}
	}
	return nil
}

// tcString is a JSON string or number, as text; anything else is "".
type tcString string

func (s *tcString) UnmarshalJSON(b []byte) error {
	var str string
	if json.Unmarshal(b, &str) == nil {
		*s = tcString(str)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		*s = tcString(n.String())
	}
	return nil
}

// tcNumber is a JSON number, or a string holding one; null, absent or
// anything else is unknown.
type tcNumber struct {
	v  float64
	ok bool
}

func (n *tcNumber) UnmarshalJSON(b []byte) error {
	var s tcString
	_ = s.UnmarshalJSON(b)
	if f, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		*n = tcNumber{f, true}
	}
	return nil
}

// tcIndicator is what is read of a ThreatConnect indicator.
type tcIndicator struct {
	ID       tcString `json:"id"`
	XID      tcString `json:"xid"`
	Type     tcString `json:"type"`
	Summary  tcString `json:"summary"`
	IP       tcString `json:"ip"`
	HostName tcString `json:"hostName"`
	Text     tcString `json:"text"`
	Address  tcString `json:"address"`
	MD5      tcString `json:"md5"`
	SHA1     tcString `json:"sha1"`
	SHA256   tcString `json:"sha256"`
	KeyName  tcString `json:"Key Name"`
	Mutex    tcString `json:"Mutex"`
	UA       tcString `json:"User Agent String"`
	Block    tcString `json:"Block"`
	Subject  tcString `json:"Subject"`

	OwnerName   tcString `json:"ownerName"`
	Description tcString `json:"description"`
	Source      tcString `json:"source"`
	WebLink     tcString `json:"webLink"`

	Rating       tcNumber `json:"rating"`
	Confidence   tcNumber `json:"confidence"`
	TARating     tcNumber `json:"threatAssessRating"`
	TAConfidence tcNumber `json:"threatAssessConfidence"`
	FP           tcNumber `json:"falsePositives"`
	FPCount      tcNumber `json:"falsePositiveCount"`
	Active       *bool    `json:"active"`

	DateAdded    tcString `json:"dateAdded"`
	LastModified tcString `json:"lastModified"`
	Expires      tcString `json:"externalDateExpires"`

	SecurityLabels tcList `json:"securityLabels"`
	SecurityLabel  tcList `json:"securityLabel"`
	Tags           tcList `json:"tags"`
	Tag            tcList `json:"tag"`
	Attributes     tcList `json:"attributes"`
	Attribute      tcList `json:"attribute"`
}

// tcTypes are the ThreatConnect indicator types read, by their lower-case
// names with spaces and underscores dropped.
var tcTypes = map[string]indicator.Type{
	"address": indicator.IPv4, "host": indicator.Domain, "url": indicator.URL,
	"emailaddress": indicator.Email, "file": indicator.MD5, "registrykey": indicator.RegKey,
	"mutex": indicator.Mutex, "useragent": indicator.UserAgent, "cidr": indicator.CIDR,
	"cidrblock": indicator.CIDR, "emailsubject": indicator.EmailSubject,
}

func tcTypeKey(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.TrimSpace(s)))
}

// handle reads one indicator object raw, named rec, of type typ when its
// list gives one.
func (t *tcReader) handle(raw json.RawMessage, rec, typ string) error {
	c := t.c
	if len(raw) == 0 || raw[0] != '{' {
		return c.problemRec(rec, ReasonMalformed, "not a ThreatConnect indicator: a JSON "+jsonValueKind(raw))
	}
	var o tcIndicator
	if err := json.Unmarshal(raw, &o); err != nil {
		return c.problemRec(rec, ReasonMalformed, "indicator: "+jsonErrorText(err))
	}
	id := strings.TrimSpace(string(o.ID))
	if id == "" {
		id = strings.TrimSpace(string(o.XID))
	}
	who := "indicator"
	if id != "" {
		who += " " + quoteShortN(id, 64)
	}
	name := strings.TrimSpace(string(o.Type))
	if name == "" {
		name = typ
	}
	summary := strings.TrimSpace(string(o.Summary))
	if name == "" {
		if summary == "" {
			return c.problemRec(rec, ReasonMalformed, who+": no type and no summary")
		}
	}
	var it indicator.Type
	if name != "" {
		var ok bool
		if it, ok = tcTypes[tcTypeKey(name)]; !ok {
			c.unsupported("threatconnect type: " + tcTypeName(name))
			return nil
		}
	}
	if o.Active != nil && !*o.Active {
		c.unsupported("threatconnect inactive")
		return nil
	}
	values := o.values(it, summary)
	if len(values) == 0 {
		return c.problemRec(rec, ReasonMalformed, fmt.Sprintf("%s: type %s without a value (no summary)", who, quoteShortN(name, 40)))
	}
	meta, err := o.meta(id)
	if err != nil {
		return c.problemRec(rec, ReasonMalformed, who+": "+err.Error())
	}
	for _, v := range values {
		var ind indicator.Indicator
		var err error
		switch {
		case name == "":
			ind, err = indicator.Parse(v)
		case it == indicator.MD5:
			ht, ok := indicator.HashType(len(v))
			if !ok {
				ht = indicator.MD5
			}
			ind, err = indicator.ParseAs(ht, v)
		default:
			ind, err = parseTyped(it, v)
		}
		if err != nil {
			if err := c.problemRec(rec, valueReason(err), fmt.Sprintf("%s: type %s: %v", who, quoteShortN(name, 40), err)); err != nil {
				return err
			}
			continue
		}
		ind.Meta = meta
		if err := c.add(ind); err != nil {
			return err
		}
	}
	return nil
}

// tcTypeName is a type name for a key of Result.Unsupported: as given if
// short and plain, else "other".
func tcTypeName(s string) string {
	if len(s) > 40 {
		return "other"
	}
	for _, r := range s {
		if !(r == ' ' || r == '-' || r == '_' || r == '.' || r < 0x80 && isIdentByte(byte(r))) {
			return "other"
		}
	}
	return s
}

// values returns the values of the indicator, of type it (MD5 for File).
func (o *tcIndicator) values(it indicator.Type, summary string) []string {
	if it == indicator.MD5 {
		var out []string
		if summary != "" {
			for _, p := range strings.Split(summary, " : ") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			return out
		}
		for _, h := range []tcString{o.MD5, o.SHA1, o.SHA256} {
			if v := strings.TrimSpace(string(h)); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	v := summary
	if v == "" {
		var f tcString
		switch it {
		case indicator.IPv4:
			f = o.IP
		case indicator.Domain:
			f = o.HostName
		case indicator.URL:
			f = o.Text
		case indicator.Email:
			f = o.Address
		case indicator.RegKey:
			f = o.KeyName
		case indicator.Mutex:
			f = o.Mutex
		case indicator.UserAgent:
			f = o.UA
		case indicator.CIDR:
			f = o.Block
		case indicator.EmailSubject:
			f = o.Subject
		}
		v = strings.TrimSpace(string(f))
	} else if it == indicator.RegKey {
		// "key : value name : value type"
		v, _, _ = strings.Cut(v, " : ")
		v = strings.TrimSpace(v)
	}
	if v == "" {
		return nil
	}
	return []string{v}
}

// tcSeverity maps a ThreatConnect rating (0-5) to a severity.
func tcSeverity(r float64) indicator.Severity {
	switch n := int(math.Round(r)); {
	case n <= 0:
		return indicator.SeverityUnknown
	case n >= 5:
		return indicator.SeverityCritical
	default:
		return indicator.Severity(n) // 1 info … 4 high
	}
}

func tcTime(field string, s tcString) (time.Time, error) {
	v := strings.TrimSpace(string(s))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %s: not an RFC 3339 timestamp", field, quoteShortN(v, 64))
	}
	return t.UTC(), nil
}

func tcIsURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// meta returns the metadata of the indicator, whose id is id.
func (o *tcIndicator) meta(id string) (indicator.Meta, error) {
	m := indicator.Meta{ID: id, Source: strings.TrimSpace(string(o.OwnerName))}
	var err error
	if m.FirstSeen, err = tcTime("dateAdded", o.DateAdded); err != nil {
		return m, err
	}
	if m.LastSeen, err = tcTime("lastModified", o.LastModified); err != nil {
		return m, err
	}
	if m.LastSeen.Before(m.FirstSeen) {
		m.LastSeen = m.FirstSeen
	}
	if m.ValidUntil, err = tcTime("externalDateExpires", o.Expires); err != nil {
		return m, err
	}
	conf := o.Confidence
	if !conf.ok {
		conf = o.TAConfidence
	}
	if conf.ok {
		m.Confidence, _ = indicator.NewConfidence(int(math.Round(conf.v)))
	}
	rating := o.Rating
	if !rating.ok {
		rating = o.TARating
	}
	if rating.ok {
		m.Severity = tcSeverity(rating.v)
	}
	for _, l := range append(slices.Clone(o.SecurityLabels), o.SecurityLabel...) {
		if tlp, ok := tcTLP(l.Name); ok {
			m.TLP = stricterTLP(m.TLP, tlp)
		}
	}
	for _, tg := range append(slices.Clone(o.Tags), o.Tag...) {
		name := tcTagName(tg.Name)
		if tid := strings.ToUpper(strings.TrimSpace(tg.TechniqueID)); isTechniqueID(tid) {
			m.Techniques = rfAppendNew(m.Techniques, tid)
		}
		switch {
		case name == "":
		case isTechniqueID(strings.ToUpper(name)):
			m.Techniques = rfAppendNew(m.Techniques, strings.ToUpper(name))
		default:
			if tlp, ok := tcTLP(name); ok {
				m.TLP = stricterTLP(m.TLP, tlp)
				continue
			}
			m.Tags = rfAppendNew(m.Tags, name)
		}
	}
	if o.FP.v > 0 || o.FPCount.v > 0 {
		m.Tags = rfAppendNew(m.Tags, FalsePositiveTCTag)
	}
	m.Description = strings.TrimSpace(string(o.Description))
	attrs := append(slices.Clone(o.Attributes), o.Attribute...)
	// displayed attributes first
	slices.SortStableFunc(attrs, func(a, b tcNamed) int {
		da, db := a.Displayed == nil || *a.Displayed, b.Displayed == nil || *b.Displayed
		switch {
		case da && !db:
			return -1
		case db && !da:
			return 1
		}
		return 0
	})
	for _, a := range attrs {
		v := strings.TrimSpace(a.Value)
		switch strings.ToLower(strings.TrimSpace(a.Type)) {
		case "description":
			if m.Description == "" {
				m.Description = v
			}
		case "source":
			if m.Reference == "" && tcIsURL(v) {
				m.Reference = v
			}
		}
	}
	if m.Reference == "" && tcIsURL(strings.TrimSpace(string(o.Source))) {
		m.Reference = strings.TrimSpace(string(o.Source))
	}
	if m.Reference == "" {
		m.Reference = strings.TrimSpace(string(o.WebLink))
	}
	return m, nil
}

// tcTagName is the name of a tag: as given, or the 'name' of a tag that
// holds a stringified Python dict ("{'created_on': 1664913032, 'name':
// 'KillChain/Installation'}"), as tcex's transforms of CrowdStrike
// indicators write them.
func tcTagName(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return s
	}
	_, rest, ok := strings.Cut(s, "'name': '")
	if !ok {
		return s
	}
	name, _, ok := strings.Cut(rest, "'")
	if !ok || strings.TrimSpace(name) == "" {
		return s
	}
	return strings.TrimSpace(name)
}

// tcTLP reads a "TLP:*" name.
func tcTLP(name string) (indicator.TLP, bool) {
	n := strings.TrimSpace(name)
	if !strings.HasPrefix(strings.ToLower(n), "tlp:") {
		return "", false
	}
	tlp, err := indicator.ParseTLP(n)
	return tlp, err == nil && tlp != indicator.TLPUnknown
}

// tcTypeNames are the "type" values of ThreatConnect indicators, for
// sniffThreatConnect.
var tcTypeNames = map[string]bool{
	"Address": true, "Host": true, "URL": true, "EmailAddress": true, "File": true,
	"Registry Key": true, "Mutex": true, "User Agent": true, "CIDR": true, "ASN": true,
	"Hashtag": true, "Email Subject": true, "Unsupported": true,
}

// sniffThreatConnect reports whether JSON head (top-level keys keys) is
// ThreatConnect's: a v2 or v3 envelope ("status" "Success" with "data"
// holding indicators), a batch file ("indicator" with "group" or
// "association", or indicators with a "summary"), or a bare indicator
// (a ThreatConnect "type" with "summary" and one of "ownerName",
// "dateAdded", "webLink", "rating", "threatAssessScore").
func sniffThreatConnect(head []byte, keys map[string]struct{}) bool {
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch {
	case has("data") && has("status"):
		return tcSuccess(head) && (bytes.Contains(head, []byte(`"summary"`)) || bytes.Contains(head, []byte(`"resultCount"`)) ||
			bytes.Contains(head, []byte(`"ownerName"`)) || has("count"))
	case has("indicator") && (has("group") || has("association")):
		return true
	case has("indicator") && len(keys) <= 3:
		return bytes.Contains(head, []byte(`"summary"`)) && bytes.Contains(head, []byte(`"type"`))
	case has("summary") && has("type"):
		_, vals := jsonTopKeys(head)
		return tcTypeNames[vals["type"]] && (has("ownerName") || has("dateAdded") || has("webLink") || has("rating") || has("threatAssessScore"))
	}
	return false
}

// tcSuccess reports whether head has "status": "Success".
func tcSuccess(head []byte) bool {
	for rest := head; ; {
		i := bytes.Index(rest, []byte(`"status"`))
		if i < 0 {
			return false
		}
		rest = rest[i+len(`"status"`):]
		v := bytes.TrimLeft(rest, " \t\r\n")
		if len(v) > 0 && v[0] == ':' {
			v = bytes.TrimLeft(v[1:], " \t\r\n")
			if bytes.HasPrefix(v, []byte(`"Success"`)) {
				return true
			}
		}
	}
}
