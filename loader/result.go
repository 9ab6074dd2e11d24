package loader

import "github.com/iocmatch/iocmatch/indicator"

// Result is what was read from one or more files.
type Result struct {
	// Indicators are the good records, in input order (files in the order
	// read, then records), each once: a record identical to one before it
	// (same type, canonical value and metadata, Source and File included:
	// so records of one file only) is counted in Duplicates instead. The indicators of one record (a STIX pattern
	// with OR, a CSV row with several values), and STIX indicators with
	// the same ones one after the other, share the backing arrays of
	// their Tags and Techniques, clipped so that appending to one copies
	// it: copy before changing elements in place.
	Indicators []indicator.Indicator

	// Duplicates counts the good records that were identical to an
	// indicator read before them (in the same file, as Meta.File is part
	// of the comparison; or in the same file given twice to LoadAll) and
	// were merged into it.
	Duplicates int

	// Problems are the skipped records, in input order; only the first
	// MaxProblems are kept.
	Problems []Problem

	// Skipped counts every skipped record by reason (ReasonInvalidValue
	// …), including those beyond MaxProblems. It is nil when nothing was
	// skipped.
	Skipped map[string]int

	// Unsupported counts the valid records that iocmatch does not read,
	// by what they are ("stix pattern: AND", "misp type: attachment" …):
	// they are neither indicators nor problems. It is nil when there were
	// none. As its keys can come from the input (a MISP attribute type …),
	// it holds at most 256 kinds, each named in at most 96 bytes (a longer
	// name is cut and ends with "…"): the records of further kinds are
	// counted under "(other kinds)".
	Unsupported map[string]int

	// Warninglists are the MISP warninglists read (allowlists, not
	// indicators to match).
	Warninglists []Warninglist

	// Allowlist are the allowlist entries read: the rows of Zeek intel
	// files with meta.whitelist "T" (Zeek's whitelisting policy), with
	// their metadata, in input order and not merged. They are not
	// indicators to match: a host program applies them to Indicators (see
	// package allow), and they are not counted in Indicators, Duplicates
	// or FileStats.
	Allowlist []indicator.Indicator

	// Files is the number of files read.
	Files int

	// PerFile has the counts of each file read, in the order read.
	PerFile []FileStats

	// SkippedFiles are the files (and excluded directories) under a
	// directory that were not read, in the order met, each with why
	// (SkipDocumentation, SkipExcluded …). Hidden files and directories
	// (names starting with '.') are skipped without being named.
	SkippedFiles []SkippedFile
}

// SkippedFile is a file under a directory that Load did not read.
type SkippedFile struct {
	Path   string // the file's path (the directory given to Load joined with the path under it)
	Reason string // SkipDocumentation, SkipExcluded, SkipNotIncluded or SkipMISPHashes
}

// String returns "path: skipped: reason".
func (s SkippedFile) String() string { return s.Path + ": skipped: " + s.Reason }

// FileStats are the counts of one file read.
type FileStats struct {
	Path        string // as given to Load, or the path of a file under it
	Format      Format // the format it was read as
	Indicators  int    // indicators read
	Duplicates  int    // good records merged into an identical indicator read before
	Skipped     int    // problems (skipped records)
	Unsupported int    // valid records not read
}

// SkippedTotal returns the number of records skipped, for every reason.
func (r *Result) SkippedTotal() int { return sum(r.Skipped) }

// UnsupportedTotal returns the number of unsupported records.
func (r *Result) UnsupportedTotal() int { return sum(r.Unsupported) }

func sum(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// Merge adds o to r: its indicators, problems (r keeps at most
// MaxProblems), counts, lists, files and file counts, in that order after
// r's. It does not merge identical indicators of r and o: a compiler does
// (match.Compile, match.Builder). It is for a program that reads a feed
// in parts (the pages of an API: package loader/platform) and reports it
// as one Result.
func (r *Result) Merge(o Result) {
	r.Indicators = append(r.Indicators, o.Indicators...)
	r.Duplicates += o.Duplicates
	for _, p := range o.Problems {
		if len(r.Problems) >= MaxProblems {
			break
		}
		r.Problems = append(r.Problems, p)
	}
	for k, n := range o.Skipped {
		if r.Skipped == nil {
			r.Skipped = map[string]int{}
		}
		r.Skipped[k] += n
	}
	for k, n := range o.Unsupported {
		if r.Unsupported == nil {
			r.Unsupported = map[string]int{}
		}
		if _, ok := r.Unsupported[k]; !ok && len(r.Unsupported) >= maxUnsupportedKinds {
			k = unsupportedOther
		}
		r.Unsupported[k] += n
	}
	r.Warninglists = append(r.Warninglists, o.Warninglists...)
	r.Allowlist = append(r.Allowlist, o.Allowlist...)
	r.Files += o.Files
	r.PerFile = append(r.PerFile, o.PerFile...)
	r.SkippedFiles = append(r.SkippedFiles, o.SkippedFiles...)
}
