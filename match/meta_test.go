package match

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// TestMetaStore: records added across several chunks of records and of
// the arena are found at their indices, before and after finish, the
// store's length counts them all, and finish drops the maps.
func TestMetaStore(t *testing.T) {
	s := newMetaStore()
	const n = 40000
	id := func(i int) string { // 110 bytes on average: 4 MB, and one in 1000 too long for the arena
		if i%1000 == 999 {
			return strconv.Itoa(i) + strings.Repeat("L", maxSpan)
		}
		return strconv.Itoa(i) + strings.Repeat("-", i%200)
	}
	seen := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		mt := indicator.Meta{ID: id(i), Source: "feed" + strconv.Itoa(i%3), LastSeen: seen.Add(time.Duration(i) * time.Second)}
		if i%5 == 0 {
			mt.ID = "" // a record with a time only, or nothing of its own
			mt.LastSeen = time.Time{}
		}
		k, err := s.add(&mt)
		if err != nil || k != uint32(i) {
			t.Fatalf("record %d at %d: %v", i, k, err)
		}
	}
	if len(s.arena) < 3 {
		t.Fatalf("%d arena chunks, want several", len(s.arena))
	}
	check := func(when string) {
		t.Helper()
		for i := range n {
			mt := s.meta(uint32(i))
			want := id(i)
			wantSeen := seen.Add(time.Duration(i) * time.Second)
			if i%5 == 0 {
				want, wantSeen = "", time.Time{}
			}
			if mt.ID != want || mt.LastSeen != wantSeen || mt.Source != "feed"+strconv.Itoa(i%3) {
				t.Fatalf("%s: record %d: %q %v %q", when, i, mt.ID, mt.LastSeen, mt.Source)
			}
		}
	}
	check("before finish")
	if s.Len() != n {
		t.Fatalf("Len %d, want %d", s.Len(), n)
	}
	if len(s.rests) != 6+n/1000 || len(s.strs) != 4+n/1000 {
		t.Fatalf("%d rests and %d strings, want %d and %d: the shared fields are interned", len(s.rests), len(s.strs), 6+n/1000, 4+n/1000)
	}
	s.finish()
	if s.b != nil {
		t.Fatal("the maps are kept after finish")
	}
	check("after finish")
}

// randMeta returns a Meta with random fields, from small sets so that
// they repeat, and times in UTC, fixed zones, Local, or zero.
func randMeta(r *rand.Rand, zones []*time.Location) indicator.Meta {
	str := func(prefix string, n int) string {
		if r.IntN(4) == 0 {
			return ""
		}
		return prefix + strconv.Itoa(r.IntN(n))
	}
	list := func(prefix string) []string {
		switch r.IntN(5) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		l := make([]string, 1+r.IntN(3))
		for i := range l {
			l[i] = str(prefix, 4) // "" too
		}
		return l
	}
	tm := func() time.Time {
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(1e6)) * time.Second)
		switch r.IntN(9) {
		case 0, 1:
			return time.Time{}
		case 2:
			return base // UTC, whole seconds
		case 3:
			return base.Add(time.Duration(1 + r.IntN(1e9-1))) // nanoseconds
		case 4:
			return base.In(zones[r.IntN(len(zones))])
		case 5:
			return base.Local()
		case 6:
			return time.Time{}.In(zones[r.IntN(len(zones))]) // zero instant, not the zero Time
		case 7:
			return time.Date(1900+r.IntN(8100), 3, 1, 0, 0, 0, 0, time.UTC) // before 1970 or after 2106 too
		}
		t, _ := time.Parse(time.RFC3339Nano, base.Format(time.RFC3339Nano)) // as a loader reads "…Z"
		return t
	}
	id := str("indicator--", 1<<30)
	switch r.IntN(20) {
	case 0:
		id = strings.Repeat("L", maxSpan+r.IntN(3)) // interned, not in the arena
	case 1:
		id = strings.Repeat("M", 180+r.IntN(80)) // in the arena or not, by the times' size
	}
	return indicator.Meta{
		Source: str("src", 3), ID: id, Description: str("desc", 5), Reference: str("https://r/", 5),
		Confidence: indicator.Confidence(r.IntN(102)), Severity: indicator.Severity(r.IntN(6)),
		Tags: list("tag"), TLP: []indicator.TLP{"", indicator.TLPAmber, indicator.TLPRed}[r.IntN(3)],
		ThreatActor: str("actor", 3), MalwareFamily: str("fam", 3), Techniques: list("T10"),
		FirstSeen: tm(), LastSeen: tm(), ValidFrom: tm(), ValidUntil: tm(),
		File: str("/feeds/f", 2), FileName: str("x.exe", 2),
	}
}

// TestMetaRoundTrip: random records decode to what was added, field for
// field (reflect.DeepEqual: the same instants and locations, nil and
// empty slices told apart), and without allocating.
func TestMetaRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.FixedZone("", 3600), time.FixedZone("EST", -5*3600), time.FixedZone("X", 5*3600+1800)}
	s := newMetaStore()
	var in []indicator.Meta
	for i := range 20000 {
		mt := randMeta(r, zones)
		if i > 0 && r.IntN(3) == 0 {
			// another record of an event: the fields of one before, its
			// own ID and LastSeen
			id, seen := mt.ID, mt.LastSeen
			mt = in[r.IntN(i)]
			mt.ID, mt.LastSeen = id, seen
		}
		if _, err := s.add(&mt); err != nil {
			t.Fatal(err)
		}
		in = append(in, mt)
	}
	check := func(when string) {
		t.Helper()
		for i, want := range in {
			if got := s.meta(uint32(i)); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: record %d:\n got %#v\nwant %#v", when, i, got, want)
			}
			from, until := s.window(uint32(i))
			if from != want.ValidFrom || until != want.ValidUntil {
				t.Fatalf("%s: record %d: window %v %v, want %v %v", when, i, from, until, want.ValidFrom, want.ValidUntil)
			}
		}
	}
	check("before finish")
	shared := 0
	for _, r := range s.rests {
		for i := range 4 {
			if r.times>>(2*i)&3 == tShared {
				shared++
			}
		}
	}
	if shared < 100 {
		t.Fatalf("%d shared times: the test does not test them", shared)
	}
	s.finish()
	check("after finish")

	// a time read from "…Z" comes back == to one read again, in UTC
	z, err := time.Parse(time.RFC3339, "2026-12-02T06:40:44Z")
	if err != nil {
		t.Fatal(err)
	}
	s = newMetaStore()
	k, _ := s.add(&indicator.Meta{LastSeen: z, ValidFrom: time.Now()})
	got := s.meta(k)
	if got.LastSeen != z || !got.LastSeen.Equal(z) || got.LastSeen.Location() != time.UTC || !got.FirstSeen.IsZero() {
		t.Fatalf("LastSeen %v (%v), FirstSeen %v", got.LastSeen, got.LastSeen.Location(), got.FirstSeen)
	}
	if got.ValidFrom.Location() != time.Local {
		t.Fatalf("time.Now's location %v, want Local", got.ValidFrom.Location())
	}

	// records that share their fields share one copy of them
	a, _ := s.add(&indicator.Meta{Source: "feed", Tags: []string{"x", "y"}, ID: "1"})
	b, _ := s.add(&indicator.Meta{Source: "feed", Tags: []string{"x", "y"}, ID: "2"})
	if _, ra := s.span(a); func() bool { _, rb := s.span(b); return ra != rb }() {
		t.Fatal("two rests for records that differ only by ID")
	}
	ma, mb := s.meta(a), s.meta(b)
	if &ma.Tags[0] != &mb.Tags[0] || cap(ma.Tags) != 2 {
		t.Fatal("the tags are not one shared copy, clipped")
	}

	allocs := testing.AllocsPerRun(100, func() {
		for i := range uint32(s.Len()) {
			_ = s.meta(i)
			_, _ = s.window(i)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations to decode", allocs)
	}
}

// TestMetaSize: a record of its own takes its ID, its times, the index
// of its rest and that of its description (one byte each, for the first
// 128) and its length (one byte), plus 4 bytes per metaGroup records.
func TestMetaSize(t *testing.T) {
	s := newMetaStore()
	seen := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		id := "8de8cd75-798a-4b2c-ac56-" + strconv.Itoa(100000000000+i) // 36 bytes
		if _, err := s.add(&indicator.Meta{ID: id, Source: "org", Description: "event", Tags: []string{"a", "b"},
			FirstSeen: seen, LastSeen: seen.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.arena[0]); n != 46+999*42 {
		t.Fatalf("%d bytes of arena, want 46 for the first record, 42 for the next (FirstSeen shared)", n)
	}
	if len(s.lens) != 1000 || len(s.starts) != (1000+metaGroup-1)/metaGroup {
		t.Fatalf("%d lengths and %d offsets", len(s.lens), len(s.starts))
	}
	if len(s.rests) != 2 || len(s.lists) != 3 || len(s.times) != 2 {
		t.Fatalf("%d rests, %d lists and %d shared times, want 2, 3 and 2", len(s.rests), len(s.lists), len(s.times))
	}
}

// TestMetaDistinctDescriptions: records that differ only by their
// descriptions (a STIX feed's), or by having none, share one rest, each
// keeping its own description, before and after finish.
func TestMetaDistinctDescriptions(t *testing.T) {
	s := newMetaStore()
	const n = 3000
	for i := range n {
		if _, err := s.add(&indicator.Meta{Source: "feed", Description: "beacon " + strconv.Itoa(i), ID: "indicator--" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.add(&indicator.Meta{Source: "feed"}); err != nil {
		t.Fatal(err)
	}
	if len(s.rests) != 1 || len(s.b.first) != 1 {
		t.Fatalf("%d rests, %d in first: the descriptions are not in the rests", len(s.rests), len(s.b.first))
	}
	check := func(when string) {
		for i := range n {
			mt := s.meta(uint32(i))
			if mt.Description != "beacon "+strconv.Itoa(i) || mt.ID != "indicator--"+strconv.Itoa(i) || mt.Source != "feed" {
				t.Fatalf("%s: record %d: %+v", when, i, mt)
			}
		}
		if mt := s.meta(n); mt.Description != "" || mt.Source != "feed" {
			t.Fatalf("%s: the record without a description: %+v", when, mt)
		}
	}
	check("before finish")
	s.finish()
	check("after finish")
}
