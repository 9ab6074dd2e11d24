package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

// longFeed writes a feed directory with an indicator of the kinds the
// long-line tests place across a cut.
func longFeed(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte(
		"1.1.1.1\nevil.example\nd41d8cd98f00b204e9800998ecf8427e\nboss@phish.example\nhttp://evil.example/gate.php\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s.txt"), []byte(
		"# type: string\ncmd.exe /c whoami\ncafé au lait\n"), 0o644))
	return dir
}

// wantRecords are the records of AppendMatches on each whole line: the
// reference for what iocscan reports on long lines.
func wantRecords(t *testing.T, feed string, lines [][]byte) []record {
	t.Helper()
	inds, err := loadFeed(io.Discard, feed, loader.Options{}, true, false, nil)
	require.NoError(t, err)
	m, err := match.Compile(inds, match.Options{})
	require.NoError(t, err)
	var recs []record
	for i, line := range lines {
		for _, x := range m.AppendMatches(nil, line) {
			e := m.Entry(x.ID)
			recs = append(recs, record{File: "-", Line: i + 1, Start: x.Start, End: x.End, Type: e.Type.String(),
				Indicator: e.Value, Matched: strings.ToValidUTF8(string(line[x.Start:x.End]), "\ufffd"), Sources: e.Sources()})
		}
	}
	return sortRecords(recs)
}

func sortRecords(recs []record) []record {
	slices.SortFunc(recs, func(a, b record) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), cmp.Compare(a.Indicator, b.Indicator))
	})
	return recs
}

// smallPieces makes iocscan read 16 bytes at a time and cut lines into
// pieces of the given size, for the rest of the test.
func smallPieces(t *testing.T, piece int) {
	t.Helper()
	oldPiece, oldRead := maxPiece, readSize
	t.Cleanup(func() { maxPiece, readSize = oldPiece, oldRead })
	maxPiece, readSize = piece, 16
}

// TestLongLineCuts places tokens at every offset around the first cut of
// a long line: a token straddling the cut, a token a cut would split (in
// "x…x11.1.1.1" a cut before "1.1.1.1" reported it), a string indicator
// with a space across it, a JSON escape and a surrogate pair across it, in
// a line of words, of JSON members, and of one word with no place to cut.
// iocscan must report what AppendMatches reports on the whole line, with
// offsets in the line, and count each byte once.
func TestLongLineCuts(t *testing.T) {
	feed := longFeed(t)
	for _, c := range []struct {
		name, filler, head, tail string
		piece                    int
		tokens                   []string
	}{
		{"words", "ab ", "", "", 4096, []string{"1.1.1.1", "x11.1.1.1", "evil.example", "boss@phish.example",
			"http://evil.example/gate.php?x", "d41d8cd98f00b204e9800998ecf8427e", "cmd.exe /c whoami", "café au lait"}},
		{"one word", "x", "", " end", 4096, []string{"11.1.1.1", ",1.1.1.1,", ",a.evil.example,", "cmd.exe /c whoami"}},
		{"json", `"k":"v w",`, `{`, `"z":1}`, 32768, []string{`\u0031.1.1.1`, `x1\u0031.1.1.1`, `\ud83d\ude00evil.example`,
			`cmd.exe \/c whoami`, `caf\u00e9 au lait`, `boss\u0040phish.example`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			smallPieces(t, c.piece)
			p := c.piece
			var lines [][]byte
			var in bytes.Buffer
			for _, tok := range c.tokens {
				for k := p - len(tok) - 8; k <= p+8; k++ {
					var b bytes.Buffer
					b.WriteString(c.head)
					for b.Len() < k {
						b.WriteString(c.filler)
					}
					b.Truncate(k)
					b.WriteString(tok)
					for b.Len() < 2*p {
						b.WriteString(c.filler)
					}
					b.WriteString(c.tail)
					lines = append(lines, b.Bytes())
					in.Write(b.Bytes())
					in.WriteByte('\n')
				}
			}
			code, out, errs := runIOCScan(t, in.String(), "-feed", feed)
			require.Equal(t, 0, code, errs)
			want := wantRecords(t, feed, lines)
			require.NotEmpty(t, want)
			got := sortRecords(decode(t, out))
			assert.Equal(t, want, got)
			n := 0
			for _, l := range lines {
				n += len(l)
			}
			assert.Contains(t, errs, fmt.Sprintf("scanned %d lines (%d bytes)", len(lines), n))
			assert.Contains(t, errs, "matched in pieces")
		})
	}
}

// TestLongLineEndings: a "\r\n" split between two reads of a long line is
// the line's ending, not part of it; a '\r' at the end of the input is.
func TestLongLineEndings(t *testing.T) {
	smallPieces(t, 4096)
	feed := longFeed(t)
	for n := 40; n < 72; n++ {
		body := strings.Repeat("x", n-13) + " evil.example"
		for _, c := range []struct {
			in    string
			lines []string
		}{
			{body + "\r\n1.1.1.1\n", []string{body, "1.1.1.1"}},
			{body + "\r\r\n1.1.1.1", []string{body + "\r", "1.1.1.1"}},
			{body + "\n1.1.1.1\r\n", []string{body, "1.1.1.1"}},
			{"1.1.1.1\n" + body + "\r", []string{"1.1.1.1", body + "\r"}},
		} {
			code, out, errs := runIOCScan(t, c.in, "-feed", feed)
			require.Equal(t, 0, code, errs)
			want := wantRecords(t, feed, [][]byte{[]byte(c.lines[0]), []byte(c.lines[1])})
			assert.Equal(t, want, sortRecords(decode(t, out)), "%q", c.in)
			assert.Contains(t, errs, fmt.Sprintf("scanned 2 lines (%d bytes)", len(c.lines[0])+len(c.lines[1])), "%q", c.in)
		}
	}
}

// TestMaxMatchesPerLineFlag: -max-matches-per-line caps the matches of a
// line (short or matched in pieces), says which lines were truncated and
// counts them; 0 is no limit.
func TestMaxMatchesPerLineFlag(t *testing.T) {
	smallPieces(t, 4096)
	feed := longFeed(t)
	short := strings.Repeat("evil.example ", 10)
	long := strings.Repeat("evil.example ", 1000) // matched in pieces
	in := short + "\n" + long + "\nevil.example\n"
	for _, c := range []struct {
		flag        []string
		n, trunc    int
		stderrLines []string
	}{
		{nil, 1011, 0, nil},
		{[]string{"-max-matches-per-line", "0"}, 1011, 0, nil},
		{[]string{"-max-matches-per-line", "10"}, 21, 1, []string{"-:2: more than 10 matches"}},
		{[]string{"-max-matches-per-line", "3"}, 7, 2, []string{"-:1: more than 3 matches", "-:2: more than 3 matches"}},
	} {
		code, out, errs := runIOCScan(t, in, append([]string{"-feed", feed}, c.flag...)...)
		require.Equal(t, 0, code, errs)
		recs := decode(t, out)
		assert.Len(t, recs, c.n, "%v", c.flag)
		assert.Contains(t, errs, fmt.Sprintf("scanned 3 lines (%d bytes)", len(in)-3), "%v", c.flag)
		assert.Contains(t, errs, fmt.Sprintf(": %d matches; 1 long lines matched in pieces", c.n), "%v", c.flag)
		for _, l := range c.stderrLines {
			assert.Contains(t, errs, l, "%v", c.flag)
		}
		if c.trunc > 0 {
			assert.Contains(t, errs, fmt.Sprintf("%d lines truncated at", c.trunc), "%v", c.flag)
		} else {
			assert.NotContains(t, errs, "truncated", "%v", c.flag)
		}
	}
	code, _, errs := runIOCScan(t, in, "-feed", feed, "-max-matches-per-line", "-1")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "-max-matches-per-line -1")
}
