package loader

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// The readers of the commercial platforms' indicator exports that have no
// format of their own elsewhere: Anomali ThreatStream, Mandiant Threat
// Intelligence and CrowdStrike Falcon Intel. They share one streaming
// walker (vendorReader): a document is a record, an array of records, or
// an envelope whose list key ("objects", "indicators", "resources") holds
// them, or the elastic pipeline-test wrapper {"events": […]}; several
// documents may follow each other (JSON lines).

// ReadThreatStream reads Anomali ThreatStream intelligence (the objects of
// the /api/v2/intelligence API) from r. path names the input in problems
// and errors, and gives the default source name (SourceName); it is not
// opened. Result.Files is 1.
//
// The input is a page of the API, {"meta": {…}, "objects": [{…}, …]}, a
// JSON array of objects, a single object, several of these one after the
// other (JSON lines), or the elastic pipeline-test wrapper {"events":
// [{"json": {…}}, …]} or {"events": [{"message": "<JSON text>"}, …]},
// whose records are read by their own kind (a ThreatStream, Mandiant or
// CrowdStrike record; any other is counted as unsupported "elastic event
// of unknown kind"). The list is streamed: one object at a time is held,
// at most Options.MaxRecordSize bytes; a single top-level object is held
// whole within the same limit.
//
// Each object gives one indicator. Its type comes from "itype" (Anomali's
// indicator types: mal_ip, c2_domain, phish_url, apt_email, mal_md5,
// mal_mutex, apt_registry_key, mal_file_name, mal_ua, phish_email_subject
// …, read by their ending: _ip and _ipv6 an address, _domain a domain,
// _url a URL, _email an email, _md5 and _hash a hash of any length, _mutex,
// _registry_key, _file_name, _ua, _subject the string kinds; _sslcert_sha1
// a sha1), else from "type" (ip, ipv6, domain, url, email, md5 — Anomali's
// name for every hash, its kind told by the length); an itype of no
// indicator kind (apt_file_path, mal_ssdeep, spam_mta, the service and
// account kinds …) is counted as unsupported "threatstream itype: NAME",
// an unknown type as "threatstream type: NAME". Only objects of "status"
// "active" (or none) are read: the others (inactive, falsepos …) are
// counted as "threatstream status: NAME". Values are refanged and
// canonicalised (indicator.ParseAs); an invalid one is a problem
// (ReasonInvalidValue).
//
// The metadata: ID the "id" (else "uuid"); Source the "source" (a feed or
// "Analyst"), unless Options.Source is set; Description the
// "description"; Confidence the "confidence" (0-100; -1, ThreatStream's
// "none", is unknown); Severity "meta.severity" or "severity" (low,
// medium, high, very-high: critical); TLP the "tlp"; Tags the "tags"
// (strings, or objects with a "name"), then "threat_type" and "itype";
// ValidUntil the "expiration_ts" (a year 9999 is ThreatStream's "never");
// FirstSeen "date_first", else "created_ts"; LastSeen "date_last", else
// "modified_ts".
//
// Problems (the record named by its place, "objects[3]", and its id in
// the message): a record that is not a JSON object or does not fit the
// shape (a string for "tags" objects, an object for "value" …), without a
// value, with a bad time (RFC 3339, with or without a zone or its colon)
// or a confidence outside 0-100, all ReasonMalformed. Malformed JSON or a
// passed limit ends the file, what was read before it kept; nesting too
// deep ends only its JSON document.
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadThreatStream(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatThreatStream, r, path, opts)
}

// ReadMandiant reads Mandiant Threat Intelligence indicators (the objects
// of the /v4/indicator API) from r. path, the error and the shapes of the
// input are as for ReadThreatStream, with "indicators" for the list of an
// API page: {"indicators": [{…}, …], "next": …}; the elastic wrapper
// {"events": [{"message": "<JSON-encoded indicator>"}]} is read too.
//
// Types: ipv4, ipv6, fqdn (domain), url, email, md5, sha1, sha256; any
// other is counted as unsupported "mandiant type: NAME". A hash indicator
// gives one indicator per hash of its "associated_hashes" (md5, sha1,
// sha256 of the same file), its own value included, each once.
//
// The metadata: Source is Options.Source or the file's name (the sources
// a record lists are the feeds Mandiant saw it in); ID the "id";
// Confidence the "mscore" (0-100), else
// "threat_rating.confidence_score"; Severity "threat_rating.severity_level";
// ThreatActor and MalwareFamily the "name" of the first
// "attributed_associations" of type threat-actor and malware; Tags the
// "category" values of the "sources", the names of the "campaigns", and
// one tag "misp-warninglist:KEY" (MandiantWarninglistTag) for each key of
// the "misp" object that is true: Mandiant's own check of the value
// against MISP's warninglists (vpn-ipv4, alexa, rfc1918 …) when it
// published it. It is not indicator.WarninglistTag, which only the
// warninglists iocmatch applies give (package allow), checked against the
// lists themselves; Description the
// title of the first "reports" entry, else of the first campaign, else
// "sources: NAME, …" (the feeds that reported it); FirstSeen and LastSeen
// the "first_seen" and "last_seen", else the earliest and latest of the
// sources' (timestamps with "+0000" offsets are read). Problems are as
// for ReadThreatStream.
func ReadMandiant(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatMandiant, r, path, opts)
}

// ReadCrowdStrike reads CrowdStrike Falcon Intel indicators (the resources
// of /intel/combined/indicators/v1) from r. path, the error and the shapes
// of the input are as for ReadThreatStream, with "resources" for the list
// of the API's envelope {"meta": {…}, "resources": […], "errors": […]}
// (each element of a non-empty "errors" is a problem, ReasonMalformed:
// the page is incomplete).
//
// Types: hash_md5, hash_sha1, hash_sha256, domain, ip_address,
// ip_address_block (cidr), url, email_address, email_subject, mutex_name,
// file_name, registry, user_agent; any other (file_path, username,
// x509_serial, bitcoin_address …) is counted as unsupported "crowdstrike
// type: NAME". An indicator with "deleted": true is counted as unsupported
// "crowdstrike deleted", not read.
//
// The metadata: Source is Options.Source or the file's name; ID the "id";
// Confidence from "malicious_confidence": high
// 85, medium 60, low 30, unverified 10 (CrowdStrike gives words; these
// keep high and medium above a threshold of 50, and low and unverified
// below it); FirstSeen "published_date" and LastSeen "last_updated"
// (Unix seconds); ThreatActor the first of "actors"; MalwareFamily the
// first of "malware_families"; Tags the "name" of each of "labels"
// (MaliciousConfidence/High, KillChain/Installation, ThreatType/Criminal
// …), then "KillChain/X" for each of "kill_chains", "ThreatType/X" for
// each of "threat_types" and the "domain_types", "ip_address_types" and
// "vulnerabilities", each once; Description the "reports", joined by ", ".
// Problems are as for ReadThreatStream.
func ReadCrowdStrike(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatCrowdStrike, r, path, opts)
}

// readThreatStream reads Anomali ThreatStream intelligence into c.
func readThreatStream(c *collector, r io.Reader) error {
	return readVendor(c, r, FormatThreatStream)
}

// readMandiant reads Mandiant indicators into c.
func readMandiant(c *collector, r io.Reader) error { return readVendor(c, r, FormatMandiant) }

// readCrowdStrike reads CrowdStrike Falcon Intel indicators into c.
func readCrowdStrike(c *collector, r io.Reader) error { return readVendor(c, r, FormatCrowdStrike) }

// vendorListKey is the key of an API page's list of records.
func vendorListKey(f Format) string {
	switch f {
	case FormatMandiant:
		return "indicators"
	case FormatCrowdStrike:
		return "resources"
	}
	return "objects"
}

// vendorName is the format's name in problems and unsupported kinds.
func vendorName(f Format) string { return string(f) }

type vendorReader struct {
	c *collector
	j *jsonStream
	f Format
}

func readVendor(c *collector, r io.Reader, f Format) error {
	v := &vendorReader{c: c, j: newJSONStream(c, r), f: f}
	for n := 0; ; n++ {
		t, err := v.j.Token()
		if err == io.EOF {
			if n == 0 {
				return c.problem(0, ReasonMalformed, "no JSON value: not a "+vendorName(f)+" document")
			}
			return nil
		}
		if err != nil {
			err = v.stop("", err)
		} else {
			switch t {
			case json.Delim('['):
				err = v.list("", f)
			case json.Delim('{'):
				err = v.object()
			default:
				return c.problem(0, ReasonMalformed, fmt.Sprintf("not a %s document: a JSON %s at top level", vendorName(f), jsonKind(t)))
			}
		}
		if err == errStop {
			if v.j.resume() {
				continue // nested too deep: the next document (JSON lines)
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// stop reports the stream error err, which ends the file, as a problem
// about record, and returns the error that stops reading.
func (v *vendorReader) stop(record string, err error) error {
	if err := v.j.fail(record, err); err != nil {
		return err
	}
	return errStop
}

// vendorEvents is the format of the elements of an elastic wrapper's
// "events": each read by its own kind.
const vendorEvents Format = "elastic-events"

// list reads the elements of the array just opened, up to its end, as
// records of format f (or elastic events); key names them ("objects" →
// "objects[3]").
func (v *vendorReader) list(key string, f Format) error {
	for i := 0; v.j.More(); i++ {
		rec := fmt.Sprintf("%s[%d]", key, i)
		raw, err := v.j.Raw()
		if err != nil {
			return v.stop(rec, err)
		}
		if f == vendorEvents {
			err = v.event(raw, rec)
		} else {
			err = v.record(f, raw, rec)
		}
		if err != nil {
			return err
		}
	}
	if _, err := v.j.Token(); err != nil { // ']'
		return v.stop(key, err)
	}
	return nil
}

// object reads the top-level object just opened: an envelope if it has
// the format's list key or "events" holding an array, else a single
// record, held whole (within Options.MaxRecordSize).
func (v *vendorReader) object() error {
	listKey := vendorListKey(v.f)
	kept := map[string]json.RawMessage{}
	size := int64(0)
	container := false
	for v.j.More() {
		t, err := v.j.Token()
		if err != nil {
			return v.stop("", err)
		}
		key, _ := t.(string)
		if key == listKey || key == "events" {
			t, err := v.j.Token()
			if err != nil {
				return v.stop(key, err)
			}
			switch t {
			case json.Delim('['):
				container = true
				f := v.f
				if key == "events" {
					f = vendorEvents
				}
				if err := v.list(key, f); err != nil {
					return err
				}
				continue
			case nil:
				container = true // an empty page
				continue
			}
			// not an array: the value of a record's field
			if d, ok := t.(json.Delim); ok && d == '{' {
				return v.skipObject(key) // a record's object field of that name: not a shape read
			}
			b, _ := json.Marshal(t)
			kept[key] = b
			continue
		}
		raw, err := v.j.Raw()
		if err != nil {
			return v.stop("", err)
		}
		if key == "errors" && v.f == FormatCrowdStrike {
			if err := v.apiErrors(raw); err != nil {
				return err
			}
		}
		size += int64(len(key) + len(raw))
		if max := v.c.opts.maxRecordSize(); size > max {
			return v.stop("", &limitError{ReasonTooLarge, fmt.Sprintf("JSON value larger than %d bytes (at byte %d)", max, v.j.Offset())})
		}
		kept[key] = bytes.Clone(raw)
	}
	if _, err := v.j.Token(); err != nil { // '}'
		return v.stop("", err)
	}
	if container {
		return nil
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return err // cannot happen: the values are valid JSON
	}
	return v.record(v.f, raw, "(document)")
}

// skipObject skips the rest of the object opened as the value of key, and
// of the top-level object around it, reporting the document as not of the
// format's shape.
func (v *vendorReader) skipObject(key string) error {
	for v.j.depth > 0 {
		if _, err := v.j.Token(); err != nil {
			return v.stop("", err)
		}
	}
	return v.c.problemRec("(document)", ReasonMalformed, fmt.Sprintf("%s: %q is an object, not a list of records", vendorName(v.f), key))
}

// apiErrors reports the errors of a CrowdStrike API envelope.
func (v *vendorReader) apiErrors(raw json.RawMessage) error {
	var errs []json.RawMessage
	if json.Unmarshal(raw, &errs) != nil {
		return nil // null, or not a list: nothing to report
	}
	for i, e := range errs {
		var o struct {
			Code    flexString `json:"code"`
			Message flexString `json:"message"`
		}
		msg := quoteShortN(string(e), 200)
		if json.Unmarshal(e, &o) == nil && (o.Code != "" || o.Message != "") {
			msg = fmt.Sprintf("code %s: %s", o.Code, quoteShortN(string(o.Message), 200))
		}
		if err := v.c.problemRec(fmt.Sprintf("errors[%d]", i), ReasonMalformed, "CrowdStrike API error (the page is incomplete): "+msg); err != nil {
			return err
		}
	}
	return nil
}

// elasticEvent is an element of an elastic pipeline test's "events".
type elasticEvent struct {
	JSON    json.RawMessage `json:"json"`
	Message *string         `json:"message"`
}

// event reads an elastic event: its "json" object, or the JSON text of
// its "message", read by its kind.
func (v *vendorReader) event(raw json.RawMessage, rec string) error {
	var e elasticEvent
	if len(raw) == 0 || raw[0] != '{' {
		return v.c.problemRec(rec, ReasonMalformed, "elastic event: a JSON "+jsonValueKind(raw)+", not an object")
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return v.c.problemRec(rec, ReasonMalformed, "elastic event: "+jsonErrorText(err))
	}
	inner := e.JSON
	switch {
	case len(inner) > 0 && string(inner) != "null":
		rec += ".json"
	case e.Message != nil:
		rec += ".message"
		inner = json.RawMessage(*e.Message)
		if !json.Valid(inner) {
			return v.c.problemRec(rec, ReasonMalformed, "elastic event: the message is not JSON: "+quoteShortN(*e.Message, 120))
		}
	default:
		v.c.unsupported("elastic event of unknown kind")
		return nil
	}
	inner = bytes.TrimSpace(inner)
	if len(inner) == 0 || inner[0] != '{' {
		return v.c.problemRec(rec, ReasonMalformed, "elastic event: a JSON "+jsonValueKind(inner)+", not a record")
	}
	f := vendorKind(inner)
	if f == FormatUnknown {
		v.c.unsupported("elastic event of unknown kind")
		return nil
	}
	return v.record(f, inner, rec)
}

// vendorKind returns the format of the record raw by its keys, or
// FormatUnknown.
func vendorKind(raw json.RawMessage) Format {
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) != nil {
		return FormatUnknown
	}
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch {
	case has("itype") || has("threatscore"):
		return FormatThreatStream
	case has("mscore") || has("sources") && has("misp"):
		return FormatMandiant
	case has("malicious_confidence") || has("indicator") && has("_marker"):
		return FormatCrowdStrike
	}
	return FormatUnknown
}

// record reads one record of format f.
func (v *vendorReader) record(f Format, raw json.RawMessage, rec string) error {
	if len(raw) == 0 || raw[0] != '{' {
		return v.c.problemRec(rec, ReasonMalformed, fmt.Sprintf("%s: a JSON %s, not a record (an object)", vendorName(f), jsonValueKind(raw)))
	}
	switch f {
	case FormatMandiant:
		return v.mandiant(raw, rec)
	case FormatCrowdStrike:
		return v.crowdStrike(raw, rec)
	}
	return v.threatStream(raw, rec)
}

// bad reports a malformed record of format f, id naming it in the
// message.
func (v *vendorReader) bad(f Format, rec, id, msg string) error {
	if id != "" {
		msg = quoteShortN(id, 80) + ": " + msg
	}
	return v.c.problemRec(rec, ReasonMalformed, vendorName(f)+" "+msg)
}

// add reads value as type t with meta; an invalid value is a problem.
func (v *vendorReader) add(f Format, rec, id string, t indicator.Type, value string, meta indicator.Meta) error {
	ind, err := indicator.ParseAs(t, value)
	if err != nil {
		msg := err.Error()
		if id != "" {
			msg = quoteShortN(id, 80) + ": " + msg
		}
		return v.c.problemRec(rec, ReasonInvalidValue, vendorName(f)+" "+msg)
	}
	ind.Meta = meta
	return v.c.add(ind)
}

// vendorTime parses the times of the vendors' records: RFC 3339, with an
// offset without its colon ("+0000") or no zone (UTC), "2006-01-02
// 15:04:05", a date, or Unix seconds. "" and null are the zero time.
func vendorTime(field string, s flexString) (time.Time, error) {
	v := strings.TrimSpace(string(s))
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := parseMISPTime(v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999-0700", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999-0700", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %s: not a time (RFC 3339 or Unix seconds)", field, quoteShortN(v, 64))
}

// vendorConfidence parses a confidence 0-100 (a number or a string of
// one; a fraction is cut); none is unknown, and so is each of unknown.
func vendorConfidence(field string, s flexString, unknown ...string) (indicator.Confidence, error) {
	v := strings.TrimSpace(string(s))
	if v == "" {
		return indicator.ConfidenceUnknown, nil
	}
	for _, u := range unknown {
		if v == u {
			return indicator.ConfidenceUnknown, nil
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 100 {
		return indicator.ConfidenceUnknown, fmt.Errorf("%s %s: not a number in 0-100", field, quoteShortN(v, 64))
	}
	return indicator.NewConfidence(int(f))
}

// tagSet appends tags without duplicates.
type tagSet struct {
	tags []string
	seen map[string]bool
}

func (t *tagSet) add(s string) {
	s = strings.TrimSpace(s)
	if s == "" || t.seen[s] {
		return
	}
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	t.seen[s] = true
	t.tags = append(t.tags, s)
}

// ---- Anomali ThreatStream

// tsTags are ThreatStream's tags: null, a list of strings or of objects
// with a "name", or a comma-separated string.
type tsTags []string

func (t *tsTags) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = strings.Split(s, ",")
		return nil
	}
	out, err := namesList(b, "tags")
	*t = out
	return err
}

// namesList decodes b, a JSON list of strings or of objects with a
// "name" (tags, labels), into the strings and names; what names the list
// in errors.
func namesList(b []byte, what string) ([]string, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("%s: not a list", what)
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		var s string
		if json.Unmarshal(e, &s) == nil {
			out = append(out, s)
			continue
		}
		var o struct {
			Name flexString `json:"name"`
		}
		if err := json.Unmarshal(e, &o); err != nil {
			return nil, fmt.Errorf("%s: %.40s: not a string or an object with a name", what, e)
		}
		out = append(out, string(o.Name))
	}
	return out, nil
}

type tsRecord struct {
	ID         flexString `json:"id"`
	UUID       flexString `json:"uuid"`
	Type       flexString `json:"type"`
	IType      flexString `json:"itype"`
	Value      flexString `json:"value"`
	Status     flexString `json:"status"`
	Confidence flexString `json:"confidence"`
	Severity   flexString `json:"severity"`
	Meta       *struct {
		Severity flexString `json:"severity"`
	} `json:"meta"`
	TLP         flexString `json:"tlp"`
	Source      flexString `json:"source"`
	Description flexString `json:"description"`
	ThreatType  flexString `json:"threat_type"`
	Tags        tsTags     `json:"tags"`
	Expiration  flexString `json:"expiration_ts"`
	DateFirst   flexString `json:"date_first"`
	DateLast    flexString `json:"date_last"`
	Created     flexString `json:"created_ts"`
	Modified    flexString `json:"modified_ts"`
}

// tsIType returns the indicator type of a ThreatStream itype, and whether
// it has one.
func tsIType(it string) (indicator.Type, bool) {
	switch it {
	case "anon_proxy", "anon_vpn", "p2pcnc":
		return indicator.IPv4, true
	case "dyn_dns", "crypto_pool":
		return indicator.Domain, true
	case "hack_tool":
		return indicator.MD5, true
	case "mal_sslcert_sha1", "mal_sslcert_sh1":
		return indicator.SHA1, true
	case "apt_subject", "actor_subject":
		return indicator.EmailSubject, true
	}
	for _, s := range []struct {
		suffix string
		t      indicator.Type
	}{
		{"_ipv6", indicator.IPv6}, {"_ip", indicator.IPv4},
		{"_domain", indicator.Domain}, {"_url", indicator.URL}, {"_email", indicator.Email},
		{"_md5", indicator.MD5}, {"_hash", indicator.MD5},
		{"_mutex", indicator.Mutex}, {"_registry_key", indicator.RegKey},
		{"_file_name", indicator.Filename}, {"_ua", indicator.UserAgent},
		{"_email_subject", indicator.EmailSubject}, {"_subject_line", indicator.EmailSubject},
	} {
		if strings.HasSuffix(it, s.suffix) && len(it) > len(s.suffix) {
			return s.t, true
		}
	}
	return indicator.Invalid, false
}

// tsType returns the indicator type of a ThreatStream type.
func tsType(t string) (indicator.Type, bool) {
	switch t {
	case "ip", "ipv4":
		return indicator.IPv4, true
	case "ipv6":
		return indicator.IPv6, true
	case "domain":
		return indicator.Domain, true
	case "url":
		return indicator.URL, true
	case "email":
		return indicator.Email, true
	case "md5", "hash", "sha1", "sha256", "sha512":
		return indicator.MD5, true // the kind by the length
	}
	return indicator.Invalid, false
}

// tsSeverity maps ThreatStream's severities.
func tsSeverity(s string) indicator.Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "low":
		return indicator.SeverityLow
	case "medium":
		return indicator.SeverityMedium
	case "high":
		return indicator.SeverityHigh
	case "very-high", "very_high", "veryhigh", "critical":
		return indicator.SeverityCritical
	}
	return indicator.SeverityUnknown
}

func (v *vendorReader) threatStream(raw json.RawMessage, rec string) error {
	const f = FormatThreatStream
	var o tsRecord
	if err := json.Unmarshal(raw, &o); err != nil {
		return v.bad(f, rec, "", "record: "+jsonErrorText(err))
	}
	id := string(o.ID)
	if id == "" {
		id = string(o.UUID)
	}
	if st := strings.ToLower(strings.TrimSpace(string(o.Status))); st != "" && st != "active" {
		v.c.unsupported("threatstream status: " + reasonWord(st))
		return nil
	}
	itype := strings.ToLower(strings.TrimSpace(string(o.IType)))
	typ := strings.ToLower(strings.TrimSpace(string(o.Type)))
	t, ok := tsIType(itype)
	if !ok {
		t, ok = tsType(typ)
	}
	if !ok {
		if itype != "" {
			v.c.unsupported("threatstream itype: " + reasonWord(itype))
		} else {
			v.c.unsupported("threatstream type: " + reasonWord(typ))
		}
		return nil
	}
	if strings.TrimSpace(string(o.Value)) == "" {
		return v.bad(f, rec, id, `record without a "value"`)
	}
	m := indicator.Meta{ID: id, Source: strings.TrimSpace(string(o.Source)), Description: strings.TrimSpace(string(o.Description))}
	var err error
	if m.Confidence, err = vendorConfidence("confidence", o.Confidence, "-1"); err != nil {
		return v.bad(f, rec, id, err.Error())
	}
	m.Severity = tsSeverity(string(o.Severity))
	if o.Meta != nil && o.Meta.Severity != "" {
		m.Severity = tsSeverity(string(o.Meta.Severity))
	}
	if tlp, err := indicator.ParseTLP(string(o.TLP)); err == nil {
		m.TLP = tlp
	}
	var tags tagSet
	for _, tg := range o.Tags {
		tags.add(tg)
	}
	tags.add(string(o.ThreatType))
	tags.add(itype)
	m.Tags = tags.tags
	for _, d := range []struct {
		dst   *time.Time
		field string
		s     flexString
	}{
		{&m.ValidUntil, "expiration_ts", o.Expiration},
		{&m.FirstSeen, "date_first", o.DateFirst}, {&m.LastSeen, "date_last", o.DateLast},
	} {
		if *d.dst, err = vendorTime(d.field, d.s); err != nil {
			return v.bad(f, rec, id, err.Error())
		}
	}
	if m.ValidUntil.Year() >= 9999 {
		m.ValidUntil = time.Time{} // never expires
	}
	if m.FirstSeen.IsZero() {
		if m.FirstSeen, err = vendorTime("created_ts", o.Created); err != nil {
			return v.bad(f, rec, id, err.Error())
		}
	}
	if m.LastSeen.IsZero() {
		if m.LastSeen, err = vendorTime("modified_ts", o.Modified); err != nil {
			return v.bad(f, rec, id, err.Error())
		}
	}
	if t.IsHash() { // "md5" is ThreatStream's type of every hash
		if ht, ok := indicator.HashType(len(strings.TrimSpace(string(o.Value)))); ok {
			t = ht
		}
	}
	return v.add(f, rec, id, t, string(o.Value), m)
}

// ---- Mandiant

// MandiantWarninglistTag starts the tags of a Mandiant indicator for the
// MISP warninglists that Mandiant found its value on (its "misp" object's
// true keys): "misp-warninglist:vpn-ipv4".
const MandiantWarninglistTag = "misp-warninglist:"

type mandiantRecord struct {
	ID      flexString `json:"id"`
	Type    flexString `json:"type"`
	Value   flexString `json:"value"`
	MScore  flexString `json:"mscore"`
	Sources []struct {
		FirstSeen  flexString  `json:"first_seen"`
		LastSeen   flexString  `json:"last_seen"`
		SourceName flexString  `json:"source_name"`
		Category   flexStrings `json:"category"`
	} `json:"sources"`
	Misp             map[string]json.RawMessage `json:"misp"`
	AssociatedHashes []struct {
		Type  flexString `json:"type"`
		Value flexString `json:"value"`
	} `json:"associated_hashes"`
	AttributedAssociations []struct {
		Name flexString `json:"name"`
		Type flexString `json:"type"`
	} `json:"attributed_associations"`
	Campaigns []struct {
		Name  flexString `json:"name"`
		Title flexString `json:"title"`
	} `json:"campaigns"`
	Reports []struct {
		Title flexString `json:"title"`
	} `json:"reports"`
	ThreatRating *struct {
		SeverityLevel   flexString `json:"severity_level"`
		ConfidenceScore flexString `json:"confidence_score"`
	} `json:"threat_rating"`
	FirstSeen flexString `json:"first_seen"`
	LastSeen  flexString `json:"last_seen"`
}

// mandiantType returns the indicator type of a Mandiant indicator type.
func mandiantType(t string) (indicator.Type, bool) {
	switch t {
	case "ipv4", "ip":
		return indicator.IPv4, true
	case "ipv6":
		return indicator.IPv6, true
	case "fqdn", "domain":
		return indicator.Domain, true
	case "url":
		return indicator.URL, true
	case "email":
		return indicator.Email, true
	case "md5":
		return indicator.MD5, true
	case "sha1":
		return indicator.SHA1, true
	case "sha256":
		return indicator.SHA256, true
	}
	return indicator.Invalid, false
}

func (v *vendorReader) mandiant(raw json.RawMessage, rec string) error {
	const f = FormatMandiant
	var o mandiantRecord
	if err := json.Unmarshal(raw, &o); err != nil {
		return v.bad(f, rec, "", "record: "+jsonErrorText(err))
	}
	id := string(o.ID)
	typ := strings.ToLower(strings.TrimSpace(string(o.Type)))
	t, ok := mandiantType(typ)
	if !ok {
		v.c.unsupported("mandiant type: " + reasonWord(typ))
		return nil
	}
	if strings.TrimSpace(string(o.Value)) == "" {
		return v.bad(f, rec, id, `record without a "value"`)
	}
	m := indicator.Meta{ID: id}
	var err error
	if m.Confidence, err = vendorConfidence("mscore", o.MScore); err != nil {
		return v.bad(f, rec, id, err.Error())
	}
	if o.ThreatRating != nil {
		if !m.Confidence.Known() {
			if m.Confidence, err = vendorConfidence("threat_rating.confidence_score", o.ThreatRating.ConfidenceScore); err != nil {
				return v.bad(f, rec, id, err.Error())
			}
		}
		m.Severity, _ = indicator.ParseSeverity(string(o.ThreatRating.SeverityLevel))
	}
	for _, a := range o.AttributedAssociations {
		name := strings.TrimSpace(string(a.Name))
		switch strings.ToLower(string(a.Type)) {
		case "threat-actor":
			if m.ThreatActor == "" {
				m.ThreatActor = name
			}
		case "malware":
			if m.MalwareFamily == "" {
				m.MalwareFamily = name
			}
		}
	}
	var tags tagSet
	var names []string
	var first, last time.Time
	for _, s := range o.Sources {
		for _, c := range s.Category {
			tags.add(c)
		}
		if n := strings.TrimSpace(string(s.SourceName)); n != "" && !containsString(names, n) {
			names = append(names, n)
		}
		fs, err := vendorTime("sources first_seen", s.FirstSeen)
		if err != nil {
			return v.bad(f, rec, id, err.Error())
		}
		ls, err := vendorTime("sources last_seen", s.LastSeen)
		if err != nil {
			return v.bad(f, rec, id, err.Error())
		}
		if !fs.IsZero() && (first.IsZero() || fs.Before(first)) {
			first = fs
		}
		if ls.After(last) {
			last = ls
		}
	}
	for _, c := range o.Campaigns {
		tags.add(string(c.Name))
	}
	for _, k := range sortedKeys(o.Misp) {
		if string(bytes.TrimSpace(o.Misp[k])) == "true" {
			tags.add(MandiantWarninglistTag + k)
		}
	}
	m.Tags = tags.tags
	switch {
	case len(o.Reports) > 0 && o.Reports[0].Title != "":
		m.Description = string(o.Reports[0].Title)
	case len(o.Campaigns) > 0 && o.Campaigns[0].Title != "":
		m.Description = string(o.Campaigns[0].Title)
	case len(names) > 0:
		m.Description = "sources: " + strings.Join(names, ", ")
	}
	if m.FirstSeen, err = vendorTime("first_seen", o.FirstSeen); err != nil {
		return v.bad(f, rec, id, err.Error())
	}
	if m.LastSeen, err = vendorTime("last_seen", o.LastSeen); err != nil {
		return v.bad(f, rec, id, err.Error())
	}
	if m.FirstSeen.IsZero() {
		m.FirstSeen = first
	}
	if m.LastSeen.IsZero() {
		m.LastSeen = last
	}
	if err := v.add(f, rec, id, t, string(o.Value), m); err != nil || !t.IsHash() {
		return err
	}
	own := strings.ToLower(strings.TrimSpace(string(o.Value)))
	for i, h := range o.AssociatedHashes {
		ht, ok := mandiantType(strings.ToLower(strings.TrimSpace(string(h.Type))))
		if !ok || !ht.IsHash() {
			v.c.unsupported("mandiant associated hash: " + reasonWord(strings.ToLower(string(h.Type))))
			continue
		}
		if strings.ToLower(strings.TrimSpace(string(h.Value))) == own {
			continue // the indicator's own hash
		}
		if err := v.add(f, fmt.Sprintf("%s.associated_hashes[%d]", rec, i), id, ht, string(h.Value), m); err != nil {
			return err
		}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ---- CrowdStrike

// csLabels are the labels of a CrowdStrike indicator: objects with a
// "name", or strings.
type csLabels []string

func (l *csLabels) UnmarshalJSON(b []byte) error {
	out, err := namesList(b, "labels")
	*l = out
	return err
}

type csRecord struct {
	ID                  flexString  `json:"id"`
	Indicator           flexString  `json:"indicator"`
	Type                flexString  `json:"type"`
	MaliciousConfidence flexString  `json:"malicious_confidence"`
	Deleted             flexBool    `json:"deleted"`
	PublishedDate       flexString  `json:"published_date"`
	LastUpdated         flexString  `json:"last_updated"`
	Labels              csLabels    `json:"labels"`
	Actors              flexStrings `json:"actors"`
	MalwareFamilies     flexStrings `json:"malware_families"`
	KillChains          flexStrings `json:"kill_chains"`
	ThreatTypes         flexStrings `json:"threat_types"`
	DomainTypes         flexStrings `json:"domain_types"`
	IPAddressTypes      flexStrings `json:"ip_address_types"`
	Vulnerabilities     flexStrings `json:"vulnerabilities"`
	Reports             flexStrings `json:"reports"`
}

// csType returns the indicator type of a CrowdStrike indicator type.
func csType(t string) (indicator.Type, bool) {
	switch t {
	case "hash_md5":
		return indicator.MD5, true
	case "hash_sha1":
		return indicator.SHA1, true
	case "hash_sha256":
		return indicator.SHA256, true
	case "domain":
		return indicator.Domain, true
	case "ip_address":
		return indicator.IPv4, true
	case "ip_address_block":
		return indicator.CIDR, true
	case "url":
		return indicator.URL, true
	case "email_address":
		return indicator.Email, true
	case "email_subject":
		return indicator.EmailSubject, true
	case "mutex_name":
		return indicator.Mutex, true
	case "file_name":
		return indicator.Filename, true
	case "registry":
		return indicator.RegKey, true
	case "user_agent":
		return indicator.UserAgent, true
	}
	return indicator.Invalid, false
}

// The confidences of CrowdStrike's malicious_confidence words.
var csConfidence = map[string]int{"high": 85, "medium": 60, "low": 30, "unverified": 10}

func (v *vendorReader) crowdStrike(raw json.RawMessage, rec string) error {
	const f = FormatCrowdStrike
	var o csRecord
	if err := json.Unmarshal(raw, &o); err != nil {
		return v.bad(f, rec, "", "record: "+jsonErrorText(err))
	}
	id := string(o.ID)
	if o.Deleted {
		v.c.unsupported("crowdstrike deleted")
		return nil
	}
	typ := strings.ToLower(strings.TrimSpace(string(o.Type)))
	t, ok := csType(typ)
	if !ok {
		v.c.unsupported("crowdstrike type: " + reasonWord(typ))
		return nil
	}
	if strings.TrimSpace(string(o.Indicator)) == "" {
		return v.bad(f, rec, id, `record without an "indicator"`)
	}
	m := indicator.Meta{ID: id}
	if n, ok := csConfidence[strings.ToLower(strings.TrimSpace(string(o.MaliciousConfidence)))]; ok {
		m.Confidence = indicator.MustConfidence(n)
	}
	var err error
	if m.FirstSeen, err = vendorTime("published_date", o.PublishedDate); err != nil {
		return v.bad(f, rec, id, err.Error())
	}
	if m.LastSeen, err = vendorTime("last_updated", o.LastUpdated); err != nil {
		return v.bad(f, rec, id, err.Error())
	}
	if len(o.Actors) > 0 {
		m.ThreatActor = strings.TrimSpace(o.Actors[0])
	}
	if len(o.MalwareFamilies) > 0 {
		m.MalwareFamily = strings.TrimSpace(o.MalwareFamilies[0])
	}
	var tags tagSet
	for _, l := range o.Labels {
		tags.add(l)
	}
	for _, k := range o.KillChains {
		tags.add("KillChain/" + k)
	}
	for _, k := range o.ThreatTypes {
		tags.add("ThreatType/" + k)
	}
	for _, list := range [][]string{o.DomainTypes, o.IPAddressTypes, o.Vulnerabilities} {
		for _, s := range list {
			tags.add(s)
		}
	}
	m.Tags = tags.tags
	m.Description = strings.Join(o.Reports, ", ")
	return v.add(f, rec, id, t, string(o.Indicator), m)
}

// ---- detection

var (
	reTSKey       = regexp.MustCompile(`\\?"(itype|threatscore)\\?"\s*:`)
	reMandiantKey = regexp.MustCompile(`\\?"mscore\\?"\s*:`)
	reCSKey       = regexp.MustCompile(`\\?"malicious_confidence\\?"\s*:`)
)

// firstKeys returns the keys of the first element of the array that is
// the value of the first "key" in head, or nil.
func firstKeys(head []byte, key string) map[string]struct{} {
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(key) + `"\s*:\s*\[`)
	loc := re.FindIndex(head)
	if loc == nil {
		return nil
	}
	keys, _ := jsonTopKeys(head[loc[1]-1:])
	return keys
}

// sniffVendor returns the format of JSON head when it is ThreatStream's,
// Mandiant's or CrowdStrike's, else FormatUnknown. An elastic
// pipeline-test wrapper (an "events" array whose first element has "json"
// or "message") is of the format of the first record the head shows (its
// keys found in the text, escaped or not), else FormatThreatStream: its
// reader counts records of no known kind as "elastic event of unknown
// kind".
func sniffVendor(head []byte, keys map[string]struct{}, vals map[string]string) Format {
	has := func(m map[string]struct{}, k string) bool { _, ok := m[k]; return ok }
	kindOf := func(m map[string]struct{}) Format {
		switch {
		case has(m, "itype") || has(m, "threatscore"):
			return FormatThreatStream
		case has(m, "mscore") || has(m, "sources") && has(m, "misp"):
			return FormatMandiant
		case has(m, "malicious_confidence") || has(m, "indicator") && has(m, "_marker"):
			return FormatCrowdStrike
		}
		return FormatUnknown
	}
	if f := kindOf(keys); f != FormatUnknown {
		return f
	}
	switch {
	case has(keys, "objects"):
		if kindOf(firstKeys(head, "objects")) == FormatThreatStream {
			return FormatThreatStream
		}
	case has(keys, "indicators"):
		if kindOf(firstKeys(head, "indicators")) == FormatMandiant {
			return FormatMandiant
		}
	case has(keys, "resources"):
		if has(keys, "meta") && has(keys, "errors") || kindOf(firstKeys(head, "resources")) == FormatCrowdStrike {
			return FormatCrowdStrike
		}
	}
	if ev := firstKeys(head, "events"); has(keys, "events") && (has(ev, "json") || has(ev, "message")) {
		best, at := FormatThreatStream, -1
		for _, k := range []struct {
			re *regexp.Regexp
			f  Format
		}{{reTSKey, FormatThreatStream}, {reMandiantKey, FormatMandiant}, {reCSKey, FormatCrowdStrike}} {
			if loc := k.re.FindIndex(head); loc != nil && (at < 0 || loc[0] < at) {
				best, at = k.f, loc[0]
			}
		}
		return best
	}
	return FormatUnknown
}
