package match

import (
	"fmt"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// Compile turns indicators into an immutable Matcher.
//
// Values are canonicalised again (indicator.Canonical), so indicators built
// by hand match like ones from New; an invalid type or value is an error
// naming the indicator's index. Indicators with the same canonical type and
// value become one entry holding all of them. Options.MinConfidence drops
// indicators below the floor before anything else; entries whose every
// indicator is outside its validity window at match time do not match.
//
// The input slice is not retained, but the strings and slices inside the
// indicators are shared with the Matcher's entries.
func Compile(inds []indicator.Indicator, opts Options) (*Matcher, error) {
	if opts.MinConfidence < 0 || opts.MinConfidence > 100 {
		return nil, fmt.Errorf("match: MinConfidence %d out of range 0-100", opts.MinConfidence)
	}
	m := &Matcher{now: opts.Now}
	if m.now == nil {
		m.now = time.Now
	}
	type key struct {
		t indicator.Type
		v string
	}
	index := make(map[key]ID, len(inds))
	for i, ind := range inds {
		if !ind.Type.Valid() {
			return nil, fmt.Errorf("match: indicator %d: invalid type %v", i, ind.Type)
		}
		if c := ind.Confidence; c.Known() && c.Value() < opts.MinConfidence {
			continue
		}
		t, v, err := indicator.Canonical(ind.Type, ind.Value)
		if err != nil {
			return nil, fmt.Errorf("match: indicator %d: %w", i, err)
		}
		ind.Type, ind.Value = t, v
		k := key{t, v}
		id, ok := index[k]
		if !ok {
			id = ID(len(m.entries))
			index[k] = id
			m.entries = append(m.entries, Entry{ID: id, Type: t, Value: v})
			m.counts[t]++
		}
		m.entries[id].Indicators = append(m.entries[id].Indicators, ind)
	}
	m.valid = make([]validity, len(m.entries))
	for id := range m.entries {
		m.valid[id] = validityOf(m.entries[id].Indicators)
	}
	b := builder{m: m}
	for id := range m.entries {
		b.add(ID(id), &m.entries[id])
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	return m, nil
}

func validityOf(inds []indicator.Indicator) validity {
	var v validity
	for i := range inds {
		from, until := inds[i].ValidFrom, inds[i].ValidUntil
		if from.IsZero() && until.IsZero() {
			return validity{} // always valid
		}
		w := window{}
		if !from.IsZero() {
			w.from = from.UnixNano()
		}
		if !until.IsZero() {
			w.until = until.UnixNano()
		}
		v.windows = append(v.windows, w)
	}
	return v
}

// builder collects the per-kind tables.
type builder struct {
	m       *Matcher
	addrs   addrBuilder
	strings stringBuilder
}

func (b *builder) add(id ID, e *Entry) {
	m := b.m
	switch t := e.Type; {
	case t.IsAddress():
		b.addrs.add(id, e.Value)
	case t == indicator.Domain:
		m.domains.add(id, e.Value)
	case t == indicator.URL:
		m.urls.add(id, e.Value)
	case t == indicator.Email:
		if m.emails == nil {
			m.emails = make(map[string]ID)
		}
		m.emails[e.Value] = id
	case t.IsHash():
		m.hashes.add(id, e.Value)
	case t.IsString():
		b.strings.add(id, t, e.Value)
	}
}

func (b *builder) finish() error {
	m := b.m
	if err := b.addrs.build(&m.addrs); err != nil {
		return err
	}
	m.hashes.build()
	m.urls.build()
	m.strs = b.strings.build()
	return nil
}
