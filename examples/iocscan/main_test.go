package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	lists = "../../testdata/lists"
	logs  = "../../testdata/logs"
)

func runIOCScan(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

type record struct {
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Start     int      `json:"start"`
	End       int      `json:"end"`
	Type      string   `json:"type"`
	Indicator string   `json:"indicator"`
	Matched   string   `json:"matched"`
	Sources   []string `json:"sources"`
	Retro     bool     `json:"retro"`
}

func decode(t *testing.T, s string) []record {
	t.Helper()
	var recs []record
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if l == "" {
			continue
		}
		var r record
		require.NoError(t, json.Unmarshal([]byte(l), &r), "line %q", l)
		recs = append(recs, r)
	}
	return recs
}

// TestGolden scans the project's sample logs with its sample lists: the
// expected output was checked by hand, match by match (see
// testdata/iocscan/README.md), and every record must also be consistent with
// the log line it names.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(logs, "*.log"))
	require.NoError(t, err)
	jsonl, _ := filepath.Glob(filepath.Join(logs, "*.jsonl"))
	files = append(files, jsonl...)
	require.NotEmpty(t, files)
	code, out, errs := runIOCScan(t, "", append([]string{"-q", "-reserved=false", "-feed", lists}, files...)...) // 10.0.0.0/8 is in the lists (TestAllowFlags: suppressed by default)
	require.Equal(t, 0, code, errs)
	got := decode(t, out)
	for i := range got {
		// the matched text is the line's bytes at [start, end)
		data, err := os.ReadFile(got[i].File)
		require.NoError(t, err)
		line := strings.Split(string(data), "\n")[got[i].Line-1]
		assert.Equal(t, line[got[i].Start:got[i].End], got[i].Matched, "%+v", got[i])
		got[i].File = filepath.Base(got[i].File)
	}
	want, err := os.ReadFile("../../testdata/iocscan/expected.jsonl")
	require.NoError(t, err)
	assert.Equal(t, decode(t, string(want)), got)

	// offset is the byte offset of the line in its file, and the whole
	// output (offsets and all) is expected.jsonl's
	var n int
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var r struct {
			File   string
			Line   int
			Offset *int
		}
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		data, err := os.ReadFile(r.File)
		require.NoError(t, err)
		require.NotNil(t, r.Offset, l)
		lines := strings.Split(string(data), "\n")
		assert.Equal(t, len(strings.Join(lines[:r.Line-1], "\n"))+min(r.Line-1, 1), *r.Offset, l)
		assert.True(t, strings.HasPrefix(string(data[*r.Offset:]), lines[r.Line-1]), l)
		n++
	}
	assert.Equal(t, strings.Count(string(want), "\n"), n)
	// the logs by their base name, the feeds' files from the repository's root
	norm := strings.ReplaceAll(out, `"file":"`+logs+"/", `"file":"`)
	norm = strings.ReplaceAll(norm, `"file":"`+lists+"/", `"file":"testdata/lists/`)
	assert.Equal(t, string(want), norm)
}

func TestStdinAndSources(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "feedA.txt")
	b := filepath.Join(dir, "feedB.txt")
	require.NoError(t, os.WriteFile(a, []byte("evil.com\n"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("# a second feed\nEVIL.com.\n198.51.100.0/24\n"), 0o644))
	code, out, errs := runIOCScan(t, "ok line\nGET http://a.EVIL.com/x from 198.51.100.7\n", "-feed", a, "-feed", b)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, []record{
		{File: "-", Line: 2, Start: 11, End: 21, Type: "domain", Indicator: "evil.com", Matched: "a.EVIL.com", Sources: []string{"feedA", "feedB"}},
		{File: "-", Line: 2, Start: 29, End: 41, Type: "cidr", Indicator: "198.51.100.0/24", Matched: "198.51.100.7", Sources: []string{"feedB"}},
	}, decode(t, out))
	assert.Contains(t, errs, "2 matches")
	assert.Contains(t, errs, "scanned 2 lines")

	// -q silences the summary
	code, out2, errs := runIOCScan(t, "a.evil.com\n", "-q", "-feed", a)
	require.Equal(t, 0, code)
	assert.Len(t, decode(t, out2), 1)
	assert.Empty(t, errs)
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	require.NoError(t, os.WriteFile(empty, []byte("# nothing\nnot-a-valid-ioc\n"), 0o644))
	good := filepath.Join(dir, "good.txt")
	require.NoError(t, os.WriteFile(good, []byte("evil.com\n"), 0o644))

	code, _, errs := runIOCScan(t, "")
	assert.Equal(t, 2, code, "no -feed")
	assert.Contains(t, errs, "-feed")

	code, _, _ = runIOCScan(t, "", "-nosuchflag")
	assert.Equal(t, 2, code)

	code, _, errs = runIOCScan(t, "", "-feed", filepath.Join(dir, "missing.txt"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "missing.txt")

	code, _, errs = runIOCScan(t, "", "-feed", empty)
	assert.Equal(t, 2, code, "no feed gave an indicator")
	assert.Contains(t, errs, "no feed gave a valid indicator")
	assert.Contains(t, errs, "empty.txt:2:", "the bad record is reported with file and line")

	code, _, errs = runIOCScan(t, "", "-feed", good, filepath.Join(dir, "nolog.txt"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "nolog.txt")

	code, out, _ := runIOCScan(t, "nothing here\n", "-feed", good)
	assert.Equal(t, 1, code, "a scan without matches exits 1, as grep")
	assert.Empty(t, out)

	code, _, errs = runIOCScan(t, "", "-strict", "-feed", empty)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "empty.txt:2:")
}

// TestHostileInput feeds long lines, NULs, invalid UTF-8 and a last line
// without newline.
func TestHostileInput(t *testing.T) {
	defer func(n int) { maxPiece = n }(maxPiece)
	maxPiece = 1 << 16 // make "long" cheap to test
	dir := t.TempDir()
	feed := filepath.Join(dir, "f.txt")
	require.NoError(t, os.WriteFile(feed, []byte("evil.com\n"), 0o644))
	strs := filepath.Join(dir, "s.txt")
	// (no NUL in the feed: a feed file with one in its first 8 KiB is a
	// binary file, not read; see TestEmptyFeed)
	require.NoError(t, os.WriteFile(strs, []byte("# type: string\n\xffbad\n"), 0o644))

	var in bytes.Buffer
	in.WriteString("\x00\xff\xfe evil.com \x00\n")                  // line 1
	in.WriteString(strings.Repeat("a", 3<<20) + " evil.com\n")      // line 2: 3 MiB, in pieces
	in.WriteString(strings.Repeat("\xc3", 1000) + "x.evil.com\r\n") // line 3: invalid UTF-8, CRLF
	in.WriteString("last evil.com\n")                               // line 4
	in.WriteString("\xfe\xffBAD\x00\xff")                           // line 5: no newline
	code, out, errs := runIOCScan(t, in.String(), "-feed", feed, "-feed", strs)
	require.Equal(t, 0, code, errs)
	recs := decode(t, out)
	require.Len(t, recs, 5)
	assert.Equal(t, record{File: "-", Line: 1, Start: 4, End: 12, Type: "domain", Indicator: "evil.com", Matched: "evil.com", Sources: []string{"f"}}, recs[0])
	assert.Equal(t, 2, recs[1].Line)
	assert.Equal(t, 3<<20+1, recs[1].Start)
	assert.Equal(t, 3, recs[2].Line)
	assert.Equal(t, 1000, recs[2].Start)
	assert.Equal(t, "x.evil.com", recs[2].Matched)
	assert.Equal(t, record{File: "-", Line: 4, Start: 5, End: 13, Type: "domain", Indicator: "evil.com", Matched: "evil.com", Sources: []string{"f"}}, recs[3])
	assert.Equal(t, record{File: "-", Line: 5, Start: 1, End: 5, Type: "string", Indicator: "\ufffdbad", Matched: "\ufffdBAD", Sources: []string{"s"}}, recs[4],
		"invalid UTF-8 is replaced in the JSON output, never passed through")
	assert.Contains(t, errs, "matched in pieces")
	assert.Contains(t, errs, "scanned 5 lines")
}

func TestFeedCounts(t *testing.T) {
	code, _, stderr := runIOCScan(t, "", "-v", "-feed", lists, "-feed", filepath.Join(lists, "hashes.txt"))
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "iocscan: feed "+lists+": 71 indicators from 10 files; 0 duplicates merged; 5 records skipped (cannot infer type: 4, invalid value: 1); 0 unsupported\n")
	assert.Contains(t, stderr, "iocscan:   "+filepath.Join(lists, "hashes.txt")+" (list): 7 indicators, 0 duplicates, 1 skipped, 0 unsupported\n")
	assert.Contains(t, stderr, "iocscan: feed "+filepath.Join(lists, "hashes.txt")+": 7 indicators from 1 files; 0 duplicates merged; 1 records skipped (cannot infer type: 1); 0 unsupported\n")

	// without -v, no per-file lines
	code, _, stderr = runIOCScan(t, "", "-feed", lists)
	require.Equal(t, 1, code, stderr)
	assert.NotContains(t, stderr, "(list):")
	// identical records are merged and counted
	dups := filepath.Join(t.TempDir(), "dups.txt")
	require.NoError(t, os.WriteFile(dups, []byte("evil.example\nevil.example\nEVIL.example.\n"), 0o644))
	code, _, stderr = runIOCScan(t, "", "-feed", dups)
	require.Equal(t, 1, code, stderr)
	assert.Contains(t, stderr, "iocscan: feed "+dups+": 1 indicators from 1 files; 2 duplicates merged; 0 records skipped; 0 unsupported\n")
}

// TestEmptyFeed: a feed without a valid indicator among good ones is a
// warning naming it, and the scan goes on (exit 2 only when no feed gave
// an indicator, or with -strict); a binary feed file is a problem of its
// own, not read.
func TestEmptyFeed(t *testing.T) {
	dir := t.TempDir()
	header := filepath.Join(dir, "abuse-ch-urlhaus.intel")
	require.NoError(t, os.WriteFile(header, []byte("#fields\tindicator\tindicator_type\tmeta.source\n"), 0o644))
	binary := filepath.Join(dir, "tool.bin")
	require.NoError(t, os.WriteFile(binary, []byte("\x7fELF\x02\x01\x01\x00\x00\x00evil.com\n"), 0o644))
	good := filepath.Join(dir, "good.txt")
	require.NoError(t, os.WriteFile(good, []byte("evil.com\n"), 0o644))

	code, out, errs := runIOCScan(t, "seen evil.com\n", "-feed", header, "-feed", binary, "-feed", good)
	require.Equal(t, 0, code, errs)
	assert.Len(t, decode(t, out), 1)
	assert.Contains(t, errs, "iocscan: warning: feed "+header+": no valid indicator")
	assert.Contains(t, errs, "iocscan: warning: feed "+binary+": no valid indicator")
	assert.Contains(t, errs, binary+": binary file (a NUL byte at offset 7)")

	// -q still names the empty feed (a warning, not the summary)
	code, _, errs = runIOCScan(t, "seen evil.com\n", "-q", "-feed", header, "-feed", good)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "no valid indicator")

	// -strict: the empty feed is an error
	code, out, errs = runIOCScan(t, "seen evil.com\n", "-strict", "-feed", header, "-feed", good)
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errs, "feed "+header+": no valid indicator (-strict)")

	// only empty feeds: nothing to match, exit 2
	code, _, errs = runIOCScan(t, "seen evil.com\n", "-feed", header, "-feed", binary)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "no feed gave a valid indicator")

	// a directory holding documentation: skipped and counted
	feeds := filepath.Join(dir, "feeds")
	require.NoError(t, os.MkdirAll(feeds, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(feeds, "README.md"), []byte("see evil.example and other.com\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(feeds, "c2.txt"), []byte("evil.com\n"), 0o644))
	code, _, errs = runIOCScan(t, "", "-v", "-feed", feeds)
	require.NotEqual(t, 2, code, errs) // the scan ran (0 or, grep-like, 1 without matches)
	assert.Contains(t, errs, "1 indicators from 1 files (1 files not read (documentation: 1))")
	assert.Contains(t, errs, filepath.Join(feeds, "README.md")+": not read: documentation")
}
