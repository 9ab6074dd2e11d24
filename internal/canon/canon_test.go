package canon

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClasses(t *testing.T) {
	for i := 0; i < 256; i++ {
		c := byte(i)
		lower := c >= 'a' && c <= 'z'
		upper := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		hex := digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
		host := lower || upper || digit || c == '_' || c == '.' || c == '-'
		local := host || c == '+' || c == '%'
		assert.Equal(t, lower, Class[c]&Lower != 0, "%q Lower", c)
		assert.Equal(t, upper, Class[c]&Upper != 0, "%q Upper", c)
		assert.Equal(t, digit, Class[c]&Digit != 0, "%q Digit", c)
		assert.Equal(t, hex && !digit, Class[c]&HexOnly != 0, "%q HexOnly", c)
		assert.Equal(t, local, Class[c]&Local != 0, "%q Local", c)
		assert.Equal(t, host, IsHost(c), "%q IsHost", c)
		assert.Equal(t, lower || upper || digit || c == '_', IsWord(c), "%q IsWord", c)
		assert.Equal(t, hex, IsHex(c), "%q IsHex", c)
		assert.Equal(t, digit, IsDigit(c), "%q IsDigit", c)
		want := c
		if upper {
			want = c + 32
		}
		assert.Equal(t, want, LowerTable[c], "%q LowerTable", c)
		assert.Equal(t, lower || upper || digit || c == '+' || c == '-' || c == '.', IsSchemeChar(c), "%q IsSchemeChar", c)
	}
}

func TestAppendLowerEqualFold(t *testing.T) {
	assert.Equal(t, "abc-xyz_09ÄÖ\xff", string(AppendLower(nil, []byte("ABC-xYz_09ÄÖ\xff"))))
	assert.Equal(t, "pre:abc", string(AppendLower([]byte("pre:"), []byte("AbC"))))
	assert.Empty(t, AppendLower(nil, nil))
	buf := make([]byte, 0, 16)
	n := testing.AllocsPerRun(100, func() { _ = AppendLower(buf[:0], []byte("HELLO")) })
	assert.Zero(t, n)

	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true}, {"abc", "ABC", true}, {"Evil.Example", "eVIL.eXAMPLE", true},
		{"abc", "abd", false}, {"abc", "ab", false}, {"a", "", false},
		{"[", "{", false}, {"@", "`", false}, {"ä", "Ä", false}, {"\xc4", "\xe4", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, EqualFold([]byte(tt.a), []byte(tt.b)), "%q %q", tt.a, tt.b)
		assert.Equal(t, tt.want, EqualFold([]byte(tt.b), []byte(tt.a)), "%q %q", tt.b, tt.a)
	}
}

func TestValidDomain(t *testing.T) {
	good := []string{
		"evil.example", "a.b", "a.b.c.d.e", "_dmarc.evil.example", "a-b.example", "a--b.example",
		"xn--bcher-kva.example", "123.example", "1.2.3.example", "example.a1", "example.1a",
		"example.co_", "a_.example", "a-.example", "x.-a.example", // hyphens inside the name
		strings.Repeat("a", 63) + ".example",
		strings.Repeat("a.", 126) + "b", // 253 bytes
		"0.0.0.0a",
	}
	for _, s := range good {
		assert.True(t, ValidDomain([]byte(s)), "%q", s)
	}
	bad := []string{
		"", ".", "..", "a", "example", "localhost", // fewer than two labels
		"Evil.example", "evil.EXAMPLE", // not lower case
		"evil.123", "1.2.3.4", "1.2.3", "a.0", "a.00000", // all-digit last label
		".evil.example", "evil.example.", "evil..example", // empty labels
		"-evil.example", "evil.example-", "-.a", // hyphen at either end of the name
		strings.Repeat("a", 64) + ".example",
		strings.Repeat("a.", 127) + "b",  // 255 bytes
		strings.Repeat("a", 250) + ".ab", // 253 bytes but a long label
		"evil example.com", "evil.exam*ple", "evil.example/", "evil:example.com", "ev@l.example",
		"bücher.example", "evil.example\x00", "evil\t.example", "*.evil.example",
	}
	for _, s := range bad {
		assert.False(t, ValidDomain([]byte(s)), "%q", s)
	}
	n := testing.AllocsPerRun(100, func() { _ = ValidDomain([]byte("evil.example")) })
	assert.Zero(t, n)
}
