//go:build hyperscan && cgo

package peers

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveLines is the reference: a line matches when it contains a pattern,
// ASCII case ignored.
func naiveLines(patterns []string, lines [][]byte) []bool {
	out := make([]bool, len(lines))
	for i, l := range lines {
		ll := strings.ToLower(string(l))
		for _, p := range patterns {
			if strings.Contains(ll, strings.ToLower(p)) {
				out[i] = true
				break
			}
		}
	}
	return out
}

func TestHyperscanMatchesNaive(t *testing.T) {
	patterns := []string{"evil.example", "a.b", "x", "Bad-Host.test", "c2.", "[regexp*chars]+", "\x00nul", "ends."}
	lines := [][]byte{
		[]byte(""),
		[]byte("GET http://evil.example/x HTTP/1.1"), // two patterns
		[]byte("query: EVIL.EXAMPLE A"),              // case
		[]byte("nothing here at all"),
		[]byte("aab"), // "a.b" is a literal: the dot is no wildcard
		[]byte("a.b"),
		[]byte("bad-host.TEST."),
		[]byte("prefix c2.net suffix"),
		[]byte("literal [regexp*chars]+ here"),
		[]byte("regexpchars"),
		[]byte("with \x00nul byte"),
		[]byte("the line ends."),
		[]byte("the line ends"),
	}
	// Random lines over a small alphabet, so that partial matches abound.
	rng := rand.New(rand.NewPCG(1, 2))
	const alpha = "abcdeXx.-2[]*+ENDS"
	for i := 0; i < 500; i++ {
		l := make([]byte, rng.IntN(40))
		for j := range l {
			l[j] = alpha[rng.IntN(len(alpha))]
		}
		lines = append(lines, l)
	}
	h, err := NewHyperscan(patterns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.Len() != len(patterns) {
		t.Errorf("Len = %d, want %d", h.Len(), len(patterns))
	}
	if db, sc := h.DatabaseBytes(); db <= 0 || sc <= 0 {
		t.Errorf("DatabaseBytes = %d, %d: want both positive", db, sc)
	}
	want := naiveLines(patterns, lines)
	wantCount := 0
	for i, l := range lines {
		if got := h.Contains(l); got != want[i] {
			t.Errorf("Contains(%q) = %v, want %v", l, got, want[i])
		}
		if want[i] {
			wantCount++
		}
	}
	if wantCount == 0 || wantCount == len(lines) {
		t.Fatalf("reference matched %d of %d lines: a useless test", wantCount, len(lines))
	}
	// The same lines as one buffer with newlines, in one call.
	buf := bytes.Join(lines, []byte("\n"))
	var ends []uint64
	off := 0
	for _, l := range lines {
		off += len(l)
		ends = append(ends, uint64(off))
		off++
	}
	got, err := h.CountLines(buf, ends)
	if err != nil {
		t.Fatal(err)
	}
	if got != wantCount {
		t.Errorf("CountLines = %d, want %d", got, wantCount)
	}
	if _, err := h.CountLines(buf[:10], ends); err == nil {
		t.Error("CountLines with ends beyond the buffer: no error")
	}
}

func TestHyperscanManyPatterns(t *testing.T) {
	var patterns []string
	for i := 0; i < 2000; i++ {
		patterns = append(patterns, fmt.Sprintf("host%d.example", i))
	}
	h, err := NewHyperscan(patterns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for _, c := range []struct {
		line string
		want bool
	}{{"GET /host1999.example/", true}, {"host2000.exampl", false}, {"HOST7.EXAMPLE", true}, {"host.example", false}} {
		if got := h.Contains([]byte(c.line)); got != c.want {
			t.Errorf("Contains(%q) = %v, want %v", c.line, got, c.want)
		}
	}
}

func TestHyperscanErrors(t *testing.T) {
	if _, err := NewHyperscan(nil); err == nil {
		t.Error("no patterns: no error")
	}
	if _, err := NewHyperscan([]string{"a", ""}); err == nil {
		t.Error("an empty pattern: no error")
	}
	if !HyperscanBuilt || !strings.HasPrefix(HyperscanVersion(), "Hyperscan 5") {
		t.Errorf("HyperscanBuilt %v, version %q", HyperscanBuilt, HyperscanVersion())
	}
}
