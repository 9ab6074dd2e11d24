package loader

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
)

// ReadSTIX reads STIX 2.1 or 2.0 indicators from r. path names the input in
// problems and errors, and gives the default source name (SourceName); it
// is not opened. Result.Files is 1.
//
// The input is a STIX bundle {"type": "bundle", "objects": [...]}, a TAXII
// 2.1 envelope {"more": …, "next": …, "objects": [...]} (any JSON object
// with an "objects" array is read the same way), a bare JSON array of STIX
// objects, or a single STIX object; several such documents one after the
// other (JSON lines) are read in turn. The "objects" are read one at a
// time: a bundle is never held in memory whole (each object at most
// Options.MaxRecordSize bytes, nested at most Options.MaxJSONDepth deep); a
// single top-level object is held whole, within the same limits.
//
// Only "indicator" objects give indicators. Identities, marking
// definitions, relationships, malware, threat actors and intrusion sets are
// read for the indicators' metadata; every other object (observed-data,
// report, sighting, attack-pattern, SCOs …) is ignored: in particular the
// observables of observed-data are not read as indicators.
//
// An indicator whose "pattern_type" is "stix" or absent (STIX 2.0) has its
// "pattern" parsed (the whole STIX 2.1 patterning grammar, keywords in any
// case; a backslash that does not escape a quote or a backslash is kept as
// it is, as in 'HKLM\Software') and read as follows:
//
//   - Each comparison joined to the others by OR, within an observation
//     "[ … ]" or between observations, is one indicator, or one problem if
//     its value is invalid, or one unsupported count; so
//     "[ipv4-addr:value = '198.51.100.1' OR ipv4-addr:value = '198.51.100.2']"
//     gives two indicators.
//   - The comparisons that are read, with the operator "=" (or IN: one
//     indicator per member of the set) and a string value: ipv4-addr:value and
//     ipv6-addr:value (an address or a CIDR), domain-name:value (an IP
//     address there is read as an address), url:value, email-addr:value,
//     email-message:from_ref.value, sender_ref.value, to_refs[*].value,
//     cc_refs[*].value and bcc_refs[*].value (email), email-message:subject
//     (email-subject), file:hashes.X for X one of MD5, SHA-1, SHA-256,
//     SHA-512 (quoted or not, in any case, with or without the hyphen),
//     file:name (filename), windows-registry-key:key (regkey), mutex:name
//     (mutex), network-traffic:dst_ref.value and src_ref.value (an address,
//     CIDR or domain name), and the User-Agent request header of
//     network-traffic's http-request-ext (useragent). With ISSUBSET, the
//     address paths (ipv4-addr, ipv6-addr, network-traffic refs) are read
//     as a CIDR.
//   - One AND is read: "X:R.type = 'T' AND X:R.value = 'V'", as STIX 2.0
//     exporters (MISP, Talos) write network-traffic addresses, where R is a
//     reference property of a path above (dst_ref, src_ref, from_ref …) and
//     every other comparison is the same "X:R.type = 'T'", is read as the
//     value V of type T (ipv4-addr, ipv6-addr, domain-name, email-addr).
//   - Unsupported, counted in Result.Unsupported, not problems: any other
//     AND ("stix pattern: AND"), FOLLOWEDBY ("stix pattern: FOLLOWEDBY"), an
//     observation with a qualifier ("stix pattern: qualifier"), another
//     operator or NOT ("stix pattern: operator MATCHES"), another path
//     ("stix pattern: path process:name"), a value that is not a string
//     ("stix pattern: non-string value"); an indicator with another
//     pattern_type ("stix pattern_type: yara"), or revoked ("stix revoked":
//     revoked indicators are dropped, but counted); a version superseded by
//     another of the same id ("stix superseded", see below); a bundle inside
//     a bundle or array ("stix nested bundle").
//   - Values are taken as given (no refanging) and canonicalised
//     (indicator.New); an invalid one is a problem (ReasonInvalidValue),
//     the other comparisons of the pattern are still read.
//
// Objects with the same "id" are versions of one object (STIX 2.1 section
// 3.6): of an indicator, only the latest version read in the input gives
// indicators, wherever it is in the input (before or after the others, in
// any of its documents), and in the place where it is:
//
//   - The latest version is the one with the latest "modified" (an RFC
//     3339 timestamp; a bad one is a problem, ReasonMalformed; none is
//     earlier than any); of versions with the same "modified" (the same
//     version, by the spec), the one read last.
//   - A version with "revoked": true is final: it supersedes every
//     version that is not revoked, whatever their "modified" (the spec
//     forbids versions after a revocation), and the indicator gives no
//     indicators ("stix revoked").
//   - Every other version is counted as "stix superseded" (one per
//     version, whether it comes before or after the latest), and the
//     indicators read from it are dropped (the problems it had, if any,
//     are still reported). A version counts even if it gives no
//     indicators: a newer version with an unsupported pattern, or with a
//     syntax error, drops the older one all the same.
//   - Identities, marking definitions, malware, threat actors, intrusion
//     sets and relationships are versioned the same way (the latest
//     version's name applies; a revoked one is as if absent), without
//     being counted.
//
// The reader holds one entry per indicator id (its latest "modified"), and
// removes the indicators of superseded versions as it goes: many versions
// of an indicator do not hold memory. Versions are matched within one
// input (one file, or one TAXII load: see package loader/taxii for the
// versions across TAXII polls), not across the files of a directory.
//
// Every indicator read from a pattern gets the metadata of its STIX
// indicator object:
//
//   - ID: "id". Description: "description", or "name" when there is no
//     description.
//   - ValidFrom, ValidUntil: "valid_from", "valid_until" (expired
//     indicators are kept: the matcher applies ValidUntil).
//   - Confidence: "confidence" (0-100), else OpenCTI's "x_opencti_score"
//     (0-100, as OpenCTI exports it: its score of the indicator).
//   - Tags: "labels", "indicator_types" and, for each "kill_chain_phases"
//     entry, "kill_chain_name:phase_name" ("lockheed-martin-cyber-kill-chain:delivery"),
//     in this order, without duplicates.
//   - Techniques: the "external_id" of the "external_references" whose
//     "source_name" is "mitre-attack" (or mitre-mobile-attack,
//     mitre-ics-attack) and whose id is a technique ("T1071" or
//     "T1071.001"). Reference: the "url" of the first external reference
//     that has one and is not an ATT&CK one, else of the first ATT&CK one.
//   - Source: the "name" of the identity "created_by_ref" names, when that
//     identity is in the input (anywhere in it: references are resolved at
//     the end); else, as always, Options.Source or the file's name.
//   - TLP: from "object_marking_refs": the standard TLP 1.0 marking
//     definitions of STIX 2.1 (TLP:WHITE read as clear, GREEN, AMBER, RED)
//     and the TLP 2.0 ones (CLEAR, GREEN, AMBER, AMBER+STRICT, RED) by their
//     ids, or a marking definition in the input of definition_type "tlp",
//     named "TLP:…" or with a TLP 2.0 extension. With several, the most
//     restrictive. Granular markings are not read.
//   - MalwareFamily, ThreatActor: the "name" of the malware, and of the
//     threat actor or intrusion set, that an "indicates" relationship from
//     the indicator points to (the first such relationship of each kind).
//
// Problems (the record named by the STIX id, or "objects[3]"): a JSON value
// that is not a STIX object, an object without "type", an indicator that
// does not fit the STIX types (a string where a list is expected …),
// without a pattern, with a bad "valid_from", "valid_until" (RFC 3339
// timestamps), "confidence" or "x_opencti_score" (an integer 0-100), a pattern with a syntax
// error (the problem quotes the pattern), all ReasonMalformed; a pattern
// nested deeper than 32 parentheses and brackets (ReasonTooDeep); invalid
// values (ReasonInvalidValue). These skip the record and reading goes on.
// Malformed JSON, or JSON past the size or depth limits, ends the reading
// of the file (ReasonMalformed, ReasonTooLarge, ReasonTooDeep), keeping the
// indicators read before; but JSON nested too deep ends only its document,
// the rest of which is skipped: reading goes on with the next (JSON lines).
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadSTIX(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatSTIX, r, path, opts)
}

// readSTIX reads STIX 2 documents from r into c.
func readSTIX(c *collector, r io.Reader) (err error) {
	s := &stixReader{
		c:          c,
		j:          newJSONStream(c, r),
		identities: map[string]string{},
		markings:   map[string]indicator.TLP{},
		names:      map[string]stixNamed{},
		versions:   map[string]stixVersion{},
		others:     map[string]stixOther{},
		relIndex:   map[string]int{},
		refIndex:   map[string]uint32{},
	}
	// the metadata is complete once the references are resolved, at the
	// end: identical indicators are merged then, and before it those with
	// the same references (stixScope)
	// (held compactly: a bundle of a million indicators is held whole)
	c.enc = newHeldList()
	c.hold()
	defer func() {
		s.finish()
		c.release()
		if e := c.settle(); err == nil {
			err = e
		}
	}()
	for {
		t, err := s.j.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s.j.fail("", err)
		}
		switch t {
		case json.Delim('['):
			err = s.array("[%d]")
		case json.Delim('{'):
			err = s.object()
		default:
			return c.problem(0, ReasonMalformed, fmt.Sprintf("not a STIX document: a JSON %s at top level", jsonKind(t)))
		}
		if err == errStop {
			if s.j.resume() {
				continue // nested too deep: the next document (JSON lines)
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// errStop ends the reading of a file after a stream error reported as a
// problem in lenient mode.
var errStop = errors.New("stop")

// stop reports the stream error err, which ends the file, as a problem
// about record, and returns the error that stops reading: the *Problem
// with Strict, a read error, or errStop.
func (s *stixReader) stop(record string, err error) error {
	if err := s.j.fail(record, err); err != nil {
		return err
	}
	return errStop
}

// stixReader is the state of the reading of one STIX input.
type stixReader struct {
	c *collector
	j *jsonStream

	identities map[string]string        // identity id → name
	markings   map[string]indicator.TLP // marking-definition id → TLP
	names      map[string]stixNamed     // malware, threat-actor, intrusion-set id → name
	rels       []stixRel                // "indicates" relationships from indicators
	relIndex   map[string]int           // relationship id → index in rels
	pending    []stixPending            // indicators whose refs are resolved at the end
	refs       []stixRefs               // the refs of pending, by scope in refIndex
	refIndex   map[string]uint32        // refsOf's key → index in refs
	refKey     []byte                   // refsOf's buffer

	versions map[string]stixVersion // indicator id → its latest version read
	others   map[string]stixOther   // id of another object read → its latest version

	// the Tags and Techniques of the indicator before: the next with
	// the same shares them (a feed that labels every indicator alike
	// keeps one slice, and the matcher one copy)
	lastTags, lastTechniques []string
}

// stixVersion is the latest version read of an indicator object: its
// "modified" as Unix seconds and nanoseconds (24 bytes in all, not 40: a
// bundle of a million indicators has a million of them).
type stixVersion struct {
	secs    int64
	nsec    int32
	revoked bool
	pending int // the index in pending of its indicators, or -1
}

func newSTIXVersion(modified time.Time, revoked bool) stixVersion {
	return stixVersion{secs: modified.Unix(), nsec: int32(modified.Nanosecond()), revoked: revoked, pending: -1}
}

// modified returns the version's "modified" instant.
func (v stixVersion) modified() time.Time { return time.Unix(v.secs, int64(v.nsec)) }

// stixOther is the latest version read of an identity, marking, malware,
// threat actor, intrusion set or relationship.
type stixOther struct {
	modified time.Time
	revoked  bool
}

// laterVersion reports whether the version (modified, revoked) of an
// object supersedes the version (m, r) read before: a revoked version
// supersedes any version that is not (revoking is final: STIX 2.1 section
// 3.6.2, no version may follow it), else the later "modified" does; with
// the same "modified" (the same version, by the spec) the one read later
// is kept.
func laterVersion(modified time.Time, revoked bool, m time.Time, r bool) bool {
	if revoked != r {
		return revoked
	}
	return !modified.Before(m)
}

// otherVersion reports whether the object id, of the given version, is
// the latest read of it so far; it records it.
func (s *stixReader) otherVersion(id string, modified time.Time, revoked bool) bool {
	if id == "" {
		return !revoked
	}
	if v, ok := s.others[id]; ok && !laterVersion(modified, revoked, v.modified, v.revoked) {
		return false
	}
	s.others[id] = stixOther{modified, revoked}
	return true
}

// indicatorVersion records the version of the indicator object id and
// reports whether it is the latest read so far. A version superseded,
// whether it comes before or after the one that supersedes it, is counted
// as "stix superseded", and the indicators read from it are dropped.
func (s *stixReader) indicatorVersion(id string, modified time.Time, revoked bool) bool {
	if id == "" {
		return true
	}
	v, ok := s.versions[id]
	if !ok {
		s.versions[id] = newSTIXVersion(modified, revoked)
		return true
	}
	s.c.unsupported("stix superseded")
	if !laterVersion(modified, revoked, v.modified(), v.revoked) {
		return false
	}
	if v.revoked {
		s.uncount("stix revoked") // counted as superseded instead
	}
	if v.pending >= 0 {
		p := &s.pending[v.pending]
		p.dropped = true
		s.c.dropped += p.to - p.from
	}
	s.versions[id] = newSTIXVersion(modified, revoked)
	return true
}

// setPending records that the indicators of the latest version of the
// indicator id are pending[i].
func (s *stixReader) setPending(id string, i int) {
	v := s.versions[id]
	v.pending = i
	s.versions[id] = v
}

// uncount takes back one count of the unsupported reason what.
func (s *stixReader) uncount(what string) {
	u := s.c.res.Unsupported
	if u[what]--; u[what] <= 0 {
		delete(u, what)
	}
}

// compactAt is the number of dropped indicators (and the share of the
// indicators read) past which they are removed as reading goes on, rather
// than at the end: many versions of an indicator do not hold memory.
const compactAt = 1024

// compact removes the indicators of superseded versions from
// c.enc, and their entries from pending.
func (s *stixReader) compact() {
	if s.c.dropped == 0 || len(s.pending) == 0 {
		return
	}
	inds := s.c.enc.items
	w := s.pending[0].from
	end := w
	kept := s.pending[:0]
	for _, p := range s.pending {
		end = p.to
		if p.dropped {
			continue
		}
		n := copy(inds[w:], inds[p.from:p.to])
		p.from, p.to = w, w+n
		w += n
		if p.id != "" {
			s.setPending(p.id, len(kept))
		}
		kept = append(kept, p)
	}
	clear(inds[w:end])
	clear(s.pending[len(kept):])
	s.pending = kept
	s.c.enc.items = inds[:w]
	s.c.dropped = 0
}

type stixNamed struct {
	actor bool // threat actor or intrusion set, else malware
	name  string
}

type stixRel struct{ from, to string }

// stixPending are the held indicators c.enc.items[from:to], read from one
// STIX indicator, and the references to resolve for them.
type stixPending struct {
	from, to int
	id       string
	refs     uint32 // index in stixReader.refs of its created_by_ref and object_marking_refs
	dropped  bool   // a later version of the indicator was read
}

// stixRefs are the references of an indicator object resolved at the
// end: those of a feed's objects repeat, and are kept once.
type stixRefs struct {
	createdBy string
	markings  []string
}

// jsonValueKind names the kind of the JSON value raw.
func jsonValueKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// jsonErrorText is the text of an error of json.Unmarshal, in JSON's terms
// rather than Go's.
func jsonErrorText(err error) string {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	want := "a number"
	switch te.Type.Kind() {
	case reflect.String:
		want = "a string"
	case reflect.Slice, reflect.Array:
		want = "an array"
	case reflect.Struct, reflect.Map:
		want = "an object"
	case reflect.Bool:
		want = "a boolean"
	}
	if te.Field == "" {
		return fmt.Sprintf("a JSON %s, not %s", te.Value, want)
	}
	return fmt.Sprintf("%q is a JSON %s, not %s", te.Field, te.Value, want)
}

// jsonKind names the kind of a JSON scalar token.
func jsonKind(t json.Token) string {
	switch t.(type) {
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprint(t)
}

// array reads the elements of the array just opened as STIX objects, up to
// its end; name formats an element's record name from its index.
func (s *stixReader) array(name string) error {
	for i := 0; s.j.More(); i++ {
		rec := fmt.Sprintf(name, i)
		raw, err := s.j.Raw()
		if err != nil {
			return s.stop(rec, err)
		}
		if err := s.handle(raw, rec); err != nil {
			return err
		}
	}
	if _, err := s.j.Token(); err != nil { // ']'
		return s.stop("", err)
	}
	return nil
}

// object reads the top-level object just opened: a bundle or envelope if
// it has "objects", else a single STIX object.
func (s *stixReader) object() error {
	kept := map[string]json.RawMessage{} // the keys other than "objects", until "objects" is seen
	size := int64(0)
	container := false
	for s.j.More() {
		t, err := s.j.Token()
		if err != nil {
			return s.stop("", err)
		}
		key, _ := t.(string)
		switch {
		case key == "objects":
			container, kept = true, nil
			t, err := s.j.Token()
			if err != nil {
				return s.stop("", err)
			}
			switch t {
			case json.Delim('['):
				if err := s.array("objects[%d]"); err != nil {
					return err
				}
			case json.Delim('{'):
				if err := s.c.problem(0, ReasonMalformed, `"objects" is an object, not an array`); err != nil {
					return err
				}
				if err := s.skipRest(); err != nil {
					return err
				}
			case nil:
			default:
				if err := s.c.problem(0, ReasonMalformed, fmt.Sprintf(`"objects" is a %s, not an array`, jsonKind(t))); err != nil {
					return err
				}
			}
		case container:
			if err := s.j.Skip(); err != nil {
				return s.stop("", err)
			}
		default:
			raw, err := s.j.Raw()
			if err != nil {
				return s.stop("", err)
			}
			size += int64(len(key) + len(raw))
			if max := s.c.opts.maxRecordSize(); size > max {
				return s.stop("", &limitError{ReasonTooLarge, fmt.Sprintf("JSON value larger than %d bytes (at byte %d)", max, s.j.Offset())})
			}
			kept[key] = slices.Clone(raw)
		}
	}
	if _, err := s.j.Token(); err != nil { // '}'
		return s.stop("", err)
	}
	if container {
		return nil
	}
	if string(kept["type"]) == `"bundle"` {
		return nil // a bundle without objects
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return err // cannot happen: the values are valid JSON
	}
	return s.handle(raw, "object")
}

// skipRest reads up to the end of the object just opened.
func (s *stixReader) skipRest() error {
	for s.j.More() {
		if _, err := s.j.Token(); err != nil { // key
			return s.stop("", err)
		}
		if err := s.j.Skip(); err != nil {
			return s.stop("", err)
		}
	}
	if _, err := s.j.Token(); err != nil {
		return s.stop("", err)
	}
	return nil
}

// stixHead is what is read of every object.
type stixHead struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// handle reads one STIX object, raw, named rec when it has no id.
func (s *stixReader) handle(raw json.RawMessage, rec string) error {
	if len(raw) == 0 || raw[0] != '{' {
		return s.c.problemRec(rec, ReasonMalformed, "not a STIX object: a JSON "+jsonValueKind(raw))
	}
	// Most objects are indicators: they are decoded once, with their
	// type. Any other object, or an indicator that does not decode so,
	// is read as before: its type first.
	var o stixObject
	if (o.decodeFast(raw) || json.Unmarshal(raw, &o) == nil) && o.Type == "indicator" {
		if o.ID != "" {
			rec = o.ID
		}
		return s.indicatorObject(&o.stixIndicator, rec)
	}
	var h stixHead
	if err := json.Unmarshal(raw, &h); err != nil {
		return s.c.problemRec(rec, ReasonMalformed, "not a STIX object: "+jsonErrorText(err))
	}
	if h.ID != "" {
		rec = h.ID
	}
	// The other objects' versions: only the latest counts; a bad
	// "modified" is the earliest.
	switch h.Type {
	case "identity", "marking-definition", "malware", "threat-actor", "intrusion-set", "relationship":
		var v struct {
			Modified string `json:"modified"`
			Revoked  bool   `json:"revoked"`
		}
		_ = json.Unmarshal(raw, &v) // valid JSON: a field of another type is as if absent
		modified, _ := stixTime("modified", v.Modified)
		if !s.otherVersion(h.ID, modified, v.Revoked) {
			return nil
		}
		if v.Revoked {
			delete(s.identities, h.ID)
			delete(s.markings, h.ID)
			delete(s.names, h.ID)
			if i, ok := s.relIndex[h.ID]; ok {
				s.rels[i] = stixRel{}
			}
			return nil
		}
	}
	switch h.Type {
	case "":
		return s.c.problemRec(rec, ReasonMalformed, `not a STIX object: no "type"`)
	case "indicator":
		return s.indicator(raw, rec)
	case "identity":
		var o struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(raw, &o) == nil && h.ID != "" {
			if o.Name != "" {
				s.identities[h.ID] = o.Name
			} else {
				delete(s.identities, h.ID)
			}
		}
	case "marking-definition":
		if h.ID != "" {
			if tlp := markingTLP(raw); tlp != indicator.TLPUnknown {
				s.markings[h.ID] = tlp
			} else {
				delete(s.markings, h.ID)
			}
		}
	case "malware", "threat-actor", "intrusion-set":
		var o struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(raw, &o) == nil && h.ID != "" {
			if o.Name != "" {
				s.names[h.ID] = stixNamed{actor: h.Type != "malware", name: o.Name}
			} else {
				delete(s.names, h.ID)
			}
		}
	case "relationship":
		var o struct {
			RelationshipType string `json:"relationship_type"`
			SourceRef        string `json:"source_ref"`
			TargetRef        string `json:"target_ref"`
		}
		var r stixRel
		if json.Unmarshal(raw, &o) == nil && o.RelationshipType == "indicates" &&
			strings.HasPrefix(o.SourceRef, "indicator--") && o.TargetRef != "" {
			r = stixRel{o.SourceRef, o.TargetRef}
		}
		i, ok := s.relIndex[h.ID]
		switch {
		case ok:
			s.rels[i] = r // the earlier version's, replaced
		case r != stixRel{}:
			if h.ID != "" {
				s.relIndex[h.ID] = len(s.rels)
			}
			s.rels = append(s.rels, r)
		}
	case "bundle":
		s.c.unsupported("stix nested bundle")
	}
	return nil
}

// stixIndicator is an indicator object.
type stixIndicator struct {
	ID                string          `json:"id"`
	Name              string          `json:"name"`
	Description       string          `json:"description"`
	Pattern           *string         `json:"pattern"`
	PatternType       string          `json:"pattern_type"`
	ValidFrom         string          `json:"valid_from"`
	ValidUntil        string          `json:"valid_until"`
	Confidence        json.RawMessage `json:"confidence"`
	OpenCTIScore      json.RawMessage `json:"x_opencti_score"` // OpenCTI's score 0-100: the confidence when there is none
	Labels            []string        `json:"labels"`
	IndicatorTypes    []string        `json:"indicator_types"`
	Modified          string          `json:"modified"`
	Revoked           bool            `json:"revoked"`
	CreatedByRef      string          `json:"created_by_ref"`
	ObjectMarkingRefs []string        `json:"object_marking_refs"`
	KillChainPhases   []struct {
		KillChainName string `json:"kill_chain_name"`
		PhaseName     string `json:"phase_name"`
	} `json:"kill_chain_phases"`
	ExternalReferences []struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
		URL        string `json:"url"`
	} `json:"external_references"`
}

// stixObject is an object decoded as an indicator, with its type.
type stixObject struct {
	Type string `json:"type"`
	stixIndicator
}

// stixObjectFields are the JSON names of stixObject's fields.
var stixObjectFields = []string{
	"type", "id", "name", "description", "pattern", "pattern_type", "valid_from", "valid_until",
	"confidence", "x_opencti_score", "labels", "indicator_types", "modified", "revoked",
	"created_by_ref", "object_marking_refs", "kill_chain_phases", "external_references",
}

// decodeFast decodes raw (a JSON object checked by the decoder) into the
// zero o as json.Unmarshal does, without reflection (see eachMember), and
// reports whether it could; false leaves o zero, for json.Unmarshal to
// decode it instead.
func (o *stixObject) decodeFast(raw []byte) bool {
	ok := eachMember(raw, func(k, v []byte) bool {
		switch string(k) {
		case "type":
			return jsonStringInto(&o.Type, v)
		case "id":
			return jsonStringInto(&o.ID, v)
		case "name":
			return jsonStringInto(&o.Name, v)
		case "description":
			return jsonStringInto(&o.Description, v)
		case "pattern":
			if string(v) == "null" {
				o.Pattern = nil
				return true
			}
			var p string
			if len(v) == 0 || v[0] != '"' || !jsonStringInto(&p, v) {
				return false
			}
			o.Pattern = &p
			return true
		case "pattern_type":
			return jsonStringInto(&o.PatternType, v)
		case "valid_from":
			return jsonStringInto(&o.ValidFrom, v)
		case "valid_until":
			return jsonStringInto(&o.ValidUntil, v)
		case "confidence":
			o.Confidence = append(o.Confidence[:0], v...) // as json.RawMessage does, null too
			return true
		case "x_opencti_score":
			o.OpenCTIScore = append(o.OpenCTIScore[:0], v...)
			return true
		case "labels":
			return jsonStringsInto(&o.Labels, v)
		case "indicator_types":
			return jsonStringsInto(&o.IndicatorTypes, v)
		case "modified":
			return jsonStringInto(&o.Modified, v)
		case "revoked":
			return jsonBoolInto(&o.Revoked, v)
		case "created_by_ref":
			return jsonStringInto(&o.CreatedByRef, v)
		case "object_marking_refs":
			return jsonStringsInto(&o.ObjectMarkingRefs, v)
		case "kill_chain_phases": // arrays of objects: decoded by json, as the field would be
			return json.Unmarshal(v, &o.KillChainPhases) == nil
		case "external_references":
			return json.Unmarshal(v, &o.ExternalReferences) == nil
		}
		return plainKey(k) && !foldsTo(k, stixObjectFields) // another member: skipped
	})
	if !ok {
		*o = stixObject{}
	}
	return ok
}

// indicator reads an indicator object.
func (s *stixReader) indicator(raw json.RawMessage, rec string) error {
	var o stixIndicator
	if err := json.Unmarshal(raw, &o); err != nil {
		return s.c.problemRec(rec, ReasonMalformed, "indicator: "+jsonErrorText(err))
	}
	return s.indicatorObject(&o, rec)
}

// indicatorObject reads the indicator object o.
func (s *stixReader) indicatorObject(o *stixIndicator, rec string) error {
	c := s.c
	modified, err := stixTime("modified", o.Modified)
	if err != nil {
		return c.problemRec(rec, ReasonMalformed, err.Error())
	}
	if !s.indicatorVersion(o.ID, modified, o.Revoked) {
		return nil
	}
	if o.Revoked {
		c.unsupported("stix revoked")
		return nil
	}
	if pt := strings.ToLower(o.PatternType); pt != "" && pt != "stix" {
		c.unsupported("stix pattern_type: " + reasonWord(pt))
		return nil
	}
	if o.Pattern == nil || strings.TrimSpace(*o.Pattern) == "" {
		return c.problemRec(rec, ReasonMalformed, "indicator without a pattern")
	}
	meta, err := o.meta()
	if err != nil {
		return c.problemRec(rec, ReasonMalformed, err.Error())
	}
	terms, err := parseSTIXPattern(*o.Pattern)
	if err != nil {
		reason := ReasonMalformed
		var pe *patternError
		if errors.As(err, &pe) && pe.depth {
			reason = ReasonTooDeep
		}
		return c.problemRec(rec, reason, fmt.Sprintf("stix pattern: %v: %s", err, quoteShortN(*o.Pattern, 256)))
	}
	// the indicators of the pattern share the slices (clipped: appending
	// to them copies), so that many terms and many tags cost their sum,
	// not their product
	meta.Tags, meta.Techniques = slices.Clip(meta.Tags), slices.Clip(meta.Techniques)
	meta.Tags, s.lastTags = shareStrings(meta.Tags, s.lastTags)
	meta.Techniques, s.lastTechniques = shareStrings(meta.Techniques, s.lastTechniques)
	scope := stixScope(o.CreatedByRef, o.ObjectMarkingRefs)
	from := len(c.enc.items)
	defer func() {
		if to := len(c.enc.items); to > from {
			if o.ID != "" {
				s.setPending(o.ID, len(s.pending))
			}
			s.pending = append(s.pending, stixPending{from: from, to: to, id: o.ID, refs: s.refsOf(o.CreatedByRef, o.ObjectMarkingRefs)})
		}
		// Identical records are merged within one object only: another
		// object of the same id is another version of it, which supersedes
		// this one or is superseded by it, never a duplicate (and compact
		// moves the indicators that the held index points at).
		c.heldIdx = nil
		if s.c.dropped >= compactAt && len(s.pending) > 0 && 2*s.c.dropped > len(c.enc.items)-s.pending[0].from {
			s.compact()
		}
	}()
	for _, t := range terms {
		if t.Unsupported != "" {
			c.unsupported(t.Unsupported)
			continue
		}
		var ind indicator.Indicator
		var err error
		if t.Host {
			ind, err = indicator.New(indicator.IPv4, t.Value)
			if err != nil {
				ind, err = indicator.New(indicator.Domain, t.Value)
			}
		} else {
			ind, err = indicator.New(t.Type, t.Value)
		}
		if err != nil {
			if err := c.problemRec(rec, ReasonInvalidValue, err.Error()); err != nil {
				return err
			}
			continue
		}
		ind.Meta = meta
		if err := c.addHeld(ind, scope); err != nil {
			return err
		}
	}
	return nil
}

// refsOf returns the index in s.refs of these references, adding them
// when they are new; they are keyed by their length-prefixed bytes, so
// that no two lists of references share a key.
func (s *stixReader) refsOf(createdBy string, markings []string) uint32 {
	s.refKey = appendKey(appendKey(s.refKey[:0], createdBy), markings...)
	return internKey(s.refIndex, &s.refs, s.refKey, func() stixRefs { return stixRefs{createdBy, markings} })
}

// stixScope is the scope of the indicators of a STIX indicator object for
// collector.addHeld: the references resolved at the end (s.finish) that
// are not in its metadata already (the id is, as Meta.ID).
func stixScope(createdBy string, markings []string) string {
	if len(markings) == 0 {
		return createdBy
	}
	return createdBy + "\x00" + strings.Join(markings, "\x00")
}

// reasonWord returns s for an unsupported reason if it is a short word,
// else "other", so that hostile input cannot make long reasons.
func reasonWord(s string) string {
	if len(s) > 32 {
		return "other"
	}
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i]) && s[i] != '.' {
			return "other"
		}
	}
	return s
}

// quoteShortN quotes s, cut to n bytes.
func quoteShortN(s string, n int) string {
	if len(s) > n {
		return fmt.Sprintf("%q…", s[:n])
	}
	return fmt.Sprintf("%q", s)
}

// meta returns the metadata of the indicator, but for those resolved at
// the end (Source, TLP from marking definitions in the input, malware and
// threat actor).
func (o *stixIndicator) meta() (indicator.Meta, error) {
	m := indicator.Meta{ID: o.ID, Description: o.Description}
	if m.Description == "" {
		m.Description = o.Name
	}
	var err error
	if m.ValidFrom, err = stixTime("valid_from", o.ValidFrom); err != nil {
		return m, err
	}
	if m.ValidUntil, err = stixTime("valid_until", o.ValidUntil); err != nil {
		return m, err
	}
	for _, c := range []struct {
		field string
		raw   json.RawMessage
	}{{"confidence", o.Confidence}, {"x_opencti_score", o.OpenCTIScore}} {
		if len(c.raw) == 0 || string(c.raw) == "null" {
			continue
		}
		v, err := strconv.Atoi(string(c.raw))
		if err == nil {
			m.Confidence, err = indicator.NewConfidence(v)
		}
		if err != nil {
			return m, fmt.Errorf("%s %s: not an integer in 0-100", c.field, quoteShortN(string(c.raw), 64))
		}
		break // the first given
	}
	seen := map[string]bool{}
	tag := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			m.Tags = append(m.Tags, t)
		}
	}
	for _, t := range o.Labels {
		tag(t)
	}
	for _, t := range o.IndicatorTypes {
		tag(t)
	}
	for _, k := range o.KillChainPhases {
		if k.KillChainName != "" && k.PhaseName != "" {
			tag(k.KillChainName + ":" + k.PhaseName)
		}
	}
	clear(seen)
	attackURL := ""
	for _, r := range o.ExternalReferences {
		attack := isATTACKSource(r.SourceName)
		if attack && isTechniqueID(r.ExternalID) && !seen[r.ExternalID] {
			seen[r.ExternalID] = true
			m.Techniques = append(m.Techniques, r.ExternalID)
		}
		switch {
		case r.URL == "":
		case !attack && m.Reference == "":
			m.Reference = r.URL
		case attack && attackURL == "":
			attackURL = r.URL
		}
	}
	if m.Reference == "" {
		m.Reference = attackURL
	}
	for _, ref := range o.ObjectMarkingRefs {
		m.TLP = stricterTLP(m.TLP, standardTLP[ref])
	}
	return m, nil
}

// stixTime parses a STIX timestamp (RFC 3339; without a time zone, UTC).
func stixTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %s: not an RFC 3339 timestamp", field, quoteShortN(s, 64))
	}
	return t.UTC(), nil
}

func isATTACKSource(s string) bool {
	switch strings.ToLower(s) {
	case "mitre-attack", "mitre-mobile-attack", "mitre-ics-attack":
		return true
	}
	return false
}

// isTechniqueID reports whether s is an ATT&CK technique id: T and four
// digits, optionally followed by a dot and three digits.
func isTechniqueID(s string) bool {
	if len(s) != 5 && len(s) != 9 || s[0] != 'T' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if i == 5 {
			if s[i] != '.' {
				return false
			}
			continue
		}
		if !canon.IsDigit(s[i]) {
			return false
		}
	}
	return true
}

// standardTLP are the TLP marking definitions of STIX 2.1 (section
// 7.2.1.4, TLP 1.0) and of the OASIS TLP 2.0 extension
// (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d).
var standardTLP = map[string]indicator.TLP{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": indicator.TLPClear, // TLP:WHITE
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": indicator.TLPGreen,
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": indicator.TLPAmber,
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": indicator.TLPRed,

	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": indicator.TLPClear,
	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": indicator.TLPGreen,
	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": indicator.TLPAmber,
	"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": indicator.TLPAmberStrict,
	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": indicator.TLPRed,
}

var tlpRank = map[indicator.TLP]int{
	indicator.TLPClear: 1, indicator.TLPGreen: 2, indicator.TLPAmber: 3, indicator.TLPAmberStrict: 4, indicator.TLPRed: 5,
}

// stricterTLP returns the more restrictive of a and b; unknown is the
// least.
func stricterTLP(a, b indicator.TLP) indicator.TLP {
	if tlpRank[b] > tlpRank[a] {
		return b
	}
	return a
}

// markingTLP returns the TLP a marking-definition object defines, or
// unknown.
func markingTLP(raw json.RawMessage) indicator.TLP {
	var o struct {
		Name           string `json:"name"`
		DefinitionType string `json:"definition_type"`
		Definition     struct {
			TLP string `json:"tlp"`
		} `json:"definition"`
		Extensions map[string]struct {
			TLP string `json:"tlp_2_0"`
		} `json:"extensions"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return indicator.TLPUnknown
	}
	if strings.EqualFold(o.DefinitionType, "tlp") && o.Definition.TLP != "" {
		if t, err := indicator.ParseTLP(o.Definition.TLP); err == nil {
			return t
		}
	}
	for _, e := range o.Extensions {
		if t, err := indicator.ParseTLP(e.TLP); err == nil && t != indicator.TLPUnknown {
			return t
		}
	}
	if len(o.Name) > 4 && strings.EqualFold(o.Name[:4], "tlp:") {
		if t, err := indicator.ParseTLP(o.Name); err == nil {
			return t
		}
	}
	return indicator.TLPUnknown
}

// finish resolves the references of the indicators read: source
// identities, marking definitions, and the malware and threat actors of
// "indicates" relationships.
func (s *stixReader) finish() {
	s.compact()
	h := s.c.enc
	byID := map[string][]int{} // indicator id → indexes in s.pending
	if len(s.rels) > 0 {
		for i, p := range s.pending {
			if p.id != "" {
				byID[p.id] = append(byID[p.id], i)
			}
		}
	}
	for _, p := range s.pending {
		refs := &s.refs[p.refs]
		name := s.identities[refs.createdBy]
		tlp := indicator.TLPUnknown
		for _, ref := range refs.markings {
			tlp = stricterTLP(tlp, s.markings[ref])
		}
		src := s.c.sourceFor(name)
		for i := p.from; i < p.to; i++ {
			if name != "" {
				h.editRest(i, func(r *heldRest) { r.source = src })
			}
			h.items[i].tlp = stricterTLP(h.items[i].tlp, tlp)
		}
	}
	for _, r := range s.rels {
		n, ok := s.names[r.to]
		if !ok {
			continue
		}
		for _, pi := range byID[r.from] {
			p := s.pending[pi]
			for i := p.from; i < p.to; i++ {
				h.editRest(i, func(r *heldRest) {
					switch {
					case n.actor && r.actor == "":
						r.actor = n.name
					case !n.actor && r.family == "":
						r.family = n.name
					}
				})
			}
		}
	}
}

// shareStrings returns last when it holds the elements of a, else a;
// and what to remember as last.
func shareStrings(a, last []string) (use, keep []string) {
	if len(a) == 0 {
		return a, last
	}
	if slices.Equal(a, last) {
		return last, last
	}
	return a, a
}
