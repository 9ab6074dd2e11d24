package ac

import (
	"bytes"
	"fmt"
	"slices"
	"unsafe"
)

// none marks the absence of a state or pattern in uint32 slices.
const none = ^uint32(0)

// denseBudget bounds the number of entries (4 bytes each) of the dense DFA
// rows. A row has one entry per byte class, so up to denseBudget/classes of
// the shallowest states get one (but at most max(256, states/8)).
const denseBudget = 1 << 20

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

	// Gate levels (see BuildGated): maxLevel is the highest level of a
	// pattern (0: no gating); for L < maxLevel, skip[L][o] is the first
	// pattern of level at most L in the output chain from o on (o
	// included), or none. Chains are shared through suffix links, so the
	// skip is per pattern and holds for every chain o is in.
	maxLevel uint8
	skip     [MaxLevel][]uint32
	chainMax []uint8 // per pattern: the highest level in its chain from it on

	// class maps a byte to its equivalence class: 0 for bytes occurring in
	// no (case-folded) pattern, otherwise 1..stride-1, with the two cases
	// of an ASCII letter sharing a class.
	class  [256]byte
	stride uint32

	// The states 0 .. nDense-1 (the shallowest ones) have full DFA rows
	// (failures resolved) of stride entries, indexed by byte class. Rows of
	// states without output come first, the root's first of all, then rows
	// of states with output. Entries are encoded target states e:
	//   e < outLim:             row offset (row*stride) of a dense state
	//                           without output;
	//   outLim <= e < denseLim: row offset of a dense state with output;
	//   e >= denseLim:          sparse state e-denseLim.
	// So the scan loop is e = dense[e+class[c]] as long as e < outLim.
	dense    []uint32
	rowState []uint32 // row -> state
	rowOf    []uint32 // dense state -> row offset (row*stride)
	nDense   uint32
	outLim   uint32
	denseLim uint32

	// With a start filter (see start.go), encoded states carry the depth
	// of their state above the low eBits bits: e&eMask is the encoding
	// above, e>>eBits the depth, or dInf for "too deep to say". Without
	// one, eBits is 32, eMask all ones and no depth is kept.
	eBits, eMask, dInf uint32
	sdepth             []uint16 // depth of sparse state nDense+k at k, capped

	start *startFilter // nil: no start filter
}

// The limits of an Automaton, which Build checks before it allocates
// anything: pattern indices and states are uint32, with none (2^32-1)
// reserved, and an encoded state (a dense row offset, at most 2^20 plus
// the state count) must fit in 32 bits.
const (
	// MaxPatterns is the most patterns (empty ones included) Build takes.
	MaxPatterns = 1<<32 - 2
	// MaxBytes is the most bytes the patterns may have in total; the
	// automaton has at most MaxBytes+1 states.
	MaxBytes = 1<<31 - 1
)

// CheckSize returns an error naming the limit when patterns patterns of
// total bytes in all exceed MaxPatterns or MaxBytes, nil otherwise.
func CheckSize(patterns, total int) error {
	if uint64(patterns) > MaxPatterns {
		return fmt.Errorf("ac: %d patterns, more than the limit of %d (ac.MaxPatterns)", patterns, uint64(MaxPatterns))
	}
	if uint64(total) > MaxBytes {
		return fmt.Errorf("ac: patterns of %d bytes in total, more than the limit of %d (ac.MaxBytes)", total, MaxBytes)
	}
	return nil
}

// Build compiles patterns into an Automaton; pattern i is reported with
// index i. Matching folds ASCII A-Z to a-z on both sides; other bytes compare
// exactly. Empty patterns are ignored (never reported). Duplicate patterns
// (also duplicates after case folding) are each reported. Patterns past
// the limits (see CheckSize) are an error.
//
// Build runs in O(total pattern bytes) time plus the cost of sorting the
// patterns, and does not retain patterns or any of their slices.
func Build(patterns [][]byte) (*Automaton, error) {
	return build(patterns, nil, denseBudget)
}

// MaxLevel is the highest gate level a pattern may have (see BuildGated).
const MaxLevel = 2

// BuildGated is Build with a gate level per pattern (levels[i] for pattern
// i, 0 to MaxLevel; nil: all 0). ScanGated reports an occurrence of a
// pattern of level l > 0 only at an end position whose Gate level is at
// least l, and does not walk the others: those of level 0 are reported
// everywhere. Scan reports every occurrence, as with Build. The gate costs
// 4 bytes per pattern for each level below the highest one given, and 1
// byte per pattern (nothing when no level is above 0).
func BuildGated(patterns [][]byte, levels []uint8) (*Automaton, error) {
	if levels != nil && len(levels) != len(patterns) {
		return nil, fmt.Errorf("ac: %d gate levels for %d patterns", len(levels), len(patterns))
	}
	for i, l := range levels {
		if l > MaxLevel {
			return nil, fmt.Errorf("ac: pattern %d has gate level %d, more than ac.MaxLevel (%d)", i, l, MaxLevel)
		}
	}
	return build(patterns, levels, denseBudget)
}

// build is BuildGated with a configurable dense row budget (for tests).
func build(patterns [][]byte, levels []uint8, budget int) (*Automaton, error) {
	np := len(patterns)
	total, maxLen, nonEmpty := 0, 0, 0
	for _, p := range patterns {
		if len(p) > 0 {
			nonEmpty++
			total += len(p)
			maxLen = max(maxLen, len(p))
		}
	}
	if err := CheckSize(np, total); err != nil {
		return nil, err
	}
	a := &Automaton{
		next: make([]uint32, np),
		plen: make([]uint32, np),
	}
	for i, p := range patterns {
		a.plen[i] = uint32(len(p))
		a.next[i] = none
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
	fail := make([]uint32, n)
	a.fail = fail

	// Byte classes: 0 for bytes in no pattern, 1..stride-1 otherwise, the
	// two cases of an ASCII letter sharing a class. Labels are folded, so
	// there are at most 256-26 classes besides 0 and they fit in a byte.
	var seen [256]bool
	for _, x := range label[1:] {
		seen[x] = true
	}
	stride := uint32(1)
	for x := range seen {
		if seen[x] {
			a.class[x] = byte(stride)
			stride++
		}
	}
	for x := range a.class {
		a.class[x] = a.class[fold[x]]
	}
	a.stride = stride
	nd := min(n, uint32(max(1, budget/int(stride))), max(256, n/8))
	a.nDense = nd

	// Failure links, output chains and (raw, not yet encoded) dense rows,
	// in BFS order. Everything a state's computation depends on belongs to
	// a shallower state, which has a smaller id and is therefore already
	// finished.
	raw := make([]uint32, nd*stride) // row s at s*stride: DFA targets
	for p := uint32(0); p < n; p++ {
		lo, hi := first[p], first[p+1]
		if p < nd {
			row := raw[p*stride : (p+1)*stride]
			if p != 0 {
				f := fail[p]
				copy(row, raw[f*stride:(f+1)*stride])
			}
			for c := lo; c < hi; c++ {
				row[a.class[label[c]]] = c
			}
		}
		if p == 0 {
			continue // children of the root fail to the root
		}
		for c := lo; c < hi; c++ {
			// f = goto(fail(p), label(c)), following failure links.
			x := label[c]
			g := fail[p]
			for g >= nd {
				if j, ok := a.child(g, x); ok {
					g = j
					break
				}
				g = fail[g]
			}
			f := g
			if g < nd {
				f = raw[g*stride+uint32(a.class[x])]
			}
			fail[c] = f
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

	// Order and encode the dense rows.
	a.rowState = make([]uint32, nd)
	a.rowOf = make([]uint32, nd)
	r := uint32(0)
	for pass := range 2 {
		for s := range nd {
			if (out[s] != none) == (pass == 1) {
				a.rowState[r] = s
				a.rowOf[s] = r * stride
				r++
			}
		}
		if pass == 0 {
			a.outLim = r * stride
		}
	}
	a.denseLim = nd * stride
	if uint64(a.denseLim)+uint64(n) >= uint64(none) {
		// cannot happen within MaxBytes: denseLim <= denseBudget
		return nil, fmt.Errorf("ac: %d states and %d dense row entries do not fit in 32-bit state encodings", n, a.denseLim)
	}
	a.buildSkips(levels)
	depth := a.buildStart(patterns, n)
	a.dense = make([]uint32, nd*stride)
	for s := range nd {
		src := raw[s*stride : (s+1)*stride]
		dst := a.dense[a.rowOf[s] : a.rowOf[s]+stride]
		for k, t := range src {
			if t < nd {
				dst[k] = a.rowOf[t]
			} else {
				dst[k] = a.denseLim + t
			}
			dst[k] |= a.depthBits(depth, t)
		}
	}

	return a, nil
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

// child returns the child of state s on the case-folded byte c.
func (a *Automaton) child(s uint32, c byte) (uint32, bool) {
	lo, hi := a.first[s], a.first[s+1]
	if hi-lo <= 16 {
		for j := lo; j < hi; j++ {
			if x := a.label[j]; x >= c {
				return j, x == c
			}
		}
		return 0, false
	}
	end := hi
	for lo < hi {
		m := lo + (hi-lo)/2
		if a.label[m] < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < end && a.label[lo] == c
}

// step returns the encoded DFA transition (see Automaton.dense) from the
// sparse state s on the case-folded byte c, following failure links.
func (a *Automaton) step(s uint32, c byte) uint32 {
	for s >= a.nDense {
		if j, ok := a.child(s, c); ok {
			// children of sparse states are sparse
			e := a.denseLim + j
			if a.sdepth != nil {
				e |= min(uint32(a.sdepth[j-a.nDense]), a.dInf) << a.eBits
			}
			return e
		}
		s = a.fail[s]
	}
	return a.dense[a.rowOf[s]+uint32(a.class[c])]
}

// Scan calls fn(pattern, end) for every occurrence of every pattern in text,
// where text[end-len(pattern):end] is the occurrence, in increasing order of
// end (ties: any fixed order), until fn returns false: then it returns at
// once, without looking at the rest of the output chain or of the text, so
// that a caller that needs only so many occurrences does work in proportion
// to them. Overlapping occurrences are all reported. It does not allocate
// (when fn does not escape).
func (a *Automaton) Scan(text []byte, fn func(pattern, end int) bool) {
	a.ScanGated(text, nil, fn)
}

// ScanGated is Scan that reports an occurrence of a pattern of gate level
// l > 0 (see BuildGated) only where the level g gives its end is at least
// l (a nil g: every occurrence). At an end whose level is below the
// highest level in the output chain there, it walks only the patterns of
// the chain that it reports, so its work is the text's length plus the
// occurrences it reports (plus, at an end with a gated pattern in its
// chain, the gate's look at one or two bytes). It does not allocate (when
// fn does not escape).
func (a *Automaton) ScanGated(text []byte, g *Gate, fn func(pattern, end int) bool) {
	if a == nil || len(a.first) <= 2 {
		return
	}
	if a.maxLevel == 0 {
		g = nil
	}
	to := &sink{g, fn}
	if a.start != nil {
		a.scanFiltered(text, to)
		return
	}
	dense, class, outLim, denseLim := a.dense, &a.class, a.outLim, a.denseLim
	var e uint32 // encoded state, see Automaton.dense
	for i := 0; i < len(text); i++ {
		if e == 0 {
			// Fast skip over the bytes that do not leave the root.
			for dense[class[text[i]]] == 0 {
				i++
				if i == len(text) {
					return
				}
			}
			e = dense[class[text[i]]]
		} else if e < denseLim {
			e = dense[e+uint32(class[text[i]])]
		} else {
			e = a.step(e-denseLim, fold[text[i]])
		}
		if e >= outLim {
			var s uint32
			if e < denseLim {
				s = a.rowState[e/a.stride]
			} else {
				s = e - denseLim
			}
			if o := a.out[s]; o != none {
				if g := to.g; g != nil && a.chainMax[o] != 0 {
					if lv := g.level(text, i+1); lv < a.chainMax[o] {
						if !a.gatedOutputs(o, lv, i+1, to.fn) {
							return
						}
						o = none
					}
				}
				for ; o != none; o = a.next[o] {
					if !to.fn(int(o), i+1) {
						return
					}
				}
			}
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
		4*(cap(a.first)+cap(a.fail)+cap(a.out)+cap(a.next)+cap(a.plen)+
			cap(a.dense)+cap(a.rowState)+cap(a.rowOf)+cap(a.skip[0])+cap(a.skip[1])) + cap(a.chainMax) +
		2*cap(a.sdepth) + cap(a.label) + a.start.memory()
}
