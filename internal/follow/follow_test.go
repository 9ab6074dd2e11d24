package follow_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/iocmatch/iocmatch/internal/follow"
)

// lines reads r with a bufio.Reader as iocscan does and returns what it
// saw: each line (a partial one as it ends), and "<rotated>" or
// "<truncated>" at a restart.
func lines(t *testing.T, r io.Reader) []string {
	t.Helper()
	br := bufio.NewReaderSize(r, 16)
	var out []string
	var cur []byte
	for {
		b, err := br.ReadSlice('\n')
		cur = append(cur, b...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(cur) > 0 {
			out = append(out, strings.TrimSuffix(string(cur), "\n"))
			cur = cur[:0]
		}
		switch {
		case err == nil:
		case errors.Is(err, follow.ErrRotated):
			out = append(out, "<rotated>")
		case errors.Is(err, follow.ErrTruncated):
			out = append(out, "<truncated>")
		case err == io.EOF:
			return out
		default:
			t.Fatalf("read: %v", err)
			return out
		}
	}
}

// steps is a Wait that, instead of waiting, runs the next step (a change
// of the file); after the last, it reports the context done.
func steps(t *testing.T, fns ...func()) func(context.Context, time.Duration) bool {
	return func(_ context.Context, d time.Duration) bool {
		assert.Equal(t, follow.DefaultPoll, d)
		if len(fns) == 0 {
			return false
		}
		fns[0]()
		fns = fns[1:]
		return true
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(s)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// TestFollow drives a Reader through a file that does not exist yet, then
// appends (a partial line completed later), a rotation with a write to
// the old file after the rename, a truncation, a removal and a new file,
// and an end with a partial line: every byte is read, in order, with the
// restarts where they happened.
func TestFollow(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	var old *os.File // the logger's handle on the file before the rotation
	var logs []string
	waits, flushes := 0, 0
	wait := steps(t,
		func() { waits++ }, // nothing yet
		func() { waits++; write(t, p, "a\nb") },
		func() { waits++; appendTo(t, p, "c\nd\n") },
		func() { waits++ }, // nothing new
		func() {
			waits++
			var err error
			old, err = os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			require.NoError(t, err)
			require.NoError(t, os.Rename(p, p+".1"))
			_, err = old.WriteString("e") // after the rename, before the new file
			require.NoError(t, err)
			write(t, p, "f\nff\n")
		},
		func() { waits++; write(t, p, "g\n") }, // shorter: truncated
		func() { waits++; require.NoError(t, os.Remove(p)) },
		func() { waits++ }, // still gone
		func() { waits++; write(t, p, "h\n") },
		func() { waits++; appendTo(t, p, "i\nj") },
	)
	r, err := follow.Open(context.Background(), p, follow.Options{
		Wait:       wait,
		BeforeWait: func() error { flushes++; return nil },
		Logf:       func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) },
	})
	require.NoError(t, err)
	defer r.Close()
	got := lines(t, r)
	require.NoError(t, old.Close())
	assert.Equal(t, []string{"a", "bc", "d", "e", "<rotated>", "f", "ff", "<truncated>", "g", "<rotated>", "h", "i", "j"}, got)
	assert.Equal(t, 10, waits)
	assert.Equal(t, 11, flushes) // before every wait, and before the last one that ends it
	want := []string{
		p + ": does not exist: waiting for it",
		p + ": appeared: reading it from its start",
		p + ": rotated (the path names a new file): the old one was read to its end, reading the new one from its start",
		p + ": truncated (shorter than the 5 bytes read): reading it again from its start",
		p + ": gone (removed or renamed): waiting for a new file, still reading the old one",
		p + ": rotated (the path names a new file): the old one was read to its end, reading the new one from its start",
	}
	assert.Equal(t, want, logs)
}

// TestFollowEnd: when the context is done, what the file holds is still
// read (a rotation followed), then io.EOF.
func TestFollowEnd(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "app.log")
	write(t, p, "one\n")
	ctx, cancel := context.WithCancel(context.Background())
	var r *follow.Reader
	r, err := follow.Open(ctx, p, follow.Options{Wait: steps(t, func() {
		assert.True(t, r.Tailing(), "at the end of the file")
		appendTo(t, p, "two\n")
		require.NoError(t, os.Rename(p, p+".1"))
		write(t, p, "three")
		cancel() // the signal, after the writes
	})})
	require.NoError(t, err)
	defer r.Close()
	assert.False(t, r.Tailing(), "before the first read")
	assert.Equal(t, []string{"one", "two", "<rotated>", "three"}, lines(t, r))
	assert.True(t, r.Tailing())

	// a context done from the start: the file is read once
	r2, err := follow.Open(ctx, p, follow.Options{Wait: func(context.Context, time.Duration) bool { t.Fatal("waited"); return false }})
	require.NoError(t, err)
	defer r2.Close()
	assert.Equal(t, []string{"three"}, lines(t, r2))
}

// TestFollowTimer: the default wait, a real timer, ends when the context
// is cancelled.
func TestFollowTimer(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.log")
	ctx, cancel := context.WithCancel(context.Background())
	r, err := follow.Open(ctx, p, follow.Options{Poll: time.Millisecond, BeforeWait: func() error {
		cancel()
		return nil
	}})
	require.NoError(t, err)
	n, err := r.Read(make([]byte, 8))
	assert.Equal(t, 0, n)
	assert.Equal(t, io.EOF, err)
}

// TestFollowNotRegular: a device is read to its end once, not followed;
// a directory is an error; a BeforeWait error ends the Read.
func TestFollowNotRegular(t *testing.T) {
	never := func(context.Context, time.Duration) bool { t.Fatal("waited"); return false }
	r, err := follow.Open(context.Background(), os.DevNull, follow.Options{Wait: never})
	require.NoError(t, err)
	_, err = r.Read(make([]byte, 8))
	assert.Equal(t, io.EOF, err)
	r.Close()

	_, err = follow.Open(context.Background(), t.TempDir(), follow.Options{})
	assert.ErrorContains(t, err, "is a directory")

	p := filepath.Join(t.TempDir(), "app.log")
	write(t, p, "x\n")
	boom := errors.New("boom")
	r, err = follow.Open(context.Background(), p, follow.Options{Wait: never, BeforeWait: func() error { return boom }})
	require.NoError(t, err)
	defer r.Close()
	n, err := r.Read(make([]byte, 8))
	assert.Equal(t, 2, n)
	require.NoError(t, err)
	_, err = r.Read(make([]byte, 8))
	assert.ErrorIs(t, err, boom)
	assert.True(t, follow.IsRestart(fmt.Errorf("x: %w", follow.ErrTruncated)))
	assert.False(t, follow.IsRestart(io.EOF))
}
