package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// allowFlags are the allowlist flags (package allow), and the allowlist
// inputs found among the feeds.
type allowFlags struct {
	reserved, documentation, suppressAll bool
	allowlists, warninglists, actions    multiFlag
	internal                             multiFlag
	in                                   allowInput
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

func (a *allowFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&a.reserved, "reserved", true, "suppress address and CIDR indicators in reserved, non-globally-reachable ranges (10/8, 127/8, fc00::/7 …); -reserved=false keeps them")
	fs.BoolVar(&a.documentation, "documentation", false, "also suppress indicators in the documentation ranges (192.0.2.0/24, 2001:db8::/32 …)")
	fs.Var(&a.internal, "internal-source", "source NAME whose indicators the reserved and documentation ranges keep (repeatable)")
	fs.Var(&a.allowlists, "allowlist", "plain-list FILE of values never to match: addresses and CIDRs by containment, domains with their subdomains (repeatable)")
	fs.Var(&a.warninglists, "warninglist", "MISP warninglist FILE or directory to apply, besides those found among the feeds (repeatable)")
	fs.Var(&a.actions, "warninglist-action", "NAME=suppress|annotate|off: the action of the warninglist NAME (its directory, name or file), instead of its category's (repeatable)")
	fs.BoolVar(&a.suppressAll, "suppress-all-warninglists", false, "every warninglist suppresses (but those -warninglist-action names), instead of annotating those that are not false-positive lists")
}

// apply reads the explicit warninglists, applies the allowlists to inds
// and reports on w: one line unless quiet, with verbose one per list with
// examples and one per source.
func (a *allowFlags) apply(w io.Writer, inds []indicator.Indicator, quiet, verbose bool) ([]indicator.Indicator, *allow.Report, error) {
	opts, err := a.options(w)
	if err != nil {
		return nil, nil, err
	}
	p, err := allow.New(opts)
	if err != nil {
		return nil, nil, err
	}
	kept, rep := p.Apply(inds)
	if !quiet {
		allowReport(w, &rep, verbose)
	}
	return kept, &rep, nil
}

// options returns the allow options of the flags, with the warninglists
// and allowlist rows found among the feeds read so far (a.in) and the
// explicit -warninglist files read (their problems written to w).
func (a *allowFlags) options(w io.Writer) (allow.Options, error) {
	opts := allow.Options{
		NoReserved:      !a.reserved,
		Documentation:   a.documentation,
		InternalSources: a.internal,
		Warninglists:    a.in.warninglists,
		Allowlists:      a.allowlists,
		Allowlist:       a.in.allowlist,
		SuppressAll:     a.suppressAll,
	}
	for _, path := range a.warninglists {
		res, err := loader.Load(path, loader.Options{Format: loader.FormatWarninglist})
		if err != nil {
			return allow.Options{}, fmt.Errorf("-warninglist %w", err)
		}
		for i := range res.Problems {
			fmt.Fprintln(w, res.Problems[i].Error())
		}
		if len(res.Warninglists) == 0 {
			return allow.Options{}, fmt.Errorf("-warninglist %s: no warninglist read", path)
		}
		opts.Warninglists = append(opts.Warninglists, res.Warninglists...)
	}
	for _, kv := range a.actions {
		i := strings.LastIndexByte(kv, '=')
		if i <= 0 {
			return allow.Options{}, fmt.Errorf("-warninglist-action %q: not NAME=suppress|annotate|off", kv)
		}
		act, err := allow.ParseAction(kv[i+1:])
		if err != nil {
			return allow.Options{}, fmt.Errorf("-warninglist-action %q: %v", kv, err)
		}
		if opts.Actions == nil {
			opts.Actions = map[string]allow.Action{}
		}
		opts.Actions[kv[:i]] = act
	}
	return opts, nil
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
