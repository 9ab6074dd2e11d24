package indicator

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

func TestRefang(t *testing.T) {
	tests := []struct{ in, want string }{
		// schemes
		{"hxxp://evil.example/", "http://evil.example/"},
		{"hxxps://evil.example/", "https://evil.example/"},
		{"HXXP://evil.example/", "http://evil.example/"},
		{"hXXps://evil.example/", "https://evil.example/"},
		{"HxXpS://evil.example/", "https://evil.example/"},
		{"hxxps[://]evil.example", "https://evil.example"},
		{"hxxp[://]evil.example", "http://evil.example"},
		{"hxxps[:]//evil.example", "https://evil.example"},
		{"hxxp(:)//evil.example", "http://evil.example"},
		{"hxxp[:/]/evil.example", "http://evil.example"},
		{"fxp://files.example/x", "ftp://files.example/x"},
		{"FXP://files.example/x", "ftp://files.example/x"},
		{"meow://evil.example", "http://evil.example"},
		{"meows://evil.example", "https://evil.example"},
		{"http[://]evil.example", "http://evil.example"},
		{"see hxxp://a.example and hxxps://b.example", "see http://a.example and https://b.example"},
		// scheme words elsewhere are left alone
		{"xhxxp://evil.example", "xhxxp://evil.example"},
		{"hxxp.evil.example", "hxxp.evil.example"},
		{"fxp[.]evil.example", "fxp.evil.example"},
		{"hxxp[.]evil.example", "hxxp.evil.example"},
		{"meow(.)example", "meow.example"},
		{"evil.example/hxxp", "evil.example/hxxp"},
		{"a-hxxp://x", "a-hxxp://x"},
		{"a/hxxp://x", "a/http://x"},
		// dots
		{"evil[.]example", "evil.example"},
		{"evil(.)example", "evil.example"},
		{"evil{.}example", "evil.example"},
		{"evil[dot]example", "evil.example"},
		{"evil[DOT]example", "evil.example"},
		{"evil(dot)example", "evil.example"},
		{"evil{Dot}example", "evil.example"},
		{"evil\\.example", "evil.example"},
		{"1.2.3[.]4", "1.2.3.4"},
		{"1[.]2[.]3[.]4", "1.2.3.4"},
		{"a[.]b(.)c[dot]d\\.e", "a.b.c.d.e"},
		// at
		{"user[at]evil.example", "user@evil.example"},
		{"user[AT]evil.example", "user@evil.example"},
		{"user(at)evil.example", "user@evil.example"},
		{"user{at}evil.example", "user@evil.example"},
		{"user[@]evil.example", "user@evil.example"},
		{"user(@)evil.example", "user@evil.example"},
		// colon and slash
		{"evil.example[:]8080", "evil.example:8080"},
		{"evil.example(:)8080", "evil.example:8080"},
		{"http[:]//evil.example[/]a", "http://evil.example/a"},
		{"evil.example[/]path", "evil.example/path"},
		// a full example
		{"hxxps[://]Evil[.]example[:]443[/]a?b=1#frag", "https://Evil.example:443/a?b=1#frag"},
		// brackets that are not decorations
		{"http://[2001:db8::1]/", "http://[2001:db8::1]/"},
		{"[::1]:80", "[::1]:80"},
		{"[::]", "[::]"},
		{"(evil)", "(evil)"},
		{"{x}", "{x}"},
		{"[.", "[."},
		{"[", "["},
		{"\\", "\\"},
		{`C:\Windows\System32`, `C:\Windows\System32`},
		{`a\\.b`, `a\.b`},
		// nothing to do
		{"", ""},
		{"evil.example", "evil.example"},
		{"http://evil.example/", "http://evil.example/"},
		{"hxxp", "hxxp"},
		{"hxxp:", "http:"},
		{"ünïcode[.]example", "ünïcode.example"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Refang(tt.in), "Refang(%q)", tt.in)
		// refanging is idempotent on these
		assert.Equal(t, Refang(tt.want), Refang(Refang(tt.in)), "Refang(Refang(%q))", tt.in)
	}
}

func TestRefangNoAlloc(t *testing.T) {
	for _, s := range []string{
		"", "evil.example", "http://evil.example/a?b=c#d", "1.2.3.4", "user@evil.example",
		"hxxp", "xhxxp://x", "fxp.x", "(not defanged)", `C:\Windows\System32`, "[::1]:80",
		"hxxp.example", "{json}", "meow",
	} {
		var out string
		n := testing.AllocsPerRun(100, func() { out = Refang(s) })
		assert.Zero(t, n, "Refang(%q) allocates", s)
		assert.Equal(t, s, out)
		if len(s) > 0 {
			// the very same string, not a copy
			assert.Equal(t, unsafe.StringData(s), unsafe.StringData(out), "Refang(%q) copies", s)
		}
	}
	// with something to undo it allocates once
	n := testing.AllocsPerRun(100, func() { _ = Refang("hxxps[://]evil[.]example/a") })
	assert.Equal(t, 1.0, n)
}
