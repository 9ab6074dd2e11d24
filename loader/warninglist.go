package loader

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strings"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// Warninglist is a MISP warninglist (the list.json files of
// github.com/MISP/misp-warninglists): values known to be benign or
// uninteresting — top sites, cloud ranges, public resolvers, hashes of
// empty files — used as an allowlist, not as indicators to match.
//
// Contains matches a value by the list's Type:
//
//   - "string" (the default): the value equals an entry, ignoring case.
//     (MISP compares exactly; iocmatch's canonical values are lower case,
//     and lists such as "tlds" are upper case.)
//   - "substring": the value contains an entry, ignoring case.
//   - "hostname": the host name of the value — the value itself, or the
//     host of a URL ("scheme://host[:port]/…" or "host/path"), lower case
//     without a trailing '.' — is an entry or a subdomain of one. Entries
//     are lower-cased and leading and trailing dots dropped (".example.com"
//     is "example.com"): Hostnames.
//   - "cidr": the value is an IP address, or a CIDR prefix, inside an
//     entry. Entries are addresses or prefixes; an address is a /32 or
//     /128 prefix: Prefixes.
//   - "regex": one of the entries, PCRE regular expressions written
//     "/pattern/flags", matches the value. They are compiled with Go's
//     regexp (RE2 syntax, linear time): Regexps. The flags i, m, s and U
//     are applied; g, u, D and S are ignored (they change nothing for a
//     mispSingle match); an entry without delimiters is compiled as it is.
//
// Entries are kept as given in Entries, whatever the type; an entry that
// cannot be read for its type (a cidr entry that is no address, a regex Go
// cannot compile, an empty entry) is reported as a problem and left out of
// the parsed forms.
type Warninglist struct {
	// Path is the file the list was read from, as given to Load or Read
	// ("" for a list built by hand): a list's directory in the MISP
	// repository ("lists/rfc1918/list.json") is its short name.
	Path        string
	Name        string
	Description string
	Version     int64
	// Type is "string", "substring", "hostname", "cidr" or "regex".
	Type string
	// Category is the list's "category" ("false-positive", "known" …),
	// or "" when it has none.
	Category string
	// MatchingAttributes are the MISP attribute types the list applies to
	// ("ip-src", "domain" …); none means every type.
	MatchingAttributes []string
	// Entries are the entries as given, in input order. A list written as
	// an object ({"entry": "comment", …}) has its keys here.
	Entries []string

	Prefixes  []netip.Prefix   // Type "cidr": the entries as prefixes
	Hostnames []string         // Type "hostname": the entries, lower case, without leading or trailing '.'
	Regexps   []*regexp.Regexp // Type "regex": the entries compiled

	// indexes built by the reader; Contains scans the fields above when
	// they are nil (a Warninglist built by hand)
	set  map[string]struct{}           // "string": lower-cased entries; "hostname": Hostnames
	nets map[int]map[netip.Prefix]bool // "cidr": masked prefixes by length
}

// The warninglist types.
const (
	WarninglistString    = "string"
	WarninglistSubstring = "substring"
	WarninglistHostname  = "hostname"
	WarninglistCIDR      = "cidr"
	WarninglistRegex     = "regex"
)

// Contains reports whether value matches the list (see Warninglist). A
// list of an unknown type contains nothing.
func (w *Warninglist) Contains(value string) bool {
	switch w.Type {
	case WarninglistString, "":
		v := strings.ToLower(value)
		if w.set != nil {
			_, ok := w.set[v]
			return ok
		}
		for _, e := range w.Entries {
			if strings.TrimSpace(e) != "" && strings.ToLower(e) == v { // blank entries are problems, not entries
				return true
			}
		}
	case WarninglistSubstring:
		v := strings.ToLower(value)
		for _, e := range w.Entries {
			if e != "" && strings.Contains(v, strings.ToLower(e)) {
				return true
			}
		}
	case WarninglistHostname:
		h := canon.HostOf(value)
		for h != "" {
			if w.hasHostname(h) {
				return true
			}
			i := strings.IndexByte(h, '.')
			if i < 0 {
				break
			}
			h = h[i+1:]
		}
	case WarninglistCIDR:
		p, ok := wlPrefixOf(value)
		if !ok {
			return false
		}
		if w.nets != nil {
			for bits, set := range w.nets {
				if bits <= p.Bits() && set[netip.PrefixFrom(p.Addr(), bits).Masked()] {
					return true
				}
			}
			return false
		}
		for _, q := range w.Prefixes {
			if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
				return true
			}
		}
	case WarninglistRegex:
		for _, re := range w.Regexps {
			if re.MatchString(value) {
				return true
			}
		}
	}
	return false
}

func (w *Warninglist) hasHostname(h string) bool {
	if w.set != nil {
		_, ok := w.set[h]
		return ok
	}
	for _, e := range w.Hostnames {
		if e == h {
			return true
		}
	}
	return false
}

// wlPrefixOf reads an address (as a full-length prefix) or a CIDR prefix,
// masked, with IPv4-mapped IPv6 addresses as IPv4.
func wlPrefixOf(v string) (netip.Prefix, bool) { return canon.PrefixOf(strings.TrimSpace(v)) }

// pcreToGo turns a PCRE regular expression "/pattern/flags" (any
// delimiter, or the bracket pairs) into Go regexp syntax.
func pcreToGo(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty regex")
	}
	d := s[0]
	if d >= 'a' && d <= 'z' || d >= 'A' && d <= 'Z' || d >= '0' && d <= '9' || d == '\\' || d == ' ' || d >= 0x80 {
		return s, nil // no delimiters
	}
	end := d
	switch d {
	case '(':
		end = ')'
	case '[':
		end = ']'
	case '{':
		end = '}'
	case '<':
		end = '>'
	}
	i := strings.LastIndexByte(s, end)
	if i < 1 {
		return "", fmt.Errorf("no closing delimiter %q", end)
	}
	pat, flags := s[1:i], s[i+1:]
	goFlags := ""
	for _, f := range flags {
		switch f {
		case 'i', 'm', 's', 'U':
			if !strings.ContainsRune(goFlags, f) {
				goFlags += string(f)
			}
		case 'g', 'u', 'D', 'S', '\n', '\r', ' ':
		default:
			return "", fmt.Errorf("unsupported PCRE flag %q", f)
		}
	}
	if goFlags != "" {
		pat = "(?" + goFlags + ")" + pat
	}
	return pat, nil
}

// ReadWarninglist reads a MISP warninglist (list.json) from r into
// Result.Warninglists; it gives no indicators. path and the error are as
// for ReadMISP.
//
// The list is a JSON object with "name", "description", "version" (a
// number or a string of digits), "type" (see Warninglist; "string" when
// absent), "category", "matching_attributes" (an array of attribute types)
// and "list", an array of entries (strings; numbers are taken as their
// text) or an object whose keys are the entries. The entries are streamed:
// a list of any length is read without holding more than its entries.
// Other members are skipped.
//
// Problems: a document that is not an object, without "list", or of an
// unknown type (ReasonUnknownType) is one problem, and no Warninglist is
// added. An entry that is not a string, or cannot be read for the list's
// type (see Warninglist), is a problem whose record is "list[i]" (the
// 0-based index; the key for a list written as an object); the list is
// added without it in its parsed form.
func ReadWarninglist(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatWarninglist, r, path, opts)
}

// readWarninglist reads a MISP warninglist from r into c.
func readWarninglist(c *collector, r io.Reader) error {
	j := newJSONStream(c, r)
	fail := j.fail
	t, err := j.Token()
	if err != nil {
		return fail("", err)
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return c.problem(0, ReasonMalformed, "not a MISP warninglist (a JSON object)")
	}
	w := Warninglist{Path: c.path}
	hasList := false
	var keys []string // record names of the entries of a list written as an object
	for j.More() {
		t, err := j.Token()
		if err != nil {
			return fail("", err)
		}
		key, _ := t.(string)
		var s flexString
		switch key {
		case "name", "description", "type", "category":
			err = j.Decode(&s)
			v := strings.TrimSpace(string(s))
			switch key {
			case "name":
				w.Name = v
			case "description":
				w.Description = v
			case "type":
				w.Type = v
			default:
				w.Category = v
			}
		case "version":
			var n flexInt
			err = j.Decode(&n)
			w.Version = int64(n)
		case "matching_attributes":
			var ma []flexString
			err = j.Decode(&ma)
			for _, a := range ma {
				w.MatchingAttributes = append(w.MatchingAttributes, string(a))
			}
		case "list":
			hasList = true
			keys, err = readWarninglistEntries(c, j, &w)
			if err == errMISPStop {
				return nil
			}
			if err != nil {
				return err
			}
		default:
			err = j.Skip()
		}
		var re *recordError
		if errors.As(err, &re) {
			err = c.problemRec(key, ReasonMalformed, re.Error())
		} else if err != nil {
			return fail(key, err)
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
			return c.problem(0, ReasonMalformed, "more than one JSON value: not a MISP warninglist")
		}
		return fail("", err)
	}
	if !hasList {
		return c.problem(0, ReasonMalformed, `no "list": not a MISP warninglist`)
	}
	if w.Type == "" {
		w.Type = WarninglistString
	}
	switch w.Type {
	case WarninglistString, WarninglistSubstring, WarninglistHostname, WarninglistCIDR, WarninglistRegex:
	default:
		return c.problem(0, ReasonUnknownType, fmt.Sprintf("warninglist type %q: not string, substring, hostname, cidr or regex", w.Type))
	}
	if err := w.parse(c, keys); err != nil {
		return err
	}
	c.res.Warninglists = append(c.res.Warninglists, w)
	return nil
}

// readWarninglistEntries reads the value of "list" into w.Entries. For a
// list written as an object it returns the record name of each entry.
func readWarninglistEntries(c *collector, j *jsonStream, w *Warninglist) (keys []string, err error) {
	fail := func(record string, err error) error {
		if e := j.fail(record, err); e != nil {
			return e
		}
		return errMISPStop
	}
	t, err := j.Token()
	if err != nil {
		return nil, fail("list", err)
	}
	switch t {
	case json.Delim('['):
		for i := 0; j.More(); i++ {
			rec := fmt.Sprintf("list[%d]", i)
			t, err := j.Token()
			if err != nil {
				return nil, fail(rec, err)
			}
			switch v := t.(type) {
			case string:
				w.Entries = append(w.Entries, v)
				continue
			case json.Number:
				w.Entries = append(w.Entries, v.String())
				continue
			case json.Delim: // an array or object: skip the rest of it
				for depth := 1; depth > 0; {
					t, err := j.Token()
					if err != nil {
						return nil, fail(rec, err)
					}
					if d, ok := t.(json.Delim); ok {
						if d == '[' || d == '{' {
							depth++
						} else {
							depth--
						}
					}
				}
			}
			if err := c.problemRec(rec, ReasonMalformed, fmt.Sprintf("entry %v: not a string", wlJSONKind(t))); err != nil {
				return nil, err
			}
		}
	case json.Delim('{'):
		for j.More() {
			t, err := j.Token()
			if err != nil {
				return nil, fail("list", err)
			}
			key, _ := t.(string)
			if err := j.Skip(); err != nil { // the comment
				return nil, fail("list."+key, err)
			}
			w.Entries = append(w.Entries, key)
			keys = append(keys, fmt.Sprintf("list[%q]", key))
		}
	default:
		if err := c.problemRec("list", ReasonMalformed, "not an array or object of entries"); err != nil {
			return nil, err
		}
		return nil, errMISPStop
	}
	if _, err := j.Token(); err != nil {
		return nil, fail("list", err)
	}
	return keys, nil
}

// wlJSONKind names the JSON kind of a token, for messages.
func wlJSONKind(t any) string {
	switch t := t.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprint(t)
	case json.Delim:
		if t == '[' {
			return "array"
		}
		return "object"
	}
	return fmt.Sprintf("%v", t)
}

// parse fills the parsed forms and indexes of w from its entries,
// reporting the bad ones; keys name the entries of a list written as an
// object.
func (w *Warninglist) parse(c *collector, keys []string) error {
	bad := func(i int, reason, msg string) error {
		rec := fmt.Sprintf("list[%d]", i)
		if keys != nil {
			rec = keys[i]
		}
		return c.problemRec(rec, reason, msg)
	}
	switch w.Type {
	case WarninglistString:
		w.set = make(map[string]struct{}, len(w.Entries))
	case WarninglistHostname:
		w.set = make(map[string]struct{}, len(w.Entries))
	case WarninglistCIDR:
		w.nets = make(map[int]map[netip.Prefix]bool)
	}
	for i, e := range w.Entries {
		if strings.TrimSpace(e) == "" {
			if err := bad(i, ReasonInvalidValue, fmt.Sprintf("empty entry %q", e)); err != nil {
				return err
			}
			continue
		}
		switch w.Type {
		case WarninglistString:
			w.set[strings.ToLower(e)] = struct{}{}
		case WarninglistHostname:
			h := strings.ToLower(strings.Trim(strings.TrimSpace(e), "."))
			if h == "" {
				if err := bad(i, ReasonInvalidValue, fmt.Sprintf("hostname entry %q: no name", e)); err != nil {
					return err
				}
				continue
			}
			if _, dup := w.set[h]; !dup {
				w.set[h] = struct{}{}
				w.Hostnames = append(w.Hostnames, h)
			}
		case WarninglistCIDR:
			p, ok := wlPrefixOf(e)
			if !ok {
				if err := bad(i, ReasonInvalidValue, fmt.Sprintf("cidr entry %q: not an IP address or CIDR prefix", e)); err != nil {
					return err
				}
				continue
			}
			w.Prefixes = append(w.Prefixes, p)
			set := w.nets[p.Bits()]
			if set == nil {
				set = make(map[netip.Prefix]bool)
				w.nets[p.Bits()] = set
			}
			set[p] = true
		case WarninglistRegex:
			pat, err := pcreToGo(e)
			var re *regexp.Regexp
			if err == nil {
				re, err = regexp.Compile(pat)
			}
			if err != nil {
				if err := bad(i, ReasonInvalidValue, fmt.Sprintf("regex entry %q: %v", e, err)); err != nil {
					return err
				}
				continue
			}
			w.Regexps = append(w.Regexps, re)
		}
	}
	return nil
}
