package main

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/indicator"
)

// ageApply applies p to inds and reports on w: one line unless quiet,
// with verbose the counts per source and examples.
func ageApply(w io.Writer, p *age.Policy, inds []indicator.Indicator, quiet, verbose bool) ([]indicator.Indicator, *age.Report) {
	kept, rep := p.Apply(inds)
	if quiet {
		return kept, &rep
	}
	fmt.Fprintf(w, "iocscan: ageing at %s: %d of %d indicators expired (max age), %d decayed (score below the threshold); %d undated (never age); %d kept with an end moved earlier\n",
		rep.Now.UTC().Format(time.RFC3339), rep.Expired, rep.Input, rep.Decayed, rep.Undated, rep.Limited)
	if !verbose {
		return kept, &rep
	}
	srcs := rep.Sources()
	sort.Strings(srcs)
	for _, s := range srcs {
		r := rep.PerSource[s]
		if r.Expired+r.Decayed == 0 {
			continue
		}
		fmt.Fprintf(w, "iocscan:   source %s: %d of %d expired, %d decayed\n", s, r.Expired, r.Input, r.Decayed)
	}
	for _, ex := range rep.ExpiredExamples {
		fmt.Fprintf(w, "iocscan:     expired: %s\n", ex)
	}
	for _, ex := range rep.DecayedExamples {
		fmt.Fprintf(w, "iocscan:     decayed: %s\n", ex)
	}
	return kept, &rep
}
