package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
)

// ageFlags are the ageing flags (package age): -max-age and -decay.
type ageFlags struct {
	maxAge string // -max-age: over age.DefaultMaxAge
	decay  string // -decay: a shipped model's name or a MISP model file
}

func (a *ageFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.maxAge, "max-age", "", "`TYPE=DURATION[,…]`: max age per indicator type since its last sighting (last seen, else first seen, else valid from; undated indicators never age), over the defaults (ip 30d, domain and url 180d, hash 365d …; see the package doc); types: ipv4, domain, sha256 … or ip, hash, all; durations 30d, 2w, 12h; \"off\" for none at all")
	fs.StringVar(&a.decay, "decay", "", "decay scores: `MODEL`, a MISP decaying model by name (\"NIDS Simple\", \"Phishing\") or a MISP model JSON file; an indicator whose score falls below the model's threshold stops matching, and every match carries its score (none unless given)")
}

// policy compiles the flags into an ageing policy on the clock now (nil:
// time.Now).
func (a *ageFlags) policy(now func() time.Time) (*age.Policy, error) {
	opts := age.Options{Now: now, MaxAge: age.DefaultMaxAge()}
	if a.maxAge != "" {
		over, err := age.ParseMaxAge(a.maxAge)
		if err != nil {
			return nil, fmt.Errorf("-max-age: %w", err)
		}
		if v := strings.TrimSpace(strings.ToLower(a.maxAge)); v == "off" || v == "none" {
			opts.MaxAge = nil
		} else {
			opts.MaxAge = age.MergeMaxAge(opts.MaxAge, over)
		}
	}
	if a.decay != "" {
		m, err := age.ParseModelFlag(a.decay)
		if err != nil {
			return nil, fmt.Errorf("-decay: %w", err)
		}
		if err := opts.SetModel(m); err != nil {
			return nil, fmt.Errorf("-decay %q: %w", a.decay, err)
		}
	}
	return age.New(opts)
}

// scorer is p as the encoders' Scorer when it scores, else nil (an
// interface holding a nil *age.Policy would not be nil).
func scorer(p *age.Policy) encode.Scorer {
	if p == nil || !p.Scoring() {
		return nil
	}
	return p
}

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
