package match_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
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

// TestReferenceColonRuns: address runs of 8, 9 and more colons (the most
// an IPv6 address has is 8, one more when a trailing ':' is cut off), and
// lists of MAC address bytes, against the reference on both paths.
func TestReferenceColonRuns(t *testing.T) {
	inds := []indicator.Indicator{
		indicator.MustNew(indicator.IPv6, "1:2:3:4:5:6:7::"),
		indicator.MustNew(indicator.IPv6, "::2:3:4:5:6:7:8"),
		indicator.MustNew(indicator.CIDR, "::/0"),
		indicator.MustNew(indicator.IPv4, "1.2.3.4"),
	}
	for _, line := range []string{
		"a 1:2:3:4:5:6:7:: b", "a 1:2:3:4:5:6:7::: b", "a 1:2:3:4:5:6:7:::: b", "x=::2:3:4:5:6:7:8: y",
		"::2:3:4:5:6:7:8::", "MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=1.2.3.4",
		"1:2:3:4:5:6:7:8:9:a", "::ffff:1.2.3.4:", ":::::::::::::::::::: ::1",
	} {
		refCheck(t, inds, []byte(line))
	}
}
