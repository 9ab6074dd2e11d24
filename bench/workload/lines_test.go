package workload

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/iocmatch/iocmatch/indicator"
)

// TestHostPublicSuffix: the lines planted for a domain indicator that is
// a public suffix (jele.club is one of the list's private entries) name
// the domain itself, never a subdomain, which no matcher takes for it;
// other domains get subdomains too.
func TestHostPublicSuffix(t *testing.T) {
	g := &lineGen{r: rand.New(rand.NewPCG(1, 2))}
	ps := &indicator.Indicator{Type: indicator.Domain, Value: "jele.club"}
	plain := &indicator.Indicator{Type: indicator.Domain, Value: "evil-example.club"}
	subs := 0
	for i := 0; i < 200; i++ {
		if h := g.host(ps); h != "jele.club" {
			t.Fatalf("host(jele.club) = %q", h)
		}
		if h := g.host(plain); h != plain.Value {
			if !strings.HasSuffix(h, "."+plain.Value) {
				t.Fatalf("host(%s) = %q", plain.Value, h)
			}
			subs++
		}
	}
	if subs == 0 {
		t.Fatal("no subdomain of an ordinary domain in 200 lines")
	}
}
