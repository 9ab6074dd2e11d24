package main

// Tests of -follow, the signals and -retro, driving the built command.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
)

// maxWait bounds every wait of these tests for the command.
const maxWait = 10 * time.Second

// proc is a running iocscan: its records as they arrive, its stderr.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	recs chan record
	mu   sync.Mutex
	errb bytes.Buffer
	done chan struct{} // closed when stdout is closed
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.errb.String()
}

type syncWriter struct{ p *proc }

func (w syncWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.errb.Write(b)
}

// start starts the built command with args; it is killed at the end of
// the test if still running.
func start(t *testing.T, stdin io.Reader, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	p := &proc{t: t, cmd: exec.CommandContext(ctx, iocscanBin(t), args...), recs: make(chan record, 1000), done: make(chan struct{})}
	p.cmd.Stdin = stdin
	p.cmd.Stderr = syncWriter{p}
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { cancel(); p.cmd.Wait() })
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var r record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Errorf("bad record %q: %v", sc.Text(), err)
			}
			p.recs <- r
		}
		close(p.recs)
	}()
	return p
}

// next returns the next n records, failing after maxWait.
func (p *proc) next(n int) []record {
	p.t.Helper()
	var out []record
	timeout := time.After(maxWait)
	for len(out) < n {
		select {
		case r, ok := <-p.recs:
			if !ok {
				p.t.Fatalf("stdout closed after %d of %d records: %v\n%s", len(out), n, out, p.stderr())
			}
			out = append(out, r)
		case <-timeout:
			p.t.Fatalf("only %d of %d records after %v: %v\n%s", len(out), n, maxWait, out, p.stderr())
		}
	}
	return out
}

// waitStderr waits until stderr holds s.
func (p *proc) waitStderr(s string) {
	p.t.Helper()
	deadline := time.Now().Add(maxWait)
	for !strings.Contains(p.stderr(), s) {
		if time.Now().After(deadline) {
			p.t.Fatalf("stderr never said %q:\n%s", s, p.stderr())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitRead waits until the command has read the file at path to its
// end: the offset of its open file (Linux's /proc/PID/fdinfo) reaches the
// file's size. Without /proc it waits a little instead.
func (p *proc) waitRead(path string) {
	p.t.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", p.cmd.Process.Pid)
	if _, err := os.Stat(fds); err != nil {
		time.Sleep(500 * time.Millisecond)
		return
	}
	want, err := filepath.EvalSymlinks(path)
	require.NoError(p.t, err)
	deadline := time.Now().Add(maxWait)
	for {
		fi, err := os.Stat(path)
		require.NoError(p.t, err)
		ents, _ := os.ReadDir(fds)
		for _, e := range ents {
			if target, err := os.Readlink(filepath.Join(fds, e.Name())); err != nil || target != want {
				continue
			}
			info, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", p.cmd.Process.Pid, e.Name()))
			if err != nil {
				continue
			}
			var pos int64
			if _, err := fmt.Sscanf(string(info), "pos:\t%d", &pos); err == nil && pos >= fi.Size() {
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s not read to its end after %v:\n%s", path, maxWait, p.stderr())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// signal sends sig and returns the exit status, the records left on
// stdout and stderr.
func (p *proc) signal(sig os.Signal) (int, []record, string) {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(sig))
	var rest []record
	timeout := time.After(maxWait)
	for {
		select {
		case r, ok := <-p.recs:
			if ok {
				rest = append(rest, r)
				continue
			}
		case <-timeout:
			p.t.Fatalf("still running %v after %v:\n%s", sig, maxWait, p.stderr())
		}
		break
	}
	err := p.cmd.Wait()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(p.t, err)
	}
	return code, rest, p.stderr()
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	require.NoError(t, err)
	_, err = f.WriteString(s)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func where(rs []record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s:%d %s", filepath.Base(r.File), r.Line, r.Matched))
	}
	return out
}

// TestCLIFollow follows two files through appends (a partial line
// completed later), a rotation (rename, a last write to the old file, a
// new file), a truncation and a file that appears later; SIGTERM ends it
// with every line appended before it matched, the summary, and status 0.
func TestCLIFollow(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n198.51.100.7\n")
	app := writeFile(t, dir, "app.log", "ok\nGET http://a.evil.example/\n")
	later := filepath.Join(dir, "later.log")
	p := start(t, nil, "-follow", "-poll", "20ms", "-feed", feed, app, later)

	assert.Equal(t, []string{"app.log:2 a.evil.example"}, where(p.next(1)))
	appendFile(t, app, "from 198.51.100.7\npartial b.evil.exa")
	assert.Equal(t, []string{"app.log:3 198.51.100.7"}, where(p.next(1)))
	appendFile(t, app, "mple done\n")
	got := p.next(1)
	assert.Equal(t, []string{"app.log:4 b.evil.example"}, where(got))
	assert.Equal(t, 8, got[0].Start) // after "partial ": the line as completed
	p.waitStderr("later.log: does not exist: waiting for it")

	// rotation: the logger writes once more to the old file, then the new one
	old, err := os.OpenFile(app, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	require.NoError(t, os.Rename(app, app+".1"))
	_, err = old.WriteString("last c.evil.example\n")
	require.NoError(t, err)
	require.NoError(t, old.Close())
	writeFile(t, dir, "app.log", "new d.evil.example\n")
	assert.Equal(t, []string{"app.log:5 c.evil.example", "app.log:1 d.evil.example"}, where(p.next(2)))
	p.waitStderr("app.log: rotated")

	// truncation: copytruncate, then a shorter line
	require.NoError(t, os.Truncate(app, 0))
	appendFile(t, app, "e.evil.example\n")
	assert.Equal(t, []string{"app.log:1 e.evil.example"}, where(p.next(1)))
	p.waitStderr("app.log: truncated")

	writeFile(t, dir, "later.log", "x 198.51.100.7\n")
	assert.Equal(t, []string{"later.log:1 198.51.100.7"}, where(p.next(1)))

	// nothing lost: the lines appended just before the signal are matched
	var b strings.Builder
	for i := range 200 {
		fmt.Fprintf(&b, "line %d h%d.evil.example\n", i, i)
	}
	appendFile(t, app, b.String())
	appendFile(t, later, "unterminated 198.51.100.7")
	code, rest, errs := p.signal(syscall.SIGTERM)
	assert.Equal(t, 0, code, errs)
	require.Len(t, rest, 201, errs)
	n := 0
	for _, r := range rest {
		if filepath.Base(r.File) == "app.log" {
			assert.Equal(t, 2+n, r.Line)
			assert.Equal(t, fmt.Sprintf("h%d.evil.example", n), r.Matched)
			n++
		} else {
			assert.Equal(t, 2, r.Line)
			assert.Equal(t, "198.51.100.7", r.Matched)
		}
	}
	assert.Equal(t, 200, n)
	assert.Contains(t, errs, ": 208 matches; stopped by SIGTERM\n")
}

// TestCLIFollowStatus: a -follow run ended by a signal exits as grep: 1
// when nothing matched (SIGINT here), with the summary; a gzip file is
// read once and said so; standard input is read to its end.
func TestCLIFollowStatus(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n")
	quiet := writeFile(t, dir, "quiet.log", "nothing\n")
	z := filepath.Join(dir, "old.log.gz")
	require.NoError(t, os.WriteFile(z, gz(t, "nothing either\n"), 0o644))
	p := start(t, nil, "-follow", "-poll", "20ms", "-feed", feed, quiet, z)
	p.waitStderr("old.log.gz: gzip-compressed: read once, not followed")
	p.waitRead(quiet) // at its end, followed: a line appended now is read before the signal's end
	appendFile(t, quiet, "still nothing\n")
	p.waitRead(quiet)
	code, rest, errs := p.signal(os.Interrupt)
	assert.Equal(t, 1, code, errs)
	assert.Empty(t, rest)
	assert.Contains(t, errs, "scanned 3 lines (34 bytes) in 2 files, followed for ")
	assert.Contains(t, errs, "; stopped by SIGINT\n")

	// stdin: read to its end, then the run ends by itself
	code, out, errs := runBin(t, strings.NewReader("GET evil.example\n"), "-follow", "-feed", feed)
	assert.Equal(t, 0, code, errs)
	assert.Len(t, decode(t, out), 1)
}

// TestCLIInterrupt: without -follow, SIGTERM or SIGINT stop a scan after
// its current line (here blocked on standard input, still open): what was
// read is matched and written, the summary printed, the status 143 or
// 130 as a shell reports a command killed by the signal.
func TestCLIInterrupt(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n")
	for _, tc := range []struct {
		sig  os.Signal
		code int
		name string
	}{{syscall.SIGTERM, 143, "SIGTERM"}, {os.Interrupt, 130, "SIGINT"}} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			require.NoError(t, err)
			defer w.Close()
			p := start(t, r, "-feed", feed, "-", writeFile(t, dir, "after.log", "evil.example\n"))
			r.Close()
			fmt.Fprintln(w, "GET a.evil.example")
			assert.Equal(t, []string{"-:1 a.evil.example"}, where(p.next(1)))
			p.waitStderr("compiled") // the signals are handled from the scan on
			code, rest, errs := p.signal(tc.sig)
			assert.Equal(t, tc.code, code, errs)
			assert.Empty(t, rest)
			assert.Contains(t, errs, tc.name+": stopping: the scan of - ended after its line 1; 1 files after it not scanned")
			assert.Contains(t, errs, "scanned 1 lines (18 bytes) in 1 files")
		})
	}
}

// TestRetroHunt: lines scanned (the real scan loop, two files, one of
// them matched in pieces) are kept by -retro; retroHunt with new
// indicators writes their matches marked "retro":true with the original
// files, line numbers and offsets, and they count for the status.
func TestRetroHunt(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "known.example\n")
	a := writeFile(t, dir, "a.log", "GET http://new-c2.example/gate\nok\nknown.example and 203.0.113.5\n")
	b := writeFile(t, dir, "b.log", "x\ny\nz 203.0.113.5\n")
	added := []indicator.Indicator{indicator.MustNew(indicator.Domain, "new-c2.example"), indicator.MustNew(indicator.IPv4, "203.0.113.5")}
	for i := range added {
		added[i].Meta.Source = "reloaded"
	}
	hunt := func(t *testing.T, args ...string) (int, string, string) {
		t.Cleanup(func() { afterScan = nil })
		afterScan = func(s *session) {
			n, err := s.retroHunt(added)
			require.NoError(t, err)
			assert.Equal(t, 3, n)
		}
		return runIOCScan(t, "", args...)
	}
	code, out, errs := hunt(t, "-retro", "1MiB", "-feed", feed, a, b)
	assert.Equal(t, 0, code, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, out)
	assert.True(t, strings.HasPrefix(lines[0], `{"file":"`+a+`","line":3,`), lines[0]) // the scan's own
	want := []string{
		`{"retro":true,"file":"` + a + `","line":1,"offset":0,"start":11,"end":25,"type":"domain","indicator":"new-c2.example"`,
		`{"retro":true,"file":"` + a + `","line":3,"offset":34,"start":18,"end":29,"type":"ipv4","indicator":"203.0.113.5"`,
		`{"retro":true,"file":"` + b + `","line":3,"offset":4,"start":2,"end":13,"type":"ipv4","indicator":"203.0.113.5"`,
	}
	for i, w := range want {
		assert.True(t, strings.HasPrefix(lines[1+i], w), "%s\nwant %s", lines[1+i], w)
	}
	assert.Contains(t, errs, "retro-hunt: 2 new indicators over 6 kept lines (76 bytes): 3 matches on 3 lines")
	assert.Contains(t, errs, "retro buffer: 6 lines (76 bytes) kept")

	// ECS: the ECS field tags marks them
	code, out, errs = hunt(t, "-retro", "1MiB", "-format", "ecs", "-feed", feed, a, b)
	assert.Equal(t, 0, code, errs)
	lines = strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, out)
	assert.NotContains(t, lines[0], "iocmatch-retro")
	for _, l := range lines[1:] {
		var ev struct {
			Tags []string `json:"tags"`
			Log  struct {
				File   struct{ Path string } `json:"file"`
				Offset int64                 `json:"offset"`
			} `json:"log"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &ev), l)
		assert.Equal(t, []string{"iocmatch-retro"}, ev.Tags)
	}

	// without -retro, nothing is kept and nothing is hunted
	afterScan = func(s *session) {
		n, err := s.retroHunt(added)
		require.NoError(t, err)
		assert.Zero(t, n)
	}
	code, out, _ = runIOCScan(t, "", "-feed", feed, a, b)
	afterScan = nil
	assert.Equal(t, 0, code)
	assert.Equal(t, 1, strings.Count(out, "\n"))
}

// TestRetroFlag: -retro takes sizes with units; a bad one is a usage
// error; -poll must be positive.
func TestRetroFlag(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n")
	code, _, errs := runIOCScan(t, "", "-retro", "lots", "-feed", feed)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, `invalid value "lots" for flag -retro: size "lots": want a number`)
	code, _, errs = runIOCScan(t, "evil.example\n", "-retro", "64KiB", "-feed", feed)
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "retro buffer: 1 lines (12 bytes) kept")
	code, _, errs = runIOCScan(t, "", "-follow", "-poll", "0s", "-feed", feed)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "-poll 0s: must be more than 0")
}

// TestRetroHuntEqualsScan: retro-hunting the project's sample logs for
// every indicator of its sample lists, after a scan for something else,
// writes exactly what scanning them for those lists writes (marked), in
// native JSON and in ECS.
func TestRetroHuntEqualsScan(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(logs, "*"))
	require.NoError(t, err)
	res, err := loader.Load(lists, loader.Options{})
	require.NoError(t, err)
	other := writeFile(t, t.TempDir(), "other.txt", "nowhere-in-the-logs.example\n")
	for _, format := range []string{"json", "ecs"} {
		t.Run(format, func(t *testing.T) {
			common := []string{"-q", "-reserved=false", "-now", "2026-12-01T00:00:00Z", "-format", format}
			code, want, errs := runIOCScan(t, "", append(append(common, "-feed", lists), files...)...)
			require.Equal(t, 0, code, errs)
			t.Cleanup(func() { afterScan = nil })
			afterScan = func(s *session) {
				n, err := s.retroHunt(res.Indicators)
				require.NoError(t, err)
				assert.Positive(t, n)
			}
			code, got, errs := runIOCScan(t, "", append(append(common, "-retro", "16MiB", "-feed", other), files...)...)
			require.Equal(t, 0, code, errs)
			mark := string(retroJSON)
			if format == "ecs" {
				mark = string(retroECS)
			}
			assert.Equal(t, strings.Count(got, "\n"), strings.Count(got, "{"+mark), "every record marked")
			assert.Equal(t, want, strings.ReplaceAll(got, "{"+mark, "{"))
			assert.Greater(t, strings.Count(want, "\n"), 20)
		})
	}
}

// TestRetroHuntWhileFollowing: retro-hunts from another goroutine while a
// -follow scan adds lines (under -race): each hunt reports the lines kept
// so far, in order, and the scan loses none.
func TestRetroHuntWhileFollowing(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "known.example\n")
	app := writeFile(t, dir, "app.log", "")
	added := []indicator.Indicator{indicator.MustNew(indicator.Domain, "late.example")}
	const n = 300
	t.Cleanup(func() { onScan = nil })
	var hunts []int
	onScan = func(s *session) {
		go func() {
			for i := range n {
				appendFile(t, app, fmt.Sprintf("%d known.example late.example\n", i))
				if i%50 == 0 {
					m, err := s.retroHunt(added)
					assert.NoError(t, err)
					hunts = append(hunts, m)
				}
			}
			// wait (bounded) until the scan has kept every line, then stop it
			deadline := time.Now().Add(maxWait)
			for s.retro.Stats().Lines < n && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			m, err := s.retroHunt(added)
			assert.NoError(t, err)
			hunts = append(hunts, m)
			s.stop.stopNow(syscall.SIGTERM)
		}()
	}
	code, out, errs := runIOCScan(t, "", "-follow", "-poll", "5ms", "-retro", "1MiB", "-feed", feed, app)
	assert.Equal(t, 0, code, errs)
	var scanned, retro int
	lastLine := map[bool]int{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Retro bool `json:"retro"`
			Line  int  `json:"line"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &r), l)
		if r.Retro {
			retro++
			if r.Line != 1 { // a new hunt starts at line 1
				assert.Greater(t, r.Line, lastLine[true])
			}
		} else {
			scanned++
			assert.Equal(t, lastLine[false]+1, r.Line)
		}
		lastLine[r.Retro] = r.Line
	}
	assert.Equal(t, n, scanned)
	require.NotEmpty(t, hunts)
	assert.Equal(t, n, hunts[len(hunts)-1], "the last hunt, after every line was kept")
	sum := 0
	for _, h := range hunts {
		sum += h
	}
	assert.Equal(t, sum, retro)
}

// TestFollowStopBacklog: a stop while a followed file is still read from
// its start (a backlog) ends its scan at once, after a whole line, with
// grep's status; without -follow, the same stop gives 143.
func TestFollowStopBacklog(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n")
	app := writeFile(t, dir, "app.log", strings.Repeat("GET evil.example\n", 100))
	t.Cleanup(func() { onScan = nil })
	onScan = func(s *session) { s.stop.stopNow(syscall.SIGTERM) }
	code, out, errs := runIOCScan(t, "", "-follow", "-feed", feed, app)
	assert.Equal(t, 1, code, errs)
	assert.Empty(t, out)
	assert.Contains(t, errs, app+": SIGTERM: stopped after its line 0, before its end")
	assert.Contains(t, errs, "scanned 0 lines (0 bytes) in 1 files, followed for ")

	code, out, errs = runIOCScan(t, "", "-feed", feed, app)
	assert.Equal(t, 143, code, errs)
	assert.Empty(t, out)
	assert.Contains(t, errs, "SIGTERM: stopping: the scan of "+app+" ended after its line 0; 0 files after it not scanned")
}

// TestInterruptWaitingRead: a stop ends a read of standard input that
// waits, before any byte (the first read) or after a line: an os.Pipe
// (read through the poller, its descriptor back in blocking mode after)
// and an io.Pipe (read on a goroutine). The stop comes from the scan's
// start or later: the result is the same.
func TestInterruptWaitingRead(t *testing.T) {
	dir := t.TempDir()
	feed := writeFile(t, dir, "feed.txt", "evil.example\n")
	for _, tc := range []struct {
		name  string
		pipe  func(t *testing.T) (io.Reader, io.WriteCloser, func())
		first string // written before the stop
		lines int
	}{
		{"os.Pipe, nothing written", osPipe, "", 0},
		{"os.Pipe, a line written", osPipe, "GET a.evil.example\n", 1},
		{"io.Pipe, nothing written", ioPipe, "", 0},
		{"io.Pipe, a line and a half written", ioPipe, "GET a.evil.example\nhalf", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, check := tc.pipe(t)
			defer w.Close()
			t.Cleanup(func() { onScan = nil })
			onScan = func(s *session) {
				go func() {
					if tc.first != "" {
						_, err := io.WriteString(w, tc.first)
						assert.NoError(t, err)
					}
					time.Sleep(20 * time.Millisecond) // the scan may wait in a read, or not yet: the same
					s.stop.stopNow(syscall.SIGTERM)
				}()
			}
			var out, errb bytes.Buffer
			code := run([]string{"-feed", feed}, r, &out, &errb)
			assert.Equal(t, 143, code, errb.String())
			assert.Equal(t, min(tc.lines, 1), strings.Count(out.String(), "\n"), out.String())
			assert.Contains(t, errb.String(), fmt.Sprintf("scanned %d lines", tc.lines))
			check()
		})
	}
}

// osPipe: an os.Pipe, its descriptor in blocking mode as a shell's pipe
// is; check asserts it is so again after the run.
func osPipe(t *testing.T) (io.Reader, io.WriteCloser, func()) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	nonblock := func(set *bool) bool {
		sc, err := r.SyscallConn()
		require.NoError(t, err)
		var flags int
		require.NoError(t, sc.Control(func(fd uintptr) {
			if set != nil {
				require.NoError(t, syscall.SetNonblock(int(fd), *set))
			}
			flags, err = fcntlFlags(fd)
			require.NoError(t, err)
		}))
		return flags&syscall.O_NONBLOCK != 0
	}
	blocking := false
	require.False(t, nonblock(&blocking))
	return r, w, func() { assert.False(t, nonblock(nil), "the pipe is left non-blocking") }
}

func ioPipe(*testing.T) (io.Reader, io.WriteCloser, func()) {
	r, w := io.Pipe()
	return r, w, func() {}
}
