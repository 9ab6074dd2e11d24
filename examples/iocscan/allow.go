package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/loader"
)

// allowFlags are the allowlist flags (package allow, shared: package
// setup), and the allowlist inputs found among the feeds.
type allowFlags struct {
	*setup.Allow
	in allowInput
}

// allowInput are the warninglists and Zeek whitelist rows read with the
// feeds.
type allowInput struct {
	warninglists []loader.Warninglist
	allowlist    []indicator.Indicator
}

// add keeps the allowlist inputs of a feed's Result.
func (in *allowInput) add(res *loader.Result) {
	if in == nil {
		return
	}
	in.warninglists = append(in.warninglists, res.Warninglists...)
	in.allowlist = append(in.allowlist, res.Allowlist...)
}

// policy reads the explicit warninglists (their problems written to w)
// and compiles the allowlist policy of the flags and of the lists found
// among the feeds so far (a.in); maxEx is its allow.Options.MaxExamples.
func (a *allowFlags) policy(w io.Writer) (p *allow.Policy, maxEx int, err error) {
	opts, err := a.options(w)
	if err != nil {
		return nil, 0, err
	}
	p, err = allow.New(opts)
	return p, opts.MaxExamples, err
}

// options returns the allow options of the flags, with the warninglists
// and allowlist rows found among the feeds read so far (a.in) and the
// explicit -warninglist files read (their problems written to w).
func (a *allowFlags) options(w io.Writer) (allow.Options, error) {
	return a.Allow.Options(w, a.in.warninglists, a.in.allowlist)
}

// allowReport writes the allowlist report.
func allowReport(w io.Writer, rep *allow.Report, verbose bool) {
	var sup, ann []string
	nwl := 0
	for _, l := range rep.Lists {
		if l.Kind == "warninglist" {
			nwl++
		}
		if l.Suppressed > 0 {
			sup = append(sup, fmt.Sprintf("%s: %d", l.ID, l.Suppressed))
		}
		if l.Annotated > 0 {
			ann = append(ann, fmt.Sprintf("%s: %d", l.ID, l.Annotated))
		}
	}
	fmt.Fprintf(w, "iocscan: allowlists (%d lists, %d warninglists): %d of %d indicators suppressed%s, %d annotated%s\n",
		len(rep.Lists), nwl, rep.Suppressed, rep.Input, paren(sup), rep.Annotated, paren(ann))
	if !verbose {
		return
	}
	for _, l := range rep.Lists {
		note := ""
		if l.Note != "" {
			note = " (" + l.Note + ")"
		}
		name := ""
		if l.Name != "" && l.Name != l.ID {
			name = fmt.Sprintf(" %q", l.Name)
		}
		fmt.Fprintf(w, "iocscan:   %s %s%s, %s, %d entries: %d suppressed, %d annotated%s\n",
			l.Kind, l.ID, name, l.Action, l.Entries, l.Suppressed, l.Annotated, note)
		for _, ex := range l.Examples {
			fmt.Fprintf(w, "iocscan:     %s\n", ex)
		}
	}
	for _, s := range rep.Sources {
		if s.Suppressed+s.Annotated == 0 {
			continue
		}
		keys := make([]string, 0, len(s.ByList))
		for k := range s.ByList {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s: %d", k, s.ByList[k])
		}
		fmt.Fprintf(w, "iocscan:   source %s: %d indicators, %d suppressed, %d annotated (%s)\n",
			s.Source, s.Input, s.Suppressed, s.Annotated, strings.Join(parts, ", "))
	}
}

func paren(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
