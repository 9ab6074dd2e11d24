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
// clickable: "hxxp://", "hxxps[://]", "fxp://", "evil[.]com", "evil(.)com",
// "evil[dot]com", "1.2.3[.]4", "user[at]evil.com", "[@]", "[:]", "[/]" and
// "\." — each case-insensitively. "hxxp"/"hxxps"/"fxp" are rewritten only
// at the start of a scheme (before "://", "[:" or ":"). Other text is
// returned unchanged; a value with nothing to undo is returned as is
// without allocating.
func Refang(s string) string {
	if !strings.ContainsAny(s, "[({\\") && !hasFangedScheme(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if i == 0 || !canon.IsSchemeChar(s[i-1]) {
			if n, to := fangedScheme(s[i:]); n > 0 {
				b.WriteString(to)
				i += n
				continue
			}
		}
		matched := false
		for _, r := range refangs {
			if len(s)-i >= len(r.from) && strings.EqualFold(s[i:i+len(r.from)], r.from) {
				b.WriteString(r.to)
				i += len(r.from)
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

var fangedSchemes = []struct{ from, to string }{
	{"hxxps", "https"}, {"hxxp", "http"}, {"hXXps", "https"}, {"fxp", "ftp"}, {"meows", "https"}, {"meow", "http"},
}

// fangedScheme reports the length of a defanged scheme at the start of s
// and its real spelling.
func fangedScheme(s string) (int, string) {
	for _, f := range fangedSchemes {
		n := len(f.from)
		if len(s) > n && strings.EqualFold(s[:n], f.from) && (s[n] == ':' || s[n] == '[' || s[n] == '(') {
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
