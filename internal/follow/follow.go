package follow

import (
	"context"
	"errors"
	"io"
	"os"
	"time"
)

// DefaultPoll is the interval between two checks of a file at its end
// when Options.Poll is 0.
const DefaultPoll = 250 * time.Millisecond

// ErrRotated is returned by Read once when the path names a new file
// (after the old one was read to its end); the next Read reads the new
// file from its start.
var ErrRotated = errors.New("follow: the path names a new file (rotated)")

// ErrTruncated is returned by Read once when the file became shorter than
// what was read of it; the next Read reads it from its start.
var ErrTruncated = errors.New("follow: the file was truncated")

// IsRestart reports whether err is ErrRotated or ErrTruncated: a new
// stream of lines begins after it.
func IsRestart(err error) bool {
	return errors.Is(err, ErrRotated) || errors.Is(err, ErrTruncated)
}

// Options configures a Reader. The zero value polls every DefaultPoll and
// logs nothing.
type Options struct {
	// Poll is the interval between two checks of the file when a read
	// reaches its end. 0 means DefaultPoll.
	Poll time.Duration

	// Wait waits for d, or until ctx is done: it reports whether the
	// wait ended with ctx still live. Nil means a timer. Tests give a
	// function that changes the file instead of waiting.
	Wait func(ctx context.Context, d time.Duration) bool

	// BeforeWait, when set, is called before every wait, so that a
	// caller can flush what it wrote about the lines read so far. Its
	// error ends the Read with it.
	BeforeWait func() error

	// Logf, when set, is told about the file: waiting for it, rotated,
	// truncated, gone. The messages begin with the path.
	Logf func(format string, args ...any)
}

// Reader reads a file and what is appended to it, following rotation and
// truncation. A Reader is for one goroutine.
type Reader struct {
	ctx     context.Context
	path    string
	opts    Options
	f       *os.File
	regular bool  // f is a regular file: followed
	off     int64 // what was read of f
	done    bool  // ctx is done: read to the end, then io.EOF
	waiting bool  // the path does not exist: said once
	gone    bool  // the path of the open file is gone: said once
	tailing bool  // a read reached the end of the current file
}

// Open returns a Reader of the file at path. A path that does not exist
// is waited for; other errors (permission, a directory) are returned.
func Open(ctx context.Context, path string, opts Options) (*Reader, error) {
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Wait == nil {
		opts.Wait = sleep
	}
	r := &Reader{ctx: ctx, path: path, opts: opts}
	if err := r.open(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return r, nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (r *Reader) logf(format string, args ...any) {
	if r.opts.Logf != nil {
		r.opts.Logf("%s: "+format, append([]any{r.path}, args...)...)
	}
}

// open opens the path; it is not an error that it does not exist.
func (r *Reader) open() error {
	f, err := os.Open(r.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !r.waiting {
			r.waiting = true
			r.logf("does not exist: waiting for it")
		}
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if fi.IsDir() {
		f.Close()
		return &os.PathError{Op: "follow", Path: r.path, Err: errors.New("is a directory")}
	}
	if r.waiting {
		r.logf("appeared: reading it from its start")
	}
	r.f, r.regular, r.off, r.waiting, r.gone, r.tailing = f, fi.Mode().IsRegular(), 0, false, false, false
	return nil
}

// Read reads what the file holds; at its end it waits for more (see the
// package documentation), and returns ErrRotated or ErrTruncated when a
// new stream begins, io.EOF once the context is done and everything was
// read.
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if r.f == nil {
			err := r.open()
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return 0, err
			}
			if err != nil {
				if r.done {
					return 0, io.EOF
				}
				if err := r.wait(); err != nil {
					return 0, err
				}
				continue
			}
		}
		n, err := r.f.Read(p)
		r.off += int64(n)
		if n > 0 {
			return n, nil
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		if !r.regular {
			return 0, io.EOF
		}
		r.tailing = true
		switch err := r.check(); {
		case err == ErrRotated:
			// what was written to the old file after its last read
			if n, _ := r.f.Read(p); n > 0 {
				r.off += int64(n)
				return n, nil
			}
			r.f.Close()
			r.f = nil
			r.logf("rotated (the path names a new file): the old one was read to its end, reading the new one from its start")
			return 0, ErrRotated
		case err == ErrTruncated:
			size := r.off
			if _, err := r.f.Seek(0, io.SeekStart); err != nil {
				return 0, err
			}
			r.off, r.tailing = 0, false
			r.logf("truncated (shorter than the %d bytes read): reading it again from its start", size)
			return 0, ErrTruncated
		case err != nil:
			return 0, err
		}
		if r.done {
			return 0, io.EOF
		}
		if err := r.wait(); err != nil {
			return 0, err
		}
	}
}

// wait flushes (BeforeWait) and waits one poll; when the context is done,
// it marks the Reader done: the next end of file is the end.
func (r *Reader) wait() error {
	if r.opts.BeforeWait != nil {
		if err := r.opts.BeforeWait(); err != nil {
			return err
		}
	}
	if r.ctx.Err() != nil || !r.opts.Wait(r.ctx, r.opts.Poll) {
		r.done = true
	}
	return nil
}

// check compares the path and the open file at its end: ErrRotated,
// ErrTruncated, nil (no change, or the path is gone), or an error of
// stat.
func (r *Reader) check() error {
	fi, err := os.Stat(r.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if !r.gone {
				r.gone = true
				r.logf("gone (removed or renamed): waiting for a new file, still reading the old one")
			}
			return nil
		}
		return err
	}
	cur, err := r.f.Stat()
	if err != nil {
		return err
	}
	if !os.SameFile(fi, cur) {
		return ErrRotated
	}
	r.gone = false
	if cur.Size() < r.off {
		return ErrTruncated
	}
	return nil
}

// Tailing reports whether a read reached the end of the file being read
// (since it was opened, or read again after a truncation): the Reader is
// following what is appended, not reading what the file held before. A
// caller that stops on a signal may stop at once while it is false (a
// backlog, maybe large) and let the Reader read to the end while it is
// true (the lines written just before the signal).
func (r *Reader) Tailing() bool { return r.tailing }

// Close closes the open file.
func (r *Reader) Close() error {
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}
