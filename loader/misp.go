package loader

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// ReadMISP reads MISP events (JSON) from r. path names the input in
// problems and errors, and gives the default source name (SourceName); it
// is not opened. Result.Files is 1.
//
// The input is one or more JSON values, each an event in one of the shapes
// MISP and its tools write:
//
//	{"Event": {…}}                          an event export, a feed's <uuid>.json
//	{"response": [{"Event": {…}}, …]}       a REST search export (one or more events)
//	{"response": {"Attribute": […]}}        a REST attribute search export
//	{"info": …, "Attribute": […], …}        a bare event body
//	[{"Event": {…}}, …]                     an array of any of these
//
// It is streamed: each attribute, and each MISP object with its attributes,
// is decoded on its own, so an event of any size is read within
// Options.MaxRecordSize per attribute or object. The rules:
//
//   - Every element of an event's "Attribute" array, and every attribute
//     of each element of its "Object" array, is read. Attribute types map
//     to indicator types: ip-src, ip-dst (an address or CIDR: ipv4, ipv6
//     or cidr); domain, hostname (domain); url; md5, sha1, sha256, sha512;
//     filename, email-attachment (filename); regkey; mutex; user-agent
//     (useragent); email, email-src, email-dst, email-reply-to,
//     whois-registrant-email (email); email-subject; x509-fingerprint-md5,
//     -sha1, -sha256 and ja3-fingerprint-md5 (the hash types).
//   - Composite types "a|b" have a value "x|y" giving one indicator per
//     part iocmatch reads: ip-src|port and ip-dst|port (the address; the
//     port is dropped), hostname|port (the domain), domain|ip (a domain and
//     an address), regkey|value (the key; split at the first '|', so the
//     data may hold '|'). Both parts carry the attribute's metadata.
//   - filename|md5, |sha1, |sha256, |sha512 and malware-sample (a file
//     name and an md5) give the hash only, its file name (split at the last
//     '|', so a file name may hold '|'; taken as given) kept as the hash's
//     Meta.FileName: a file name is context, not an indicator to match
//     (conhost.exe, invoice.pdf … would match every log naming them). Any
//     other filename|X (filename|imphash, filename|ssdeep …) is counted as
//     unsupported "misp type: filename|X". A "filename" attribute of its
//     own is a filename indicator.
//   - Only attributes with "to_ids" set (true, "1", 1 or "true") are read,
//     as MISP's own IDS exports do; with Options.MISPAllAttributes every
//     attribute is. The others are counted as unsupported "misp not
//     to_ids".
//   - An attribute, or an object, with "deleted" set is counted as
//     unsupported "misp deleted". An attribute of any other type (link,
//     text, comment, attachment, AS, port, uri, yara, snort, sigma,
//     vulnerability, pdb, ssdeep, imphash …, and any unknown name) is
//     counted as unsupported "misp type: NAME", whatever its to_ids.
//   - Values are read with indicator.ParseAs (refanged, canonical). A
//     value it rejects, or a composite value without '|', is a problem
//     (ReasonInvalidValue) whose record is the attribute's place in the
//     document ("Event.Attribute[12]", "response[0].Event.Object[3].Attribute[1]")
//     and whose message names the attribute's uuid and quotes the value;
//     the other part of a composite value is still read.
//   - An attribute that is not a JSON object of the expected shape
//     ("to_ids": {}, a time that cannot be parsed …), or has no "type", is
//     a problem (ReasonMalformed); so is a bad event-level "Tag", "Galaxy"
//     or "Orgc" (the event's attributes are read without it). Bad JSON and
//     the limits (Options.MaxRecordSize, MaxJSONDepth) end the file, as
//     for every JSON format; but JSON nested too deep ends only its JSON
//     value, the rest of which is skipped: reading goes on with the next
//     (JSON lines).
//
// The metadata of each indicator:
//
//   - ID: the attribute's uuid.
//   - Source: the event's Orgc.name (else Org.name), unless
//     Options.Source is set; else the file's name.
//   - Description: the event's info, followed by the object's and the
//     attribute's comments, joined by "; ".
//   - Reference: the value of the event's first "link" attribute.
//   - TLP: the attribute's "tlp:*" tag, else the event's.
//   - Techniques: ATT&CK ids ("T1059.004") of the attribute's and the
//     event's misp-galaxy:*attack-pattern* tags (taken from the tag value,
//     "Unix Shell - T1059.004") and galaxy clusters (meta.external_id).
//   - ThreatActor: from a misp-galaxy:threat-actor, mitre-intrusion-set or
//     microsoft-activity-group tag or cluster ("APT32 - G0050" is "APT32"),
//     the attribute's before the event's.
//   - MalwareFamily: likewise from misp-galaxy:malpedia, then
//     mitre-malware, then ransomware, rat, banker, stealer, botnet,
//     backdoor, android or tool.
//   - Confidence: an osint:certainty="N" tag (0 to 100), or a
//     confidence-level:* tag (completely-confident 100, usually-confident
//     75, fairly-confident 50, rarely-confident 25, unconfident 0), the
//     attribute's before the event's.
//   - Severity: the event's threat_level_id (1 high, 2 medium, 3 low).
//   - Tags: the names of the attribute's then the event's tags and galaxy
//     clusters, each once, without the tlp:* tags read into TLP and the
//     attack-pattern tags read into Techniques.
//   - FileName: the file name of a filename|<hash> or malware-sample
//     attribute.
//   - FirstSeen: the attribute's first_seen, else its object's, else the
//     event's date. LastSeen: the attribute's last_seen, else its
//     object's, else the attribute's timestamp (its last change in MISP).
//
// The Sighting array of an attribute (or of an object's attribute), as
// MISP exports it with the event, counts as sightings, by each element's
// type and date_sighting (Unix seconds, a string or a number, or any MISP
// time):
//
//   - type "0" (or none), a sighting: LastSeen becomes the latest one when
//     it is later, and FirstSeen the earliest one when the attribute and
//     its object give none (before the event's date), so that package age
//     ages the indicator from its last sighting.
//   - type "2", an expiration: the indicator is not matched from that
//     instant on (ValidUntil, the earliest expiration), unless a sighting
//     came after it (seen again: alive again).
//   - type "1", a false positive: no sighting; when one is later than the
//     last sighting, the indicator gets the tag
//     "misp-sighting:false-positive" (FalsePositiveSightingTag), shown in
//     the output, so that an analyst sees that someone reported it as
//     benign; it still matches (one organisation's false positive is not
//     every one's: an allowlist suppresses it).
//
// A malformed sighting (no or a bad date, an unknown type, an array that
// is not one) is ignored and counted in Result.Unsupported ("misp
// sighting: malformed", "misp sighting: type 7"); the attribute is read.
// The work is linear in the attribute's size, which MaxRecordSize bounds.
//
// Event-level fields may come before or after the attributes: they are
// applied to the event's indicators at the end of the event. Other event
// fields (EventReport, ShadowAttribute, RelatedEvent, and an event-level
// Sighting array …) are skipped unread.
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadMISP(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatMISP, r, path, opts)
}

// ReadMISPManifest reads the manifest.json of a MISP feed from r: an
// object mapping each event uuid to a summary of the event (info, Orgc,
// Tag, date, timestamp …). It gives no indicators: the events are read
// from their own files, <uuid>.json next to the manifest, which Load reads
// as MISP events when it reads the feed's directory. Reading it checks it:
// a key that is not a UUID, or a value that is not an object of that
// shape, is a problem (ReasonMalformed); so is a document that is not an
// object.
//
// path and the error are as for ReadMISP.
func ReadMISPManifest(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatMISPManifest, r, path, opts)
}

// errMISPStop ends the reading of a JSON file after its problem was reported.
var errMISPStop = errors.New("stop")

// mispTag is a MISP tag; only its name is used.
type mispTag struct {
	Name flexString `json:"name"`
}

// mispGalaxy is a MISP galaxy with the parts of its clusters that are
// used.
type mispGalaxy struct {
	Type          flexString `json:"type"`
	GalaxyCluster []struct {
		Value   flexString `json:"value"`
		TagName flexString `json:"tag_name"`
		Meta    struct {
			ExternalID flexStrings `json:"external_id"`
		} `json:"meta"`
	} `json:"GalaxyCluster"`
}

// mispAttribute is a MISP attribute.
type mispAttribute struct {
	Type      flexString   `json:"type"`
	Value     flexString   `json:"value"`
	UUID      flexString   `json:"uuid"`
	ToIDs     flexBool     `json:"to_ids"`
	Deleted   flexBool     `json:"deleted"`
	Comment   flexString   `json:"comment"`
	Timestamp flexTime     `json:"timestamp"`
	FirstSeen flexTime     `json:"first_seen"`
	LastSeen  flexTime     `json:"last_seen"`
	Tag       []mispTag    `json:"Tag"`
	Galaxy    []mispGalaxy `json:"Galaxy"`
	// Sighting is read by sightings, element by element, so that a
	// malformed sighting does not cost the attribute.
	Sighting json.RawMessage `json:"Sighting"`
}

// mispObject is a MISP object; its attributes are decoded one by one.
type mispObject struct {
	UUID      flexString        `json:"uuid"`
	Comment   flexString        `json:"comment"`
	Deleted   flexBool          `json:"deleted"`
	FirstSeen flexTime          `json:"first_seen"`
	LastSeen  flexTime          `json:"last_seen"`
	Attribute []json.RawMessage `json:"Attribute"`
}

// mispOrg is an event's Orgc or Org.
type mispOrg struct {
	Name flexString `json:"name"`
}

// mispEvent is what is known of the event being read.
type mispEvent struct {
	segs  []mispRange // the indicators read from its attributes
	scope string      // its scope for collector.addHeld: the event's number in the input
	held  bool        // its indicators are held (collector.hold) until its end

	info, orgc, org, link string
	date                  time.Time
	severity              indicator.Severity
	tags                  []string
	galaxies              []mispGalaxy
}

// mispRange is the indices [from, to) in Result.Indicators.
type mispRange struct{ from, to int }

type mispReader struct {
	c      *collector
	j      *jsonStream
	all    bool
	events int // events started
}

// readMISP reads MISP events from r into c.
func readMISP(c *collector, r io.Reader) error {
	m := &mispReader{c: c, j: newJSONStream(c, r), all: c.opts.MISPAllAttributes}
	for n := 0; ; n++ {
		err := m.value("")
		if err == io.EOF {
			if n == 0 {
				return c.problem(0, ReasonMalformed, "no JSON value: not a MISP event")
			}
			return nil
		}
		if err == errMISPStop {
			if m.j.resume() {
				continue // nested too deep: the next document (JSON lines)
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// fail reports the stream error err, which ends the file, about record.
func (m *mispReader) fail(record string, err error) error {
	if err == errMISPStop {
		return err
	}
	var p *Problem
	if errors.As(err, &p) {
		return err
	}
	if e := m.j.fail(record, err); e != nil {
		return e
	}
	return errMISPStop
}

// mispKeyPath is path.key, or key at the top.
func mispKeyPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// value reads the next JSON value at path, which holds events: an event
// object (or a wrapper: {"Event": …}, {"response": …}), or an array of
// them. At the end of the input it returns io.EOF.
func (m *mispReader) value(path string) error {
	t, err := m.j.Token()
	if err == io.EOF && path == "" {
		return io.EOF
	}
	if err != nil {
		return m.fail(path, err)
	}
	switch t {
	case json.Delim('{'):
		return m.event(path)
	case json.Delim('['):
		for i := 0; m.j.More(); i++ {
			if err := m.value(fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		if _, err := m.j.Token(); err != nil {
			return m.fail(path, err)
		}
		return nil
	case nil:
		return nil
	}
	return m.c.problemRec(mispRecordName(path), ReasonMalformed, fmt.Sprintf("%.40v: not a MISP event (a JSON object)", t))
}

// mispRecordName names the top of the document "(document)".
func mispRecordName(path string) string {
	if path == "" {
		return "(document)"
	}
	return path
}

// event reads the members of an object at path whose '{' was read: an
// event body, or a wrapper holding events.
func (m *mispReader) event(path string) error {
	// the indicators' metadata is complete at the end of the event: they
	// are merged with identical ones then, and before it with identical
	// ones of the same event
	m.events++
	ev := &mispEvent{scope: strconv.Itoa(m.events)}
	// held from its first indicator on (see attribute), not from its
	// start: a wrapper of events ({"response": […]}) gives none of its
	// own, and each event in it is settled (and streamed) at its end
	// rather than all of them at the wrapper's
	defer func() {
		if ev.held {
			m.c.release()
		}
	}()
	defer func() { m.finish(ev) }()
	for m.j.More() {
		t, err := m.j.Token()
		if err != nil {
			return m.fail(path, err)
		}
		key, _ := t.(string)
		p := mispKeyPath(path, key)
		switch key {
		case "Event", "response":
			err = m.value(p)
		case "Attribute":
			err = m.array(p, func(rec string) error { return m.attribute(ev, rec) })
		case "Object":
			err = m.array(p, func(rec string) error { return m.object(ev, rec) })
		case "info":
			var s flexString
			err = m.field(p, &s)
			ev.info = strings.TrimSpace(string(s))
		case "Orgc", "Org":
			var o mispOrg
			err = m.field(p, &o)
			if key == "Orgc" {
				ev.orgc = strings.TrimSpace(string(o.Name))
			} else {
				ev.org = strings.TrimSpace(string(o.Name))
			}
		case "date":
			var d flexTime
			err = m.field(p, &d)
			ev.date = time.Time(d)
		case "threat_level_id":
			var s flexString
			err = m.field(p, &s)
			ev.severity = mispSeverity(string(s))
		case "Tag":
			var tags []mispTag
			err = m.field(p, &tags)
			for _, tg := range tags {
				ev.tags = append(ev.tags, string(tg.Name))
			}
		case "Galaxy":
			var gs []mispGalaxy
			err = m.field(p, &gs)
			ev.galaxies = append(ev.galaxies, gs...)
		default:
			if err := m.j.Skip(); err != nil {
				return m.fail(p, err)
			}
		}
		if err != nil {
			return err
		}
	}
	if _, err := m.j.Token(); err != nil { // '}'
		return m.fail(path, err)
	}
	return nil
}

// field decodes the next value into v; a value that does not fit is a
// problem (ReasonMalformed) about path, and v is left as it is.
func (m *mispReader) field(path string, v any) error {
	err := m.j.Decode(v)
	var re *recordError
	if errors.As(err, &re) {
		return m.c.problemRec(path, ReasonMalformed, re.Error())
	}
	if err != nil {
		return m.fail(path, err)
	}
	return nil
}

// array reads the JSON array at path, calling each for its elements; null
// is an empty array, and any other value a problem.
func (m *mispReader) array(path string, each func(rec string) error) error {
	depth := m.j.depth
	t, err := m.j.Token()
	if err != nil {
		return m.fail(path, err)
	}
	switch t {
	case json.Delim('['):
	case nil:
		return nil
	default:
		if d, ok := t.(json.Delim); ok && d == '{' {
			for m.j.depth > depth {
				if _, err := m.j.Token(); err != nil {
					return m.fail(path, err)
				}
			}
		}
		return m.c.problemRec(path, ReasonMalformed, "not a JSON array")
	}
	for i := 0; m.j.More(); i++ {
		if err := each(fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	if _, err := m.j.Token(); err != nil { // ']'
		return m.fail(path, err)
	}
	return nil
}

// attribute reads the next value, an element of an event's "Attribute".
func (m *mispReader) attribute(ev *mispEvent, rec string) error {
	var a mispAttribute
	err := m.j.Decode(&a)
	var re *recordError
	if errors.As(err, &re) {
		return m.c.problemRec(rec, ReasonMalformed, "attribute: "+re.Error())
	}
	if err != nil {
		return m.fail(rec, err)
	}
	return m.read(ev, nil, &a, rec)
}

// object reads the next value, an element of an event's "Object", and its
// attributes.
func (m *mispReader) object(ev *mispEvent, rec string) error {
	var o mispObject
	err := m.j.Decode(&o)
	var re *recordError
	if errors.As(err, &re) {
		return m.c.problemRec(rec, ReasonMalformed, "object: "+re.Error())
	}
	if err != nil {
		return m.fail(rec, err)
	}
	for i, raw := range o.Attribute {
		arec := fmt.Sprintf("%s.Attribute[%d]", rec, i)
		var a mispAttribute
		if err := json.Unmarshal(raw, &a); err != nil {
			if err := m.c.problemRec(arec, ReasonMalformed, "attribute: "+err.Error()); err != nil {
				return err
			}
			continue
		}
		if err := m.read(ev, &o, &a, arec); err != nil {
			return err
		}
	}
	return nil
}

// read reads attribute a, of object o (or nil), at record rec.
func (m *mispReader) read(ev *mispEvent, o *mispObject, a *mispAttribute, rec string) error {
	c := m.c
	typ := strings.TrimSpace(string(a.Type))
	if bool(a.Deleted) || o != nil && bool(o.Deleted) {
		c.unsupported("misp deleted")
		return nil
	}
	who := "attribute"
	if a.UUID != "" {
		who += " " + string(a.UUID)
	}
	if typ == "" {
		return c.problemRec(rec, ReasonMalformed, who+": no type")
	}
	if typ == "link" && ev.link == "" {
		ev.link = strings.TrimSpace(string(a.Value))
	}
	mt, ok := lookupMISPType(typ)
	if !ok {
		c.unsupported("misp type: " + typ)
		return nil
	}
	if !bool(a.ToIDs) && !m.all {
		c.unsupported("misp not to_ids")
		return nil
	}
	parts, ok := splitMISPValue(mt, string(a.Value))
	if !ok {
		return c.problemRec(rec, ReasonInvalidValue, fmt.Sprintf("%s: misp type %q: value %q has no '|'", who, typ, string(a.Value)))
	}
	meta := m.attrMeta(o, a)
	if mt.fileName {
		meta.FileName = parts[0]
	}
	for i, t := range mt.parts {
		if t == indicator.Invalid {
			continue
		}
		ind, err := indicator.ParseAs(t, parts[i])
		if err != nil {
			if err := c.problemRec(rec, ReasonInvalidValue, fmt.Sprintf("%s: misp type %q: %v", who, typ, err)); err != nil {
				return err
			}
			continue
		}
		ind.Meta = meta
		if !ev.held {
			// the events before, settled, go to the sink (when
			// streaming) once there are StreamBatch of them
			if err := c.flush(StreamBatch); err != nil {
				return err
			}
			c.hold()
			ev.held = true
		}
		n := len(c.res.Indicators)
		if err := c.addHeld(ind, ev.scope); err != nil {
			return err
		}
		if len(c.res.Indicators) == n {
			continue // a duplicate
		}
		if k := len(ev.segs) - 1; k >= 0 && ev.segs[k].to == n {
			ev.segs[k].to = n + 1
		} else {
			ev.segs = append(ev.segs, mispRange{n, n + 1})
		}
	}
	return nil
}

// attrMeta is the metadata an attribute (of object o, or nil) gives.
func (m *mispReader) attrMeta(o *mispObject, a *mispAttribute) indicator.Meta {
	var meta indicator.Meta
	meta.ID = strings.TrimSpace(string(a.UUID))
	var comments []string
	if o != nil {
		comments = append(comments, strings.TrimSpace(string(o.Comment)))
	}
	comments = append(comments, strings.TrimSpace(string(a.Comment)))
	meta.Description = joinNonEmpty(comments...)
	meta.FirstSeen = time.Time(a.FirstSeen)
	meta.LastSeen = time.Time(a.LastSeen)
	if o != nil {
		if meta.FirstSeen.IsZero() {
			meta.FirstSeen = time.Time(o.FirstSeen)
		}
		if meta.LastSeen.IsZero() {
			meta.LastSeen = time.Time(o.LastSeen)
		}
	}
	if meta.LastSeen.IsZero() {
		meta.LastSeen = time.Time(a.Timestamp)
	}
	fp := m.sightings(a.Sighting, &meta)
	if len(a.Tag) > 0 || len(a.Galaxy) > 0 {
		names := make([]string, 0, len(a.Tag))
		for _, t := range a.Tag {
			names = append(names, string(t.Name))
		}
		tm := classifyTags(names, a.Galaxy)
		meta.TLP, meta.Techniques, meta.Tags = tm.tlp, tm.techniques, tm.tags
		meta.ThreatActor, meta.MalwareFamily, meta.Confidence = tm.actor, tm.family, tm.confidence
	}
	if fp && !slices.Contains(meta.Tags, FalsePositiveSightingTag) {
		meta.Tags = append(meta.Tags, FalsePositiveSightingTag)
	}
	return meta
}

// FalsePositiveSightingTag is the tag the MISP reader gives an indicator
// whose attribute has a false-positive sighting (type "1") later than
// its last sighting.
const FalsePositiveSightingTag = "misp-sighting:false-positive"

// mispSighting is one element of an attribute's Sighting array.
type mispSighting struct {
	Type json.RawMessage `json:"type"`
	Date json.RawMessage `json:"date_sighting"`
}

// sightings applies the Sighting array raw of an attribute to meta, as
// the doc of ReadMISP says, and reports whether a false positive is the
// latest word. A malformed sighting is ignored and counted in
// Result.Unsupported.
func (m *mispReader) sightings(raw json.RawMessage, meta *indicator.Meta) (falsePositive bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return false
	}
	var all []json.RawMessage
	if json.Unmarshal(raw, &all) != nil {
		m.c.unsupported("misp sighting: malformed")
		return false
	}
	var first, last, lastFP time.Time
	var expiries []time.Time
	for _, r := range all {
		var s mispSighting
		var kind flexString
		var date flexTime
		if json.Unmarshal(r, &s) != nil || len(s.Type) > 0 && json.Unmarshal(s.Type, &kind) != nil ||
			json.Unmarshal(s.Date, &date) != nil || time.Time(date).IsZero() {
			m.c.unsupported("misp sighting: malformed")
			continue
		}
		t := time.Time(date)
		switch strings.TrimSpace(string(kind)) {
		case "", "0":
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		case "1":
			if t.After(lastFP) {
				lastFP = t
			}
		case "2":
			expiries = append(expiries, t)
		default:
			m.c.unsupported("misp sighting: type " + strings.TrimSpace(string(kind)))
		}
	}
	if !last.IsZero() {
		if last.After(meta.LastSeen) {
			meta.LastSeen = last
		}
		if meta.FirstSeen.IsZero() {
			meta.FirstSeen = first
		}
	}
	for _, e := range expiries {
		if e.After(last) && (meta.ValidUntil.IsZero() || e.Before(meta.ValidUntil)) {
			meta.ValidUntil = e
		}
	}
	return !lastFP.IsZero() && lastFP.After(last)
}

// finish applies the event-level metadata to the event's indicators.
func (m *mispReader) finish(ev *mispEvent) {
	if len(ev.segs) == 0 {
		return
	}
	tm := classifyTags(ev.tags, ev.galaxies)
	org := ev.orgc
	if org == "" {
		org = ev.org
	}
	for _, s := range ev.segs {
		for i := s.from; i < s.to; i++ {
			ind := &m.c.res.Indicators[i]
			if org != "" {
				ind.Source = m.c.sourceFor(org)
			}
			ind.Description = joinNonEmpty(ev.info, ind.Description)
			if ind.Reference == "" {
				ind.Reference = ev.link
			}
			if ind.TLP == indicator.TLPUnknown {
				ind.TLP = tm.tlp
			}
			ind.Techniques = mergeStrings(ind.Techniques, tm.techniques)
			ind.Tags = mergeStrings(ind.Tags, tm.tags)
			if ind.ThreatActor == "" {
				ind.ThreatActor = tm.actor
			}
			if ind.MalwareFamily == "" {
				ind.MalwareFamily = tm.family
			}
			if !ind.Confidence.Known() {
				ind.Confidence = tm.confidence
			}
			ind.Severity = ev.severity
			if ind.FirstSeen.IsZero() {
				ind.FirstSeen = ev.date
			}
		}
	}
}

// joinNonEmpty joins the non-empty strings with "; ".
func joinNonEmpty(s ...string) string {
	out := ""
	for _, v := range s {
		switch {
		case v == "":
		case out == "":
			out = v
		default:
			out += "; " + v
		}
	}
	return out
}

// mergeStrings returns a followed by the elements of b not in a; when a is
// empty it returns b itself, shared (clipped, so that appending to it
// copies).
func mergeStrings(a, b []string) []string {
	if len(a) == 0 {
		return slices.Clip(b)
	}
	out := a
	for _, v := range b {
		if !slices.Contains(a, v) {
			out = append(out, v)
		}
	}
	return out
}

// mispSeverity maps a threat_level_id to a severity.
func mispSeverity(s string) indicator.Severity {
	switch strings.TrimSpace(s) {
	case "1":
		return indicator.SeverityHigh
	case "2":
		return indicator.SeverityMedium
	case "3":
		return indicator.SeverityLow
	}
	return indicator.SeverityUnknown
}

// tagMeta is the metadata read from tags and galaxy clusters.
type tagMeta struct {
	tlp           indicator.TLP
	techniques    []string
	actor, family string
	confidence    indicator.Confidence
	tags          []string
}

var (
	attackID      = regexp.MustCompile(`\bT\d{4}(?:\.\d{3})?\b`)
	attackIDWhole = regexp.MustCompile(`^T\d{4}(?:\.\d{3})?$`)
	mitreSuffix   = regexp.MustCompile(` - [GS]\d{4}$`)
)

// mispActorGalaxies are the galaxies naming threat actors.
var mispActorGalaxies = []string{"threat-actor", "mitre-intrusion-set", "microsoft-activity-group"}

// mispFamilyGalaxies are the galaxies naming malware families, the most
// specific first.
var mispFamilyGalaxies = []string{"malpedia", "mitre-malware", "ransomware", "rat", "banker", "stealer", "botnet", "backdoor", "android", "tool"}

// mispConfidenceLevels are the values of the confidence-level taxonomy.
var mispConfidenceLevels = map[string]int{
	"completely-confident": 100,
	"usually-confident":    75,
	"fairly-confident":     50,
	"rarely-confident":     25,
	"unconfident":          0,
}

// classifyTags reads the metadata of tag names and galaxy clusters (in
// that order; a cluster is taken as its tag name).
func classifyTags(names []string, galaxies []mispGalaxy) tagMeta {
	var tm tagMeta
	familyRank := len(mispFamilyGalaxies)
	var byExtID []string // tag names of attack-pattern clusters that gave an external id
	for _, g := range galaxies {
		for _, cl := range g.GalaxyCluster {
			name := strings.TrimSpace(string(cl.TagName))
			if name == "" && cl.Value != "" {
				name = fmt.Sprintf("misp-galaxy:%s=%q", string(g.Type), string(cl.Value))
			}
			if name == "" {
				continue
			}
			names = append(names, name)
			if !strings.Contains(string(g.Type), "attack-pattern") {
				continue
			}
			for _, id := range cl.Meta.ExternalID {
				if id = strings.TrimSpace(id); attackIDWhole.MatchString(id) {
					if !slices.Contains(tm.techniques, id) {
						tm.techniques = append(tm.techniques, id)
					}
					byExtID = append(byExtID, name)
				}
			}
		}
	}
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		ns, rest, _ := strings.Cut(name, ":")
		pred, val, _ := strings.Cut(rest, "=")
		val = strings.TrimSpace(strings.Trim(strings.TrimSpace(val), `"`))
		switch strings.ToLower(ns) {
		case "tlp":
			if t, err := indicator.ParseTLP(name); err == nil && t != indicator.TLPUnknown {
				if tm.tlp == indicator.TLPUnknown {
					tm.tlp = t
				}
				continue
			}
		case "misp-galaxy":
			if strings.Contains(pred, "attack-pattern") {
				ids := attackID.FindAllString(val, -1)
				for _, id := range ids {
					if !slices.Contains(tm.techniques, id) {
						tm.techniques = append(tm.techniques, id)
					}
				}
				if len(ids) > 0 || slices.Contains(byExtID, name) {
					continue
				}
			}
			if tm.actor == "" && slices.Contains(mispActorGalaxies, pred) && val != "" {
				tm.actor = mitreSuffix.ReplaceAllString(val, "")
			}
			if r := slices.Index(mispFamilyGalaxies, pred); r >= 0 && r < familyRank && val != "" {
				tm.family, familyRank = mitreSuffix.ReplaceAllString(val, ""), r
			}
		case "osint":
			if pred == "certainty" && !tm.confidence.Known() {
				if n, err := strconv.Atoi(val); err == nil {
					tm.confidence, _ = indicator.NewConfidence(n)
				}
			}
		case "confidence-level":
			if n, ok := mispConfidenceLevels[pred]; ok && !tm.confidence.Known() {
				tm.confidence, _ = indicator.NewConfidence(n)
			}
		}
		if !slices.Contains(tm.tags, name) {
			tm.tags = append(tm.tags, name)
		}
	}
	return tm
}

// mispManifestEntry is the summary of an event in a feed's manifest.json.
type mispManifestEntry struct {
	Info      flexString `json:"info"`
	Orgc      mispOrg    `json:"Orgc"`
	Tag       []mispTag  `json:"Tag"`
	Date      flexTime   `json:"date"`
	Timestamp flexTime   `json:"timestamp"`
}

// readMISPManifest reads a MISP feed's manifest.json from r into c: it
// checks it, and gives no indicators.
func readMISPManifest(c *collector, r io.Reader) error {
	j := newJSONStream(c, r)
	fail := j.fail
	t, err := j.Token()
	if err != nil {
		return fail("", err)
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return c.problem(0, ReasonMalformed, "not a MISP feed manifest (a JSON object of event uuids)")
	}
	for j.More() {
		t, err := j.Token()
		if err != nil {
			return fail("", err)
		}
		key, _ := t.(string)
		var e mispManifestEntry
		err = j.Decode(&e)
		var re *recordError
		switch {
		case errors.As(err, &re):
			err = c.problemRec(key, ReasonMalformed, "manifest entry: "+re.Error())
		case err != nil:
			return fail(key, err)
		case !isUUID(key):
			err = c.problemRec(key, ReasonMalformed, fmt.Sprintf("manifest key %q is not an event uuid", key))
		}
		if err != nil {
			return err
		}
	}
	if _, err := j.Token(); err != nil {
		return fail("", err)
	}
	if _, err := j.Token(); err != io.EOF {
		if err == nil {
			return c.problem(0, ReasonMalformed, "more than one JSON value: not a MISP feed manifest")
		}
		return fail("", err)
	}
	return nil
}
