package allow

import (
	"strings"
	"testing"
)

// FuzzSubstrings checks the automaton against strings.Contains: the
// input is patterns separated by '\n', then a '\x00' and the text;
// patterns go in groups of three.
func FuzzSubstrings(f *testing.F) {
	f.Add("he\nshe\nhis\nhers\x00ushers")
	f.Add("mailinator.com\nYOPMAIL\n\x00bob@yopmail.fr")
	f.Add("a\naa\naaa\nb\x00AaAb")
	f.Fuzz(func(t *testing.T, in string) {
		pats, text, _ := strings.Cut(in, "\x00")
		ps := strings.Split(pats, "\n")
		if len(ps) > 3*maxGroups {
			ps = ps[:3*maxGroups]
		}
		var groups [][]string
		for i := 0; i < len(ps); i += 3 {
			groups = append(groups, ps[i:min(i+3, len(ps))])
		}
		a := newSubstrings(groups)
		got := a.scan(text)
		var want uint64
		lt := lowerASCII(text)
		for g, ps := range groups {
			for _, p := range ps {
				if strings.Contains(lt, lowerASCII(p)) {
					want |= 1 << g
				}
			}
		}
		if got != want {
			t.Fatalf("scan(%q) over %q = %b, want %b", text, groups, got, want)
		}
	})
}
