package loader

import "github.com/iocmatch/iocmatch/indicator"

// Result is what was read from one or more files.
type Result struct {
	// Indicators are the good records, in input order (files in the order
	// read, then lines).
	Indicators []indicator.Indicator

	// Problems are the skipped records, in input order; only the first
	// MaxProblems are kept.
	Problems []Problem

	// Skipped counts every skipped record by reason (ReasonInvalidValue
	// …), including those beyond MaxProblems. It is nil when nothing was
	// skipped.
	Skipped map[string]int

	// Files is the number of files read.
	Files int
}

// SkippedTotal returns the number of records skipped, for every reason.
func (r *Result) SkippedTotal() int {
	n := 0
	for _, c := range r.Skipped {
		n += c
	}
	return n
}
