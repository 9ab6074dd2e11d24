package ac

import (
	"bytes"
	"slices"
	"unsafe"
)

// none marks the absence of a state or pattern in uint32 slices.
const none = ^uint32(0)

// maxDense is the maximum number of states (taken in BFS order, i.e. the
// shallowest ones) that get a full 256-entry transition row. Each row costs
// 1 KiB.
const maxDense = 1024

// fold maps ASCII upper-case letters to lower case and every other byte to
// itself.
var fold = func() (t [256]byte) {
	for i := range t {
		c := byte(i)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		t[i] = c
	}
	return t
}()

// Automaton is a compiled set of patterns. It is immutable after Build and
// safe for concurrent use. A nil *Automaton matches nothing.
type Automaton struct {
	// States are numbered in BFS order with the root at 0; the children of
	// state s are the states first[s] .. first[s+1]-1, sorted by label.
	first []uint32 // len = states+1
	label []byte   // label[s]: case-folded byte on the edge into s
	fail  []uint32 // failure link of each state
	out   []uint32 // head of the output chain of each state, or none

	next []uint32 // per pattern: next pattern in an output chain, or none
	plen []uint32 // per pattern: length in bytes

	// dense holds full DFA transition rows (failures resolved, case folding
	// applied to the index) for states 0 .. nDense-1.
	dense  []uint32
	nDense uint32
}

// Build compiles patterns into an Automaton; pattern i is reported with
// index i. Matching folds ASCII A-Z to a-z on both sides; other bytes compare
// exactly. Empty patterns are ignored (never reported). Duplicate patterns
// (also duplicates after case folding) are each reported.
//
// Build runs in O(total pattern bytes) time plus the cost of sorting the
// patterns, and does not retain patterns or any of their slices.
func Build(patterns [][]byte) *Automaton {
	np := len(patterns)
	if uint64(np) >= uint64(none) {
		panic("ac: too many patterns")
	}
	a := &Automaton{
		next: make([]uint32, np),
		plen: make([]uint32, np),
	}
	total, maxLen, nonEmpty := 0, 0, 0
	for i, p := range patterns {
		a.plen[i] = uint32(len(p))
		a.next[i] = none
		if len(p) > 0 {
			nonEmpty++
			total += len(p)
			maxLen = max(maxLen, len(p))
		}
	}
	if uint64(total) >= uint64(none)-1 {
		panic("ac: patterns too large")
	}

	// Case-fold all non-empty patterns into one buffer.
	buf := make([]byte, total)
	off := make([]uint32, np)
	order := make([]uint32, 0, nonEmpty)
	pos := 0
	for i, p := range patterns {
		if len(p) == 0 {
			continue
		}
		off[i] = uint32(pos)
		for j, c := range p {
			buf[pos+j] = fold[c]
		}
		pos += len(p)
		order = append(order, uint32(i))
	}
	folded := func(i uint32) []byte { return buf[off[i] : off[i]+a.plen[i]] }
	slices.SortFunc(order, func(x, y uint32) int { return bytes.Compare(folded(x), folded(y)) })

	// Pass 1: with the patterns sorted, a trie node is created for pattern
	// k at every depth beyond its longest common prefix with pattern k-1.
	// Count the nodes per depth.
	lcps := make([]uint32, len(order))
	perDepth := make([]uint32, maxLen+2) // difference array, then counts
	var prev []byte
	for k, i := range order {
		p := folded(i)
		l := lcp(prev, p)
		lcps[k] = uint32(l)
		perDepth[l+1]++
		perDepth[len(p)+1]--
		prev = p
	}
	// BFS order is (depth, lexicographic prefix) order, and a pre-order walk
	// of the sorted patterns meets the nodes of each depth in lexicographic
	// order. So nextID[d] is the id the next new depth-d node gets.
	nextID := make([]uint32, maxLen+2)
	n := uint32(1)
	var run uint32
	for d := 1; d <= maxLen; d++ {
		run += perDepth[d]
		nextID[d] = n
		n += run
	}
	perDepth = nil

	// Pass 2: create the nodes.
	first := make([]uint32, n+1)
	for i := range first {
		first[i] = none
	}
	label := make([]byte, n)
	out := make([]uint32, n)
	for i := range out {
		out[i] = none
	}
	path := make([]uint32, maxLen+1) // path[d]: node at depth d of the current pattern
	for k, i := range order {
		p := folded(i)
		for d := int(lcps[k]) + 1; d <= len(p); d++ {
			id := nextID[d]
			nextID[d]++
			label[id] = p[d-1]
			if par := path[d-1]; first[par] == none {
				first[par] = id // children are created in increasing id order
			}
			path[d] = id
		}
		s := path[len(p)]
		a.next[i] = out[s]
		out[s] = i
	}
	buf, off, order, lcps, nextID, path = nil, nil, nil, nil, nil, nil
	first[n] = n
	for s := int(n) - 1; s >= 0; s-- {
		if first[s] == none {
			first[s] = first[s+1]
		}
	}

	a.first, a.label, a.out = first, label, out
	a.fail = make([]uint32, n)
	a.nDense = min(n, maxDense)
	a.dense = make([]uint32, int(a.nDense)*256)

	// Failure links, dense rows and output chains, in BFS order. Everything
	// a state's computation depends on belongs to a shallower state, which
	// has a smaller id and is therefore already finished.
	for p := uint32(0); p < n; p++ {
		lo, hi := first[p], first[p+1]
		if p < a.nDense {
			row := a.dense[p*256 : p*256+256]
			if p != 0 {
				f := a.fail[p]
				copy(row, a.dense[f*256:f*256+256])
			}
			for c := lo; c < hi; c++ {
				x := label[c]
				row[x] = c
				if 'a' <= x && x <= 'z' {
					row[x-('a'-'A')] = c
				}
			}
		}
		for c := lo; c < hi; c++ {
			var f uint32
			if p != 0 {
				f = a.delta(a.fail[p], label[c])
			}
			a.fail[c] = f
			if o := out[c]; o != none {
				for a.next[o] != none {
					o = a.next[o]
				}
				a.next[o] = out[f]
			} else {
				out[c] = out[f]
			}
		}
	}
	return a
}

// lcp returns the length of the longest common prefix of a and b.
func lcp(a, b []byte) int {
	n := min(len(a), len(b))
	a, b = a[:n], b[:n]
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// delta returns the DFA transition from state s on the case-folded byte c,
// following failure links as needed.
func (a *Automaton) delta(s uint32, c byte) uint32 {
	for s >= a.nDense {
		lo, hi := a.first[s], a.first[s+1]
		if hi-lo <= 16 {
			for j := lo; j < hi; j++ {
				if x := a.label[j]; x >= c {
					if x == c {
						return j
					}
					break
				}
			}
		} else {
			end := hi
			for lo < hi {
				m := lo + (hi-lo)/2
				if a.label[m] < c {
					lo = m + 1
				} else {
					hi = m
				}
			}
			if lo < end && a.label[lo] == c {
				return lo
			}
		}
		s = a.fail[s]
	}
	return a.dense[s<<8|uint32(c)]
}

// Scan calls fn(pattern, end) for every occurrence of every pattern in text,
// where text[end-len(pattern):end] is the occurrence, in increasing order of
// end (ties: any fixed order). Overlapping occurrences are all reported. It
// does not allocate (when fn does not escape).
func (a *Automaton) Scan(text []byte, fn func(pattern, end int)) {
	if a == nil || len(a.first) <= 2 {
		return
	}
	dense, nDense, out, next := a.dense, a.nDense, a.out, a.next
	root := (*[256]uint32)(dense[:256])
	var s uint32
	for i := 0; i < len(text); i++ {
		if s == 0 {
			// Fast skip over bytes that do not leave the root.
			for root[text[i]] == 0 {
				i++
				if i == len(text) {
					return
				}
			}
			s = root[text[i]]
		} else if s < nDense {
			s = dense[s<<8|uint32(text[i])]
		} else {
			s = a.delta(s, fold[text[i]])
		}
		for o := out[s]; o != none; o = next[o] {
			fn(int(o), i+1)
		}
	}
}

// Len returns the number of patterns given to Build (including empty ones).
func (a *Automaton) Len() int {
	if a == nil {
		return 0
	}
	return len(a.plen)
}

// PatternLen returns len(patterns[i]) for the patterns given to Build.
func (a *Automaton) PatternLen(i int) int {
	return int(a.plen[i])
}

// MemoryUsage returns the approximate number of heap bytes the automaton
// holds.
func (a *Automaton) MemoryUsage() int {
	if a == nil {
		return 0
	}
	return int(unsafe.Sizeof(*a)) +
		4*(cap(a.first)+cap(a.fail)+cap(a.out)+cap(a.next)+cap(a.plen)+cap(a.dense)) +
		cap(a.label)
}
