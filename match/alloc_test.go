package match_test

import (
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// allKinds returns a matcher holding indicators of every type.
func allKinds(t testing.TB) *match.Matcher {
	t.Helper()
	var inds []indicator.Indicator
	for _, v := range []struct {
		t indicator.Type
		v string
	}{
		{indicator.IPv4, "198.51.100.7"},
		{indicator.IPv6, "2001:db8::66"},
		{indicator.CIDR, "203.0.113.0/24"},
		{indicator.CIDR, "2001:db8:bad::/48"},
		{indicator.Domain, "evil.example"},
		{indicator.Domain, "c2.bad.test"},
		{indicator.URL, "http://phish.example/login.php"},
		{indicator.URL, "https://drop.example/a?id=7"},
		{indicator.Email, "boss@phish.example"},
		{indicator.MD5, "d41d8cd98f00b204e9800998ecf8427e"},
		{indicator.SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{indicator.SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{indicator.Filename, "mimikatz.exe"},
		{indicator.RegKey, `HKLM\Software\Evil`},
		{indicator.Mutex, "Global\\BadMutex"},
		{indicator.UserAgent, "EvilBot/1.0"},
		{indicator.EmailSubject, "Invoice overdue"},
		{indicator.String, "cmd.exe /c whoami"},
	} {
		inds = append(inds, indicator.MustNew(v.t, v.v))
	}
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	return m
}

var missLines = []string{
	"",
	`192.0.2.1 - - [10/Oct/2026:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 2326 "http://www.example.com/start.html" "Mozilla/5.0"`,
	"Oct 11 22:14:15 fw01 kernel: DROP IN=eth0 SRC=10.1.2.3 DST=192.0.2.9 LEN=60 PROTO=TCP SPT=51234 DPT=443 fe80::1%eth0 [2001:db8::1]:443",
	`{"EventID":1,"Image":"C:\\Windows\\System32\\svchost.exe","Hashes":"MD5=0123456789ABCDEF0123456789ABCDEF,SHA256=` + strings.Repeat("ab", 32) + `","User":"alice@corp.example","q":"\u00e9\t x.test"}`,
	"query: good.example IN A from 198.51.100.8#53 https://good.example:8443/path?x=1 user@good.example",
	strings.Repeat("a.b-c_d ", 500) + strings.Repeat("1.2.3.4.", 100) + strings.Repeat("http://x.y/", 50),
}

func TestAllocs(t *testing.T) { onPaths(t, testAllocs) }

func testAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	m := allKinds(t)
	for i, l := range missLines {
		line := []byte(l)
		require.Empty(t, m.AppendMatches(nil, line), "line %d should not match", i)
		allocs := testing.AllocsPerRun(100, func() { sinkMatches = m.AppendMatches(sinkMatches[:0], line) })
		require.Zero(t, allocs, "AppendMatches allocates on miss line %d", i)
		allocs = testing.AllocsPerRun(100, func() { sinkMatches, sinkBool = m.AppendMatchesTruncated(sinkMatches[:0], line) })
		require.Zero(t, allocs, "AppendMatchesTruncated allocates on miss line %d", i)
		allocs = testing.AllocsPerRun(100, func() { sinkBool = m.Contains(line) })
		require.Zero(t, allocs, "Contains allocates on miss line %d", i)
	}
	hit := []byte(`{"u":"http:\/\/phish.example\/login.php","from":"boss@phish.example","ip":"203.0.113.9","k":"HKEY_LOCAL_MACHINE\\Software\\Evil\\Run","ua":"EvilBot/1.0"}`)
	dst := make([]match.Match, 0, 64)
	require.NotEmpty(t, m.AppendMatches(dst, hit))
	allocs := testing.AllocsPerRun(100, func() { sinkMatches = m.AppendMatches(dst[:0], hit) })
	require.Zero(t, allocs, "AppendMatches allocates on a hit with room in dst")
	allocs = testing.AllocsPerRun(100, func() { sinkBool = m.Contains(hit) })
	require.Zero(t, allocs, "Contains allocates on a hit")

	ids := make([]match.ID, 0, 8)
	addr := netip.MustParseAddr("203.0.113.9")
	for name, f := range map[string]func() []match.ID{
		"AppendAddr":   func() []match.ID { return m.AppendAddr(ids[:0], addr) },
		"AppendDomain": func() []match.ID { return m.AppendDomain(ids[:0], "x.C2.bad.test") },
		"AppendURL":    func() []match.ID { return m.AppendURL(ids[:0], "https://drop.example/a?id=7") },
		"AppendHash":   func() []match.ID { return m.AppendHash(ids[:0], "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709") },
		"AppendEmail":  func() []match.ID { return m.AppendEmail(ids[:0], "Boss@Phish.example") },
		"AppendString": func() []match.ID { return m.AppendString(ids[:0], indicator.Filename, `C:\t\mimikatz.exe`) },
	} {
		require.NotEmpty(t, f(), name)
		require.Zero(t, testing.AllocsPerRun(100, func() { sinkIDs = f() }), "%s allocates on a hit with room", name)
	}
	for name, f := range map[string]func() []match.ID{
		"AppendAddr":   func() []match.ID { return m.AppendAddr(nil, netip.MustParseAddr("192.0.2.1")) },
		"AppendDomain": func() []match.ID { return m.AppendDomain(nil, "www.example.com") },
		"AppendURL":    func() []match.ID { return m.AppendURL(nil, "http://good.example/") },
		"AppendHash":   func() []match.ID { return m.AppendHash(nil, strings.Repeat("0", 64)) },
		"AppendEmail":  func() []match.ID { return m.AppendEmail(nil, "alice@corp.example") },
		"AppendString": func() []match.ID { return m.AppendString(nil, indicator.UserAgent, "Mozilla/5.0") },
	} {
		require.Empty(t, f(), name)
		require.Zero(t, testing.AllocsPerRun(100, func() { sinkIDs = f() }), "%s allocates on a miss", name)
	}
}

var (
	sinkMatches []match.Match
	sinkIDs     []match.ID
	sinkBool    bool
)

// TestConcurrent matches one Matcher from many goroutines; run it with
// -race. Every goroutine must see exactly the sequential results.
func TestConcurrent(t *testing.T) {
	m := allKinds(t)
	lines := append([]string{}, missLines...)
	lines = append(lines,
		`{"u":"http:\/\/phish.example\/login.php","ip":"203.0.113.9"}`,
		"GET https://drop.example/a?id=7 from [2001:db8:bad::1]:443 via c2.bad.test",
		`C:\Users\x\mimikatz.exe HKLM\Software\Evil EvilBot/1.0 md5=D41D8CD98F00B204E9800998ECF8427E`,
	)
	want := make([][]match.Match, len(lines))
	for i, l := range lines {
		want[i] = m.AppendMatches(nil, []byte(l))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var dst []match.Match
			for r := 0; r < 200; r++ {
				i := (g + r) % len(lines)
				dst = m.AppendMatches(dst[:0], []byte(lines[i]))
				if fmt.Sprint(dst) != fmt.Sprint(want[i]) {
					errs <- fmt.Errorf("goroutine %d line %d: got %v want %v", g, i, dst, want[i])
					return
				}
				if len(m.LookupDomain("a.evil.example")) != 1 {
					errs <- fmt.Errorf("goroutine %d: LookupDomain failed", g)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.Greater(t, len(want[len(want)-1]), 3)
}

// TestAllocsAfterGC: garbage collections empty sync.Pool; lines that need
// scratch space (JSON escapes, URL keys) still do not allocate after them.
func TestAllocsAfterGC(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	m := allKinds(t)
	for _, l := range []string{
		`{"path":"C:\\Users\\bob\\x.txt","url":"http:\/\/good.example\/a"}`,
		`GET https://drop.example/other HTTP/1.1`,
	} {
		t.Run("", func(t *testing.T) {
			line := []byte(l)
			require.Empty(t, m.AppendMatches(nil, line))
			allocs := testing.AllocsPerRun(20, func() {
				runtime.GC()
				sinkMatches = m.AppendMatches(sinkMatches[:0], line)
			})
			require.Zero(t, allocs, "AppendMatches allocates after a GC on %q", l)
		})
	}
}

// hostileSet is allKinds' set and long domains, so that long tokens of
// many labels are within the longest domain's length and walked: one of
// 60 labels, one of three 63-byte labels.
func hostileSet(t testing.TB) *match.Matcher {
	t.Helper()
	inds := []indicator.Indicator{
		indicator.MustNew(indicator.Domain, "evil.example"),
		indicator.MustNew(indicator.Domain, "c2.bad.test"),
		indicator.MustNew(indicator.URL, "http://phish.example/login.php"),
		indicator.MustNew(indicator.Email, "boss@phish.example"),
		indicator.MustNew(indicator.Filename, "mimikatz.exe"),
	}
	inds = append(inds, indicator.MustNew(indicator.Domain, deepName(0, 60)))
	long := strings.Repeat("q", 63)
	inds = append(inds, indicator.MustNew(indicator.Domain, long+"."+long+"."+long+".example"))
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	return m
}

// deepName is "l<from>.l<from+1>…l58.deep.example": a suffix of the 60-label
// indicator of hostileSet for from > 0.
func deepName(from, labels int) string {
	var b strings.Builder
	for i := from; i < labels-2; i++ {
		fmt.Fprintf(&b, "l%d.", i)
	}
	return b.String() + "deep.example"
}

// hostileTokens are names that match nothing in hostileSet and that walk
// many suffixes: many labels (below the deep indicator's parents, or
// not), long labels, many empty labels, long tokens.
var hostileTokens = []string{
	"x." + deepName(1, 60), // every parent of the deep entry, no entry
	"X.Y." + strings.ToUpper(deepName(3, 60)),
	strings.Repeat("a.", 100) + "evil.exampl",
	strings.Repeat("a.", 120) + "example",
	strings.Repeat("ab.", 80) + "c2.bad.tes",
	strings.Repeat("x", 63) + "." + strings.Repeat("q", 63) + "." + strings.Repeat("q", 63) + ".example",
	"a" + strings.Repeat(".", 200) + "deep.example",
	strings.Repeat("l1.", 30) + "l2.l3.deep.example",
	strings.Repeat("a-b_c", 400) + ".example",
}

// TestAllocsHostile: no allocation on tokens of hostile shapes either,
// in free text and in AppendDomain.
func TestAllocsHostile(t *testing.T) { onPaths(t, testAllocsHostile) }

func testAllocsHostile(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	m := hostileSet(t)
	var lines []string
	for _, tok := range hostileTokens {
		lines = append(lines, "q "+tok+" ", "GET http://"+tok+"/x?"+tok, "{\"q\":\""+tok+"\\t\"}")
	}
	lines = append(lines, strings.Join(hostileTokens, " "), strings.Repeat(hostileTokens[0]+" ", 20))
	for _, l := range lines {
		line := []byte(l)
		require.Empty(t, m.AppendMatches(nil, line), "%.80q should not match", l)
		require.Zero(t, testing.AllocsPerRun(50, func() { sinkMatches = m.AppendMatches(sinkMatches[:0], line) }),
			"AppendMatches allocates on %.80q", l)
		require.Zero(t, testing.AllocsPerRun(50, func() { sinkBool = m.Contains(line) }), "Contains allocates on %.80q", l)
	}
	for _, tok := range hostileTokens {
		require.Empty(t, m.LookupDomain(tok), tok)
		require.Zero(t, testing.AllocsPerRun(50, func() { sinkIDs = m.AppendDomain(nil, tok) }), "AppendDomain allocates on %.80q", tok)
	}
}

// TestJSONEscapeAllocBound: the bytes a JSON line's decoding allocates are
// bounded by a small constant times the line, however many escapes it
// holds (they were 16 bytes of offset record per escape, grown by append:
// 45 times the line for "\n" repeated). 4 MB lines of escapes of each
// size, on a matcher they do not match.
func TestJSONEscapeAllocBound(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation figures are not meaningful under the race detector")
	}
	m := allKinds(t)
	const size = 4 << 20
	for _, esc := range []string{`\n`, `\u00e9`, `\ud83d\ude00`, `\n\u0041`, `\x`} {
		line := []byte(`{"a":"` + strings.Repeat(esc, size/len(esc)) + `"}`)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		sinkMatches = m.AppendMatches(sinkMatches[:0], line)
		runtime.ReadMemStats(&after)
		require.Empty(t, sinkMatches, "%s line", esc)
		alloc := after.TotalAlloc - before.TotalAlloc
		require.LessOrEqual(t, alloc, uint64(2*len(line)), "AppendMatches allocates %d bytes for a %d-byte line of %s", alloc, len(line), esc)
	}
}
