package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// feedReport writes what was read from one feed (a -feed path or a TAXII
// collection) to w: its problems, then unless quiet one summary line with
// the counts per reason, and with verbose one line per file.
func feedReport(w io.Writer, name string, res *loader.Result, quiet, verbose bool) {
	for i := range res.Problems {
		fmt.Fprintln(w, res.Problems[i].Error())
	}
	if n := res.SkippedTotal(); n > len(res.Problems) {
		fmt.Fprintf(w, "iocscan: %s: %d more problems not shown\n", name, n-len(res.Problems))
	}
	if quiet {
		return
	}
	var wl string
	if n := len(res.Warninglists); n > 0 {
		wl = fmt.Sprintf(", %d warninglists", n)
	}
	fmt.Fprintf(w, "iocscan: feed %s: %d indicators from %d files%s; %d duplicates merged; %d records skipped%s; %d unsupported%s\n",
		name, len(res.Indicators), res.Files, wl, res.Duplicates,
		res.SkippedTotal(), reasons(res.Skipped), res.UnsupportedTotal(), reasons(res.Unsupported))
	if !verbose {
		return
	}
	for _, f := range res.PerFile {
		fmt.Fprintf(w, "iocscan:   %s (%s): %d indicators, %d duplicates, %d skipped, %d unsupported\n",
			f.Path, f.Format, f.Indicators, f.Duplicates, f.Skipped, f.Unsupported)
	}
}

// loadFeed reads the feed at path and reports it, keeping its
// warninglists and allowlist rows in ai (when not nil); the error is
// fatal.
func loadFeed(w io.Writer, path string, opts loader.Options, quiet, verbose bool, ai *allowInput) ([]indicator.Indicator, error) {
	res, err := loader.Load(path, opts)
	if err != nil {
		return nil, err
	}
	feedReport(w, path, &res, quiet, verbose)
	ai.add(&res)
	if len(res.Indicators) == 0 {
		return nil, fmt.Errorf("feed %s: no valid indicator", path)
	}
	return res.Indicators, nil
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
