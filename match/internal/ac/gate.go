package ac

// A Gate gives each end position of a text a level, from the bytes at and
// after it, for ScanGated: an occurrence of a pattern of gate level l > 0
// (see BuildGated) ending at end is reported only when the level of end is
// at least l. The level of end is End when end == len(text); otherwise,
// with c = text[end],
//
//	max(At[c], min(Pair[c], next))
//
// where next is At[text[end+1]], or End when end+1 == len(text). So a gate
// looks at one byte, or two where Pair is above At ("a dot followed by a
// byte that ends a name"). A Gate is read only; one may be shared by any
// number of scans.
type Gate struct {
	At   [256]uint8
	Pair [256]uint8
	End  uint8
}

// level returns the gate level of the end position end of text.
func (g *Gate) level(text []byte, end int) uint8 {
	if end >= len(text) {
		return g.End
	}
	c := text[end]
	l := g.At[c]
	if p := g.Pair[c]; p > l {
		next := g.End
		if end+1 < len(text) {
			next = g.At[text[end+1]]
		}
		l = max(l, min(p, next))
	}
	return l
}

// buildSkips sets maxLevel and the skip links (see Automaton.skip) once
// the output chains are complete.
func (a *Automaton) buildSkips(levels []uint8) {
	for _, l := range levels {
		a.maxLevel = max(a.maxLevel, l)
	}
	if a.maxLevel == 0 {
		return
	}
	const unset = none - 1 // not a pattern index: MaxPatterns is none-1
	var stack []uint32
	// chainMax[o]: the highest level in the chain from o on (done[o]: set).
	cm := make([]uint8, len(a.next))
	done := make([]bool, len(a.next))
	for i := range cm {
		stack = stack[:0]
		o := uint32(i)
		for o != none && !done[o] {
			stack = append(stack, o)
			o = a.next[o]
		}
		v := uint8(0)
		if o != none {
			v = cm[o]
		}
		for k := len(stack) - 1; k >= 0; k-- {
			p := stack[k]
			v = max(v, levels[p])
			cm[p], done[p] = v, true
		}
	}
	a.chainMax = cm
	for lv := range a.maxLevel {
		sk := make([]uint32, len(a.next))
		for i := range sk {
			sk[i] = unset
		}
		for i := range sk {
			// Walk the chain from i to the first pattern already done,
			// then set the skips on the way back.
			stack = stack[:0]
			o := uint32(i)
			for o != none && sk[o] == unset {
				stack = append(stack, o)
				o = a.next[o]
			}
			v := none
			if o != none {
				v = sk[o]
			}
			for k := len(stack) - 1; k >= 0; k-- {
				if p := stack[k]; levels[p] <= lv {
					v = p
				}
				sk[stack[k]] = v
			}
		}
		a.skip[lv] = sk
	}
}

// gatedOutputs calls fn(o, end) for the patterns o of level at most lv
// (lv < maxLevel) in the output chain from o on (o may be none: a sparse
// state without output), until fn returns false: then it returns false.
func (a *Automaton) gatedOutputs(o uint32, lv uint8, end int, fn func(pattern, end int) bool) bool {
	sk := a.skip[lv]
	for o != none {
		if o = sk[o]; o == none {
			break
		}
		if !fn(int(o), end) {
			return false
		}
		o = a.next[o]
	}
	return true
}

// sink is where a scan hands its occurrences: the gate (nil: none) and
// the caller's function. One pointer to it keeps the scan loops to one
// register for both; they look at the gate only for a non-empty output
// chain that holds a gated pattern (chainMax), so that sparse states
// (which all take the output branch) and chains of ungated patterns cost
// what they did without gates.
type sink struct {
	g  *Gate
	fn func(pattern, end int) bool
}
