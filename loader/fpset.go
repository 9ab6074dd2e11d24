package loader

// fpSet is a set of 128-bit fingerprints (StreamAllMerged's record of
// the indicators given): open addressing with linear probing over the
// first halves, 8 bytes a slot, so that a probe touches one array; the
// second halves are in a parallel array, read only when a first half
// matches. 0 marks an empty slot: a first half of 0 is stored as 1.
type fpSet struct {
	k0, k1 []uint64
	n      int
}

// insert adds fp; false: it was in the set.
func (s *fpSet) insert(fp [2]uint64) bool {
	if 4*(s.n+1) > 3*len(s.k0) {
		s.grow()
	}
	i, a, found := s.find(fp)
	if !found {
		s.k0[i], s.k1[i] = a, fp[1]
		s.n++
	}
	return !found
}

// has reports whether fp is in the set.
func (s *fpSet) has(fp [2]uint64) bool {
	if len(s.k0) == 0 {
		return false
	}
	_, _, found := s.find(fp)
	return found
}

// find returns the slot of fp, or the empty slot where it goes, with
// the first word as stored (0 is stored as 1: 0 marks an empty slot);
// s has slots.
func (s *fpSet) find(fp [2]uint64) (i, a uint64, found bool) {
	a = fp[0]
	if a == 0 {
		a = 1
	}
	mask := uint64(len(s.k0) - 1)
	for i = a & mask; ; i = (i + 1) & mask {
		switch s.k0[i] {
		case 0:
			return i, a, false
		case a:
			if s.k1[i] == fp[1] {
				return i, a, true
			}
		}
	}
}

// touch reads the first slot of each of fps, so that the inserts that
// follow find them in the cache: the reads do not depend on each other
// and overlap, where the inserts' probes, each behind a branch on the
// one before, would wait for memory one at a time.
func (s *fpSet) touch(fps [][2]uint64) uint64 {
	if 4*(s.n+len(fps)) > 3*len(s.k0) {
		return 0 // the set grows first
	}
	mask := uint64(len(s.k0) - 1)
	var x uint64
	for i := range fps {
		x += s.k0[fps[i][0]&mask]
	}
	return x
}

func (s *fpSet) grow() {
	old0, old1 := s.k0, s.k1
	n := max(2*len(old0), 1<<12)
	s.k0, s.k1, s.n = make([]uint64, n), make([]uint64, n), 0
	for i, a := range old0 {
		if a != 0 {
			s.insert([2]uint64{a, old1[i]})
		}
	}
}
