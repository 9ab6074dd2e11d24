package match

import (
	"cmp"
	"fmt"
	"math"
	"strings"
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
// indicators' metadata are shared with the Matcher's entries. Values are
// copied into one string; metadata that is only a source name is stored
// once per source.
func Compile(inds []indicator.Indicator, opts Options) (*Matcher, error) {
	if opts.MinConfidence < 0 || opts.MinConfidence > 100 {
		return nil, fmt.Errorf("match: MinConfidence %d out of range 0-100", opts.MinConfidence)
	}
	m := &Matcher{now: opts.Now}
	if m.now == nil {
		m.now = time.Now
	}
	m.maxHit = cmp.Or(opts.MaxMatchesPerLine, DefaultMaxMatchesPerLine)
	type key struct {
		t indicator.Type
		v string
	}
	index := make(map[key]ID, len(inds))
	bySource := map[string]uint32{} // metas that hold only a source
	var vals strings.Builder
	for i := range inds {
		ind := &inds[i]
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
		// the metadata, shared by every indicator with only that source
		var k uint32
		if sourceOnly(&ind.Meta) {
			var ok bool
			if k, ok = bySource[ind.Source]; !ok {
				k = uint32(len(m.metas))
				bySource[ind.Source] = k
				m.metas = append(m.metas, indicator.Meta{Source: ind.Source})
			}
		} else {
			k = uint32(len(m.metas))
			m.metas = append(m.metas, ind.Meta)
		}
		var flags uint8
		if !ind.ValidFrom.IsZero() || !ind.ValidUntil.IsZero() {
			flags = fWindow
			m.window = true
		}
		id, ok := index[key{t, v}]
		if !ok {
			// IDs stay below multiKey-2 (2^31-2), so that ID+1 never reaches
			// the domain table's slotMarker.
			if vals.Len()+len(v) > math.MaxUint32 || len(m.ents) >= int(multiKey)-2 {
				return nil, fmt.Errorf("match: more than 2^31-2 entries or 4 GiB of indicator values")
			}
			id = ID(len(m.ents))
			index[key{t, v}] = id
			m.ents = append(m.ents, entryRec{off: uint32(vals.Len()), meta: k, n: uint16(len(v)), typ: t, flags: flags})
			vals.WriteString(v)
			m.counts[t]++
			continue
		}
		e := &m.ents[id]
		if e.flags&fGroup == 0 {
			m.groups = append(m.groups, []uint32{e.meta})
			e.meta = uint32(len(m.groups) - 1)
			e.flags |= fGroup
		}
		m.groups[e.meta] = append(m.groups[e.meta], k)
		e.flags |= flags
	}
	m.vals = vals.String()
	b := builder{m: m}
	for id := range m.ents {
		b.add(ID(id), m.ents[id].typ, m.value(ID(id)))
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	return m, nil
}

// sourceOnly reports whether m holds nothing but a source name.
func sourceOnly(m *indicator.Meta) bool {
	return m.ID == "" && m.Description == "" && m.Reference == "" &&
		m.Confidence == indicator.ConfidenceUnknown && m.Severity == indicator.SeverityUnknown &&
		len(m.Tags) == 0 && m.TLP == indicator.TLPUnknown && m.ThreatActor == "" &&
		m.MalwareFamily == "" && len(m.Techniques) == 0 && m.FirstSeen.IsZero() &&
		m.LastSeen.IsZero() && m.ValidFrom.IsZero() && m.ValidUntil.IsZero()
}

// builder collects the per-kind tables.
type builder struct {
	m       *Matcher
	addrs   addrBuilder
	strings stringBuilder
}

func (b *builder) add(id ID, t indicator.Type, v string) {
	m := b.m
	switch {
	case t.IsAddress():
		b.addrs.add(&m.addrs, id, v)
	case t == indicator.Domain:
		m.domains.add(id, v)
	case t == indicator.URL:
		m.urls.add(id, v)
	case t == indicator.Email:
		if m.emails == nil {
			m.emails = make(map[string]ID)
		}
		m.emails[v] = id
	case t.IsHash():
		m.hashes.add(id, v)
	case t.IsString():
		b.strings.add(id, t, v)
	}
}

func (b *builder) finish() error {
	m := b.m
	if err := b.addrs.build(&m.addrs); err != nil {
		return err
	}
	m.hashes.build()
	m.domains.build(m)
	m.urls.build()
	m.strs = b.strings.build()
	return nil
}
