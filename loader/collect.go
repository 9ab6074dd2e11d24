package loader

import "github.com/iocmatch/iocmatch/indicator"

// collector gathers what the readers of every format find in one file into
// a Result, applying the Options that are the same for all formats: the
// source name, the problem cap and Strict.
type collector struct {
	res    *Result
	path   string
	source string
	strict bool
}

func newCollector(res *Result, path string, opts *Options) *collector {
	src := opts.Source
	if src == "" {
		src = SourceName(path)
	}
	return &collector{res: res, path: path, source: src, strict: opts.Strict}
}

// add records a good indicator, giving it the source name.
func (c *collector) add(ind indicator.Indicator) {
	ind.Source = c.source
	c.res.Indicators = append(c.res.Indicators, ind)
}

// problem records a skipped record. With Strict it returns the *Problem,
// which the reader must return to stop; otherwise nil.
func (c *collector) problem(line int, reason, msg string) error {
	p := &Problem{Path: c.path, Line: line, Reason: reason, Msg: msg}
	if c.res.Skipped == nil {
		c.res.Skipped = make(map[string]int)
	}
	c.res.Skipped[reason]++
	if len(c.res.Problems) < MaxProblems {
		c.res.Problems = append(c.res.Problems, *p)
	}
	if c.strict {
		return p
	}
	return nil
}
