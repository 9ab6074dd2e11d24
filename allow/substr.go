package allow

// substrings is an Aho-Corasick automaton over up to 64 groups of
// patterns (one group per warninglist), ASCII case-insensitive: scan
// returns the set of groups with a pattern in the text, in one pass over
// it. It is a dense DFA over byte classes (the bytes that occur in the
// patterns, upper-case ASCII folded; every other byte is class 0), so a
// step is one table load. Read-only after build: safe for concurrent use.
type substrings struct {
	class   [256]uint8
	nclass  int
	delta   []int32  // state*nclass + class → state
	out     []uint64 // state → groups with a pattern ending here (fail chain included)
	anyText uint64   // groups with an empty pattern: in every text
}

// maxGroups is the number of groups one automaton holds.
const maxGroups = 64

// newSubstrings builds the automaton of the pattern groups; groups[g] are
// the patterns of group g (len(groups) <= maxGroups).
func newSubstrings(groups [][]string) *substrings {
	a := &substrings{}
	// byte classes
	var used [256]bool
	for _, ps := range groups {
		for _, p := range ps {
			for i := 0; i < len(p); i++ {
				used[lower(p[i])] = true
			}
		}
	}
	a.nclass = 1
	for c := 0; c < 256; c++ {
		if used[c] {
			a.class[c] = uint8(a.nclass)
			a.nclass++
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		a.class[c] = a.class[c+'a'-'A']
	}
	if a.nclass > 256 { // cannot happen: at most 256 bytes, minus 26 folded
		panic("allow: too many byte classes")
	}
	// trie; 0 is the root, -1 no edge yet
	nc := a.nclass
	maxStates := 1 // the trie has at most one state per pattern byte, plus the root
	for _, ps := range groups {
		for _, p := range ps {
			maxStates += len(p)
		}
	}
	a.delta = make([]int32, nc, min(maxStates, 1<<17)*nc)
	for i := range a.delta {
		a.delta[i] = -1
	}
	a.out = []uint64{0}
	for g, ps := range groups {
		for _, p := range ps {
			if p == "" {
				a.anyText |= 1 << g
				continue
			}
			s := int32(0)
			for i := 0; i < len(p); i++ {
				c := int(a.class[p[i]])
				next := a.delta[int(s)*nc+c]
				if next < 0 {
					next = int32(len(a.out))
					a.delta[int(s)*nc+c] = next
					a.out = append(a.out, 0)
					for k := 0; k < nc; k++ {
						a.delta = append(a.delta, -1)
					}
				}
				s = next
			}
			a.out[s] |= 1 << g
		}
	}
	// breadth first: failure links folded into the transitions
	fail := make([]int32, len(a.out))
	queue := make([]int32, 0, len(a.out))
	for c := 0; c < nc; c++ {
		if t := a.delta[c]; t < 0 {
			a.delta[c] = 0
		} else {
			fail[t] = 0
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		a.out[s] |= a.out[fail[s]]
		for c := 0; c < nc; c++ {
			i := int(s)*nc + c
			if t := a.delta[i]; t < 0 {
				a.delta[i] = a.delta[int(fail[s])*nc+c]
			} else {
				fail[t] = a.delta[int(fail[s])*nc+c]
				queue = append(queue, t)
			}
		}
	}
	return a
}

// scan returns the groups with a pattern in text.
func (a *substrings) scan(text string) uint64 {
	found := a.anyText
	s, nc := int32(0), a.nclass
	for i := 0; i < len(text); i++ {
		s = a.delta[int(s)*nc+int(a.class[text[i]])]
		found |= a.out[s]
	}
	return found
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
