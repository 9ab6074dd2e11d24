package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// ReadOTX reads AlienVault OTX pulses and indicators (JSON) from r. path
// names the input in problems and errors, and gives the default source
// name (SourceName); it is not opened. Result.Files is 1.
//
// The input is one or more JSON values (JSON lines), each in one of the
// shapes the OTX API and the tools that pull it write:
//
//	{"name": …, "indicators": [{…}, …], …}          a pulse (/api/v1/pulses/{id})
//	[{pulse}, …]                                   an array of pulses
//	{"count": …, "next": …, "results": [{pulse}, …]} a page of /api/v1/pulses/subscribed
//	{"indicator": …, "type": …, "id": …}           one indicator (/api/v1/indicators/export lines)
//	{"indicator": …, "type": …, "pulse_raw": "{…}"} one indicator with its pulse JSON-encoded
//	                                               in a string (Elastic's ti_otx input)
//
// A page's "results" may hold indicators too (the export endpoint's
// pages). A pulse's indicators are read one at a time (each at most
// Options.MaxRecordSize), so a pulse of any size is streamed; the pulse's
// other fields, before or after "indicators", are applied to its
// indicators at the end of the pulse.
//
// Indicator types ("type", in any case): IPv4, IPv6, CIDR; domain and
// hostname (domain); URL; email; FileHash-MD5, -SHA1, -SHA256, -SHA512;
// Mutex (mutex); FilePath (filename: a full path is matched as a
// filename string); JA3 (md5, as MISP's ja3-fingerprint-md5);
// SSLCertFingerprint (sha1, as MISP's x509-fingerprint-sha1). Every other
// type is counted as unsupported "otx TYPE": URI (a path, not an
// indicator by itself), CVE, YARA, FileHash-IMPHASH, FileHash-PEHASH,
// BitcoinAddress, osquery … An indicator with "is_active" 0 (or false)
// is counted as unsupported "otx inactive": OTX has retired it. A pulse
// without an "indicators" array (an object with a "name" or an
// "author_name" and no "indicators") is counted as "otx pulse without
// indicators".
//
// Values are read with indicator.ParseAs (refanged, canonical). A value it
// rejects is a problem (ReasonInvalidValue) whose record is the
// indicator's place ("indicators[3]", "results[0].indicators[12]",
// "(value 5)" for the fifth JSON value of JSON lines, "[2]" for an
// array's third element) and whose message names the indicator's id and
// quotes the value. An indicator that is not a JSON object of the
// expected shape, has no "type" or "indicator", a time that cannot be
// parsed, or a "pulse_raw" that is not a pulse's JSON, is a problem
// (ReasonMalformed). A pulse-level field of the wrong shape ("tags": 5)
// is a problem too; the pulse's indicators are read without it. An OTX
// error document ({"detail": "Authentication required"}) is a problem
// (ReasonMalformed) quoting the detail. Bad JSON and the limits end the
// file, as for every JSON format; JSON nested too deep ends only its JSON
// value (JSON lines go on with the next).
//
// The metadata of each indicator:
//
//   - ID: the indicator's "id" (or "_id", as the API had it in 2015).
//   - Source: the pulse's "author_name" (else "author"."username"),
//     unless Options.Source is set; else the file's name.
//   - Description: the pulse's "name", then the indicator's "title" and
//     "description" when present (an AV detection name, "MD5 of …"),
//     joined by "; ", each once.
//   - Reference: the pulse's first "references" entry, else the pulse's
//     page on OTX (https://otx.alienvault.com/pulse/ID).
//   - TLP: the pulse's "TLP" or "tlp" (white and clear are clear, green,
//     amber, amber+strict, red; "TLP:" prefix and case ignored). A value
//     that is none of them is kept as the tag "tlp:VALUE".
//   - ThreatActor: the pulse's "adversary".
//   - MalwareFamily: the first of the pulse's "malware_families" (strings,
//     or objects whose "display_name", else "id", names the family).
//   - Techniques: the ATT&CK technique ids of the pulse's "attack_ids"
//     (strings "T1059.001", or objects with "id" or "display_name"
//     "T1059.001 - PowerShell"); other ids (tactics "TA0001") are not
//     techniques and are left out.
//   - Tags: the pulse's "tags", then the malware family names, then
//     "role:ROLE" for the indicator's "role" (command_and_control,
//     malware_hosting …), each once (tags differing only in case are one).
//   - FirstSeen: the indicator's "created", else the pulse's "created".
//   - LastSeen: the pulse's "modified" (its last change: OTX's word that
//     the indicator still belongs to it), else the pulse's "created";
//     never before FirstSeen (an indicator added to a pulse later than
//     its last "modified" is last seen when created). No pulse: zero.
//   - ValidUntil: the indicator's "expiration" (null: no end). Expired
//     indicators are kept: the matcher applies ValidUntil.
//
// Times are RFC 3339, or OTX's zone-less "2006-01-02T15:04:05[.ffffff]"
// (UTC), or a date.
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadOTX(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatOTX, r, path, opts)
}

// OTXPage is what a page of the OTX API says of the pages around it
// (/api/v1/pulses/subscribed, /api/v1/indicators/export): the number of
// results in all, and the URLs of the next and previous pages ("" when
// there is none).
type OTXPage struct {
	Count          int
	Next, Previous string
}

// ReadOTXPage reads one page of the OTX API from r, as ReadOTX does
// (gzip input is not decompressed: an HTTP client does that), and returns
// with its Result what the page says of its neighbours, for a client that
// follows "next". The page's fields may come before or after its
// "results": the input is read once, streamed. A "count" or "next" of the
// wrong type is left zero.
func ReadOTXPage(r io.Reader, path string, opts Options) (Result, OTXPage, error) {
	var res Result
	c := newCollector(&res, newLoadState(), path, &opts)
	o := newOTXReader(c, r)
	err := o.read()
	var p *Problem
	switch {
	case err == nil || errors.As(err, &p):
	case errors.Is(err, errFull):
		err = nil
	default:
		err = readError(path, err)
	}
	c.done(FormatOTX)
	return res, o.page, err
}

// otxIndicator is an OTX indicator, or (in "pulse_raw" lines and export
// pages) the fields of one.
type otxIndicator struct {
	Indicator   *flexString `json:"indicator"`
	Type        flexString  `json:"type"`
	ID          flexString  `json:"id"`
	OldID       flexString  `json:"_id"` // the id of the 2015 API (intelmq's samples), when there is no "id"
	Created     flexString  `json:"created"`
	Expiration  flexString  `json:"expiration"`
	IsActive    *flexBool   `json:"is_active"`
	Role        flexString  `json:"role"`
	Title       flexString  `json:"title"`
	Description flexString  `json:"description"`
	PulseRaw    *flexString `json:"pulse_raw"`
}

// decode decodes the fields of an indicator, by name in any case (as
// encoding/json matches them), in the order of their names.
func (x *otxIndicator) decode(fields map[string]json.RawMessage) error {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var v any
		switch strings.ToLower(k) {
		case "indicator":
			v = &x.Indicator
		case "type":
			v = &x.Type
		case "id":
			v = &x.ID
		case "_id":
			v = &x.OldID
		case "created":
			v = &x.Created
		case "expiration":
			v = &x.Expiration
		case "is_active":
			v = &x.IsActive
		case "role":
			v = &x.Role
		case "title":
			v = &x.Title
		case "description":
			v = &x.Description
		case "pulse_raw":
			v = &x.PulseRaw
		default:
			continue
		}
		if err := json.Unmarshal(fields[k], v); err != nil {
			return fmt.Errorf("%q: %s", k, jsonErrorText(err))
		}
	}
	return nil
}

// otxPulse is the metadata of an OTX pulse (its indicators are read on
// their own).
type otxPulse struct {
	ID         flexString `json:"id"`
	Name       flexString `json:"name"`
	AuthorName flexString `json:"author_name"`
	Author     *struct {
		Username flexString `json:"username"`
	} `json:"author"`
	Created    flexString        `json:"created"`
	Modified   flexString        `json:"modified"`
	TLP        flexString        `json:"tlp"` // and "TLP": encoding/json matches keys in any case
	Adversary  flexString        `json:"adversary"`
	Tags       []flexString      `json:"tags"`
	Families   []json.RawMessage `json:"malware_families"`
	AttackIDs  []json.RawMessage `json:"attack_ids"`
	References []flexString      `json:"references"`
}

// otxPulseMeta is a pulse's metadata as it applies to its indicators.
type otxPulseMeta struct {
	source, name, reference string
	tlp                     indicator.TLP
	actor, family           string
	techniques, tags        []string
	created, modified       time.Time
}

// otxTypes maps OTX indicator types (lower-cased) to indicator types.
var otxTypes = map[string]indicator.Type{
	"ipv4":               indicator.IPv4,
	"ipv6":               indicator.IPv6,
	"cidr":               indicator.CIDR,
	"domain":             indicator.Domain,
	"hostname":           indicator.Domain,
	"url":                indicator.URL,
	"email":              indicator.Email,
	"filehash-md5":       indicator.MD5,
	"filehash-sha1":      indicator.SHA1,
	"filehash-sha256":    indicator.SHA256,
	"filehash-sha512":    indicator.SHA512,
	"mutex":              indicator.Mutex,
	"filepath":           indicator.Filename,
	"ja3":                indicator.MD5,
	"sslcertfingerprint": indicator.SHA1,
}

type otxReader struct {
	c      *collector
	j      *jsonStream
	pulses int     // pulses started, for the scopes of held indicators
	page   OTXPage // of the last top-level page read

	// the last "pulse_raw" read without problems, and its metadata
	lastRaw string
	lastPM  *otxPulseMeta
}

// errOTXStop ends the reading of a file after its problem was reported.
var errOTXStop = errors.New("stop")

func newOTXReader(c *collector, r io.Reader) *otxReader {
	return &otxReader{c: c, j: newJSONStream(c, r)}
}

// readOTX reads OTX pulses and indicators from r into c.
func readOTX(c *collector, r io.Reader) error { return newOTXReader(c, r).read() }

func (o *otxReader) read() error {
	for n := 0; ; n++ {
		t, err := o.j.Token()
		if err == io.EOF {
			if n == 0 {
				return o.c.problem(0, ReasonMalformed, "no JSON value: not an OTX pulse or indicator")
			}
			return nil
		}
		if err == nil {
			path := ""
			if n > 0 {
				path = fmt.Sprintf("(value %d)", n+1)
			}
			err = o.value(t, path, 0)
		} else {
			err = o.fail("", err)
		}
		if err == errOTXStop {
			if o.j.resume() {
				continue // nested too deep: the next JSON line
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// fail reports the stream error err, which ends the file, about record.
func (o *otxReader) fail(record string, err error) error {
	if err == errOTXStop {
		return err
	}
	var p *Problem
	if errors.As(err, &p) {
		return err
	}
	if e := o.j.fail(record, err); e != nil {
		return e
	}
	return errOTXStop
}

// otxRecName names the top of the document "(document)".
func otxRecName(path string) string {
	if path == "" {
		return "(document)"
	}
	return path
}

// otxElemPath is path[i].
func otxElemPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// value reads the value at path whose first token t was read: a pulse, a
// page or an indicator (an object), or at the top (level 0) an array of
// them.
func (o *otxReader) value(t json.Token, path string, level int) error {
	switch t {
	case json.Delim('{'):
		return o.object(path, level)
	case json.Delim('['):
		if level > 0 {
			if err := o.skipOpen(path); err != nil {
				return err
			}
			return o.c.problemRec(otxRecName(path), ReasonMalformed, "a JSON array, not an OTX pulse or indicator")
		}
		return o.elements(path, level+1)
	}
	return o.c.problemRec(otxRecName(path), ReasonMalformed, fmt.Sprintf("a JSON %s, not an OTX pulse or indicator", jsonKind(t)))
}

// skipOpen reads up to the end of the array or object just opened.
func (o *otxReader) skipOpen(path string) error {
	depth := o.j.depth - 1
	for o.j.depth > depth {
		if _, err := o.j.Token(); err != nil {
			return o.fail(path, err)
		}
	}
	return nil
}

// elements reads the elements of the array just opened, each a value at
// the level given, up to its end.
func (o *otxReader) elements(path string, level int) error {
	for i := 0; o.j.More(); i++ {
		t, err := o.j.Token()
		if err != nil {
			return o.fail(path, err)
		}
		if err := o.value(t, otxElemPath(path, i), level); err != nil {
			return err
		}
	}
	if _, err := o.j.Token(); err != nil { // ']'
		return o.fail(path, err)
	}
	return nil
}

// otxHeld is the pulse being read: its indicators are held until its
// metadata is known.
type otxHeld struct {
	scope string
	segs  []mispRange
}

// object reads the object at path just opened. Its "indicators" (a
// pulse's) and "results" (a page's) are streamed; its other fields are
// kept (within Options.MaxRecordSize in all) and read at its end.
func (o *otxReader) object(path string, level int) error {
	kept := map[string]json.RawMessage{}
	size := int64(0)
	var held *otxHeld
	page := false
	defer func() {
		if held != nil {
			o.c.release()
		}
	}()
	for o.j.More() {
		t, err := o.j.Token()
		if err != nil {
			return o.fail(path, err)
		}
		key, _ := t.(string)
		kp := mispKeyPath(path, key)
		switch {
		case key == "indicators":
			if held == nil {
				o.pulses++
				held = &otxHeld{scope: strconv.Itoa(o.pulses)}
				o.c.hold()
			}
			if err := o.pulseIndicators(kp, held); err != nil {
				return err
			}
		case key == "results":
			page = true
			if err := o.results(kp, level); err != nil {
				return err
			}
		default:
			raw, err := o.j.Raw()
			if err != nil {
				return o.fail(kp, err)
			}
			size += int64(len(key) + len(raw))
			if max := o.c.opts.maxRecordSize(); size > max {
				return o.fail(path, &limitError{ReasonTooLarge, fmt.Sprintf("JSON value larger than %d bytes (at byte %d)", max, o.j.Offset())})
			}
			kept[key] = slices.Clone(raw)
		}
	}
	if _, err := o.j.Token(); err != nil { // '}'
		return o.fail(path, err)
	}
	switch {
	case held != nil:
		raw, err := json.Marshal(kept)
		if err != nil {
			return err // cannot happen: the values are valid JSON
		}
		pm, err := o.pulseMeta(otxRecName(path), raw)
		if err != nil {
			return err
		}
		o.finish(held, pm)
		return nil
	case page:
		if level == 0 {
			o.page = otxPageOf(kept)
		}
		return nil
	case kept["indicator"] != nil:
		return o.indicatorRecord(otxRecName(path), kept)
	case kept["detail"] != nil:
		var d flexString
		_ = json.Unmarshal(kept["detail"], &d)
		return o.c.problemRec(otxRecName(path), ReasonMalformed, fmt.Sprintf("OTX error: %s", quoteShortN(string(d), 256)))
	case kept["name"] != nil || kept["author_name"] != nil:
		o.c.unsupported("otx pulse without indicators")
		return nil
	}
	return o.c.problemRec(otxRecName(path), ReasonMalformed, "not an OTX pulse, page or indicator (no \"indicators\", \"results\" or \"indicator\")")
}

// otxPageOf reads a page's count, next and previous.
func otxPageOf(kept map[string]json.RawMessage) OTXPage {
	var p OTXPage
	var n flexInt
	if json.Unmarshal(kept["count"], &n) == nil {
		p.Count = int(n)
	}
	var s flexString
	if json.Unmarshal(kept["next"], &s) == nil {
		p.Next = strings.TrimSpace(string(s))
	}
	s = ""
	if json.Unmarshal(kept["previous"], &s) == nil {
		p.Previous = strings.TrimSpace(string(s))
	}
	return p
}

// results reads a page's "results": an array of pulses or indicators.
func (o *otxReader) results(path string, level int) error {
	t, err := o.j.Token()
	if err != nil {
		return o.fail(path, err)
	}
	switch t {
	case json.Delim('['):
		return o.elements(path, level+1)
	case nil:
		return nil
	case json.Delim('{'):
		if err := o.skipOpen(path); err != nil {
			return err
		}
	}
	return o.c.problemRec(path, ReasonMalformed, fmt.Sprintf(`"results" is a JSON %s, not an array`, otxTokenKind(t)))
}

// otxTokenKind names the kind of the first token of a JSON value.
func otxTokenKind(t json.Token) string {
	switch t {
	case json.Delim('{'):
		return "object"
	case json.Delim('['):
		return "array"
	}
	return jsonKind(t)
}

// pulseIndicators reads a pulse's "indicators" array at path.
func (o *otxReader) pulseIndicators(path string, held *otxHeld) error {
	t, err := o.j.Token()
	if err != nil {
		return o.fail(path, err)
	}
	switch t {
	case json.Delim('['):
	case nil:
		return nil
	default:
		if t == json.Delim('{') {
			if err := o.skipOpen(path); err != nil {
				return err
			}
		}
		return o.c.problemRec(path, ReasonMalformed, fmt.Sprintf(`"indicators" is a JSON %s, not an array`, otxTokenKind(t)))
	}
	for i := 0; o.j.More(); i++ {
		rec := otxElemPath(path, i)
		raw, err := o.j.Raw()
		if err != nil {
			return o.fail(rec, err)
		}
		var x otxIndicator
		if len(raw) == 0 || raw[0] != '{' {
			err = fmt.Errorf("a JSON %s, not an OTX indicator", jsonValueKind(raw))
		} else if err = json.Unmarshal(raw, &x); err != nil {
			err = errors.New("indicator: " + jsonErrorText(err))
		}
		if err != nil {
			if err := o.c.problemRec(rec, ReasonMalformed, err.Error()); err != nil {
				return err
			}
			continue
		}
		ind, ok, err := o.convert(rec, &x)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		n := len(o.c.res.Indicators)
		if err := o.c.addHeld(ind, held.scope); err != nil {
			return err
		}
		if len(o.c.res.Indicators) == n {
			continue // a duplicate
		}
		if k := len(held.segs) - 1; k >= 0 && held.segs[k].to == n {
			held.segs[k].to = n + 1
		} else {
			held.segs = append(held.segs, mispRange{n, n + 1})
		}
	}
	if _, err := o.j.Token(); err != nil { // ']'
		return o.fail(path, err)
	}
	return nil
}

// indicatorRecord reads a top-level (or page) indicator, raw: its own
// fields, and its pulse's from "pulse_raw" if it has one.
func (o *otxReader) indicatorRecord(rec string, kept map[string]json.RawMessage) error {
	var x otxIndicator
	if err := x.decode(kept); err != nil {
		return o.c.problemRec(rec, ReasonMalformed, "indicator: "+err.Error())
	}
	var pm *otxPulseMeta
	if x.PulseRaw != nil && strings.TrimSpace(string(*x.PulseRaw)) != "" {
		pr := []byte(*x.PulseRaw)
		if t := bytes.TrimSpace(pr); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
			return o.c.problemRec(rec, ReasonMalformed, fmt.Sprintf("indicator %s: pulse_raw is not a pulse's JSON: %s", string(x.ID), quoteShortN(string(pr), 80)))
		}
		if string(pr) == o.lastRaw && o.lastPM != nil {
			pm = o.lastPM // the lines of one pulse
		} else {
			skipped := o.c.res.SkippedTotal()
			var err error
			if pm, err = o.pulseMeta(rec+".pulse_raw", pr); err != nil {
				return err
			}
			o.lastRaw, o.lastPM = "", nil
			if o.c.res.SkippedTotal() == skipped { // its problems are each line's
				o.lastRaw, o.lastPM = string(pr), pm
			}
		}
	}
	ind, ok, err := o.convert(rec, &x)
	if err != nil || !ok {
		return err
	}
	if pm != nil {
		applyOTXPulse(&ind, pm, o.c)
	}
	return o.c.add(ind)
}

// convert makes the indicator of x, at record rec, with its own metadata;
// ok is false when it is not one (a problem reported, or unsupported).
func (o *otxReader) convert(rec string, x *otxIndicator) (ind indicator.Indicator, ok bool, err error) {
	c := o.c
	if strings.TrimSpace(string(x.ID)) == "" {
		x.ID = x.OldID
	}
	who := "indicator"
	if id := strings.TrimSpace(string(x.ID)); id != "" {
		who += " " + id
	}
	typ := strings.TrimSpace(string(x.Type))
	switch {
	case x.Indicator == nil:
		return ind, false, c.problemRec(rec, ReasonMalformed, who+`: no "indicator"`)
	case typ == "":
		return ind, false, c.problemRec(rec, ReasonMalformed, fmt.Sprintf("%s: %s: no type", who, quoteShortN(string(*x.Indicator), 256)))
	case x.IsActive != nil && !bool(*x.IsActive):
		c.unsupported("otx inactive")
		return ind, false, nil
	}
	t, known := otxTypes[strings.ToLower(typ)]
	if !known {
		c.unsupported("otx " + typ)
		return ind, false, nil
	}
	ind, err = indicator.ParseAs(t, string(*x.Indicator))
	if err != nil {
		return ind, false, c.problemRec(rec, ReasonInvalidValue, fmt.Sprintf("%s: otx type %q: %v", who, typ, err))
	}
	created, err := otxTime(x.Created)
	if err != nil {
		return ind, false, c.problemRec(rec, ReasonMalformed, fmt.Sprintf("%s: created: %v", who, err))
	}
	expires, err := otxTime(x.Expiration)
	if err != nil {
		return ind, false, c.problemRec(rec, ReasonMalformed, fmt.Sprintf("%s: expiration: %v", who, err))
	}
	ind.ID = strings.TrimSpace(string(x.ID))
	ind.Description = otxJoin(strings.TrimSpace(string(x.Title)), strings.TrimSpace(string(x.Description)))
	ind.FirstSeen = created
	ind.ValidUntil = expires
	if role := strings.TrimSpace(string(x.Role)); role != "" {
		ind.Tags = []string{"role:" + role}
	}
	return ind, true, nil
}

// otxJoin joins the non-empty strings with "; ", each once.
func otxJoin(s ...string) string {
	var kept []string
	for _, v := range s {
		if v != "" && !slices.Contains(kept, v) {
			kept = append(kept, v)
		}
	}
	return strings.Join(kept, "; ")
}

// otxTime parses an OTX time: RFC 3339, "2006-01-02T15:04:05[.ffffff]"
// without a zone (UTC), "2006-01-02 15:04:05" or a date; "" is the zero
// time.
func otxTime(s flexString) (time.Time, error) {
	v := strings.TrimSpace(string(s))
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: not a time", quoteShortN(v, 64))
}

// pulseMeta reads the metadata of a pulse from its fields raw (a JSON
// object). A field of the wrong shape is a problem about rec (returned
// with Strict); the others are read.
func (o *otxReader) pulseMeta(rec string, raw []byte) (*otxPulseMeta, error) {
	var p otxPulse
	if json.Unmarshal(raw, &p) != nil {
		// field by field, so that one of the wrong shape costs only itself
		p = otxPulse{}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, o.c.problemRec(rec, ReasonMalformed, "pulse: "+jsonErrorText(err))
		}
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			one, _ := json.Marshal(map[string]json.RawMessage{k: fields[k]})
			if err := json.Unmarshal(one, &p); err != nil {
				if err := o.c.problemRec(rec, ReasonMalformed, "pulse: "+jsonErrorText(err)); err != nil {
					return nil, err
				}
			}
		}
	}
	pm := &otxPulseMeta{
		name:  strings.TrimSpace(string(p.Name)),
		actor: strings.TrimSpace(string(p.Adversary)),
	}
	pm.source = strings.TrimSpace(string(p.AuthorName))
	if pm.source == "" && p.Author != nil {
		pm.source = strings.TrimSpace(string(p.Author.Username))
	}
	for _, r := range p.References {
		if r := strings.TrimSpace(string(r)); r != "" {
			pm.reference = r
			break
		}
	}
	if id := strings.TrimSpace(string(p.ID)); pm.reference == "" && id != "" {
		pm.reference = "https://otx.alienvault.com/pulse/" + url.PathEscape(id)
	}
	var bad []string
	pm.created, _ = otxTime(p.Created)
	if _, err := otxTime(p.Created); err != nil {
		bad = append(bad, "created: "+err.Error())
	}
	pm.modified, _ = otxTime(p.Modified)
	if _, err := otxTime(p.Modified); err != nil {
		bad = append(bad, "modified: "+err.Error())
	}
	if tlp := strings.TrimSpace(string(p.TLP)); tlp != "" {
		if t, err := indicator.ParseTLP(tlp); err == nil {
			pm.tlp = t
		} else {
			pm.addTag("tlp:" + strings.ToLower(tlp))
		}
	}
	for _, tg := range p.Tags {
		pm.addTag(strings.TrimSpace(string(tg)))
	}
	for _, f := range p.Families {
		name := otxName(f, "display_name", "id", "name")
		if name == "" {
			continue
		}
		if pm.family == "" {
			pm.family = name
		}
		pm.addTag(name)
	}
	for _, a := range p.AttackIDs {
		for _, id := range attackID.FindAllString(otxName(a, "id", "display_name", "name"), 1) {
			if !slices.Contains(pm.techniques, id) {
				pm.techniques = append(pm.techniques, id)
			}
		}
	}
	for _, b := range bad {
		if err := o.c.problemRec(rec, ReasonMalformed, "pulse: "+b); err != nil {
			return nil, err
		}
	}
	return pm, nil
}

// addTag adds tag to the pulse's tags unless it is empty or there in
// some case.
func (pm *otxPulseMeta) addTag(tag string) {
	if tag == "" {
		return
	}
	for _, t := range pm.tags {
		if strings.EqualFold(t, tag) {
			return
		}
	}
	pm.tags = append(pm.tags, tag)
}

// otxName is raw as a string, or of an object the first of the keys
// holding a non-empty string; "" otherwise.
func otxName(raw json.RawMessage, keys ...string) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return ""
	}
	for _, k := range keys {
		if json.Unmarshal(obj[k], &s) == nil && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// finish applies a pulse's metadata to its held indicators.
func (o *otxReader) finish(held *otxHeld, pm *otxPulseMeta) {
	if pm == nil {
		return
	}
	for _, s := range held.segs {
		for i := s.from; i < s.to; i++ {
			applyOTXPulse(&o.c.res.Indicators[i], pm, o.c)
		}
	}
}

// applyOTXPulse applies a pulse's metadata to ind.
func applyOTXPulse(ind *indicator.Indicator, pm *otxPulseMeta, c *collector) {
	if pm.source != "" {
		ind.Source = c.sourceFor(pm.source)
	}
	ind.Description = otxJoin(pm.name, ind.Description)
	ind.Reference = pm.reference
	ind.TLP = pm.tlp
	ind.ThreatActor = pm.actor
	ind.MalwareFamily = pm.family
	ind.Techniques = slices.Clip(pm.techniques)
	ind.Tags = mergeStrings(slices.Clip(pm.tags), ind.Tags)
	if ind.FirstSeen.IsZero() {
		ind.FirstSeen = pm.created
	}
	last := pm.modified
	if last.IsZero() {
		last = pm.created
	}
	if last.Before(ind.FirstSeen) {
		last = ind.FirstSeen
	}
	ind.LastSeen = last
}

// otxPulseKeys are keys of an OTX pulse that other JSON documents with
// "indicators" (STIX 1.x packages) do not have.
var otxPulseKeys = []string{"author_name", "adversary", "TLP", "tlp", "malware_families", "attack_ids",
	"more_indicators", "targeted_countries", "industries", "pulse_source", "subscriber_count", "extract_source"}

// otxTypeNames are OTX indicator type names, as OTX spells them.
var otxTypeNames = []string{"IPv4", "IPv6", "CIDR", "domain", "hostname", "URL", "URI", "email", "Mutex",
	"FilePath", "CVE", "YARA", "JA3", "SSLCertFingerprint", "BitcoinAddress", "osquery",
	"FileHash-MD5", "FileHash-SHA1", "FileHash-SHA256", "FileHash-SHA512", "FileHash-PEHASH", "FileHash-IMPHASH"}

// sniffOTX reports whether JSON head (top-level keys keys) is OTX's: a
// pulse ("indicators" and a key only pulses have, or indicators with
// "is_active" and an OTX type name), a page of pulses or
// indicators ("results" and "count" or "next", with a pulse's or an
// indicator's keys in head), an indicator ("indicator" and a "type" that
// is an OTX type name) or Elastic's indicator line ("pulse_raw").
func sniffOTX(head []byte, keys map[string]struct{}) bool {
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch {
	case has("pulse_raw") && has("indicator"):
		return true
	case has("indicators"):
		for _, k := range otxPulseKeys {
			if has(k) {
				return true
			}
		}
		// a pulse of few fields: its indicators' own
		return bytes.Contains(head, []byte(`"is_active"`)) && otxTypeIn(head)
	case has("results") && (has("count") || has("next")):
		if bytes.Contains(head, []byte(`"author_name"`)) {
			return true
		}
		return bytes.Contains(head, []byte(`"indicator"`)) && otxTypeIn(head)
	case has("indicator") && has("type"):
		_, vals := jsonTopKeys(head)
		return slices.Contains(otxTypeNames, vals["type"])
	}
	return false
}

// otxTypeIn reports whether head holds a "type" of an OTX type name.
func otxTypeIn(head []byte) bool {
	for _, name := range otxTypeNames {
		if bytes.Contains(head, []byte(`"type": "`+name+`"`)) || bytes.Contains(head, []byte(`"type":"`+name+`"`)) {
			return true
		}
	}
	return false
}
