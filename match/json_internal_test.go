package match

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/match/internal/reference"
)

// TestJSONOffsetMap decodes generated JSON lines dense in escapes of every
// kind, long enough for many checkpoints, and requires the decoded text and
// the raw range of every decoded byte (rawStart, rawEnd) to be the
// reference decoder's.
func TestJSONOffsetMap(t *testing.T) {
	units := []string{`\n`, `\\`, `\"`, `\/`, `\u0041`, `\u00e9`, `\u20ac`, `\ud83d\ude00`, `\ud800`,
		`\udc00x`, `\ud800\u0041`, `\x`, `\u12`, `\`, "a", "bc", "é", "defghij", " "}
	r := rand.New(rand.NewPCG(3, 4))
	s := new(scratch)
	for n := 0; n < 300; n++ {
		var b strings.Builder
		b.WriteString(`{"m":"`)
		for k := r.IntN(400); k > 0; k-- {
			b.WriteString(units[r.IntN(len(units))])
		}
		if r.IntN(4) == 0 {
			b.WriteString(`\ud83d\ude00`) // a 4-byte unit at the end
		} else if r.IntN(3) == 0 {
			b.WriteString(`\`)
		}
		line := []byte(b.String())
		want, spans := reference.Decode(line)
		if spans == nil { // no backslash: the identity
			for i := range line {
				spans = append(spans, reference.Span{Start: i, End: i + 1})
			}
		}
		got := s.decodeJSON(line)
		require.Equal(t, string(want), string(got), "decoded %q", line)
		// in order (from the last unit found), then in random order
		// (from the checkpoints)
		for _, ds := range [][]int{rangeInts(len(got)), r.Perm(len(got))} {
			for _, d := range ds {
				if a, b := s.rawStart(line, d), s.rawEnd(line, d+1); a != spans[d].Start || b != spans[d].End {
					t.Fatalf("decoded byte %d of %q: raw [%d,%d), want %v", d, line, a, b, spans[d])
				}
			}
		}
		require.LessOrEqual(t, len(s.cps), len(line)/cpEvery+1, "checkpoints of %q", line)
	}
}

// TestJSONCheckpointPastInt32 round-trips checkpoints whose raw offsets do
// not fit in 32 bits: offsets in lines over 2 GiB (and 4 GiB) map back
// exactly, where the int32 escape records of old wrapped. (A line that
// long cannot be allocated in a test; the map's arithmetic is all in
// these two functions and ints.)
func TestJSONCheckpointPastInt32(t *testing.T) {
	for _, raw := range []int{0, 1<<31 - 1, 1 << 31, 1<<31 + 5, 1<<32 + 7, 1 << 40} {
		for off := range 4 {
			base := raw / 2 / cpEvery * cpEvery // decoded offsets are at most the raw ones
			r, d := unpackCP(packCP(raw, base+off, base), base)
			require.Equal(t, raw, r)
			require.Equal(t, base+off, d)
		}
	}
}

func rangeInts(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
