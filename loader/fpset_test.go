package loader

import "testing"

// TestFPSet: what is inserted is found, once, across the growths; a
// first half of 0 (stored as 1: {0, x} and {1, x} are one) and
// fingerprints that share a first half are kept apart.
func TestFPSet(t *testing.T) {
	var s fpSet
	if s.has([2]uint64{1, 2}) {
		t.Fatal("empty set has a fingerprint")
	}
	const n = 50000
	fp := func(i uint64) [2]uint64 { return [2]uint64{i * 0x9e3779b97f4a7c15, i} }
	for i := range uint64(n) {
		if !s.insert(fp(i)) {
			t.Fatalf("fingerprint %d: already in", i)
		}
		s.touch([][2]uint64{fp(i + 1)})
	}
	for i := range uint64(n) {
		if s.insert(fp(i)) || !s.has(fp(i)) {
			t.Fatalf("fingerprint %d: not found", i)
		}
	}
	if s.has(fp(n)) || s.n != n {
		t.Fatalf("%d in the set, or one never inserted found", s.n)
	}
	// fp(0) is {0, 0}, stored as {1, 0}
	for _, x := range [][2]uint64{{3, 0}, {0, 7}, {2, 7}, {fp(5)[0], 6}} {
		if s.has(x) || !s.insert(x) || !s.has(x) {
			t.Errorf("%v: not kept apart", x)
		}
	}
}
