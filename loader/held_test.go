package loader

import (
	"reflect"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/metakey"
)

// TestHeldListRoundTrip: a held indicator comes back as it was given,
// field for field (reflect.DeepEqual: nil and empty slices apart, times
// in their zones), shared fields interned, and editRest and the inline
// TLP change one indicator only.
func TestHeldListRoundTrip(t *testing.T) {
	plus2, err := time.Parse(time.RFC3339, "2026-03-01T10:00:00+02:00")
	if err != nil {
		t.Fatal(err)
	}
	utc := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	inds := []indicator.Indicator{
		{Type: indicator.Domain, Value: "a.example", Meta: indicator.Meta{Source: "s", ID: "indicator--1", Description: "d1",
			Tags: []string{"x", "y"}, Techniques: []string{}, Confidence: 80, TLP: indicator.TLPAmber,
			FirstSeen: utc, ValidFrom: plus2, ValidUntil: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), File: "f.json"}},
		{Type: indicator.IPv4, Value: "192.0.2.1", Meta: indicator.Meta{Source: "s", ID: "indicator--2",
			Tags: []string{"x", "y"}, LastSeen: utc.In(time.Local), File: "f.json", ThreatActor: "a", MalwareFamily: "m",
			Reference: "r", FileName: "n", Severity: indicator.SeverityHigh}},
		{Type: indicator.SHA256, Value: "00", Meta: indicator.Meta{FirstSeen: time.Time{}.In(time.FixedZone("", 3600))}},
		{},
	}
	h := newHeldList()
	for i := range inds {
		h.add(&inds[i])
	}
	if h.len() != len(inds) {
		t.Fatalf("len %d", h.len())
	}
	for i := range inds {
		got := h.get(i)
		if !metakey.Equal(&got, &inds[i]) {
			t.Errorf("%d: %+v, want %+v", i, got, inds[i])
		}
		if !reflect.DeepEqual(got, inds[i]) {
			t.Errorf("%d: not deeply equal:\n%#v\n%#v", i, got, inds[i])
		}
		if got.ValidFrom.String() != inds[i].ValidFrom.String() || got.FirstSeen.String() != inds[i].FirstSeen.String() {
			t.Errorf("%d: times %v %v, want %v %v", i, got.ValidFrom, got.FirstSeen, inds[i].ValidFrom, inds[i].FirstSeen)
		}
	}
	a, b := h.get(0), h.get(1)
	if &a.Tags[0] != &b.Tags[0] || cap(a.Tags) != len(a.Tags) {
		t.Error("equal tags are not one clipped slice")
	}
	if len(h.rests) != 3 { // the last two share theirs
		t.Errorf("%d rests, want 3", len(h.rests))
	}
	h.editRest(0, func(r *heldRest) { r.source = "identity" })
	h.items[0].tlp = indicator.TLPRed
	if g := h.get(0); g.Source != "identity" || g.TLP != indicator.TLPRed || g.Value != "a.example" {
		t.Errorf("after the edit: %+v", g)
	}
	if g := h.get(1); g.Source != "s" || g.TLP != inds[1].TLP {
		t.Errorf("the edit changed another indicator: %+v", g)
	}
}

// TestSTIXRefsOf: the references of indicator objects are kept once per
// distinct list, and no two lists share a key (a created_by_ref holding
// a NUL is not a creator and a marking).
func TestSTIXRefsOf(t *testing.T) {
	s := &stixReader{refIndex: map[string]uint32{}}
	a := s.refsOf("identity--a\x00marking-definition--m", nil)
	b := s.refsOf("identity--a", []string{"marking-definition--m"})
	c := s.refsOf("identity--a", []string{"marking-definition--m"})
	d := s.refsOf("identity--a", nil)
	e := s.refsOf("identity--a", []string{})
	if a == b || b != c || d == b || len(s.refs) != 3 || e != d {
		t.Fatalf("indexes %d %d %d %d %d, %d refs", a, b, c, d, e, len(s.refs))
	}
	if r := s.refs[b]; r.createdBy != "identity--a" || len(r.markings) != 1 {
		t.Fatalf("refs %+v", r)
	}
}
