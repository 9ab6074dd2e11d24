package loader

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iocmatch/iocmatch/indicator"
)

// ReadRecordedFuture reads a Recorded Future risk list from r: the CSV of
// /v2/<entity>/risklist?format=csv/splunk and of the Fusion
// default_*_risklist.csv files. path names the input in problems and
// errors, and gives the default source name (SourceName); it is not
// opened. Result.Files is 1.
//
// The first row is the header, quoted or not; its columns are found by
// name, in any order and case: "Name" (the value, required), "Risk",
// "RiskString", "EvidenceDetails" and, on hash lists, "Algorithm". Each
// row after it is one indicator (all rows are read, whatever their Risk:
// filtering by confidence is the matcher's, match.Options.MinConfidence):
//
//   - The value is "Name": of the type "Algorithm" names ("SHA-256",
//     "MD5" …) when the column is there, else inferred
//     (indicator.Parse: IP lists, domain lists, URL lists and hash lists
//     without the column all read).
//   - Confidence: "Risk" (0-99, or 100). A Risk that is not a number in
//     0-100 is a problem of the row (ReasonMalformed).
//   - EvidenceDetails is JSON, {"EvidenceDetails": [ rule … ]} (or the
//     bare array): each rule's "Rule" (its name) is a tag, and so is each
//     distinct "CriticalityLabel" ("Unusual", "Suspicious", "Malicious",
//     "Very Malicious"), after the rule names. Severity is that of the
//     highest "Criticality": 1 (Unusual) low, 2 (Suspicious) medium,
//     3 (Malicious) high, 4 (Very Malicious) critical, 0 info; a rule
//     without Criticality is rated by its label. Description is the
//     "Rule: EvidenceString" of the rule of highest criticality (the
//     latest of those), cut to about 200 characters. LastSeen is the
//     latest "Timestamp" of the rules, FirstSeen the earliest: the span of
//     the evidence Recorded Future holds. Source is, as for CSV, the
//     file's name (or Options.Source).
//   - Malformed rows that still name a good value and Risk are read with
//     what is recoverable, and the defect is counted in Result.Unsupported,
//     like the malformed sightings of MISP: EvidenceDetails that is not
//     JSON (or not of the shape above) gives the indicator without the
//     evidence metadata ("recordedfuture evidence: not JSON"), with the
//     Description "evidence not read: not JSON" as its note; a row with
//     more fields than the header where the extra fields are empty ones
//     (a stray ",," after Name, as in a real export) is realigned by
//     dropping them ("recordedfuture row: extra empty field"). Any other
//     row of the wrong number of fields, or without a Name, is a problem
//     of its row (ReasonMalformed), and an invalid value one
//     (ReasonInvalidValue); never a problem of the file.
//
// CSV is read as in ReadCSV: quoted fields spanning lines, "" inside
// quotes, each record at most Options.MaxLineLen bytes (a longer one is a
// problem, ReasonLineTooLong, and skipped in bounded memory).
func ReadRecordedFuture(r io.Reader, path string, opts Options) (Result, error) {
	return readAs(FormatRecordedFuture, r, path, opts)
}

// rfColumns are the indexes of the columns of a risk list, -1 if absent.
type rfColumns struct {
	n                                        int // number of columns
	name, risk, riskString, evidence, algort int
}

func rfHeader(fields []string) (rfColumns, bool) {
	cols := rfColumns{n: len(fields), name: -1, risk: -1, riskString: -1, evidence: -1, algort: -1}
	for i, f := range fields {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "name":
			cols.name = i
		case "risk":
			cols.risk = i
		case "riskstring":
			cols.riskString = i
		case "evidencedetails":
			cols.evidence = i
		case "algorithm":
			cols.algort = i
		}
	}
	return cols, cols.name >= 0 && (cols.risk >= 0 || cols.evidence >= 0)
}

func readRecordedFuture(c *collector, r io.Reader) error {
	var cols *rfColumns
	return readCSVRecords(c, r, csvRecords{
		comma: func() byte { return ',' },
		line: func(n int, b []byte) (bool, error) {
			return len(bytes.TrimLeftFunc(b, unicode.IsSpace)) == 0, nil
		},
		record: func(fields []string, line int) error {
			if cols == nil {
				h, ok := rfHeader(fields)
				if !ok {
					if err := c.problem(line, ReasonBadHeader, fmt.Sprintf("not a Recorded Future risk list header (Name, Risk, RiskString, EvidenceDetails): %s", quoteShortN(strings.Join(fields, ","), 120))); err != nil {
						return err
					}
					return errStopRecords // no header: reported
				}
				cols = &h
				return nil
			}
			return rfRecord(c, cols, fields, line)
		},
	})
}

// rfRecord reads one row of a risk list.
func rfRecord(c *collector, cols *rfColumns, fields []string, line int) error {
	realigned := false
	if len(fields) > cols.n {
		fields, realigned = rfRealign(fields, cols.n)
	}
	if len(fields) != cols.n {
		return c.problem(line, ReasonMalformed, fmt.Sprintf("%d fields, not the header's %d: %s", len(fields), cols.n, quoteShortN(strings.Join(fields, ","), 120)))
	}
	get := func(i int) string {
		if i < 0 {
			return ""
		}
		return strings.TrimSpace(fields[i])
	}
	name := get(cols.name)
	if name == "" {
		return c.problem(line, ReasonMalformed, "no Name")
	}
	var ind indicator.Indicator
	var err error
	if alg := get(cols.algort); alg != "" {
		t, terr := indicator.ParseType(alg)
		if terr != nil || !t.IsHash() {
			return c.problem(line, ReasonUnknownType, fmt.Sprintf("Algorithm %s is not a hash type iocmatch has (value %s)", quoteShortN(alg, 40), quoteShortN(name, 80)))
		}
		ind, err = indicator.ParseAs(t, name)
	} else {
		ind, err = indicator.Parse(name)
	}
	if err != nil {
		return c.problem(line, valueReason(err), err.Error())
	}
	if risk := get(cols.risk); risk != "" {
		f, perr := strconv.ParseFloat(risk, 64)
		n := int(math.Round(f))
		if perr != nil || !(f >= 0 && f <= 100) {
			return c.problem(line, ReasonMalformed, fmt.Sprintf("Risk %s of %s is not a number in 0-100", quoteShortN(risk, 40), quoteShortN(name, 80)))
		}
		ind.Confidence, _ = indicator.NewConfidence(n)
	}
	if ev := get(cols.evidence); ev != "" {
		if !rfEvidence(ev, &ind.Meta) {
			c.unsupported("recordedfuture evidence: not JSON")
			ind.Description = "evidence not read: not JSON"
		}
	}
	if realigned {
		c.unsupported("recordedfuture row: extra empty field")
	}
	return c.add(ind)
}

// rfRealign drops empty fields of a row with more fields than the header
// (n), after the first, as many as it has too many, and reports whether
// it did; if there are not enough empty ones it returns fields as they
// are.
func rfRealign(fields []string, n int) ([]string, bool) {
	extra := len(fields) - n
	out := make([]string, 0, n)
	for i, f := range fields {
		if i > 0 && extra > 0 && strings.TrimSpace(f) == "" {
			extra--
			continue
		}
		out = append(out, f)
	}
	if extra > 0 {
		return fields, false
	}
	return out, true
}

// rfRule is one rule of EvidenceDetails.
type rfRule struct {
	Rule             string          `json:"Rule"`
	Name             string          `json:"Name"`
	CriticalityLabel string          `json:"CriticalityLabel"`
	Criticality      json.RawMessage `json:"Criticality"`
	EvidenceString   string          `json:"EvidenceString"`
	Timestamp        string          `json:"Timestamp"`
}

// rfLabels are the severities of the criticality labels of Recorded Future.
var rfLabels = map[string]indicator.Severity{
	"none":           indicator.SeverityInfo,
	"unusual":        indicator.SeverityLow,
	"suspicious":     indicator.SeverityMedium,
	"malicious":      indicator.SeverityHigh,
	"very malicious": indicator.SeverityCritical,
}

// rfSeverity is the severity of a rule: of its Criticality (0-4), else of
// its label.
func rfSeverity(r *rfRule) indicator.Severity {
	var f float64
	if len(r.Criticality) > 0 && json.Unmarshal(r.Criticality, &f) == nil {
		switch n := int(math.Round(f)); {
		case n <= 0:
			return indicator.SeverityInfo
		case n >= 4:
			return indicator.SeverityCritical
		default:
			return indicator.SeverityInfo + indicator.Severity(n)
		}
	}
	return rfLabels[strings.ToLower(strings.TrimSpace(r.CriticalityLabel))]
}

// rfDescriptionLen is about the longest Description a risk list row gives.
const rfDescriptionLen = 200

// rfEvidence applies the EvidenceDetails ev to meta, and reports whether
// it could be read.
func rfEvidence(ev string, meta *indicator.Meta) bool {
	var rules []rfRule
	ev = strings.TrimSpace(ev)
	if strings.HasPrefix(ev, "[") {
		if json.Unmarshal([]byte(ev), &rules) != nil {
			return false
		}
	} else {
		var doc struct {
			EvidenceDetails *[]rfRule `json:"EvidenceDetails"`
		}
		if json.Unmarshal([]byte(ev), &doc) != nil {
			return false
		}
		if doc.EvidenceDetails == nil {
			return ev == "{}"
		}
		rules = *doc.EvidenceDetails
	}
	var top *rfRule
	var topSev indicator.Severity
	var topTime time.Time
	var labels []string
	for i := range rules {
		r := &rules[i]
		rule := strings.TrimSpace(r.Rule)
		if rule == "" {
			rule = strings.TrimSpace(r.Name)
		}
		meta.Tags = rfAppendNew(meta.Tags, rule)
		labels = rfAppendNew(labels, strings.TrimSpace(r.CriticalityLabel))
		sev := rfSeverity(r)
		ts, _ := time.Parse(time.RFC3339Nano, strings.TrimSpace(r.Timestamp))
		ts = ts.UTC()
		if !ts.IsZero() {
			if meta.LastSeen.IsZero() || ts.After(meta.LastSeen) {
				meta.LastSeen = ts
			}
			if meta.FirstSeen.IsZero() || ts.Before(meta.FirstSeen) {
				meta.FirstSeen = ts
			}
		}
		if top == nil || sev > topSev || sev == topSev && ts.After(topTime) {
			top, topSev, topTime = r, sev, ts
		}
	}
	for _, l := range labels {
		meta.Tags = rfAppendNew(meta.Tags, l)
	}
	if top != nil {
		meta.Severity = topSev
		rule := strings.TrimSpace(top.Rule)
		if rule == "" {
			rule = strings.TrimSpace(top.Name)
		}
		// a JSON escape left in the text by the exporter
		text := strings.ReplaceAll(strings.TrimSpace(top.EvidenceString), `\u0026`, "&")
		meta.Description = rfCutRunes(rfJoinNonEmpty(": ", rule, text), rfDescriptionLen)
	}
	return true
}

// rfAppendNew appends s to list unless it is empty or in it already.
func rfAppendNew(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, t := range list {
		if t == s {
			return list
		}
	}
	return append(list, s)
}

// rfJoinNonEmpty joins the non-empty strings with sep.
func rfJoinNonEmpty(sep string, ss ...string) string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

// rfCutRunes cuts s to at most n bytes at a rune boundary, marking the cut
// with "…".
func rfCutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return strings.TrimSpace(s[:i]) + "…"
}

// sniffRecordedFuture reports whether text head is a Recorded Future risk
// list: its first non-empty line is a header, quoted or not, naming the
// columns Name and Risk and RiskString or EvidenceDetails.
func sniffRecordedFuture(head []byte) bool {
	head = bytes.TrimPrefix(head, utf8BOM)
	for len(head) > 0 {
		line, rest, _ := bytes.Cut(head, []byte{'\n'})
		head = rest
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if len(line) > 512 {
			return false
		}
		var sp csvSplitter
		sp.reset(',')
		if !sp.feed(line) {
			return false
		}
		cols, ok := rfHeader(sp.fields)
		return ok && cols.risk >= 0 && (cols.riskString >= 0 || cols.evidence >= 0)
	}
	return false
}
