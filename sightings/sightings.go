package sightings

import (
	"bufio"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/atomicfile"
)

// DefaultSensor is the sensor's name when Options.Sensor is empty.
const DefaultSensor = "iocmatch"

// Options configure both exports. The zero value means the defaults.
type Options struct {
	// Sensor names this sensor: the "source" of the MISP sightings, the
	// name of the STIX identity in where_sighted_refs. "" is
	// DefaultSensor.
	Sensor string

	// MISPByValue makes every MISP sighting name the entry's value
	// ("values"), never an attribute uuid. By default an entry whose
	// records carry MISP attribute uuids (indicator.Meta.ID that is a
	// bare UUID, as package loader gives MISP attributes) gets one
	// sighting per uuid ("id"), exactly those attributes; the other
	// entries are sighted by value.
	MISPByValue bool

	// IdentityClass is the STIX identity's identity_class; "" is
	// "system".
	IdentityClass string
	// IdentityCreated is the created and modified time of the STIX
	// identity, which must not change from one export to the next (its id
	// does not): zero is IdentityEpoch.
	IdentityCreated time.Time
}

// IdentityEpoch is the created time of the sensor's STIX identity when
// Options.IdentityCreated is zero: 2000-01-01T00:00:00Z, a fixed instant,
// so that every export gives the identity the same id and version.
var IdentityEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func (o *Options) sensor() string {
	if s := strings.TrimSpace(o.Sensor); s != "" {
		return s
	}
	return DefaultSensor
}

// MISPSighting is one sighting for MISP: the body of a POST to MISP's
// /sightings/add API (or one element of the list PyMISP's
// MISPSighting.from_dict takes).
type MISPSighting struct {
	// Values are the values to sight, the entry's canonical value: MISP
	// sights every attribute whose value is one of them
	// (case-insensitively; a value written otherwise in MISP, such as a
	// URL with another scheme, is not found). Empty when ID is set.
	Values []string `json:"values,omitempty"`
	// ID is the uuid of the MISP attribute to sight (MISP takes an
	// attribute id or uuid in "id"); empty when sighting by value.
	ID string `json:"id,omitempty"`
	// Source is the sensor's name.
	Source string `json:"source"`
	// Type is the MISP sighting type: "0", a sighting.
	Type string `json:"type"`
	// Timestamp is the last hit of the period, in Unix seconds; 0 (left
	// out: MISP takes the time of the call) when neither the hit nor the
	// period has a time.
	Timestamp int64 `json:"timestamp,omitempty"`
	// Count is the number of hits (lines) in the period. MISP's API has
	// no count (one call is one sighting) and ignores the key; it is
	// there for the reader, and for a poster that wants to post the
	// sighting Count times.
	Count int64 `json:"count"`
}

var bareUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// MISP returns the MISP sightings of period p: one per entry with hits in
// it (one per MISP attribute uuid of the entry, see
// Options.MISPByValue), with its count and the time of its last hit, in
// the order of p.Entries.
func MISP(p hits.Period, opts Options) []MISPSighting {
	var out []MISPSighting
	src := opts.sensor()
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Count <= 0 {
			continue
		}
		ts := e.LastHit
		if ts.IsZero() {
			ts = p.To
		}
		s := MISPSighting{Source: src, Type: "0", Count: e.Count}
		if !ts.IsZero() {
			s.Timestamp = ts.Unix()
		}
		n := 0
		if !opts.MISPByValue {
			for _, id := range e.IDs {
				if bareUUID.MatchString(id) {
					s.ID = strings.ToLower(id)
					out = append(out, s)
					n++
				}
			}
		}
		if n == 0 {
			s.ID, s.Values = "", []string{e.Value}
			out = append(out, s)
		}
	}
	return out
}

// WriteMISP writes the MISP sightings of p to w as a JSON array, one
// sighting per line.
func WriteMISP(w io.Writer, p hits.Period, opts Options) error {
	return writeArray(w, MISP(p, opts))
}

func writeArray[T any](w io.Writer, xs []T) error { return writeList(w, "[", xs, "\n]\n") }

// writeList writes open, then the JSON of each element of xs on a line of
// its own, comma-separated, then end.
func writeList[T any](w io.Writer, open string, xs []T, end string) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(open)
	for i := range xs {
		b, err := json.Marshal(&xs[i])
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		bw.Write(b)
	}
	bw.WriteString(end)
	return bw.Flush()
}

// STIX time stamps: millisecond precision, UTC.
const stixTime = "2006-01-02T15:04:05.000Z"

func stamp(t time.Time) string { return t.UTC().Format(stixTime) }

// namespace is the UUIDv5 namespace of the ids of the STIX objects made
// here.
var namespace = [16]byte{0x5b, 0x0e, 0x8c, 0x41, 0x7a, 0x2d, 0x4e, 0x53, 0x9f, 0x61, 0x2a, 0xc4, 0x11, 0x7e, 0x0d, 0x39}

// uuid5 returns the RFC 9562 version 5 UUID of name in namespace.
func uuid5(name string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// Bundle is a STIX 2.1 bundle.
type Bundle struct {
	Type    string `json:"type"` // "bundle"
	ID      string `json:"id"`
	Objects []any  `json:"objects"`
}

// Object holds the properties common to the STIX 2.1 objects written
// here (embedded in each: its fields are the object's own, in JSON too).
type Object struct {
	Type        string `json:"type"` // "identity", "indicator", "sighting"
	SpecVersion string `json:"spec_version"`
	ID          string `json:"id"`
	Created     string `json:"created"`
	Modified    string `json:"modified"`
}

// object returns the common properties of a STIX 2.1 object of type typ,
// with id "<typ>--<uuid5 of seed>", created and modified at t.
func object(typ, seed string, t time.Time) Object {
	return Object{Type: typ, SpecVersion: "2.1", ID: typ + "--" + uuid5(seed), Created: stamp(t), Modified: stamp(t)}
}

// Identity is the STIX 2.1 identity of the sensor.
type Identity struct {
	Object
	Name          string `json:"name"`
	IdentityClass string `json:"identity_class"`
}

// Indicator is a STIX 2.1 indicator made for an entry that did not come
// from STIX, so that its sighting has an object to refer to.
type Indicator struct {
	Object
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Pattern     string   `json:"pattern"`
	PatternType string   `json:"pattern_type"`
	ValidFrom   string   `json:"valid_from"`
	Labels      []string `json:"labels,omitempty"`
}

// Sighting is a STIX 2.1 sighting.
type Sighting struct {
	Object
	CreatedByRef     string   `json:"created_by_ref"`
	SightingOfRef    string   `json:"sighting_of_ref"`
	FirstSeen        string   `json:"first_seen,omitempty"`
	LastSeen         string   `json:"last_seen,omitempty"`
	Count            int64    `json:"count"`
	WhereSightedRefs []string `json:"where_sighted_refs"`
	Description      string   `json:"description,omitempty"`
}

// MaxCount is the largest count a STIX sighting holds (the specification's
// limit): 999999999. A larger count is written as it.
const MaxCount = 999_999_999

// STIX returns the STIX 2.1 bundle of the sightings of period p: the
// sensor's identity, an indicator for each entry with hits that came from
// no STIX indicator, and one sighting per STIX indicator of each entry
// with hits (its records' ids that start with "indicator--"), else of its
// made indicator.
//
// Every id is a UUIDv5 of what the object stands for, so that exporting
// the same period again gives the same objects: the identity's of the
// sensor's name, a made indicator's of the entry's type and value, a
// sighting's of the sensor, the indicator it is of and the period. A
// sighting is created and modified at the end of the period (p.To), its
// first_seen and last_seen the first and last hits in it. A made
// indicator's pattern is the STIX pattern of the value ("[domain-name:value
// = 'evil.example']", "[file:hashes.'SHA-256' = '…']", a registry key
// with its long hive name; a "string" entry, which STIX patterns have no
// object for, a PCRE pattern of the literal, pattern_type "pcre"), named
// after the value, created, modified and valid from the entry's first hit
// ever (EntryStats.Since), labelled with its sources.
func STIX(p hits.Period, opts Options) Bundle {
	sensor := opts.sensor()
	class := opts.IdentityClass
	if class == "" {
		class = "system"
	}
	ic := opts.IdentityCreated
	if ic.IsZero() {
		ic = IdentityEpoch
	}
	ident := Identity{Object: object("identity", "identity\x00"+sensor, ic), Name: sensor, IdentityClass: class}
	b := Bundle{Type: "bundle", Objects: []any{ident}}
	period := p.From.UTC().Format(time.RFC3339Nano) + "/" + p.To.UTC().Format(time.RFC3339Nano)
	b.ID = "bundle--" + uuid5("bundle\x00"+sensor+"\x00"+period)
	var sights []any
	for i := range p.Entries {
		e := &p.Entries[i]
		if e.Count <= 0 {
			continue
		}
		var refs []string
		for _, id := range e.IDs {
			if strings.HasPrefix(id, "indicator--") && len(id) == len("indicator--")+36 && bareUUID.MatchString(id[len("indicator--"):]) {
				refs = append(refs, strings.ToLower(id))
			}
		}
		if len(refs) == 0 {
			ind := madeIndicator(e, p)
			b.Objects = append(b.Objects, ind)
			refs = []string{ind.ID}
		}
		for _, ref := range refs {
			s := Sighting{Object: object("sighting", "sighting\x00"+sensor+"\x00"+ref+"\x00"+e.Key().String()+"\x00"+period, p.To),
				CreatedByRef: ident.ID, SightingOfRef: ref,
				Count: min(e.Count, MaxCount), WhereSightedRefs: []string{ident.ID},
				Description: fmt.Sprintf("%s matched %d lines", e.Key(), e.Count),
			}
			if !e.FirstHit.IsZero() && !e.LastHit.IsZero() {
				s.FirstSeen, s.LastSeen = stamp(e.FirstHit), stamp(e.LastHit)
			}
			sights = append(sights, s)
		}
	}
	b.Objects = append(b.Objects, sights...)
	return b
}

// WriteSTIX writes the bundle of the sightings of p (STIX) to w as JSON,
// one object per line.
func WriteSTIX(w io.Writer, p hits.Period, opts Options) error {
	b := STIX(p, opts)
	return writeList(w, fmt.Sprintf(`{"type":"bundle","id":%q,"objects":[`, b.ID), b.Objects, "\n]}\n")
}

// madeIndicator is the indicator made for entry e.
func madeIndicator(e *hits.EntryStats, p hits.Period) Indicator {
	t := e.Since
	if t.IsZero() {
		t = e.FirstHit
	}
	if t.IsZero() {
		t = p.To
	}
	pat, typ := Pattern(e.Type, e.Value)
	var labels []string
	for _, s := range e.Sources {
		labels = append(labels, "source:"+s)
	}
	return Indicator{Object: object("indicator", "indicator\x00"+e.Key().String(), t), Name: e.Value,
		Description: "made by iocmatch for its sightings of " + e.Key().String(),
		Pattern:     pat, PatternType: typ, ValidFrom: stamp(t), Labels: labels}
}

// Pattern returns the STIX pattern of an indicator of type t and
// canonical value v, and its pattern_type: "stix", or "pcre" for the
// "string" type, which no STIX Cyber-observable object holds (a
// case-insensitive PCRE of the literal).
func Pattern(t indicator.Type, v string) (pattern, patternType string) {
	q := func(s string) string {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
	}
	var path string
	switch t {
	case indicator.IPv4:
		path = "ipv4-addr:value"
	case indicator.IPv6:
		path = "ipv6-addr:value"
	case indicator.CIDR:
		path = "ipv4-addr:value"
		if strings.Contains(v, ":") {
			path = "ipv6-addr:value"
		}
	case indicator.Domain:
		path = "domain-name:value"
	case indicator.URL:
		path = "url:value"
	case indicator.Email:
		path = "email-addr:value"
	case indicator.MD5:
		path = "file:hashes.MD5"
	case indicator.SHA1:
		path = "file:hashes.'SHA-1'"
	case indicator.SHA256:
		path = "file:hashes.'SHA-256'"
	case indicator.SHA512:
		path = "file:hashes.'SHA-512'"
	case indicator.Filename:
		path = "file:name"
	case indicator.RegKey:
		path, v = "windows-registry-key:key", longHive(v)
	case indicator.Mutex:
		path = "mutex:name"
	case indicator.UserAgent:
		path = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'"
	case indicator.EmailSubject:
		path = "email-message:subject"
	default:
		return "(?i)" + regexp.QuoteMeta(v), "pcre"
	}
	return "[" + path + " = " + q(v) + "]", "stix"
}

// longHive writes the hive of a registry key (canonically abbreviated,
// "HKLM\…") with its long name, as STIX and MISP want it.
func longHive(v string) string {
	hive, rest, ok := strings.Cut(v, `\`)
	long, known := map[string]string{
		"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER", "HKCR": "HKEY_CLASSES_ROOT",
		"HKU": "HKEY_USERS", "HKCC": "HKEY_CURRENT_CONFIG",
	}[hive]
	if !known {
		return v
	}
	if !ok {
		return long
	}
	return long + `\` + rest
}

// Format is the format of a sightings export.
type Format string

// The formats.
const (
	FormatMISP Format = "misp" // WriteMISP
	FormatSTIX Format = "stix" // WriteSTIX
)

// ParseFormat reads "misp" or "stix" (any case), e.g. iocscan's
// -sightings-format.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatMISP, FormatSTIX:
		return f, nil
	}
	return "", fmt.Errorf("sightings: format %q: not misp or stix", s)
}

// Write writes the sightings of p to w in format f.
func Write(w io.Writer, f Format, p hits.Period, opts Options) error {
	switch f {
	case FormatMISP:
		return WriteMISP(w, p, opts)
	case FormatSTIX:
		return WriteSTIX(w, p, opts)
	}
	return fmt.Errorf("sightings: format %q: not misp or stix", string(f))
}

// WriteFile writes the sightings of p to the file path in format f,
// atomically (a temporary file renamed over path): a poster that picks
// the file up never reads half of it.
func WriteFile(path string, f Format, p hits.Period, opts Options) error {
	if _, err := ParseFormat(string(f)); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, func(w io.Writer) error { return Write(w, f, p, opts) }); err != nil {
		return fmt.Errorf("sightings: writing %s: %w", path, err)
	}
	return nil
}
