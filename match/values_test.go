package match

import (
	"strconv"
	"strings"
	"testing"
)

// TestValues: values written across several chunks (and one longer than
// a chunk) are found at their offsets and joined in order.
func TestValues(t *testing.T) {
	var v values
	var want strings.Builder
	type at struct {
		off uint32
		s   string
	}
	var all []at
	for i := range 3 * valChunk / 40 {
		s := "value-" + strconv.Itoa(i) + strings.Repeat("x", i%40)
		if i == 1000 {
			s = strings.Repeat("L", valChunk+5)
		}
		all = append(all, at{uint32(v.Len()), s})
		v.WriteString(s)
		want.WriteString(s)
	}
	if len(v.done) < 3 {
		t.Fatalf("%d chunks: the test crosses too few", len(v.done))
	}
	for _, a := range all {
		if !v.equal(a.off, uint32(len(a.s)), a.s) || v.equal(a.off, uint32(len(a.s)), a.s[:len(a.s)-1]+"?") {
			t.Fatalf("value at %d (%d bytes) not found as written", a.off, len(a.s))
		}
	}
	if v.String() != want.String() || v.Len() != want.Len() {
		t.Fatalf("joined %d bytes, want %d", v.Len(), want.Len())
	}
}
