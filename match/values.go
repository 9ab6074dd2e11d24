package match

import (
	"sort"
	"strings"
)

// valChunk is the size of the chunks a Builder keeps its values in.
const valChunk = 1 << 20

// values is a Builder's store of its entries' values, at offsets that
// stay the Matcher's: chunks of valChunk bytes (or one value, if
// longer), a value never across two, joined into one string by String.
// One growing buffer would be copied again and again as it grows (at 34
// MB of values for 1M indicators, a third of a second of copying) and
// keep its spare room in the Matcher.
type values struct {
	done   [][]byte // the full chunks
	starts []uint32 // the offset of each chunk of done
	cur    []byte   // the chunk being filled
	base   int      // the offset of cur
}

// Len returns the number of bytes of the values.
func (v *values) Len() int { return v.base + len(v.cur) }

// WriteString appends s, at offset Len().
func (v *values) WriteString(s string) {
	if len(v.cur)+len(s) > cap(v.cur) {
		if len(v.cur) > 0 {
			v.done = append(v.done, v.cur)
			v.starts = append(v.starts, uint32(v.base))
			v.base += len(v.cur)
		}
		v.cur = make([]byte, 0, max(valChunk, len(s)))
	}
	v.cur = append(v.cur, s...)
}

// equal reports whether the value of n bytes at off is s.
func (v *values) equal(off, n uint32, s string) bool {
	return string(v.at(off, n)) == s
}

// at returns the value of n bytes at off, in v's own memory.
func (v *values) at(off, n uint32) []byte {
	if int(off) >= v.base {
		o := int(off) - v.base
		return v.cur[o : o+int(n)]
	}
	i := sort.Search(len(v.starts), func(i int) bool { return v.starts[i] > off }) - 1
	o := off - v.starts[i]
	return v.done[i][o : o+n]
}

// Grow makes room for n bytes of values before the first: they are one
// chunk then.
func (v *values) Grow(n int) {
	if v.Len() == 0 && cap(v.cur) < n {
		v.cur = make([]byte, 0, n)
	}
}

// String returns the values, joined in one string of their size.
func (v *values) String() string {
	var b strings.Builder
	b.Grow(v.Len())
	for _, c := range v.done {
		b.Write(c)
	}
	b.Write(v.cur)
	return b.String()
}
