package loader

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// heldList keeps the indicators of a document held whole while it is
// read (a STIX bundle, whose references are resolved at its end) in 112
// bytes each instead of the 336 of an indicator.Indicator: the strings
// that differ from one indicator to the next (value, ID, description)
// and the times inline, every other field interned in rests (a bundle's
// indicators share their source, file, tags …). A million held
// indicators took 354 MB (in a list grown by doubling) before the sink
// saw any of them; they take about 112 MB so.
//
// get rebuilds an indicator exactly as it was given to add: the same
// strings, the same slices (interned by content: equal tags share one
// slice, clipped), the same times without a monotonic reading (which
// the held indicators never have): the same instant, in UTC, Local or a
// fixed zone of the same name and offset (the locations time.Parse
// gives: metakey compares times as instants).
type heldList struct {
	items []heldInd
	moved int // items[:moved] have left (collector.settle)
	rests []heldRest
	lists [][]string
	locs  []*time.Location // 0 is UTC, 1 Local, then fixed zones

	restIdx map[heldRest]uint32
	listIdx map[string]uint32 // by the list's length-prefixed bytes; 0 is nil, 1 is empty
	locIdx  map[zoneKey]uint16
	key     []byte
}

type heldInd struct {
	value, id, desc string
	rest            uint32
	secs            [4]int64 // FirstSeen, LastSeen, ValidFrom, ValidUntil: Unix seconds
	nsec            [4]uint32
	locs            [4]uint16 // indexes in heldList.locs
	typ             indicator.Type
	conf            indicator.Confidence
	sev             indicator.Severity
	tlp             indicator.TLP
}

// heldRest is the part of a held indicator its neighbours share.
type heldRest struct {
	source, ref, actor, family, file, fileName string
	tags, techs                                uint32 // indexes in heldList.lists
}

func newHeldList() *heldList {
	return &heldList{
		lists:   [][]string{nil, {}},
		locs:    []*time.Location{time.UTC, time.Local},
		restIdx: map[heldRest]uint32{},
		listIdx: map[string]uint32{},
		locIdx:  map[zoneKey]uint16{},
	}
}

// len returns the number of held indicators (not moved yet).
func (h *heldList) len() int { return len(h.items) - h.moved }

// add appends ind.
func (h *heldList) add(ind *indicator.Indicator) {
	h.items = append(h.items, h.encode(ind))
}

// editRest changes the shared fields of the indicator at i by edit.
func (h *heldList) editRest(i int, edit func(*heldRest)) {
	r := h.rests[h.items[i].rest]
	edit(&r)
	h.items[i].rest = h.rest(r)
}

// get returns the indicator at i.
func (h *heldList) get(i int) indicator.Indicator {
	x := &h.items[i]
	r := &h.rests[x.rest]
	ind := indicator.Indicator{Type: x.typ, Value: x.value, Meta: indicator.Meta{
		Source: r.source, ID: x.id, Description: x.desc, Reference: r.ref,
		Confidence: x.conf, Severity: x.sev, Tags: h.lists[r.tags], TLP: x.tlp,
		ThreatActor: r.actor, MalwareFamily: r.family, Techniques: h.lists[r.techs],
		File: r.file, FileName: r.fileName,
	}}
	for k, t := range [...]*time.Time{&ind.FirstSeen, &ind.LastSeen, &ind.ValidFrom, &ind.ValidUntil} {
		if x.secs[k] == zeroSecs && x.nsec[k] == 0 && x.locs[k] == 0 {
			continue // the zero Time
		}
		*t = time.Unix(x.secs[k], int64(x.nsec[k])).In(h.locs[x.locs[k]])
	}
	return ind
}

// zeroSecs is the Unix time of the zero time.Time.
var zeroSecs = time.Time{}.Unix()

func (h *heldList) encode(ind *indicator.Indicator) heldInd {
	x := heldInd{value: ind.Value, id: ind.ID, desc: ind.Description, typ: ind.Type,
		conf: ind.Confidence, sev: ind.Severity, tlp: ind.TLP}
	r := heldRest{source: ind.Source, ref: ind.Reference, actor: ind.ThreatActor,
		family: ind.MalwareFamily, file: ind.File, fileName: ind.FileName,
		tags: h.list(ind.Tags), techs: h.list(ind.Techniques)}
	x.rest = h.rest(r)
	for k, t := range [...]time.Time{ind.FirstSeen, ind.LastSeen, ind.ValidFrom, ind.ValidUntil} {
		x.secs[k], x.nsec[k], x.locs[k] = t.Unix(), uint32(t.Nanosecond()), h.loc(t)
	}
	return x
}

// rest interns r.
func (h *heldList) rest(r heldRest) uint32 {
	i, ok := h.restIdx[r]
	if !ok {
		i = uint32(len(h.rests))
		h.rests = append(h.rests, r)
		h.restIdx[r] = i
	}
	return i
}

// list interns l by content.
func (h *heldList) list(l []string) uint32 {
	switch {
	case l == nil:
		return 0
	case len(l) == 0:
		return 1
	}
	h.key = appendKey(h.key[:0], l...)
	return internKey(h.listIdx, &h.lists, h.key, func() []string { return slices.Clip(slices.Clone(l)) })
}

// appendKey appends ss to dst, each after its length (a uvarint): the
// key of a list of strings that no other list shares.
func appendKey(dst []byte, ss ...string) []byte {
	for _, v := range ss {
		dst = binary.AppendUvarint(dst, uint64(len(v)))
		dst = append(dst, v...)
	}
	return dst
}

// internKey returns the index in table of the value of key, through
// index, appending val() when the key is new.
func internKey[T any](index map[string]uint32, table *[]T, key []byte, val func() T) uint32 {
	if i, ok := index[string(key)]; ok {
		return i
	}
	i := uint32(len(*table))
	*table = append(*table, val())
	index[string(key)] = i
	return i
}

type zoneKey struct {
	name   string
	offset int
}

// loc returns the index of t's location: UTC, Local, or else the fixed
// zone of t's zone name and offset. Past 65535 of those (time.Parse
// gives fewer than 3000 offsets) a time is kept in UTC.
func (h *heldList) loc(t time.Time) uint16 {
	switch l := t.Location(); l {
	case time.UTC:
		return 0
	case time.Local:
		return 1
	}
	name, off := t.Zone()
	k := zoneKey{name, off}
	if i, ok := h.locIdx[k]; ok {
		return i
	}
	if len(h.locs) > 0xffff {
		return 0
	}
	i := uint16(len(h.locs))
	h.locs = append(h.locs, time.FixedZone(name, off))
	h.locIdx[k] = i
	return i
}
