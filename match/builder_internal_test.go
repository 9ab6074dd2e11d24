package match

import (
	"hash/maphash"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
)

// TestBuilderHashCollision: two values whose (type, value) hashes
// collide are two entries, each found again by its value.
func TestBuilderHashCollision(t *testing.T) {
	b, err := NewBuilder(Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := indicator.Indicator{Type: indicator.Domain, Value: "a.example"}
	if err := b.Add(a); err != nil {
		t.Fatal(err)
	}
	// Make b.example's key point at a.example's entry, as a collision
	// would.
	d := indicator.Domain
	keyB := maphash.String(b.seed, "b.example") ^ uint64(d)*0x9e3779b97f4a7c15
	b.index[keyB] = 0
	x := indicator.Indicator{Type: indicator.Domain, Value: "b.example", Meta: indicator.Meta{Source: "one"}}
	y := indicator.Indicator{Type: indicator.Domain, Value: "b.example", Meta: indicator.Meta{Source: "two"}}
	a2 := indicator.Indicator{Type: indicator.Domain, Value: "a.example", Meta: indicator.Meta{Source: "two"}}
	if err := b.Add(x, y, a2); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 2 || len(b.coll) != 1 {
		t.Fatalf("%d entries, %d collisions", b.Len(), len(b.coll))
	}
	m, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v    string
		recs int
	}{{"a.example", 2}, {"b.example", 2}} {
		ids := m.LookupDomain(c.v)
		if len(ids) != 1 || m.Entry(ids[0]).Value != c.v || m.Entry(ids[0]).Records != c.recs {
			t.Errorf("%s: %v", c.v, ids)
		}
	}
}
