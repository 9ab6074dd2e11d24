package loader

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
)

// strs returns the indicators as "type:value".
func strs(inds []indicator.Indicator) []string {
	out := make([]string, len(inds))
	for i, ind := range inds {
		out[i] = ind.String()
	}
	return out
}

// problemStrs returns the problems' texts.
func problemStrs(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Error()
	}
	return out
}

const cannotInfer = "cannot infer the indicator type (not an address, CIDR, domain with a known TLD, URL, email or hash)"

func TestReadList(t *testing.T) {
	const path = "feeds/c2-feed.txt"
	tests := []struct {
		name     string
		in       string
		opts     Options
		want     []string // "type:value"
		problems []string // Problem.Error()
		skipped  map[string]int
		dups     int // Result.Duplicates
	}{
		{
			name: "empty",
			in:   "",
		},
		{
			name: "comments and blank lines",
			in:   "# a comment\n\n   \n\t\n  # indented comment\n#\nevil.example\n# the end",
			want: []string{"domain:evil.example"},
		},
		{
			name: "inferred types",
			in: "evil.example\n198.51.100.7\n2001:DB8::1\n203.0.113.0/24\n" +
				"https://Evil.Example:443/a?b=1#frag\nBilling@Evil.Example\n" +
				"D41D8CD98F00B204E9800998ECF8427E\n",
			want: []string{
				"domain:evil.example", "ipv4:198.51.100.7", "ipv6:2001:db8::1", "cidr:203.0.113.0/24",
				"url:https://evil.example/a?b=1", "email:billing@evil.example",
				"md5:d41d8cd98f00b204e9800998ecf8427e",
			},
		},
		{
			name: "canonical forms",
			in:   "Invoice-Download.EXAMPLE.\n*.tracker.example\nevil.example:8443\n10.1.2.3/8\n192.0.2.1/32\n::ffff:192.0.2.200\nevil.example/gate.php?id=1\n",
			want: []string{
				"domain:invoice-download.example", "domain:tracker.example", "domain:evil.example",
				"cidr:10.0.0.0/8", "ipv4:192.0.2.1", "ipv4:192.0.2.200", "url:http://evil.example/gate.php?id=1",
			},
		},
		{
			name: "defanged",
			in:   "evil[.]example\nhxxps://login[.]evil(.)example/owa\nhxxp[://]203.0.113[.]5/x\nadmin[at]evil[dot]example\n198.51.100[.]9\n",
			want: []string{
				"domain:evil.example", "url:https://login.evil.example/owa", "url:http://203.0.113.5/x",
				"email:admin@evil.example", "ipv4:198.51.100.9",
			},
		},
		{
			name: "white space and inline comments",
			in:   "  evil.example   \t\nbad.example # C2, seen 2024-05\n198.51.100.7\t# scanner\n\t203.0.113.8 \n",
			want: []string{"domain:evil.example", "domain:bad.example", "ipv4:198.51.100.7", "ipv4:203.0.113.8"},
		},
		{
			name: "a '#' inside a value is not a comment",
			in:   "https://evil.example/a#frag\nevil.example#x\n",
			want: []string{"url:https://evil.example/a"},
			problems: []string{
				`feeds/c2-feed.txt:2: indicator: "evil.example#x": ` + cannotInfer,
			},
			skipped: map[string]int{ReasonCannotInfer: 1},
		},
		{
			name: "ipsum fields",
			in:   "# IP\tcount\n198.51.100.7\t12\n203.0.113.9\t3\n192.0.2.4 1 extra fields\n",
			want: []string{"ipv4:198.51.100.7", "ipv4:203.0.113.9", "ipv4:192.0.2.4"},
		},
		{
			name: "BOM",
			in:   "\ufeffevil.example\n",
			want: []string{"domain:evil.example"},
		},
		{
			name: "BOM only at the start",
			in:   "\ufeff\ufeff# type: string\n# type: string\n\ufeffX\n",
			want: []string{"string:\ufeffX"},
			problems: []string{
				`feeds/c2-feed.txt:1: indicator: "\ufeff#": ` + cannotInfer,
			},
			skipped: map[string]int{ReasonCannotInfer: 1},
		},
		{
			name: "BOM before a header",
			in:   "\ufeff# type: mutex\nGlobal\\Evil\n",
			want: []string{`mutex:Global\Evil`},
		},
		{
			name: "CRLF",
			in:   "evil.example\r\n# type: mutex\r\nGlobal\\Evil \r\n\r\nLocal\\X\r",
			want: []string{"domain:evil.example", `mutex:Global\Evil `, `mutex:Local\X`},
		},
		{
			name: "a CR inside a line is kept",
			in:   "# type: string\na\rb\r\r\n",
			want: []string{"string:a\rb\r"},
		},
		{
			name: "no final newline",
			in:   "evil.example\nbad.example",
			want: []string{"domain:evil.example", "domain:bad.example"},
		},
		{
			name: "type header",
			in:   "# type: domain\nevil.example\n198.51.100.7\n",
			want: []string{"domain:evil.example", "ipv4:198.51.100.7"},
		},
		{
			name: "type header spellings",
			in: "#type:md5\nD41D8CD98F00B204E9800998ECF8427E\n" +
				"  #  TYPE :  Hostname  \nEvil.Example\n" +
				"# Type: Intel::ADDR # Zeek name\n198.51.100.7\n" +
				"# type: email-src\nx@evil.example\n",
			want: []string{"md5:d41d8cd98f00b204e9800998ecf8427e", "domain:evil.example", "ipv4:198.51.100.7", "email:x@evil.example"},
		},
		{
			name: "not type headers",
			in:   "# types: mutex\n# type of feed: mutex\n# typewriter: mutex\n#  the type: mutex\nevil.example\n",
			want: []string{"domain:evil.example"},
		},
		{
			name: "type header refangs and takes the first field",
			in:   "# type: url\nhxxp://evil[.]example/gate.php extra\n# type: domain\nevil[.]example # c2\n",
			want: []string{"url:http://evil.example/gate.php", "domain:evil.example"},
		},
		{
			name: "type header switches type",
			in:   "evil.example\n# type: mutex\nevil.example\n# type: filename\nevil.example\n# type: domain\nevil.example\n",
			want: []string{"domain:evil.example", "mutex:evil.example", "filename:evil.example"},
			dups: 1, // the domain again
		},
		{
			name: "value of the wrong type",
			in:   "# type: sha256\nd41d8cd98f00b204e9800998ecf8427e\n# type: ipv4\nevil.example\n# type: email\nevil.example\n",
			problems: []string{
				`feeds/c2-feed.txt:2: indicator: invalid sha256 "d41d8cd98f00b204e9800998ecf8427e": want 64 hex digits, have 32 characters`,
				`feeds/c2-feed.txt:4: indicator: invalid ipv4 "evil.example": not an IP address`,
				`feeds/c2-feed.txt:6: indicator: invalid email "evil.example": not local@domain`,
			},
			skipped: map[string]int{ReasonInvalidValue: 3},
		},
		{
			name: "string kinds are taken as given",
			in: "# type: string\n  powershell -nop -enc  \nevil[.]example # not a comment\n   \t\n  # a comment\n" +
				"# type: useragent\nMozilla/4.0 (compatible; MSIE 6.0) #1\n" +
				"# type: filename\nUpdate Installer.msi\n" +
				"# type: email-subject\nRe: Invoice #4411 overdue\n",
			want: []string{
				"string:  powershell -nop -enc  ", "string:evil[.]example # not a comment",
				"useragent:Mozilla/4.0 (compatible; MSIE 6.0) #1", "filename:Update Installer.msi",
				"email-subject:Re: Invoice #4411 overdue",
			},
		},
		{
			name: "regkey",
			in:   "# type: regkey\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Run\\x\nhkcu\\Software\\y\nHKEY_CLASSES_ROOT\\CLSID\nSOFTWARE\\z\n",
			want: []string{`regkey:HKLM\SOFTWARE\Run\x`, `regkey:HKCU\Software\y`, `regkey:HKCR\CLSID`, `regkey:SOFTWARE\z`},
		},
		{
			name: "bad type header",
			in:   "evil.example\n# type: mutexx\nGlobal\\A\n\n# a comment\nGlobal\\B\n# type: mutex\nGlobal\\C\n# type:\nD\n",
			want: []string{"domain:evil.example", `mutex:Global\C`},
			problems: []string{
				`feeds/c2-feed.txt:2: type header: indicator: unknown type "mutexx"`,
				`feeds/c2-feed.txt:3: value skipped: the type header at line 2 names no known type`,
				`feeds/c2-feed.txt:6: value skipped: the type header at line 2 names no known type`,
				`feeds/c2-feed.txt:9: type header: indicator: unknown type ""`,
				`feeds/c2-feed.txt:10: value skipped: the type header at line 9 names no known type`,
			},
			skipped: map[string]int{ReasonBadHeader: 5},
		},
		{
			name: "cannot infer",
			in:   "C:\\Windows\\evil.dll\nGlobal\\Mutex\nmail..evil.example\n300.1.2.3\nbroken@\n",
			problems: []string{
				`feeds/c2-feed.txt:1: indicator: "C:\\Windows\\evil.dll": ` + cannotInfer,
				`feeds/c2-feed.txt:2: indicator: "Global\\Mutex": ` + cannotInfer,
				`feeds/c2-feed.txt:3: indicator: "mail..evil.example": ` + cannotInfer,
				`feeds/c2-feed.txt:4: indicator: "300.1.2.3": ` + cannotInfer,
				`feeds/c2-feed.txt:5: indicator: "broken@": ` + cannotInfer,
			},
			skipped: map[string]int{ReasonCannotInfer: 5},
		},
		{
			name: "invalid inferred value",
			in:   "http://evil..example/x\nevil.example\n",
			want: []string{"domain:evil.example"},
			problems: []string{
				`feeds/c2-feed.txt:1: indicator: invalid url "http://evil..example/x": not a URL with a valid host (and port)`,
			},
			skipped: map[string]int{ReasonInvalidValue: 1},
		},
		{
			name: "NULs and invalid UTF-8",
			in:   "evil.example\x00\n\xff\xfe\n\x00\n# type: mutex\nab\x00cd\n\xff\xfeX\n# type: domain\nevil\x00.example\n",
			want: []string{"mutex:ab\x00cd", "mutex:\xff\xfeX"},
			problems: []string{
				`feeds/c2-feed.txt:1: indicator: "evil.example\x00": ` + cannotInfer,
				`feeds/c2-feed.txt:2: indicator: "\xff\xfe": ` + cannotInfer,
				`feeds/c2-feed.txt:3: indicator: "\x00": ` + cannotInfer,
				`feeds/c2-feed.txt:8: indicator: invalid domain "evil\x00.example": not a domain name (labels of [a-z0-9_-], at least two, not all-numeric at the end)`,
			},
			skipped: map[string]int{ReasonCannotInfer: 3, ReasonInvalidValue: 1},
		},
		{
			name: "line too long",
			in:   "abcdefgh.example\n" + strings.Repeat("x", 100) + ".example\nabcdefgh.example\r\n1234567890.example\nok.example\n# " + strings.Repeat("c", 20) + "\n",
			opts: Options{MaxLineLen: 16},
			want: []string{"domain:abcdefgh.example", "domain:ok.example"},
			dups: 1,
			problems: []string{
				"feeds/c2-feed.txt:2: line longer than 16 bytes",
				"feeds/c2-feed.txt:4: line longer than 16 bytes",
				"feeds/c2-feed.txt:6: line longer than 16 bytes",
			},
			skipped: map[string]int{ReasonLineTooLong: 3},
		},
		{
			name: "line too long, longer than the read buffer",
			in:   strings.Repeat("y", 3*lineReaderBufSize+7) + "\nevil.example\n" + strings.Repeat("z", 2000),
			opts: Options{MaxLineLen: 1000},
			want: []string{"domain:evil.example"},
			problems: []string{
				"feeds/c2-feed.txt:1: line longer than 1000 bytes",
				"feeds/c2-feed.txt:3: line longer than 1000 bytes",
			},
			skipped: map[string]int{ReasonLineTooLong: 2},
		},
		{
			name: "value longer than indicator.MaxValueLen",
			in:   "# type: string\n" + strings.Repeat("s", indicator.MaxValueLen+1) + "\n" + strings.Repeat("s", indicator.MaxValueLen) + "\n",
			want: []string{"string:" + strings.Repeat("s", indicator.MaxValueLen)},
			problems: []string{
				fmt.Sprintf("feeds/c2-feed.txt:2: indicator: invalid string %q: longer than 8192 bytes", strings.Repeat("s", indicator.MaxValueLen+1)),
			},
			skipped: map[string]int{ReasonInvalidValue: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ReadList(strings.NewReader(tt.in), path, tt.opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, nilIfEmpty(strs(res.Indicators)))
			assert.Equal(t, tt.problems, nilIfEmpty(problemStrs(res.Problems)))
			assert.Equal(t, tt.skipped, res.Skipped)
			assert.Equal(t, len(tt.problems), res.SkippedTotal())
			assert.Equal(t, tt.dups, res.Duplicates, "duplicates")
			assert.Equal(t, tt.dups, res.PerFile[0].Duplicates, "duplicates of the file")
			assert.Equal(t, 1, res.Files)
			for _, ind := range res.Indicators {
				assert.Equal(t, "c2-feed", ind.Source)
				assert.Empty(t, ind.ID)
			}
			for _, p := range res.Problems {
				assert.Equal(t, path, p.Path)
				assert.Contains(t, tt.skipped, p.Reason)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestReadListMeta(t *testing.T) {
	res, err := ReadList(strings.NewReader("evil.example\n# type: mutex\nX\n"), "feeds/c2-feed.txt", Options{Source: "abuse.ch"})
	require.NoError(t, err)
	want := []indicator.Indicator{
		{Type: indicator.Domain, Value: "evil.example", Meta: indicator.Meta{File: "feeds/c2-feed.txt", Source: "abuse.ch"}},
		{Type: indicator.Mutex, Value: "X", Meta: indicator.Meta{File: "feeds/c2-feed.txt", Source: "abuse.ch"}},
	}
	assert.Equal(t, want, res.Indicators)

	res, err = ReadList(strings.NewReader("evil.example\n"), "", Options{})
	require.NoError(t, err)
	assert.Equal(t, "", res.Indicators[0].Source)
}

func TestReadListReasonPerLine(t *testing.T) {
	in := "good.example\nmail..evil.example\n# type: md5\nabc\n# type: nope\nx\n" + strings.Repeat("a", 40) + "\n"
	res, err := ReadList(strings.NewReader(in), "l.txt", Options{MaxLineLen: 32})
	require.NoError(t, err)
	want := []Problem{
		{Path: "l.txt", Line: 2, Reason: ReasonCannotInfer, Msg: `indicator: "mail..evil.example": ` + cannotInfer},
		{Path: "l.txt", Line: 4, Reason: ReasonInvalidValue, Msg: `indicator: invalid md5 "abc": want 32 hex digits, have 3 characters`},
		{Path: "l.txt", Line: 5, Reason: ReasonBadHeader, Msg: `type header: indicator: unknown type "nope"`},
		{Path: "l.txt", Line: 6, Reason: ReasonBadHeader, Msg: `value skipped: the type header at line 5 names no known type`},
		{Path: "l.txt", Line: 7, Reason: ReasonLineTooLong, Msg: `line longer than 32 bytes`},
	}
	assert.Equal(t, want, res.Problems)
	assert.Equal(t, map[string]int{ReasonCannotInfer: 1, ReasonInvalidValue: 1, ReasonBadHeader: 2, ReasonLineTooLong: 1}, res.Skipped)
}

func TestReadListStrict(t *testing.T) {
	in := "evil.example\n# comment\n198.51.100.7\nmail..evil.example\nbad.example\nnot valid\n"
	res, err := ReadList(strings.NewReader(in), "feeds/c2.txt", Options{Strict: true})
	require.Error(t, err)
	var p *Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, &Problem{Path: "feeds/c2.txt", Line: 4, Reason: ReasonCannotInfer,
		Msg: `indicator: "mail..evil.example": ` + cannotInfer}, p)
	assert.Equal(t, `feeds/c2.txt:4: indicator: "mail..evil.example": `+cannotInfer, err.Error())
	// what was read before the bad line is returned
	assert.Equal(t, []string{"domain:evil.example", "ipv4:198.51.100.7"}, strs(res.Indicators))
	assert.Equal(t, []Problem{*p}, res.Problems)

	for _, tt := range []struct {
		name, in string
		opts     Options
		want     string
	}{
		{"invalid value", "# type: md5\nabc\n", Options{}, `x.txt:2: indicator: invalid md5 "abc": want 32 hex digits, have 3 characters`},
		{"bad header", "ok.example\n# type: nope\n", Options{}, `x.txt:2: type header: indicator: unknown type "nope"`},
		{"line too long", "ok.example\n" + strings.Repeat("a", 13) + "\n", Options{MaxLineLen: 12}, `x.txt:2: line longer than 12 bytes`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Strict = true
			_, err := ReadList(strings.NewReader(tt.in), "x.txt", tt.opts)
			var p *Problem
			require.ErrorAs(t, err, &p)
			assert.EqualError(t, err, tt.want)
		})
	}

	// a good list gives no error in strict mode
	res, err = ReadList(strings.NewReader("evil.example\n# type: mutex\nX\n"), "x.txt", Options{Strict: true})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, 2)
}

func TestReadListProblemCap(t *testing.T) {
	var b strings.Builder
	for i := range MaxProblems + 500 {
		fmt.Fprintf(&b, "bad..%d.example\ngood%d.example\n", i, i)
	}
	res, err := ReadList(strings.NewReader(b.String()), "many.txt", Options{})
	require.NoError(t, err)
	assert.Len(t, res.Indicators, MaxProblems+500)
	assert.Len(t, res.Problems, MaxProblems)
	assert.Equal(t, map[string]int{ReasonCannotInfer: MaxProblems + 500}, res.Skipped)
	assert.Equal(t, MaxProblems+500, res.SkippedTotal())
	assert.Equal(t, 2*MaxProblems-1, res.Problems[MaxProblems-1].Line)
}

func TestReadListReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("evil.example\nbad.exa"), iotest.ErrReader(boom))
	res, err := ReadList(r, "feeds/c2.txt", Options{})
	require.ErrorIs(t, err, boom)
	assert.EqualError(t, err, `loader: "feeds/c2.txt": boom`)
	assert.Equal(t, []string{"domain:evil.example"}, strs(res.Indicators))

	// readers that return little at a time, or data with io.EOF, are fine
	in := "\ufeffevil.example\r\n# type: mutex\r\nGlobal\\A\r\n"
	for _, r := range []io.Reader{iotest.OneByteReader(strings.NewReader(in)), iotest.DataErrReader(strings.NewReader(in))} {
		res, err := ReadList(r, "x.txt", Options{})
		require.NoError(t, err)
		assert.Equal(t, []string{"domain:evil.example", `mutex:Global\A`}, strs(res.Indicators))
	}
}

func TestReadListDefaultMaxLineLen(t *testing.T) {
	in := "a.example\n# " + strings.Repeat("c", DefaultMaxLineLen-2) + "\n# " + strings.Repeat("c", DefaultMaxLineLen-1) + "\nb.example\n"
	res, err := ReadList(strings.NewReader(in), "x.txt", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"domain:a.example", "domain:b.example"}, strs(res.Indicators))
	assert.Equal(t, []string{"x.txt:3: line longer than 1048576 bytes"}, problemStrs(res.Problems))
}

func TestLineReaderMemory(t *testing.T) {
	// A long line is not held in memory: the buffer stays near the maximum.
	const maxLen = 100
	in := io.MultiReader(strings.NewReader("ab\n"), strings.NewReader(strings.Repeat("x", 10<<20)), strings.NewReader("\ncd"))
	lr := newLineReader(in, maxLen)
	var got []string
	for {
		b, tooLong, err := lr.next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if tooLong {
			got = append(got, fmt.Sprintf("%d: too long", lr.line))
		} else {
			got = append(got, fmt.Sprintf("%d: %s", lr.line, b))
		}
		assert.LessOrEqual(t, cap(lr.buf), 4*maxLen)
	}
	assert.Equal(t, []string{"1: ab", "2: too long", "3: cd"}, got)
}

func TestProblemError(t *testing.T) {
	assert.Equal(t, "a.txt:3: bad", (&Problem{Path: "a.txt", Line: 3, Msg: "bad"}).Error())
	assert.Equal(t, "a.txt: bad", (&Problem{Path: "a.txt", Msg: "bad"}).Error())
	assert.Equal(t, "a.txt:3: bad", fmt.Sprint(Problem{Path: "a.txt", Line: 3, Msg: "bad"}))
}

func TestReadListHosts(t *testing.T) {
	in := "127.0.0.1 localhost\n0.0.0.0 evil.example www.evil.example # C2\n0.0.0.0\n:: bad..example\n0.0.0.0\tdl.bad.example\n198.51.100.7 evil.example\n"
	res, err := ReadList(strings.NewReader(in), "hosts", Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"domain:evil.example", "domain:www.evil.example", // the sink address is not an indicator
		"ipv4:0.0.0.0", // alone on its line, it is the value
		"domain:dl.bad.example",
		"ipv4:198.51.100.7", // not a sink: the first field, as ever
	}, strs(res.Indicators))
	assert.Equal(t, map[string]int{"list: hosts entry without a dot": 1}, res.Unsupported)
	require.Len(t, res.Problems, 1)
	assert.Equal(t, 4, res.Problems[0].Line)
}

// FuzzSpace: firstField and trimLeftSpace, quick on ASCII, are what
// strings.IndexFunc and strings.TrimLeftFunc with unicode.IsSpace give.
func FuzzSpace(f *testing.F) {
	for _, s := range []string{"", " a", "evil.example  # c", "a\tb", "\u00a0x y", "x\u0085y", "x\u2003y", "\xffa b", "\v\f\r x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := s
		if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
			want = s[:i]
		}
		if got := firstField(s); got != want {
			t.Fatalf("firstField(%q) = %q, want %q", s, got, want)
		}
		if got, want := trimLeftSpace(s), strings.TrimLeftFunc(s, unicode.IsSpace); got != want {
			t.Fatalf("trimLeftSpace(%q) = %q, want %q", s, got, want)
		}
	})
}
