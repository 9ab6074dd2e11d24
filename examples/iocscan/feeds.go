package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// feedReport writes what was read from one feed (a -feed path or a TAXII
// collection), n indicators, to w: its problems (quiet: one line counting them, if any),
// then unless quiet one summary line with the counts per reason, and with
// verbose one line per file.
func feedReport(w io.Writer, name string, res *loader.Result, n int, quiet, verbose bool) {
	if quiet {
		if n := res.SkippedTotal(); n > 0 {
			fmt.Fprintf(w, "iocscan: feed %s: %d records skipped (problems not shown: -q)\n", name, n)
		}
		return
	}
	for i := range res.Problems {
		fmt.Fprintln(w, res.Problems[i].Error())
	}
	if n := res.SkippedTotal(); n > len(res.Problems) {
		fmt.Fprintf(w, "iocscan: %s: %d more problems not shown\n", name, n-len(res.Problems))
	}
	var wl string
	if n := len(res.Warninglists); n > 0 {
		wl = fmt.Sprintf(", %d warninglists", n)
	}
	var sf string
	if len(res.SkippedFiles) > 0 {
		why := map[string]int{}
		for _, f := range res.SkippedFiles {
			why[f.Reason]++
		}
		sf = fmt.Sprintf(" (%d files not read%s)", len(res.SkippedFiles), reasons(why))
	}
	fmt.Fprintf(w, "iocscan: feed %s: %d indicators from %d files%s%s; %d duplicates merged; %d records skipped%s; %d unsupported%s\n",
		name, n, res.Files, sf, wl, res.Duplicates,
		res.SkippedTotal(), reasons(res.Skipped), res.UnsupportedTotal(), reasons(res.Unsupported))
	if !verbose {
		return
	}
	for _, f := range res.PerFile {
		fmt.Fprintf(w, "iocscan:   %s (%s): %d indicators, %d duplicates, %d skipped, %d unsupported\n",
			f.Path, f.Format, f.Indicators, f.Duplicates, f.Skipped, f.Unsupported)
	}
	for _, f := range res.SkippedFiles {
		fmt.Fprintf(w, "iocscan:   %s: not read: %s\n", f.Path, f.Reason)
	}
}

// loadFeed reads the feed at path and reports it (streamFeed), keeping
// its warninglists and allowlist rows in ai (when not nil) and returning
// its indicators.
func loadFeed(w io.Writer, path string, opts loader.Options, quiet, verbose bool, ai *allowInput) ([]indicator.Indicator, error) {
	var inds []indicator.Indicator
	res, _, err := streamFeed(w, path, opts, quiet, verbose, func(b []indicator.Indicator) error {
		inds = append(inds, b...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	ai.add(&res)
	return inds, nil
}

// streamFeed reads the feed at path, giving sink the indicators Load
// would return, a batch at a time (loader.StreamAllMerged), and reports
// it; n is the number of indicators read. The error is fatal. A feed
// without a valid indicator is a warning unless opts.Strict: then it is
// an error (run exits 2 when no feed at all gave an indicator).
func streamFeed(w io.Writer, path string, opts loader.Options, quiet, verbose bool, sink func([]indicator.Indicator) error) (res loader.Result, n int, err error) {
	res, err = loader.StreamAllMerged([]string{path}, opts, func(b []indicator.Indicator) error {
		n += len(b)
		return sink(b)
	})
	if err != nil {
		return res, n, err
	}
	feedReport(w, path, &res, n, quiet, verbose)
	return res, n, noIndicator(w, path, &res, n, opts.Strict)
}

// noIndicator returns, when the feed name gave no indicator (n), the
// error of the feed with strict, else nil after writing a warning naming
// it to w.
func noIndicator(w io.Writer, name string, res *loader.Result, n int, strict bool) error {
	if n > 0 {
		return nil
	}
	if strict {
		return fmt.Errorf("feed %s: no valid indicator (-strict)", name)
	}
	fmt.Fprintf(w, "iocscan: warning: feed %s: no valid indicator in %d files: nothing to match from it\n", name, res.Files)
	return nil
}

func reasons(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
