package match

import (
	"fmt"
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
	// Put a.example's entry first in b.example's probe sequence, with
	// b.example's tag, as a collision of their hashes would.
	d := indicator.Domain
	keyB := maphash.String(b.seed, "b.example") ^ uint64(d)*0x9e3779b97f4a7c15
	if keyB != entryKey(b.seed, d, "b.example") || keyB != entryKeyBytes(b.seed, d, []byte("b.example")) {
		t.Fatal("entryKey and entryKeyBytes differ")
	}
	b.index.put(keyB, 0)
	b.index.n++
	x := indicator.Indicator{Type: indicator.Domain, Value: "b.example", Meta: indicator.Meta{Source: "one"}}
	y := indicator.Indicator{Type: indicator.Domain, Value: "b.example", Meta: indicator.Meta{Source: "two"}}
	a2 := indicator.Indicator{Type: indicator.Domain, Value: "a.example", Meta: indicator.Meta{Source: "two"}}
	if err := b.Add(x, y, a2); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 2 || b.index.n != 3 {
		t.Fatalf("%d entries, %d indexed", b.Len(), b.index.n)
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

// TestEntryIndexGrow: an index that starts empty grows by doubling as
// entries come, and finds every one after each doubling, across the
// values' chunks; a Builder that reserved room never grows.
func TestEntryIndexGrow(t *testing.T) {
	const n = 20000
	long := string(make([]byte, 200)) // values across several chunks of valChunk
	for _, reserve := range []bool{false, true} {
		b, err := NewBuilder(Options{})
		if err != nil {
			t.Fatal(err)
		}
		if reserve {
			b.index.reserve(n)
		}
		slots0 := len(b.index.slots)
		inds := make([]indicator.Indicator, n)
		for i := range inds {
			inds[i] = indicator.Indicator{Type: indicator.Mutex, Value: fmt.Sprintf("m%d-%s", i, long[:i%200])}
		}
		if err := b.Add(inds...); err != nil {
			t.Fatal(err)
		}
		if reserve && len(b.index.slots) != slots0 {
			t.Errorf("reserved %d slots, grew to %d", slots0, len(b.index.slots))
		}
		if !reserve && len(b.index.slots) < n*5/4 {
			t.Errorf("%d slots for %d entries", len(b.index.slots), n)
		}
		for i := range inds {
			v := inds[i].Value
			id, ok := b.index.lookup(b, entryKey(b.seed, indicator.Mutex, v), indicator.Mutex, v)
			if !ok || int(id) != i {
				t.Fatalf("reserve %v: %q: %d %v", reserve, v, id, ok)
			}
		}
		if _, ok := b.index.lookup(b, entryKey(b.seed, indicator.Mutex, "absent"), indicator.Mutex, "absent"); ok {
			t.Error("absent value found")
		}
		if err := b.Add(inds[:100]...); err != nil || b.Len() != n {
			t.Errorf("after duplicates: %d entries, %v", b.Len(), err)
		}
	}
}
