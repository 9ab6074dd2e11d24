package match

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/iocmatch/iocmatch/indicator"
)

// metaChunkBits: a Builder keeps its records in chunks of
// 1<<metaChunkBits.
const metaChunkBits = 12

// spanChunkBits: the records' own bytes (their times and IDs) are kept
// in chunks of 1<<spanChunkBits bytes, a record's never across two.
const spanChunkBits = 20

// maxArenaID is the longest ID kept in a record's own bytes; a longer
// one (it never is, in practice) is interned with the shared fields, so
// that a record's bytes always fit in a chunk.
const maxArenaID = 1 << 10

// metaStore is the store of the records' metadata of a Builder, then of
// its Matcher (Matcher.metas, the same store), compactly: a record of a
// MISP or STIX feed takes some 8 bytes, its times and its ID, instead of
// the 296 of an indicator.Meta. Each record is
//
//   - a metaRec in chunks of 1<<metaChunkBits (one growing slice would be
//     copied as it grows, and keep its spare room);
//   - its own bytes in the arena, right after those of the record before:
//     its non-zero times (4 or 16 bytes each) then its ID, which is
//     nearly always unique (a STIX id, a MISP uuid) and so is not
//     interned;
//   - the index of its metaRest, every other field, interned: the
//     records of one MISP event or of one STIX source share it. Its
//     strings are interned (strs) and so are its string slices (lists).
//
// A record is decoded into an indicator.Meta (meta) without allocating:
// the strings are those of strs, or point into the arena (whose bytes
// are never modified once written), the slices those of lists, the
// times are rebuilt from their Unix time and location. The maps that
// intern are the Builder's only: finish drops them.
type metaStore struct {
	done [][]metaRec
	cur  []metaRec

	arena [][]byte // the records' own bytes, chunks of 1<<spanChunkBits at most
	rests []metaRest
	strs  []string         // the interned strings; 0 is ""
	lists [][]string       // the interned string slices; 0 is nil, 1 is empty
	locs  []*time.Location // the locations of tFull times; 0 is UTC

	b *metaBuild // until finish
}

// metaRec is a record: its bytes are arena[end-n:end] in global offsets
// (chunk<<spanChunkBits + offset), n given by its times and ID; they start
// where the record before ends, or at the start of end's chunk when that
// is another chunk.
type metaRec struct {
	end  uint32 // the offset just after its bytes
	rest uint32 // index in rests
}

// metaRest holds the fields of a record other than its times and ID (and
// the kinds of its times): the part records share.
type metaRest struct {
	source, desc, ref, actor, family, file, fileName uint32 // indexes in strs
	id                                               uint32 // index in strs of an ID longer than maxArenaID, else 0
	tags, techs                                      uint32 // indexes in lists
	conf                                             indicator.Confidence
	sev                                              indicator.Severity
	tlp                                              indicator.TLP
	times                                            uint8 // the kinds of FirstSeen, LastSeen, ValidFrom, ValidUntil, 2 bits each from the lowest
}

// The kinds of time a record keeps, each in its own bytes.
const (
	tZero   = iota // the zero time.Time: no bytes
	tUnix32        // in UTC, whole seconds, Unix time in [0, 2^32): the Unix time in 4 bytes
	tFull          // any other: Unix seconds (8 bytes), nanoseconds (4) and an index in locs (4)
)

// timeSize is the size of the bytes of a time of each kind.
var timeSize = [4]int{tZero: 0, tUnix32: 4, tFull: 16}

// metaBuild holds the maps that intern, until finish.
type metaBuild struct {
	strs  map[string]uint32
	lists map[string]uint32 // by listKey
	rests map[metaRest]uint32
	locs  map[*time.Location]uint32
	key   []byte // listKey's buffer
}

var errMetaFull = errors.New("match: the metadata store is full (more than 4 GB of record IDs and times, or 2^32 distinct strings)")

// newMetaStore returns an empty store, ready for add.
func newMetaStore() metaStore {
	return metaStore{
		strs:  []string{""},
		lists: [][]string{nil, {}},
		locs:  []*time.Location{time.UTC},
		b: &metaBuild{strs: map[string]uint32{}, lists: map[string]uint32{},
			rests: map[metaRest]uint32{}, locs: map[*time.Location]uint32{}},
	}
}

// Len returns the number of records.
func (s *metaStore) Len() int { return len(s.done)<<metaChunkBits + len(s.cur) }

// add appends mt and returns its index. Monotonic clock readings of its
// times are not kept. The error is errMetaFull.
func (s *metaStore) add(mt *indicator.Meta) (uint32, error) {
	if s.b == nil {
		panic("match: metaStore.add after finish")
	}
	r := metaRest{conf: mt.Confidence, sev: mt.Severity, tlp: mt.TLP}
	var err error
	for _, f := range [...]struct {
		dst *uint32
		s   string
	}{{&r.source, mt.Source}, {&r.desc, mt.Description}, {&r.ref, mt.Reference},
		{&r.actor, mt.ThreatActor}, {&r.family, mt.MalwareFamily}, {&r.file, mt.File}, {&r.fileName, mt.FileName}} {
		if *f.dst, err = s.str(f.s); err != nil {
			return 0, err
		}
	}
	if r.tags, err = s.list(mt.Tags); err != nil {
		return 0, err
	}
	if r.techs, err = s.list(mt.Techniques); err != nil {
		return 0, err
	}
	id := mt.ID
	if len(id) > maxArenaID {
		if r.id, err = s.str(id); err != nil {
			return 0, err
		}
		id = ""
	}
	times := [...]time.Time{mt.FirstSeen, mt.LastSeen, mt.ValidFrom, mt.ValidUntil}
	n := len(id)
	for i, t := range times {
		k := timeKind(t)
		r.times |= k << (2 * i)
		n += timeSize[k]
	}
	ri, ok := s.b.rests[r]
	if !ok {
		if len(s.rests) >= math.MaxUint32 {
			return 0, errMetaFull
		}
		ri = uint32(len(s.rests))
		s.rests = append(s.rests, r)
		s.b.rests[r] = ri
	}

	// the record's bytes
	c, off := s.room(n)
	if c < 0 {
		return 0, errMetaFull
	}
	p := s.arena[c]
	for _, t := range times {
		switch timeKind(t) {
		case tUnix32:
			p = binary.LittleEndian.AppendUint32(p, uint32(t.Unix()))
		case tFull:
			l, err := s.loc(t.Location())
			if err != nil {
				return 0, err
			}
			p = binary.LittleEndian.AppendUint64(p, uint64(t.Unix()))
			p = binary.LittleEndian.AppendUint32(p, uint32(t.Nanosecond()))
			p = binary.LittleEndian.AppendUint32(p, l)
		}
	}
	p = append(p, id...)
	s.arena[c] = p

	if len(s.cur) == cap(s.cur) {
		if len(s.cur) > 0 {
			s.done = append(s.done, s.cur)
		}
		s.cur = make([]metaRec, 0, 1<<metaChunkBits)
	}
	k := uint32(s.Len())
	s.cur = append(s.cur, metaRec{end: uint32(c<<spanChunkBits + off + n), rest: ri})
	return k, nil
}

// room returns the chunk of the arena the next n bytes go to and their
// offset in it, starting a chunk if the last one has no room; c is -1
// past 4 GB of bytes. The first chunk grows by append up to
// 1<<spanChunkBits bytes, so that a small Matcher holds a small one (the
// strings already decoded point to the bytes before it grew, which stay
// as they were); the next ones are made at their full size.
func (s *metaStore) room(n int) (c, off int) {
	switch last := len(s.arena) - 1; {
	case last < 0:
		s.arena = append(s.arena, nil)
	case len(s.arena[last])+n > 1<<spanChunkBits:
		if last == 0 {
			s.arena[0] = slices.Clip(slices.Clone(s.arena[0])) // it grew by append: drop its spare room
		}
		s.arena = append(s.arena, make([]byte, 0, 1<<spanChunkBits))
	}
	c = len(s.arena) - 1
	off = len(s.arena[c])
	if uint64(c)<<spanChunkBits+uint64(off+n) > math.MaxUint32 {
		return -1, 0
	}
	return c, off
}

// timeKind returns the kind t is kept as.
func timeKind(t time.Time) uint8 {
	switch {
	case t.IsZero() && t.Location() == time.UTC:
		return tZero // (IsZero holds in any location: only UTC is time.Time{})
	case t.Location() == time.UTC && t.Nanosecond() == 0 && t.Unix() >= 0 && t.Unix() <= math.MaxUint32:
		return tUnix32
	}
	return tFull
}

// str interns v.
func (s *metaStore) str(v string) (uint32, error) {
	if v == "" {
		return 0, nil
	}
	if i, ok := s.b.strs[v]; ok {
		return i, nil
	}
	if len(s.strs) >= math.MaxUint32 {
		return 0, errMetaFull
	}
	i := uint32(len(s.strs))
	v = strings.Clone(v)
	s.strs = append(s.strs, v)
	s.b.strs[v] = i
	return i, nil
}

// list interns l: nil is 0, an empty slice 1; another is a copy, of
// interned strings, its capacity its length (appending to it copies).
func (s *metaStore) list(l []string) (uint32, error) {
	switch {
	case l == nil:
		return 0, nil
	case len(l) == 0:
		return 1, nil
	}
	key := s.b.key[:0]
	for _, v := range l {
		key = binary.AppendUvarint(key, uint64(len(v)))
		key = append(key, v...)
	}
	s.b.key = key
	if i, ok := s.b.lists[string(key)]; ok {
		return i, nil
	}
	if len(s.lists) >= math.MaxUint32 {
		return 0, errMetaFull
	}
	c := make([]string, len(l))
	for j, v := range l {
		k, err := s.str(v)
		if err != nil {
			return 0, err
		}
		c[j] = s.strs[k]
	}
	i := uint32(len(s.lists))
	s.lists = append(s.lists, c)
	s.b.lists[string(key)] = i
	return i, nil
}

// loc interns l.
func (s *metaStore) loc(l *time.Location) (uint32, error) {
	if l == time.UTC {
		return 0, nil
	}
	if i, ok := s.b.locs[l]; ok {
		return i, nil
	}
	if len(s.locs) >= math.MaxUint32 {
		return 0, errMetaFull
	}
	i := uint32(len(s.locs))
	s.locs = append(s.locs, l)
	s.b.locs[l] = i
	return i, nil
}

// finish drops the maps that intern and the spare room of the tables: no
// record is added after it.
func (s *metaStore) finish() {
	s.b = nil
	if n := len(s.arena); n > 0 {
		s.arena[n-1] = slices.Clone(s.arena[n-1])
	}
	s.arena = slices.Clip(s.arena)
	s.rests = slices.Clone(s.rests)
	s.strs = slices.Clone(s.strs)
	s.lists = slices.Clone(s.lists)
	s.locs = slices.Clone(s.locs)
}

// rec returns record k.
func (s *metaStore) rec(k uint32) metaRec {
	if i := int(k >> metaChunkBits); i < len(s.done) {
		return s.done[i][k&(1<<metaChunkBits-1)]
	}
	return s.cur[k&(1<<metaChunkBits-1)]
}

// span returns the bytes of record k and its rest.
func (s *metaStore) span(k uint32) ([]byte, *metaRest) {
	r := s.rec(k)
	rest := &s.rests[r.rest]
	var start uint32
	if k > 0 {
		start = s.rec(k - 1).end
	}
	if r.end == start {
		return nil, rest
	}
	c := (r.end - 1) >> spanChunkBits
	if start>>spanChunkBits != c {
		start = c << spanChunkBits // the record starts its chunk
	}
	const mask = 1<<spanChunkBits - 1
	return s.arena[c][start&mask : start&mask+(r.end-start)], rest
}

// source returns the Source of record k.
func (s *metaStore) source(k uint32) string {
	return s.strs[s.rests[s.rec(k).rest].source]
}

// meta returns record k, without allocating.
func (s *metaStore) meta(k uint32) indicator.Meta {
	b, r := s.span(k)
	mt := indicator.Meta{
		Source: s.strs[r.source], Description: s.strs[r.desc], Reference: s.strs[r.ref],
		Confidence: r.conf, Severity: r.sev, Tags: s.lists[r.tags], TLP: r.tlp,
		ThreatActor: s.strs[r.actor], MalwareFamily: s.strs[r.family], Techniques: s.lists[r.techs],
		File: s.strs[r.file], FileName: s.strs[r.fileName],
	}
	mt.FirstSeen, b = s.time(r.times, b)
	mt.LastSeen, b = s.time(r.times>>2, b)
	mt.ValidFrom, b = s.time(r.times>>4, b)
	mt.ValidUntil, b = s.time(r.times>>6, b)
	if r.id != 0 {
		mt.ID = s.strs[r.id]
	} else if len(b) > 0 {
		mt.ID = unsafe.String(&b[0], len(b))
	}
	return mt
}

// window returns the ValidFrom and ValidUntil of record k, reading
// nothing else.
func (s *metaStore) window(k uint32) (from, until time.Time) {
	b, r := s.span(k)
	b = b[timeSize[r.times&3]+timeSize[r.times>>2&3]:]
	from, b = s.time(r.times>>4, b)
	until, _ = s.time(r.times>>6, b)
	return from, until
}

// time decodes the time of kind k&3 at the start of b, and returns it
// with the rest of b.
func (s *metaStore) time(k uint8, b []byte) (time.Time, []byte) {
	switch k & 3 {
	case tUnix32:
		return time.Unix(int64(binary.LittleEndian.Uint32(b)), 0).UTC(), b[4:]
	case tFull:
		t := time.Unix(int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint32(b[8:])))
		return t.In(s.locs[binary.LittleEndian.Uint32(b[12:])]), b[16:]
	}
	return time.Time{}, b
}
