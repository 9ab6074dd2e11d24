package match

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

// streamMatcher holds an indicator of every kind the cut tests place
// across a cut.
func streamMatcher(t testing.TB, maxHit int) *Matcher {
	t.Helper()
	var inds []indicator.Indicator
	for _, v := range []struct {
		t indicator.Type
		v string
	}{
		{indicator.IPv4, "1.1.1.1"},
		{indicator.IPv6, "2001:db8::66"},
		{indicator.Domain, "evil.com"},
		{indicator.URL, "http://evil.com/a"},
		{indicator.Email, "boss@phish.example"},
		{indicator.MD5, "d41d8cd98f00b204e9800998ecf8427e"},
		{indicator.Filename, "mimikatz.exe"},
		{indicator.RegKey, `HKLM\Software\Evil`},
		{indicator.String, "cmd.exe /c whoami"},
		{indicator.String, "café au lait"},
		{indicator.UserAgent, `Evil"Bot 1.0`},
	} {
		inds = append(inds, indicator.MustNew(v.t, v.v))
	}
	m, err := Compile(inds, Options{MaxMatchesPerLine: maxHit})
	require.NoError(t, err)
	return m
}

// streamed matches line with a LineStream of the given piece size and
// forced overlap unit (0: the default), giving it parts of part bytes; it
// checks that Text gives each match's bytes.
func streamed(t testing.TB, ls *LineStream, unit int, line []byte, part int) (got []Match, truncated bool, cuts, forced int) {
	t.Helper()
	if unit > 0 {
		ls.unit = unit
	}
	check := func(from int) {
		for _, x := range got[from:] {
			if !bytes.Equal(line[x.Start:x.End], ls.Text(x)) {
				t.Fatalf("Text(%+v) = %q, want %q", x, ls.Text(x), line[x.Start:x.End])
			}
		}
	}
	for i := 0; i < len(line); i += part {
		n := len(got)
		got = ls.Append(got, line[i:min(len(line), i+part)])
		check(n)
	}
	n := len(got)
	got, truncated = ls.Finish(got)
	check(n)
	require.Equal(t, len(line), ls.Len())
	cuts, forced = ls.Cuts()
	slices.SortFunc(got, compareMatch)
	return got, truncated, cuts, forced
}

func fmtMatches(line []byte, ms []Match) string {
	var b strings.Builder
	for _, x := range ms {
		fmt.Fprintf(&b, " %v@[%d,%d)%q", x.Type, x.Start, x.End, line[x.Start:x.End])
	}
	return b.String()
}

// requireSame requires got to be the whole line's matches, want.
func requireSame(t testing.TB, line []byte, want, got []Match, what string) {
	t.Helper()
	if !slices.Equal(want, got) {
		var miss, extra []Match
		for _, x := range want {
			if !slices.Contains(got, x) {
				miss = append(miss, x)
			}
		}
		for _, x := range got {
			if !slices.Contains(want, x) {
				extra = append(extra, x)
			}
		}
		t.Fatalf("%s: missing%s\nextra%s", what, fmtMatches(line, miss), fmtMatches(line, extra))
	}
}

// cutTokens are placed at every offset around the first cut. Each is
// surrounded by filler.
var cutTokens = []string{
	"1.1.1.1", "x11.1.1.1", "11.1.1.1", "1.1.1.1.1", "[2001:db8::66]:443", "a.EVIL.com", "evil.com.au",
	"http://evil.com/a?q=1", "evil.com/a", "boss@phish.example", "d41d8cd98f00b204e9800998ecf8427e",
	`C:\x\mimikatz.exe`, `HKLM\Software\Evil\Run`, "cmd.exe /c whoami", "café au lait", `Evil"Bot 1.0`,
}

// jsonTokens are the same in a JSON string, escaped.
var jsonTokens = []string{
	`\u0031.1.1.1`, `1.1.1.\u0031`, `x1\u0031.1.1.1`, `a.\u0045VIL.com`, `\ud83d\ude00evil.com`, `\\\\\\u0065vil.com`,
	`\\\u0065vil.com`, `http:\/\/evil.com\/a`, `boss\u0040phish.example`, `C:\\x\\mimikatz.exe`,
	`HKLM\\Software\\Evil\"`, `cmd.exe \/c whoami`, `caf\u00e9 au lait`, `Evil\"Bot 1.0`, `\ud83d\ude00`,
}

// TestLineStreamCuts places each token at every offset around the first
// cut of a LineStream, in fillers of words (cuts after a space), of JSON
// string members (cuts after a quote) and of one word (forced cuts), and
// compares what the stream reports with AppendMatches on the whole line:
// a token straddling the cut, a token the cut would split (the
// "x…x11.1.1.1" that reports 1.1.1.1 when cut before "1.1.1.1"), a JSON
// escape or a surrogate pair straddling it, and a string indicator across
// it are found once, with offsets in the line, and nothing else is.
func TestLineStreamCuts(t *testing.T) {
	m := streamMatcher(t, -1)
	type fill struct {
		name, filler, head, tail string
		tokens                   []string
		unit                     int
		forced                   bool
	}
	for _, f := range []fill{
		{"words", "ab ", "", "", cutTokens, 16, false},
		{"json words", "ab ", `{"a":"`, `"}`, jsonTokens, 16, false},
		{"json members", `"k":"v",`, `{`, `"}`, jsonTokens, 16, false},
		{"one word", "x", "", " ok", cutTokens, 0, true},
		{"one word, commas", "x,", "", "", cutTokens, 0, true},
		{"json one word", "x", `{"a":"`, `"}`, jsonTokens, 0, true},
		// runs of backslashes whose parity decides whether evil.com follows
		{"json backslashes", strings.Repeat(`\\`, 1000) + `\u0065vil.com,`, `{"a":"`, `"}`, jsonTokens[:3], 0, true},
	} {
		t.Run(f.name, func(t *testing.T) {
			ls := m.NewLineStream(1)
			if f.unit > 0 {
				ls.unit = f.unit
			}
			ls.json = 0
			if f.head != "" {
				ls.json = 1
			}
			p := ls.pieceSize()
			for _, tok := range f.tokens {
				for k := p - len(tok) - 14; k <= p+14; k++ {
					var b bytes.Buffer
					b.WriteString(f.head)
					for b.Len() < k {
						b.WriteString(f.filler)
					}
					b.Truncate(k)
					b.WriteString(tok)
					for b.Len() < 2*p+p/2 {
						b.WriteString(f.filler)
					}
					b.WriteString(f.tail)
					line := b.Bytes()
					want, truncated := m.AppendMatchesTruncated(nil, line)
					require.False(t, truncated)
					for _, part := range []int{1, 7, 1000} {
						what := fmt.Sprintf("token %q at %d, parts of %d", tok, k, part)
						got, truncated, cuts, forced := streamed(t, ls, f.unit, line, part)
						require.False(t, truncated, what)
						require.Positive(t, cuts, what)
						if !f.forced {
							require.Zero(t, forced, what)
							requireSame(t, line, want, got, what)
							continue
						}
						require.Positive(t, forced, what)
						// Forced cuts: nothing that the line does not hold, and
						// all but URLs running past a cut and matches longer
						// than the documented bound.
						var short []Match
						for _, x := range want {
							if x.Type != indicator.URL && x.End-x.Start <= 254 {
								short = append(short, x)
							}
						}
						for _, x := range got {
							require.Contains(t, want, x, what)
						}
						for _, x := range short {
							require.Contains(t, got, x, what)
						}
					}
				}
			}
		})
	}
}

// TestLineStreamBackslashes: a run of 8000 backslashes ends near a
// forced cut, and the next piece begins inside it: only a piece that
// begins at an escape boundary decodes the run's last backslashes as the
// whole line does (whether "\\u0065vil.com" after it is evil.com depends
// on the run's parity).
func TestLineStreamBackslashes(t *testing.T) {
	m := streamMatcher(t, -1)
	ls := m.NewLineStream(1)
	ls.json = 1
	p := ls.pieceSize()
	for e := p - 40; e <= p+20; e++ {
		for _, n := range []int{8000, 8001} {
			line := []byte(`{"a":"` + strings.Repeat("y", e-n-6) + strings.Repeat(`\`, n) + `u0065vil.com,` + strings.Repeat("y", p) + `"}`)
			want, _ := m.AppendMatchesTruncated(nil, line)
			require.Equal(t, n%2, len(want), "run of %d", n)
			for _, part := range []int{1, 4096} {
				got, _, _, forced := streamed(t, ls, 0, line, part)
				require.Positive(t, forced)
				requireSame(t, line, want, got, fmt.Sprintf("run of %d ending at %d, parts of %d", n, e, part))
			}
		}
	}
}

// TestEscapeStart: for every offset of a text dense in escapes (pairs,
// lone surrogates, runs of backslashes, invalid escapes), escapeStart
// returns the offset itself when no escape holds it, else the start of the
// escape that does.
func TestEscapeStart(t *testing.T) {
	b := []byte(`a\\\\u0041\\\u0041\ud83d\ude00\ud83d\u0041\"x\/\q\u12\uD83D\uDE00` + strings.Repeat(`\\`, 7) + `\u00e9 \n`)
	b = bytes.ReplaceAll(b, []byte(`\\`), []byte(`\`))
	sc := getScratch()
	dec := sc.decodeJSON(b)
	in := make([]int, len(b)+1) // escape start holding offset x, or x
	for x := range in {
		in[x] = x
	}
	escapes := 0
	for d := range dec {
		start, end := sc.rawUnit(b, d)
		if end-start > 1 && in[start+1] == start+1 {
			escapes++
		}
		for x := start + 1; x < end; x++ {
			in[x] = start
		}
	}
	putScratch(sc)
	require.Greater(t, escapes, 10)
	for x := 0; x+12 <= len(b); x++ {
		require.Equal(t, in[x], escapeStart(b, x), "offset %d in %q", x, b)
	}
}

// TestLineStreamCap: the cap on matches per line holds for the whole line
// matched in pieces, and a line with exactly the cap is not truncated.
func TestLineStreamCap(t *testing.T) {
	line := []byte(strings.Repeat("evil.com ", 1000)) // 1000 matches, many pieces
	for _, c := range []struct {
		cap, n    int
		truncated bool
	}{{1000, 1000, false}, {999, 999, true}, {10, 10, true}, {-1, 1000, false}} {
		m := streamMatcher(t, c.cap)
		ls := m.NewLineStream(1)
		for _, part := range []int{1, 100, 5000} {
			got, truncated, cuts, _ := streamed(t, ls, 16, line, part)
			require.Positive(t, cuts)
			require.Equal(t, c.truncated, truncated, "cap %d", c.cap)
			require.Len(t, got, c.n, "cap %d", c.cap)
			want := m.AppendMatches(nil, line)
			for _, x := range got {
				require.Contains(t, want, x)
			}
		}
	}
	// 100 overlapping string indicators on 200 KB of 'a', a piece at a time.
	var inds []indicator.Indicator
	for i := 1; i <= 100; i++ {
		inds = append(inds, indicator.MustNew(indicator.String, strings.Repeat("a", i)))
	}
	m, err := Compile(inds, Options{MaxMatchesPerLine: 500})
	require.NoError(t, err)
	got, truncated, _, _ := streamed(t, m.NewLineStream(1), 0, bytes.Repeat([]byte("a"), 200<<10), 4096)
	require.True(t, truncated)
	require.Len(t, got, 500)
}

// FuzzLineStream repeats unit into a line some pieces long and requires a
// LineStream to report what AppendMatches reports on the whole line
// whenever no cut was forced (and offsets and texts that are the line's
// otherwise).
func FuzzLineStream(f *testing.F) {
	for _, u := range []string{
		"ab 1.1.1.1 x11.1.1.1 ", `{"a":"\u0065vil.com cmd.exe \/c whoami","b":"caf\u00e9 au lait"} `,
		`{"k":"\\\\\u0031.1.1.1","u":"http:\/\/evil.com\/a?x"}`, "boss@phish.example,d41d8cd98f00b204e9800998ecf8427e ",
		`C:\x\mimikatz.exe HKLM\Software\Evil\Run Evil"Bot 1.0 [2001:db8::66]:1 `, "xxxxxxxxxxxxxxx11.1.1.1",
	} {
		f.Add(u, uint16(1), uint8(16))
		f.Add(u, uint16(7), uint8(3))
	}
	m := streamMatcher(f, -1)
	f.Fuzz(func(t *testing.T, unit string, part uint16, fu uint8) {
		if len(unit) == 0 || len(unit) > 512 || part == 0 {
			return
		}
		ls := m.NewLineStream(1)
		ls.unit = max(2, int(fu)%64)
		ls.json = 0
		if isJSONLine([]byte(unit)) {
			ls.json = 1
		}
		n := 3 * ls.pieceSize()
		line := bytes.Repeat([]byte(unit), n/len(unit)+1)
		want, _ := m.AppendMatchesTruncated(nil, line)
		slices.SortFunc(want, compareMatch)
		got, truncated, _, forced := streamed(t, ls, ls.unit, line, int(part))
		require.False(t, truncated)
		for _, x := range got {
			require.True(t, 0 <= x.Start && x.Start <= x.End && x.End <= len(line))
		}
		if forced == 0 {
			requireSame(t, line, want, got, fmt.Sprintf("unit %q, parts of %d", unit, part))
		}
	})
}

// TestLastStop compares lastStop with the class table at every offset and
// start of texts of every byte.
func TestLastStop(t *testing.T) {
	for c := range 256 {
		for n := range 20 {
			b := bytes.Repeat([]byte("a\x80\xff"), 7)
			if n < len(b) {
				b[n] = byte(c)
			}
			for lo := range len(b) + 1 {
				want := -1
				for i := len(b) - 1; i >= lo; i-- {
					if class[b[i]]&cURLStop != 0 {
						want = i
						break
					}
				}
				require.Equal(t, want, lastStop(b, lo), "byte %#x at %d, from %d", c, n, lo)
			}
		}
	}
}
