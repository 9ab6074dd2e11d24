package workload

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/iocmatch/iocmatch/indicator"
)

// Mix is the share, in percent, of each type in a set from Indicators.
// The string kinds (1%) are split between filenames, mutexes, user agents
// and registry keys as in StringMix.
var Mix = []struct {
	Type    indicator.Type
	Percent int
}{
	{indicator.Domain, 54},
	{indicator.IPv4, 20},
	{indicator.CIDR, 2},
	{indicator.URL, 10},
	{indicator.SHA256, 10},
	{indicator.MD5, 3},
	{indicator.String, 1}, // placeholder for the string kinds
}

// StringMix is the share, in percent, of each string kind in a set from
// Strings (and in the string-kind part of Indicators).
var StringMix = []struct {
	Type    indicator.Type
	Percent int
}{
	{indicator.Filename, 40},
	{indicator.Mutex, 25},
	{indicator.UserAgent, 20},
	{indicator.RegKey, 15},
}

// Indicators returns n distinct indicators of the mixed kinds in Mix,
// deterministically from seed. A set of n is a prefix of the set of any
// larger n with the same seed.
func Indicators(n int, seed uint64) []indicator.Indicator {
	g := newGen(seed, 1)
	return g.set(n, func() indicator.Type {
		p := g.r.IntN(100)
		for _, m := range Mix {
			if p < m.Percent {
				if m.Type == indicator.String {
					return g.stringKind()
				}
				return m.Type
			}
			p -= m.Percent
		}
		return indicator.Domain
	})
}

// Domains returns n distinct domain indicators, deterministically from
// seed: the literal-only set used to compare with grep -F, rg -F and
// Aho-Corasick engines.
func Domains(n int, seed uint64) []indicator.Indicator {
	return Kind(indicator.Domain, n, seed)
}

// Strings returns n distinct string-kind indicators (filenames, mutexes,
// user agents, registry keys in the proportions of StringMix),
// deterministically from seed.
func Strings(n int, seed uint64) []indicator.Indicator {
	g := newGen(seed, 3)
	return g.set(n, g.stringKind)
}

// Kind returns n distinct indicators of type t, deterministically from
// seed. It supports every type Indicators generates (plus SHA1 and
// SHA512) and panics on any other.
func Kind(t indicator.Type, n int, seed uint64) []indicator.Indicator {
	g := newGen(seed, 2)
	return g.set(n, func() indicator.Type { return t })
}

// Values returns the values of inds, in order.
func Values(inds []indicator.Indicator) []string {
	v := make([]string, len(inds))
	for i := range inds {
		v[i] = inds[i].Value
	}
	return v
}

// Of returns the indicators of inds whose type is one of ts.
func Of(inds []indicator.Indicator, ts ...indicator.Type) []indicator.Indicator {
	var out []indicator.Indicator
	for _, ind := range inds {
		for _, t := range ts {
			if ind.Type == t {
				out = append(out, ind)
				break
			}
		}
	}
	return out
}

// gen draws indicator values.
type gen struct {
	r *rand.Rand
}

func newGen(seed, stream uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^stream))}
}

// set draws n distinct indicators whose types come from pick.
func (g *gen) set(n int, pick func() indicator.Type) []indicator.Indicator {
	type key struct {
		t indicator.Type
		v string
	}
	seen := make(map[key]struct{}, n)
	inds := make([]indicator.Indicator, 0, n)
	for len(inds) < n {
		t := pick()
		ind, err := indicator.New(t, g.value(t))
		if err != nil {
			panic(fmt.Sprintf("workload: generated an invalid %v: %v", t, err))
		}
		k := key{ind.Type, strings.ToLower(ind.Value)}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		inds = append(inds, ind)
	}
	return inds
}

func (g *gen) stringKind() indicator.Type {
	p := g.r.IntN(100)
	for _, m := range StringMix {
		if p < m.Percent {
			return m.Type
		}
		p -= m.Percent
	}
	return indicator.Filename
}

// tlds are the top-level domains of generated names. None is a file
// extension that benign lines use (js, png, exe …).
var tlds = []string{"com", "com", "com", "net", "org", "ru", "xyz", "top", "info", "cn", "io", "biz", "su", "pw", "cc", "online", "site", "club"}

const (
	consonants = "bcdfghjklmnprstvz"
	vowels     = "aeiou"
	lower      = "abcdefghijklmnopqrstuvwxyz"
	digits     = "0123456789"
	hexDigits  = "0123456789abcdef"
)

// word returns a pronounceable label of 2-4 consonant-vowel syllables
// that is not a word of the benign vocabulary.
func (g *gen) word() string {
	for {
		var b [8]byte
		k := 2 + g.r.IntN(3)
		for i := 0; i < k; i++ {
			b[2*i] = consonants[g.r.IntN(len(consonants))]
			b[2*i+1] = vowels[g.r.IntN(len(vowels))]
		}
		w := string(b[:2*k])
		if !reserved[w] {
			return w
		}
	}
}

// dga returns a random label of 10-18 letters and digits, as domain
// generation algorithms produce.
func (g *gen) dga() string {
	b := make([]byte, 10+g.r.IntN(9))
	for i := range b {
		if i > 0 && g.r.IntN(8) == 0 {
			b[i] = digits[g.r.IntN(10)]
		} else {
			b[i] = lower[g.r.IntN(26)]
		}
	}
	return string(b)
}

func (g *gen) hex(k int) string {
	b := make([]byte, k)
	for i := range b {
		b[i] = hexDigits[g.r.IntN(16)]
	}
	return string(b)
}

// label returns a second-level label: a word, two joined words, a word
// with a number or a DGA label.
func (g *gen) label() string {
	switch p := g.r.IntN(100); {
	case p < 55:
		return g.word()
	case p < 70:
		return g.word() + "-" + g.word()
	case p < 85:
		return fmt.Sprintf("%s%d", g.word(), g.r.IntN(1000))
	default:
		return g.dga()
	}
}

var subLabels = []string{"www", "mail", "cdn", "login", "secure", "update", "api", "app", "portal", "m", "ns1", "auth", "files", "dl"}

func (g *gen) domain() string {
	d := g.label() + "." + tlds[g.r.IntN(len(tlds))]
	switch p := g.r.IntN(100); {
	case p < 25:
		d = subLabels[g.r.IntN(len(subLabels))] + "." + d
	case p < 35:
		d = g.word() + "." + d
	}
	return d
}

// octet1 returns a first octet outside the private, documentation,
// loopback, link-local, CGNAT and multicast ranges that benign lines use.
func (g *gen) octet1() int {
	for {
		o := 1 + g.r.IntN(223)
		switch o {
		case 10, 100, 127, 169, 172, 192, 198, 203:
			continue
		}
		return o
	}
}

func (g *gen) ipv4() string {
	return fmt.Sprintf("%d.%d.%d.%d", g.octet1(), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *gen) cidr() string {
	bits := 24
	switch p := g.r.IntN(100); {
	case p < 10:
		bits = 16
	case p < 25:
		bits = 20
	case p < 35:
		bits = 28
	case p < 40:
		bits = 32
	}
	a := netip.AddrFrom4([4]byte{byte(g.octet1()), byte(g.r.IntN(256)), byte(g.r.IntN(256)), byte(g.r.IntN(256))})
	return netip.PrefixFrom(a, bits).Masked().String()
}

var (
	urlExts  = []string{".php", ".exe", ".bin", ".zip", ".js", ".html", "", "/", ".dll", ".apk"}
	urlDirs  = []string{"wp-content/uploads", "images", "admin", "gate", "files", "panel", "download", "wp-includes", "tmp", "bins"}
	urlPorts = []string{":8080", ":443", ":8443", ":4444", ":81"}
)

func (g *gen) url() string {
	var b strings.Builder
	if g.r.IntN(3) == 0 {
		b.WriteString("https://")
	} else {
		b.WriteString("http://")
	}
	if g.r.IntN(10) == 0 {
		b.WriteString(g.ipv4())
	} else {
		b.WriteString(g.domain())
	}
	if g.r.IntN(20) == 0 {
		b.WriteString(urlPorts[g.r.IntN(len(urlPorts))])
	}
	b.WriteByte('/')
	if g.r.IntN(2) == 0 {
		b.WriteString(urlDirs[g.r.IntN(len(urlDirs))])
		b.WriteByte('/')
	}
	b.WriteString(g.word())
	if g.r.IntN(2) == 0 {
		b.WriteString(fmt.Sprintf("%d", g.r.IntN(100)))
	}
	b.WriteString(urlExts[g.r.IntN(len(urlExts))])
	if g.r.IntN(5) == 0 {
		fmt.Fprintf(&b, "?id=%d", g.r.IntN(100000))
	}
	return b.String()
}

var (
	fileExts = []string{".exe", ".exe", ".dll", ".ps1", ".vbs", ".scr", ".bat", ".js", ".hta", ".lnk"}
	runKeys  = []string{
		`HKLM\Software\Microsoft\Windows\CurrentVersion\Run\`,
		`HKCU\Software\Microsoft\Windows\CurrentVersion\Run\`,
		`HKLM\Software\Microsoft\Windows\CurrentVersion\RunOnce\`,
		`HKLM\System\CurrentControlSet\Services\`,
	}
)

func capital(w string) string { return strings.ToUpper(w[:1]) + w[1:] }

func (g *gen) filename() string {
	switch g.r.IntN(4) {
	case 0:
		return g.word() + fmt.Sprintf("%d", g.r.IntN(100)) + fileExts[g.r.IntN(len(fileExts))]
	case 1:
		return g.dga() + fileExts[g.r.IntN(len(fileExts))]
	default:
		return g.word() + fileExts[g.r.IntN(len(fileExts))]
	}
}

func (g *gen) mutex() string {
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf(`Global\%s_%d`, g.word(), g.r.IntN(10000))
	case 1:
		return fmt.Sprintf("%s-%s-%s-%s-%s", g.hex(8), g.hex(4), g.hex(4), g.hex(4), g.hex(12))
	default:
		return capital(g.word()) + "Mutex" + g.hex(6)
	}
}

func (g *gen) userAgent() string {
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf("Mozilla/4.0 (compatible; %s %d.%d)", capital(g.word()), g.r.IntN(10), g.r.IntN(10))
	case 1:
		return fmt.Sprintf("%s/%d.%d", capital(g.word()), 1+g.r.IntN(9), g.r.IntN(10))
	default:
		return fmt.Sprintf("%s-%s agent v%d", capital(g.word()), g.word(), g.r.IntN(100))
	}
}

func (g *gen) regKey() string {
	if g.r.IntN(3) == 0 {
		return fmt.Sprintf(`HKCU\Software\%s\%s`, capital(g.word()), capital(g.word()))
	}
	return runKeys[g.r.IntN(len(runKeys))] + capital(g.word())
}

// value returns a random value of type t.
func (g *gen) value(t indicator.Type) string {
	switch t {
	case indicator.Domain:
		return g.domain()
	case indicator.IPv4:
		return g.ipv4()
	case indicator.CIDR:
		return g.cidr()
	case indicator.URL:
		return g.url()
	case indicator.MD5, indicator.SHA1, indicator.SHA256, indicator.SHA512:
		return g.hex(t.HashLen())
	case indicator.Filename:
		return g.filename()
	case indicator.Mutex:
		return g.mutex()
	case indicator.UserAgent:
		return g.userAgent()
	case indicator.RegKey:
		return g.regKey()
	}
	panic(fmt.Sprintf("workload: cannot generate indicators of type %v", t))
}
