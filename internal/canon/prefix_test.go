package canon

import (
	"net/netip"
	"testing"
)

func TestPrefixOf(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"10.1.2.3", "10.1.2.3/32", true},
		{"10.1.2.3/8", "10.0.0.0/8", true},
		{"::ffff:10.1.2.3", "10.1.2.3/32", true},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8", true},
		{"fe80::1%eth0", "fe80::1/128", true},
		{"2001:db8::/32", "2001:db8::/32", true},
		{"evil.example", "", false},
		{"10.0.0.0/33", "", false},
	} {
		p, ok := PrefixOf(c.in)
		if ok != c.ok || ok && p != netip.MustParsePrefix(c.want) {
			t.Errorf("PrefixOf(%q) = %v, %v; want %s, %v", c.in, p, ok, c.want, c.ok)
		}
	}
}
