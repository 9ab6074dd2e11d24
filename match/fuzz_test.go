package match_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/match/internal/reference"
)

// refPool is a fixed pool of varied indicators the fuzz input picks from.
var refPool = func() []indicator.Indicator {
	var out []indicator.Indicator
	for _, v := range []struct {
		t indicator.Type
		v string
	}{
		{indicator.IPv4, "1.2.3.4"},
		{indicator.IPv4, "10.1.2.3"},
		{indicator.IPv4, "192.0.2.1"},
		{indicator.IPv6, "2001:db8::1"},
		{indicator.IPv6, "fe80::1"},
		{indicator.IPv6, "::1"},
		{indicator.CIDR, "10.0.0.0/8"},
		{indicator.CIDR, "10.1.0.0/16"},
		{indicator.CIDR, "0.0.0.0/0"},
		{indicator.CIDR, "2001:db8::/32"},
		{indicator.CIDR, "2001:db8::/64"},
		{indicator.CIDR, "::/0"},
		{indicator.Domain, "evil.com"},
		{indicator.Domain, "a.evil.com"},
		{indicator.Domain, "example.org"},
		{indicator.Domain, "under_score.example"},
		{indicator.Domain, "xn--bcher-kva.example"},
		{indicator.URL, "http://evil.com/"},
		{indicator.URL, "http://evil.com/a/b"},
		{indicator.URL, "https://evil.com/x?q=1"},
		{indicator.URL, "http://evil.com:8080/p"},
		{indicator.URL, "ftp://1.2.3.4/f"},
		{indicator.URL, "http://[2001:db8::1]/x"},
		{indicator.URL, "http://example.org/?a=b"},
		{indicator.Email, "bob@evil.com"},
		{indicator.Email, "a.b+c@example.org"},
		{indicator.MD5, strings.Repeat("0123456789abcdef", 2)},
		{indicator.SHA1, strings.Repeat("a1b2c3d4e5", 4)},
		{indicator.SHA256, strings.Repeat("deadbeef", 8)},
		{indicator.SHA512, strings.Repeat("c0ffee00", 16)},
		{indicator.Filename, "evil.exe"},
		{indicator.Filename, "a.b"},
		{indicator.RegKey, `HKLM\Software\Evil`},
		{indicator.RegKey, `HKEY_CURRENT_USER\Run`},
		{indicator.RegKey, `Software\Microsoft`},
		{indicator.Mutex, `Global\Mtx`},
		{indicator.UserAgent, "EvilBot/1.0"},
		{indicator.EmailSubject, "Invoice"},
		{indicator.String, "cmd.exe /c"},
		{indicator.String, "aa"},
		{indicator.String, "\u00e9"},
		{indicator.String, `\\`},
		// public suffixes (exact name only) and names below them; appended,
		// so that the seeds' picks of the entries above stay the same
		{indicator.Domain, "duckdns.org"},
		{indicator.Domain, "co.uk"},
		{indicator.Domain, "evil.co.uk"},
		{indicator.Domain, "x.ck"},
	} {
		out = append(out, indicator.MustNew(v.t, v.v))
	}
	return out
}()

// refIndicators decodes sel into indicators: a byte below 0x80 picks one
// from refPool; a byte from 0x80 on and the next three (type, position,
// length) derive one from the text of line, so that hits are frequent.
func refIndicators(sel, line []byte) []indicator.Indicator {
	text, _ := reference.Decode(line)
	var out []indicator.Indicator
	for i := 0; i < len(sel) && len(out) < 16; {
		if sel[i] < 0x80 {
			out = append(out, refPool[int(sel[i])%len(refPool)])
			i++
			continue
		}
		var b [3]byte
		copy(b[:], sel[i+1:])
		i += 4
		t := indicator.Type(1 + int(b[0])%(indicator.NumTypes-1))
		for _, v := range refDerive(t, text, int(b[1]), int(b[2])) {
			if ind, err := indicator.New(t, v); err == nil {
				out = append(out, ind)
				break
			}
		}
	}
	return out
}

func refClassRun(t []byte, p int, class func(byte) bool) (int, int) {
	i, j := p, p
	for i > 0 && class(t[i-1]) {
		i--
	}
	for j < len(t) && class(t[j]) {
		j++
	}
	return i, j
}

func refIsHost(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

func refIsAddr(c byte) bool {
	return c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c >= '0' && c <= '9' || c == ':' || c == '.'
}

// refDerive returns candidate values of type t taken from text around
// position p; l varies the choice.
func refDerive(t indicator.Type, text []byte, p, l int) []string {
	if len(text) == 0 {
		return nil
	}
	p %= len(text)
	s := string(text)
	switch {
	case t.IsAddress():
		i, j := refClassRun(text, p, refIsAddr)
		run := strings.Trim(s[i:j], ".")
		cands := []string{run, strings.TrimSuffix(run, ":")}
		if k := strings.LastIndexByte(run, ':'); k >= 0 {
			cands = append(cands, run[k+1:])
		}
		if t == indicator.CIDR {
			for k, c := range cands {
				bits := l % 33
				if strings.Contains(c, ":") {
					bits = l % 129
				}
				cands[k] = fmt.Sprintf("%s/%d", c, bits)
			}
		}
		return cands
	case t == indicator.Domain:
		i, j := refClassRun(text, p, refIsHost)
		d := strings.Trim(s[i:j], ".-")
		for n := l % 4; n > 0; n-- {
			if k := strings.IndexByte(d, '.'); k >= 0 && strings.Count(d, ".") > 1 {
				d = d[k+1:]
			}
		}
		return []string{d}
	case t == indicator.URL:
		i := p
		for i > 0 && (refIsHost(text[i-1]) || text[i-1] == '+' || text[i-1] == ':' || text[i-1] == '/') {
			i--
		}
		j := i
		for j < len(text) && text[j] > ' ' && !strings.ContainsRune("\"'`<>", rune(text[j])) {
			j++
		}
		u := strings.TrimRight(s[i:j], ".,;:!?)]}")
		if l&1 == 1 {
			if k := strings.IndexByte(u, '?'); k >= 0 {
				u = u[:k]
			}
		}
		// another scheme: a different entry with the same key
		if sch := []string{"", "https://", "hxxp://", "ftp://"}[l>>1&3]; sch != "" {
			if k := strings.Index(u, "://"); k >= 0 {
				u = u[k+3:]
			}
			u = sch + u
		}
		return []string{u}
	case t == indicator.Email:
		k := strings.IndexByte(s[p:], '@')
		if k < 0 {
			k = strings.LastIndexByte(s[:p], '@')
		} else {
			k += p
		}
		if k < 0 {
			return nil
		}
		i, _ := refClassRun(text, k, func(c byte) bool { return refIsHost(c) || c == '%' || c == '+' })
		_, j := refClassRun(text, k+1, refIsHost)
		return []string{strings.Trim(s[i:k], "."), s[i:k] + "@" + strings.Trim(s[k+1:j], ".-")}
	case t.IsHash():
		i, j := refClassRun(text, p, func(c byte) bool {
			return c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c >= '0' && c <= '9'
		})
		return []string{s[i:j]}
	case t == indicator.Filename:
		i, j := refClassRun(text, p, func(c byte) bool { return refIsHost(c) || c >= 0x80 })
		if j > i {
			i += l % (j - i)
		}
		return []string{s[i:j]}
	case t == indicator.RegKey:
		j := p
		for j < len(text) && text[j] > ' ' && !strings.ContainsRune("\"'`,;)]}<>", rune(text[j])) {
			j++
		}
		return []string{s[p:j]}
	}
	return []string{s[p:min(len(s), p+1+l%12)]}
}

// refCheck compiles inds and requires AppendMatches and Contains to agree
// with the reference implementation on line, on each classification path
// of the token pass (SIMD where there is one, and portable).
func refCheck(t testing.TB, inds []indicator.Indicator, line []byte) {
	t.Helper()
	for _, simd := range classifyPaths() {
		withPath(simd, func() { refCheckPath(t, inds, line) })
	}
}

// refCheckPath is refCheck on the classification path set.
func refCheckPath(t testing.TB, inds []indicator.Indicator, line []byte) {
	t.Helper()
	m, err := match.Compile(inds, match.Options{MaxMatchesPerLine: -1})
	require.NoError(t, err)
	prefix := []match.Match{{ID: 999, Start: -1, End: -1}}
	all := m.AppendMatches(prefix, line)
	require.Equal(t, prefix[0], all[0], "AppendMatches changed dst's prefix")
	got := all[1:]
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		c := cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End),
			cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
		require.Negative(t, c, "matches not strictly ordered by start, end, type, ID: %v then %v in %q", a, b, line)
	}
	have := make([]reference.Match, 0, len(got))
	for _, x := range got {
		e := m.Entry(x.ID)
		require.Equal(t, e.Type, x.Type, "Match.Type is not its entry's type")
		have = append(have, reference.Match{Type: x.Type, Value: e.Value, Start: x.Start, End: x.End})
	}
	slices.SortFunc(have, reference.Compare)
	want := reference.Find(inds, line)
	if !slices.Equal(want, have) {
		var missing, extra []reference.Match
		for _, x := range want {
			if !slices.Contains(have, x) {
				missing = append(missing, x)
			}
		}
		for _, x := range have {
			if !slices.Contains(want, x) {
				extra = append(extra, x)
			}
		}
		t.Fatalf("line %q\nindicators %v\nonly in reference %s\nonly in matcher   %s", line, inds, refFormat(line, missing), refFormat(line, extra))
	}
	require.Equal(t, len(got) > 0, m.Contains(line), "Contains disagrees with AppendMatches on %q", line)
	if len(inds) <= 16 { // a fuzz case: every entry; the whole pool is checked through the fuzz cases
		refCheckEntries(t, m, inds)
	}
	refCheckCap(t, inds, line, got)
	if !reference.IsJSONLine(line) {
		refCheckFields(t, m, got, line)
	}
}

// refCheckEntries requires every entry to account for the indicators of
// its canonical value: distinct records, in input order, and duplicates.
func refCheckEntries(t testing.TB, m *match.Matcher, inds []indicator.Indicator) {
	t.Helper()
	type key struct {
		t indicator.Type
		v string
	}
	byKey := map[key][]indicator.Indicator{}
	for _, ind := range inds {
		if ct, cv, err := indicator.Canonical(ind.Type, ind.Value); err == nil {
			ind.Type, ind.Value = ct, cv
			byKey[key{ct, cv}] = append(byKey[key{ct, cv}], ind)
		}
	}
	for id := range match.ID(m.Len()) {
		e := m.Entry(id)
		var want []indicator.Indicator // the distinct records, in order
		recs := byKey[key{e.Type, e.Value}]
		for _, ind := range recs {
			if !slices.ContainsFunc(want, func(w indicator.Indicator) bool { return reflect.DeepEqual(w, ind) }) {
				want = append(want, ind)
			}
		}
		all := m.AppendIndicators(nil, id, 0, e.Records)
		if e.Records != len(want) || e.Duplicates != len(recs)-len(want) || !reflect.DeepEqual(want, all) {
			t.Fatalf("entry %s: %d records and %d duplicates %v, want %d and %d %v", e.Value, e.Records, e.Duplicates, all, len(want), len(recs)-len(want), want)
		}
		if !reflect.DeepEqual(all[:min(len(all), match.MaxEntryIndicators)], e.Indicators) {
			t.Fatalf("entry %s: Indicators %v, not the first records of %v", e.Value, e.Indicators, all)
		}
		if srcs := (match.Entry{Indicators: all}).Sources(); !slices.Equal(srcs, e.Sources()) {
			t.Fatalf("entry %s: Sources %v, not %v", e.Value, e.Sources(), srcs)
		}
	}
}

// refCheckCap requires a Matcher with a cap on matches per line of all
// (the matches of line without a cap) to append them all, and with a cap of
// half of them exactly that many of them and to say the line was truncated.
func refCheckCap(t testing.TB, inds []indicator.Indicator, line []byte, all []match.Match) {
	t.Helper()
	if len(all) == 0 {
		return
	}
	set := make(map[match.Match]bool, len(all))
	for _, x := range all {
		set[x] = true
	}
	for _, c := range []int{len(all), (len(all) + 1) / 2} {
		m, err := match.Compile(inds, match.Options{MaxMatchesPerLine: c})
		require.NoError(t, err)
		got, truncated := m.AppendMatchesTruncated(nil, line)
		require.Equal(t, c < len(all), truncated, "cap %d of %d matches in %q", c, len(all), line)
		require.Len(t, got, c, "cap %d of %d matches in %q", c, len(all), line)
		for _, x := range got {
			if !set[x] {
				t.Fatalf("cap %d in %q: %+v is not a match of the line", c, line, x)
			}
		}
	}
}

// refCheckFields requires the field lookups to find what free text found:
// the matched text given to the lookup of its type returns the entry.
func refCheckFields(t testing.TB, m *match.Matcher, got []match.Match, line []byte) {
	t.Helper()
	// The string lookups take the whole line: one per kind, not one per
	// match (a line can have a match at every byte).
	stringIDs := map[indicator.Type][]match.ID{}
	for _, x := range got {
		text := string(line[x.Start:x.End])
		var ids []match.ID
		switch {
		case x.Type.IsAddress():
			a, err := netip.ParseAddr(text)
			require.NoError(t, err, "address match %q", text)
			ids = m.LookupAddr(a)
		case x.Type == indicator.Domain:
			ids = m.LookupDomain(text)
		case x.Type == indicator.URL:
			ids = m.LookupURL(text)
		case x.Type == indicator.Email:
			if strings.Contains(text, "@.") || strings.Contains(text, "@-") {
				continue // the domain's leading dots or hyphens were cut
			}
			ids = m.LookupEmail(text)
		case x.Type.IsHash():
			ids = m.LookupHash(text)
		case x.Type.IsString():
			var ok bool
			if ids, ok = stringIDs[x.Type]; !ok {
				ids = m.LookupString(x.Type, string(line))
				stringIDs[x.Type] = ids
			}
		}
		require.Contains(t, ids, x.ID, "%s lookup of %q (free-text match in %q)", x.Type, text, line)
	}
}

func refFormat(line []byte, ms []reference.Match) string {
	var b strings.Builder
	b.WriteString("[")
	for i, x := range ms {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s:%s@[%d,%d)%q", x.Type, x.Value, x.Start, x.End, line[x.Start:x.End])
	}
	b.WriteString("]")
	return b.String()
}

// refAll selects every pool indicator.
var refAll = func() []byte {
	b := make([]byte, len(refPool))
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func FuzzMatch(f *testing.F) {
	for _, line := range refSeedLines {
		f.Add(refAll, line)
		f.Add([]byte{0x80, 4, 3, 0, 0x80, 5, 9, 1, 0x80, 11, 0, 4, 0x80, 12, 2, 0}, line)
	}
	f.Fuzz(func(t *testing.T, sel []byte, line string) {
		if len(line) > 4096 || len(sel) > 64 {
			return
		}
		inds := refIndicators(sel, []byte(line))
		if why := refKnownBug(inds, []byte(line)); refSkipKnown && why != "" {
			t.Skip(why)
		}
		refCheck(t, inds, []byte(line))
	})
}

// refSkipKnown makes FuzzMatch skip lines that show a matcher bug already
// reported (and kept as a failing case in rules_test.go), so that a fuzzing
// session can look for new ones: IOCMATCH_FUZZ_SKIP_KNOWN=1.
var refSkipKnown = os.Getenv("IOCMATCH_FUZZ_SKIP_KNOWN") != ""

// refKnownBug names the known matcher bug inds and line may show, or "".
func refKnownBug(inds []indicator.Indicator, line []byte) string {
	keys := map[string]string{}
	for _, ind := range inds {
		if ind.Type == indicator.URL {
			k := ind.Value[strings.Index(ind.Value, "://")+3:]
			if v, ok := keys[k]; ok && v != ind.Value {
				return "two url entries with the same key (scheme ignored)"
			}
			keys[k] = ind.Value
		}
	}
	t, _ := reference.Decode(line)
	isZone := func(c byte) bool { return refIsHost(c) && c != '.' }
	for k := 1; k < len(t); k++ {
		if t[k] == '%' && refIsAddr(t[k-1]) && (k+1 == len(t) || !isZone(t[k+1])) {
			return "IPv6 address followed by a '%' that starts no zone"
		}
	}
	return ""
}

var refSeedLines = []string{
	`{"EventID":1,"Image":"C:\\Windows\\System32\\evil.exe","Hashes":"MD5=0123456789ABCDEF0123456789ABCDEF,SHA256=` + strings.Repeat("DEADBEEF", 8) + `"}`,
	`{"k":"HKEY_LOCAL_MACHINE\\Software\\Evil\\Run","u":"http:\/\/evil.com\/a\/b","x":"\tevil.com \u0065vil.com \ud83d\ude00 \ud800"}`,
	`GET http://user:pw@evil.com:80/a/b?q=1#frag. from 10.1.2.3:5555 to [2001:db8::1]:443 (fe80::1%eth0)`,
	`visit evil.com/a/b, https://EVIL.com:443/x?q=1 or ftp://1.2.3.4/f; mail bob@Evil.com, a.b+c@example.org.`,
	`1.2.3.4. 01.2.3.4 v1.2.3.4 1.2.3.4.5 256.1.2.3 ::ffff:10.1.2.3 2001:db8::1. ::1: x::1`,
	`notevil.com evil.com.au -a.evil.com- under_score.example xn--bcher-kva.example`,
	`Global\Mtx EvilBot/1.0 Invoice CMD.EXE /C whoami aaa é a.b. a.b.c evil.exe.`,
	`hklm\software\evil\x HKLM\Software\Evil; Software\Microsoft\Windows`,
	`duckdns.org a.duckdns.org co.uk shop.co.uk a.evil.co.uk x.ck a.x.ck http://a.duckdns.org/p bob@duckdns.org`,
}

// TestReferenceAgreement runs the fuzz comparison over generated lines from
// a fixed seed, so that CI checks it without -fuzz.
func TestReferenceAgreement(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, line := range refSeedLines {
		refCheck(t, refPool, []byte(line))
	}
	for n := 0; n < 600; n++ {
		line := refGenLine(r)
		sel := make([]byte, 0, 48)
		for k := r.IntN(8); k > 0; k-- {
			sel = append(sel, byte(r.IntN(len(refPool))))
		}
		for k := r.IntN(8); k > 0; k-- {
			sel = append(sel, 0x80, byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)))
		}
		inds := refIndicators(sel, []byte(line))
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if why := refKnownBug(inds, []byte(line)); refSkipKnown && why != "" {
				t.Skip(why)
			}
			refCheck(t, inds, []byte(line))
		})
	}
	// one big set (hundreds of entries, many sharing prefixes) over many
	// lines, to exercise the automaton and tables at size
	var big []indicator.Indicator
	var lines []string
	for n := 0; n < 300; n++ {
		line := refGenLine(r)
		lines = append(lines, line)
		sel := []byte{}
		for k := 0; k < 6; k++ {
			sel = append(sel, 0x80, byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)))
		}
		big = append(big, refIndicators(sel, []byte(line))...)
	}
	big = append(big, refPool...)
	for _, line := range lines {
		if refSkipKnown && refKnownBug(big, []byte(line)) != "" {
			continue
		}
		refCheck(t, big, []byte(line))
	}
}

var refFragments = []string{
	"1.2.3.4", "10.1.2.3:8080", "192.0.2.1.", "01.2.3.4", "v1.2.3.4", "1.2.3.4.5", "256.1.1.1", "10.255.0.1",
	"2001:db8::1", "[2001:db8::1]:443", "fe80::1%eth0", "::ffff:10.1.2.3", "2001:db8::1.", "::1", "2001:DB8:0:0:0:0:0:1",
	"evil.com", "A.EVIL.COM", "notevil.com", "evil.com.au", "-evil.com-", "example.org", "under_score.example",
	"http://evil.com/", "https://evil.com:443/x?q=1#f", "hxxp://evil.com/a/b", "evil.com/a/b", "evil.com:8080/p",
	"ftp://1.2.3.4/f", "http://[2001:db8::1]/x", "http://u@evil.com/", "example.org/?a=b", "http://example.org?a=b",
	"bob@evil.com", "mailto:Bob@Evil.com", "a.b+c@example.org", "..x@evil.com",
	strings.Repeat("0123456789ABCDEF", 2), strings.Repeat("a1b2c3d4e5", 4), strings.Repeat("deadbeef", 8),
	strings.Repeat("C0FFEE00", 16), "MD5=" + strings.Repeat("0123456789abcdef", 2) + ",SHA1=" + strings.Repeat("a1b2c3d4e5", 4),
	`C:\Temp\evil.exe`, "evil.exe.", "evil.exe.bak", "a.b", `HKEY_LOCAL_MACHINE\Software\Evil\Run`, `hklm\software\evil`,
	`HKCU\Run`, `Software\Microsoft`, `Global\Mtx`, "EvilBot/1.0", "Invoice", "cmd.exe /c whoami", "\u00e9", "aaa",
	"duckdns.org", "a.DuckDNS.org", "co.uk", "shop.co.uk", "a.evil.co.uk", "x.ck", "a.x.ck", "a.www.ck",
}

var refSeps = []string{
	" ", " ", "", ",", ";", "\"", "'", "(", ")", "/", "@", ":", ".", "\t", "<", ">", "=", "_", "x", "-",
	`\`, "[", "]", "?", "#", "://", "\u00e9",
}

var refEscapes = []string{`\\`, `\/`, `\t`, `\n`, `\"`, `\u0041`, `\u002e`, `\u00e9`, `\ud83d\ude00`, `\ud800`, `\x`, `\u12`}

func refGenLine(r *rand.Rand) string {
	var b strings.Builder
	json := r.IntN(3) == 0
	if json {
		b.WriteString(`{"msg":"`)
	}
	for k := 1 + r.IntN(6); k > 0; k-- {
		b.WriteString(refSeps[r.IntN(len(refSeps))])
		frag := refFragments[r.IntN(len(refFragments))]
		if json {
			frag = strings.ReplaceAll(frag, `\`, `\\`)
			if r.IntN(2) == 0 {
				frag = strings.ReplaceAll(frag, "/", `\/`)
			}
			if r.IntN(3) == 0 {
				frag = strings.Replace(frag, ".", `\u002e`, 1)
			}
		}
		b.WriteString(frag)
		if json && r.IntN(3) == 0 {
			b.WriteString(refEscapes[r.IntN(len(refEscapes))])
		}
	}
	if json {
		b.WriteString(`"}`)
	}
	return b.String()
}
