package indicator

import (
	"fmt"
	"strings"
	"time"
)

// Indicator is one indicator of compromise as one source states it: a type,
// a canonical value and the source's metadata. Build one with New or Parse
// so that Value is canonical; the matcher relies on it.
type Indicator struct {
	Type  Type
	Value string // canonical form, see New
	Meta
}

// Meta is what a source says about an indicator. Every field is optional;
// zero values mean unknown (a zero ValidUntil means "no end").
type Meta struct {
	Source        string     // feed name; the plain-list loader uses the file's base name
	ID            string     // the source's id for the indicator (STIX id, MISP uuid …)
	Description   string     // free text
	Reference     string     // URL or citation
	Confidence    Confidence // 0-100 or unknown
	Severity      Severity   // unknown, info … critical
	Tags          []string   // free-form labels
	TLP           TLP        // Traffic Light Protocol marking
	ThreatActor   string     // named actor, if any
	MalwareFamily string     // named malware family, if any
	Techniques    []string   // MITRE ATT&CK technique ids ("T1071.001")
	FirstSeen     time.Time  // first sighting
	LastSeen      time.Time  // last sighting
	ValidFrom     time.Time  // not to be matched before this instant
	ValidUntil    time.Time  // not to be matched from this instant on

	// File is the feed file the indicator was read from, as given to
	// loader.Load (or a path under it) or loader.Read: with Source, it
	// tells apart indicators of files that share a source name. Empty for
	// indicators built by hand or read without a path.
	File string

	// FileName is the name of the file a hash indicator identifies, when
	// the source gives one with the hash (a MISP filename|sha256 or
	// malware-sample attribute): context for an analyst, not a value that
	// is matched.
	FileName string
}

// ValidAt reports whether t lies in [ValidFrom, ValidUntil), where a zero
// bound is open.
func (m *Meta) ValidAt(t time.Time) bool {
	if !m.ValidFrom.IsZero() && t.Before(m.ValidFrom) {
		return false
	}
	if !m.ValidUntil.IsZero() && !t.Before(m.ValidUntil) {
		return false
	}
	return true
}

// String returns "type:value".
func (i Indicator) String() string { return i.Type.String() + ":" + i.Value }

// Confidence is a source's confidence in an indicator, 0 to 100, or
// unknown. The zero Confidence is unknown.
type Confidence uint8

// ConfidenceUnknown is the zero Confidence.
const ConfidenceUnknown Confidence = 0

// NewConfidence returns confidence v, which must be in 0..100.
func NewConfidence(v int) (Confidence, error) {
	if v < 0 || v > 100 {
		return ConfidenceUnknown, fmt.Errorf("indicator: confidence %d out of range 0-100", v)
	}
	return Confidence(v + 1), nil
}

// MustConfidence is like NewConfidence but panics on a bad value. It is for
// constants in programs and tests.
func MustConfidence(v int) Confidence {
	c, err := NewConfidence(v)
	if err != nil {
		panic(err)
	}
	return c
}

// Known reports whether c is not unknown.
func (c Confidence) Known() bool { return c != ConfidenceUnknown }

// Value returns c as 0..100, or -1 when unknown.
func (c Confidence) Value() int { return int(c) - 1 }

// String returns the number, or "unknown".
func (c Confidence) String() string {
	if !c.Known() {
		return "unknown"
	}
	return fmt.Sprint(c.Value())
}

// Severity is a coarse rating of how bad a hit on the indicator is.
type Severity uint8

// The severities, in increasing order; the zero Severity is unknown.
const (
	SeverityUnknown Severity = iota
	SeverityInfo
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"unknown", "info", "low", "medium", "high", "critical"}

// String returns the severity's name.
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// ParseSeverity accepts the names above case-insensitively, plus
// "informational", "moderate" and "severe".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "unknown":
		return SeverityUnknown, nil
	case "info", "informational":
		return SeverityInfo, nil
	case "low":
		return SeverityLow, nil
	case "medium", "moderate":
		return SeverityMedium, nil
	case "high", "severe":
		return SeverityHigh, nil
	case "critical":
		return SeverityCritical, nil
	}
	return SeverityUnknown, fmt.Errorf("indicator: unknown severity %q", s)
}

// TLP is a Traffic Light Protocol 2.0 marking, in its lower-case text form.
// The empty TLP is unknown.
type TLP string

// The TLP markings.
const (
	TLPUnknown     TLP = ""
	TLPClear       TLP = "clear"
	TLPGreen       TLP = "green"
	TLPAmber       TLP = "amber"
	TLPAmberStrict TLP = "amber+strict"
	TLPRed         TLP = "red"
)

// ParseTLP accepts "TLP:GREEN", "green", "tlp:amber+strict" …
// case-insensitively; TLP 1.0's "white" is TLP 2.0's "clear".
func ParseTLP(s string) (TLP, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimPrefix(v, "tlp:")
	v = strings.TrimSpace(v)
	switch v {
	case "":
		return TLPUnknown, nil
	case "white", "clear":
		return TLPClear, nil
	case "green", "amber", "red", "amber+strict":
		return TLP(v), nil
	}
	return TLPUnknown, fmt.Errorf("indicator: unknown TLP %q", s)
}

// WarninglistTag starts the tag that an annotating warninglist adds to an
// indicator (package allow): "warninglist:" followed by the list's id.
// Output encoders show these tags as the warninglists of a match
// (match.View.Lists).
const WarninglistTag = "warninglist:"
