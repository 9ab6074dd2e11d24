package match

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"math"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/metakey"
	"github.com/iocmatch/iocmatch/match/internal/ac"
)

// Compile turns indicators into an immutable Matcher.
//
// Values are canonicalised again (indicator.Canonical), so indicators built
// by hand match like ones from New; an invalid type or value is an error
// naming the indicator's index. Indicators with the same canonical type and
// value become one entry holding each distinct record once: a record whose
// metadata is identical to one of the entry's (every field of
// indicator.Meta, times as instants) is counted in Entry.Duplicates
// instead, so that a record repeated a million times costs one. Options.MinConfidence drops
// indicators below the floor before anything else; entries whose every
// indicator is outside its validity window at match time do not match. A
// domain entry that is a public suffix is marked to match its exact name
// only (Matcher.ExactOnly; see the package doc's Domains rule), unless
// Options.SubdomainsOfPublicSuffixes.
//
// The input is not retained: values are copied into one string, and the
// metadata into a compact store (the strings and string slices that
// repeat across records, such as sources, descriptions and tags, once
// each; the IDs and times per record); metadata that is only a source
// name is stored once per source.
func Compile(inds []indicator.Indicator, opts Options) (*Matcher, error) {
	if uint64(len(inds)) > uint64(limits.indicators) {
		if opts.MinConfidence < 0 || opts.MinConfidence > 100 {
			return nil, fmt.Errorf("match: MinConfidence %d out of range 0-100", opts.MinConfidence)
		}
		return nil, fmt.Errorf("match: %d indicators, more than the limit of %d (metadata indices are 32-bit)", len(inds), limits.indicators)
	}
	b, err := NewBuilder(opts)
	if err != nil {
		return nil, err
	}
	b.index.reserve(len(inds))
	if err := b.Add(inds...); err != nil {
		return nil, err
	}
	return b.Finish()
}

// Builder compiles indicators given a batch at a time into a Matcher,
// as Compile does with one slice: Compile(inds, opts) is NewBuilder(opts),
// Add(inds...), Finish(). It keeps each indicator the way the Matcher
// does (the value in one string, the metadata once per record, or once
// per source for records with only a source), so that a program that
// reads a large feed in batches (loader.StreamAll) never holds the whole
// []indicator.Indicator. A Builder is not safe for concurrent use.
type Builder struct {
	m        *Matcher
	opts     Options
	index    entryIndex // the entries by (type, value)
	seed     maphash.Seed
	bySource map[srcFile]uint32 // metas that hold only a source and a file
	dd       dedup
	vals     values
	strBytes int // the string-kind patterns' bytes (see stringBytes)
	n        int // indicators given so far
	err      error
}

type srcFile struct{ source, file string }

// NewBuilder returns a Builder with the options of Compile; the error is
// about the options.
func NewBuilder(opts Options) (*Builder, error) {
	if opts.MinConfidence < 0 || opts.MinConfidence > 100 {
		return nil, fmt.Errorf("match: MinConfidence %d out of range 0-100", opts.MinConfidence)
	}
	m := &Matcher{now: opts.Now}
	if m.now == nil {
		m.now = time.Now
	}
	m.maxHit = cmp.Or(opts.MaxMatchesPerLine, DefaultMaxMatchesPerLine)
	return &Builder{m: m, opts: opts, seed: maphash.MakeSeed(), bySource: map[srcFile]uint32{},
		dd: dedup{m: m, metas: newMetaStore(), hash: metakey.NewHasher()}}, nil
}

// Add adds indicators, in order after those added before; it does not
// retain the slice nor the strings and slices inside the metadata (the
// Matcher keeps copies, as Compile says). The error is Compile's, naming the
// indicator by its index among all those added; after an error, Add and
// Finish return it again.
func (b *Builder) Add(inds ...indicator.Indicator) error {
	if b.err != nil {
		return b.err
	}
	if b.m == nil {
		return errFinished
	}
	if uint64(b.n)+uint64(len(inds)) > uint64(limits.indicators) {
		b.err = fmt.Errorf("match: %d indicators, more than the limit of %d (metadata indices are 32-bit)", uint64(b.n)+uint64(len(inds)), limits.indicators)
		return b.err
	}
	for i := range inds {
		if err := b.add(b.n, &inds[i]); err != nil {
			b.err = err
			return err
		}
		b.n++
	}
	return nil
}

var errFinished = fmt.Errorf("match: Builder already finished")

func (b *Builder) add(i int, ind *indicator.Indicator) error {
	m := b.m
	if !ind.Type.Valid() {
		return fmt.Errorf("match: indicator %d: invalid type %v", i, ind.Type)
	}
	if c := ind.Confidence; c.Known() && c.Value() < b.opts.MinConfidence {
		return nil
	}
	t, v, err := indicator.Canonical(ind.Type, ind.Value)
	if err != nil {
		return fmt.Errorf("match: indicator %d: %w", i, err)
	}
	key := entryKey(b.seed, t, v)
	id, ok := b.index.lookup(b, key, t, v)
	var h uint64 // the metadata's hash, when dd.dup computed it
	if ok {
		var dup bool
		if dup, h = b.dd.dup(id, &ind.Meta); dup {
			return nil
		}
	}
	// the metadata, shared by every indicator with only that source
	// and file (a plain list's)
	var k uint32
	if sourceOnly(&ind.Meta) {
		var ok bool
		sf := srcFile{ind.Source, ind.File}
		if k, ok = b.bySource[sf]; !ok {
			if k, err = b.dd.metas.add(&indicator.Meta{Source: ind.Source, File: ind.File}); err != nil {
				return fmt.Errorf("match: indicator %d: %w", i, err)
			}
			b.bySource[sf] = k
		}
	} else if k, err = b.dd.metas.add(&ind.Meta); err != nil {
		return fmt.Errorf("match: indicator %d: %w", i, err)
	}
	var flags uint8
	if !ind.ValidFrom.IsZero() || !ind.ValidUntil.IsZero() {
		flags = fWindow
		m.window = true
	}
	if !ok {
		if t.IsString() {
			b.strBytes += stringBytes(t, v)
		}
		if err := limits.check(len(m.ents)+1, b.vals.Len()+len(v), b.strBytes, t, v); err != nil {
			return fmt.Errorf("match: indicator %d: %w", i, err)
		}
		id = ID(len(m.ents))
		m.ents = append(m.ents, entryRec{off: uint32(b.vals.Len()), meta: k, n: uint16(len(v)), typ: t, flags: flags})
		b.vals.WriteString(v)
		b.index.insert(b, key, id)
		m.counts[t]++
		return nil
	}
	b.dd.add(id, k, h)
	m.ents[id].flags |= flags
	return nil
}

// Len returns the number of entries (distinct canonical indicators) so
// far.
func (b *Builder) Len() int {
	if b.m == nil {
		return 0
	}
	return len(b.m.ents)
}

// Finish builds the Matcher's tables and returns it; the Builder is
// done then (Add and Finish return an error). The error is Compile's.
func (b *Builder) Finish() (*Matcher, error) {
	if b.err != nil {
		return nil, b.err
	}
	m := b.m
	if m == nil {
		return nil, errFinished
	}
	m.metas, b.dd.metas = b.dd.metas, metaStore{}
	m.metas.finish()
	b.m, b.index, b.bySource, b.dd = nil, entryIndex{}, nil, dedup{}
	m.vals = b.vals.String()
	b.vals = values{}
	m.sources()
	for i := range m.ents {
		if e := &m.ents[i]; e.flags&(fGroup|fWindow) == fGroup|fWindow {
			g := &m.groups[e.meta]
			g.windows = mergeWindows(&m.metas, g.metas)
		}
	}
	tb := builder{m: m, cidrRefs: limits.cidrRefs, psSubdomains: b.opts.SubdomainsOfPublicSuffixes}
	for id := range m.ents {
		tb.add(ID(id), m.ents[id].typ, m.value(ID(id)))
	}
	if err := tb.finish(); err != nil {
		b.err = err
		return nil, err
	}
	return m, nil
}

// dedup finds the records identical to one of their entry's.
type dedup struct {
	m     *Matcher
	metas metaStore // the records' metadata until Finish (Matcher.metas then)
	hash  *metakey.Hasher
	seen  map[dupKey]uint32 // the first meta of a group's metadata hash
}

type dupKey struct {
	id ID
	h  uint64 // the metadata's hash
}

// grouped makes entry id a group, if it is not one yet, and returns it.
func (d *dedup) grouped(id ID) *group {
	m := d.m
	e := &m.ents[id]
	if e.flags&fGroup == 0 {
		k := e.meta
		m.groups = append(m.groups, group{metas: []uint32{k}})
		e.meta = uint32(len(m.groups) - 1)
		e.flags |= fGroup
		if d.seen == nil {
			d.seen = make(map[dupKey]uint32)
		}
		mt := d.metas.meta(k)
		d.seen[dupKey{id, d.hash.Meta(&mt)}] = k
	}
	return &m.groups[e.meta]
}

// dup reports whether meta is identical to a record of entry id, and
// counts it then; it returns the hash of meta too (dedup.hash), or 0
// when it did not compute it.
func (d *dedup) dup(id ID, meta *indicator.Meta) (bool, uint64) {
	m := d.m
	e := &m.ents[id]
	if e.flags&fGroup == 0 && !d.equal(e.meta, meta) {
		return false, 0 // the second record of an entry, another one: no hashing
	}
	g := d.grouped(id)
	h := d.hash.Meta(meta)
	if k, ok := d.seen[dupKey{id, h}]; !ok || !d.equal(k, meta) {
		return false, h
	}
	g.dups++
	return true, h
}

// equal reports whether record k is meta (metakey.MetaEqual).
func (d *dedup) equal(k uint32, meta *indicator.Meta) bool {
	mt := d.metas.meta(k)
	return metakey.MetaEqual(&mt, meta)
}

// add adds record k, not a duplicate, to entry id; h is the
// hash of its metadata, or 0 to compute it.
func (d *dedup) add(id ID, k uint32, h uint64) {
	g := d.grouped(id)
	g.metas = append(g.metas, k)
	if h == 0 {
		mt := d.metas.meta(k)
		h = d.hash.Meta(&mt)
	}
	if _, ok := d.seen[dupKey{id, h}]; !ok {
		d.seen[dupKey{id, h}] = k
	}
}

// sources computes the Sources of every entry: srcOne for the entries of
// one record, and each group's, the groups of the same sources sharing
// one slice.
func (m *Matcher) sources() {
	m.srcOne = make(map[string][]string)
	for i := range m.metas.Len() {
		if s := m.metas.source(uint32(i)); s != "" && m.srcOne[s] == nil {
			m.srcOne[s] = []string{s}
		}
	}
	sets := map[string][]string{}
	for i := range m.groups {
		g := &m.groups[i]
		srcs := sourcesOf(g.metas, func(k *uint32) string { return m.metas.source(*k) })
		switch len(srcs) {
		case 0:
		case 1:
			g.srcs = m.srcOne[srcs[0]]
		default:
			key := strings.Join(srcs, "\x00")
			if s, ok := sets[key]; ok {
				srcs = s
			} else {
				sets[key] = srcs
			}
			g.srcs = srcs
		}
	}
}

// sourceOnly reports whether m holds nothing but a source name and a
// feed file.
func sourceOnly(m *indicator.Meta) bool {
	return m.FileName == "" && m.ID == "" && m.Description == "" && m.Reference == "" &&
		m.Confidence == indicator.ConfidenceUnknown && m.Severity == indicator.SeverityUnknown &&
		len(m.Tags) == 0 && m.TLP == indicator.TLPUnknown && m.ThreatActor == "" &&
		m.MalwareFamily == "" && len(m.Techniques) == 0 && m.FirstSeen.IsZero() &&
		m.LastSeen.IsZero() && m.ValidFrom.IsZero() && m.ValidUntil.IsZero()
}

// MaxEntries, MaxValueBytes and MaxStringBytes are the limits of a
// Matcher's tables; Compile returns an error naming the limit for a set of
// indicators past one, before it builds the tables. Every other table
// (addresses, domains, URLs, hashes) holds at most one slot per entry or
// per label of an entry's value, indexed by ID or by 64-bit offsets, and
// fits whenever these limits hold.
const (
	// MaxEntries is the most entries (distinct canonical indicators) a
	// Matcher holds: 2^31-2, so that an ID plus one fits in the 31 bits
	// the domain and URL tables keep for it.
	MaxEntries = 1<<31 - 2

	// MaxValueBytes is the most bytes the entries' canonical values take
	// in total: 4 GiB - 1, as they are stored back to back in one string
	// at 32-bit offsets.
	MaxValueBytes = 1<<32 - 1

	// MaxStringBytes is the most bytes the patterns of the string kinds
	// (filename, regkey, mutex, useragent, email-subject, string) take
	// in total: 2 GiB - 1, the limit of the Aho-Corasick automaton (one
	// state per byte, 32-bit states). A registry key written with a hive
	// counts twice, with its abbreviation and its long name
	// (HKLM\x and HKEY_LOCAL_MACHINE\x), so about 1 GiB of such keys
	// reaches it.
	MaxStringBytes = ac.MaxBytes
)

// limits holds the limits Compile checks, as variables so that tests can
// lower them (a test cannot allocate gigabytes).
var limits = compileLimits{
	entries:     MaxEntries,
	valueBytes:  MaxValueBytes,
	valueLen:    math.MaxUint16, // entryRec.n
	stringBytes: MaxStringBytes,
	indicators:  math.MaxUint32, // entryRec.meta, groups
	cidrRefs:    math.MaxUint32, // addrTable.ids offsets
}

type compileLimits struct {
	entries, valueBytes, valueLen, stringBytes, indicators, cidrRefs int
}

// check returns an error naming the limit that a new entry (t, v) would
// pass: with it, the entries would be entries, their values valueBytes in
// total and the string-kind patterns strBytes.
func (l *compileLimits) check(entries, valueBytes, strBytes int, t indicator.Type, v string) error {
	switch {
	case entries > l.entries:
		return fmt.Errorf("more than %d distinct indicators (match.MaxEntries)", l.entries)
	case valueBytes > l.valueBytes:
		return fmt.Errorf("indicator values of more than %d bytes in total (match.MaxValueBytes)", l.valueBytes)
	case len(v) > l.valueLen:
		return fmt.Errorf("canonical value of %d bytes, longer than the limit of %d: %.40q...", len(v), l.valueLen, v)
	case t.IsString() && strBytes > l.stringBytes:
		return fmt.Errorf("string-kind values of more than %d bytes in total, registry keys with a hive counting twice (match.MaxStringBytes)", l.stringBytes)
	}
	return nil
}

// builder collects the per-kind tables.
type builder struct {
	m        *Matcher
	addrs    addrBuilder
	strings  stringBuilder
	cidrRefs int // limits.cidrRefs

	psSubdomains bool // Options.SubdomainsOfPublicSuffixes
}

func (b *builder) add(id ID, t indicator.Type, v string) {
	m := b.m
	switch {
	case t.IsAddress():
		b.addrs.add(&m.addrs, id, v)
	case t == indicator.Domain:
		if !b.psSubdomains && isPublicSuffix(v) {
			m.ents[id].flags |= fExact
		}
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
	if err := b.addrs.build(&m.addrs, b.cidrRefs); err != nil {
		return err
	}
	m.hashes.build()
	m.domains.build(m)
	m.urls.build()
	var err error
	m.strs, err = b.strings.build()
	return err
}

// GrowLike reserves room in b for as many entries and value bytes as m
// holds, and its index of entries for as many, so that a Builder
// rebuilding a set of about the size of m (a reload) does not grow its
// arrays by doubling: at the peak of each doubling both the old and the
// new array are live. (The metadata records are kept in chunks that do
// not grow.) Call it before the first Add; it does nothing after one. A
// set that turns out larger grows from there; one that turns out smaller
// keeps the room (at most m's size).
func (b *Builder) GrowLike(m *Matcher) {
	if b.m == nil || b.n > 0 || m == nil {
		return
	}
	b.m.ents = make([]entryRec, 0, len(m.ents))
	b.vals.Grow(len(m.vals))
	b.index.reserve(len(m.ents))
}
