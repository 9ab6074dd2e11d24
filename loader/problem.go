package loader

import "fmt"

// The reasons for skipping a record: the keys of Result.Skipped and the
// values of Problem.Reason.
const (
	ReasonInvalidValue = "invalid value"     // the indicator package rejects the value
	ReasonCannotInfer  = "cannot infer type" // no type given, and none can be inferred from the value
	ReasonLineTooLong  = "line too long"     // longer than Options.MaxLineLen
	ReasonBadHeader    = "bad header"        // a "# type:" header naming no type, and every value under it
)

// MaxProblems is the most problems a Result keeps in Result.Problems; the
// counts in Result.Skipped go on.
const MaxProblems = 1000

// Problem is one record that could not be read. Its Error text is
// "path:line: message".
type Problem struct {
	Path   string // the file, as given to Load or ReadList
	Line   int    // 1-based line number, or 0 when the problem has no line
	Reason string // short key: ReasonInvalidValue …
	Msg    string // what is wrong, quoting the value where there is one
}

// Error returns "path:line: message", or "path: message" when Line is 0.
func (p *Problem) Error() string {
	if p.Line <= 0 {
		return fmt.Sprintf("%s: %s", p.Path, p.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Msg)
}

// String is Error, so that a Problem value prints well too.
func (p Problem) String() string { return p.Error() }
