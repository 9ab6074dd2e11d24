package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/loader"
)

func TestProgressLine(t *testing.T) {
	assert.Equal(t, "iocscan: loading feeds/big: 12 files, 1,234,567 indicators so far (3s)",
		progressLine("feeds/big", 12, 1234567, 3200*time.Millisecond))
	assert.Equal(t, "iocscan: loading f.txt: 0 files, 0 indicators so far (0s)", progressLine("f.txt", 0, 0, 0))
	long := "/very/long/path/" + strings.Repeat("feeds/", 20) + "big.csv"
	line := progressLine(long, 3, 1000, time.Second)
	assert.Equal(t, progressWidth, utf8.RuneCountInString(line), line)
	assert.True(t, strings.HasPrefix(line, "iocscan: loading …"), line)
	assert.True(t, strings.HasSuffix(line, "feeds/big.csv: 3 files, 1,000 indicators so far (1s)"), line)
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 712345: "712,345", 1000000: "1,000,000", -1234: "-1,234"} {
		assert.Equal(t, want, thousands(n), "%d", n)
	}
}

// TestProgressWrite: text written to standard error while the progress
// line shows erases it first; end erases it.
func TestProgressWrite(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, shown: 5}
	_, err := p.Write([]byte("problem\n"))
	require.NoError(t, err)
	assert.Equal(t, "\r     \rproblem\n", b.String())
	b.Reset()
	_, err = p.Write([]byte("next\n"))
	require.NoError(t, err)
	assert.Equal(t, "next\n", b.String(), "nothing to erase")

	// the counts of the feeds before the current one add up
	p.beginFeed("a")
	p.update(loader.Progress{Files: 2, Indicators: 10})
	p.beginFeed("b")
	p.update(loader.Progress{Files: 1, Indicators: 5})
	assert.Equal(t, []int{2, 10, 1, 5}, []int{p.files, p.inds, p.curFiles, p.curInds})
	assert.Equal(t, "b", p.feed)

	var nilp *progress // disabled: its methods do nothing
	nilp.beginFeed("x")
	nilp.end()
}

// TestNotTerminal: standard error as a file or a pipe shows no progress.
func TestNotTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f))
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.False(t, isTerminal(w))
	assert.False(t, isTerminal(&bytes.Buffer{}))

	// run with a file as stderr: no progress line
	feed := filepath.Join(t.TempDir(), "feed.txt")
	require.NoError(t, os.WriteFile(feed, []byte("evil.example\n"), 0o644))
	code := run([]string{"-feed", feed}, strings.NewReader("evil.example\n"), &bytes.Buffer{}, f)
	require.Equal(t, 0, code)
	data, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	assert.NotContains(t, string(data), "\r")
	assert.NotContains(t, string(data), "loading")
	assert.Contains(t, string(data), "scanned 1 lines")
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProgressLoop: the line is written with the counts so far, rewritten
// in place ("\r"), and erased by end.
func TestProgressLoop(t *testing.T) {
	defer func(d time.Duration) { progressEvery = d }(progressEvery)
	progressEvery = time.Millisecond
	var b lockedBuffer
	p := newProgress(&b)
	p.beginFeed("feeds")
	p.update(loader.Progress{Files: 2, Indicators: 1500})
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(b.String(), "\riocscan: loading feeds: 2 files, 1,500 indicators so far") < 2 {
		require.True(t, time.Now().Before(deadline), "no progress line rewritten in 5 s: %q", b.String())
		time.Sleep(time.Millisecond)
	}
	p.end()
	out := b.String()
	assert.NotContains(t, out, "\n")
	assert.True(t, strings.HasSuffix(out, "\r"+strings.Repeat(" ", len(progressLine("feeds", 2, 1500, 0)))+"\r"), "%q", out)
	n := len(out)
	time.Sleep(5 * time.Millisecond)
	assert.Len(t, b.String(), n, "nothing written after end")
}
