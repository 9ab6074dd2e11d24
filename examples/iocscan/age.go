package main

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/iocmatch/iocmatch/age"
)

// ageReport writes the ageing report rep on w: one line, with verbose
// the counts per source and examples.
func ageReport(w io.Writer, rep *age.Report, verbose bool) {
	fmt.Fprintf(w, "iocscan: ageing at %s: %d of %d indicators expired (max age), %d decayed (score below the threshold); %d undated (never age); %d kept with an end moved earlier\n",
		rep.Now.UTC().Format(time.RFC3339), rep.Expired, rep.Input, rep.Decayed, rep.Undated, rep.Limited)
	if !verbose {
		return
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
}
