package indicator

import (
	"strings"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// refangs are the defanging decorations Refang undoes, matched
// case-insensitively, longest first where one is a prefix of another.
var refangs = []struct{ from, to string }{
	{"[://]", "://"}, {"[:]//", "://"}, {"[:/]/", "://"},
	{"[.]", "."}, {"(.)", "."}, {"{.}", "."}, {"[dot]", "."}, {"(dot)", "."}, {"{dot}", "."}, {"\\.", "."},
	{"[:]", ":"}, {"(:)", ":"},
	{"[/]", "/"},
	{"[@]", "@"}, {"(@)", "@"}, {"[at]", "@"}, {"(at)", "@"}, {"{at}", "@"},
}

// Refang undoes the usual ways of defanging an indicator so that it is not
// clickable: "hxxp://", "hxxps[://]", "fxp://", "meow://" (http),
// "meows://" (https), "evil[.]com", "evil(.)com", "evil[dot]com",
// "1.2.3[.]4", "user[at]evil.com", "[@]", "[:]", "[/]" and "\." — each
// case-insensitively. "hxxp"/"hxxps"/"fxp"/"meow"/"meows" are rewritten
// only at the start of a scheme (before ":", "[:" or "(:"), so that
// "fxp[.]example" stays "fxp.example". Other text is returned unchanged; a
// value with nothing to undo is returned as is without allocating.
func Refang(s string) string {
	if !strings.ContainsAny(s, "[({\\") && !hasFangedScheme(s) {
		return s
	}
	var b strings.Builder
	done := 0 // s[:done] is in b (or, while b is empty, unchanged)
	for i := 0; i < len(s); {
		n, to := 0, ""
		if i == 0 || !canon.IsSchemeChar(s[i-1]) {
			n, to = fangedScheme(s[i:])
		}
		if n == 0 {
			for _, r := range refangs {
				if len(s)-i >= len(r.from) && strings.EqualFold(s[i:i+len(r.from)], r.from) {
					n, to = len(r.from), r.to
					break
				}
			}
		}
		if n == 0 {
			i++
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:i])
		b.WriteString(to)
		i += n
		done = i
	}
	if done == 0 {
		return s // nothing undone
	}
	b.WriteString(s[done:])
	return b.String()
}

var fangedSchemes = []struct{ from, to string }{
	{"hxxps", "https"}, {"hxxp", "http"}, {"fxp", "ftp"}, {"meows", "https"}, {"meow", "http"},
}

// fangedScheme reports the length of a defanged scheme at the start of s
// and its real spelling.
func fangedScheme(s string) (int, string) {
	for _, f := range fangedSchemes {
		n := len(f.from)
		if len(s) > n && strings.EqualFold(s[:n], f.from) &&
			(s[n] == ':' || strings.HasPrefix(s[n:], "[:") || strings.HasPrefix(s[n:], "(:")) {
			return n, f.to
		}
	}
	return 0, ""
}

func hasFangedScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; (c == 'h' || c == 'f' || c == 'm') && (i == 0 || !canon.IsSchemeChar(s[i-1])) {
			if n, _ := fangedScheme(s[i:]); n > 0 {
				return true
			}
		}
	}
	return false
}
