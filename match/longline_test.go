package match_test

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestReferenceLongLines: the reference comparison on lines longer than
// the token pass's chunk of masks (512 bytes), with indicators and other
// tokens placed across the chunk and block edges, after fillers of word
// bytes, hex digits or spaces, on both classification paths.
func TestReferenceLongLines(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	fillers := []string{" ", "a", "x_y-z", "0123456789abcdef", "ab ", ". ", "é"}
	for n := 0; n < 160; n++ {
		var b strings.Builder
		// a filler up to a chunk edge (or a block edge), give or take
		edge := []int{64, 512, 1024}[r.IntN(3)]
		fill := fillers[r.IntN(len(fillers))]
		for b.Len() < edge-12+r.IntN(24) {
			b.WriteString(fill)
		}
		for k := 1 + r.IntN(4); k > 0; k-- {
			b.WriteString(refFragments[r.IntN(len(refFragments))])
			b.WriteString(refSeps[r.IntN(len(refSeps))])
		}
		if r.IntN(2) == 0 {
			for b.Len() < 1100 {
				b.WriteString(refFragments[r.IntN(len(refFragments))])
				b.WriteString(refSeps[r.IntN(len(refSeps))])
			}
		}
		refCheck(t, refPool, []byte(b.String()))
	}
}
