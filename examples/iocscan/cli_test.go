package main

// Tests of the built command: exit status, streaming, gzip input, -now and
// -q, as a shell or a pipeline sees them.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	binOnce sync.Once
	binDir  string // removed by TestMain
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// iocscanBin builds the command once per test run and returns its path.
func iocscanBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "iocscan-test-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "iocscan")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

// runBin runs the built command with stdin and returns its exit status
// and output.
func runBin(t *testing.T, stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, iocscanBin(t), args...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		code = ee.ExitCode()
	default:
		t.Fatalf("iocscan %v: %v\n%s", args, err, errb.String())
	}
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func TestCLIExitStatus(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n")
	empty := writeFile(t, dir, "empty.txt", "# nothing\nnot-an-ioc\n")
	hit := writeFile(t, dir, "hit.log", "ok\nGET http://evil.example/x\n")
	miss := writeFile(t, dir, "miss.log", "ok\nnothing here\n")
	missing := filepath.Join(dir, "missing.log")
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		matches  int    // records on stdout
		stdout   string // in stdout
		stderr   string // in stderr
		noStderr bool
	}{
		{name: "match", args: []string{"-feed", feed, hit}, code: 0, matches: 1},
		{name: "no match", args: []string{"-feed", feed, miss}, code: 1},
		{name: "a match in one of two", args: []string{"-feed", feed, miss, hit}, code: 0, matches: 1},
		{name: "-h", args: []string{"-h"}, code: 0, stdout: "usage: iocscan", noStderr: true},
		{name: "-help", args: []string{"-help"}, code: 0, stdout: "-max-matches-per-line", noStderr: true},
		{name: "bad flag", args: []string{"-nosuchflag", "-feed", feed, hit}, code: 2, stderr: "usage: iocscan"},
		{name: "no feed", args: []string{hit}, code: 2, stderr: "at least one -feed"},
		{name: "feed without indicators", args: []string{"-feed", empty, hit}, code: 2, stderr: "no valid indicator"},
		{name: "missing feed", args: []string{"-feed", filepath.Join(dir, "nofeed.txt"), hit}, code: 2, stderr: "nofeed.txt"},
		// grep's rule: an unreadable input is an error, the others are scanned
		{name: "missing input first", args: []string{"-feed", feed, missing, hit}, code: 2, matches: 1, stderr: "missing.log"},
		{name: "missing input last", args: []string{"-feed", feed, hit, missing}, code: 2, matches: 1, stderr: "missing.log"},
		{name: "directory as input", args: []string{"-feed", feed, dir, hit}, code: 2, matches: 1, stderr: "scan " + dir + ": is a directory\n"},
		{name: "bad -now", args: []string{"-now", "yesterday", "-feed", feed, hit}, code: 2, stderr: `-now "yesterday": not an RFC 3339 time`},
		{name: "bad -max-matches-per-line", args: []string{"-max-matches-per-line", "-1", "-feed", feed, hit}, code: 2, stderr: "-max-matches-per-line -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runBin(t, strings.NewReader(""), tc.args...)
			assert.Equal(t, tc.code, code, errs)
			if tc.stdout != "" {
				assert.Contains(t, out, tc.stdout)
			} else {
				assert.Len(t, decode(t, out), tc.matches, out)
			}
			if tc.stderr != "" {
				assert.Contains(t, errs, tc.stderr)
			}
			if tc.noStderr {
				assert.Empty(t, errs)
			}
		})
	}
}

// TestCLIStreaming: a match reaches stdout while stdin is still open, as
// with tail -f app.log | iocscan.
func TestCLIStreaming(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n198.51.100.0/24\n")
	for _, compressed := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", compressed), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, iocscanBin(t), "-q", "-feed", feed)
			stdin, err := cmd.StdinPipe()
			require.NoError(t, err)
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			require.NoError(t, cmd.Start())
			defer cmd.Process.Kill()

			var w io.Writer = stdin
			var zw *gzip.Writer
			flush := func() {}
			if compressed {
				zw = gzip.NewWriter(stdin)
				w, flush = zw, func() { require.NoError(t, zw.Flush()) }
			}
			lines := make(chan string)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			next := func() string {
				select {
				case l, ok := <-lines:
					if !ok {
						cmd.Wait()
						t.Fatalf("stdout closed early: %s", errb.String())
					}
					return l
				case <-time.After(5 * time.Second):
					t.Fatalf("no match on stdout 5 s after its line was written, stdin still open")
				}
				return ""
			}
			fmt.Fprintf(w, "nothing\nGET http://a.evil.example/x\n")
			flush()
			recs := decode(t, next())
			require.Len(t, recs, 1)
			assert.Equal(t, record{File: "-", Line: 2, Start: 11, End: 25, Type: "domain", Indicator: "evil.example", Matched: "a.evil.example", Sources: []string{"feed"}}, recs[0])
			fmt.Fprintf(w, "from 198.51.100.9\n")
			flush()
			recs = decode(t, next())
			require.Len(t, recs, 1)
			assert.Equal(t, 3, recs[0].Line)
			assert.Equal(t, "198.51.100.0/24", recs[0].Indicator)

			if zw != nil {
				require.NoError(t, zw.Close())
			}
			require.NoError(t, stdin.Close())
			_, open := <-lines
			assert.False(t, open, "no more output")
			require.NoError(t, cmd.Wait(), errb.String())
		})
	}
}

func TestCLIGzip(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n")
	logText := "ok\nGET http://evil.example/x\n"
	gzLog := writeFile(t, dir, "app.log.gz", string(gz(t, logText)))
	disguised := writeFile(t, dir, "app.log", string(gz(t, logText))) // by content, not by name
	plainGz := writeFile(t, dir, "plain.gz", logText)                 // not gzip, whatever the name
	multi := writeFile(t, dir, "multi.log.gz", string(gz(t, "evil.example\n"))+string(gz(t, "ok\nevil.example again\n")))
	want := func(file string, line int) record {
		return record{File: file, Line: line, Start: 11, End: 23, Type: "domain", Indicator: "evil.example", Matched: "evil.example", Sources: []string{"feed"}}
	}

	code, out, errs := runBin(t, nil, "-q", "-feed", feed, gzLog, disguised, plainGz)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, []record{want(gzLog, 2), want(disguised, 2), want(plainGz, 2)}, decode(t, out))
	assert.Empty(t, errs)

	code, out, errs = runBin(t, bytes.NewReader(gz(t, logText)), "-q", "-feed", feed)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, []record{want("-", 2)}, decode(t, out), "gzip on stdin")

	code, out, errs = runBin(t, nil, "-q", "-feed", feed, multi)
	require.Equal(t, 0, code, errs)
	recs := decode(t, out)
	require.Len(t, recs, 2, "concatenated gzip members are read one after the other")
	assert.Equal(t, []int{1, 3}, []int{recs[0].Line, recs[1].Line})

	// A corrupt or truncated stream is an error of its file: what was
	// read before is kept, the next file is scanned, the status is 2.
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	fmt.Fprintf(zw, "GET http://evil.example/x\n")
	require.NoError(t, zw.Flush()) // line 1 is a complete block
	good := b.Len()
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(zw, "line %d evil.example %x\n", i, i*7919)
	}
	require.NoError(t, zw.Close())
	full := b.Bytes()
	truncated := writeFile(t, dir, "truncated.log.gz", string(full[:good+(len(full)-good)/2]))
	corrupt := append([]byte(nil), full...)
	for i := good + 10; i < good+40; i++ {
		corrupt[i] ^= 0x55
	}
	corruptLog := writeFile(t, dir, "corrupt.log.gz", string(corrupt))
	badHeader := writeFile(t, dir, "badheader.log.gz", "\x1f\x8bnot gzip at all\n")
	for _, tc := range []struct{ file, msg string }{
		{truncated, "truncated.log.gz: gzip: truncated data"},
		{corruptLog, "corrupt.log.gz: gzip:"},
		{badHeader, "badheader.log.gz: gzip: invalid header"},
	} {
		code, out, errs := runBin(t, nil, "-feed", feed, tc.file, gzLog)
		assert.Equal(t, 2, code, errs)
		assert.Contains(t, errs, tc.msg)
		recs := decode(t, out)
		require.NotEmpty(t, recs, errs)
		assert.Equal(t, want(gzLog, 2), recs[len(recs)-1], "the next file is scanned")
		if tc.file != badHeader {
			assert.Equal(t, record{File: tc.file, Line: 1, Start: 11, End: 23, Type: "domain", Indicator: "evil.example", Matched: "evil.example", Sources: []string{"feed"}}, recs[0], "what was read before the bad data is kept")
		}
	}
}

// TestCLINow: -now sets the clock of the validity windows.
func TestCLINow(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "bundle.json", `{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[
{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000002","created":"2020-01-01T00:00:00Z","modified":"2020-01-01T00:00:00Z",
 "pattern":"[domain-name:value = 'old.example']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z","valid_until":"2021-01-01T00:00:00Z"}]}`)
	line := "GET http://old.example/\n"
	for _, tc := range []struct {
		now  string
		code int
	}{
		{"2020-06-01T00:00:00Z", 0},
		{"2020-06-01T02:00:00.5+02:00", 0},
		{"2019-12-31T23:59:59Z", 1}, // before valid_from
		{"2021-01-01T00:00:01Z", 1}, // after valid_until
		{"", 1},                     // the clock: expired
	} {
		args := []string{"-q", "-feed", feed}
		if tc.now != "" {
			args = append(args, "-now", tc.now)
		}
		code, out, errs := runBin(t, strings.NewReader(line), args...)
		assert.Equal(t, tc.code, code, "-now %q: %s", tc.now, errs)
		assert.Len(t, decode(t, out), 1-tc.code, "-now %q", tc.now)
	}
}

// TestCLIQuiet: -q prints no summary and no per-problem line, only a count
// per feed with problems and one for the scan's warnings.
func TestCLIQuiet(t *testing.T) {
	dir := t.TempDir()
	var feedText strings.Builder
	feedText.WriteString("evil.example\n198.51.100.7\n")
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&feedText, "bad..%d\n", i)
	}
	feed := writeFile(t, dir, "feed.txt", feedText.String())
	clean := writeFile(t, dir, "clean.txt", "evil.example\n")
	log := writeFile(t, dir, "app.log", "evil.example 198.51.100.7\nok\n")

	code, out, errs := runBin(t, nil, "-q", "-feed", feed, log)
	require.Equal(t, 0, code, errs)
	assert.Len(t, decode(t, out), 2)
	assert.Equal(t, "iocscan: feed "+feed+": 1500 records skipped (problems not shown: -q)\n", errs)

	code, _, errs = runBin(t, nil, "-q", "-v", "-feed", clean, log)
	require.Equal(t, 0, code, errs)
	assert.Empty(t, errs, "a clean feed, a clean scan: nothing on stderr, -v or not")

	code, out, errs = runBin(t, nil, "-q", "-max-matches-per-line", "1", "-feed", feed, log)
	require.Equal(t, 0, code, errs)
	assert.Len(t, decode(t, out), 1)
	assert.Equal(t, "iocscan: feed "+feed+": 1500 records skipped (problems not shown: -q)\n"+
		"iocscan: scan: 1 lines truncated at 1 matches (not named: -q)\n", errs)

	// without -q: the problems (as many as the loader keeps), the summaries
	code, _, errs = runBin(t, nil, "-feed", feed, log)
	require.Equal(t, 0, code, errs)
	assert.Greater(t, strings.Count(errs, "cannot infer"), 100)
	assert.Contains(t, errs, "iocscan: feed "+feed+": 2 indicators")
	assert.Contains(t, errs, "scanned 2 lines")
	assert.NotContains(t, errs, "\r", "no progress line when stderr is not a terminal")
	assert.NotContains(t, errs, "loading")
}

// TestTimes: the load and the compile are timed apart.
func TestTimes(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n198.51.100.7\n")
	code, _, errs := runIOCScan(t, "", "-feed", feed)
	require.Equal(t, 1, code, errs)
	assert.Regexp(t, `(?m)^iocscan: loaded 2 indicators in [0-9.]+[mµn]?s; compiled match\.Matcher\{2 entries: 1 ipv4, 1 domain\} in [0-9.]+[mµn]?s$`, errs)
}

// TestCLIOutputError: an error writing the output ends the scan with
// status 2 and says so.
func TestCLIOutputError(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n")
	log := writeFile(t, dir, "app.log", "GET http://evil.example/x\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, iocscanBin(t), "-feed", feed, log, log)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = full, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 2, ee.ExitCode())
	assert.Contains(t, errb.String(), "writing output:")
	assert.Equal(t, 1, strings.Count(errb.String(), "writing output:"), "the scan stops at the first: %s", errb.String())
	assert.NotContains(t, errb.String(), "scanned", "no summary after an output error")
}
