package match_test

import (
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

func TestKey(t *testing.T) {
	inds := []indicator.Indicator{
		indicator.MustNew(indicator.Domain, "Evil.Example.com"),
		indicator.MustNew(indicator.IPv4, "192.0.2.7"),
		indicator.MustNew(indicator.CIDR, "198.51.100.0/24"),
	}
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for id := range m.Len() {
		typ, v := m.Key(match.ID(id))
		e := m.Entry(match.ID(id))
		if typ != e.Type || v != e.Value {
			t.Errorf("Key(%d) = %v %q, Entry has %v %q", id, typ, v, e.Type, e.Value)
		}
		seen[typ.String()+":"+v] = true
	}
	for _, want := range []string{"domain:evil.example.com", "ipv4:192.0.2.7", "cidr:198.51.100.0/24"} {
		if !seen[want] {
			t.Errorf("no entry %s among %v", want, seen)
		}
	}
	if n := testing.AllocsPerRun(100, func() { m.Key(0) }); n != 0 {
		t.Errorf("Key allocates %v times", n)
	}
}
