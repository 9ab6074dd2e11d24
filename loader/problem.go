package loader

import "fmt"

// The reasons for skipping a record: the keys of Result.Skipped and the
// values of Problem.Reason.
const (
	ReasonInvalidValue = "invalid value"       // the indicator package rejects the value
	ReasonCannotInfer  = "cannot infer type"   // no type given, and none can be inferred from the value
	ReasonLineTooLong  = "line too long"       // longer than Options.MaxLineLen
	ReasonBadHeader    = "bad header"          // a header (plain list "# type:", CSV, Zeek "#fields") that cannot be used, and the records under it
	ReasonMalformed    = "malformed record"    // not valid in its format: bad JSON, bad CSV quoting, a missing field …
	ReasonTooLarge     = "record too large"    // a JSON record larger than Options.MaxRecordSize
	ReasonTooDeep      = "nesting too deep"    // JSON nested deeper than Options.MaxJSONDepth
	ReasonUnknownType  = "unknown type"        // a type name (MISP attribute type, Zeek Intel::…, Suricata dataset type) with no indicator type
	ReasonFormat       = "unknown format"      // a file whose format cannot be read (JSON of no known kind …)
	ReasonTooMany      = "too many indicators" // past Options.MaxIndicatorsPerFile or Options.MaxIndicators: the rest of the file

	// ReasonBinary is a file to detect the format of with a NUL byte in
	// its first BinarySniffLen bytes (an executable, an archive, UTF-16
	// text): not a feed, not read.
	ReasonBinary = "binary file"
)

// MaxProblems is the most problems a Result keeps in Result.Problems; the
// counts in Result.Skipped go on.
const MaxProblems = 1000

// Problem is one record that could not be read. Its Error text is
// "path:line: message" for the line-based formats and
// "path: record: message" for JSON formats, where record names the object
// (a STIX id, "Event[0].Attribute[12]" …).
type Problem struct {
	Path   string // the file, as given to Load or ReadList
	Line   int    // 1-based line number, or 0 when the problem has no line
	Record string // the JSON record (id or index), or ""
	Reason string // short key: ReasonInvalidValue …
	Msg    string // what is wrong, quoting the value where there is one
}

// Error returns "path:line: message", "path: record: message", or
// "path: message" when there is neither line nor record.
func (p *Problem) Error() string {
	switch {
	case p.Line > 0 && p.Record != "":
		return fmt.Sprintf("%s:%d: %s: %s", p.Path, p.Line, p.Record, p.Msg)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Msg)
	case p.Record != "":
		return fmt.Sprintf("%s: %s: %s", p.Path, p.Record, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Msg)
}

// String is Error, so that a Problem value prints well too.
func (p Problem) String() string { return p.Error() }
