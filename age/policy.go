package age

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// Options configures a Policy. The zero Options ages nothing: no max age,
// no decay model.
type Options struct {
	// MaxAge is the max age per indicator type: an indicator last sighted
	// longer ago does not match. A type absent, or with 0 (or less), has
	// none. DefaultMaxAge gives the field's usual ones.
	MaxAge map[indicator.Type]time.Duration
	// SourceMaxAge is the max age per source name (indicator.Meta.Source,
	// exactly): it wins over the type's; 0 (or less) means none for that
	// source, whatever the type's.
	SourceMaxAge map[string]time.Duration

	// Model is the decay model of every indicator that TypeModels and
	// SourceModels do not give one; nil means none.
	Model *Model
	// TypeModels are decay models per indicator type, over Model.
	TypeModels map[indicator.Type]Model
	// SourceModels are decay models per source name, over TypeModels.
	SourceModels map[string]Model

	// Now is the clock of Apply. Nil means time.Now.
	Now func() time.Time

	// MaxExamples is the number of examples the Report keeps per reason;
	// 0 is 5, < 0 none.
	MaxExamples int
}

// Policy ages and scores indicators. It is immutable and safe for
// concurrent use.
type Policy struct {
	maxAge    [indicator.NumTypes]time.Duration
	srcMaxAge map[string]time.Duration
	model     *Model
	byType    [indicator.NumTypes]*Model
	bySource  map[string]*Model
	now       func() time.Time
	maxEx     int
}

// New returns the Policy of opts, or an error naming a model whose
// parameters are out of range or a max age on an invalid type.
func New(opts Options) (*Policy, error) {
	p := &Policy{now: opts.Now, maxEx: opts.MaxExamples}
	if p.now == nil {
		p.now = time.Now
	}
	if p.maxEx == 0 {
		p.maxEx = 5
	}
	for t, d := range opts.MaxAge {
		if !t.Valid() {
			return nil, fmt.Errorf("age: max age for invalid type %v", t)
		}
		p.maxAge[t] = max(d, 0)
	}
	if len(opts.SourceMaxAge) > 0 {
		p.srcMaxAge = make(map[string]time.Duration, len(opts.SourceMaxAge))
		for s, d := range opts.SourceMaxAge {
			p.srcMaxAge[s] = max(d, 0)
		}
	}
	check := func(m Model, where string) (*Model, error) {
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("%w (%s)", err, where)
		}
		m.AttributeTypes = append([]string(nil), m.AttributeTypes...)
		return &m, nil
	}
	var err error
	if opts.Model != nil {
		if p.model, err = check(*opts.Model, "the default model"); err != nil {
			return nil, err
		}
	}
	for t, m := range opts.TypeModels {
		if !t.Valid() {
			return nil, fmt.Errorf("age: decay model for invalid type %v", t)
		}
		if p.byType[t], err = check(m, "model of type "+t.String()); err != nil {
			return nil, err
		}
	}
	if len(opts.SourceModels) > 0 {
		p.bySource = make(map[string]*Model, len(opts.SourceModels))
		for s, m := range opts.SourceModels {
			if p.bySource[s], err = check(m, fmt.Sprintf("model of source %q", s)); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// LastSighting returns the instant an indicator was last sighted, by its
// metadata: LastSeen, else FirstSeen, else ValidFrom; zero when it has
// none of them (it never ages and never decays).
func LastSighting(mt *indicator.Meta) time.Time {
	switch {
	case !mt.LastSeen.IsZero():
		return mt.LastSeen
	case !mt.FirstSeen.IsZero():
		return mt.FirstSeen
	}
	return mt.ValidFrom
}

// MaxAge returns the max age of an indicator of type t from source src:
// the source's if SourceMaxAge names it, else the type's; ok is false
// when it has none.
func (p *Policy) MaxAge(t indicator.Type, src string) (time.Duration, bool) {
	if d, ok := p.srcMaxAge[src]; ok {
		return d, d > 0
	}
	if int(t) >= len(p.maxAge) {
		return 0, false
	}
	d := p.maxAge[t]
	return d, d > 0
}

// Model returns the decay model of an indicator of type t from source
// src: the source's, else the type's, else the default; nil when none
// applies. The Model is the Policy's: do not modify it.
func (p *Policy) Model(t indicator.Type, src string) *Model {
	if m := p.bySource[src]; m != nil {
		return m
	}
	if int(t) < len(p.byType) && p.byType[t] != nil {
		return p.byType[t]
	}
	return p.model
}

// Scoring reports whether some decay model applies to some indicator: if
// not, Score and EntryScore always report false.
func (p *Policy) Scoring() bool {
	if p.model != nil || len(p.bySource) > 0 {
		return true
	}
	for _, m := range p.byType {
		if m != nil {
			return true
		}
	}
	return false
}

// base is the base score of meta under model m.
func base(m *Model, meta *indicator.Meta) float64 {
	if meta.Confidence.Known() {
		return float64(meta.Confidence.Value())
	}
	return m.DefaultBase
}

// Score returns the decay score, 0 to 100, at now of an indicator of type
// t with metadata meta: its model's score of its base score (its known
// confidence, else the model's default base) at now minus its last
// sighting; the base score when it has no date. ok is false when no model
// applies. It does not allocate.
func (p *Policy) Score(t indicator.Type, meta *indicator.Meta, now time.Time) (score float64, ok bool) {
	m := p.Model(t, meta.Source)
	if m == nil {
		return 0, false
	}
	b := base(m, meta)
	last := LastSighting(meta)
	if last.IsZero() {
		return min(max(b, 0), 100), true
	}
	return m.Score(b, now.Sub(last)), true
}

// EntryScore returns the score at now of entry id of matcher m: the
// highest Score of its records valid at now (indicator.Meta.ValidAt),
// or of all its records when none is (a matcher whose clock differs from
// now). ok is false when no model applies to any record. It does not
// allocate, and costs one Score per record.
func (p *Policy) EntryScore(m *match.Matcher, id match.ID, now time.Time) (float64, bool) {
	t := m.Type(id)
	best, found, valid := 0.0, false, false
	for i := range m.Records(id) {
		meta := m.Record(id, i)
		s, ok := p.Score(t, &meta, now)
		if !ok {
			continue
		}
		v := meta.ValidAt(now)
		switch {
		case !found, v && !valid, v == valid && s > best:
			best, found, valid = s, true, v
		}
	}
	return best, found
}

// Reason is why Apply dropped an indicator.
type Reason uint8

// The reasons.
const (
	Expired Reason = iota + 1 // older than its max age
	Decayed                   // its decay score below its model's threshold
)

// String returns "expired" or "decayed".
func (r Reason) String() string {
	switch r {
	case Expired:
		return "expired"
	case Decayed:
		return "decayed"
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Report says what Apply did.
type Report struct {
	// Now is the instant Apply aged the indicators at.
	Now time.Time
	// Input is the number of indicators given, Kept those returned,
	// Expired and Decayed those dropped for each reason (an indicator
	// past both its max age and its decay is counted once, under the one
	// it passed first).
	Input, Kept, Expired, Decayed int
	// Undated counts the kept indicators with no date at all (no
	// LastSeen, FirstSeen or ValidFrom): they never age nor decay.
	Undated int
	// Limited counts the kept indicators whose ValidUntil Apply moved
	// earlier, to their expiry or decay instant.
	Limited int
	// PerSource are the counts per source name (indicator.Meta.Source).
	PerSource map[string]SourceReport
	// ExpiredExamples and DecayedExamples are a few of the indicators
	// dropped for each reason, as "type:value (source): last seen
	// 2026-01-02, expired 2026-02-01" (a value longer than 96 bytes cut).
	ExpiredExamples, DecayedExamples []string
}

// SourceReport are the counts of one source.
type SourceReport struct {
	Input, Kept, Expired, Decayed, Undated, Limited int
}

// Add adds the counts of o to r, per source too, and o's examples while r
// has fewer than maxExamples (0: 5) for each reason: the report of a build
// whose indicators were aged a batch at a time (package live calls its
// Transform once per batch). Now stays r's, or becomes o's when r has none.
func (r *Report) Add(o *Report, maxExamples int) {
	if maxExamples == 0 {
		maxExamples = 5
	}
	if r.Now.IsZero() {
		r.Now = o.Now
	}
	r.Input += o.Input
	r.Kept += o.Kept
	r.Expired += o.Expired
	r.Decayed += o.Decayed
	r.Undated += o.Undated
	r.Limited += o.Limited
	for src, c := range o.PerSource {
		if r.PerSource == nil {
			r.PerSource = map[string]SourceReport{}
		}
		s := r.PerSource[src]
		s.add(c)
		r.PerSource[src] = s
	}
	more := func(dst, src []string) []string {
		return append(dst, src[:min(len(src), max(maxExamples-len(dst), 0))]...)
	}
	r.ExpiredExamples = more(r.ExpiredExamples, o.ExpiredExamples)
	r.DecayedExamples = more(r.DecayedExamples, o.DecayedExamples)
}

// add adds the counts of o to s.
func (s *SourceReport) add(o SourceReport) {
	s.Input += o.Input
	s.Kept += o.Kept
	s.Expired += o.Expired
	s.Decayed += o.Decayed
	s.Undated += o.Undated
	s.Limited += o.Limited
}

// Sources returns the source names of r.PerSource, sorted.
func (r *Report) Sources() []string {
	out := make([]string, 0, len(r.PerSource))
	for s := range r.PerSource {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Ends returns when an indicator of type t with metadata meta stops
// matching because of age or decay: the earlier of its expiry (last
// sighting + max age) and its decay instant (last sighting + the
// model's DecayAfter of its base score), and why. ok is false when
// neither applies (no date, or no max age and no model with a threshold).
// It does not look at meta.ValidUntil.
func (p *Policy) Ends(t indicator.Type, meta *indicator.Meta) (end time.Time, why Reason, ok bool) {
	last := LastSighting(meta)
	if last.IsZero() {
		return time.Time{}, 0, false
	}
	if d, has := p.MaxAge(t, meta.Source); has {
		end, why, ok = addClamp(last, d), Expired, true
	}
	if m := p.Model(t, meta.Source); m != nil {
		if d, has := m.DecayAfter(base(m, meta)); has {
			if e := addClamp(last, d); !ok || e.Before(end) {
				end, why, ok = e, Decayed, true
			}
		}
	}
	return end, why, ok
}

// addClamp is t+d, at most the largest representable instant.
func addClamp(t time.Time, d time.Duration) time.Time {
	u := t.Add(d)
	if u.Before(t) {
		return time.Unix(1<<62, 0)
	}
	return u
}

// Apply ages inds at the Policy's clock: it drops the indicators already
// expired or decayed, and sets the ValidUntil of the others to the
// earlier of their own and their expiry or decay instant (see Ends), so
// that a Matcher compiled from them (match.Compile; its match-time
// validity check with match.Options.Now) stops matching each one when the
// clock passes that instant, between reloads too, at no cost to lines
// without matches. Indicators with no date are kept unchanged. It
// filters in place, as slices.DeleteFunc does: the result shares inds'
// backing array, whose elements past it are zeroed.
//
// Cost: a few map look-ups per indicator (the source's max age and
// model) and one math.Pow per indicator with a model; no allocation per
// kept indicator beyond the Report's per-source map and examples.
func (p *Policy) Apply(inds []indicator.Indicator) ([]indicator.Indicator, Report) {
	now := p.now()
	rep := Report{Now: now, Input: len(inds), PerSource: map[string]SourceReport{}}
	out := 0
	src, cur := "", SourceReport{}
	flush := func() {
		if cur != (SourceReport{}) {
			s := rep.PerSource[src]
			s.add(cur)
			rep.PerSource[src] = s
		}
		cur = SourceReport{}
	}
	for i := range inds {
		ind := &inds[i]
		if i == 0 || ind.Source != src {
			flush()
			src = ind.Source
		}
		cur.Input++
		end, why, ok := p.Ends(ind.Type, &ind.Meta)
		if LastSighting(&ind.Meta).IsZero() {
			cur.Undated++
		}
		if ok && !now.Before(end) {
			switch why {
			case Expired:
				cur.Expired++
				rep.Expired++
				rep.ExpiredExamples = p.example(rep.ExpiredExamples, ind, why, end)
			case Decayed:
				cur.Decayed++
				rep.Decayed++
				rep.DecayedExamples = p.example(rep.DecayedExamples, ind, why, end)
			}
			continue
		}
		if ok && (ind.ValidUntil.IsZero() || end.Before(ind.ValidUntil)) {
			ind.ValidUntil = end
			cur.Limited++
			rep.Limited++
		}
		cur.Kept++
		if out != i {
			inds[out] = *ind
		}
		out++
	}
	flush()
	clear(inds[out:])
	rep.Kept = out
	for _, s := range rep.PerSource {
		rep.Undated += s.Undated
	}
	return inds[:out], rep
}

// maxExampleLen is the length an example's "type:value" is cut to.
const maxExampleLen = 96

func (p *Policy) example(exs []string, ind *indicator.Indicator, why Reason, end time.Time) []string {
	if len(exs) >= p.maxEx {
		return exs
	}
	ex := ind.String()
	if len(ex) > maxExampleLen {
		ex = strings.ToValidUTF8(ex[:maxExampleLen], "") + "…"
	}
	ex += " (" + ind.Source + "): last seen " + LastSighting(&ind.Meta).UTC().Format(time.DateOnly) +
		", " + why.String() + " " + end.UTC().Format(time.DateOnly)
	return append(exs, ex)
}

// SetModel makes m the decay model of o the way MISP applies a model: to
// the indicator types of its MISP attribute types (Model.Types: "NIDS
// Simple" to addresses, domains and URLs, not to hashes) when it names
// some, else, for a model that names none (a user's file without
// attribute_types), to every type (Options.Model). It replaces o's
// Model and TypeModels; SourceModels stay. A model whose attribute types
// are all ones iocmatch has no type for (the Vishing model's
// phone-number and prtn) is an error: it would score nothing.
func (o *Options) SetModel(m Model) error {
	o.Model, o.TypeModels = nil, nil
	if len(m.AttributeTypes) == 0 {
		o.Model = &m
		return nil
	}
	types := m.Types()
	if len(types) == 0 {
		return fmt.Errorf("age: decay model %q applies to no indicator type (its MISP attribute types: %s)", m.Name, strings.Join(m.AttributeTypes, ", "))
	}
	o.TypeModels = make(map[indicator.Type]Model, len(types))
	for _, t := range types {
		o.TypeModels[t] = m
	}
	return nil
}
