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

// metaGroup: the store keeps the offset of the bytes of one record in
// metaGroup, those of the others are found by adding lengths.
const metaGroup = 16

// spanChunkBits: the records' own bytes (their times and IDs) are kept
// in chunks of 1<<spanChunkBits bytes, a record's never across two.
const spanChunkBits = 20

// maxSpan is the most bytes of a record of its own: an ID that would
// make more (longer than some 190 bytes: it never is, in practice) is
// interned with the shared fields instead.
const maxSpan = math.MaxUint8

// metaStore is the store of the records' metadata of a Builder, then of
// its Matcher (Matcher.metas, the same store), compactly: a record of a
// MISP or STIX feed takes 3 to 7 bytes plus its own times and its ID
// (some 45 to 55 bytes in all) instead of the 296 of an indicator.Meta
// and the strings and slices it points to. Each record is
//
//   - its own bytes in the arena, right after those of the record before
//     (or at the start of the next chunk, when they do not fit in the
//     chunk): the index of its metaRest (a uvarint), that of its
//     description in strs (a uvarint, 0 for none: descriptions are often
//     all different, and in the rest would make as many rests), its own
//     non-zero times (4 or 16 bytes each), then its ID, which is nearly
//     always unique (a STIX id, a MISP uuid) and so is not interned;
//   - their length (lens), and for one record in metaGroup their offset
//     (starts);
//   - its metaRest, every other field, interned: the records of one MISP
//     event or of one STIX source share it. Its strings are interned
//     (strs), and so are its string slices (lists) and the times it
//     shares with the first record of the same other fields (tShared: the
//     FirstSeen of a MISP event's attributes, the event's date).
//
// A record is decoded into an indicator.Meta (meta) without allocating:
// the strings are those of strs, or point into the arena (whose bytes
// are never modified once written), the slices those of lists, the
// times are rebuilt from their Unix time and location. The maps that
// intern are the Builder's only: finish drops them.
type metaStore struct {
	lens   []uint8  // the length of each record's bytes
	starts []uint32 // the offset of the bytes of records 0, metaGroup, 2*metaGroup …

	arena [][]byte // the records' own bytes, chunks of 1<<spanChunkBits at most; offsets are chunk<<spanChunkBits + offset in it
	rests []metaRest
	strs  []string         // the interned strings; 0 is ""
	lists [][]string       // the interned string slices; 0 is nil, 1 is empty
	locs  []*time.Location // the locations of tFull times; 0 is UTC
	times []time.Time      // the interned tShared times; 0 is zero
	tuple [][4]uint32      // the interned tuples of tShared times, by field, indexes in times; 0 is none

	b *metaBuild // until finish
}

// metaRest holds the fields of a record other than its times and ID (and
// the kinds of its times): the part records share.
type metaRest struct {
	source, ref, actor, family, file, fileName uint32 // indexes in strs
	id                                         uint32 // index in strs of an ID too long for the arena (maxSpan), else 0
	tags, techs                                uint32 // indexes in lists
	conf                                       indicator.Confidence
	sev                                        indicator.Severity
	tlp                                        indicator.TLP
	times                                      uint8  // the kinds of FirstSeen, LastSeen, ValidFrom, ValidUntil, 2 bits each from the lowest
	shared                                     uint32 // index in tuple of the tShared times
}

// The kinds of time a record keeps, each in its own bytes but tShared.
const (
	tZero   = iota // the zero time.Time: no bytes
	tUnix32        // in UTC, whole seconds, Unix time in [0, 2^32): the Unix time in 4 bytes
	tFull          // any other: Unix seconds (8 bytes), nanoseconds (4) and an index in locs (4)
	tShared        // the same field of the first record of the same other fields (a MISP event's date): in the rest, no bytes
)

// timeSize is the size of the bytes of a time of each kind.
var timeSize = [4]int{tZero: 0, tUnix32: 4, tFull: 16, tShared: 0}

// metaBuild holds the maps that intern, until finish.
type metaBuild struct {
	strs  map[string]uint32
	lists map[string]uint32 // by listKey
	rests map[metaRest]uint32
	locs  map[*time.Location]uint32
	times map[time.Time]uint32
	tuple map[[4]uint32]uint32
	first map[metaRest]uint32 // the first record of the fields other than its times and ID (its times are its own: none tShared)
	key   []byte              // list's buffer
}

var errMetaFull = errors.New("match: the metadata store is full (more than 4 GB of record IDs and times, or 2^32 distinct strings)")

// newMetaStore returns an empty store, ready for add.
func newMetaStore() metaStore {
	return metaStore{
		strs:  []string{""},
		lists: [][]string{nil, {}},
		locs:  []*time.Location{time.UTC},
		times: []time.Time{{}},
		tuple: [][4]uint32{{}},
		b: &metaBuild{strs: map[string]uint32{}, lists: map[string]uint32{},
			rests: map[metaRest]uint32{}, locs: map[*time.Location]uint32{},
			times: map[time.Time]uint32{}, tuple: map[[4]uint32]uint32{}, first: map[metaRest]uint32{}},
	}
}

// Len returns the number of records.
func (s *metaStore) Len() int { return len(s.lens) }

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
	}{{&r.source, mt.Source}, {&r.ref, mt.Reference},
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
	// a description is kept by its index in the record's bytes, not in
	// the rest: the descriptions of a STIX feed's indicators are often
	// all different, and so would their rests be, each in the maps that
	// intern them
	desc, err := s.str(mt.Description)
	if err != nil {
		return 0, err
	}
	id := mt.ID
	times := [...]time.Time{mt.FirstSeen.Round(0), mt.LastSeen.Round(0), mt.ValidFrom.Round(0), mt.ValidUntil.Round(0)}
	var kinds [4]uint8
	var locs [4]uint32
	n := binary.MaxVarintLen32 + uvarintLen(desc) // the rest's index (at most) and the description's
	for i, t := range times {
		if kinds[i] = timeKind(t); kinds[i] == tFull {
			if locs[i], err = s.loc(t.Location()); err != nil {
				return 0, err
			}
		}
		n += timeSize[kinds[i]]
	}
	if n+len(id) > maxSpan {
		if r.id, err = s.str(id); err != nil {
			return 0, err
		}
		id = ""
	}
	// the times of the first record of these fields are shared by the
	// next ones that have them
	if fk, ok := s.b.first[r]; !ok {
		s.b.first[r] = uint32(len(s.lens)) // this record's index
	} else {
		first := s.times4(fk)
		var tuple [4]uint32
		for i, t := range times {
			if kinds[i] != tZero && t == first[i] {
				if tuple[i], err = s.time(t); err != nil {
					return 0, err
				}
				n -= timeSize[kinds[i]]
				kinds[i] = tShared
			}
		}
		if r.shared, err = s.tupleOf(tuple); err != nil {
			return 0, err
		}
	}
	for i, k := range kinds {
		r.times |= k << (2 * i)
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
	n += len(id) - binary.MaxVarintLen32 + uvarintLen(ri)
	c, off := s.room(n)
	if c < 0 || len(s.lens) >= math.MaxUint32 {
		return 0, errMetaFull
	}
	k := uint32(len(s.lens))
	if k%metaGroup == 0 {
		s.starts = append(s.starts, uint32(c<<spanChunkBits+off))
	}
	s.lens = append(s.lens, uint8(n))
	p := binary.AppendUvarint(s.arena[c], uint64(ri))
	p = binary.AppendUvarint(p, uint64(desc))
	for i, t := range times {
		switch kinds[i] {
		case tUnix32:
			p = binary.LittleEndian.AppendUint32(p, uint32(t.Unix()))
		case tFull:
			p = binary.LittleEndian.AppendUint64(p, uint64(t.Unix()))
			p = binary.LittleEndian.AppendUint32(p, uint32(t.Nanosecond()))
			p = binary.LittleEndian.AppendUint32(p, locs[i])
		}
	}
	s.arena[c] = append(p, id...)
	return k, nil
}

// uvarintLen returns the length of v as a uvarint.
func uvarintLen(v uint32) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
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

// intern returns the index of key in table, through index, appending it
// when it is new; the error is errMetaFull.
func intern[K comparable](index map[K]uint32, table *[]K, key K) (uint32, error) {
	if i, ok := index[key]; ok {
		return i, nil
	}
	if len(*table) >= math.MaxUint32 {
		return 0, errMetaFull
	}
	i := uint32(len(*table))
	*table = append(*table, key)
	index[key] = i
	return i, nil
}

// str interns v.
func (s *metaStore) str(v string) (uint32, error) {
	if v == "" {
		return 0, nil
	}
	if i, ok := s.b.strs[v]; ok {
		return i, nil
	}
	return intern(s.b.strs, &s.strs, strings.Clone(v)) // a copy: not the caller's string
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
	return intern(s.b.locs, &s.locs, l)
}

// time interns t, without its monotonic reading.
func (s *metaStore) time(t time.Time) (uint32, error) {
	return intern(s.b.times, &s.times, t)
}

// tupleOf interns t.
func (s *metaStore) tupleOf(t [4]uint32) (uint32, error) {
	if t == ([4]uint32{}) {
		return 0, nil
	}
	return intern(s.b.tuple, &s.tuple, t)
}

// finish drops the maps that intern and the spare room of the tables: no
// record is added after it.
func (s *metaStore) finish() {
	s.b = nil
	s.lens = slices.Clone(s.lens)
	s.starts = slices.Clone(s.starts)
	if n := len(s.arena); n > 0 {
		s.arena[n-1] = slices.Clone(s.arena[n-1])
	}
	s.arena = slices.Clip(s.arena)
	s.rests = slices.Clone(s.rests)
	s.strs = slices.Clone(s.strs)
	s.lists = slices.Clone(s.lists)
	s.locs = slices.Clone(s.locs)
	s.times = slices.Clone(s.times)
	s.tuple = slices.Clone(s.tuple)
}

// span returns the bytes of record k after its rest's index and its
// description's, and its rest.
func (s *metaStore) span(k uint32) ([]byte, *metaRest) {
	b, r, _ := s.record(k)
	return b, r
}

// record is span, and the index in strs of the record's description.
func (s *metaStore) record(k uint32) ([]byte, *metaRest, uint32) {
	const mask = 1<<spanChunkBits - 1
	pos := s.starts[k/metaGroup]
	for j := k &^ (metaGroup - 1); ; j++ {
		n := uint32(s.lens[j]) // ≥ 2: the rest's index and the description's
		if last := pos + n - 1; last>>spanChunkBits != pos>>spanChunkBits {
			pos = last >> spanChunkBits << spanChunkBits // it starts the next chunk
		}
		if j == k {
			b := s.arena[pos>>spanChunkBits][pos&mask : pos&mask+n]
			ri, w := binary.Uvarint(b)
			desc, w2 := binary.Uvarint(b[w:])
			return b[w+w2:], &s.rests[ri], uint32(desc)
		}
		pos += n
	}
}

// times4 returns the FirstSeen, LastSeen, ValidFrom and ValidUntil of
// record k.
func (s *metaStore) times4(k uint32) (t [4]time.Time) {
	b, r := s.span(k)
	for i := range t {
		t[i], b = s.timeAt(r, i, b)
	}
	return t
}

// source returns the Source of record k.
func (s *metaStore) source(k uint32) string {
	_, r := s.span(k)
	return s.strs[r.source]
}

// meta returns record k, without allocating.
func (s *metaStore) meta(k uint32) (mt indicator.Meta) {
	s.decode(k, &mt)
	return mt
}

// decode sets *mt to record k, without allocating.
func (s *metaStore) decode(k uint32, mt *indicator.Meta) {
	b, r, desc := s.record(k)
	mt.Source, mt.Description, mt.Reference = s.strs[r.source], s.strs[desc], s.strs[r.ref]
	mt.Confidence, mt.Severity, mt.TLP = r.conf, r.sev, r.tlp
	mt.Tags, mt.Techniques = s.lists[r.tags], s.lists[r.techs]
	mt.ThreatActor, mt.MalwareFamily = s.strs[r.actor], s.strs[r.family]
	mt.File, mt.FileName = s.strs[r.file], s.strs[r.fileName]
	mt.FirstSeen, b = s.timeAt(r, 0, b)
	mt.LastSeen, b = s.timeAt(r, 1, b)
	mt.ValidFrom, b = s.timeAt(r, 2, b)
	mt.ValidUntil, b = s.timeAt(r, 3, b)
	mt.ID = ""
	if r.id != 0 {
		mt.ID = s.strs[r.id]
	} else if len(b) > 0 {
		mt.ID = unsafe.String(&b[0], len(b))
	}
}

// window returns the ValidFrom and ValidUntil of record k, reading
// nothing else.
func (s *metaStore) window(k uint32) (from, until time.Time) {
	b, r := s.span(k)
	b = b[timeSize[r.times&3]+timeSize[r.times>>2&3]:]
	from, b = s.timeAt(r, 2, b)
	until, _ = s.timeAt(r, 3, b)
	return from, until
}

// timeAt decodes time field i of a record of rest r whose bytes from
// the field on are b, and returns it with the rest of b.
func (s *metaStore) timeAt(r *metaRest, i int, b []byte) (time.Time, []byte) {
	switch r.times >> (2 * i) & 3 {
	case tShared:
		return s.times[s.tuple[r.shared][i]], b
	case tUnix32:
		return time.Unix(int64(binary.LittleEndian.Uint32(b)), 0).UTC(), b[4:]
	case tFull:
		t := time.Unix(int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint32(b[8:])))
		return t.In(s.locs[binary.LittleEndian.Uint32(b[12:])]), b[16:]
	}
	return time.Time{}, b
}
