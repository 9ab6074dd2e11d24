package retro_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/iocmatch/iocmatch/indicator"
)

// logGen writes realistic log lines (web access, DNS queries, firewall
// records, process events with hashes) from a seeded generator; a share
// of them carry one of the hunted values.
type logGen struct {
	r       *rand.Rand
	hunted  []string // values a line may carry
	hitRate float64  // share of lines carrying one
}

func (g *logGen) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(222), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

var words = []string{"cdn", "api", "mail", "static", "login", "update", "img", "www", "portal", "shop", "news", "auth"}
var tlds = []string{"com", "net", "org", "io", "de", "fr", "co.uk", "info"}

func (g *logGen) domain() string {
	return fmt.Sprintf("%s.%s%d.%s", words[g.r.IntN(len(words))], words[g.r.IntN(len(words))], g.r.IntN(100000), tlds[g.r.IntN(len(tlds))])
}

func (g *logGen) hash() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 64)
	for i := range b {
		b[i] = hex[g.r.IntN(16)]
	}
	return string(b)
}

// line appends one line (without '\n') to dst.
func (g *logGen) line(dst []byte) []byte {
	host, addr, sum := g.domain(), g.ip(), g.hash()
	if len(g.hunted) > 0 && g.r.Float64() < g.hitRate {
		v := g.hunted[g.r.IntN(len(g.hunted))]
		switch {
		case len(v) == 64:
			sum = v
		case v[len(v)-1] >= '0' && v[len(v)-1] <= '9':
			addr = v
		default:
			host = v
		}
	}
	switch g.r.IntN(4) {
	case 0:
		return fmt.Appendf(dst, `%s - - [01/Dec/2026:22:%02d:%02d +0000] "GET https://%s/index.php?id=%d HTTP/1.1" 200 %d "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"`,
			addr, g.r.IntN(60), g.r.IntN(60), host, g.r.IntN(1e6), g.r.IntN(1e5))
	case 1:
		return fmt.Appendf(dst, `Dec  1 22:%02d:%02d dns01 named[812]: client @0x7f3a %s#%d (%s): query: %s IN A + (10.0.0.53)`,
			g.r.IntN(60), g.r.IntN(60), g.ip(), 1024+g.r.IntN(60000), host, host)
	case 2:
		return fmt.Appendf(dst, `{"ts":"2026-12-01T22:%02d:%02dZ","action":"allow","proto":"tcp","src_ip":"10.%d.%d.%d","src_port":%d,"dst_ip":"%s","dst_port":443,"bytes":%d}`,
			g.r.IntN(60), g.r.IntN(60), g.r.IntN(256), g.r.IntN(256), g.r.IntN(256), 1024+g.r.IntN(60000), addr, g.r.IntN(1e6))
	default:
		return fmt.Appendf(dst, `2026-12-01T22:%02d:%02dZ host=ws%03d event=process_start image="C:\Program Files\App\app.exe" sha256=%s parent=explorer.exe`,
			g.r.IntN(60), g.r.IntN(60), g.r.IntN(1000), sum)
	}
}

// newIndicators returns n indicators, a third each addresses, domains and
// SHA-256 hashes, and their values.
func newIndicators(r *rand.Rand, n int) ([]indicator.Indicator, []string) {
	g := &logGen{r: r}
	var inds []indicator.Indicator
	var vals []string
	for i := range n {
		var ind indicator.Indicator
		switch i % 3 {
		case 0:
			ind = indicator.MustNew(indicator.IPv4, g.ip())
		case 1:
			ind = indicator.MustNew(indicator.Domain, fmt.Sprintf("c2-%d.%s", i, g.domain()))
		default:
			ind = indicator.MustNew(indicator.SHA256, g.hash())
		}
		ind.Meta.Source = "new-feed"
		inds = append(inds, ind)
		vals = append(vals, ind.Value)
	}
	return inds, vals
}
