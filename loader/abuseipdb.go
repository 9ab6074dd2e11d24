package loader

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// AbuseIPDBSource is the default source name (Meta.Source) of the
// indicators of an AbuseIPDB blacklist.
const AbuseIPDBSource = "abuseipdb"

// ReadAbuseIPDB reads an AbuseIPDB blacklist (GET /api/v2/blacklist) from
// r, in any of its three forms:
//
//	{"meta": {"generatedAt": …}, "data": [{"ipAddress": …, …}, …]}   the JSON (or the data array alone)
//	ipAddress,countryCode,abuseConfidenceScore,lastReportedAt         its CSV: a header, then rows
//	198.51.100.7                                                      the plain text (Accept: text/plain)
//
// path names the input in problems and errors; it is not opened.
// Result.Files is 1. The form is told by the content: JSON by its first
// byte ('{' or '['; the data array, one entry, {"data": {…}} as
// /api/v2/check answers, and several such values one after the other
// (JSON lines) are read too), CSV by a header row naming an "ipAddress"
// column (columns in any order and case; a row of commas without a
// header is read in the order above), the plain text otherwise (one
// address per line; blank lines and '#' comments skipped, the first field
// of a line read). The JSON is streamed (each entry at most
// Options.MaxRecordSize), the CSV and text line by line.
//
// Detect finds the JSON (an entry's "ipAddress" with "abuseConfidenceScore"
// or "lastReportedAt"; or "data" with those in the first 64 KiB) and the
// CSV (its header). The plain text cannot be told from any list of
// addresses: it is read as a plain list (ReadList, source the file's
// name) unless Options.Format is FormatAbuseIPDB or it is read by
// ReadAbuseIPDB.
//
// Every entry gives one indicator (an IPv4 or IPv6 address, canonical:
// "2602:fb54:c7b::"), with:
//
//   - Source: "abuseipdb" (AbuseIPDBSource), unless Options.Source is set.
//   - Confidence: abuseConfidenceScore (0 to 100).
//   - LastSeen: lastReportedAt; an entry without one is last seen at the
//     list's meta.generatedAt.
//   - Tags: "country:CC" for countryCode CC (upper-cased).
//   - Description: "AbuseIPDB blacklist generated at T" with the list's
//     meta.generatedAt T (RFC 3339, UTC), when the JSON has one: so the
//     age of the list is kept with every entry. meta may come before or
//     after data; after it, the entries are held until the end of the
//     document.
//
// An entry whose address is not one (indicator.ParseAs of type ipv4 rejects
// it) is a problem (ReasonInvalidValue), quoting it; an entry that is not a
// JSON object of that shape, has no ipAddress, a score that is not an
// integer from 0 to 100 or a lastReportedAt that is not a time, and a CSV
// row with more or fewer fields than the header, is a problem
// (ReasonMalformed). An error answer ({"errors": [{"detail": …}]}) is a
// problem (ReasonMalformed) quoting each detail. Bad JSON and the limits
// end the file, as for every JSON format.
//
// The error is a read error of r, or with opts.Strict the first *Problem;
// the Result then holds what was read before it.
func ReadAbuseIPDB(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatAbuseIPDB, r, path, opts)
}

// abuseEntry is an entry of a blacklist's data array.
type abuseEntry struct {
	IPAddress   *flexString `json:"ipAddress"`
	CountryCode flexString  `json:"countryCode"`
	Score       flexString  `json:"abuseConfidenceScore"`
	LastReport  flexString  `json:"lastReportedAt"`
}

// abuseMeta is a blacklist's meta.
type abuseMeta struct {
	GeneratedAt flexString `json:"generatedAt"`
}

// abuseError is an element of an error answer's "errors".
type abuseError struct {
	Detail flexString `json:"detail"`
	Status flexString `json:"status"`
}

// readAbuseIPDB reads an AbuseIPDB blacklist from r into c.
func readAbuseIPDB(c *collector, r io.Reader) error {
	if !c.forced {
		c.source = AbuseIPDBSource
	}
	br := bufio.NewReaderSize(r, SniffLen)
	head, err := br.Peek(SniffLen)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	head = bytes.TrimPrefix(head, utf8BOM)
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		a := &abuseReader{c: c, j: newJSONStream(c, br)}
		return a.read()
	}
	return readAbuseIPDBLines(c, br)
}

type abuseReader struct {
	c *collector
	j *jsonStream
}

func (a *abuseReader) read() error {
	for n := 0; ; n++ {
		t, err := a.j.Token()
		if err == io.EOF {
			if n == 0 {
				return a.c.problem(0, ReasonMalformed, "no JSON value: not an AbuseIPDB blacklist")
			}
			return nil
		}
		if err == nil {
			path := ""
			if n > 0 {
				path = fmt.Sprintf("(value %d)", n+1)
			}
			err = a.value(t, path)
		} else {
			err = a.fail("", err)
		}
		if err == errOTXStop {
			if a.j.resume() {
				continue
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// fail reports the stream error err, which ends the file, about record.
func (a *abuseReader) fail(record string, err error) error {
	if err == errOTXStop {
		return err
	}
	var p *Problem
	if errors.As(err, &p) {
		return err
	}
	if e := a.j.fail(record, err); e != nil {
		return e
	}
	return errOTXStop
}

// value reads the top-level value whose first token t was read: the
// document or an entry (an object), or the data array.
func (a *abuseReader) value(t json.Token, path string) error {
	switch t {
	case json.Delim('{'):
		return a.object(path)
	case json.Delim('['):
		return a.data(path, time.Time{})
	}
	return a.c.problemRec(otxRecName(path), ReasonMalformed, fmt.Sprintf("a JSON %s, not an AbuseIPDB blacklist", jsonKind(t)))
}

// data reads the elements of the data array just opened, as entries of a
// list generated at gen (or zero).
func (a *abuseReader) data(path string, gen time.Time) error {
	for i := 0; a.j.More(); i++ {
		rec := otxElemPath(path, i)
		raw, err := a.j.Raw()
		if err != nil {
			return a.fail(rec, err)
		}
		if err := a.entry(rec, raw, gen); err != nil {
			return err
		}
	}
	if _, err := a.j.Token(); err != nil { // ']'
		return a.fail(path, err)
	}
	return nil
}

// entry reads one entry, raw, at rec.
func (a *abuseReader) entry(rec string, raw json.RawMessage, gen time.Time) error {
	if len(raw) == 0 || raw[0] != '{' {
		return a.c.problemRec(rec, ReasonMalformed, fmt.Sprintf("a JSON %s, not an AbuseIPDB entry", jsonValueKind(raw)))
	}
	var e abuseEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return a.c.problemRec(rec, ReasonMalformed, "entry: "+jsonErrorText(err))
	}
	if e.IPAddress == nil {
		return a.c.problemRec(rec, ReasonMalformed, `entry: no "ipAddress"`)
	}
	ind, reason, err := abuseIndicator(string(*e.IPAddress), string(e.CountryCode), string(e.Score), string(e.LastReport), gen)
	if err != nil {
		return a.c.problemRec(rec, reason, err.Error())
	}
	return a.c.add(ind)
}

// object reads the object at path just opened: a blacklist ({"meta",
// "data"}), an error answer ({"errors"}), or one entry.
func (a *abuseReader) object(path string) error {
	var gen time.Time
	genSeen := false
	var heldFrom, held int = -1, 0
	kept := map[string]json.RawMessage{}
	size := int64(0)
	defer func() {
		for ; held > 0; held-- {
			a.c.release()
		}
	}()
	isDoc := false
	for a.j.More() {
		t, err := a.j.Token()
		if err != nil {
			return a.fail(path, err)
		}
		key, _ := t.(string)
		kp := mispKeyPath(path, key)
		switch key {
		case "data":
			isDoc = true
			t, err := a.j.Token()
			if err != nil {
				return a.fail(kp, err)
			}
			switch t {
			case json.Delim('['):
				if !genSeen && held == 0 {
					// meta may follow: hold the entries to give them its date
					a.c.hold()
					held++
					heldFrom = len(a.c.res.Indicators)
				}
				if err := a.data(kp, gen); err != nil {
					return err
				}
			case json.Delim('{'): // /api/v2/check: one entry
				raw, err := a.rest(kp)
				if err != nil {
					return err
				}
				if err := a.entry(kp, raw, gen); err != nil {
					return err
				}
			case nil:
			default:
				if err := a.c.problemRec(kp, ReasonMalformed, fmt.Sprintf(`"data" is a JSON %s, not an array`, jsonKind(t))); err != nil {
					return err
				}
			}
		case "meta":
			isDoc = true
			var m abuseMeta
			err := a.j.Decode(&m)
			var re *recordError
			if errors.As(err, &re) {
				if err := a.c.problemRec(kp, ReasonMalformed, "meta: "+jsonErrorText(re.err)); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return a.fail(kp, err)
			}
			g, err := otxTime(m.GeneratedAt)
			if err != nil {
				if err := a.c.problemRec(kp, ReasonMalformed, "meta: generatedAt: "+err.Error()); err != nil {
					return err
				}
				continue
			}
			gen, genSeen = g, true
		case "errors":
			isDoc = true
			var errs []abuseError
			err := a.j.Decode(&errs)
			var re *recordError
			if err != nil && !errors.As(err, &re) {
				return a.fail(kp, err)
			}
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, joinNonEmpty(strings.TrimSpace(string(e.Status)), strings.TrimSpace(string(e.Detail))))
			}
			if err := a.c.problemRec(kp, ReasonMalformed, "AbuseIPDB error: "+quoteShortN(strings.Join(msgs, " | "), 256)); err != nil {
				return err
			}
		default:
			raw, err := a.j.Raw()
			if err != nil {
				return a.fail(kp, err)
			}
			size += int64(len(key) + len(raw))
			if max := a.c.opts.maxRecordSize(); size > max {
				return a.fail(path, &limitError{ReasonTooLarge, fmt.Sprintf("JSON value larger than %d bytes (at byte %d)", max, a.j.Offset())})
			}
			kept[key] = append(json.RawMessage(nil), raw...)
		}
	}
	if _, err := a.j.Token(); err != nil { // '}'
		return a.fail(path, err)
	}
	if held > 0 && genSeen {
		for i := heldFrom; i < len(a.c.res.Indicators); i++ {
			abuseGenerated(&a.c.res.Indicators[i], gen)
		}
	}
	if isDoc {
		return nil
	}
	if kept["ipAddress"] == nil {
		return a.c.problemRec(otxRecName(path), ReasonMalformed, `not an AbuseIPDB blacklist or entry (no "data" or "ipAddress")`)
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return err // cannot happen: the values are valid JSON
	}
	return a.entry(otxRecName(path), raw, time.Time{})
}

// rest reads the rest of the object just opened, whole, as JSON.
func (a *abuseReader) rest(path string) (json.RawMessage, error) {
	kept := map[string]json.RawMessage{}
	for a.j.More() {
		t, err := a.j.Token()
		if err != nil {
			return nil, a.fail(path, err)
		}
		key, _ := t.(string)
		raw, err := a.j.Raw()
		if err != nil {
			return nil, a.fail(path, err)
		}
		kept[key] = append(json.RawMessage(nil), raw...)
	}
	if _, err := a.j.Token(); err != nil {
		return nil, a.fail(path, err)
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// abuseGenerated gives ind the date gen of its list.
func abuseGenerated(ind *indicator.Indicator, gen time.Time) {
	if gen.IsZero() {
		return
	}
	ind.Description = "AbuseIPDB blacklist generated at " + gen.Format(time.RFC3339)
	if ind.LastSeen.IsZero() {
		ind.LastSeen = gen
	}
}

// abuseIndicator makes the indicator of an entry from its fields, or
// returns the reason and error of the problem.
func abuseIndicator(ip, country, score, last string, gen time.Time) (indicator.Indicator, string, error) {
	ind, err := indicator.ParseAs(indicator.IPv4, ip)
	if err != nil {
		return ind, ReasonInvalidValue, err
	}
	if s := strings.TrimSpace(score); s != "" {
		n, err := abuseScore(s)
		if err != nil {
			return ind, ReasonMalformed, fmt.Errorf("%s: abuseConfidenceScore %s: want an integer from 0 to 100", ind.Value, quoteShortN(s, 40))
		}
		ind.Confidence = indicator.MustConfidence(n)
	}
	ls, err := otxTime(flexString(last))
	if err != nil {
		return ind, ReasonMalformed, fmt.Errorf("%s: lastReportedAt: %v", ind.Value, err)
	}
	ind.LastSeen = ls
	if cc := strings.ToUpper(strings.TrimSpace(country)); cc != "" {
		ind.Tags = []string{"country:" + cc}
	}
	abuseGenerated(&ind, gen)
	return ind, "", nil
}

// abuseScore parses a score 0..100 ("100", "100.0").
func abuseScore(s string) (int, error) {
	s = strings.TrimSuffix(s, ".0")
	n := 0
	if s == "" || len(s) > 3 {
		return 0, errors.New("bad score")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("bad score")
		}
		n = n*10 + int(s[i]-'0')
	}
	if n > 100 {
		return 0, errors.New("bad score")
	}
	return n, nil
}

// The columns of AbuseIPDB's CSV, in their order without a header.
var abuseColumns = []string{"ipaddress", "countrycode", "abuseconfidencescore", "lastreportedat"}

// abuseHeader returns the index of each of abuseColumns in the header
// fields (or -1), or ok false when fields is not a header naming
// ipAddress.
func abuseHeader(fields []string) (idx [4]int, ok bool) {
	idx = [4]int{-1, -1, -1, -1}
	for i, f := range fields {
		name := strings.ToLower(strings.TrimSpace(f))
		for k, col := range abuseColumns {
			if name == col && idx[k] < 0 {
				idx[k] = i
			}
		}
	}
	return idx, idx[0] >= 0
}

// readAbuseIPDBLines reads the CSV or plain text form from r into c.
func readAbuseIPDBLines(c *collector, r io.Reader) error {
	var cols [4]int
	nfields := 0 // fields of the header, 0 before it (or without one)
	started := false
	return readLines(c, r, func(n int, text string) error {
		if !started {
			started = true
			if fs, ok := splitLine([]byte(text), ','); ok {
				if idx, ok := abuseHeader(fs); ok {
					cols, nfields = idx, len(fs)
					return nil
				}
			}
		}
		if nfields == 0 && !strings.Contains(text, ",") {
			ind, err := indicator.ParseAs(indicator.IPv4, firstField(text))
			if err == nil {
				err = c.add(ind)
			} else {
				err = c.problem(n, ReasonInvalidValue, err.Error())
			}
			return err
		}
		fs, ok := splitLine([]byte(text), ',')
		var perr error
		switch {
		case !ok:
			perr = c.problem(n, ReasonMalformed, fmt.Sprintf("unclosed quote: %s", quoteShortN(text, 120)))
		case nfields > 0 && len(fs) != nfields:
			perr = c.problem(n, ReasonMalformed, fmt.Sprintf("%d fields, the header has %d: %s", len(fs), nfields, quoteShortN(text, 120)))
		case nfields == 0 && len(fs) != len(abuseColumns):
			perr = c.problem(n, ReasonMalformed, fmt.Sprintf("%d fields, not %d (ipAddress,countryCode,abuseConfidenceScore,lastReportedAt): %s", len(fs), len(abuseColumns), quoteShortN(text, 120)))
		default:
			idx := cols
			if nfields == 0 {
				idx = [4]int{0, 1, 2, 3}
			}
			get := func(k int) string {
				if idx[k] < 0 {
					return ""
				}
				return fs[idx[k]]
			}
			ind, reason, err := abuseIndicator(get(0), get(1), get(2), get(3), time.Time{})
			if err != nil {
				perr = c.problem(n, reason, err.Error())
			} else {
				perr = c.add(ind)
			}
		}
		return perr
	})
}

// sniffAbuseIPDBJSON reports whether JSON head (top-level keys keys) is an
// AbuseIPDB blacklist: an entry (or the data array's first) with
// "ipAddress" and "abuseConfidenceScore" or "lastReportedAt", or "data"
// with those keys in head.
func sniffAbuseIPDBJSON(head []byte, keys map[string]struct{}) bool {
	has := func(k string) bool { _, ok := keys[k]; return ok }
	if has("ipAddress") {
		return has("abuseConfidenceScore") || has("lastReportedAt")
	}
	if has("data") {
		return bytes.Contains(head, []byte(`"ipAddress"`)) &&
			(bytes.Contains(head, []byte(`"abuseConfidenceScore"`)) || bytes.Contains(head, []byte(`"generatedAt"`)))
	}
	return false
}

// sniffAbuseIPDBCSV reports whether text head is an AbuseIPDB blacklist
// CSV: its first line that is neither blank nor a '#' comment a header
// naming ipAddress and abuseConfidenceScore.
func sniffAbuseIPDBCSV(head []byte) bool {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimSpace(bytes.TrimPrefix(line, utf8BOM))
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		fs, ok := splitLine(line, ',')
		if !ok {
			return false
		}
		idx, ok := abuseHeader(fs)
		return ok && idx[2] >= 0
	}
	return false
}
