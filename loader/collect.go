package loader

import (
	"github.com/iocmatch/iocmatch/indicator"
)

// collector gathers what the readers of every format find in one file into
// a Result, applying the Options that are the same for all formats: the
// source name, the problem cap and Strict.
type collector struct {
	res    *Result
	path   string
	opts   *Options
	source string // default source: Options.Source, or the file's name
	forced bool   // Options.Source was set: it overrides the format's

	// counts at the start of the file, for FileStats
	nInd, nSkip, nUnsup int
}

func newCollector(res *Result, path string, opts *Options) *collector {
	src, forced := opts.Source, opts.Source != ""
	if !forced {
		src = SourceName(path)
	}
	return &collector{
		res: res, path: path, opts: opts, source: src, forced: forced,
		nInd: len(res.Indicators), nSkip: res.SkippedTotal(), nUnsup: res.UnsupportedTotal(),
	}
}

// sourceFor returns the source name for an indicator whose feed names its
// source s (a MISP organisation, a STIX identity …): Options.Source if set,
// else s, else the file's name.
func (c *collector) sourceFor(s string) string {
	if c.forced || s == "" {
		return c.source
	}
	return s
}

// add records a good indicator. Its Source is set by sourceFor.
func (c *collector) add(ind indicator.Indicator) {
	ind.Source = c.sourceFor(ind.Source)
	c.res.Indicators = append(c.res.Indicators, ind)
}

// problem records a skipped record at a line. With Strict it returns the
// *Problem, which the reader must return to stop; otherwise nil.
func (c *collector) problem(line int, reason, msg string) error {
	return c.report(Problem{Path: c.path, Line: line, Reason: reason, Msg: msg})
}

// problemRec records a skipped JSON record, named by record (its id, or
// its place: "objects[3]"), like problem.
func (c *collector) problemRec(record, reason, msg string) error {
	return c.report(Problem{Path: c.path, Record: record, Reason: reason, Msg: msg})
}

func (c *collector) report(p Problem) error {
	if c.res.Skipped == nil {
		c.res.Skipped = make(map[string]int)
	}
	c.res.Skipped[p.Reason]++
	if len(c.res.Problems) < MaxProblems {
		c.res.Problems = append(c.res.Problems, p)
	}
	if c.opts.Strict {
		return &p
	}
	return nil
}

// unsupported counts a valid record that is not read, by what it is.
func (c *collector) unsupported(what string) {
	if c.res.Unsupported == nil {
		c.res.Unsupported = make(map[string]int)
	}
	c.res.Unsupported[what]++
}

// done appends the FileStats of the file, read as format f.
func (c *collector) done(f Format) {
	c.res.Files++
	c.res.PerFile = append(c.res.PerFile, FileStats{
		Path:        c.path,
		Format:      f,
		Indicators:  len(c.res.Indicators) - c.nInd,
		Skipped:     c.res.SkippedTotal() - c.nSkip,
		Unsupported: c.res.UnsupportedTotal() - c.nUnsup,
	})
}
