// Package pipeline is the batch pipeline of a streamed load, shared by
// package live and iocscan's one-shot load: each batch of indicators a
// loader gives (loader.StreamAll, StreamAllMerged) goes through an
// allowlist policy, then a transform (the ageing), then into a
// match.Builder, and the allowlist reports of the batches are summed
// into the report one Apply of all of them would give. The load never
// holds the whole []indicator.Indicator of its feeds.
package pipeline

import (
	"slices"
	"sort"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

// Pipeline takes batches of indicators (Add, AddCopies) into Builder.
// It is not safe for concurrent use.
type Pipeline struct {
	// Builder takes the indicators that pass; nil: they are counted and
	// dropped (a load that reports its feeds but cannot compile them).
	Builder *match.Builder
	// Policy, when not nil, is applied to each batch first.
	Policy *allow.Policy
	// MaxExamples is the Policy's allow.Options.MaxExamples: the summed
	// report keeps as many examples per list as one Apply would.
	MaxExamples int
	// Transform, when not nil, is applied to each batch after the
	// Policy (package age: the ageing); its error ends the load.
	Transform func([]indicator.Indicator) ([]indicator.Indicator, error)
	// Check, when not nil, is called before each batch; its error ends
	// the load (a cancelled context: ctx.Err).
	Check func() error

	// Indicators counts the indicators given to Builder.
	Indicators int

	allow *allow.Report
}

// Add takes one batch: the Policy and the Transform may change it in
// place (the loader's batches are the Pipeline's to change).
func (p *Pipeline) Add(batch []indicator.Indicator) error {
	if p.Check != nil {
		if err := p.Check(); err != nil {
			return err
		}
	}
	if p.Policy != nil {
		var rep allow.Report
		batch, rep = p.Policy.Apply(batch)
		p.allow = mergeAllow(p.allow, &rep, p.maxExamples())
	}
	if p.Transform != nil {
		var err error
		if batch, err = p.Transform(batch); err != nil {
			return err
		}
	}
	p.Indicators += len(batch)
	if p.Builder == nil {
		return nil
	}
	return p.Builder.Add(batch...)
}

// AddCopies takes inds, which stay unchanged (a TAXII Poller keeps its
// slice), a copy of at most loader.StreamBatch of them at a time.
func (p *Pipeline) AddCopies(inds []indicator.Indicator) error {
	for len(inds) > 0 {
		n := min(len(inds), loader.StreamBatch)
		batch := slices.Clone(inds[:n])
		inds = inds[n:]
		if err := p.Add(batch); err != nil {
			return err
		}
	}
	return nil
}

// Allow is the sum of the allowlist reports of the batches, its Sources
// sorted by name as allow.Policy.Apply sorts them; nil when there is no
// Policy or no batch was added.
func (p *Pipeline) Allow() *allow.Report {
	if p.allow != nil {
		sort.Slice(p.allow.Sources, func(i, j int) bool { return p.allow.Sources[i].Source < p.allow.Sources[j].Source })
	}
	return p.allow
}

func (p *Pipeline) maxExamples() int {
	switch {
	case p.MaxExamples == 0:
		return 5 // allow's default
	case p.MaxExamples < 0:
		return 0
	}
	return p.MaxExamples
}

// mergeAllow adds the report of one batch to the report so far (nil for
// the first), from the same Policy: the lists are the same, in the same
// order.
func mergeAllow(into, r *allow.Report, maxEx int) *allow.Report {
	if into == nil {
		into = &allow.Report{Lists: r.Lists, Sources: r.Sources}
		into.Input, into.Kept, into.Suppressed, into.Annotated = r.Input, r.Kept, r.Suppressed, r.Annotated
		return into
	}
	into.Input += r.Input
	into.Kept += r.Kept
	into.Suppressed += r.Suppressed
	into.Annotated += r.Annotated
	for i := range r.Lists {
		l, x := &into.Lists[i], &r.Lists[i]
		l.Suppressed += x.Suppressed
		l.Annotated += x.Annotated
		for _, ex := range x.Examples {
			if len(l.Examples) < maxEx {
				l.Examples = append(l.Examples, ex)
			}
		}
	}
	for _, s := range r.Sources {
		i := slices.IndexFunc(into.Sources, func(t allow.SourceReport) bool { return t.Source == s.Source })
		if i < 0 {
			into.Sources = append(into.Sources, s)
			continue
		}
		t := &into.Sources[i]
		t.Input += s.Input
		t.Suppressed += s.Suppressed
		t.Annotated += s.Annotated
		for k, v := range s.ByList {
			t.ByList[k] += v
		}
	}
	return into
}
