package match

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

// unkeyedNameHash is the domain table's former hash, h = h*P + byte+1 mod
// 2^64 from the last byte to the first, with the seed mixed in only
// afterwards: names that collide under it collide under every seed.
func unkeyedNameHash(name string) uint64 {
	h := uint64(0)
	for i := len(name) - 1; i >= 0; i-- {
		h = h*0x100000001b3 + uint64(name[i]) + 1
	}
	return h
}

// collidingBlocks are two 12-letter blocks with the same unkeyedNameHash,
// found by lattice reduction (a short vector c of sum c_i P^i = 0 mod
// 2^64, split into two words whose letters differ by c). The hash of a
// concatenation is hash(A) + P^len(A) hash(B), so every name made of
// these blocks (and dots) at the same places has the same hash.
var collidingBlocks = [2]string{"ranscoaaaaib", "apaaaagkecaa"}

// craftedDomains returns n distinct names of 12 blocks (3 per label) and
// ".example" that all collide under unkeyedNameHash, as do their parents
// of each length.
func craftedDomains(n int) []string {
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for k := range 12 {
			if k > 0 && k%3 == 0 {
				b.WriteByte('.')
			}
			b.WriteString(collidingBlocks[i>>k&1])
		}
		b.WriteString(".example")
		out[i] = b.String()
	}
	return out
}

// longestRun is the longest run of occupied slots of the domain table: a
// bound on every probe chain, of hits and misses.
func longestRun(slots []uint64) int {
	longest, run := 0, 0
	for range 2 { // the run may wrap around
		for _, v := range slots {
			if v == 0 {
				run = 0
				continue
			}
			run++
			longest = max(longest, run)
		}
	}
	return min(longest, len(slots))
}

// TestDomainHashFlood: 2048 names that collide under the former unkeyed
// hash (whatever its seed) spread over the table under the keyed one: no
// long probe chain, under any of the random seeds of 20 compiles, and
// lookups of crafted names that are not in the set stay short too.
func TestDomainHashFlood(t *testing.T) {
	names := craftedDomains(4096)
	h0 := unkeyedNameHash(names[0])
	var inds []indicator.Indicator
	for i, v := range names {
		require.Equal(t, h0, unkeyedNameHash(v), "the crafted names collide under the unkeyed hash: %s", v)
		if i%2 == 0 {
			inds = append(inds, indicator.MustNew(indicator.Domain, v))
		}
	}
	miss := names[1] // colliding, not in the set
	for range 20 {
		m, err := Compile(inds, Options{})
		require.NoError(t, err)
		require.Less(t, longestRun(m.domains.slots), 64, "longest run of occupied slots, %d slots", len(m.domains.slots))
		require.Empty(t, m.LookupDomain(miss))
		require.Len(t, m.LookupDomain("x."+names[18]), 1)
	}
}

// TestDomainSlotsPerIndicator: a name of many labels takes at most
// markDepth slots (its entry and its parents of up to markDepth labels),
// not one per label: 200 names of 60 labels take at most twice the slots
// of 200 names of 5 labels.
func TestDomainSlotsPerIndicator(t *testing.T) {
	slots := func(labels int) int {
		var inds []indicator.Indicator
		for i := range 200 {
			parts := []string{fmt.Sprint("n", i)}
			for k := 2; k < labels; k++ {
				parts = append(parts, string(rune('a'+(i+k)%26)))
			}
			inds = append(inds, indicator.MustNew(indicator.Domain, strings.Join(append(parts, "example"), ".")))
		}
		m, err := Compile(inds, Options{})
		require.NoError(t, err)
		require.Len(t, m.LookupDomain("x."+inds[7].Value), 1)
		return len(m.domains.slots)
	}
	require.LessOrEqual(t, slots(60), 2*slots(5), "slots of 200 names of 60 labels, of 5 labels")
}
